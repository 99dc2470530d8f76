// The HTTP(S) backend: HEAD for metadata, (ranged) GET for data, optional bearer token, over
// the shared HttpTransport (retries, connection cap, cancellation). GDAL reads the same
// files through /vsicurl/ with the token set for the URL prefix only.

#include <creodias/error.hpp>
#include <creodias/vfs.hpp>

#include "access/http_transport.hpp"
#include "core/strings.hpp"

#include <cpl_vsi.h>
#include <fmt/format.h>

namespace creodias {

namespace {

constexpr const char* kOrigin = "http";

std::string unquote(std::string s) {
    if (s.rfind("W/", 0) == 0) s = s.substr(2);
    if (s.size() >= 2 && s.front() == '"' && s.back() == '"') s = s.substr(1, s.size() - 2);
    return s;
}

class HttpFileSystem final : public FileSystem {
public:
    HttpFileSystem(std::string base, const HttpOptions& o) : base_(std::move(base)), bearer_(o.bearer_token) {
        if (!base_.empty() && base_.rfind("http://", 0) != 0 && base_.rfind("https://", 0) != 0)
            throw InvalidArgument(kOrigin, fmt::format("'{}' is not an http:// or https:// URL", base_));
        detail::TransportOptions t;
        t.connect_timeout = o.connect_timeout;
        t.stall_timeout = o.stall_timeout;
        t.max_attempts = o.max_attempts;
        t.max_connections = o.max_connections;
        detail::TransportAuth a;
        a.bearer = o.bearer_token;
        transport_ = std::make_unique<detail::HttpTransport>(t, a, kOrigin);
    }

    std::string scheme() const override { return base_.rfind("http://", 0) == 0 ? "http" : "https"; }
    std::string uri(std::string_view path) const override { return url(path); }

    ObjectInfo stat(std::string_view path) const override {
        detail::HttpRequest r;
        r.method = "HEAD";
        r.url = url(path);
        r.where = r.url;
        const auto resp = checked(r, transport_->perform(r));
        ObjectInfo info;
        info.key = std::string(path);
        if (auto it = resp.headers.find("content-length"); it != resp.headers.end())
            info.size = static_cast<std::uint64_t>(detail::parse_int(it->second).value_or(0));
        if (auto it = resp.headers.find("etag"); it != resp.headers.end()) info.etag = unquote(it->second);
        return info;
    }

    std::vector<ObjectInfo> list(std::string_view prefix) const override {
        throw Unsupported(kOrigin, fmt::format("{}: HTTP servers offer no listing; name the files", url(prefix)));
    }

    void read(std::string_view path, const std::optional<ByteRange>& range, const ByteSink& sink,
              const CancelToken& cancel) const override {
        detail::HttpRequest r;
        r.url = url(path);
        r.where = r.url;
        r.range = range;
        r.cancel = &cancel;
        // A server that ignores Range answers 200 with the whole file: cut the range out.
        bool whole = false;
        std::uint64_t skip = 0, pos = 0;
        const std::function<void(long)> on_status = [&](long status) {
            whole = range && status == 200;
            skip = whole ? range->first : 0;
        };
        const std::optional<std::uint64_t> last = range ? range->last : std::nullopt;
        const ByteSink filter = [&](const char* p, std::size_t n) {
            std::uint64_t begin = pos;
            pos += n;
            if (!whole) return sink(p, n);
            if (pos <= skip) return;
            if (begin < skip) {
                const auto drop = static_cast<std::size_t>(skip - begin);
                p += drop;
                n -= drop;
                begin = skip;
            }
            if (last) {
                if (begin > *last) return;
                n = static_cast<std::size_t>(std::min<std::uint64_t>(n, *last - begin + 1));
            }
            sink(p, n);
        };
        r.sink = &filter;
        r.on_status = &on_status;
        const auto resp = transport_->perform(r);
        checked(r, resp);
        // The whole file came instead of the range: a range starting after its end is the
        // error a server honouring Range reports with 416. (An empty body reaches no sink.)
        if (range && resp.status == 200 && range->first >= pos && pos > 0)
            throw InvalidArgument(kOrigin, fmt::format("{}: the range starts after the end ({} bytes)", r.where, pos));
    }

    void write(std::string_view path, std::string_view) override {
        throw Unsupported(kOrigin, fmt::format("{}: writing over HTTP is not supported", url(path)));
    }
    void remove(std::string_view path) override {
        throw Unsupported(kOrigin, fmt::format("{}: removing over HTTP is not supported", url(path)));
    }

    std::string gdal_path(std::string_view path) const override {
        const std::string u = url(path);
        if (!bearer_.empty()) {
            const auto slash = u.find('/', u.find("://") + 3);
            const std::string prefix = "/vsicurl/" + (slash == std::string::npos ? u + "/" : u.substr(0, slash + 1));
            VSISetPathSpecificOption(prefix.c_str(), "GDAL_HTTP_HEADERS",
                                     ("Authorization: Bearer " + bearer_).c_str());
        }
        return "/vsicurl/" + u;
    }

private:
    std::string base_;
    std::string bearer_;
    std::unique_ptr<detail::HttpTransport> transport_;

    std::string url(std::string_view path) const {
        if (base_.empty()) {
            if (path.rfind("http://", 0) != 0 && path.rfind("https://", 0) != 0)
                throw InvalidArgument(kOrigin, fmt::format("'{}' is not an http(s) URL", std::string(path)));
            return std::string(path);
        }
        for (const auto& part : detail::split(path, '/'))
            if (part == "..")
                throw InvalidArgument(kOrigin, fmt::format("'{}': '..' is not allowed in paths", std::string(path)));
        std::string u = base_;
        if (!u.empty() && u.back() != '/' && !path.empty() && path.front() != '/') u += '/';
        return u + std::string(path);
    }

    const detail::HttpResponse& checked(const detail::HttpRequest& r, const detail::HttpResponse& resp) const {
        if (resp.status >= 200 && resp.status < 300) return resp;
        const std::string msg = fmt::format("{}: {} answered HTTP {}", r.where, r.method, resp.status);
        if (resp.status == 404 || resp.status == 410) throw NotFoundError(kOrigin, msg);
        if (resp.status == 401) throw AuthError(Errc::unauthenticated, kOrigin, msg + " (credentials missing or rejected)");
        if (resp.status == 403) throw AuthError(Errc::permission_denied, kOrigin, msg + " (access denied)");
        if (resp.status == 416) throw InvalidArgument(kOrigin, msg + " (the range is outside the file)");
        throw NetworkError(kOrigin, msg, static_cast<int>(resp.status), detail::retryable_status(resp));
    }
};

}  // namespace

std::shared_ptr<FileSystem> make_http_filesystem(std::string base_url, HttpOptions options) {
    return std::make_shared<HttpFileSystem>(std::move(base_url), options);
}

}  // namespace creodias
