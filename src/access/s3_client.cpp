// S3Client: SigV4 through libcurl (CURLOPT_AWS_SIGV4), pooled easy handles for connection
// reuse, S3 error documents turned into typed errors, retries with backoff and jitter.

#include <creodias/error.hpp>
#include <creodias/s3.hpp>

#include "core/strings.hpp"

#include <curl/curl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <cctype>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace creodias {

namespace {

constexpr const char* kOrigin = "s3";

void global_init() {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// A query parameter list, kept sorted by name: SigV4's canonical query string is sorted,
// and curl signs the query as given.
using Query = std::vector<std::pair<std::string, std::string>>;

std::string encode_component(std::string_view s, bool keep_slash) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(s.size());
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || (keep_slash && c == '/')) {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string base64(const unsigned char* data, std::size_t n) {
    std::string out(4 * ((n + 2) / 3) + 1, '\0');
    const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data, static_cast<int>(n));
    out.resize(static_cast<std::size_t>(len));
    return out;
}

std::string md5_base64(std::string_view data) {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), digest, &len, EVP_md5(), nullptr);
    return base64(digest, len);
}

std::string unquote(std::string s) {
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

// "Tue, 24 Nov 2026 10:00:00 GMT" (RFC 7231 IMF-fixdate); nullopt when it does not parse.
std::optional<Timestamp> parse_http_date(std::string_view s) {
    static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int day = 0, year = 0, h = 0, m = 0, sec = 0;
    char mon[4] = {};
    const std::string text(s);
    if (std::sscanf(text.c_str(), "%*3s, %d %3s %d %d:%d:%d", &day, mon, &year, &h, &m, &sec) != 6)
        return std::nullopt;
    for (int k = 0; k < 12; ++k)
        if (std::string_view(mon) == months[k]) return Timestamp::from_civil(year, k + 1, day, h, m, sec);
    return std::nullopt;
}

struct Response {
    long status = 0;
    std::map<std::string, std::string> headers;  // lower-case names
    std::string body;                            // unless streamed to a sink
    std::uint64_t delivered = 0;                 // bytes handed to the sink
};

struct Request {
    const char* method = "GET";
    std::string bucket, key;
    Query query;
    std::vector<std::string> headers;
    std::string_view body;
    std::optional<ByteRange> range;
    const std::function<void(const char*, std::size_t)>* sink = nullptr;
};

std::size_t on_header(char* data, std::size_t size, std::size_t n, void* user) {
    auto* r = static_cast<Response*>(user);
    std::string_view line(data, size * n);
    const auto colon = line.find(':');
    if (colon != std::string_view::npos) {
        r->headers[detail::to_lower(line.substr(0, colon))] = std::string(detail::trim(line.substr(colon + 1)));
    } else if (line.rfind("HTTP/", 0) == 0) {
        r->headers.clear();  // a new response (after a redirect or 100-continue)
    }
    return size * n;
}

struct WriteState {
    Response* response;
    const std::function<void(const char*, std::size_t)>* sink;
    CURL* handle = nullptr;
    std::exception_ptr error;  // thrown by the sink; rethrown after curl returns
};

std::size_t on_body(char* data, std::size_t size, std::size_t n, void* user) {
    auto* w = static_cast<WriteState*>(user);
    const std::size_t bytes = size * n;
    long status = 0;
    curl_easy_getinfo(w->handle, CURLINFO_RESPONSE_CODE, &status);
    if (w->sink && status >= 200 && status < 300) {
        try {  // no exception may cross curl's C frames
            (*w->sink)(data, bytes);
        } catch (...) {
            w->error = std::current_exception();
            return 0;  // aborts the transfer
        }
        w->response->delivered += bytes;
    } else {
        w->response->body.append(data, bytes);
    }
    return bytes;
}

bool retryable_curl(CURLcode c) {
    switch (c) {
        case CURLE_COULDNT_CONNECT:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_RECV_ERROR:
        case CURLE_SEND_ERROR:
        case CURLE_PARTIAL_FILE:
        case CURLE_GOT_NOTHING:
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string s3_encode_key(std::string_view key) { return encode_component(key, true); }

struct S3Client::Impl {
    S3Options opt;
    std::string scheme, host;  // from the endpoint
    std::mutex mu;
    std::vector<CURL*> pool;
    std::mt19937_64 rng{std::random_device{}()};

    explicit Impl(S3Options o) : opt(std::move(o)) {
        global_init();
        const auto sep = opt.endpoint.find("://");
        if (sep == std::string::npos || sep == 0 || opt.endpoint.size() == sep + 3)
            throw InvalidArgument(kOrigin, fmt::format("endpoint '{}' is not scheme://host[:port]", opt.endpoint));
        scheme = opt.endpoint.substr(0, sep);
        host = opt.endpoint.substr(sep + 3);
        while (!host.empty() && host.back() == '/') host.pop_back();
        if (scheme != "http" && scheme != "https")
            throw InvalidArgument(kOrigin, fmt::format("endpoint '{}': only http and https", opt.endpoint));
        if (opt.max_attempts < 1) opt.max_attempts = 1;
    }
    ~Impl() {
        for (auto* h : pool) curl_easy_cleanup(h);
    }

    CURL* acquire() {
        {
            std::lock_guard lock(mu);
            if (!pool.empty()) {
                CURL* h = pool.back();
                pool.pop_back();
                return h;
            }
        }
        CURL* h = curl_easy_init();
        if (!h) throw NetworkError(kOrigin, "cannot create a curl handle");
        return h;
    }
    void release(CURL* h) {
        std::lock_guard lock(mu);
        pool.push_back(h);
    }

    std::string url(const Request& r) const {
        std::string u;
        if (r.bucket.empty() || opt.path_style) {
            u = fmt::format("{}://{}/", scheme, host);
            if (!r.bucket.empty()) u += encode_component(r.bucket, false) + "/";
        } else {
            u = fmt::format("{}://{}.{}/", scheme, r.bucket, host);
        }
        u += encode_component(r.key, true);
        for (std::size_t k = 0; k < r.query.size(); ++k) {
            u += k ? '&' : '?';
            u += encode_component(r.query[k].first, false) + "=" + encode_component(r.query[k].second, false);
        }
        return u;
    }

    std::string where(const Request& r) const {
        std::string w = opt.endpoint;
        if (!r.bucket.empty()) w += " bucket '" + r.bucket + "'";
        if (!r.key.empty()) w += " key '" + r.key + "'";
        return w;
    }

    // One attempt. Returns the curl code; fills `resp`.
    CURLcode attempt(const Request& r, Response& resp) {
        CURL* h = acquire();
        struct Release {
            Impl* impl;
            CURL* h;
            curl_slist* headers = nullptr;
            ~Release() {
                curl_slist_free_all(headers);
                curl_easy_reset(h);
                impl->release(h);
            }
        } guard{this, h};
        const std::string u = url(r);
        curl_easy_setopt(h, CURLOPT_URL, u.c_str());
        curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(h, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_2TLS));
        curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(opt.connect_timeout.count()));
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1024L);
        curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME,
                         std::max(1L, static_cast<long>(opt.stall_timeout.count() / 1000)));
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "identity");
        const std::string method(r.method);
        if (method == "HEAD") {
            curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        } else if (method == "PUT") {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, "PUT");
            curl_easy_setopt(h, CURLOPT_POSTFIELDS, r.body.data());
            curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(r.body.size()));
        } else if (method != "GET") {
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, r.method);
        }
        std::string userpwd;
        if (!opt.credentials.anonymous()) {
            const std::string sigv4 = "aws:amz:" + opt.region + ":s3";
            curl_easy_setopt(h, CURLOPT_AWS_SIGV4, sigv4.c_str());
            curl_easy_setopt(h, CURLOPT_USERNAME, opt.credentials.access_key_id.c_str());
            curl_easy_setopt(h, CURLOPT_PASSWORD, opt.credentials.secret_access_key.c_str());
        }
        // Signed with the request: the payload hash (not computed: RGW and AWS accept
        // UNSIGNED-PAYLOAD; uploads carry Content-MD5, which the server checks).
        guard.headers = curl_slist_append(guard.headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
        if (!opt.credentials.session_token.empty())
            guard.headers = curl_slist_append(
                guard.headers, ("x-amz-security-token: " + opt.credentials.session_token).c_str());
        if (r.range) {
            std::string range = fmt::format("Range: bytes={}-", r.range->first);
            if (r.range->last) range += std::to_string(*r.range->last);
            guard.headers = curl_slist_append(guard.headers, range.c_str());
        }
        for (const auto& hd : r.headers) guard.headers = curl_slist_append(guard.headers, hd.c_str());
        // No "Expect:" to suppress 100-continue: curl 7.88 signs the empty header it then
        // leaves out, and the server rejects the signature.
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, guard.headers);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &resp);
        WriteState ws{&resp, r.sink, h, nullptr};
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &ws);
        const CURLcode rc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &resp.status);
        if (ws.error) std::rethrow_exception(ws.error);
        return rc;
    }

    [[noreturn]] void fail(const Request& r, const Response& resp) const {
        std::string code, message;
        pugi::xml_document doc;
        if (!resp.body.empty() && doc.load_buffer(resp.body.data(), resp.body.size())) {
            code = doc.child("Error").child_value("Code");
            message = doc.child("Error").child_value("Message");
        }
        const std::string key_id = opt.credentials.anonymous()
                                       ? std::string("anonymous access")
                                       : "key id " + opt.credentials.access_key_id;
        const std::string what = code.empty() ? fmt::format("HTTP {}", resp.status)
                                              : fmt::format("HTTP {} {}", resp.status, code);
        const std::string detail = message.empty() ? "" : ": " + message;
        if (resp.status == 416)
            throw InvalidArgument(kOrigin, fmt::format("{}: the byte range is outside the object ({}{})", where(r),
                                                       what, detail));
        if (resp.status == 404 || code == "NoSuchKey" || code == "NoSuchBucket")
            throw NotFoundError(kOrigin, fmt::format("{}: not found ({}{})", where(r), what, detail));
        if (code == "SignatureDoesNotMatch" || code == "InvalidAccessKeyId" || code == "ExpiredToken" ||
            code == "InvalidToken" || resp.status == 401)
            throw AuthError(Errc::unauthenticated, kOrigin,
                            fmt::format("{}: credentials rejected for {} ({}{})", where(r), key_id, what, detail));
        if (resp.status == 403)
            throw AuthError(Errc::permission_denied, kOrigin,
                            fmt::format("{}: access denied for {} ({}{})", where(r), key_id, what, detail));
        throw NetworkError(kOrigin, fmt::format("{}: {} {}{}", where(r), r.method, what, detail),
                           static_cast<int>(resp.status), retryable_status(resp));
    }

    static bool retryable_status(const Response& resp) {
        if (resp.status == 429 || resp.status == 500 || resp.status == 502 || resp.status == 503 ||
            resp.status == 504)
            return true;
        return resp.status == 400 && resp.body.find("<Code>RequestTimeout</Code>") != std::string::npos;
    }

    std::chrono::milliseconds backoff(int retry, const Response& resp) {
        const auto cap = opt.retry_cap.count();
        const long long d = std::min<long long>(cap, opt.retry_base.count() << std::min(retry - 1, 20));
        std::uniform_int_distribution<long long> u(d / 2, std::max<long long>(d / 2, d));
        long long wait;
        {
            std::lock_guard lock(mu);
            wait = u(rng);
        }
        if (auto it = resp.headers.find("retry-after"); it != resp.headers.end()) {
            if (auto secs = detail::parse_int(it->second); secs && *secs >= 0)
                wait = std::max<long long>(wait, std::min<long long>(cap, *secs * 1000));
        }
        return std::chrono::milliseconds(wait);
    }

    Response perform(const Request& r) {
        Response resp;
        for (int attempt_no = 1;; ++attempt_no) {
            resp = Response{};
            const CURLcode rc = attempt(r, resp);
            const bool delivered = resp.delivered > 0;
            if (rc == CURLE_OK && resp.status >= 200 && resp.status < 300) return resp;
            const bool can_retry = attempt_no < opt.max_attempts && !delivered;
            if (rc != CURLE_OK) {
                if (can_retry && retryable_curl(rc)) {
                    std::this_thread::sleep_for(backoff(attempt_no, resp));
                    continue;
                }
                if (rc == CURLE_OPERATION_TIMEDOUT)
                    throw Error(Errc::timeout, kOrigin, fmt::format("{}: {} timed out after {} attempt(s)",
                                                                    where(r), r.method, attempt_no));
                throw NetworkError(kOrigin, fmt::format("{}: {} failed: {} (after {} attempt(s))", where(r),
                                                        r.method, curl_easy_strerror(rc), attempt_no),
                                   0, retryable_curl(rc));
            }
            if (can_retry && retryable_status(resp)) {
                std::this_thread::sleep_for(backoff(attempt_no, resp));
                continue;
            }
            fail(r, resp);
        }
    }

    static ObjectInfo info_from_headers(const std::string& key, const Response& resp) {
        ObjectInfo info;
        info.key = key;
        if (auto it = resp.headers.find("content-length"); it != resp.headers.end())
            info.size = static_cast<std::uint64_t>(detail::parse_int(it->second).value_or(0));
        if (auto it = resp.headers.find("etag"); it != resp.headers.end()) info.etag = unquote(it->second);
        if (auto it = resp.headers.find("last-modified"); it != resp.headers.end())
            info.last_modified = parse_http_date(it->second);
        return info;
    }
};

