// Local files under a root (the /eodata mount): paths confined to the root, both lexically
// ("..") and physically (symbolic links resolving outside it), atomic writes.

#include <creodias/error.hpp>
#include <creodias/vfs.hpp>

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>
#include <vector>

namespace fs = std::filesystem;

namespace creodias {

namespace {

constexpr const char* kOrigin = "file";

std::optional<Timestamp> mtime_of(const struct stat& st) {
    return Timestamp{static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000 + st.st_mtim.tv_nsec / 1000};
}

bool within(const fs::path& p, const fs::path& root) {
    auto r = root.begin();
    auto q = p.begin();
    for (; r != root.end(); ++r, ++q) {
        if (r->empty()) continue;  // trailing separator of the root
        if (q == p.end() || *q != *r) return false;
    }
    return true;
}

class LocalFileSystem final : public FileSystem {
public:
    explicit LocalFileSystem(std::string root) {
        if (root.empty()) root = "/";
        std::error_code ec;
        root_ = fs::absolute(fs::path(root), ec).lexically_normal();
        if (root_.has_filename() == false && root_ != root_.root_path()) root_ = root_.parent_path();
        real_root_ = fs::weakly_canonical(root_, ec);
        if (ec) real_root_ = root_;
    }

    std::string scheme() const override { return "file"; }
    std::string uri(std::string_view path) const override { return full(path).string(); }

    ObjectInfo stat(std::string_view path) const override {
        const fs::path p = checked(path);
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) fail_errno(p, "stat");
        if (S_ISDIR(st.st_mode))
            throw InvalidArgument(kOrigin, fmt::format("{}: is a directory", p.string()));
        const bool absolute_key = !path.empty() && path.front() == '/';
        return {absolute_key ? p.generic_string() : relative(p), static_cast<std::uint64_t>(st.st_size), {},
                mtime_of(st)};
    }

    std::vector<ObjectInfo> list(std::string_view prefix) const override {
        const fs::path p = checked(prefix);
        const bool absolute_keys = !prefix.empty() && prefix.front() == '/';
        std::vector<ObjectInfo> out;
        std::error_code ec;
        struct stat st {};
        if (::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
            out.push_back({absolute_keys ? p.generic_string() : relative(p), static_cast<std::uint64_t>(st.st_size),
                           {}, mtime_of(st)});
            return out;
        }
        fs::path dir = p;
        std::string name_prefix;
        if (!(::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode))) {
            // Not a file or directory: a name prefix inside the parent directory (as on S3).
            dir = p.parent_path();
            name_prefix = p.filename().string();
            if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return out;
        }
        for (const auto& top : fs::directory_iterator(dir, ec)) {
            if (!name_prefix.empty() && top.path().filename().string().rfind(name_prefix, 0) != 0) continue;
            walk(top.path(), out, 0, absolute_keys);
        }
        if (ec) throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", dir.string(), ec.message()));
        std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.key < b.key; });
        return out;
    }

    void read(std::string_view path, const std::optional<ByteRange>& range, const ByteSink& sink,
              const CancelToken& cancel) const override {
        const fs::path p = checked(path);
        const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) fail_errno(p, "open");
        struct Close {
            int fd;
            ~Close() { ::close(fd); }
        } close{fd};
        struct stat st {};
        if (::fstat(fd, &st) != 0) fail_errno(p, "stat");
        if (S_ISDIR(st.st_mode)) throw InvalidArgument(kOrigin, fmt::format("{}: is a directory", p.string()));
        const auto size = static_cast<std::uint64_t>(st.st_size);
        std::uint64_t pos = range ? range->first : 0;
        std::uint64_t end = size;
        if (range && range->last) end = std::min(end, *range->last + 1);
        if (range && pos >= size && size > 0)
            throw InvalidArgument(kOrigin, fmt::format("{}: the range starts after the end ({} bytes)", p.string(), size));
        std::vector<char> buf(1 << 20);
        while (pos < end) {
            cancel.throw_if_cancelled(p.string());
            const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - pos));
            const ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(pos));
            if (got < 0) {
                if (errno == EINTR) continue;
                fail_errno(p, "read");
            }
            if (got == 0) break;  // truncated meanwhile
            sink(buf.data(), static_cast<std::size_t>(got));
            pos += static_cast<std::uint64_t>(got);
        }
    }

    void write(std::string_view path, std::string_view data) override {
        const fs::path p = checked(path);
        if (!p.has_filename()) throw InvalidArgument(kOrigin, fmt::format("'{}' names no file", std::string(path)));
        std::error_code ec;
        fs::create_directories(p.parent_path(), ec);
        if (ec) throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", p.parent_path().string(), ec.message()));
        const fs::path tmp = p.parent_path() / fmt::format(".{}.tmp-{:x}", p.filename().string(), std::random_device{}());
        const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
        if (fd < 0) fail_errno(tmp, "create");
        std::size_t done = 0;
        while (done < data.size()) {
            const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
            if (n < 0) {
                if (errno == EINTR) continue;
                const int err = errno;
                ::close(fd);
                ::unlink(tmp.c_str());
                errno = err;
                fail_errno(p, "write");
            }
            done += static_cast<std::size_t>(n);
        }
        if (::fsync(fd) != 0 || ::close(fd) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            errno = err;
            fail_errno(p, "write");
        }
        if (::rename(tmp.c_str(), p.c_str()) != 0) {
            const int err = errno;
            ::unlink(tmp.c_str());
            errno = err;
            fail_errno(p, "rename");
        }
    }

    void remove(std::string_view path) override {
        const fs::path p = checked(path);
        if (::unlink(p.c_str()) != 0) fail_errno(p, "remove");
    }

    std::string gdal_path(std::string_view path) const override { return checked(path).string(); }

