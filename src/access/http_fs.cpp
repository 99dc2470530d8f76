// The HTTP(S) backend: HEAD for metadata, (ranged) GET for data, optional bearer token, over
// the shared HttpTransport (retries, connection cap, cancellation). GDAL reads the same
// files through /vsicurl/ with the token set for the URL prefix only.

#include <creodias/error.hpp>
#include <creodias/vfs.hpp>

#include "access/http_transport.hpp"
#include "core/strings.hpp"

#include <cpl_vsi.h>
#include <fmt/format.h>
#include <gdal_version.h>

#include <atomic>
#include <cctype>

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
        t.ca_file = o.ca_file;
        if (o.bearer_token.find_first_of("\r\n") != std::string::npos)
            throw InvalidArgument(kOrigin, "the bearer token contains a line break");
        detail::TransportAuth a;
        a.bearer = o.bearer_token;
        transport_ = std::make_unique<detail::HttpTransport>(t, a, kOrigin);
#if GDAL_VERSION_NUM < GDAL_COMPUTE_VERSION(3, 7, 0)
        if (!bearer_.empty()) {  // see gdal_path()
            static std::atomic<unsigned> counter{0};
            header_file_ = fmt::format("/vsimem/creodias/http-headers-{}.txt", counter++);
            const std::string header = "Authorization: Bearer " + bearer_ + "\r\n";
            if (VSILFILE* f = VSIFOpenL(header_file_.c_str(), "wb")) {
                VSIFWriteL(header.data(), 1, header.size(), f);
                VSIFCloseL(f);
            }
        }
#endif
    }
    ~HttpFileSystem() override {
        if (!header_file_.empty()) VSIUnlink(header_file_.c_str());
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
        if (auto it = resp.headers.find("content-length"); it != resp.headers.end()) {
            info.size = static_cast<std::uint64_t>(detail::parse_int(it->second).value_or(0));
        } else {
            // No length on HEAD (chunked or generated content): ask for one byte and read the
            // total from Content-Range.
            detail::HttpRequest probe;
            probe.url = r.url;
            probe.where = r.where;
            probe.range = ByteRange{0, 0};
            const auto p = checked(probe, transport_->perform(probe));
            auto cr = p.headers.find("content-range");
            const auto slash = cr == p.headers.end() ? std::string::npos : cr->second.rfind('/');
            auto total = slash == std::string::npos ? std::nullopt : detail::parse_int(cr->second.substr(slash + 1));
            if (!total)
                throw Unsupported(kOrigin, fmt::format("{}: the server gives no size for the file", r.where));
            info.size = static_cast<std::uint64_t>(*total);
        }
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
        if (!header_file_.empty()) {
            // GDAL before 3.7 takes no HTTP option per path prefix for /vsicurl/ (3.6 ignores
            // a path-specific GDAL_HTTP_HEADERS): the header goes in a /vsimem/ file named by
            // the /vsicurl? options, so the token is neither global nor part of the name.
            // list_dir=no: GDAL 3.6 cannot open a /vsicurl? name after listing its "directory".
            return "/vsicurl?list_dir=no&header_file=" + percent_encoded(header_file_) + "&url=" + percent_encoded(u);
        }
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
    std::string header_file_;  // GDAL < 3.7: the /vsimem/ file with the Authorization header
    std::unique_ptr<detail::HttpTransport> transport_;

    static std::string percent_encoded(std::string_view s) {
        std::string out;
        for (unsigned char c : s) {
            if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') out += static_cast<char>(c);
            else out += fmt::format("%{:02X}", c);
        }
        return out;
    }

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
        // File names may hold spaces and non-ASCII characters; '%' is taken as already encoded.
        for (unsigned char c : path) {
            if (c <= 0x20 || c >= 0x7f || c == '"' || c == '<' || c == '>' || c == '\\' || c == '^' || c == '`' ||
                c == '{' || c == '|' || c == '}' || c == '#' || c == '?')
                u += fmt::format("%{:02X}", c);
            else
                u += static_cast<char>(c);
        }
        return u;
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
