#pragma once
// Private: the tile service behind TileServer. It owns a pool of read-only catalogue
// connections, the renderer, the layer list, the band-source cache and the tile caches,
// and answers every route of docs/tiles.md. Protocol front ends (wmts.cpp, wms.cpp,
// wcs.cpp) turn their parameters into a MapRequest and format results and errors.

#include <creodias/catalogue.hpp>
#include <creodias/render.hpp>
#include <creodias/server.hpp>

#include "server/http_server.hpp"
#include "server/tile_cache.hpp"

#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

namespace creodias::detail {

/// An error answered to the client: status, an OGC exception code, the parameter at fault.
struct ServiceError {
    int status = 400;
    std::string code = "InvalidParameterValue";
    std::string locator;
    std::string message;
};

/// What a protocol's error documents look like.
enum class ErrorFormat { json, ows11, ows20, wms111, wms130 };

HttpResponse error_response(const ServiceError& e, ErrorFormat format);
/// Maps an exception thrown while answering to a ServiceError.
ServiceError to_service_error(const std::exception& e, const std::string& locator = {});
[[noreturn]] void bad_parameter(const std::string& locator, const std::string& message,
                                const std::string& code = "InvalidParameterValue");
[[noreturn]] void missing_parameter(const std::string& locator);

struct Layer {
    std::string id, title, abstract;
    std::string collection;                  ///< canonical
    std::vector<std::string> product_types;  ///< the layer's products (empty: any)
    std::string product;                     ///< a product layer: the product's name
    std::vector<std::string> styles;         ///< preset ids, default first
    BBox bbox{-180, -90, 180, 90};
    Timestamp start, end;
    std::size_t products = 0;                ///< products in the layer (sampled for mosaics)
    bool is_product() const { return !product.empty(); }
};

/// Everything that decides the pixels of a map, parsed from a request.
struct MapRequest {
    Layer layer;
    Style style;
    std::string style_key;   ///< canonical text of the style parameters (cache keys)
    TimeRange time;          ///< sensing time filter (mosaics)
    std::optional<double> max_cloud;
    MosaicOrder order = MosaicOrder::most_recent;
    bool cloud_mask = false;
    Resampling resampling = Resampling::bilinear;
    std::string key() const;  ///< canonical cache key of everything above
};

class TileService {
public:
    explicit TileService(ServerOptions options);
    ~TileService();

    HttpResponse handle(const HttpRequest& request);
    const ServerOptions& options() const { return options_; }

    // ---- shared by the protocol front ends ----
    /// The base URL for links: the configured public URL or http://<Host header>.
    std::string base_url(const HttpRequest& r) const;
    /// The current layers (rebuilt when the catalogue file changes).
    std::shared_ptr<const std::vector<Layer>> layers();
    /// A layer by id, or a product layer by product name/id. @throws ServiceError.
    Layer find_layer(const std::string& id, const std::string& locator = "LAYER");
    /// Parses the style-related and time parameters of a request into `m`:
    /// STYLE(S), EXPRESSION, RESCALE, COLORMAP, GAMMA, TIME, MAXCC, PRIORITY, CLOUDMASK,
    /// RESAMPLING. @throws ServiceError.
    MapRequest map_request(const HttpRequest& r, const Layer& layer, std::string_view style_param = "STYLE");
    /// Renders raw bands (mosaicked for layers) onto a target. @throws ServiceError.
    RasterBlock read(const MapRequest& m, const RenderTarget& target, RenderStats* stats = nullptr,
                     std::vector<std::string> extra_bands = {});
    /// Renders and encodes an image, through the tile caches. Sets ETag, Cache-Control and
    /// X-Creodias-* headers; answers 304 to a matching If-None-Match.
    HttpResponse image(const HttpRequest& r, const MapRequest& m, const RenderTarget& target, ImageFormat format);
    /// Products of a mosaic covering a WGS84 box, in the mosaic's order.
    std::vector<Product> products_for(const MapRequest& m, const BBox& box, std::size_t limit);
    /// The band sources of a product (cached).
    std::shared_ptr<const SourceSet> sources(const Product& p);
    std::optional<Product> product(const std::string& id_or_name);
    Renderer& renderer() { return *renderer_; }

    // Protocol front ends (wmts.cpp, wms.cpp, wcs.cpp).
    HttpResponse wmts(const HttpRequest& r);
    HttpResponse wmts_rest(const HttpRequest& r, const std::vector<std::string>& parts);
    HttpResponse wms(const HttpRequest& r);
    HttpResponse wcs(const HttpRequest& r);

private:
    HttpResponse route(const HttpRequest& r);
    HttpResponse xyz(const HttpRequest& r, const std::vector<std::string>& parts);
    HttpResponse tilejson(const HttpRequest& r);
    HttpResponse api_layers(const HttpRequest& r);
    HttpResponse api_styles(const HttpRequest& r);
    HttpResponse api_search(const HttpRequest& r);
    HttpResponse api_point(const HttpRequest& r);
    HttpResponse viewer(const HttpRequest& r, const std::string& rel);
    std::vector<Layer> build_layers();

    class CatalogueLease;
    CatalogueLease catalogue();

    ServerOptions options_;
    std::unique_ptr<ProductAccess> access_;
    std::unique_ptr<Renderer> renderer_;
    TileCache cache_;

    std::mutex cat_mu_;
    std::condition_variable cat_cv_;
    std::vector<std::unique_ptr<Catalogue>> idle_catalogues_;
    std::size_t catalogues_open_ = 0, max_catalogues_ = 8;

    std::mutex layers_mu_;
    std::shared_ptr<const std::vector<Layer>> layers_;
    std::int64_t layers_stamp_ = -1;   // catalogue mtime the layers were built from
    std::int64_t layers_checked_ = 0;  // steady-clock seconds of the last check

    std::mutex sources_mu_;
    std::list<std::pair<std::string, std::shared_ptr<const SourceSet>>> sources_lru_;
    std::unordered_map<std::string, decltype(sources_lru_)::iterator> sources_index_;
};

}  // namespace creodias::detail
