#include "geo/geos.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>
#include <geos_c.h>

#include <cmath>
#include <optional>
#include <cstdarg>
#include <cstdio>
#include <string>
#include <vector>

namespace creodias::detail {

namespace {

// GEOS reports errors through a callback; keep the last message per thread so the boundary
// can raise it as an exception.
thread_local std::string g_last_geos_error;

void geos_message(const char* fmtstr, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmtstr);
    std::vsnprintf(buf, sizeof buf, fmtstr, ap);
    va_end(ap);
    g_last_geos_error = buf;
}

struct ContextHolder {
    GEOSContextHandle_t ctx;
    ContextHolder() {
        ctx = GEOS_init_r();
        GEOSContext_setErrorHandler_r(ctx, geos_message);
        GEOSContext_setNoticeHandler_r(ctx, nullptr);
    }
    ~ContextHolder() { GEOS_finish_r(ctx); }
};

[[noreturn]] void geos_fail(const char* what) {
    std::string msg = g_last_geos_error.empty() ? "unknown GEOS error" : g_last_geos_error;
    g_last_geos_error.clear();
    throw InvalidArgument("geos", fmt::format("{}: {}", what, msg));
}

GEOSGeometry* make_ring(GEOSContextHandle_t h, const Geometry::Ring& r, bool linear_ring) {
    GEOSCoordSequence* seq = GEOSCoordSeq_create_r(h, static_cast<unsigned>(r.size()), 2);
    if (!seq) geos_fail("coordinate sequence");
    for (unsigned k = 0; k < r.size(); ++k) GEOSCoordSeq_setXY_r(h, seq, k, r[k].lon, r[k].lat);
    GEOSGeometry* g = linear_ring ? GEOSGeom_createLinearRing_r(h, seq) : GEOSGeom_createLineString_r(h, seq);
    if (!g) geos_fail(linear_ring ? "linear ring" : "line string");
    return g;
}

GEOSGeometry* make_part(GEOSContextHandle_t h, GeometryType single, const Geometry::Part& part) {
    switch (single) {
        case GeometryType::point: {
            auto* g = GEOSGeom_createPointFromXY_r(h, part.at(0).at(0).lon, part.at(0).at(0).lat);
            if (!g) geos_fail("point");
            return g;
        }
        case GeometryType::line_string: return make_ring(h, part.at(0), false);
        default: {
            GEOSGeometry* shell = make_ring(h, part.at(0), true);
            std::vector<GEOSGeometry*> holes;
            for (size_t k = 1; k < part.size(); ++k) holes.push_back(make_ring(h, part[k], true));
            auto* g = GEOSGeom_createPolygon_r(h, shell, holes.empty() ? nullptr : holes.data(),
                                               static_cast<unsigned>(holes.size()));
            if (!g) geos_fail("polygon");
            return g;
        }
    }
}

Geometry::Ring read_seq(GEOSContextHandle_t h, const GEOSGeometry* g) {
    const GEOSCoordSequence* seq = GEOSGeom_getCoordSeq_r(h, g);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, seq, &n);
    Geometry::Ring r(n);
    for (unsigned k = 0; k < n; ++k) GEOSCoordSeq_getXY_r(h, seq, k, &r[k].lon, &r[k].lat);
    return r;
}

// Collects every non-empty polygon / line / point of g (recursing into collections).
void collect(GEOSContextHandle_t h, const GEOSGeometry* g, std::vector<Geometry::Part>& polys,
             std::vector<Geometry::Part>& lines, std::vector<Geometry::Part>& points) {
    if (GEOSisEmpty_r(h, g)) return;
    int t = GEOSGeomTypeId_r(h, g);
    switch (t) {
        case GEOS_POINT: points.push_back({read_seq(h, g)}); break;
        case GEOS_LINESTRING:
        case GEOS_LINEARRING: lines.push_back({read_seq(h, g)}); break;
        case GEOS_POLYGON: {
            Geometry::Part part;
            part.push_back(read_seq(h, GEOSGetExteriorRing_r(h, g)));
            int nh = GEOSGetNumInteriorRings_r(h, g);
            for (int k = 0; k < nh; ++k) part.push_back(read_seq(h, GEOSGetInteriorRingN_r(h, g, k)));
            polys.push_back(std::move(part));
            break;
        }
        default: {
            int n = GEOSGetNumGeometries_r(h, g);
            for (int k = 0; k < n; ++k) collect(h, GEOSGetGeometryN_r(h, g, k), polys, lines, points);
        }
    }
}

