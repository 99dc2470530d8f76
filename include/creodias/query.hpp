#pragma once
/// @file query.hpp
/// The search model shared by every catalogue backend (embedded store, remote clients).

#include <creodias/export.hpp>
#include <creodias/geometry.hpp>
#include <creodias/product.hpp>
#include <creodias/time.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// How a product footprint must relate to the area of interest.
enum class SpatialRelation {
    intersects,  ///< footprint and AOI share at least one point (DEFAULT)
    within,      ///< footprint lies entirely inside the AOI
    contains,    ///< footprint entirely covers the AOI
};

enum class SortField {
    sensing_time,      ///< sensing start (DEFAULT)
    publication_time,  ///< Product::published (products without one sort last)
    cloud_cover,       ///< Product::cloud_cover (products without one sort last)
};

enum class SortOrder { ascending, descending };

CREODIAS_EXPORT std::string_view to_string(SpatialRelation r) noexcept;
CREODIAS_EXPORT std::string_view to_string(SortField f) noexcept;
/// Parses "intersects" | "within" | "contains". @throws InvalidArgument.
CREODIAS_EXPORT SpatialRelation parse_spatial_relation(std::string_view text);
/// Parses "sensing" / "datetime" / "startDate", "published" / "publication", "cloud" /
/// "cloudCover", optionally prefixed by '-' (descending) or '+' (ascending).
/// @throws InvalidArgument.
CREODIAS_EXPORT std::pair<SortField, SortOrder> parse_sort(std::string_view text);

/// A catalogue search. Every filter is optional; filters combine with AND, values inside a
/// list filter combine with OR. Text filters compare case-insensitively.
///
/// Time ranges select products whose sensing interval [start, end] *overlaps* the range
/// (STAC API semantics); publication/modification ranges compare the single timestamp.
///
/// Typical usage:
/// @code
///   creodias::Query q;
///   q.collections = {"SENTINEL-2"};
///   q.aoi = creodias::Geometry::from_bbox(creodias::BBox::parse("5,45,6,46"));
///   q.sensing.start = creodias::parse_datetime("2024-06-01");
///   q.sensing.end = creodias::parse_datetime_end("2024-06-30");
///   q.cloud_max = 20;
///   q.count = true;
/// @endcode
struct CREODIAS_EXPORT Query {
    std::vector<std::string> ids;               ///< product ids or names (exact)
    std::vector<std::string> collections;       ///< canonical or alias names ("Sentinel2")
    std::vector<std::string> product_types;
    std::vector<std::string> processing_levels;
    std::vector<std::string> platforms;
    std::vector<std::string> instruments;
    std::vector<std::string> sensor_modes;

    std::optional<Geometry> aoi;                ///< WGS84; crossing ±180 is allowed
    SpatialRelation relation = SpatialRelation::intersects;

    TimeRange sensing;
    TimeRange published;
    TimeRange updated;

    std::optional<double> cloud_min;            ///< percent, inclusive
    std::optional<double> cloud_max;            ///< percent, inclusive
    std::optional<std::int64_t> orbit_min;      ///< absolute orbit, inclusive
    std::optional<std::int64_t> orbit_max;      ///< absolute orbit, inclusive
    std::vector<std::int64_t> relative_orbits;
    std::optional<OrbitDirection> orbit_direction;
    std::vector<std::string> tile_ids;          ///< MGRS tiles or WRS path/row "PPPRRR"
    std::vector<std::string> polarisations;     ///< product must have each of these
    std::optional<bool> online;
    /// Product-name pattern: '*' any run, '?' one character, case-insensitive.
    std::string name_pattern;

    SortField sort = SortField::sensing_time;
    SortOrder order = SortOrder::descending;
    /// Page size, 1..10000.  DEFAULT: 100
    std::size_t limit = 100;
    /// Opaque keyset cursor from a previous Page::next_cursor (same query).
    std::string cursor;
    /// Also compute the number of matching products.  DEFAULT: false
    bool count = false;

    /// Checks ranges and consistency (start after end, cloud outside 0..100, limit 0, an
    /// invalid AOI...). @throws InvalidArgument naming the offending field.
    void validate() const;
    /// A stable digest of the filters and the sort (not of limit/cursor/count), used to
    /// bind cursors to their query.
    std::string fingerprint() const;
};

/// Result count: exact, or an estimate when an exact count would cost more than the page.
struct Count {
    std::uint64_t value = 0;
    bool exact = true;
};

/// One page of results.
struct Page {
    std::vector<Product> products;
    std::string next_cursor;     ///< empty on the last page
    std::optional<Count> count;  ///< present when Query::count was set
};

}  // namespace creodias