S3Client::S3Client(S3Options options) : impl_(std::make_unique<Impl>(std::move(options))) {}
S3Client::~S3Client() = default;
S3Client::S3Client(S3Client&&) noexcept = default;
S3Client& S3Client::operator=(S3Client&&) noexcept = default;

const S3Options& S3Client::options() const noexcept { return impl_->opt; }

ObjectInfo S3Client::head(const std::string& bucket, const std::string& key) const {
    Request r;
    r.method = "HEAD";
    r.bucket = bucket;
    r.key = key;
    return Impl::info_from_headers(key, impl_->perform(r));
}

std::string S3Client::get(const std::string& bucket, const std::string& key,
                          const std::optional<ByteRange>& range) const {
    Request r;
    r.bucket = bucket;
    r.key = key;
    r.range = range;
    return impl_->perform(r).body;
}

void S3Client::get(const std::string& bucket, const std::string& key, const std::optional<ByteRange>& range,
                   const std::function<void(const char*, std::size_t)>& sink) const {
    Request r;
    r.bucket = bucket;
    r.key = key;
    r.range = range;
    r.sink = &sink;
    impl_->perform(r);
}

ListPage S3Client::list(const std::string& bucket, const std::string& prefix, const std::string& delimiter,
                        const std::string& continuation_token, int max_keys) const {
    Request r;
    r.bucket = bucket;
    // Sorted by name (the SigV4 canonical order).
    if (!continuation_token.empty()) r.query.emplace_back("continuation-token", continuation_token);
    if (!delimiter.empty()) r.query.emplace_back("delimiter", delimiter);
    r.query.emplace_back("list-type", "2");
    r.query.emplace_back("max-keys", std::to_string(std::clamp(max_keys, 1, 1000)));
    r.query.emplace_back("prefix", prefix);
    const Response resp = impl_->perform(r);
    pugi::xml_document doc;
    if (!doc.load_buffer(resp.body.data(), resp.body.size()))
        throw NetworkError(kOrigin, fmt::format("{}: the listing is not XML", impl_->where(r)), 200, true);
    auto root = doc.child("ListBucketResult");
    if (!root) throw NetworkError(kOrigin, fmt::format("{}: not a ListBucketResult", impl_->where(r)), 200, true);
    ListPage page;
    for (auto c : root.children("Contents")) {
        ObjectInfo o;
        o.key = c.child_value("Key");
        o.size = static_cast<std::uint64_t>(detail::parse_int(c.child_value("Size")).value_or(0));
        o.etag = unquote(c.child_value("ETag"));
        try {
            if (*c.child_value("LastModified")) o.last_modified = parse_datetime(c.child_value("LastModified"));
        } catch (const InvalidArgument&) {
        }
        page.objects.push_back(std::move(o));
    }
    for (auto p : root.children("CommonPrefixes")) page.common_prefixes.emplace_back(p.child_value("Prefix"));
    if (std::string_view(root.child_value("IsTruncated")) == "true")
        page.next_token = root.child_value("NextContinuationToken");
    return page;
}