GeometryType single_of(GeometryType t) {
    switch (t) {
        case GeometryType::multi_point: return GeometryType::point;
        case GeometryType::multi_line_string: return GeometryType::line_string;
        case GeometryType::multi_polygon: return GeometryType::polygon;
        default: return t;
    }
}

GeosPtr box(double w, double s, double e, double n) {
    Geometry::Part p{{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}};
    return GeosPtr(make_part(geos(), GeometryType::polygon, p));
}

// Longitudes of a ring made continuous (no step larger than 180 degrees).
// A step of exactly 360 degrees (an edge from -180 to +180) is taken literally: it is how
// whole-world boxes are written, not a wrap.
Geometry::Ring unwrap(const Geometry::Ring& r) {
    Geometry::Ring out = r;
    double shift = 0;
    for (size_t k = 1; k < out.size(); ++k) {
        double d = r[k].lon - r[k - 1].lon;
        if (std::fabs(d) > 180 && std::fabs(d) < 359.999999) shift += d > 0 ? -360 : 360;
        out[k].lon = r[k].lon + shift;
    }
    return out;
}

// Shifts a ring by a multiple of 360 so its mean longitude lies within [-180, 180].
void recenter(Geometry::Ring& r) {
    if (r.empty()) return;
    double mean = 0;
    for (const auto& p : r) mean += p.lon;
    mean /= static_cast<double>(r.size());
    // Closed form (a loop would never end for huge values, where x - 360 == x).
    double shift = mean > 180 || mean < -180 ? -360.0 * std::floor((mean + 180.0) / 360.0) : 0.0;
    if (shift != 0)
        for (auto& p : r) p.lon += shift;
}

// Fast path for the common footprint: one polygon without holes, every vertex within
// ±180/±90, no edge longer than 180 degrees of longitude (so no antimeridian crossing), a
// non-degenerate ring and no two non-adjacent edges touching. Such a ring is valid as it
// is; GEOS (about 40 us per footprint) is only needed for everything else.
bool segments_touch(const LonLat& a, const LonLat& b, const LonLat& c, const LonLat& d) {
    auto orient = [](const LonLat& p, const LonLat& q, const LonLat& r) {
        double v = (q.lon - p.lon) * (r.lat - p.lat) - (q.lat - p.lat) * (r.lon - p.lon);
        return v > 0 ? 1 : v < 0 ? -1 : 0;
    };
    auto on_seg = [](const LonLat& p, const LonLat& q, const LonLat& r) {
        return std::min(p.lon, r.lon) <= q.lon && q.lon <= std::max(p.lon, r.lon) &&
               std::min(p.lat, r.lat) <= q.lat && q.lat <= std::max(p.lat, r.lat);
    };
    int o1 = orient(a, b, c), o2 = orient(a, b, d), o3 = orient(c, d, a), o4 = orient(c, d, b);
    if (o1 != o2 && o3 != o4) return true;
    return (o1 == 0 && on_seg(a, c, b)) || (o2 == 0 && on_seg(a, d, b)) || (o3 == 0 && on_seg(c, a, d)) ||
           (o4 == 0 && on_seg(c, b, d));
}

std::optional<Geometry> simple_footprint(const Geometry& g) {
    if (g.parts().size() != 1 || g.parts()[0].size() != 1) return std::nullopt;
    const Geometry::Ring& r = g.parts()[0][0];
    const size_t n = r.size();
    if (n < 4 || n > 64 || !(r.front() == r.back())) return std::nullopt;
    double area2 = 0;
    for (size_t k = 0; k < n; ++k) {
        const LonLat& p = r[k];
        if (p.lon < -180 || p.lon > 180) return std::nullopt;
        if (k > 0) {
            if (std::fabs(p.lon - r[k - 1].lon) > 180) return std::nullopt;
            if (p == r[k - 1]) return std::nullopt;  // repeated vertex: let GEOS decide
            area2 += r[k - 1].lon * p.lat - p.lon * r[k - 1].lat;
        }
    }
    if (std::fabs(area2) < 1e-18) return std::nullopt;
    const size_t edges = n - 1;
    for (size_t i = 0; i < edges; ++i)
        for (size_t j = i + 2; j < edges; ++j) {
            if (i == 0 && j == edges - 1) continue;  // adjacent through the closing vertex
            if (segments_touch(r[i], r[i + 1], r[j], r[j + 1])) return std::nullopt;
        }
    return Geometry(GeometryType::multi_polygon, {g.parts()[0]});
}

