#include "readers/source.hpp"

#include "core/strings.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias::detail {

bool ProductSource::exists(const std::string& path) const {
    const auto& e = entries();
    auto it = std::lower_bound(e.begin(), e.end(), path,
                               [](const SourceEntry& a, const std::string& p) { return a.path < p; });
    return it != e.end() && it->path == path;
}

std::optional<std::string> ProductSource::find_suffix(const std::string& suffix) const {
    for (const auto& e : entries())
        if (ends_with(e.path, suffix)) return e.path;
    return std::nullopt;
}

std::vector<std::string> ProductSource::find_all(const std::string& prefix,
                                                 const std::string& suffix) const {
    std::vector<std::string> out;
    for (const auto& e : entries())
        if (starts_with(e.path, prefix) && ends_with(e.path, suffix)) out.push_back(e.path);
    return out;
}

std::string read_file_capped(const fs::path& path, std::uint64_t max_bytes) {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw NotFoundError("io", fmt::format("{}: no such file", path.string()));
    if (!fs::is_regular_file(st)) throw InvalidArgument("io", fmt::format("{}: not a regular file", path.string()));
    auto size = fs::file_size(path, ec);
    if (ec) throw StorageError(Errc::io, "io", fmt::format("{}: {}", path.string(), ec.message()));
    if (size > max_bytes)
        throw InvalidArgument("io", fmt::format("{}: file of {} bytes exceeds the {} byte limit for metadata",
                                                path.string(), size, max_bytes));
    std::ifstream in(path, std::ios::binary);
    if (!in) throw StorageError(Errc::io, "io", fmt::format("{}: cannot open for reading", path.string()));
    std::string data(static_cast<size_t>(size), '\0');
    in.read(data.data(), static_cast<std::streamsize>(size));
    if (static_cast<std::uint64_t>(in.gcount()) != size)
        throw StorageError(Errc::io, "io", fmt::format("{}: short read", path.string()));
    return data;
}

namespace {

class DirSource final : public ProductSource {
public:
    DirSource(fs::path dir, const ReadOptions& opt) : dir_(std::move(dir)), opt_(opt) {
        name_ = dir_.filename().string();
        if (name_.empty()) name_ = dir_.parent_path().filename().string();
        std::error_code ec;
        fs::recursive_directory_iterator it(dir_, fs::directory_options::skip_permission_denied, ec), end;
        if (ec) throw StorageError(Errc::io, "io", fmt::format("{}: {}", dir_.string(), ec.message()));
        for (; it != end; it.increment(ec)) {
            if (ec) throw StorageError(Errc::io, "io", fmt::format("{}: {}", dir_.string(), ec.message()));
            if (!it->is_regular_file(ec)) continue;
            if (entries_.size() >= opt_.max_entries)
                throw InvalidArgument("io", fmt::format("{}: more than {} files", dir_.string(), opt_.max_entries));
            SourceEntry e;
            e.path = fs::relative(it->path(), dir_, ec).generic_string();
            e.size = it->file_size(ec);
            entries_.push_back(std::move(e));
        }
        std::sort(entries_.begin(), entries_.end(),
                  [](const SourceEntry& a, const SourceEntry& b) { return a.path < b.path; });
    }
    const std::string& root_name() const override { return name_; }
    const std::vector<SourceEntry>& entries() const override { return entries_; }
    const fs::path& location() const override { return dir_; }
    std::string read(const std::string& path) override {
        if (path.find("..") != std::string::npos)
            throw InvalidArgument("io", fmt::format("{}: refusing path '{}'", dir_.string(), path));
        return read_file_capped(dir_ / path, opt_.max_metadata_bytes);
    }

private:
    fs::path dir_;
    ReadOptions opt_;
    std::string name_;
    std::vector<SourceEntry> entries_;
};

class ZipSource final : public ProductSource {
public:
    ZipSource(fs::path file, const ReadOptions& opt) : file_(std::move(file)), opt_(opt) {
        int err = 0;
        za_ = zip_open(file_.string().c_str(), ZIP_RDONLY, &err);
        if (!za_) {
            zip_error_t ze;
            zip_error_init_with_code(&ze, err);
            std::string msg = zip_error_strerror(&ze);
            zip_error_fini(&ze);
            throw InvalidArgument("zip", fmt::format("{}: not a readable zip archive ({})", file_.string(), msg));
        }
        zip_int64_t n = zip_get_num_entries(za_, 0);
        if (n < 0 || static_cast<std::uint64_t>(n) > opt_.max_entries) {
            zip_close(za_);
            throw InvalidArgument("zip", fmt::format("{}: {} entries exceed the limit of {}", file_.string(), n,
                                                     opt_.max_entries));
        }
        std::vector<std::pair<std::string, zip_stat_t>> raw;
        for (zip_int64_t i = 0; i < n; ++i) {
            zip_stat_t st;
            zip_stat_init(&st);
            if (zip_stat_index(za_, static_cast<zip_uint64_t>(i), 0, &st) != 0) continue;
            if (!(st.valid & ZIP_STAT_NAME)) continue;
            std::string name = st.name;
            if (name.empty() || name.back() == '/') continue;  // directory entry
            raw.emplace_back(name, st);
        }
        // Strip a single common top-level folder ("X.SAFE/...").
        std::string prefix;
        if (!raw.empty()) {
            auto slash = raw.front().first.find('/');
            if (slash != std::string::npos) {
                std::string cand = raw.front().first.substr(0, slash + 1);
                bool all = std::all_of(raw.begin(), raw.end(),
                                       [&](const auto& r) { return starts_with(r.first, cand); });
                if (all) prefix = cand;
            }
        }
        if (!prefix.empty()) {
            name_ = prefix.substr(0, prefix.size() - 1);
        } else {
            name_ = file_.filename().string();
            if (iends_with(name_, ".zip")) name_.resize(name_.size() - 4);
        }
        for (auto& [name, st] : raw) {
            SourceEntry e;
            e.path = name.substr(prefix.size());
            if (e.path.find("..") != std::string::npos || (!e.path.empty() && e.path.front() == '/')) continue;
            e.size = (st.valid & ZIP_STAT_SIZE) ? st.size : 0;
            index_.emplace(e.path, std::make_pair(st.index, (st.valid & ZIP_STAT_COMP_SIZE) ? st.comp_size : 0));
            entries_.push_back(std::move(e));
        }
        std::sort(entries_.begin(), entries_.end(),
                  [](const SourceEntry& a, const SourceEntry& b) { return a.path < b.path; });
    }
    ~ZipSource() override {
        if (za_) zip_discard(za_);
    }
    const std::string& root_name() const override { return name_; }
    const std::vector<SourceEntry>& entries() const override { return entries_; }
    const fs::path& location() const override { return file_; }

