// The built-in tile matrix sets, computed from their defining constants (OGC TMS 2.0,
// annex D): WebMercatorQuad and WorldCRS84Quad.
#include <creodias/error.hpp>
#include <creodias/tile_matrix_set.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <memory>
#include <mutex>

namespace creodias {
namespace {

constexpr const char* kOrigin = "tiles";
constexpr double kPixelMetres = 0.00028;                 // the standard rendering pixel
constexpr double kMercatorHalf = 20037508.3427892439;    // pi * 6378137
constexpr double kMetresPerDegree = 2 * kMercatorHalf / 360.0;
constexpr int kMaxZoom = 24;

TileMatrixSet make_web_mercator(int tile_size) {
    std::vector<TileMatrix> levels;
    for (int z = 0; z <= kMaxZoom; ++z) {
        TileMatrix m;
        m.id = std::to_string(z);
        m.cell_size = 2 * kMercatorHalf / (static_cast<double>(tile_size) * std::ldexp(1.0, z));
        m.scale_denominator = m.cell_size / kPixelMetres;
        m.origin_x = -kMercatorHalf;
        m.origin_y = kMercatorHalf;
        m.tile_width = m.tile_height = tile_size;
        m.matrix_width = m.matrix_height = std::int64_t{1} << z;
        levels.push_back(std::move(m));
    }
    return TileMatrixSet(tile_size == 256 ? "WebMercatorQuad" : "WebMercatorQuad@512",
                         "Google Maps Compatible for the World", "EPSG:3857",
                         "http://www.opengis.net/def/crs/EPSG/0/3857",
                         tile_size == 256 ? "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible" : "",
                         {-kMercatorHalf, -kMercatorHalf, kMercatorHalf, kMercatorHalf}, tile_size, std::move(levels));
}

TileMatrixSet make_crs84(int tile_size) {
    std::vector<TileMatrix> levels;
    for (int z = 0; z <= kMaxZoom - 1; ++z) {
        TileMatrix m;
        m.id = std::to_string(z);
        m.cell_size = 180.0 / (static_cast<double>(tile_size) * std::ldexp(1.0, z));
        m.scale_denominator = m.cell_size * kMetresPerDegree / kPixelMetres;
        m.origin_x = -180;
        m.origin_y = 90;
        m.tile_width = m.tile_height = tile_size;
        m.matrix_width = std::int64_t{2} << z;
        m.matrix_height = std::int64_t{1} << z;
        levels.push_back(std::move(m));
    }
    return TileMatrixSet(tile_size == 256 ? "WorldCRS84Quad" : "WorldCRS84Quad@512",
                         "CRS84 for the World", "OGC:CRS84", "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
                         tile_size == 256 ? "http://www.opengis.net/def/wkss/OGC/1.0/GoogleCRS84Quad" : "",
                         {-180, -90, 180, 90}, tile_size, std::move(levels));
}

struct Registry {
    TileMatrixSet merc256 = make_web_mercator(256), merc512 = make_web_mercator(512);
    TileMatrixSet crs256 = make_crs84(256), crs512 = make_crs84(512);
};

const Registry& registry() {
    static const Registry r;
    return r;
}

}  // namespace

TileMatrixSet::TileMatrixSet(std::string id, std::string title, std::string crs, std::string crs_uri,
                             std::string wkss, Extent extent, int tile_size, std::vector<TileMatrix> matrices)
    : id_(std::move(id)),
      title_(std::move(title)),
      crs_(std::move(crs)),
      crs_uri_(std::move(crs_uri)),
      wkss_(std::move(wkss)),
      extent_(extent),
      tile_size_(tile_size),
      matrices_(std::move(matrices)) {}

const TileMatrixSet& TileMatrixSet::get(std::string_view id, int tile_size) {
    std::string key = detail::to_lower(detail::trim(id));
    if (auto at = key.find('@'); at != std::string::npos) {
        auto n = detail::parse_int(std::string_view(key).substr(at + 1));
        if (!n || (*n != 256 && *n != 512))
            throw InvalidArgument(kOrigin, fmt::format("tile size in '{}' must be 256 or 512", id));
        tile_size = static_cast<int>(*n);
        key.resize(at);
    }
    if (tile_size != 256 && tile_size != 512)
        throw InvalidArgument(kOrigin, fmt::format("tile size must be 256 or 512, got {}", tile_size));
    const auto& r = registry();
    if (key == "webmercatorquad" || key == "googlemapscompatible" || key == "epsg:3857" || key == "epsg:900913" ||
        key == "googlemapscompatible_level" || key == "webmercator")
        return tile_size == 256 ? r.merc256 : r.merc512;
    if (key == "worldcrs84quad" || key == "googlecrs84quad" || key == "crs84" || key == "ogc:crs84")
        return tile_size == 256 ? r.crs256 : r.crs512;
    throw NotFoundError(kOrigin, fmt::format("unknown tile matrix set '{}' (known: WebMercatorQuad, WorldCRS84Quad)",
                                             detail::trim(id)));
}

std::vector<std::string> TileMatrixSet::ids() { return {"WebMercatorQuad", "WorldCRS84Quad"}; }

const TileMatrix& TileMatrixSet::matrix(int z) const {
    if (z < 0 || z > max_zoom())
        throw InvalidArgument(kOrigin, fmt::format("tile matrix {} is outside 0..{} of {}", z, max_zoom(), id_));
    return matrices_[static_cast<std::size_t>(z)];
}

bool TileMatrixSet::contains(const TileIndex& t) const noexcept {
    if (t.z < 0 || t.z > max_zoom()) return false;
    const auto& m = matrices_[static_cast<std::size_t>(t.z)];
    return t.x >= 0 && t.y >= 0 && t.x < m.matrix_width && t.y < m.matrix_height;
}

Extent TileMatrixSet::tile_extent(const TileIndex& t) const {
    const auto& m = matrix(t.z);
    if (!contains(t))
        throw InvalidArgument(kOrigin, fmt::format("tile {}/{}/{} is outside the {}x{} matrix {} of {}", t.z, t.x, t.y,
                                                   m.matrix_width, m.matrix_height, t.z, id_));
    const double w = m.cell_size * m.tile_width, h = m.cell_size * m.tile_height;
    Extent e;
    e.min_x = m.origin_x + static_cast<double>(t.x) * w;
    e.max_x = m.origin_x + static_cast<double>(t.x + 1) * w;
    e.max_y = m.origin_y - static_cast<double>(t.y) * h;
    e.min_y = m.origin_y - static_cast<double>(t.y + 1) * h;
    // Snap the outer edges to the set's extent (no 1e-9 overshoot at the borders).
    if (t.x + 1 == m.matrix_width) e.max_x = extent_.max_x;
    if (t.y + 1 == m.matrix_height) e.min_y = extent_.min_y;
    return e;
}

TileMatrixSet::TileRange TileMatrixSet::tiles_covering(int z, const Extent& e) const {
    const auto& m = matrix(z);
    TileRange r;
    const double w = m.cell_size * m.tile_width, h = m.cell_size * m.tile_height;
    const double eps = 1e-9 * std::max(w, h);
    auto clamp = [](double v, std::int64_t hi) {
        return std::clamp<std::int64_t>(static_cast<std::int64_t>(std::floor(v)), 0, hi - 1);
    };
    if (e.max_x <= extent_.min_x || e.min_x >= extent_.max_x || e.max_y <= extent_.min_y || e.min_y >= extent_.max_y)
        return r;
    r.min_col = clamp((e.min_x - m.origin_x) / w, m.matrix_width);
    r.max_col = clamp((e.max_x - m.origin_x - eps) / w, m.matrix_width);
    r.min_row = clamp((m.origin_y - e.max_y) / h, m.matrix_height);
    r.max_row = clamp((m.origin_y - e.min_y - eps) / h, m.matrix_height);
    return r;
}

int TileMatrixSet::zoom_for_cell_size(double cell_size) const noexcept {
    int best = 0;
    for (int z = 0; z <= max_zoom(); ++z)
        if (matrices_[static_cast<std::size_t>(z)].cell_size >= cell_size * (1 - 1e-9)) best = z;
    return best;
}

double TileMatrixSet::metres_per_pixel(int z) const {
    const auto& m = matrix(z);
    return crs_ == "EPSG:3857" ? m.cell_size : m.cell_size * kMetresPerDegree;
}

std::string TileMatrixSet::to_json() const {
    nlohmann::ordered_json j;
    j["id"] = id_;
    j["title"] = title_;
    j["uri"] = "http://www.opengis.net/def/tilematrixset/OGC/1.0/" + id_.substr(0, id_.find('@'));
    j["crs"] = crs_uri_;
    j["orderedAxes"] = crs_ == "EPSG:3857" ? nlohmann::json::array({"X", "Y"}) : nlohmann::json::array({"Lon", "Lat"});
    if (!wkss_.empty()) j["wellKnownScaleSet"] = wkss_;
    j["boundingBox"] = {{"lowerLeft", {extent_.min_x, extent_.min_y}},
                        {"upperRight", {extent_.max_x, extent_.max_y}},
                        {"crs", crs_uri_}};
    auto& list = j["tileMatrices"] = nlohmann::json::array();
    for (const auto& m : matrices_)
        list.push_back({{"id", m.id},
                        {"scaleDenominator", m.scale_denominator},
                        {"cellSize", m.cell_size},
                        {"cornerOfOrigin", "topLeft"},
                        {"pointOfOrigin", {m.origin_x, m.origin_y}},
                        {"tileWidth", m.tile_width},
                        {"tileHeight", m.tile_height},
                        {"matrixWidth", m.matrix_width},
                        {"matrixHeight", m.matrix_height}});
    return j.dump();
}

}  // namespace creodias
