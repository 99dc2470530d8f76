#pragma once
// Private: the HTTP/1.1 server under `creodias serve`. libmicrohttpd runs the sockets on one
// polling thread (epoll); every request is handed to a fixed pool of worker threads while its
// connection is suspended, so a slow render never blocks the event loop or other
// connections. The queue is bounded: past it, requests get 503 at once.

#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creodias::detail {

struct HttpRequest {
    std::string method;  ///< "GET", "POST", "HEAD"...
    std::string path;    ///< decoded path, without the query
    std::vector<std::pair<std::string, std::string>> query;  ///< decoded, in order, names as sent
    std::map<std::string, std::string> headers;               ///< names lower-case
    std::string body;
    std::string remote;  ///< peer address

    /// A query parameter, names compared case-insensitively (OGC KVP rules); the first one.
    std::optional<std::string> param(std::string_view name) const;
    /// All values of a parameter.
    std::vector<std::string> params(std::string_view name) const;
    std::string header(std::string_view lower_name) const;
};

struct HttpResponse {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    void header(std::string name, std::string value) { headers.emplace_back(std::move(name), std::move(value)); }
};

using HttpHandler = std::function<HttpResponse(const HttpRequest&)>;

struct HttpServerOptions {
    std::string host = "127.0.0.1";  ///< an IPv4 or IPv6 literal, or "localhost"
    int port = 8080;                 ///< 0: any free port
    unsigned threads = 0;            ///< workers; 0: 2 × cores, at least 4
    std::size_t max_queue = 1024;    ///< requests waiting for a worker before 503s
    std::size_t max_body = 1 << 20;  ///< request bodies larger than this get 413
    unsigned connection_timeout_s = 60;
    unsigned max_connections = 1024;
};

class HttpServer {
public:
    HttpServer(HttpServerOptions options, HttpHandler handler);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    /// Binds and starts serving. @throws Error(Errc::io) when the address cannot be bound.
    void start();
    /// The bound port (after start()).
    int port() const noexcept;
    /// Stops accepting, finishes the requests in flight, joins the workers.
    void stop();

    struct Stats {
        std::size_t requests = 0, queued = 0, rejected = 0;
    };
    Stats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Percent-decoding of a URL component ('+' stays '+').
std::string url_decode(std::string_view s);
/// Percent-encoding of a query value (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view s);

}  // namespace creodias::detail
