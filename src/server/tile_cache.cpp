#include "server/tile_cache.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <vector>
#include <sstream>
#include <system_error>
#include <unistd.h>

namespace creodias::detail {

std::string hash_hex(std::string_view data) {
    std::uint64_t h = 1469598103934665603ULL;
    for (unsigned char c : data) {
        h ^= c;
        h *= 1099511628211ULL;
    }
    return fmt::format("{:016x}", h);
}

namespace {

// File layout: a header line per field, a blank line, then the body.
std::string serialise(const CachedTile& t) {
    return fmt::format("{}\n{}\n{}\n\n{}", t.content_type, t.etag, t.headers.size(), t.headers) + t.body;
}

std::optional<CachedTile> deserialise(const std::string& s) {
    CachedTile t;
    std::size_t a = s.find('\n');
    if (a == std::string::npos) return std::nullopt;
    std::size_t b = s.find('\n', a + 1);
    if (b == std::string::npos) return std::nullopt;
    std::size_t c = s.find('\n', b + 1);
    if (c == std::string::npos || c + 1 >= s.size() || s[c + 1] != '\n') return std::nullopt;
    t.content_type = s.substr(0, a);
    t.etag = s.substr(a + 1, b - a - 1);
    std::size_t hlen = 0;
    try {
        hlen = std::stoul(s.substr(b + 1, c - b - 1));
    } catch (...) {
        return std::nullopt;
    }
    if (c + 2 + hlen > s.size()) return std::nullopt;
    t.headers = s.substr(c + 2, hlen);
    t.body = s.substr(c + 2 + hlen);
    return t;
}

}  // namespace

TileCache::TileCache(std::size_t memory_bytes, std::filesystem::path dir, std::size_t disk_bytes)
    : memory_cap_(memory_bytes), dir_(std::move(dir)), disk_cap_(disk_bytes) {
    if (dir_.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    // Adopt existing entries, oldest first; leftovers of interrupted writes are removed.
    std::vector<std::pair<std::filesystem::file_time_type, std::filesystem::path>> files;
    for (const auto& e : std::filesystem::directory_iterator(dir_, ec)) {
        if (!e.is_regular_file(ec)) continue;
        if (e.path().extension() == ".tmp") {
            std::filesystem::remove(e.path(), ec);
            continue;
        }
        if (e.path().extension() != ".tile") continue;
        files.emplace_back(e.last_write_time(ec), e.path());
    }
    std::sort(files.begin(), files.end());
    for (const auto& [_, p] : files) {
        const std::string name = p.filename().string();
        disk_lru_.push_front(name);
        DiskEntry d{p, static_cast<std::size_t>(std::filesystem::file_size(p, ec)), disk_lru_.begin()};
        disk_used_ += d.bytes;
        disk_.emplace(name, d);
    }
    std::lock_guard<std::mutex> lock(mu_);
    evict_disk_locked();
}

std::filesystem::path TileCache::file_for(const std::string& key) const { return dir_ / (hash_hex(key) + ".tile"); }

std::optional<CachedTile> TileCache::get(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = index_.find(key); it != index_.end()) {
        lru_.splice(lru_.begin(), lru_, it->second);
        ++stats_.hits;
        return it->second->second;
    }
    if (!dir_.empty()) {
        const std::string name = file_for(key).filename().string();
        if (auto d = disk_.find(name); d != disk_.end()) {
            std::ifstream in(d->second.path, std::ios::binary);
            std::stringstream ss;
            ss << in.rdbuf();
            // The file stores its key on the first line of the headers, so a hash collision
            // never serves another tile.
            if (auto t = deserialise(ss.str()); t && t->headers.rfind("X-Key: " + key + "\n", 0) == 0) {
                disk_lru_.splice(disk_lru_.begin(), disk_lru_, d->second.lru);
                ++stats_.hits;
                ++stats_.disk_hits;
                t->headers.erase(0, key.size() + 8);
                return t;
            }
        }
    }
    ++stats_.misses;
    return std::nullopt;
}

void TileCache::put(const std::string& key, const CachedTile& tile) {
    std::lock_guard<std::mutex> lock(mu_);
    const std::size_t bytes = tile.body.size() + key.size() + 128;
    if (memory_cap_ && bytes <= memory_cap_ / 4 && !index_.count(key)) {
        lru_.emplace_front(key, tile);
        index_[key] = lru_.begin();
        memory_used_ += bytes;
        while (memory_used_ > memory_cap_ && !lru_.empty()) {
            auto& back = lru_.back();
            memory_used_ -= back.second.body.size() + back.first.size() + 128;
            index_.erase(back.first);
            lru_.pop_back();
            ++stats_.evictions;
        }
    }
    if (dir_.empty() || !disk_cap_) return;
    const auto path = file_for(key);
    const std::string name = path.filename().string();
    if (disk_.count(name)) return;
    CachedTile stored = tile;
    stored.headers = "X-Key: " + key + "\n" + tile.headers;
    const std::string data = serialise(stored);
    const auto tmp = dir_ / fmt::format("{}.{}.tmp", name, ::getpid());
    {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        out.write(data.data(), static_cast<std::streamsize>(data.size()));
        if (!out) {
            std::error_code ec;
            std::filesystem::remove(tmp, ec);
            return;  // a full disk costs the cache entry, never the response
        }
    }
    std::error_code ec;
    std::filesystem::rename(tmp, path, ec);
    if (ec) {
        std::filesystem::remove(tmp, ec);
        return;
    }
    disk_lru_.push_front(name);
    disk_.emplace(name, DiskEntry{path, data.size(), disk_lru_.begin()});
    disk_used_ += data.size();
    evict_disk_locked();
}

void TileCache::evict_disk_locked() {
    while (disk_used_ > disk_cap_ && !disk_lru_.empty()) {
        const std::string name = disk_lru_.back();
        disk_lru_.pop_back();
        auto it = disk_.find(name);
        if (it == disk_.end()) continue;
        std::error_code ec;
        std::filesystem::remove(it->second.path, ec);
        disk_used_ -= it->second.bytes;
        disk_.erase(it);
        ++stats_.evictions;
    }
}

TileCache::Stats TileCache::stats() const {
    std::lock_guard<std::mutex> lock(mu_);
    Stats s = stats_;
    s.memory_entries = lru_.size();
    s.memory_bytes = memory_used_;
    s.disk_entries = disk_.size();
    s.disk_bytes = disk_used_;
    return s;
}

}  // namespace creodias::detail