private:
    fs::path root_, real_root_;

    // The absolute path for `path`, lexically confined to the root.
    fs::path full(std::string_view path) const {
        fs::path p(std::string{path});
        for (const auto& part : p)
            if (part == "..")
                throw InvalidArgument(kOrigin, fmt::format("'{}': '..' is not allowed in paths", std::string(path)));
        if (p.is_absolute()) {
            p = p.lexically_normal();
            if (!within(p, root_))
                throw InvalidArgument(kOrigin,
                                      fmt::format("'{}' is outside the root {}", std::string(path), root_.string()));
            return p;
        }
        return (root_ / p).lexically_normal();
    }

    // full() plus: the existing part of the path, links resolved, stays under the root.
    fs::path checked(std::string_view path) const {
        const fs::path p = full(path);
        std::error_code ec;
        const fs::path real = fs::weakly_canonical(p, ec);
        if (!ec && !within(real, real_root_))
            throw InvalidArgument(kOrigin, fmt::format("{}: a symbolic link leads outside the root {} (to {})",
                                                       p.string(), root_.string(), real.string()));
        return p;
    }

    std::string relative(const fs::path& p) const { return p.lexically_relative(root_).generic_string(); }

    void walk(const fs::path& p, std::vector<ObjectInfo>& out, int depth, bool absolute_keys) const {
        if (depth > 64) throw InvalidArgument(kOrigin, fmt::format("{}: directories nested too deep", p.string()));
        std::error_code ec;
        const fs::path real = fs::weakly_canonical(p, ec);
        if (!ec && !within(real, real_root_))
            throw InvalidArgument(kOrigin, fmt::format("{}: a symbolic link leads outside the root {} (to {})",
                                                       p.string(), root_.string(), real.string()));
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) return;  // dangling link or vanished: not a file
        if (S_ISREG(st.st_mode)) {
            out.push_back({absolute_keys ? p.generic_string() : relative(p), static_cast<std::uint64_t>(st.st_size),
                           {}, mtime_of(st)});
        } else if (S_ISDIR(st.st_mode)) {
            for (const auto& e : fs::directory_iterator(p, ec)) walk(e.path(), out, depth + 1, absolute_keys);
            if (ec) throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", p.string(), ec.message()));
        }
    }

    [[noreturn]] static void fail_errno(const fs::path& p, const char* op) {
        const int err = errno;
        const std::string msg = fmt::format("{}: {} failed: {}", p.string(), op, std::strerror(err));
        if (err == ENOENT || err == ENOTDIR) throw NotFoundError(kOrigin, msg);
        if (err == EACCES || err == EPERM) throw AuthError(Errc::permission_denied, kOrigin, msg);
        throw StorageError(Errc::io, kOrigin, msg);
    }
};

}  // namespace

std::shared_ptr<FileSystem> make_local_filesystem(std::string root) {
    return std::make_shared<LocalFileSystem>(std::move(root));
}

}  // namespace creodias
