#pragma once
// Private: the GEOS boundary. GEOS is used through its reentrant C API with one context
// per thread; GEOS errors become creodias::InvalidArgument at this boundary only.

#include <creodias/geometry.hpp>

#include <memory>
#include <string_view>

typedef struct GEOSContextHandle_HS* GEOSContextHandle_t;
typedef struct GEOSGeom_t GEOSGeometry;
typedef struct GEOSPrepGeom_t GEOSPreparedGeometry;

namespace creodias::detail {

/// The calling thread's GEOS context (created on first use).
GEOSContextHandle_t geos();

struct GeosDeleter {
    void operator()(GEOSGeometry* g) const noexcept;
};
using GeosPtr = std::unique_ptr<GEOSGeometry, GeosDeleter>;

GeosPtr to_geos(const Geometry& g);
Geometry from_geos(const GEOSGeometry* g);
/// Decodes WKB straight into GEOS (no intermediate Geometry). Throws InvalidArgument.
GeosPtr geos_from_wkb(std::string_view wkb);

/// Throws InvalidArgument with GEOS's reason ("Self-intersection at ...") when invalid.
void check_valid(const GEOSGeometry* g);

enum class SpatialRelation { intersects, within, contains };

/// An area of interest prepared once for many predicate evaluations against footprints.
/// Thread safety: use from the thread that created it (GEOS contexts are per thread).
class PreparedAoi {
public:
    explicit PreparedAoi(const Geometry& aoi);
    ~PreparedAoi();
    PreparedAoi(const PreparedAoi&) = delete;
    PreparedAoi& operator=(const PreparedAoi&) = delete;

    /// Evaluates "footprint <relation> aoi" in the sense of the query: intersects(f, aoi),
    /// within(f, aoi) (footprint inside the AOI), contains(f, aoi) (footprint contains AOI).
    bool test(SpatialRelation rel, const GEOSGeometry* footprint) const;
    bool test_wkb(SpatialRelation rel, std::string_view footprint_wkb) const;
    /// True when the AOI is exactly an axis-aligned rectangle (or two, split at ±180),
    /// enabling bbox-only shortcuts.
    bool is_rectangle() const noexcept { return rectangle_; }

private:
    GeosPtr geom_;
    const GEOSPreparedGeometry* prepared_ = nullptr;
    bool rectangle_ = false;
};

}  // namespace creodias::detail