std::vector<ObjectInfo> S3Client::list_all(const std::string& bucket, const std::string& prefix) const {
    std::vector<ObjectInfo> out;
    std::string token;
    do {
        ListPage page = list(bucket, prefix, "", token);
        for (auto& o : page.objects) out.push_back(std::move(o));
        if (!page.next_token.empty() && page.next_token == token)
            throw NetworkError(kOrigin, fmt::format("{} bucket '{}': the listing repeats its continuation token",
                                                    impl_->opt.endpoint, bucket));
        token = page.next_token;
    } while (!token.empty());
    return out;
}

std::string S3Client::put(const std::string& bucket, const std::string& key, std::string_view data) const {
    Request r;
    r.method = "PUT";
    r.bucket = bucket;
    r.key = key;
    r.body = data;
    r.headers.push_back("Content-MD5: " + md5_base64(data));
    r.headers.push_back("Content-Type: application/octet-stream");
    return Impl::info_from_headers(key, impl_->perform(r)).etag;
}

void S3Client::remove(const std::string& bucket, const std::string& key) const {
    Request r;
    r.method = "DELETE";
    r.bucket = bucket;
    r.key = key;
    impl_->perform(r);
}

void S3Client::create_bucket(const std::string& bucket) const {
    Request r;
    r.method = "PUT";
    r.bucket = bucket;
    impl_->perform(r);
}

}  // namespace creodias