// Clips an unwrapped geometry (longitudes possibly beyond ±180) into [-180,180] pieces.
Geometry clip_world(const GEOSGeometry* g, bool polygonal) {
    auto h = geos();
    std::vector<Geometry::Part> polys, lines, points;
    for (int k = -2; k <= 2; ++k) {
        auto b = box(-180.0 + 360.0 * k, -90, 180.0 + 360.0 * k, 90);
        GeosPtr piece(GEOSIntersection_r(h, g, b.get()));
        if (!piece) geos_fail("clipping at the antimeridian");
        if (GEOSisEmpty_r(h, piece.get())) continue;
        std::vector<Geometry::Part> pp, ll, pt;
        collect(h, piece.get(), pp, ll, pt);
        auto shift = [&](std::vector<Geometry::Part>& parts, std::vector<Geometry::Part>& into) {
            for (auto& part : parts) {
                for (auto& ring : part)
                    for (auto& p : ring) {
                        p.lon -= 360.0 * k;
                        // Clamp tiny floating-point overshoot at the seams.
                        if (p.lon > 180) p.lon = 180;
                        if (p.lon < -180) p.lon = -180;
                    }
                into.push_back(std::move(part));
            }
        };
        shift(pp, polys);
        shift(ll, lines);
        shift(pt, points);
    }
    if (polygonal) {
        if (polys.empty()) throw InvalidArgument("geometry", "footprint has no area");
        return Geometry(GeometryType::multi_polygon, std::move(polys));
    }
    if (!lines.empty()) return Geometry(GeometryType::multi_line_string, std::move(lines));
    if (!points.empty()) return Geometry(GeometryType::multi_point, std::move(points));
    throw InvalidArgument("geometry", "geometry is empty after normalisation");
}

