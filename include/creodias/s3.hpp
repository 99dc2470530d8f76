#pragma once
/// @file
/// A client for S3-compatible object stores (the CREODIAS and CDSE `eodata` stores, Ceph
/// RGW, AWS): SigV4-signed requests through libcurl, connection reuse, retries with
/// exponential backoff and jitter on throttling and transient failures.

#include <creodias/export.hpp>
#include <creodias/time.hpp>
#include <creodias/vfs.hpp>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// S3 credentials. The secret (and the session token) never appear in messages, logs or
/// exceptions; errors name the key id.
struct S3Credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;  ///< temporary credentials (x-amz-security-token), optional
    bool anonymous() const noexcept { return access_key_id.empty(); }
};

/// Where an S3 service is and how to reach it.
struct S3Options {
    /// scheme://host[:port]. DEFAULT: the CREODIAS eodata store.
    std::string endpoint = "https://eodata.cloudferro.com";
    /// Signing region; the CREODIAS and CDSE stores accept "default".  DEFAULT: "default"
    std::string region = "default";
    /// true: scheme://host/bucket/key; false (virtual-hosted): scheme://bucket.host/key.
    bool path_style = true;
    S3Credentials credentials;
    std::chrono::milliseconds connect_timeout{10000};
    /// A transfer slower than 1 KiB/s for this long is abandoned (and retried).
    std::chrono::milliseconds stall_timeout{30000};
    /// Attempts per request, the first included.  DEFAULT: 6
    int max_attempts = 6;
    /// Backoff before retry n (n = 1, 2...): a random delay in [d/2, d] with
    /// d = min(retry_cap, retry_base * 2^(n-1)); a server's Retry-After raises it (up to
    /// retry_cap).
    std::chrono::milliseconds retry_base{200};
    std::chrono::milliseconds retry_cap{20000};
    /// Requests in flight at most, over all threads using the client (CDSE allows 4
    /// connections per user). 0: no cap.  DEFAULT: 0
    int max_connections = 0;
    /// PEM bundle to verify the server with (a private CA); empty: the system's.
    /// resolve_s3_options takes AWS_CA_BUNDLE or the profile's ca_bundle.
    std::string ca_file;
};

/// One page of a ListObjectsV2 listing.
struct ListPage {
    std::vector<ObjectInfo> objects;
    std::vector<std::string> common_prefixes;  ///< with a delimiter: the "directories"
    std::string next_token;                    ///< empty on the last page
};

/// A multipart upload in progress (ListMultipartUploads).
struct MultipartUpload {
    std::string key;
    std::string upload_id;
};

/// S3 operations. Thread safety: one client may be used from several threads at once; it
/// keeps a pool of connections.
///
/// Errors: AuthError (Errc::unauthenticated for a rejected key or signature,
/// Errc::permission_denied for a refused operation), NotFoundError (no such bucket or key),
/// NetworkError (transport failures and unexpected statuses, after the retries), each
/// message naming the endpoint, the bucket/key and the key id, never the secret.
class CREODIAS_EXPORT S3Client {
public:
    explicit S3Client(S3Options options);
    ~S3Client();
    S3Client(S3Client&&) noexcept;
    S3Client& operator=(S3Client&&) noexcept;
    S3Client(const S3Client&) = delete;
    S3Client& operator=(const S3Client&) = delete;

    const S3Options& options() const noexcept;

    ObjectInfo head(const std::string& bucket, const std::string& key) const;
    /// The size of part 1 of an object uploaded in parts (HEAD ?partNumber=1); nullopt for
    /// single-part objects or servers that do not say.
    std::optional<std::uint64_t> first_part_size(const std::string& bucket, const std::string& key) const;
    /// The object (or a range of it) in memory.
    std::string get(const std::string& bucket, const std::string& key,
                    const std::optional<ByteRange>& range = std::nullopt) const;
    /// Streams the object (or a range) to `sink`. A failure after bytes have been delivered is
    /// not retried here (the caller resumes with a range).
    void get(const std::string& bucket, const std::string& key, const std::optional<ByteRange>& range,
             const ByteSink& sink, const CancelToken& cancel = CancelToken()) const;
    /// One page of ListObjectsV2 (at most max_keys entries, at most 1000).
    ListPage list(const std::string& bucket, const std::string& prefix, const std::string& delimiter = "",
                  const std::string& continuation_token = "", int max_keys = 1000) const;
    /// Every object under `prefix`, following the pages.
    std::vector<ObjectInfo> list_all(const std::string& bucket, const std::string& prefix) const;
    /// Uploads `data` in one request; returns the ETag. The server checks the body against
    /// its MD5 (Content-MD5).
    std::string put(const std::string& bucket, const std::string& key, std::string_view data) const;
    void remove(const std::string& bucket, const std::string& key) const;

    /// Multipart upload (parts of 5 MiB at least, the last excepted; at most 10,000 parts).
    /// Returns the upload id.
    std::string create_multipart_upload(const std::string& bucket, const std::string& key) const;
    /// Uploads part `part_number` (1-based); returns its ETag. Content-MD5 is checked.
    std::string upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                            int part_number, std::string_view data,
                            const CancelToken& cancel = CancelToken()) const;
    /// Assembles the parts (their ETags in part order); returns the object's ETag.
    std::string complete_multipart_upload(const std::string& bucket, const std::string& key,
                                          const std::string& upload_id,
                                          const std::vector<std::string>& part_etags) const;
    /// Discards the upload and its parts.
    void abort_multipart_upload(const std::string& bucket, const std::string& key,
                                const std::string& upload_id) const;
    /// Uploads in progress under `prefix`.
    std::vector<MultipartUpload> list_multipart_uploads(const std::string& bucket,
                                                        const std::string& prefix = "") const;
    void create_bucket(const std::string& bucket) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// S3 settings given explicitly (command-line options, a program's own configuration);
/// what is left unset comes from the environment and the AWS shared files.
struct S3Settings {
    std::optional<std::string> endpoint;  ///< URL, or "creodias" / "cdse" for the eodata stores
    std::optional<std::string> region;
    std::optional<std::string> profile;   ///< AWS shared-file profile
    std::optional<S3Credentials> credentials;
    std::optional<bool> path_style;
    /// Requests in flight at most; unset: 4 for the CDSE store (its per-user limit), else no cap.
    std::optional<int> max_connections;
};

/// Known eodata endpoints.
inline constexpr const char* kCreodiasEodataEndpoint = "https://eodata.cloudferro.com";
inline constexpr const char* kCdseEodataEndpoint = "https://eodata.dataspace.copernicus.eu";

/// Complete S3 options, each field from the first source that sets it:
///  - endpoint: `given`, AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's `endpoint_url`
///    in the config file, else the CREODIAS eodata store;
///  - credentials: `given`, AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN),
///    the profile in the shared credentials file (AWS_SHARED_CREDENTIALS_FILE, else
///    ~/.aws/credentials), the profile in the config file (AWS_CONFIG_FILE, else
///    ~/.aws/config), else anonymous;
///  - region: `given`, AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`, else "default";
///  - profile: `given`, AWS_PROFILE, else "default".
/// @throws InvalidArgument when a profile was asked for (explicitly or by AWS_PROFILE) and
///         neither file has it, or when a file gives a key id without its secret.
CREODIAS_EXPORT S3Options resolve_s3_options(const S3Settings& given = {});

/// Percent-encodes an object key for a URL path (RFC 3986: unreserved characters and '/'
/// are kept; everything else, spaces, '+' and non-ASCII bytes included, becomes %XX).
CREODIAS_EXPORT std::string s3_encode_key(std::string_view key);

}  // namespace creodias
