// Output documents are checked by reading them back through the independent input readers
// (STAC Item reader, resto FeatureCollection reader) and by structure.
#include <boost/test/unit_test.hpp>

#include <creodias/formats.hpp>
#include <creodias/readers.hpp>

#include <nlohmann/json.hpp>

using namespace creodias;

namespace {
Product sample() {
    Product p;
    p.id = "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255";
    p.name = p.id + ".SAFE";
    p.collection = "SENTINEL-1";
    p.product_type = "IW_GRDH_1S";
    p.processing_level = "LEVEL1";
    p.platform = "SENTINEL-1A";
    p.instrument = "SAR";
    p.sensor_mode = "IW";
    p.sensing_start = parse_datetime("2021-01-19T03:16:53.123456Z");
    p.sensing_end = parse_datetime("2021-01-19T03:17:18Z");
    p.published = parse_datetime("2021-01-19T05:00:00Z");
    p.footprint = normalize_footprint(Geometry::from_wkt("POLYGON((179 10,-179 10,-179 12,179 12,179 10))"));
    p.orbit_number = 36201;
    p.relative_orbit = 46;
    p.orbit_direction = OrbitDirection::descending;
    p.polarisations = {"VV", "VH"};
    p.size = 123456;
    p.checksums = {{"MD5", "0123456789abcdef0123456789abcdef"}};
    p.path = "/eodata/Sentinel-1/SAR/GRD/2021/01/19/" + p.name;
    p.files = {{"manifest.safe", 1000, {{"MD5", "ffffffffffffffffffffffffffffffff"}}, "", "", "metadata"}};
    return p;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(formats)

BOOST_AUTO_TEST_CASE(stac_item_round_trips_through_the_stac_reader) {
    Product p = sample();
    auto j = nlohmann::json::parse(to_stac_item(p));
    BOOST_CHECK_EQUAL(j["stac_version"], "1.1.0");
    BOOST_CHECK_EQUAL(j["properties"]["sat:relative_orbit"], 46);
    BOOST_CHECK_EQUAL(j["properties"]["sar:polarizations"][1], "VH");
    // Antimeridian bbox: west > east.
    BOOST_CHECK_GT(j["bbox"][0].get<double>(), j["bbox"][2].get<double>());
    BOOST_CHECK_EQUAL(j["assets"]["product"]["file:checksum"], "d5100123456789abcdef0123456789abcdef");
    Product back = product_from_stac_item(j.dump());
    BOOST_CHECK_EQUAL(back.id, p.id);
    BOOST_CHECK_EQUAL(back.collection, "SENTINEL-1");
    BOOST_CHECK(back.sensing_start == p.sensing_start);
    BOOST_CHECK(back.sensing_end == p.sensing_end);
    BOOST_CHECK(back.orbit_number == p.orbit_number);
    BOOST_CHECK(back.orbit_direction == p.orbit_direction);
    BOOST_CHECK(back.polarisations == p.polarisations);
    BOOST_CHECK_CLOSE(planar_area(back.footprint), planar_area(p.footprint), 1e-6);
}

BOOST_AUTO_TEST_CASE(resto_collection_round_trips_through_the_resto_reader) {
    Page page;
    page.products = {sample()};
    page.count = Count{42, false};
    page.next_cursor = "abc";
    auto j = nlohmann::json::parse(to_resto_feature_collection(page));
    BOOST_CHECK_EQUAL(j["properties"]["totalResults"], 42);
    BOOST_CHECK_EQUAL(j["properties"]["exactCount"], false);
    BOOST_CHECK_EQUAL(j["properties"]["links"][0]["rel"], "next");
    const auto& props = j["features"][0]["properties"];
    BOOST_CHECK_EQUAL(props["productIdentifier"], sample().path);
    BOOST_CHECK_EQUAL(props["polarisation"], "VV&VH");
    BOOST_CHECK_EQUAL(props["status"], "ONLINE");
    auto back = read_feature_collection(j.dump());
    BOOST_REQUIRE_EQUAL(back.size(), 1u);
    BOOST_CHECK_EQUAL(back[0].name, sample().name);
    BOOST_CHECK(back[0].sensing_start == sample().sensing_start);
    BOOST_CHECK(back[0].relative_orbit == sample().relative_orbit);
    BOOST_CHECK(back[0].polarisations == sample().polarisations);
}

BOOST_AUTO_TEST_SUITE_END()
