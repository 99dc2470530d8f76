#pragma once
/// @file geometry.hpp
/// Footprints and areas of interest in WGS84 longitude/latitude (EPSG:4326, lon first).

#include <creodias/export.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// One vertex: longitude then latitude, in degrees.
struct LonLat {
    double lon = 0;
    double lat = 0;
    bool operator==(const LonLat& o) const noexcept { return lon == o.lon && lat == o.lat; }
};

/// An axis-aligned longitude/latitude box. `west > east` denotes a box that crosses the
/// antimeridian (e.g. west=170, east=-170 spans 20 degrees).
struct CREODIAS_EXPORT BBox {
    double west = 0;
    double south = 0;
    double east = 0;
    double north = 0;

    bool crosses_antimeridian() const noexcept { return west > east; }

    /// Parses "W,S,E,N". Accepts west > east (antimeridian crossing).
    /// @throws InvalidArgument on a wrong count, a non-number, latitudes outside ±90,
    ///         longitudes outside ±180 or south > north.
    static BBox parse(std::string_view text);
};

/// Kinds of geometry the library reads and writes.
enum class GeometryType {
    point,
    line_string,
    polygon,
    multi_point,
    multi_line_string,
    multi_polygon,
};

/// A simple-features geometry in WGS84 (lon/lat).
///
/// The representation is deliberately plain: `parts` holds one entry per member geometry
/// (one for single geometries), each part holds its rings (polygons) or its single line
/// (points and lines), and each ring is a vertex list. Polygon rings are closed (first
/// vertex repeated last).
///
/// Typical usage:
/// @code
///   auto aoi = creodias::Geometry::from_wkt("POLYGON((10 45, 11 45, 11 46, 10 46, 10 45))");
///   auto fp  = creodias::normalize_footprint(creodias::Geometry::from_geojson(json));
///   bool hit = creodias::intersects(aoi, fp);
/// @endcode
/// Thread safety: a value type; concurrent const use is safe.
class CREODIAS_EXPORT Geometry {
public:
    using Ring = std::vector<LonLat>;
    using Part = std::vector<Ring>;

    Geometry() = default;
    Geometry(GeometryType type, std::vector<Part> parts) : type_(type), parts_(std::move(parts)) {}

    static Geometry point(double lon, double lat);
    /// A rectangle polygon; a box crossing the antimeridian becomes a two-part MultiPolygon.
    static Geometry from_bbox(const BBox& box);

    /// Parses WKT (POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING, MULTIPOLYGON;
    /// an optional `SRID=4326;` prefix is accepted). @throws InvalidArgument with the offset.
    static Geometry from_wkt(std::string_view wkt);
    /// Parses a GeoJSON geometry object, or a Feature (its geometry) or a FeatureCollection
    /// with exactly one feature. @throws InvalidArgument.
    static Geometry from_geojson(std::string_view json);
    /// Parses ISO/OGC WKB (either byte order). @throws InvalidArgument.
    static Geometry from_wkb(std::string_view wkb);

    GeometryType type() const noexcept { return type_; }
    const std::vector<Part>& parts() const noexcept { return parts_; }
    bool empty() const noexcept { return parts_.empty(); }
    /// Total vertex count.
    std::size_t num_points() const noexcept;

    /// Bounding box over all parts. For a footprint split at the antimeridian this spans
    /// the globe; use part_bboxes() for indexing.
    BBox bbox() const;
    /// One box per part (per polygon or line).
    std::vector<BBox> part_bboxes() const;

    /// WKT with coordinates in shortest round-trip form (parsing it back is lossless).
    std::string to_wkt() const;
    /// A GeoJSON geometry object (RFC 7946 coordinate order lon,lat), lossless like to_wkt.
    std::string to_geojson() const;
    /// Little-endian ISO WKB.
    std::string to_wkb() const;

    bool operator==(const Geometry& o) const noexcept {
        return type_ == o.type_ && parts_ == o.parts_;
    }

private:
    GeometryType type_ = GeometryType::polygon;
    std::vector<Part> parts_;
};

/// Checks a geometry given by a user: coordinates within ±180/±90, finite, closed rings with
/// at least 4 vertices, no self-intersection (OGC validity).
/// @throws InvalidArgument describing the first problem found.
CREODIAS_EXPORT void validate(const Geometry& g);

/// Turns a footprint as written in product metadata into a valid geometry on [-180,180]:
/// rings whose longitudes jump across the antimeridian are unwrapped and split into a
/// MultiPolygon; rings that encircle a pole are closed through that pole; polygons are
/// returned as MultiPolygon, lines as MultiLineString; invalid rings are repaired
/// (make-valid). Never returns a polygon that wraps the globe the wrong way.
/// @throws InvalidArgument when nothing valid is left.
CREODIAS_EXPORT Geometry normalize_footprint(const Geometry& g);

/// Checks an area of interest and returns it unchanged. AOIs are taken literally (RFC 7946):
/// coordinates must lie within ±180/±90; an AOI crossing the antimeridian is written as a
/// bbox with west > east (Geometry::from_bbox splits it) or as a MultiPolygon.
/// @throws InvalidArgument (see validate()).
CREODIAS_EXPORT Geometry normalize_aoi(const Geometry& g);

/// Spatial predicates (DE-9IM semantics, as PostGIS ST_Intersects/ST_Within/ST_Contains).
CREODIAS_EXPORT bool intersects(const Geometry& a, const Geometry& b);
CREODIAS_EXPORT bool within(const Geometry& a, const Geometry& b);
CREODIAS_EXPORT bool contains(const Geometry& a, const Geometry& b);

/// Area in square degrees (planar), for diagnostics and tests.
CREODIAS_EXPORT double planar_area(const Geometry& g);

}  // namespace creodias