Geometry normalize_impl(const Geometry& g, bool close_poles) {
    auto h = geos();
    const GeometryType single = single_of(g.type());
    for (const auto& part : g.parts())
        for (const auto& r : part)
            for (const auto& p : r) {
                if (!std::isfinite(p.lon) || !std::isfinite(p.lat))
                    throw InvalidArgument("geometry", "non-finite coordinate");
                if (p.lat < -90 || p.lat > 90)
                    throw InvalidArgument("geometry", fmt::format("latitude {} outside [-90,90]", p.lat));
                // Metadata longitudes may run past ±180 by up to a turn (unwrapped tracks);
                // anything further is garbage, not geography.
                if (p.lon < -540 || p.lon > 540)
                    throw InvalidArgument("geometry", fmt::format("longitude {} outside [-540,540]", p.lon));
            }
    if (single == GeometryType::polygon) {
        if (auto fast = simple_footprint(g)) return std::move(*fast);
    }
    if (single == GeometryType::point) {
        Geometry out = g;
        std::vector<Geometry::Part> parts = g.parts();
        for (auto& part : parts)
            for (auto& r : part)
                for (auto& p : r) {
                    while (p.lon > 180) p.lon -= 360;
                    while (p.lon < -180) p.lon += 360;
                }
        return Geometry(GeometryType::multi_point, std::move(parts));
    }
    std::vector<GEOSGeometry*> members;
    auto release = [&] {
        for (auto* m : members) GEOSGeom_destroy_r(h, m);
    };
    try {
        for (const auto& part : g.parts()) {
            if (part.empty()) continue;
            if (single == GeometryType::line_string) {
                auto line = unwrap(part[0]);
                recenter(line);
                if (line.size() < 2) continue;
                members.push_back(make_ring(h, line, false));
                continue;
            }
            Geometry::Part rings;
            for (size_t k = 0; k < part.size(); ++k) {
                Geometry::Ring r = part[k];
                if (r.size() >= 2 && !(r.front() == r.back())) r.push_back(r.front());
                if (r.size() < 4) throw InvalidArgument("geometry", "polygon ring with fewer than 4 vertices");
                Geometry::Ring u = unwrap(r);
                double drift = u.back().lon - u.front().lon;
                if (std::fabs(drift) > 180) {
                    // The ring winds around a pole: close it along the pole's parallel.
                    if (!close_poles || k > 0)
                        throw InvalidArgument("geometry", "ring encircles a pole");
                    double mean_lat = 0;
                    for (const auto& p : u) mean_lat += p.lat;
                    mean_lat /= static_cast<double>(u.size());
                    const double pole = mean_lat >= 0 ? 90.0 : -90.0;
                    // The closing vertex sits 360 degrees from the first: keep it (the last
                    // edge is real) and return along the pole's parallel.
                    const double lon_end = u.back().lon, lon_start = u.front().lon;
                    u.push_back({lon_end, pole});
                    u.push_back({lon_start, pole});
                    u.push_back(u.front());
                }
                if (k == 0) recenter(u);
                else if (!rings.empty()) {
                    // Holes follow their shell's longitude window.
                    double shell_mean = 0;
                    for (const auto& p : rings[0]) shell_mean += p.lon;
                    shell_mean /= static_cast<double>(rings[0].size());
                    double hole_mean = 0;
                    for (const auto& p : u) hole_mean += p.lon;
                    hole_mean /= static_cast<double>(u.size());
                    double shift = std::round((shell_mean - hole_mean) / 360.0) * 360.0;
                    for (auto& p : u) p.lon += shift;
                }
                rings.push_back(std::move(u));
            }
            GEOSGeometry* poly = make_part(h, GeometryType::polygon, rings);
            if (!GEOSisValid_r(h, poly)) {
                GEOSGeometry* fixed = GEOSMakeValid_r(h, poly);
                GEOSGeom_destroy_r(h, poly);
                if (!fixed) geos_fail("repairing an invalid footprint");
                poly = fixed;
            }
            members.push_back(poly);
        }
        if (members.empty()) throw InvalidArgument("geometry", "empty geometry");
        GEOSGeometry* coll = GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, members.data(),
                                                         static_cast<unsigned>(members.size()));
        members.clear();  // ownership moved into the collection
        if (!coll) geos_fail("building the footprint");
        GeosPtr holder(coll);
        return clip_world(coll, single == GeometryType::polygon);
    } catch (...) {
        release();
        throw;
    }
}

}  // namespace

GEOSContextHandle_t geos() {
    thread_local ContextHolder holder;
    return holder.ctx;
}

void GeosDeleter::operator()(GEOSGeometry* g) const noexcept {
    if (g) GEOSGeom_destroy_r(geos(), g);
}

GeosPtr to_geos(const Geometry& g) {
    auto h = geos();
    if (g.empty()) throw InvalidArgument("geometry", "empty geometry");
    const GeometryType single = single_of(g.type());
    if (single == g.type()) return GeosPtr(make_part(h, single, g.parts().at(0)));
    std::vector<GEOSGeometry*> members;
    try {
        for (const auto& part : g.parts()) members.push_back(make_part(h, single, part));
    } catch (...) {
        for (auto* m : members) GEOSGeom_destroy_r(h, m);
        throw;
    }
    int type = g.type() == GeometryType::multi_point        ? GEOS_MULTIPOINT
               : g.type() == GeometryType::multi_line_string ? GEOS_MULTILINESTRING
                                                             : GEOS_MULTIPOLYGON;
    auto* c = GEOSGeom_createCollection_r(h, type, members.data(), static_cast<unsigned>(members.size()));
    if (!c) geos_fail("collection");
    return GeosPtr(c);
}

Geometry from_geos(const GEOSGeometry* g) {
    auto h = geos();
    std::vector<Geometry::Part> polys, lines, points;
    collect(h, g, polys, lines, points);
    int t = GEOSGeomTypeId_r(h, g);
    if (!polys.empty())
        return Geometry(t == GEOS_POLYGON ? GeometryType::polygon : GeometryType::multi_polygon, std::move(polys));
    if (!lines.empty())
        return Geometry(t == GEOS_LINESTRING ? GeometryType::line_string : GeometryType::multi_line_string,
                        std::move(lines));
    if (!points.empty())
        return Geometry(t == GEOS_POINT ? GeometryType::point : GeometryType::multi_point, std::move(points));
    throw InvalidArgument("geometry", "empty geometry");
}

