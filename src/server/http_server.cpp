#include "server/http_server.hpp"

#include <creodias/error.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

namespace creodias::detail {

std::optional<std::string> HttpRequest::param(std::string_view name) const {
    for (const auto& [k, v] : query)
        if (iequals(k, name)) return v;
    return std::nullopt;
}

std::vector<std::string> HttpRequest::params(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [k, v] : query)
        if (iequals(k, name)) out.push_back(v);
    return out;
}

std::string HttpRequest::header(std::string_view lower_name) const {
    auto it = headers.find(std::string(lower_name));
    return it == headers.end() ? std::string() : it->second;
}

std::string url_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    auto hex = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex(s[i + 1]) >= 0 && hex(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex(s[i + 1]) * 16 + hex(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string url_encode(std::string_view s) {
    static const char* digits = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(digits[c >> 4]);
            out.push_back(digits[c & 15]);
        }
    }
    return out;
}

namespace {

// One request's state across libmicrohttpd's calls of the access handler.
struct Exchange {
    HttpRequest request;
    bool too_large = false;
    bool dispatched = false;
    std::atomic<bool> done{false};
    HttpResponse response;
    MHD_Connection* connection = nullptr;
};

}  // namespace

struct HttpServer::Impl {
    HttpServerOptions options;
    HttpHandler handler;
    MHD_Daemon* daemon = nullptr;
    int port = 0;

    std::mutex mu;
    std::condition_variable cv;
    std::deque<std::shared_ptr<Exchange>> queue;
    std::vector<std::thread> workers;
    bool stopping = false;
    std::atomic<std::size_t> requests{0}, rejected{0};
    // The handles of exchanges in flight, kept until libmicrohttpd reports completion.
    std::mutex live_mu;

    void worker_loop() {
        for (;;) {
            std::shared_ptr<Exchange> ex;
            {
                std::unique_lock<std::mutex> lock(mu);
                cv.wait(lock, [&] { return stopping || !queue.empty(); });
                if (queue.empty()) return;
                ex = std::move(queue.front());
                queue.pop_front();
            }
            try {
                ex->response = handler(ex->request);
            } catch (const std::exception& e) {
                ex->response = HttpResponse{};
                ex->response.status = 500;
                ex->response.body = fmt::format("internal error: {}\n", e.what());
            }
            ex->done = true;
            MHD_resume_connection(ex->connection);
        }
    }

    static MHD_Result queue_response(MHD_Connection* c, const HttpResponse& r, bool head) {
        MHD_Response* resp = MHD_create_response_from_buffer(head ? 0 : r.body.size(),
                                                             const_cast<char*>(r.body.data()), MHD_RESPMEM_MUST_COPY);
        if (!resp) return MHD_NO;
        if (!r.content_type.empty()) MHD_add_response_header(resp, "Content-Type", r.content_type.c_str());
        for (const auto& [k, v] : r.headers) MHD_add_response_header(resp, k.c_str(), v.c_str());
        if (head) MHD_add_response_header(resp, "Content-Length", std::to_string(r.body.size()).c_str());
        MHD_Result ret = MHD_queue_response(c, static_cast<unsigned>(r.status), resp);
        MHD_destroy_response(resp);
        return ret;
    }

    static MHD_Result collect_query(void* cls, MHD_ValueKind, const char* key, const char* value) {
        auto* req = static_cast<HttpRequest*>(cls);
        if (req->query.size() < 256) req->query.emplace_back(key ? key : "", value ? value : "");
        return MHD_YES;
    }
    static MHD_Result collect_header(void* cls, MHD_ValueKind, const char* key, const char* value) {
        auto* req = static_cast<HttpRequest*>(cls);
        if (key) req->headers[to_lower(key)] = value ? value : "";
        return MHD_YES;
    }

