#pragma once
/// @file
/// The HTTP service behind `creodias serve`: on-the-fly tiles from the products of a
/// catalogue and from time-ranged mosaics of it, through WMTS 1.0.0 (KVP and REST), XYZ and
/// TileJSON, WMS 1.1.1/1.3.0, WCS 2.0.1, a JSON API and a browser viewer (see docs/tiles.md).
///
/// Typical usage:
///
///     creodias::ServerOptions o;
///     o.catalogue = "catalogue.db";
///     o.port = 8080;
///     creodias::TileServer server(o);
///     server.start();            // serves on background threads
///     std::cout << server.url() << "/viewer/\n";
///     server.wait();             // until stop() (for example from a signal handler)
///
/// Thread safety: start(), stop() and wait() may be called from different threads.

#include <creodias/access.hpp>
#include <creodias/export.hpp>
#include <creodias/render.hpp>

#include <cstddef>
#include <filesystem>
#include <memory>
#include <string>

namespace creodias {

struct ServerOptions {
    /// The catalogue file.  DEFAULT: Catalogue::default_path()
    std::filesystem::path catalogue;
    /// Address to bind: an IPv4/IPv6 literal or "localhost".  DEFAULT: "127.0.0.1"
    std::string host = "127.0.0.1";
    /// Port; 0 picks a free one (see TileServer::port()).  DEFAULT: 8080
    int port = 8080;
    /// Base URL written into capabilities documents and TileJSON; "" derives it from the
    /// request's Host header.  DEFAULT: ""
    std::string public_url;
    /// Worker threads rendering requests; 0: two per core, at least 4.  DEFAULT: 0
    unsigned threads = 0;
    /// Where products are read from (mount, S3).
    AccessOptions access;
    RendererOptions renderer;
    /// Largest WMS/WCS image side; larger WIDTH/HEIGHT get a 400.  DEFAULT: 4096
    int max_image_size = 4096;
    /// Mosaics beyond this many metres per pixel are refused with a "zoom in" error (the
    /// policy that keeps zoomed-out views of the whole catalogue from timing out).
    /// DEFAULT: 1500
    double max_mosaic_resolution = 1500;
    /// Beyond this many metres per pixel, mosaics are previews: at most
    /// `preview_max_products` products, read from their coarsest levels.  DEFAULT: 200
    double preview_resolution = 200;
    std::size_t preview_max_products = 4;
    /// Products combined into one mosaic tile at most.  DEFAULT: 16
    std::size_t max_mosaic_products = 16;
    /// Deadline of one render, seconds.  DEFAULT: 20
    double render_timeout = 20;
    /// In-memory cache of encoded tiles, MiB (0: none).  DEFAULT: 128
    std::size_t tile_cache_mb = 128;
    /// On-disk tile cache directory ("" = none) and its size cap in MiB; the least recently
    /// used tiles are evicted past the cap.  DEFAULT: "", 1024
    std::filesystem::path disk_cache;
    std::size_t disk_cache_mb = 1024;
    /// Product layers listed in capabilities (most recent first); others are still served
    /// by name, and GetCapabilities&LAYER=name lists any one.  DEFAULT: 50
    std::size_t max_product_layers = 50;
    /// Directory of the viewer's files; "" uses the files built into the library.
    std::filesystem::path viewer_dir;
};

class CREODIAS_EXPORT TileServer {
public:
    /// Opens the catalogue (read-only) and prepares the layers.
    /// @throws StorageError / NotFoundError when the catalogue cannot be opened.
    explicit TileServer(ServerOptions options);
    ~TileServer();
    TileServer(const TileServer&) = delete;
    TileServer& operator=(const TileServer&) = delete;

    /// Binds and starts serving. @throws Error(Errc::io) when the port cannot be bound.
    void start();
    /// The bound port.
    int port() const noexcept;
    /// "http://HOST:PORT".
    std::string url() const;
    /// Blocks until stop() is called.
    void wait();
    /// Stops serving (requests in flight are finished).
    void stop();

    /// Answers one request in process, without the network: method, path and raw query
    /// string ("SERVICE=WMS&REQUEST=GetMap&..."). For tests and embedding.
    struct Response {
        int status = 200;
        std::string content_type;
        std::string body;
        std::vector<std::pair<std::string, std::string>> headers;
    };
    Response handle(const std::string& method, const std::string& path, const std::string& query = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace creodias
