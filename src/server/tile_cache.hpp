#pragma once
// Private: the cache of encoded tiles. A byte-capped in-memory LRU, and optionally a
// directory of files with its own size cap: entries are written to a temporary name and
// renamed (never half-written), the least recently used files are removed past the cap,
// and the directory's existing files are adopted at start.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <list>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace creodias::detail {

struct CachedTile {
    std::string body;
    std::string content_type;
    std::string etag;
    std::string headers;  ///< extra headers, "Name: value\n" lines
};

class TileCache {
public:
    TileCache(std::size_t memory_bytes, std::filesystem::path dir, std::size_t disk_bytes);
    std::optional<CachedTile> get(const std::string& key);
    void put(const std::string& key, const CachedTile& tile);

    struct Stats {
        std::size_t memory_entries = 0, memory_bytes = 0, disk_entries = 0, disk_bytes = 0;
        std::size_t hits = 0, misses = 0, disk_hits = 0, evictions = 0;
    };
    Stats stats() const;

private:
    using Lru = std::list<std::pair<std::string, CachedTile>>;
    struct DiskEntry {
        std::filesystem::path path;
        std::size_t bytes = 0;
        std::list<std::string>::iterator lru;
    };
    std::filesystem::path file_for(const std::string& key) const;
    void evict_disk_locked();

    mutable std::mutex mu_;
    std::size_t memory_cap_, memory_used_ = 0;
    Lru lru_;
    std::unordered_map<std::string, Lru::iterator> index_;

    std::filesystem::path dir_;
    std::size_t disk_cap_, disk_used_ = 0;
    std::list<std::string> disk_lru_;  // file names, most recent first
    std::unordered_map<std::string, DiskEntry> disk_;
    Stats stats_;
};

/// 64-bit FNV-1a, as 16 hex digits.
std::string hash_hex(std::string_view data);

}  // namespace creodias::detail
