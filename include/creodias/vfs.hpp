#pragma once
/// @file
/// A virtual file system over the places products live: the /eodata mount (local files
/// under a root), S3-compatible object stores, HTTP(S) servers, and memory (for tests).
///
/// Backends are plain objects implementing FileSystem; a Vfs maps URI schemes to backends
/// and is filled explicitly by the program (or by Vfs::standard) — nothing registers itself
/// at start-up.
///
/// Paths inside a backend are '/'-separated and relative: "bucket/key" for S3, a path
/// under the root for local files, a path under the base URL for HTTP.

#include <creodias/export.hpp>
#include <creodias/time.hpp>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creodias {

/// Inclusive byte range [first, last]; no `last`: to the end of the object.
struct ByteRange {
    std::uint64_t first = 0;
    std::optional<std::uint64_t> last;
};

/// A file's (object's) metadata.
struct ObjectInfo {
    std::string key;  ///< path within its backend ("bucket/key" paths list as the key alone)
    std::uint64_t size = 0;
    /// S3: the ETag without quotes — "<md5 hex>", or "<hex>-<parts>" for multipart uploads.
    /// HTTP: the ETag header when the server sends one. Local and memory files: empty.
    std::string etag;
    std::optional<Timestamp> last_modified;
};

/// Receives bytes in order. May throw to abort the transfer.
using ByteSink = std::function<void(const char* data, std::size_t size)>;

/// Cooperative cancellation shared between the caller and running operations. Copies share
/// one flag. Operations given a token check it between requests, while waiting (backoff,
/// connection slots) and during transfers, and then throw Error(Errc::cancelled).
class CREODIAS_EXPORT CancelToken {
public:
    CancelToken();
    void cancel() const noexcept;
    bool cancelled() const noexcept;
    /// @throws Error(Errc::cancelled) naming `what` when cancelled.
    void throw_if_cancelled(std::string_view what) const;

private:
    std::shared_ptr<std::atomic<bool>> flag_;
};

/// One storage backend. Implementations are thread safe: one instance serves concurrent
/// reads. Errors: NotFoundError (no such file), InvalidArgument (a path that is malformed
/// or leaves the backend's root), AuthError, NetworkError, StorageError(Errc::io),
/// Unsupported (an operation the backend cannot do, e.g. listing over plain HTTP).
class CREODIAS_EXPORT FileSystem {
public:
    virtual ~FileSystem();

    /// The URI scheme served: "file", "s3", "http", "https", "mem".
    virtual std::string scheme() const = 0;
    /// "scheme://path" (local files: the absolute path).
    virtual std::string uri(std::string_view path) const;

    virtual ObjectInfo stat(std::string_view path) const = 0;
    /// Every file under `prefix`, recursively, sorted by key. A prefix naming a directory
    /// lists its content; an S3 prefix is a plain key prefix. Keys are full backend paths
    /// ("bucket/key" for S3; local files: absolute when the prefix is absolute, else
    /// relative to the root).
    virtual std::vector<ObjectInfo> list(std::string_view prefix) const = 0;
    /// Streams the file (or a range of it) to `sink`.
    virtual void read(std::string_view path, const std::optional<ByteRange>& range, const ByteSink& sink,
                      const CancelToken& cancel) const = 0;
    /// Replaces (or creates) the file with `data`, atomically: readers see the old or the new
    /// content, never a mix.
    virtual void write(std::string_view path, std::string_view data) = 0;
    virtual void remove(std::string_view path) = 0;
    /// A name GDAL opens without copying the file: a local path, or /vsis3/... and
    /// /vsicurl/... paths whose endpoint and credentials are set for that prefix only
    /// (VSISetPathSpecificOption), never as global configuration.
    /// @throws Unsupported for backends GDAL cannot reach (memory).
    virtual std::string gdal_path(std::string_view path) const;
    /// For an object stored as a multipart upload: the size of its first part (S3:
    /// HEAD ?partNumber=1), which lets a download rebuild its ETag. nullopt when unknown or
    /// not applicable.
    virtual std::optional<std::uint64_t> multipart_part_size(std::string_view path) const;

    /// The file (or range) in memory.
    std::string read(std::string_view path, const std::optional<ByteRange>& range = std::nullopt) const;
};

/// Local files under `root` ("/" for the whole file system; "/eodata" for the mount).
/// Paths are relative to the root; an absolute path is accepted when it lies under the root.
/// "..", and symbolic links that resolve outside the root, are refused (InvalidArgument).
/// Writes go to a temporary file renamed into place.
CREODIAS_EXPORT std::shared_ptr<FileSystem> make_local_filesystem(std::string root = "/");

/// Files kept in memory (tests, small pipelines). Keys are plain strings; "/" separates
/// directories for listing.
CREODIAS_EXPORT std::shared_ptr<FileSystem> make_memory_filesystem();

struct S3Options;
/// An S3 store; paths are "bucket/key".
CREODIAS_EXPORT std::shared_ptr<FileSystem> make_s3_filesystem(const S3Options& options);

/// HTTP(S) access options.
struct HttpOptions {
    std::string bearer_token;  ///< sent as "Authorization: Bearer ..."; never logged
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds stall_timeout{30000};
    int max_attempts = 6;
    int max_connections = 0;  ///< concurrent requests at most; 0: no cap
    std::string ca_file;      ///< PEM bundle to verify servers with (private CAs); empty: the system's
};
/// Files under an http:// or https:// base URL; paths are appended to it (an empty base:
/// paths are whole URLs). Listing is
/// unsupported (HTTP has no listing); stat uses HEAD, reads use Range requests.
CREODIAS_EXPORT std::shared_ptr<FileSystem> make_http_filesystem(std::string base_url, HttpOptions options = {});

/// Maps URI schemes to backends.
class CREODIAS_EXPORT Vfs {
public:
    /// Registers (or replaces) the backend for `fs->scheme()`.
    void add(std::shared_ptr<FileSystem> fs);
    void add(std::string scheme, std::shared_ptr<FileSystem> fs);
    /// @throws NotFoundError when no backend serves `scheme`.
    std::shared_ptr<FileSystem> get(std::string_view scheme) const;

    /// Splits a URI into its backend and the path within it. "s3://bucket/key",
    /// "https://host/x", "mem://a/b", "file:///p"; a URI without scheme is a local path.
    /// @throws InvalidArgument for a malformed URI, NotFoundError for an unknown scheme.
    std::pair<std::shared_ptr<FileSystem>, std::string> resolve(std::string_view uri) const;

    /// file (root "/"), s3 (resolve_s3_options() with `s3`), http and https.
    static Vfs standard(const S3Options& s3, const HttpOptions& http = {});

private:
    std::map<std::string, std::shared_ptr<FileSystem>, std::less<>> backends_;
};

}  // namespace creodias
