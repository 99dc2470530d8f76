// The download engine.
//
// Work is a queue of tasks run by `jobs` worker threads: one "prepare" task per file (skip
// check, journal recovery), then one task per part of each file (a ranged read written in
// place with pwrite). Whoever completes a part advances that file's hash cursor over the
// contiguous completed parts, reading them back from the page cache, so verification runs
// while other parts still download; the thread that hashes the last part verifies the file
// and renames it into place. The calling thread reports progress.
//
// Per file, next to the destination:
//   NAME.creodias-part     data, parts written at their offsets (preallocated)
//   NAME.creodias-journal  a JSON header line (source, size, etag, part size), then
//                          "have <part> <bytes>" every MiB received in a part and
//                          "done <part>" when a part is complete, each appended after the
//                          data it describes was written.
// A torn last line (kill -9 while appending) is ignored. A journal whose header does not
// match the object (changed upstream, other part size) is discarded with its data.

#include <creodias/error.hpp>
#include <creodias/transfer.hpp>

#include "access/digest.hpp"
#include "access/md5_lanes.hpp"
#include "core/strings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <fcntl.h>
#include <fnmatch.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>

namespace fs = std::filesystem;

namespace creodias {

namespace {

constexpr const char* kOrigin = "download";
constexpr const char* kPartSuffix = ".creodias-part";
constexpr const char* kJournalSuffix = ".creodias-journal";
constexpr const char* kQuarantineDir = ".creodias-quarantine";
constexpr const char* kXattr = "user.creodias.verified";

// A relative destination path without "..", "." or empty components.
std::string safe_relative(std::string_view rel) {
    if (rel.empty()) throw InvalidArgument(kOrigin, "empty destination path");
    if (rel.front() == '/')
        throw InvalidArgument(kOrigin, fmt::format("'{}': absolute destination paths are not allowed", rel));
    if (rel.find('\0') != std::string_view::npos)
        throw InvalidArgument(kOrigin, "a destination path contains a NUL byte");
    std::string out;
    for (const auto& part : detail::split(rel, '/', true)) {
        if (part == "..")
            throw InvalidArgument(kOrigin, fmt::format("'{}': '..' is not allowed in destination paths", rel));
        if (part == ".") continue;
        if (!out.empty()) out += '/';
        out += part;
    }
    if (out.empty()) throw InvalidArgument(kOrigin, fmt::format("'{}' names no file", rel));
    return out;
}

[[noreturn]] void fail_errno(const std::string& what, const fs::path& p) {
    const int err = errno;
    const std::string msg = fmt::format("{}: {}: {}", p.string(), what, std::strerror(err));
    if (err == ENOSPC || err == EDQUOT)
        throw StorageError(Errc::io, kOrigin, msg + " (the disk is full; the partial data is kept for resuming)");
    if (err == EACCES || err == EPERM) throw AuthError(Errc::permission_denied, kOrigin, msg);
    throw StorageError(Errc::io, kOrigin, msg);
}

bool is_hex(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); });
}

// Part sizes that S3 clients commonly use, for reconstructing a multipart ETag.
std::vector<std::uint64_t> multipart_candidates(std::uint64_t size, std::uint64_t parts) {
    if (parts == 1) return {std::max<std::uint64_t>(size, 1)};  // every part size >= size is the same
    std::set<std::uint64_t> c;
    constexpr std::uint64_t MiB = 1ull << 20;
    for (std::uint64_t m : {5, 8, 10, 15, 16, 25, 32, 50, 64, 100, 128, 256, 512, 1024, 2048, 4096})
        c.insert(m * MiB);
    if (parts > 0) {
        const std::uint64_t even = (size + parts - 1) / parts;
        c.insert(even);
        c.insert((even + MiB - 1) / MiB * MiB);
    }
    std::vector<std::uint64_t> out;
    for (auto ps : c)
        if (ps > 0 && (size + ps - 1) / ps == parts && (parts > 1 || ps >= size)) out.push_back(ps);
    return out;
}

// What a file must hash to.
struct Expectations {
    std::string md5_etag;                 // single-part ETag = MD5
    std::string multipart_etag;           // "<hex>-<n>"
    std::vector<std::uint64_t> mp_sizes;  // candidate part sizes for it
    bool mp_exact = false;                // the part size came from the server, not a guess
    std::vector<Checksum> checksums;      // canonical algorithm names, supported ones
    std::vector<std::string> unsupported;

    bool any() const { return !md5_etag.empty() || !mp_sizes.empty() || !checksums.empty(); }
    std::string fingerprint(std::uint64_t size) const {
        std::string s = fmt::format("{} {}{}", size, md5_etag, multipart_etag);
        for (const auto& c : checksums) s += " " + c.algorithm + ":" + c.value;
        return s;
    }
};

Expectations expectations_for(const FileSystem& fsys, std::uint64_t size, const std::string& etag,
                              const std::vector<Checksum>& checksums) {
    Expectations e;
    if (fsys.scheme() == "s3" && !etag.empty()) {
        const auto dash = etag.find('-');
        if (dash == std::string::npos && etag.size() == 32 && is_hex(etag)) {
            e.md5_etag = detail::to_lower(etag);
        } else if (dash == 32 && is_hex(etag.substr(0, 32))) {
            if (auto n = detail::parse_int(etag.substr(dash + 1)); n && *n > 0) {
                e.multipart_etag = detail::to_lower(etag);
                e.mp_sizes = multipart_candidates(size, static_cast<std::uint64_t>(*n));
            }
        }
    }
    for (const auto& c : checksums) {
        if (auto name = detail::canonical_digest_name(c.algorithm)) {
            if (std::none_of(e.checksums.begin(), e.checksums.end(),
                             [&](const Checksum& x) { return x.algorithm == *name; }))
                e.checksums.push_back({*name, detail::to_lower(c.value)});
        } else {
            e.unsupported.push_back(c.algorithm);
        }
    }
    return e;
}

