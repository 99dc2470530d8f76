// The FileSystem base, the scheme registry and the in-memory backend.

#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/vfs.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <mutex>
#include <shared_mutex>

namespace creodias {

FileSystem::~FileSystem() = default;

std::string FileSystem::uri(std::string_view path) const { return scheme() + "://" + std::string(path); }

std::string FileSystem::gdal_path(std::string_view path) const {
    throw Unsupported("vfs", fmt::format("{}: GDAL cannot open files of the '{}' backend in place", uri(path),
                                         scheme()));
}

std::optional<std::uint64_t> FileSystem::multipart_part_size(std::string_view) const { return std::nullopt; }

std::string FileSystem::read(std::string_view path, const std::optional<ByteRange>& range) const {
    std::string out;
    read(path, range, [&](const char* p, std::size_t n) { out.append(p, n); }, CancelToken());
    return out;
}

// ---------------------------------------------------------------------------------------

void Vfs::add(std::shared_ptr<FileSystem> fs) {
    if (!fs) throw InvalidArgument("vfs", "null backend");
    std::string scheme = fs->scheme();
    add(std::move(scheme), std::move(fs));
}

void Vfs::add(std::string scheme, std::shared_ptr<FileSystem> fs) {
    if (!fs) throw InvalidArgument("vfs", "null backend");
    if (scheme.empty()) throw InvalidArgument("vfs", "empty scheme");
    backends_[std::move(scheme)] = std::move(fs);
}

std::shared_ptr<FileSystem> Vfs::get(std::string_view scheme) const {
    auto it = backends_.find(scheme);
    if (it == backends_.end())
        throw NotFoundError("vfs", fmt::format("no backend is registered for '{}://'", scheme));
    return it->second;
}

std::pair<std::shared_ptr<FileSystem>, std::string> Vfs::resolve(std::string_view uri) const {
    if (uri.empty()) throw InvalidArgument("vfs", "empty URI");
    const auto sep = uri.find("://");
    if (sep == std::string_view::npos) return {get("file"), std::string(uri)};
    const std::string_view scheme = uri.substr(0, sep);
    for (char c : scheme)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '-' && c != '.')
            return {get("file"), std::string(uri)};  // a local name that happens to contain "://"
    std::string rest(uri.substr(sep + 3));
    if (scheme == "http" || scheme == "https") return {get(scheme), std::string(uri)};
    if (scheme == "file") return {get("file"), rest};
    if (rest.empty()) throw InvalidArgument("vfs", fmt::format("'{}' names nothing after the scheme", uri));
    return {get(scheme), rest};
}

// ---------------------------------------------------------------------------------------

namespace {

class MemoryFileSystem final : public FileSystem {
public:
    std::string scheme() const override { return "mem"; }

    ObjectInfo stat(std::string_view path) const override {
        std::shared_lock lock(mu_);
        auto it = files_.find(path);
        if (it == files_.end()) throw NotFoundError("mem", fmt::format("{}: no such file", uri(path)));
        return {it->first, it->second.size(), {}, {}};
    }

    std::vector<ObjectInfo> list(std::string_view prefix) const override {
        std::shared_lock lock(mu_);
        std::vector<ObjectInfo> out;
        for (auto it = files_.lower_bound(prefix); it != files_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
             ++it)
            out.push_back({it->first, it->second.size(), {}, {}});
        return out;
    }

    void read(std::string_view path, const std::optional<ByteRange>& range, const ByteSink& sink,
              const CancelToken& cancel) const override {
        std::string copy;
        {
            std::shared_lock lock(mu_);
            auto it = files_.find(path);
            if (it == files_.end()) throw NotFoundError("mem", fmt::format("{}: no such file", uri(path)));
            const std::string& data = it->second;
            std::uint64_t first = range ? range->first : 0;
            std::uint64_t end = data.size();
            if (range && range->last) end = std::min<std::uint64_t>(end, *range->last + 1);
            if (range && first >= data.size() && !data.empty())
                throw InvalidArgument("mem", fmt::format("{}: the range starts after the end ({} bytes)", uri(path),
                                                         data.size()));
            if (first < end) copy = data.substr(first, end - first);
        }
        cancel.throw_if_cancelled(uri(path));
        if (!copy.empty()) sink(copy.data(), copy.size());
    }

    void write(std::string_view path, std::string_view data) override {
        if (path.empty()) throw InvalidArgument("mem", "empty path");
        std::unique_lock lock(mu_);
        files_[std::string(path)] = std::string(data);
    }

    void remove(std::string_view path) override {
        std::unique_lock lock(mu_);
        auto it = files_.find(path);
        if (it == files_.end()) throw NotFoundError("mem", fmt::format("{}: no such file", uri(path)));
        files_.erase(it);
    }

private:
    mutable std::shared_mutex mu_;
    std::map<std::string, std::string, std::less<>> files_;
};

}  // namespace

std::shared_ptr<FileSystem> make_memory_filesystem() { return std::make_shared<MemoryFileSystem>(); }

Vfs Vfs::standard(const S3Options& s3, const HttpOptions& http) {
    Vfs v;
    v.add(make_local_filesystem("/"));
    v.add(make_s3_filesystem(s3));
    auto web = make_http_filesystem("", http);  // paths are whole URLs
    v.add("http", web);
    v.add("https", web);
    return v;
}

}  // namespace creodias
