#include <creodias/error.hpp>
#include <creodias/server.hpp>

#include "core/strings.hpp"
#include "server/http_server.hpp"
#include "server/service.hpp"

#include <fmt/format.h>

#include <condition_variable>
#include <mutex>

namespace creodias {

struct TileServer::Impl {
    ServerOptions options;
    std::unique_ptr<detail::TileService> service;
    std::unique_ptr<detail::HttpServer> http;
    std::mutex mu;
    std::condition_variable cv;
    bool stopped = false;
};

TileServer::TileServer(ServerOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->options = options;
    impl_->service = std::make_unique<detail::TileService>(std::move(options));
}

TileServer::~TileServer() { stop(); }

void TileServer::start() {
    detail::HttpServerOptions h;
    h.host = impl_->options.host;
    h.port = impl_->options.port;
    h.threads = impl_->options.threads;
    auto* service = impl_->service.get();
    impl_->http = std::make_unique<detail::HttpServer>(h, [service](const detail::HttpRequest& r) { return service->handle(r); });
    impl_->http->start();
}

int TileServer::port() const noexcept { return impl_->http ? impl_->http->port() : impl_->options.port; }

std::string TileServer::url() const {
    const std::string& host = impl_->options.host;
    return host.find(':') != std::string::npos ? fmt::format("http://[{}]:{}", host, port())
                                               : fmt::format("http://{}:{}", host, port());
}

void TileServer::wait() {
    std::unique_lock<std::mutex> lock(impl_->mu);
    impl_->cv.wait(lock, [&] { return impl_->stopped; });
}

void TileServer::stop() {
    if (!impl_) return;
    if (impl_->http) impl_->http->stop();
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->stopped = true;
    impl_->cv.notify_all();
}

TileServer::Response TileServer::handle(const std::string& method, const std::string& path, const std::string& query) const {
    detail::HttpRequest r;
    r.method = method;
    r.path = detail::url_decode(path);
    for (const auto& kv : detail::split(query, '&', true)) {
        auto eq = kv.find('=');
        r.query.emplace_back(detail::url_decode(kv.substr(0, eq)),
                             eq == std::string::npos ? std::string() : detail::url_decode(kv.substr(eq + 1)));
    }
    r.headers["host"] = fmt::format("{}:{}", impl_->options.host, port());
    auto resp = impl_->service->handle(r);
    Response out;
    out.status = resp.status;
    out.content_type = resp.content_type;
    out.body = std::move(resp.body);
    out.headers = std::move(resp.headers);
    return out;
}

}  // namespace creodias