// The digests computed over a file, fed in order.
struct Hashes {
    std::unique_ptr<detail::Digest> md5;
    std::vector<detail::MultipartEtag> multipart;
    std::vector<detail::Digest> others;

    // `per_part`: the multipart ETag is computed from per-part MD5s instead (download parts
    // aligned with the upload's parts), not in the sequential pass.
    Hashes(const Expectations& e, bool per_part) {
        bool need_md5 = !e.md5_etag.empty();
        for (const auto& c : e.checksums) {
            if (c.algorithm == "MD5") need_md5 = true;
            else others.emplace_back(c.algorithm);
        }
        if (need_md5) md5 = std::make_unique<detail::Digest>("MD5");
        if (!per_part)
            for (auto ps : e.mp_sizes) multipart.emplace_back(ps);
    }
    // Whether anything needs the file's bytes in order.
    bool sequential() const { return md5 || !multipart.empty() || !others.empty(); }
    void update(const char* p, std::size_t n) {
        if (md5) md5->update(p, n);
        for (auto& m : multipart) m.update(p, n);
        for (auto& d : others) d.update(p, n);
    }

    // Empty when everything matches (then `verified_by` lists what was checked); otherwise
    // the mismatch, naming both checksums.
    std::string compare(const Expectations& e, std::string& verified_by, const std::string& per_part_etag = {}) {
        verified_by.clear();
        std::string problem;
        auto add = [&](const std::string& what) {
            if (!verified_by.empty()) verified_by += ",";
            verified_by += what;
        };
        const std::string md5_hex = md5 ? md5->hex_final() : std::string();
        if (!e.md5_etag.empty()) {
            if (md5_hex == e.md5_etag) add("etag-md5");
            else problem = fmt::format("MD5 {} does not match the ETag {}", md5_hex, e.md5_etag);
        }
        if (problem.empty() && !e.mp_sizes.empty()) {
            std::vector<std::string> got;
            if (!per_part_etag.empty()) got.push_back(per_part_etag);
            for (auto& m : multipart) got.push_back(m.final());
            if (std::find(got.begin(), got.end(), e.multipart_etag) != got.end()) {
                add("etag-multipart");
            } else if (e.mp_exact) {
                problem = fmt::format("multipart ETag {} not reproduced (computed {})", e.multipart_etag,
                                      fmt::join(got, ", "));
            }
            // else: the part size was only guessed and no guess fits (an uncommon client
            // part size, or an ETag that is no MD5 at all): the ETag cannot verify the file.
        }
        std::size_t k = 0;
        for (const auto& c : e.checksums) {
            if (!problem.empty()) break;
            const std::string got = c.algorithm == "MD5" ? md5_hex : others[k++].hex_final();
            if (got == c.value) add(c.algorithm);
            else problem = fmt::format("{} {} does not match the expected {}", c.algorithm, got, c.value);
        }
        return problem;
    }
};

struct FileJob {
    const DownloadItem* item = nullptr;
    std::string rel;
    fs::path final_path, part_path, journal_path;
    std::uint64_t size = 0;
    std::string etag;
    std::uint64_t part_size = 0;
    std::size_t nparts = 0;
    Expectations expect;

    std::mutex mu;
    std::vector<char> done;
    std::vector<std::uint64_t> have;  // bytes already in place at the start of each part
    std::size_t done_count = 0;
    std::size_t next_hash = 0;
    bool hashing = false, finishing = false, closed = false;
    int fd = -1, journal_fd = -1;
    int round = 1;  // 2 after a quarantine
    std::unique_ptr<Hashes> hashes;
    bool per_part = false;               // multipart ETag from per-part MD5s
    bool hash_broken = false;            // in-order hashing was cut off: the file fails this run
    std::vector<std::string> part_md5;   // binary MD5 per upload part ("" = to compute at the end)
    std::uint64_t md5_part_size = 0;     // the upload's part size (per_part files)
    std::size_t md5_parts = 0;           // the upload's part count
    std::uint64_t md5_begin(std::size_t u) const { return u * md5_part_size; }
    std::uint64_t md5_end(std::size_t u) const { return std::min<std::uint64_t>(size, (u + 1) * md5_part_size); }
    // Upload parts inside download part k (download parts are whole multiples of them).
    std::pair<std::size_t, std::size_t> md5_parts_of(std::size_t k) const {
        const std::size_t m = static_cast<std::size_t>(part_size / md5_part_size);
        return {k * m, std::min(md5_parts, (k + 1) * m)};
    }
    std::size_t md5_pending = 0;         // parts waiting in the multi-lane MD5 queue
    FileOutcome outcome;
    std::exception_ptr error;

    ~FileJob() {
        if (fd >= 0) ::close(fd);
        if (journal_fd >= 0) ::close(journal_fd);
    }
    std::uint64_t part_begin(std::size_t k) const { return k * part_size; }
    std::uint64_t part_end(std::size_t k) const { return std::min<std::uint64_t>(size, (k + 1) * part_size); }
};

struct Task {
    FileJob* file;
    long part;  // -1: prepare
};

class Engine {
public:
    Engine(const FileSystem& fsys, const DownloadOptions& opt, fs::path dest)
        : fs_(fsys), opt_(opt), dest_(std::move(dest)) {}

    DownloadReport run(const std::vector<DownloadItem>& items);

private:
    const FileSystem& fs_;
    const DownloadOptions& opt_;
    fs::path dest_;
    // Our own token, cancelled when the caller's is (checked by the monitor) or when the
    // progress callback throws: the caller's token is never cancelled by us.
    CancelToken cancel_;
    std::vector<std::unique_ptr<FileJob>> files_;

    std::mutex qmu_;
    std::condition_variable qcv_, done_cv_;
    std::deque<Task> queue_;
    std::size_t outstanding_ = 0;  // queued + running
    bool stop_ = false;
    std::exception_ptr fatal_;     // disk full, cancellation: stops everything

    std::atomic<std::uint64_t> bytes_done_{0}, bytes_transferred_{0}, bytes_total_{0};