    std::string read(const std::string& path) override {
        auto it = index_.find(path);
        if (it == index_.end())
            throw NotFoundError("zip", fmt::format("{}: no member '{}'", file_.string(), path));
        auto [idx, comp] = it->second;
        zip_stat_t st;
        zip_stat_init(&st);
        zip_stat_index(za_, idx, 0, &st);
        std::uint64_t size = st.size;
        if (size > opt_.max_metadata_bytes)
            throw InvalidArgument("zip", fmt::format("{}: member '{}' of {} bytes exceeds the {} byte limit",
                                                     file_.string(), path, size, opt_.max_metadata_bytes));
        if (comp > 0 && static_cast<double>(size) / static_cast<double>(comp) > opt_.max_zip_ratio && size > (1u << 20))
            throw InvalidArgument("zip", fmt::format("{}: member '{}' has a compression ratio above {} "
                                                     "(possible zip bomb)",
                                                     file_.string(), path, opt_.max_zip_ratio));
        if (read_total_ + size > opt_.max_zip_read_bytes)
            throw InvalidArgument("zip", fmt::format("{}: more than {} uncompressed bytes read", file_.string(),
                                                     opt_.max_zip_read_bytes));
        zip_file_t* zf = zip_fopen_index(za_, idx, 0);
        if (!zf) throw InvalidArgument("zip", fmt::format("{}: cannot open member '{}': {}", file_.string(), path,
                                                          zip_strerror(za_)));
        std::string data;
        data.resize(static_cast<size_t>(size));
        // Never trust the declared size: read at most size+1 bytes and compare. The extra
        // read must hit a clean end of data: libzip verifies the CRC there and reports a
        // mismatch (corrupt member) as -1.
        zip_int64_t got = zip_fread(zf, data.data(), size);
        char extra;
        zip_int64_t more = got >= 0 ? zip_fread(zf, &extra, 1) : 0;
        zip_fclose(zf);
        if (got < 0 || static_cast<std::uint64_t>(got) != size || more != 0)
            throw InvalidArgument("zip", fmt::format("{}: member '{}' is corrupt or truncated", file_.string(), path));
        read_total_ += size;
        return data;
    }

private:
    fs::path file_;
    ReadOptions opt_;
    zip_t* za_ = nullptr;
    std::string name_;
    std::vector<SourceEntry> entries_;
    std::map<std::string, std::pair<zip_uint64_t, zip_uint64_t>> index_;
    std::uint64_t read_total_ = 0;
};

}  // namespace

std::unique_ptr<ProductSource> open_product_source(const fs::path& path, const ReadOptions& options) {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) throw NotFoundError("io", fmt::format("{}: no such file or directory", path.string()));
    if (fs::is_directory(st)) return std::make_unique<DirSource>(path, options);
    if (iends_with(path.string(), ".zip")) return std::make_unique<ZipSource>(path, options);
    throw InvalidArgument("io", fmt::format("{}: neither a directory nor a zip archive", path.string()));
}

}  // namespace creodias::detail
