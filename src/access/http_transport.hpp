#pragma once
// Private: HTTP requests through libcurl with pooled handles (connection reuse), an optional
// cap on requests in flight, retries with exponential backoff and jitter on throttling and
// transient failures (honouring Retry-After), and cancellation. Shared by the S3 and HTTP
// backends, which add signing and turn error statuses into typed errors.

#include <creodias/vfs.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace creodias::detail {

struct TransportOptions {
    std::chrono::milliseconds connect_timeout{10000};
    std::chrono::milliseconds stall_timeout{30000};  // below 1 KiB/s this long: abandoned
    int max_attempts = 6;
    std::chrono::milliseconds retry_base{200};
    std::chrono::milliseconds retry_cap{20000};
    int max_connections = 0;  // requests in flight at most; 0: no cap
    std::string ca_file;      // PEM bundle for TLS verification; empty: libcurl's default
};

// How requests authenticate. Secrets stay in here: never formatted into messages.
struct TransportAuth {
    std::string sigv4;  // "aws:amz:REGION:s3" (with user/password = key id/secret) or empty
    std::string user, password;
    std::string bearer;
};

struct HttpRequest {
    std::string method = "GET";
    std::string url;
    std::vector<std::string> headers;
    std::string_view body;  // PUT/POST
    std::optional<ByteRange> range;
    const ByteSink* sink = nullptr;  // 2xx bodies go here, others to the response body
    const std::function<void(long)>* on_status = nullptr;  // a 2xx status, before its first byte
    const CancelToken* cancel = nullptr;
    std::string where;  // names the resource in messages: endpoint, bucket, key
};

struct HttpResponse {
    long status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // unless streamed to the sink
    std::uint64_t delivered = 0;                 // bytes handed to the sink
};

// Throttling and transient statuses: 429, 500, 502, 503, 504 and S3's 400 RequestTimeout.
bool retryable_status(const HttpResponse& r);

class HttpTransport {
public:
    HttpTransport(TransportOptions options, TransportAuth auth, std::string origin);
    ~HttpTransport();
    HttpTransport(const HttpTransport&) = delete;
    HttpTransport& operator=(const HttpTransport&) = delete;

    // Performs `r`, retrying transport failures and retryable statuses as long as no byte
    // reached the sink. Returns the final response whatever its status (the caller turns
    // error statuses into exceptions). Throws NetworkError (transport failure), Error
    // (Errc::timeout) and Error(Errc::cancelled); rethrows what the sink threw.
    HttpResponse perform(const HttpRequest& r);

    const TransportOptions& options() const noexcept { return opt_; }
    const std::string& origin() const noexcept { return origin_; }

private:
    struct Handle;
    void* acquire();
    void release(void* h);
    int attempt(const HttpRequest& r, HttpResponse& resp);
    std::chrono::milliseconds backoff(int retry, const HttpResponse& resp);
    void wait(std::chrono::milliseconds d, const CancelToken* cancel);
    void enter(const CancelToken* cancel);  // takes a connection slot
    void leave();

    TransportOptions opt_;
    TransportAuth auth_;
    std::string origin_;
    std::mutex mu_;
    std::condition_variable slot_freed_;
    int in_flight_ = 0;
    std::vector<void*> pool_;
    std::mt19937_64 rng_;
};

}  // namespace creodias::detail
