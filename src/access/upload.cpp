// Uploads: one PUT for small files; above the threshold a multipart upload with `jobs`
// parts in flight (memory: jobs × part size), aborted on any failure or cancellation so no
// orphaned parts stay on the server.

#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/transfer.hpp>

#include "access/digest.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <thread>

namespace creodias {

namespace {

constexpr const char* kOrigin = "upload";

struct Fd {
    int fd;
    ~Fd() {
        if (fd >= 0) ::close(fd);
    }
};

std::string read_at(int fd, const std::string& path, std::uint64_t offset, std::size_t n) {
    std::string buf(n, '\0');
    std::size_t done = 0;
    while (done < n) {
        const ssize_t got = ::pread(fd, buf.data() + done, n - done, static_cast<off_t>(offset + done));
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) throw StorageError(Errc::io, kOrigin, fmt::format("{}: read failed: {}", path, std::strerror(errno)));
        if (got == 0)
            throw StorageError(Errc::io, kOrigin, fmt::format("{}: the file shrank while it was uploaded", path));
        done += static_cast<std::size_t>(got);
    }
    return buf;
}

// A multipart upload cut short by kill -9 cannot abort itself. Its id is recorded in
// $XDG_STATE_HOME/creodias/uploads/ (default ~/.local/state/creodias/uploads/), and the next
// upload to the same endpoint, bucket and key aborts it first: no parts stay orphaned.
std::filesystem::path upload_record(const S3Client& s3, const std::string& bucket, const std::string& key) {
    std::filesystem::path base;
    if (const char* x = std::getenv("XDG_STATE_HOME"); x && *x) {
        base = x;
    } else if (const char* h = std::getenv("HOME"); h && *h) {
        base = std::filesystem::path(h) / ".local" / "state";
    } else {
        return {};
    }
    const std::string id = detail::hex_digest("SHA256", s3.options().endpoint + "\n" + bucket + "\n" + key);
    return base / "creodias" / "uploads" / id.substr(0, 32);
}

void abort_recorded(const S3Client& s3, const std::filesystem::path& record, const std::string& bucket,
                    const std::string& key) {
    if (record.empty()) return;
    std::ifstream in(record);
    std::string upload_id;
    if (!(in && std::getline(in, upload_id)) || upload_id.empty()) return;
    try {
        s3.abort_multipart_upload(bucket, key, upload_id);
    } catch (const Error&) {
        // already completed or aborted, or not ours to abort any more
    }
    std::error_code ec;
    std::filesystem::remove(record, ec);
}

void write_record(const std::filesystem::path& record, const std::string& upload_id) {
    if (record.empty()) return;
    std::error_code ec;
    std::filesystem::create_directories(record.parent_path(), ec);
    const auto tmp = record.string() + ".tmp";
    {
        std::ofstream out(tmp, std::ios::trunc);
        out << upload_id << "\n";
        if (!out) return;  // best effort: the upload itself does not depend on it
    }
    std::filesystem::rename(tmp, record, ec);
}

}  // namespace

