#pragma once
/// @file
/// Transfers between a FileSystem (S3, HTTP, the /eodata mount) and local directories:
/// parallel, resumable, verified downloads and multipart uploads.
///
/// Downloads keep, next to each destination file, `NAME.creodias-part` (the data received so
/// far, written in place) and `NAME.creodias-journal` (which parts are complete). An
/// interrupted download — an exception, a cancellation, a kill -9 — continues from the
/// journal with Range requests. A file appears under its final name only once complete and
/// verified (atomic rename).

#include <creodias/export.hpp>
#include <creodias/product.hpp>
#include <creodias/vfs.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace creodias {

class S3Client;

/// Progress of a transfer, reported from the calling thread.
struct TransferProgress {
    std::uint64_t bytes_done = 0;   ///< bytes of the selected files that are in place (resumed included)
    std::uint64_t bytes_total = 0;
    std::uint64_t bytes_transferred = 0;  ///< bytes moved over the network in this run
    std::size_t files_done = 0;     ///< finished (downloaded, resumed or skipped)
    std::size_t files_total = 0;
    double rate = 0;                ///< bytes per second, recent average
    double eta_seconds = -1;        ///< negative: unknown
    double elapsed_seconds = 0;
};
using ProgressCallback = std::function<void(const TransferProgress&)>;

/// One file to download.
struct DownloadItem {
    std::string source;                ///< path in the FileSystem
    std::string dest;                  ///< relative path under the destination directory
    std::optional<std::uint64_t> size; ///< from a listing; fetched (stat) when absent
    std::string etag;                  ///< from a listing; fetched when absent and size is absent
    std::vector<Checksum> checksums;   ///< expected digests (manifest, catalogue metadata)
};

struct DownloadOptions {
    /// Requests in flight at most (files and parts of files together).  DEFAULT: 8
    int jobs = 8;
    /// Files at least this large are fetched as parallel ranged GETs of `part_size`.
    std::uint64_t part_size = 8ull << 20;
    std::uint64_t parallel_threshold = 16ull << 20;
    /// Check every file against the S3 ETag (MD5, or the multipart MD5-of-MD5s) and the
    /// given checksums (MD5, SHA1, SHA256, SHA512, SHA3-256, BLAKE3).  DEFAULT: true
    bool verify = true;
    /// fdatasync each file before its rename (survives a power loss, costs throughput).
    bool durable = false;
    /// Attempts per part, the first included, for failures after data started to flow
    /// (the client retries failed requests by itself before that).
    int max_attempts = 5;
    ProgressCallback progress;
    std::chrono::milliseconds progress_interval{250};
    CancelToken cancel;
};

/// What happened to one file.
struct FileOutcome {
    enum class Status { downloaded, resumed, skipped, failed };
    std::string dest;  ///< absolute destination path
    std::uint64_t size = 0;
    Status status = Status::failed;
    /// How the content was checked: "etag-md5", "etag-multipart", "MD5", "SHA256"...
    /// (comma-separated); empty: not verified (no usable checksum, or verify off).
    std::string verified_by;
    std::size_t quarantined = 0;  ///< mismatching copies moved to .creodias-quarantine/
    std::string error;            ///< for failed files
};

struct DownloadReport {
    std::vector<FileOutcome> files;
    std::uint64_t bytes_total = 0;
    std::uint64_t bytes_transferred = 0;
    double seconds = 0;
    std::size_t downloaded = 0, resumed = 0, skipped = 0, failed = 0, verified = 0;
};

/// Downloads `items` from `fs` into `dest_dir` (created when missing).
///
/// Files already present and verified are skipped; present files that fail verification are
/// replaced. A checksum mismatch moves the received copy to DEST/.creodias-quarantine/ and
/// fetches the file again; a second mismatch fails the file, naming both checksums.
/// Failures of single files do not stop the others: after every file was tried, the first
/// failure is rethrown (with a count when several failed) and the partial data stays for
/// the next run. A full disk or a cancellation stops the whole transfer.
/// @throws InvalidArgument for destination paths that are absolute or contain "..".
CREODIAS_EXPORT DownloadReport download(const FileSystem& fs, const std::vector<DownloadItem>& items,
                                        const std::string& dest_dir, const DownloadOptions& options = {});

/// The items for every file under `prefix` in `fs` (a directory, an S3 prefix, or one file),
/// keeping the tree below the prefix's last component: "bucket/a/B.SAFE" gives
/// "B.SAFE/manifest.safe", "B.SAFE/GRANULE/...". `patterns` (globs) select files: a pattern
/// without '/' matches file names, one with '/' the path below the prefix ('*' crossing '/').
/// @throws NotFoundError when nothing is under the prefix or nothing matches; InvalidArgument
///         for patterns with "..".
CREODIAS_EXPORT std::vector<DownloadItem> plan_download(const FileSystem& fs, const std::string& prefix,
                                                        const std::vector<std::string>& patterns = {});

/// Whether `relative_path` matches one of `patterns` (the plan_download rules; none: all).
CREODIAS_EXPORT bool match_file_patterns(const std::vector<std::string>& patterns, std::string_view relative_path);

struct UploadOptions {
    /// Objects at least this large go up as multipart uploads of `part_size` parts.
    std::uint64_t part_size = 8ull << 20;
    std::uint64_t multipart_threshold = 16ull << 20;
    int jobs = 4;  ///< parts in flight
    ProgressCallback progress;
    std::chrono::milliseconds progress_interval{250};
    CancelToken cancel;
};

/// Uploads a local file to bucket/key and returns the object's ETag. Multipart uploads that
/// fail or are cancelled are aborted (no orphaned parts stay on the server); one cut short
/// by a crash or kill -9 is recorded under $XDG_STATE_HOME/creodias/uploads/ (default
/// ~/.local/state/...) and aborted by the next upload to the same endpoint, bucket and key.
CREODIAS_EXPORT std::string upload_file(const S3Client& s3, const std::string& local_path, const std::string& bucket,
                                        const std::string& key, const UploadOptions& options = {});

}  // namespace creodias
