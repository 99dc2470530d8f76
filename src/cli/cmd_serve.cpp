// creodias serve: the tile and OGC service over a catalogue.
#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>
#include <creodias/server.hpp>

#include "cli/args.hpp"
#include "cli/commands.hpp"

#include <fmt/format.h>

#include <csignal>
#include <cstdlib>
#include <pthread.h>
#include <thread>

namespace creodias::cli {

int cmd_serve(const std::vector<std::string>& argv) {
    const std::vector<OptionSpec> specs = {
        {"db", true, "catalogue database (default $CREODIAS_DB or ~/.local/share/creodias/catalogue.db)", "PATH"},
        {"host", true, "address to listen on (default 127.0.0.1)", "ADDR"},
        {"port", true, "port (default 8080; 0 picks a free one)", "N"},
        {"public-url", true, "base URL written into capabilities (default: from the Host header)", "URL"},
        {"threads", true, "render workers (default two per core)", "N"},
        {"eodata-root", true, "the /eodata mount (default $CREODIAS_EODATA_ROOT, else /eodata)", "DIR"},
        {"cache-mb", true, "in-memory tile cache in MiB (default 128)", "MIB"},
        {"disk-cache", true, "directory of an on-disk tile cache (default none)", "DIR"},
        {"disk-cache-mb", true, "size cap of the disk cache in MiB (default 1024)", "MIB"},
        {"block-cache-mb", true, "decoded raster blocks kept in memory, MiB (default 512)", "MIB"},
        {"timeout", true, "deadline of one render in seconds (default 20)", "S"},
        {"max-mosaic-resolution", true, "metres per pixel beyond which mosaics ask to zoom in (default 1500)", "M"},
        {"viewer-dir", true, "serve the viewer from this directory instead of the built-in files", "DIR"},
        {"help", false, "show this help", ""}};
    Args a(argv, specs);
    maybe_help(a,
               "usage: creodias serve [--db PATH] [--host H] [--port N] [options]\n"
               "Serves on-the-fly tiles of the catalogue's products and mosaics: WMTS, XYZ/TileJSON, WMS, WCS, a JSON\n"
               "API and a map viewer at /viewer/.\n",
               specs);
    if (!a.positional().empty()) throw InvalidArgument("cli", fmt::format("serve takes no argument '{}'", a.positional()[0]));
    ServerOptions o;
    if (auto db = a.get("db")) o.catalogue = *db;
    else if (const char* env = std::getenv("CREODIAS_DB"); env && *env) o.catalogue = env;
    if (auto h = a.get("host")) o.host = *h;
    auto integer = [&](const char* name, long long lo, long long hi, long long def) {
        auto v = a.integer(name);
        if (!v) return def;
        if (*v < lo || *v > hi) throw InvalidArgument("cli", fmt::format("--{} must be in {}..{}", name, lo, hi));
        return *v;
    };
    o.port = static_cast<int>(integer("port", 0, 65535, 8080));
    o.threads = static_cast<unsigned>(integer("threads", 0, 256, 0));
    if (auto u = a.get("public-url")) o.public_url = *u;
    if (auto r = a.get("eodata-root")) o.access.eodata_root = *r;
    else if (const char* env = std::getenv("CREODIAS_EODATA_ROOT")) o.access.eodata_root = env;
    o.tile_cache_mb = static_cast<std::size_t>(integer("cache-mb", 0, 1 << 20, 128));
    if (auto d = a.get("disk-cache")) o.disk_cache = *d;
    o.disk_cache_mb = static_cast<std::size_t>(integer("disk-cache-mb", 1, 1 << 24, 1024));
    o.renderer.block_cache_mb = static_cast<std::size_t>(integer("block-cache-mb", 16, 1 << 20, 512));
    o.render_timeout = static_cast<double>(integer("timeout", 1, 3600, 20));
    o.max_mosaic_resolution = static_cast<double>(integer("max-mosaic-resolution", 1, 1000000, 1500));
    if (auto v = a.get("viewer-dir")) o.viewer_dir = *v;

    // Signals go to a waiting thread only, so the server's threads are never interrupted.
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    TileServer server(o);
    server.start();
    fmt::print("creodias: serving {} (catalogue {})\n", server.url(),
               (o.catalogue.empty() ? Catalogue::default_path() : o.catalogue).string());
    fmt::print("creodias: viewer  {}/viewer/\n", server.url());
    fmt::print("creodias: WMTS    {}/wmts?SERVICE=WMTS&REQUEST=GetCapabilities\n", server.url());
    fmt::print("creodias: WMS     {}/wms?SERVICE=WMS&REQUEST=GetCapabilities\n", server.url());
    fmt::print("creodias: WCS     {}/wcs?SERVICE=WCS&REQUEST=GetCapabilities\n", server.url());
    std::fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fmt::print(stderr, "creodias: stopping ({})\n", sig == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
    return 0;
}

}  // namespace creodias::cli