    // Per-part MD5s (multipart ETags) are computed eight parts at a time, across files, with
    // the multi-lane MD5 (AVX2), reading the parts back from the page cache; without AVX2
    // they are computed while the part streams in.
    const bool lanes_ = detail::md5_lanes_use_avx2();
    std::mutex hmu_;
    std::vector<std::pair<FileJob*, std::size_t>> md5_queue_;

    void queue_md5(FileJob& f, std::size_t k) {  // f.mu held by the caller
        ++f.md5_pending;
        std::lock_guard lock(hmu_);
        md5_queue_.emplace_back(&f, k);
    }

    // Hashes queued parts in batches of 8; with `flush`, also a last partial batch.
    void hash_queued(bool flush) {
        for (;;) {
            std::vector<std::pair<FileJob*, std::size_t>> batch;
            {
                std::lock_guard lock(hmu_);
                if (md5_queue_.empty() || (md5_queue_.size() < 8 && !flush)) return;
                const std::size_t n = std::min<std::size_t>(8, md5_queue_.size());
                batch.assign(md5_queue_.begin(), md5_queue_.begin() + static_cast<std::ptrdiff_t>(n));
                md5_queue_.erase(md5_queue_.begin(), md5_queue_.begin() + static_cast<std::ptrdiff_t>(n));
            }
            std::vector<std::uint64_t> lengths;
            for (auto& [f, u] : batch) lengths.push_back(f->md5_end(u) - f->md5_begin(u));
            std::vector<std::string> sums;
            std::exception_ptr error;
            try {
                sums = detail::md5_lanes(lengths, [&](std::size_t lane, std::uint64_t off, std::size_t n,
                                                     unsigned char* out) {
                    FileJob& f = *batch[lane].first;
                    const std::uint64_t at = f.md5_begin(batch[lane].second) + off;
                    for (std::size_t got = 0; got < n;) {
                        const ssize_t r = ::pread(f.fd, out + got, n - got, static_cast<off_t>(at + got));
                        if (r < 0 && errno == EINTR) continue;
                        if (r == 0) errno = EIO;
                        if (r <= 0) fail_errno("cannot read back", f.part_path);
                        got += static_cast<std::size_t>(r);
                    }
                });
            } catch (...) {
                error = std::current_exception();
            }
            std::vector<FileJob*> files;
            for (std::size_t i = 0; i < batch.size(); ++i) {
                FileJob& f = *batch[i].first;
                {
                    std::lock_guard lock(f.mu);
                    if (!error) f.part_md5[batch[i].second] = sums[i];
                    --f.md5_pending;
                }
                if (std::find(files.begin(), files.end(), &f) == files.end()) files.push_back(&f);
            }
            for (FileJob* f : files) {
                if (error) {
                    fail_file(*f, error);
                    continue;
                }
                try {
                    advance(*f);
                } catch (...) {
                    fail_file(*f, std::current_exception());
                }
            }
        }
    }
    std::atomic<std::size_t> files_done_{0};

    void push(Task t) {
        {
            std::lock_guard lock(qmu_);
            queue_.push_back(t);
            ++outstanding_;
        }
        qcv_.notify_one();
    }

    // Parts go before the remaining "prepare" tasks: files are finished one after the other
    // instead of all being opened at once (file descriptors, disk reservations).
    void push_front(const std::vector<Task>& tasks) {
        {
            std::lock_guard lock(qmu_);
            queue_.insert(queue_.begin(), tasks.begin(), tasks.end());
            outstanding_ += tasks.size();
        }
        qcv_.notify_all();
    }

    void worker() {
        for (;;) {
            Task t;
            {
                std::unique_lock lock(qmu_);
                qcv_.wait(lock, [&] { return stop_ || !queue_.empty() || outstanding_ == 0; });
                if (stop_ || queue_.empty()) return;
                t = queue_.front();
                queue_.pop_front();
            }
            try {
                if (t.part < 0) {
                    prepare(*t.file);
                } else {
                    fetch(*t.file, static_cast<std::size_t>(t.part));
                }
            } catch (const Error& e) {
                const bool global = e.code() == Errc::cancelled ||
                                    (e.code() == Errc::io && std::string_view(e.what()).find("disk is full") !=
                                                                 std::string_view::npos);
                if (global) {
                    std::lock_guard lock(qmu_);
                    if (!fatal_) fatal_ = std::current_exception();
                    stop_ = true;
                } else {
                    fail_file(*t.file, std::current_exception());
                }
            } catch (...) {
                fail_file(*t.file, std::current_exception());
            }
            if (lanes_) {
                bool idle;
                {
                    std::lock_guard lock(qmu_);
                    idle = queue_.empty() || stop_;
                }
                hash_queued(idle);  // full batches; the rest once no task waits
            }
            {
                std::lock_guard lock(qmu_);
                --outstanding_;
            }
            qcv_.notify_all();
            done_cv_.notify_all();
        }
    }

