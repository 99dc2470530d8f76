// S3Client: S3 requests (SigV4 through libcurl's CURLOPT_AWS_SIGV4) over the shared
// HttpTransport (pooled connections, connection cap, retries, cancellation); S3 error
// documents become typed errors.

#include <creodias/error.hpp>
#include <creodias/s3.hpp>

#include "access/http_transport.hpp"
#include "core/strings.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <pugixml.hpp>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <cctype>
#include <functional>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <utility>

namespace creodias {

namespace {

constexpr const char* kOrigin = "s3";

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

struct Request {
    const char* method = "GET";
    std::string bucket, key;
    Query query;
    std::vector<std::string> headers;
    std::string_view body;
    std::optional<ByteRange> range;
    const ByteSink* sink = nullptr;
    const std::function<void(long)>* on_status = nullptr;
    const CancelToken* cancel = nullptr;
};

using detail::HttpResponse;

detail::TransportOptions transport_options(const S3Options& o) {
    detail::TransportOptions t;
    t.connect_timeout = o.connect_timeout;
    t.stall_timeout = o.stall_timeout;
    t.max_attempts = o.max_attempts;
    t.retry_base = o.retry_base;
    t.retry_cap = o.retry_cap;
    t.max_connections = o.max_connections;
    t.ca_file = o.ca_file;
    return t;
}

detail::TransportAuth transport_auth(const S3Options& o) {
    detail::TransportAuth a;
    if (!o.credentials.anonymous()) {
        a.sigv4 = "aws:amz:" + o.region + ":s3";
        a.user = o.credentials.access_key_id;
        a.password = o.credentials.secret_access_key;
    }
    return a;
}

}  // namespace

std::string s3_encode_key(std::string_view key) { return encode_component(key, true); }

struct S3Client::Impl {
    S3Options opt;
    std::string scheme, host;  // from the endpoint
    std::unique_ptr<detail::HttpTransport> transport;

    explicit Impl(S3Options o) : opt(std::move(o)) {
        const auto sep = opt.endpoint.find("://");
        if (sep == std::string::npos || sep == 0 || opt.endpoint.size() == sep + 3)
            throw InvalidArgument(kOrigin, fmt::format("endpoint '{}' is not scheme://host[:port]", opt.endpoint));
        scheme = opt.endpoint.substr(0, sep);
        host = opt.endpoint.substr(sep + 3);
        while (!host.empty() && host.back() == '/') host.pop_back();
        if (scheme != "http" && scheme != "https")
            throw InvalidArgument(kOrigin, fmt::format("endpoint '{}': only http and https", opt.endpoint));
        if (opt.max_attempts < 1) opt.max_attempts = 1;
        transport = std::make_unique<detail::HttpTransport>(transport_options(opt), transport_auth(opt), kOrigin);
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

    [[noreturn]] void fail(const Request& r, const HttpResponse& resp) const {
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
                           static_cast<int>(resp.status), detail::retryable_status(resp));
    }

    HttpResponse perform(const Request& r) {
        detail::HttpRequest h;
        h.method = r.method;
        h.url = url(r);
        // Signed with the request: the payload hash (not computed: RGW and AWS accept
        // UNSIGNED-PAYLOAD; uploads carry Content-MD5, which the server checks).
        h.headers.push_back("x-amz-content-sha256: UNSIGNED-PAYLOAD");
        if (!opt.credentials.session_token.empty())
            h.headers.push_back("x-amz-security-token: " + opt.credentials.session_token);
        for (const auto& x : r.headers) h.headers.push_back(x);
        h.body = r.body;
        h.range = r.range;
        h.sink = r.sink;
        h.on_status = r.on_status;
        h.cancel = r.cancel;
        h.where = where(r);
        HttpResponse resp = transport->perform(h);
        if (resp.status < 200 || resp.status >= 300) fail(r, resp);
        return resp;
    }