GeosPtr geos_from_wkb(std::string_view wkb) {
    auto h = geos();
    GEOSGeometry* g = GEOSGeomFromWKB_buf_r(h, reinterpret_cast<const unsigned char*>(wkb.data()), wkb.size());
    if (!g) geos_fail("decoding WKB");
    return GeosPtr(g);
}

void check_valid(const GEOSGeometry* g) {
    auto h = geos();
    char r = GEOSisValid_r(h, g);
    if (r == 1) return;
    char* reason = GEOSisValidReason_r(h, g);
    std::string why = reason ? reason : "invalid geometry";
    if (reason) GEOSFree_r(h, reason);
    throw InvalidArgument("geometry", fmt::format("invalid geometry: {}", why));
}

PreparedAoi::PreparedAoi(const Geometry& aoi) : geom_(to_geos(aoi)) {
    prepared_ = GEOSPrepare_r(geos(), geom_.get());
    if (!prepared_) geos_fail("preparing the area of interest");
    // Axis-aligned rectangles (possibly split in two at the antimeridian) allow callers to
    // accept a footprint from its bounding box alone.
    rectangle_ = !aoi.empty();
    for (const auto& part : aoi.parts()) {
        if (part.size() != 1 || part[0].size() != 5) {
            rectangle_ = false;
            break;
        }
        const auto& r = part[0];
        for (size_t k = 0; k + 1 < r.size(); ++k)
            if (r[k].lon != r[k + 1].lon && r[k].lat != r[k + 1].lat) rectangle_ = false;
    }
}

PreparedAoi::~PreparedAoi() {
    if (prepared_) GEOSPreparedGeom_destroy_r(geos(), prepared_);
}

bool PreparedAoi::test(SpatialRelation rel, const GEOSGeometry* f) const {
    auto h = geos();
    char r = 0;
    switch (rel) {
        case SpatialRelation::intersects: r = GEOSPreparedIntersects_r(h, prepared_, f); break;
        // footprint within AOI  <=>  AOI contains footprint
        case SpatialRelation::within: r = GEOSPreparedContains_r(h, prepared_, f); break;
        // footprint contains AOI  <=>  AOI within footprint
        case SpatialRelation::contains: r = GEOSPreparedWithin_r(h, prepared_, f); break;
    }
    if (r == 2) geos_fail("evaluating a spatial predicate");
    return r == 1;
}

bool PreparedAoi::test_wkb(SpatialRelation rel, std::string_view wkb) const {
    auto g = geos_from_wkb(wkb);
    return test(rel, g.get());
}

}  // namespace creodias::detail

namespace creodias {

Geometry normalize_footprint(const Geometry& g) { return detail::normalize_impl(g, true); }
Geometry normalize_aoi(const Geometry& g) {
    // Areas of interest are taken literally (RFC 7946): coordinates must already be within
    // range, and a crossing is written as a bbox with west > east or as a MultiPolygon.
    validate(g);
    return g;
}

namespace {
bool predicate(const Geometry& a, const Geometry& b, char (*fn)(GEOSContextHandle_t, const GEOSGeometry*, const GEOSGeometry*)) {
    auto ga = detail::to_geos(a);
    auto gb = detail::to_geos(b);
    char r = fn(detail::geos(), ga.get(), gb.get());
    if (r == 2) throw InvalidArgument("geos", "spatial predicate failed: " + detail::g_last_geos_error);
    return r == 1;
}
}  // namespace

bool intersects(const Geometry& a, const Geometry& b) { return predicate(a, b, GEOSIntersects_r); }
bool within(const Geometry& a, const Geometry& b) { return predicate(a, b, GEOSWithin_r); }
bool contains(const Geometry& a, const Geometry& b) { return predicate(a, b, GEOSContains_r); }

double planar_area(const Geometry& g) {
    auto gg = detail::to_geos(g);
    double a = 0;
    if (!GEOSArea_r(detail::geos(), gg.get(), &a)) throw InvalidArgument("geos", "area computation failed");
    return a;
}

}  // namespace creodias