    void fail_file(FileJob& f, std::exception_ptr e) {
        std::lock_guard lock(f.mu);
        if (!f.error) {
            f.error = e;
            f.outcome.status = FileOutcome::Status::failed;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                f.outcome.error = x.what();
            }
            // Queued parts of this file are dropped when they come up.
        }
    }

    // Opens (creating) the partial file and locks it: a second process downloading the same
    // file into the same directory is refused instead of interleaving its writes.
    void lock_part_file(FileJob& f) {
        if (f.fd >= 0) return;
        f.fd = ::open(f.part_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (f.fd < 0) fail_errno("cannot open the partial file", f.part_path);
        if (::flock(f.fd, LOCK_EX | LOCK_NB) != 0) {
            ::close(f.fd);
            f.fd = -1;
            throw StorageError(Errc::busy, kOrigin,
                               fmt::format("{}: being downloaded by another process", f.final_path.string()));
        }
    }

    void open_part_file(FileJob& f, bool fresh) {
        lock_part_file(f);
        if (fresh && ::ftruncate(f.fd, 0) != 0) fail_errno("cannot truncate the partial file", f.part_path);
        if (fresh && f.size > 0) {
            const int rc = ::posix_fallocate(f.fd, 0, static_cast<off_t>(f.size));
            if (rc == ENOSPC || rc == EDQUOT) {
                errno = rc;
                fail_errno(fmt::format("cannot reserve {} bytes", f.size), f.part_path);
            }
        }
    }

    void start_journal(FileJob& f) {
        if (f.journal_fd >= 0) ::close(f.journal_fd);
        f.journal_fd =
            ::open(f.journal_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
        if (f.journal_fd < 0) fail_errno("cannot create the journal", f.journal_path);
        const nlohmann::json h = {{"v", 1},
                                  {"source", fs_.uri(f.item->source)},
                                  {"size", f.size},
                                  {"etag", f.etag},
                                  {"part_size", f.part_size}};
        append_journal(f, h.dump() + "\n");
    }

    void append_journal(FileJob& f, const std::string& line) {
        const ssize_t n = ::write(f.journal_fd, line.data(), line.size());
        if (n != static_cast<ssize_t>(line.size())) {
            if (n >= 0) errno = ENOSPC;  // a short write: the file system is full
            fail_errno("cannot write the journal", f.journal_path);
        }
    }

    // Reads an existing journal; true when it matches this object (then `done` is filled).
    bool recover(FileJob& f) {
        const int jfd = ::open(f.journal_path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (jfd < 0) return false;
        std::string text;
        char buf[65536];
        for (ssize_t n; (n = ::read(jfd, buf, sizeof buf)) > 0;) text.append(buf, static_cast<std::size_t>(n));
        ::close(jfd);
        const auto lines = detail::split(text, '\n');
        if (lines.empty()) return false;
        try {
            const auto h = nlohmann::json::parse(lines[0]);
            if (h.at("v") != 1 || h.at("source") != fs_.uri(f.item->source) || h.at("size") != f.size ||
                h.at("etag") != f.etag)
                return false;
            // The earlier run may have cut the file differently (other --jobs or --part-size):
            // keep its parts when they suit the verification (whole upload parts).
            const auto jps = h.at("part_size").get<std::uint64_t>();
            if (jps != f.part_size) {
                const bool fits = jps > 0 && (!f.per_part || (lanes_ ? jps % f.md5_part_size == 0
                                                                     : jps == f.md5_part_size));
                if (!fits) return false;
                f.part_size = jps;
                f.nparts = static_cast<std::size_t>((f.size + jps - 1) / jps);
                f.done.assign(f.nparts, 0);
                f.have.assign(f.nparts, 0);
            }
        } catch (const std::exception&) {
            return false;
        }
        struct stat st {};
        if (::stat(f.part_path.c_str(), &st) != 0) return false;
        // Every line but a torn last one ("done N" followed by its newline).
        const bool complete_last = !text.empty() && text.back() == '\n';
        for (std::size_t k = 1; k < lines.size(); ++k) {
            if (k + 1 == lines.size() && !complete_last) break;
            if (lines[k].rfind("have ", 0) == 0) {
                const auto w = detail::split(lines[k], ' ');
                if (w.size() != 3) continue;
                auto idx = detail::parse_int(w[1]);
                auto n = detail::parse_int(w[2]);
                if (idx && n && *idx >= 0 && static_cast<std::size_t>(*idx) < f.nparts && *n >= 0) {
                    const auto part = static_cast<std::size_t>(*idx);
                    const auto len = f.part_end(part) - f.part_begin(part);
                    f.have[part] = std::max(f.have[part], std::min<std::uint64_t>(static_cast<std::uint64_t>(*n), len));
                }
                continue;
            }
            if (lines[k].rfind("done ", 0) != 0) continue;
            auto idx = detail::parse_int(lines[k].substr(5));
            if (idx && *idx >= 0 && static_cast<std::size_t>(*idx) < f.nparts && !f.done[*idx]) {
                f.done[*idx] = 1;
                ++f.done_count;
            }
        }
        return true;
    }

    bool already_present(FileJob& f) {
        struct stat st {};
        if (::lstat(f.final_path.c_str(), &st) != 0) return false;
        if (S_ISLNK(st.st_mode))
            throw InvalidArgument(kOrigin, fmt::format("{}: is a symbolic link; refusing to replace it",
                                                       f.final_path.string()));
        if (!S_ISREG(st.st_mode))
            throw InvalidArgument(kOrigin, fmt::format("{}: exists and is not a file", f.final_path.string()));
        if (static_cast<std::uint64_t>(st.st_size) != f.size) return false;
        if (!opt_.verify || !f.expect.any()) {
            f.outcome.verified_by.clear();
            return true;  // same size, nothing to compare against (the aws s3 sync rule)
        }
        const std::string mark = f.expect.fingerprint(f.size) + " " + std::to_string(st.st_mtim.tv_sec) + "." +
                                 std::to_string(st.st_mtim.tv_nsec);
        char buf[1024];
        const ssize_t n = ::getxattr(f.final_path.c_str(), kXattr, buf, sizeof buf);
        if (n > 0 && std::string_view(buf, static_cast<std::size_t>(n)) == mark) {
            f.outcome.verified_by = "earlier run";
            return true;
        }
        // Present without a record of its verification: hash it.
        Hashes h(f.expect, false);
        const int fd = ::open(f.final_path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return false;
        struct Close {
            int fd;
            ~Close() { ::close(fd); }
        } close_fd{fd};
        std::vector<char> b(1 << 20);
        for (ssize_t got; (got = ::read(fd, b.data(), b.size())) > 0;) {
            cancel_.throw_if_cancelled(f.final_path.string());
            h.update(b.data(), static_cast<std::size_t>(got));
        }
        std::string by;
        if (!h.compare(f.expect, by).empty()) return false;  // differs: download again
        f.outcome.verified_by = by;
        ::setxattr(f.final_path.c_str(), kXattr, mark.data(), mark.size(), 0);
        return true;
    }

    void prepare(FileJob& f) {
        cancel_.throw_if_cancelled(f.final_path.string());
        if (!f.item->size) {
            const ObjectInfo info = fs_.stat(f.item->source);
            f.size = info.size;
            f.etag = info.etag;
            bytes_total_ += f.size;
        }
        f.expect = opt_.verify ? expectations_for(fs_, f.size, f.etag, f.item->checksums) : Expectations{};
        if (!f.expect.multipart_etag.empty()) {
            // Ask the server for the real part size; guesses stay the fallback.
            if (auto ps = fs_.multipart_part_size(f.item->source)) {
                const auto parts = detail::parse_int(f.expect.multipart_etag.substr(33)).value_or(0);
                if (parts > 0 && (f.size + *ps - 1) / *ps == static_cast<std::uint64_t>(parts)) {
                    f.expect.mp_sizes = {*ps};
                    f.expect.mp_exact = true;
                }
            }
        }
        f.part_size = f.size >= opt_.parallel_threshold ? std::max<std::uint64_t>(opt_.part_size, 1 << 20)
                                                        : std::max<std::uint64_t>(f.size, 1);
        // A multipart object whose part size is known: download along its parts, so every
        // part's MD5 is computed while it streams in, in parallel.
        f.per_part = false;
        if (f.expect.mp_sizes.size() == 1 && f.size > 0) {
            const std::uint64_t ps = f.expect.mp_sizes[0];
            if (ps >= f.size && lanes_ && f.size < opt_.parallel_threshold) {
                f.per_part = true;  // one part: its MD5 joins the multi-lane batches
                f.md5_part_size = f.part_size;
            } else if (f.size >= opt_.parallel_threshold && ps >= (1u << 20) && ps <= (256u << 20)) {
                f.per_part = true;
                f.md5_part_size = ps;
                // Requests of whole upload parts: one part each when hashing while streaming;
                // with the multi-lane MD5 (read back afterwards) several, up to 4x the
                // request size, while keeping a request per job in flight.
                std::uint64_t m = 1;
                if (lanes_) {
                    const std::uint64_t target = 4 * std::max<std::uint64_t>(opt_.part_size, 1 << 20);
                    const std::uint64_t uparts = (f.size + ps - 1) / ps;
                    m = std::max<std::uint64_t>(1, std::min<std::uint64_t>(
                                                       target / ps,
                                                       uparts / static_cast<std::uint64_t>(std::max(1, opt_.jobs))));
                }
                f.part_size = ps * m;
            }
        }
        f.nparts = static_cast<std::size_t>((f.size + f.part_size - 1) / f.part_size);
        if (f.per_part) f.md5_parts = static_cast<std::size_t>((f.size + f.md5_part_size - 1) / f.md5_part_size);
        f.done.assign(f.nparts, 0);
        f.have.assign(f.nparts, 0);
        std::error_code ec;
        fs::create_directories(f.final_path.parent_path(), ec);
        if (ec) {
            errno = ec.value();
            fail_errno("cannot create the directory", f.final_path.parent_path());
        }
        if (already_present(f)) {
            f.outcome.status = FileOutcome::Status::skipped;
            f.outcome.size = f.size;
            struct stat st {};
            if (::lstat(f.part_path.c_str(), &st) == 0) {  // stale data of an earlier run
                try {
                    lock_part_file(f);
                    ::unlink(f.part_path.c_str());
                    ::unlink(f.journal_path.c_str());
                    ::close(f.fd);
                    f.fd = -1;
                } catch (const StorageError&) {
                    // another process holds it: leave it alone
                }
            }
            bytes_done_ += f.size;
            ++files_done_;
            std::lock_guard lock(f.mu);
            f.closed = true;
            return;
        }
        lock_part_file(f);  // before reading the journal: no other process is writing it
        const bool resumed = recover(f);
        const bool partial = std::any_of(f.have.begin(), f.have.end(), [](std::uint64_t h) { return h > 0; });
        if (resumed && (f.done_count > 0 || partial)) {
            f.outcome.status = FileOutcome::Status::resumed;
            open_part_file(f, false);
            f.journal_fd = ::open(f.journal_path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
            if (f.journal_fd < 0) fail_errno("cannot reopen the journal", f.journal_path);
            for (std::size_t k = 0; k < f.nparts; ++k)
                bytes_done_ += f.done[k] ? f.part_end(k) - f.part_begin(k) : f.have[k];
        } else {
            f.outcome.status = FileOutcome::Status::downloaded;
            f.done.assign(f.nparts, 0);
            f.have.assign(f.nparts, 0);
            f.done_count = 0;
            open_part_file(f, true);
            start_journal(f);
        }
        f.hashes = std::make_unique<Hashes>(f.expect, f.per_part);
        f.part_md5.assign(f.md5_parts, std::string());
        if (f.per_part && lanes_) {
            std::lock_guard lock(f.mu);
            for (std::size_t k = 0; k < f.nparts; ++k)
                if (f.done[k])  // completed in an earlier run
                    for (auto [u, u_end] = f.md5_parts_of(k); u < u_end; ++u) queue_md5(f, u);
        }
        if (f.done_count == f.nparts) {
            advance(f);  // nothing to fetch (or an empty file): verify and finish
            return;
        }
        std::vector<Task> parts;
        for (std::size_t k = 0; k < f.nparts; ++k)
            if (!f.done[k]) parts.push_back({&f, static_cast<long>(k)});
        push_front(parts);
    }

    void fetch(FileJob& f, std::size_t k) {
        {
            std::lock_guard lock(f.mu);
            if (f.error) return;
        }
        const std::uint64_t begin = f.part_begin(k), end = f.part_end(k);
        std::uint64_t pos = begin + f.have[k];
        std::uint64_t logged = pos;
        // Hash while the bytes stream in when possible: this part's MD5 (multipart ETag), and
        // the file's ordered digests when this part is next in line (claimed from advance()).
        std::optional<detail::Digest> part_md5;
        if (f.per_part && pos == begin && !lanes_) part_md5.emplace("MD5");
        bool in_order = false;
        {
            std::lock_guard lock(f.mu);
            if (pos == begin && f.hashes && f.hashes->sequential() && f.next_hash == k && !f.hashing) {
                f.hashing = true;
                in_order = true;
            }
        }
        struct Unclaim {
            FileJob& f;
            bool& claimed;
            ~Unclaim() {
                if (!claimed) return;
                std::lock_guard lock(f.mu);
                f.hashing = false;
                f.hash_broken = true;  // the digests saw part of this part: no verdict this run
            }
        } unclaim{f, in_order};
        const ByteSink sink = [&](const char* p, std::size_t n) {
            if (pos + n > end) {
                const bool html = pos == begin + f.have[k] && n > 0 && p[0] == '<';
                throw NetworkError(kOrigin,
                                   fmt::format("{}: the server sent more data than the {} bytes asked for{}",
                                               fs_.uri(f.item->source), end - begin,
                                               html ? " (an HTML or XML page instead of the file?)" : ""),
                                   0, false);
            }
            if (part_md5) part_md5->update(p, n);
            if (in_order) f.hashes->update(p, n);
            while (n) {
                const ssize_t w = ::pwrite(f.fd, p, n, static_cast<off_t>(pos));
                if (w < 0) {
                    if (errno == EINTR) continue;
                    fail_errno("cannot write", f.part_path);
                }
                p += w;
                n -= static_cast<std::size_t>(w);
                pos += static_cast<std::uint64_t>(w);
                bytes_done_ += static_cast<std::uint64_t>(w);
                bytes_transferred_ += static_cast<std::uint64_t>(w);
            }
            if (pos - logged >= (1u << 20) && pos < end) {  // what a resume may keep of this part
                std::lock_guard lock(f.mu);
                append_journal(f, fmt::format("have {} {}\n", k, pos - begin));
                logged = pos;
            }
        };
        for (int attempt = 1;; ++attempt) {
            cancel_.throw_if_cancelled(fs_.uri(f.item->source));
            try {
                if (pos < end) fs_.read(f.item->source, ByteRange{pos, end - 1}, sink, cancel_);
                if (pos != end)
                    throw NetworkError(kOrigin,
                                       fmt::format("{}: the body ended after {} of {} bytes", fs_.uri(f.item->source),
                                                   pos - begin, end - begin),
                                       0, true);
                break;
            } catch (const NetworkError& e) {
                if (attempt >= opt_.max_attempts || !e.retryable()) throw;
            } catch (const Error& e) {
                if (e.code() != Errc::timeout || attempt >= opt_.max_attempts) throw;
            }
            // Resume the part where the data stopped, after a short pause.
            for (int slice = 0; slice < (1 << std::min(attempt, 6)); ++slice) {
                cancel_.throw_if_cancelled(fs_.uri(f.item->source));
                std::this_thread::sleep_for(std::chrono::milliseconds(100));
            }
        }
        {
            std::lock_guard lock(f.mu);
            if (in_order) {
                f.next_hash = k + 1;
                f.hashing = false;
                in_order = false;
            }
            if (f.error) return;
            if (part_md5) f.part_md5[k] = detail::bytes_from_hex(part_md5->hex_final());
            append_journal(f, fmt::format("done {}\n", k));
            f.done[k] = 1;
            ++f.done_count;
            if (f.per_part && lanes_)
                for (auto [u, u_end] = f.md5_parts_of(k); u < u_end; ++u) queue_md5(f, u);
        }
        advance(f);
    }

    // Hashes the completed parts in order; verifies and renames once all are hashed.
    void advance(FileJob& f) {
        std::vector<char> buf;
        for (;;) {
            std::size_t from, to;
            {
                std::lock_guard lock(f.mu);
                if (f.hashing || f.finishing || f.closed || f.error || f.hash_broken) return;
                to = f.next_hash;
                while (to < f.nparts && f.done[to]) ++to;
                if (to == f.next_hash) {
                    if (f.next_hash < f.nparts || f.md5_pending > 0) return;
                    f.finishing = true;
                    break;
                }
                from = f.next_hash;
                f.hashing = true;
            }
            if (f.hashes && f.hashes->sequential()) {
                if (buf.empty()) buf.resize(1 << 20);
                for (std::uint64_t pos = f.part_begin(from), end = f.part_end(to - 1); pos < end;) {
                    const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - pos));
                    const ssize_t got = ::pread(f.fd, buf.data(), want, static_cast<off_t>(pos));
                    if (got <= 0 || cancel_.cancelled()) {
                        if (got < 0 && errno == EINTR) continue;
                        std::lock_guard lock(f.mu);
                        f.hashing = false;
                        f.hash_broken = true;
                        cancel_.throw_if_cancelled(f.final_path.string());
                        if (got == 0) errno = EIO;  // the partial file is shorter than the journal says
                        fail_errno("cannot read back", f.part_path);
                    }
                    f.hashes->update(buf.data(), static_cast<std::size_t>(got));
                    pos += static_cast<std::uint64_t>(got);
                }
            }
            std::lock_guard lock(f.mu);
            f.next_hash = to;
            f.hashing = false;
        }
        finish(f);
    }

    void finish(FileJob& f) {
        std::string per_part_etag;
        if (f.per_part) {
            std::string concat;
            std::vector<char> buf;
            for (std::size_t k = 0; k < f.md5_parts; ++k) {
                if (f.part_md5[k].empty()) {  // completed in an earlier run: read it back
                    if (buf.empty()) buf.resize(1 << 20);
                    detail::Digest d("MD5");
                    for (std::uint64_t pos = f.md5_begin(k), end = f.md5_end(k); pos < end;) {
                        const auto want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), end - pos));
                        cancel_.throw_if_cancelled(f.final_path.string());
                        const ssize_t got = ::pread(f.fd, buf.data(), want, static_cast<off_t>(pos));
                        if (got == 0) errno = EIO;
                        if (got <= 0) fail_errno("cannot read back", f.part_path);
                        d.update(buf.data(), static_cast<std::size_t>(got));
                        pos += static_cast<std::uint64_t>(got);
                    }
                    f.part_md5[k] = detail::bytes_from_hex(d.hex_final());
                }
                concat += f.part_md5[k];
            }
            per_part_etag = fmt::format("{}-{}", detail::hex_digest("MD5", concat), f.md5_parts);
        }
        std::string verified_by;
        const std::string problem = f.hashes->compare(f.expect, verified_by, per_part_etag);
        if (!problem.empty()) {
            quarantine(f);
            if (f.round == 1) {
                // Fetch the whole file again.
                std::lock_guard lock(f.mu);
                f.round = 2;
                f.done.assign(f.nparts, 0);
                f.have.assign(f.nparts, 0);
                f.done_count = 0;
                f.next_hash = 0;
                f.finishing = false;
                f.hash_broken = false;
                f.hashes = std::make_unique<Hashes>(f.expect, f.per_part);
                f.part_md5.assign(f.md5_parts, std::string());
                bytes_done_ -= std::min<std::uint64_t>(bytes_done_, f.size);
                open_part_file(f, true);
                start_journal(f);
                f.outcome.status = FileOutcome::Status::downloaded;
            } else {
                throw Error(Errc::remote, kOrigin,
                            fmt::format("{}: checksum mismatch after downloading twice: {} (copies kept in {})",
                                        fs_.uri(f.item->source), problem, (dest_ / kQuarantineDir).string()));
            }
            std::vector<Task> parts;
            for (std::size_t k = 0; k < f.nparts; ++k) parts.push_back({&f, static_cast<long>(k)});
            if (parts.empty())
                throw Error(Errc::remote, kOrigin, fmt::format("{}: checksum mismatch: {}", fs_.uri(f.item->source), problem));
            push_front(parts);
            return;
        }
        if (opt_.durable && ::fdatasync(f.fd) != 0) fail_errno("cannot sync", f.part_path);
        if (::ftruncate(f.fd, static_cast<off_t>(f.size)) != 0) fail_errno("cannot truncate", f.part_path);
        ::close(f.fd);
        f.fd = -1;
        if (::rename(f.part_path.c_str(), f.final_path.c_str()) != 0) fail_errno("cannot rename into place", f.final_path);
        if (opt_.durable) {
            const int dfd = ::open(f.final_path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
            if (dfd >= 0) {
                ::fsync(dfd);
                ::close(dfd);
            }
        }
        ::close(f.journal_fd);
        f.journal_fd = -1;
        ::unlink(f.journal_path.c_str());
        if (!verified_by.empty()) {
            struct stat st {};
            if (::stat(f.final_path.c_str(), &st) == 0) {
                const std::string mark = f.expect.fingerprint(f.size) + " " + std::to_string(st.st_mtim.tv_sec) +
                                         "." + std::to_string(st.st_mtim.tv_nsec);
                ::setxattr(f.final_path.c_str(), kXattr, mark.data(), mark.size(), 0);  // best effort
            }
        }
        std::lock_guard lock(f.mu);
        f.outcome.verified_by = verified_by;
        f.outcome.size = f.size;
        f.closed = true;
        ++files_done_;
    }

    void quarantine(FileJob& f) {
        const fs::path q = dest_ / kQuarantineDir / (f.rel + "." + std::to_string(::time(nullptr)) + "." +
                                                    std::to_string(f.round));
        std::error_code ec;
        fs::create_directories(q.parent_path(), ec);
        ::close(f.fd);
        f.fd = -1;
        if (ec || ::rename(f.part_path.c_str(), q.c_str()) != 0) ::unlink(f.part_path.c_str());
        ::unlink(f.journal_path.c_str());
        ++f.outcome.quarantined;
    }

    void report_progress(std::chrono::steady_clock::time_point t0,
                         std::deque<std::pair<double, std::uint64_t>>& samples, std::uint64_t total) {
        if (!opt_.progress) return;
        TransferProgress p;
        p.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        p.bytes_done = std::min(bytes_done_.load(), total);
        p.bytes_total = total;
        p.bytes_transferred = bytes_transferred_.load();
        p.files_done = files_done_.load();
        p.files_total = files_.size();
        samples.emplace_back(p.elapsed_seconds, p.bytes_transferred);
        while (samples.size() > 2 && samples.front().first < p.elapsed_seconds - 5.0) samples.pop_front();
        const double dt = samples.back().first - samples.front().first;
        if (dt > 0.05) p.rate = static_cast<double>(samples.back().second - samples.front().second) / dt;
        if (p.rate > 0) p.eta_seconds = static_cast<double>(total - p.bytes_done) / p.rate;
        if (p.bytes_done >= total && p.files_done == p.files_total) p.eta_seconds = 0;
        opt_.progress(p);
    }
};