    static ObjectInfo info_from_headers(const std::string& key, const HttpResponse& resp) {
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

std::optional<std::uint64_t> S3Client::first_part_size(const std::string& bucket, const std::string& key) const {
    Request r;
    r.method = "HEAD";
    r.bucket = bucket;
    r.key = key;
    r.query.emplace_back("partNumber", "1");
    try {
        const HttpResponse resp = impl_->perform(r);
        if (resp.headers.find("x-amz-mp-parts-count") == resp.headers.end()) return std::nullopt;
        auto it = resp.headers.find("content-length");
        if (it == resp.headers.end()) return std::nullopt;
        auto n = detail::parse_int(it->second);
        if (!n || *n <= 0) return std::nullopt;
        return static_cast<std::uint64_t>(*n);
    } catch (const InvalidArgument&) {
        return std::nullopt;  // 416/400: the server does not know parts
    } catch (const NetworkError& e) {
        if (e.http_status() == 400 || e.http_status() == 501) return std::nullopt;
        throw;
    }
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
                   const ByteSink& sink, const CancelToken& cancel) const {
    Request r;
    r.bucket = bucket;
    r.key = key;
    r.range = range;
    r.sink = &sink;
    r.cancel = &cancel;
    // A gateway that ignores Range answers 200 with the object from its first byte: refuse
    // it rather than hand those bytes over as the range.
    const std::function<void(long)> check = [&](long status) {
        if (status == 200 && range && (range->first > 0 || range->last))
            throw NetworkError(kOrigin, fmt::format("{}: the server ignored the Range header (HTTP 200)",
                                                    impl_->where(r)), 200, false);
    };
    r.on_status = &check;
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
    const HttpResponse resp = impl_->perform(r);
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

std::string S3Client::create_multipart_upload(const std::string& bucket, const std::string& key) const {
    Request r;
    r.method = "POST";
    r.bucket = bucket;
    r.key = key;
    r.query.emplace_back("uploads", "");
    r.headers.push_back("Content-Type: application/octet-stream");
    const HttpResponse resp = impl_->perform(r);
    pugi::xml_document doc;
    doc.load_buffer(resp.body.data(), resp.body.size());
    std::string id = doc.child("InitiateMultipartUploadResult").child_value("UploadId");
    if (id.empty())
        throw NetworkError(kOrigin, fmt::format("{}: no UploadId in the answer to CreateMultipartUpload",
                                                impl_->where(r)), 200, false);
    return id;
}

std::string S3Client::upload_part(const std::string& bucket, const std::string& key, const std::string& upload_id,
                                  int part_number, std::string_view data, const CancelToken& cancel) const {
    if (part_number < 1 || part_number > 10000)
        throw InvalidArgument(kOrigin, fmt::format("part number {} is outside 1..10000", part_number));
    Request r;
    r.method = "PUT";
    r.bucket = bucket;
    r.key = key;
    r.query.emplace_back("partNumber", std::to_string(part_number));
    r.query.emplace_back("uploadId", upload_id);
    r.body = data;
    r.cancel = &cancel;
    r.headers.push_back("Content-MD5: " + md5_base64(data));
    return Impl::info_from_headers(key, impl_->perform(r)).etag;
}

std::string S3Client::complete_multipart_upload(const std::string& bucket, const std::string& key,
                                                const std::string& upload_id,
                                                const std::vector<std::string>& part_etags) const {
    std::string xml = "<CompleteMultipartUpload>";
    for (std::size_t k = 0; k < part_etags.size(); ++k)
        xml += fmt::format("<Part><PartNumber>{}</PartNumber><ETag>\"{}\"</ETag></Part>", k + 1, part_etags[k]);
    xml += "</CompleteMultipartUpload>";
    Request r;
    r.method = "POST";
    r.bucket = bucket;
    r.key = key;
    r.query.emplace_back("uploadId", upload_id);
    r.body = xml;
    r.headers.push_back("Content-Type: application/xml");
    const HttpResponse resp = impl_->perform(r);
    // S3 may answer 200 and still fail: the error document then replaces the result.
    pugi::xml_document doc;
    doc.load_buffer(resp.body.data(), resp.body.size());
    if (doc.child("Error"))
        throw NetworkError(kOrigin, fmt::format("{}: CompleteMultipartUpload failed: {} {}", impl_->where(r),
                                                doc.child("Error").child_value("Code"),
                                                doc.child("Error").child_value("Message")),
                           200, false);
    std::string etag = unquote(doc.child("CompleteMultipartUploadResult").child_value("ETag"));
    if (etag.empty()) etag = head(bucket, key).etag;  // Ceph RGW 16 leaves it empty
    return etag;
}

void S3Client::abort_multipart_upload(const std::string& bucket, const std::string& key,
                                      const std::string& upload_id) const {
    Request r;
    r.method = "DELETE";
    r.bucket = bucket;
    r.key = key;
    r.query.emplace_back("uploadId", upload_id);
    impl_->perform(r);
}

std::vector<MultipartUpload> S3Client::list_multipart_uploads(const std::string& bucket,
                                                              const std::string& prefix) const {
    std::vector<MultipartUpload> out;
    std::string key_marker, id_marker;
    for (int page = 0; page < 100000; ++page) {
        Request r;
        r.bucket = bucket;
        if (!key_marker.empty()) r.query.emplace_back("key-marker", key_marker);
        r.query.emplace_back("prefix", prefix);
        if (!id_marker.empty()) r.query.emplace_back("upload-id-marker", id_marker);
        r.query.emplace_back("uploads", "");
        const HttpResponse resp = impl_->perform(r);
        pugi::xml_document doc;
        doc.load_buffer(resp.body.data(), resp.body.size());
        auto root = doc.child("ListMultipartUploadsResult");
        if (!root)
            throw NetworkError(kOrigin, fmt::format("{}: not a ListMultipartUploadsResult", impl_->where(r)), 200,
                               true);
        for (auto u : root.children("Upload")) out.push_back({u.child_value("Key"), u.child_value("UploadId")});
        if (std::string_view(root.child_value("IsTruncated")) != "true") break;
        key_marker = root.child_value("NextKeyMarker");
        id_marker = root.child_value("NextUploadIdMarker");
        if (key_marker.empty() && id_marker.empty()) break;
    }
    return out;
}

void S3Client::create_bucket(const std::string& bucket) const {
    Request r;
    r.method = "PUT";
    r.bucket = bucket;
    impl_->perform(r);
}

}  // namespace creodias
