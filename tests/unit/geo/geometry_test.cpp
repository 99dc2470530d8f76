#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>

#include "support/fixtures.hpp"

#include <ogr_geometry.h>

#include <cmath>
#include <random>

using namespace creodias;

namespace {
// Area of a geometry computed by GDAL/OGR from our WKT: an independent oracle.
double ogr_area(const Geometry& g) {
    OGRGeometry* out = nullptr;
    std::string wkt = g.to_wkt();
    const char* p = wkt.c_str();
    BOOST_REQUIRE(OGRGeometryFactory::createFromWkt(&p, nullptr, &out) == OGRERR_NONE);
    double a = 0;
    if (auto* mp = dynamic_cast<OGRMultiPolygon*>(out)) a = mp->get_Area();
    else if (auto* pg = dynamic_cast<OGRPolygon*>(out)) a = pg->get_Area();
    OGRGeometryFactory::destroyGeometry(out);
    return a;
}
void check_in_range(const Geometry& g) {
    for (const auto& part : g.parts())
        for (const auto& r : part)
            for (const auto& p : r) {
                BOOST_CHECK(p.lon >= -180 && p.lon <= 180);
                BOOST_CHECK(p.lat >= -90 && p.lat <= 90);
            }
}
}  // namespace

BOOST_AUTO_TEST_SUITE(geometry)

BOOST_AUTO_TEST_CASE(wkt_roundtrip) {
    auto g = Geometry::from_wkt("POLYGON ((10 45, 11 45, 11 46, 10 46, 10 45))");
    BOOST_CHECK(g.type() == GeometryType::polygon);
    BOOST_CHECK_EQUAL(g.num_points(), 5u);
    BOOST_CHECK(Geometry::from_wkt(g.to_wkt()) == g);
    BOOST_CHECK(Geometry::from_geojson(g.to_geojson()) == g);
    BOOST_CHECK(Geometry::from_wkb(g.to_wkb()) == g);
    auto m = Geometry::from_wkt("SRID=4326;MULTIPOLYGON(((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))");
    BOOST_CHECK_EQUAL(m.parts().size(), 2u);
    BOOST_CHECK(Geometry::from_wkb(m.to_wkb()) == m);
    auto z = Geometry::from_wkt("POINT Z (1 2 3)");
    BOOST_CHECK_EQUAL(z.parts()[0][0][0].lat, 2);
}

BOOST_AUTO_TEST_CASE(wkb_matches_gdal) {
    // GDAL parses our WKB and writes back the same WKT coordinates.
    auto g = Geometry::from_wkt("MULTIPOLYGON(((1.5 2.25,3 2.25,3 4,1.5 2.25)),((10 10,11 10,11 11,10 10)))");
    std::string wkb = g.to_wkb();
    OGRGeometry* out = nullptr;
    BOOST_REQUIRE(OGRGeometryFactory::createFromWkb(wkb.data(), nullptr, &out, static_cast<int>(wkb.size())) == OGRERR_NONE);
    char* wkt = nullptr;
    out->exportToWkt(&wkt);
    BOOST_CHECK(Geometry::from_wkt(wkt) == g);
    CPLFree(wkt);
    OGRGeometryFactory::destroyGeometry(out);
}

BOOST_AUTO_TEST_CASE(bad_input_is_typed) {
    BOOST_CHECK_THROW(Geometry::from_wkt("POLYGON((0 0, 1 1"), InvalidArgument);
    BOOST_CHECK_THROW(Geometry::from_wkt("CIRCLE(1 2)"), InvalidArgument);
    BOOST_CHECK_THROW(Geometry::from_wkt("POINT(1 x)"), InvalidArgument);
    BOOST_CHECK_THROW(Geometry::from_geojson("{\"type\":\"Polygon\"}"), InvalidArgument);
    BOOST_CHECK_THROW(Geometry::from_geojson("not json"), InvalidArgument);
    BOOST_CHECK_THROW(Geometry::from_wkb(std::string("\x01\x03\x00\x00", 4)), InvalidArgument);
    // Self-intersecting bow tie.
    BOOST_CHECK_THROW(validate(Geometry::from_wkt("POLYGON((0 0,1 1,1 0,0 1,0 0))")), InvalidArgument);
    BOOST_CHECK_THROW(validate(Geometry::from_wkt("POINT(200 10)")), InvalidArgument);
    BOOST_CHECK_THROW(validate(Geometry::from_wkt("POINT(10 95)")), InvalidArgument);
    BOOST_CHECK_THROW(BBox::parse("1,2,3"), InvalidArgument);
    BOOST_CHECK_THROW(BBox::parse("0,50,10,40"), InvalidArgument);
    BOOST_CHECK_THROW(BBox::parse("-190,0,10,10"), InvalidArgument);
    BOOST_CHECK_NO_THROW(BBox::parse("170,-10,-170,10"));
}