DownloadReport Engine::run(const std::vector<DownloadItem>& items) {
    const auto t0 = std::chrono::steady_clock::now();
    std::set<std::string> seen;
    for (const auto& item : items) {
        auto f = std::make_unique<FileJob>();
        f->item = &item;
        f->rel = safe_relative(item.dest);
        if (!seen.insert(f->rel).second)
            throw InvalidArgument(kOrigin, fmt::format("two files would be written to '{}'", f->rel));
        if (f->rel == kQuarantineDir || f->rel.rfind(std::string(kQuarantineDir) + "/", 0) == 0)
            throw InvalidArgument(kOrigin, fmt::format("'{}': reserved destination", f->rel));
        f->final_path = dest_ / f->rel;
        f->part_path = f->final_path.string() + kPartSuffix;
        f->journal_path = f->final_path.string() + kJournalSuffix;
        if (item.size) {
            f->size = *item.size;
            f->etag = item.etag;
        }
        files_.push_back(std::move(f));
    }
    std::error_code ec;
    fs::create_directories(dest_, ec);
    if (ec) {
        errno = ec.value();
        fail_errno("cannot create the destination", dest_);
    }
    for (auto& f : files_) bytes_total_ += f->size;
    for (auto& f : files_) push({f.get(), -1});

    const int jobs = std::clamp(opt_.jobs, 1, 64);
    std::vector<std::thread> threads;
    for (int k = 0; k < jobs; ++k) threads.emplace_back([this] { worker(); });
    std::deque<std::pair<double, std::uint64_t>> samples;
    std::exception_ptr callback_error;
    auto last_report = t0;
    {
        std::unique_lock lock(qmu_);
        while (outstanding_ > 0 && !stop_) {
            done_cv_.wait_for(lock, std::min<std::chrono::milliseconds>(opt_.progress_interval,
                                                                        std::chrono::milliseconds(100)));
            if (opt_.cancel.cancelled()) cancel_.cancel();
            if (outstanding_ == 0 || stop_) break;
            const auto now = std::chrono::steady_clock::now();
            if (now - last_report < opt_.progress_interval) continue;
            last_report = now;
            lock.unlock();
            try {
                report_progress(t0, samples, bytes_total_.load());
            } catch (...) {
                callback_error = std::current_exception();
                cancel_.cancel();
            }
            lock.lock();
        }
        stop_ = true;
    }
    qcv_.notify_all();
    for (auto& t : threads) t.join();

    DownloadReport report;
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    report.bytes_transferred = bytes_transferred_.load();
    std::exception_ptr first;
    std::size_t failures = 0;
    for (auto& f : files_) {
        report.bytes_total += f->size;
        f->outcome.dest = f->final_path.string();
        if (f->error) {
            ++failures;
            if (!first) first = f->error;
        } else if (!f->closed) {
            f->outcome.status = FileOutcome::Status::failed;
            f->outcome.error = "not finished";
            ++failures;
            if (!first)
                first = std::make_exception_ptr(Error(Errc::internal, kOrigin,
                                                      fmt::format("{}: the download did not finish", f->rel)));
        }
        switch (f->outcome.status) {
            case FileOutcome::Status::downloaded: ++report.downloaded; break;
            case FileOutcome::Status::resumed: ++report.resumed; break;
            case FileOutcome::Status::skipped: ++report.skipped; break;
            case FileOutcome::Status::failed: ++report.failed; break;
        }
        if (!f->outcome.verified_by.empty()) ++report.verified;
        report.files.push_back(f->outcome);
    }
    if (callback_error) std::rethrow_exception(callback_error);
    if (fatal_) std::rethrow_exception(fatal_);
    if (!first) report_progress(t0, samples, report.bytes_total);  // a Ctrl-C seen here still counts
    if (first) {
        if (failures == 1) std::rethrow_exception(first);
        try {
            std::rethrow_exception(first);
        } catch (const Error& e) {
            throw Error(e.code(), std::string(e.origin()),
                        fmt::format("{} of {} files failed (partial data kept for resuming); first: {}", failures,
                                    files_.size(), e.what()));
        }
    }
    return report;
}

}  // namespace

