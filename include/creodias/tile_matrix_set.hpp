#pragma once
/// @file
/// OGC TileMatrixSet 2.0 tiling schemes: the well-known WebMercatorQuad and WorldCRS84Quad
/// (at 256 or 512 pixel tiles), tile bounds, the tiles covering an extent, and the OGC
/// TMS 2.0 JSON definition.
///
/// Typical usage:
///
///     const auto& tms = creodias::TileMatrixSet::get("WebMercatorQuad");
///     creodias::Extent e = tms.tile_extent({10, 544, 361});   // EPSG:3857 metres
///
/// Thread safety: TileMatrixSet objects are immutable after construction.

#include <creodias/export.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// A rectangle in a CRS, with x = easting or longitude and y = northing or latitude
/// whatever the CRS's axis order.
struct Extent {
    double min_x = 0, min_y = 0, max_x = 0, max_y = 0;
    double width() const noexcept { return max_x - min_x; }
    double height() const noexcept { return max_y - min_y; }
    bool empty() const noexcept { return !(max_x > min_x && max_y > min_y); }
    bool operator==(const Extent& o) const noexcept {
        return min_x == o.min_x && min_y == o.min_y && max_x == o.max_x && max_y == o.max_y;
    }
};

/// One tile: zoom level (the tile matrix index), column and row (row 0 at the top).
struct TileIndex {
    int z = 0;
    std::int64_t x = 0;  ///< column (TileCol)
    std::int64_t y = 0;  ///< row (TileRow)
};

/// One level of a tile matrix set (OGC TMS 2.0 TileMatrix; corner of origin top-left).
struct TileMatrix {
    std::string id;                 ///< "0", "1", ...
    double scale_denominator = 0;   ///< at the standard 0.28 mm pixel
    double cell_size = 0;           ///< CRS units per pixel
    double origin_x = 0, origin_y = 0;  ///< top-left corner, x = easting/longitude
    int tile_width = 256, tile_height = 256;
    std::int64_t matrix_width = 1, matrix_height = 1;
};

/// A tiling scheme. Thread safety: immutable.
class CREODIAS_EXPORT TileMatrixSet {
public:
    /// A registered set by id, case-insensitively: "WebMercatorQuad" (aliases
    /// "GoogleMapsCompatible", "EPSG:3857", "EPSG:900913") and "WorldCRS84Quad" (aliases
    /// "GoogleCRS84Quad", "CRS84"), with 256-pixel tiles; a suffix "@512" or `tile_size`
    /// 512 gives the same extents with 512-pixel tiles (half the cell size).
    /// @throws NotFoundError naming the known sets.
    static const TileMatrixSet& get(std::string_view id, int tile_size = 256);

    /// Ids of the registered sets.
    static std::vector<std::string> ids();

    const std::string& id() const noexcept { return id_; }
    const std::string& title() const noexcept { return title_; }
    /// The CRS as "EPSG:3857" or "OGC:CRS84".
    const std::string& crs() const noexcept { return crs_; }
    /// The CRS URI ("http://www.opengis.net/def/crs/EPSG/0/3857").
    const std::string& crs_uri() const noexcept { return crs_uri_; }
    /// The OGC well-known scale set URI, or "".
    const std::string& well_known_scale_set() const noexcept { return wkss_; }
    /// Whether the CRS's first axis is northing/latitude (never true for the built-in sets).
    bool axis_order_yx() const noexcept { return false; }
    /// The extent the levels cover (the bounding box of the set).
    const Extent& extent() const noexcept { return extent_; }
    int tile_size() const noexcept { return tile_size_; }
    const std::vector<TileMatrix>& matrices() const noexcept { return matrices_; }
    int max_zoom() const noexcept { return static_cast<int>(matrices_.size()) - 1; }

    /// The level; @throws InvalidArgument (Errc::invalid_argument) when out of range.
    const TileMatrix& matrix(int z) const;
    /// Whether (z, x, y) is a tile of this set.
    bool contains(const TileIndex& t) const noexcept;
    /// The tile's extent in the set's CRS. @throws InvalidArgument when out of range.
    Extent tile_extent(const TileIndex& t) const;
    /// The tiles of level z intersecting `e` (clamped to the matrix), as an inclusive
    /// range of columns and rows: {min_col, min_row, max_col, max_row}; empty when disjoint.
    struct TileRange {
        std::int64_t min_col = 0, min_row = 0, max_col = -1, max_row = -1;
        bool empty() const noexcept { return max_col < min_col || max_row < min_row; }
    };
    TileRange tiles_covering(int z, const Extent& e) const;
    /// The finest level whose cell size is at least `cell_size` (CRS units per pixel), or
    /// the coarsest/finest level at the ends.
    int zoom_for_cell_size(double cell_size) const noexcept;
    /// Metres per pixel at level z at the equator (for the zoom-out policy).
    double metres_per_pixel(int z) const;

    /// The OGC TileMatrixSet 2.0 JSON document.
    std::string to_json() const;

    TileMatrixSet(std::string id, std::string title, std::string crs, std::string crs_uri, std::string wkss,
                  Extent extent, int tile_size, std::vector<TileMatrix> matrices);

private:
    std::string id_, title_, crs_, crs_uri_, wkss_;
    Extent extent_;
    int tile_size_;
    std::vector<TileMatrix> matrices_;
};

}  // namespace creodias