BOOST_AUTO_TEST_CASE(antimeridian_split) {
    // A footprint written with a longitude jump (as in Sentinel-2 tile 01KAB metadata).
    auto raw = Geometry::from_wkt("POLYGON((179.5 -17, -179.5 -17, -179.6 -16, 179.4 -16, 179.5 -17))");
    auto g = normalize_footprint(raw);
    BOOST_CHECK(g.type() == GeometryType::multi_polygon);
    BOOST_CHECK_EQUAL(g.parts().size(), 2u);
    check_in_range(g);
    // Unwrapped, the parallelogram is 1 x 1 degree; the split parts keep that area.
    BOOST_CHECK_CLOSE(ogr_area(g), 1.0, 1.0);
}

BOOST_AUTO_TEST_CASE(pole_ring_is_closed_through_the_pole) {
    Geometry::Ring r;
    for (int k = 0; k <= 12; ++k) r.push_back({-179.5 + 30.0 * (k % 12), 80});
    auto g = normalize_footprint(Geometry(GeometryType::polygon, {{r}}));
    check_in_range(g);
    // The cap north of 80N spans 360 x 10 degrees in plate carree.
    BOOST_CHECK_CLOSE(ogr_area(g), 3600.0, 1.0);
    BOOST_CHECK(intersects(g, Geometry::point(0, 89)));
    BOOST_CHECK(!intersects(g, Geometry::point(0, 70)));
    // Southern cap.
    for (auto& p : r) p.lat = -75;
    auto s = normalize_footprint(Geometry(GeometryType::polygon, {{r}}));
    BOOST_CHECK_CLOSE(ogr_area(s), 360.0 * 15, 1.0);
    BOOST_CHECK(intersects(s, Geometry::point(100, -89)));
}

BOOST_AUTO_TEST_CASE(normalized_random_rings_are_valid_for_gdal) {
    // Random small rings, many self-intersecting: whatever path normalisation takes (the
    // fast path or GEOS repair), GDAL/OGR must judge the result valid and within range.
    std::mt19937 rng(3);
    std::uniform_real_distribution<double> u(-1, 1);
    int repaired = 0;
    for (int i = 0; i < 3000; ++i) {
        Geometry::Ring r;
        int n = 3 + static_cast<int>(rng() % 5);
        double cx = u(rng) * 170, cy = u(rng) * 80;
        for (int k = 0; k < n; ++k) r.push_back({cx + u(rng) * 5, cy + u(rng) * 5});
        r.push_back(r.front());
        Geometry g(GeometryType::polygon, {{r}});
        Geometry out;
        try {
            out = normalize_footprint(g);
        } catch (const InvalidArgument&) {
            continue;  // e.g. no area left after repair
        }
        check_in_range(out);
        OGRGeometry* o = nullptr;
        std::string wkt = out.to_wkt();
        const char* p = wkt.c_str();
        BOOST_REQUIRE(OGRGeometryFactory::createFromWkt(&p, nullptr, &o) == OGRERR_NONE);
        BOOST_CHECK_MESSAGE(o->IsValid(), "invalid after normalisation: " << wkt);
        OGRGeometryFactory::destroyGeometry(o);
        if (!(out.parts().size() == 1 && out.parts()[0][0] == r)) ++repaired;
    }
    BOOST_CHECK_GT(repaired, 100);  // bow-ties really went through repair
}

BOOST_AUTO_TEST_CASE(absurd_longitudes_are_rejected_quickly) {
    auto g = Geometry::from_wkt("POLYGON((1e308 0,1e308 1,1 1,1e308 0))");
    BOOST_CHECK_THROW(normalize_footprint(g), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(crossing_bbox_aoi) {
    auto box = Geometry::from_bbox(BBox::parse("170,-10,-170,10"));
    BOOST_CHECK_EQUAL(box.parts().size(), 2u);
    BOOST_CHECK(intersects(box, Geometry::point(175, 0)));
    BOOST_CHECK(intersects(box, Geometry::point(-175, 0)));
    BOOST_CHECK(!intersects(box, Geometry::point(0, 0)));
}

BOOST_AUTO_TEST_SUITE_END()