DownloadReport download(const FileSystem& fsys, const std::vector<DownloadItem>& items, const std::string& dest_dir,
                        const DownloadOptions& options) {
    if (dest_dir.empty()) throw InvalidArgument(kOrigin, "empty destination directory");
    Engine engine(fsys, options, fs::absolute(fs::path(dest_dir)).lexically_normal());
    return engine.run(items);
}

bool match_file_patterns(const std::vector<std::string>& patterns, std::string_view relative_path) {
    if (patterns.empty()) return true;
    const std::string path(relative_path);
    const auto slash = path.rfind('/');
    const std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
    for (const auto& p : patterns) {
        const bool whole = p.find('/') != std::string::npos;
        if (::fnmatch(p.c_str(), whole ? path.c_str() : name.c_str(), 0) == 0) return true;
    }
    return false;
}

std::vector<DownloadItem> plan_download(const FileSystem& fsys, const std::string& prefix,
                                        const std::vector<std::string>& patterns) {
    for (const auto& p : patterns) {
        if (p.empty()) throw InvalidArgument(kOrigin, "empty file pattern");
        if (p.front() == '/')
            throw InvalidArgument(kOrigin, fmt::format("file pattern '{}' is absolute; patterns are relative", p));
        for (const auto& part : detail::split(p, '/'))
            if (part == "..") throw InvalidArgument(kOrigin, fmt::format("file pattern '{}' contains '..'", p));
    }
    std::string base = prefix;
    while (base.size() > 1 && base.back() == '/') base.pop_back();
    // The destination keeps the prefix's last component: its parent is cut off.
    const auto cut = base.rfind('/');
    const std::string parent = cut == std::string::npos ? std::string() : base.substr(0, cut + 1);
    std::vector<DownloadItem> items;
    const auto listing = fsys.list(prefix);
    for (const auto& o : listing) {
        if (o.key.size() > 0 && o.key.back() == '/') continue;  // "directory" placeholder objects
        const std::string& full = o.key;
        // The object itself, or whole path components below the prefix ("a/B" does not take
        // "a/Bx").
        if (full != base && full.compare(0, base.size() + 1, base + "/") != 0) continue;
        if (full.compare(0, parent.size(), parent) != 0) continue;
        const std::string rel = full.substr(parent.size());
        const auto inner = rel.find('/');
        const std::string below = inner == std::string::npos ? rel : rel.substr(inner + 1);
        if (!match_file_patterns(patterns, below)) continue;
        DownloadItem item;
        item.source = full;
        item.dest = rel;
        item.size = o.size;
        item.etag = o.etag;
        items.push_back(std::move(item));
    }
    if (items.empty()) {
        if (listing.empty()) throw NotFoundError(kOrigin, fmt::format("nothing under {}", fsys.uri(prefix)));
        throw NotFoundError(kOrigin, fmt::format("no file under {} matches {}", fsys.uri(prefix),
                                                 fmt::join(patterns, ", ")));
    }
    for (const auto& i : items) safe_relative(i.dest);  // keys with ".." components are refused
    return items;
}

}  // namespace creodias