    static MHD_Result access(void* cls, MHD_Connection* c, const char* url, const char* method, const char*,
                             const char* upload, std::size_t* upload_size, void** con_cls) {
        auto* self = static_cast<Impl*>(cls);
        auto* holder = static_cast<std::shared_ptr<Exchange>*>(*con_cls);
        if (!holder) {
            auto ex = std::make_shared<Exchange>();
            ex->connection = c;
            ex->request.method = method ? method : "GET";
            ex->request.path = url ? url : "/";
            *con_cls = new std::shared_ptr<Exchange>(std::move(ex));
            return MHD_YES;
        }
        Exchange& ex = **holder;
        if (*upload_size) {
            if (ex.request.body.size() + *upload_size > self->options.max_body) ex.too_large = true;
            else ex.request.body.append(upload, *upload_size);
            *upload_size = 0;
            return MHD_YES;
        }
        const bool head = ex.request.method == "HEAD";
        if (ex.done) return queue_response(c, ex.response, head);
        if (ex.dispatched) return MHD_YES;  // spurious call while suspended
        ex.dispatched = true;
        if (ex.too_large) {
            HttpResponse r;
            r.status = 413;
            r.body = "request body too large\n";
            return queue_response(c, r, head);
        }
        MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, &Impl::collect_query, &ex.request);
        MHD_get_connection_values(c, MHD_HEADER_KIND, &Impl::collect_header, &ex.request);
        if (const MHD_ConnectionInfo* ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
            ci && ci->client_addr) {
            char buf[INET6_ADDRSTRLEN] = {0};
            const sockaddr* sa = ci->client_addr;
            if (sa->sa_family == AF_INET)
                inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
            else if (sa->sa_family == AF_INET6)
                inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
            ex.request.remote = buf;
        }
        ++self->requests;
        {
            std::lock_guard<std::mutex> lock(self->mu);
            if (self->queue.size() >= self->options.max_queue || self->stopping) {
                ++self->rejected;
                HttpResponse r;
                r.status = 503;
                r.body = "server busy, retry later\n";
                r.header("Retry-After", "1");
                return queue_response(c, r, head);
            }
            MHD_suspend_connection(c);
            self->queue.push_back(*holder);
        }
        self->cv.notify_one();
        return MHD_YES;
    }

    static void completed(void*, MHD_Connection*, void** con_cls, MHD_RequestTerminationCode) {
        delete static_cast<std::shared_ptr<Exchange>*>(*con_cls);
        *con_cls = nullptr;
    }

    // Our own unescaping: percent-decoding only ('+' stays a plus, as in RFC 3986 queries;
    // TIME values such as 2024-01-01T00:00:00+01:00 depend on it).
    static std::size_t unescape(void*, MHD_Connection*, char* s) {
        std::string d = url_decode(s);
        std::memcpy(s, d.data(), d.size());
        s[d.size()] = '\0';
        return d.size();
    }
};

HttpServer::HttpServer(HttpServerOptions options, HttpHandler handler) : impl_(std::make_unique<Impl>()) {
    impl_->options = std::move(options);
    impl_->handler = std::move(handler);
}

HttpServer::~HttpServer() { stop(); }

void HttpServer::start() {
    auto& o = impl_->options;
    unsigned n = o.threads ? o.threads : std::max(4u, 2 * std::max(1u, std::thread::hardware_concurrency()));
    sockaddr_storage addr{};
    socklen_t len = 0;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_ALLOW_SUSPEND_RESUME;
    std::string host = o.host == "localhost" ? "127.0.0.1" : o.host;
    if (host.find(':') != std::string::npos) {
        auto* a6 = reinterpret_cast<sockaddr_in6*>(&addr);
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(static_cast<std::uint16_t>(o.port));
        if (inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) != 1)
            throw InvalidArgument("server", fmt::format("bad IPv6 address '{}'", o.host));
        len = sizeof(sockaddr_in6);
        flags |= MHD_USE_IPv6;
    } else {
        auto* a4 = reinterpret_cast<sockaddr_in*>(&addr);
        a4->sin_family = AF_INET;
        a4->sin_port = htons(static_cast<std::uint16_t>(o.port));
        if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) != 1)
            throw InvalidArgument("server", fmt::format("bad IPv4 address '{}' (use a literal address)", o.host));
        len = sizeof(sockaddr_in);
    }
    (void)len;
    impl_->daemon = MHD_start_daemon(
        flags, static_cast<std::uint16_t>(o.port), nullptr, nullptr, &Impl::access, impl_.get(),
        MHD_OPTION_SOCK_ADDR, reinterpret_cast<sockaddr*>(&addr), MHD_OPTION_NOTIFY_COMPLETED, &Impl::completed,
        nullptr, MHD_OPTION_CONNECTION_TIMEOUT, o.connection_timeout_s, MHD_OPTION_CONNECTION_LIMIT,
        o.max_connections, MHD_OPTION_UNESCAPE_CALLBACK, &Impl::unescape, nullptr, MHD_OPTION_END);
    if (!impl_->daemon)
        throw Error(Errc::io, "server", fmt::format("cannot listen on {}:{} (address in use?)", o.host, o.port));
    const MHD_DaemonInfo* info = MHD_get_daemon_info(impl_->daemon, MHD_DAEMON_INFO_BIND_PORT);
    impl_->port = info ? info->port : o.port;
    for (unsigned i = 0; i < n; ++i) impl_->workers.emplace_back([this] { impl_->worker_loop(); });
}

int HttpServer::port() const noexcept { return impl_->port; }

void HttpServer::stop() {
    if (!impl_ || (!impl_->daemon && impl_->workers.empty())) return;
    {
        std::lock_guard<std::mutex> lock(impl_->mu);
        impl_->stopping = true;
    }
    impl_->cv.notify_all();
    for (auto& t : impl_->workers) t.join();
    impl_->workers.clear();
    if (impl_->daemon) {
        MHD_stop_daemon(impl_->daemon);
        impl_->daemon = nullptr;
    }
}

HttpServer::Stats HttpServer::stats() const {
    Stats s;
    s.requests = impl_->requests;
    s.rejected = impl_->rejected;
    std::lock_guard<std::mutex> lock(impl_->mu);
    s.queued = impl_->queue.size();
    return s;
}

}  // namespace creodias::detail