std::string upload_file(const S3Client& s3, const std::string& local_path, const std::string& bucket,
                        const std::string& key, const UploadOptions& opt) {
    if (key.empty() || key.back() == '/') throw InvalidArgument(kOrigin, fmt::format("'{}' is not an object key", key));
    Fd in{::open(local_path.c_str(), O_RDONLY | O_CLOEXEC)};
    if (in.fd < 0) {
        const int err = errno;
        const std::string msg = fmt::format("{}: cannot open: {}", local_path, std::strerror(err));
        if (err == ENOENT) throw NotFoundError(kOrigin, msg);
        throw StorageError(Errc::io, kOrigin, msg);
    }
    struct stat st {};
    ::fstat(in.fd, &st);
    if (!S_ISREG(st.st_mode)) throw InvalidArgument(kOrigin, fmt::format("{}: not a regular file", local_path));
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const auto t0 = std::chrono::steady_clock::now();
    std::atomic<std::uint64_t> sent{0};
    auto progress = [&] {
        if (!opt.progress) return;
        TransferProgress p;
        p.elapsed_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        p.bytes_done = p.bytes_transferred = sent.load();
        p.bytes_total = size;
        p.files_total = 1;
        p.files_done = p.bytes_done == size ? 1 : 0;
        if (p.elapsed_seconds > 0) p.rate = static_cast<double>(p.bytes_done) / p.elapsed_seconds;
        if (p.rate > 0) p.eta_seconds = static_cast<double>(size - p.bytes_done) / p.rate;
        opt.progress(p);
    };
    if (size < std::max<std::uint64_t>(opt.multipart_threshold, 1)) {
        opt.cancel.throw_if_cancelled(local_path);
        const std::string etag = s3.put(bucket, key, read_at(in.fd, local_path, 0, static_cast<std::size_t>(size)));
        sent = size;
        progress();
        return etag;
    }
    const std::uint64_t part_size = std::max<std::uint64_t>(
        {opt.part_size, 5ull << 20, (size + 9999) / 10000});  // S3: ≥ 5 MiB, ≤ 10,000 parts
    const auto nparts = static_cast<int>((size + part_size - 1) / part_size);
    const std::filesystem::path record = upload_record(s3, bucket, key);
    abort_recorded(s3, record, bucket, key);  // a previous attempt killed mid-way
    const std::string upload_id = s3.create_multipart_upload(bucket, key);
    write_record(record, upload_id);
    std::vector<std::string> etags(static_cast<std::size_t>(nparts));
    CancelToken stop;  // ours: cancelled by the caller's token or by a failed part
    std::mutex mu;
    std::condition_variable cv;
    int next = 0, running = 0;
    std::exception_ptr error;
    auto work = [&] {
        for (;;) {
            int k;
            {
                std::lock_guard lock(mu);
                if (error || next >= nparts) return;
                k = next++;
                ++running;
            }
            try {
                stop.throw_if_cancelled(local_path);
                const std::uint64_t off = static_cast<std::uint64_t>(k) * part_size;
                const std::string data =
                    read_at(in.fd, local_path, off, static_cast<std::size_t>(std::min(part_size, size - off)));
                etags[static_cast<std::size_t>(k)] = s3.upload_part(bucket, key, upload_id, k + 1, data, stop);
                sent += data.size();
            } catch (...) {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
                stop.cancel();  // stops the other parts early
            }
            {
                std::lock_guard lock(mu);
                --running;
            }
            cv.notify_all();
        }
    };
    const int jobs = std::clamp(opt.jobs, 1, 32);
    std::vector<std::thread> threads;
    for (int k = 0; k < std::min(jobs, nparts); ++k) threads.emplace_back(work);
    {
        std::unique_lock lock(mu);
        while (!(running == 0 && (next >= nparts || error))) {
            cv.wait_for(lock, std::min<std::chrono::milliseconds>(opt.progress_interval, std::chrono::milliseconds(100)));
            if (opt.cancel.cancelled()) stop.cancel();
            lock.unlock();
            try {
                progress();
            } catch (...) {
                lock.lock();
                if (!error) error = std::current_exception();
                stop.cancel();
                continue;
            }
            lock.lock();
        }
    }
    for (auto& t : threads) t.join();
    auto abort_upload = [&] {
        try {
            s3.abort_multipart_upload(bucket, key, upload_id);
            std::error_code ec;
            std::filesystem::remove(record, ec);
        } catch (const Error&) {
            // the original failure matters more; the record lets the next upload abort it
        }
    };
    if (!error)
        for (const auto& e : etags)
            if (e.empty()) {
                error = std::make_exception_ptr(
                    NetworkError(kOrigin, fmt::format("s3://{}/{}: a part was accepted without an ETag", bucket, key)));
                break;
            }
    if (error) {
        abort_upload();
        std::rethrow_exception(error);
    }
    std::string etag;
    try {
        etag = s3.complete_multipart_upload(bucket, key, upload_id, etags);
    } catch (...) {
        abort_upload();
        throw;
    }
    {
        std::error_code ec;
        std::filesystem::remove(record, ec);
    }
    progress();
    return etag;
}

}  // namespace creodias
