// Sentinel-3 SEN3 reader, checked against the xfdumanifest read by hand (pugixml XPath), the
// product name, the stactools item of the OLCI EFR product, and openssl digests.

#include <boost/test/unit_test.hpp>

#include "readers/readers_internal.hpp"
#include "support/fixtures.hpp"
#include "support/reader_checks.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <nlohmann/json.hpp>
#include <pugixml.hpp>
#include <zip.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using creodias::InvalidArgument;
using creodias::Product;
using creodias::ProductFormat;

namespace {

using namespace creodias::test;  // reader_checks.hpp helpers

const char* kDir = "products/sentinel3/";

enum class Shape { area, crossing, track };

struct Case {
    const char* name;
    const char* baseline;  // the product's own IPF version, read off the manifest by eye
    const char* instrument;
    Shape shape;
};

// Every SEN3 fixture. "crossing": the footprint crosses the antimeridian (and for WFR/ERR
// also encircles the North Pole); "track": SRAL nadir track.
const Case kCases[] = {
    {"S3A_OL_1_EFR____20211021T073827_20211021T074112_20211021T091357_0164_077_334_4320_LN1_O_NR_"
     "002.SEN3",
     "06.11", "OLCI", Shape::area},
    {"S3B_OL_1_ERR____20210831T200148_20210831T204600_20210902T011514_2652_056_242______LN1_O_NT_"
     "002.SEN3",
     "06.11", "OLCI", Shape::crossing},
    {"S3A_OL_2_LFR____20210523T003029_20210523T003329_20210524T050403_0179_072_102_1980_LN1_O_NT_"
     "002.SEN3",
     "06.14", "OLCI", Shape::area},
    {"S3A_OL_2_WFR____20210604T001016_20210604T001316_20210604T021918_0179_072_273_1440_MAR_O_NR_"
     "003.SEN3",
     "07.01", "OLCI", Shape::crossing},
    {"S3A_SL_1_RBT____20210930T220914_20210930T221214_20211002T102150_0180_077_043_5400_LN2_O_NT_"
     "004.SEN3",
     "06.18", "SLSTR", Shape::area},
    {"S3A_SL_2_LST____20210510T002955_20210510T003255_20210511T101010_0179_071_301_5760_LN2_O_NT_"
     "004.SEN3",
     "06.16", "SLSTR", Shape::area},
    {"S3A_SL_2_FRP____20210802T000420_20210802T000720_20210803T123912_0179_074_344_2880_LN2_O_NT_"
     "004.SEN3",
     "01.05", "SLSTR", Shape::area},
    {"S3A_SR_2_LAN____20210611T011438_20210611T012436_20210611T024819_0598_072_373______LN3_O_NR_"
     "004.SEN3",
     "06.19", "SRAL", Shape::track},
    {"S3A_SY_2_SYN____20210325T005418_20210325T005718_20210325T142858_0180_070_031_1620_LN2_O_ST_"
     "002.SEN3",
     "06.20", "SYNERGY", Shape::crossing},
    {"S3B_SY_2_AOD____20210512T143315_20210512T151738_20210514T064157_2663_052_196______LN2_O_NT_"
     "002.SEN3",
     "01.04", "SYNERGY", Shape::area},
    {"S3B_SR_1_SRA____20230309T200705_20230309T200726_20230309T220807_0020_077_071______PS2_O_NR_"
     "004.zip",
     "06.20", "SRAL", Shape::track},
};

std::string zip_digest(const fs::path& zip, const std::string& member) {
    return first_word_of("unzip -p '" + zip.string() + "' '" + member + "' | openssl dgst -r -md5");
}

struct Facts {
    std::string start, stop, type, family, number, abbreviation, direction, timeliness, collection;
    long long orbit = 0, relative = 0, cycle = 0;
    std::string cloudy;                          // first cloudyPixels/@percentage, empty when none
    std::vector<std::pair<double, double>> pos;  // (lat, lon) as written
};

Facts facts(const std::string& text) {
    pugi::xml_document doc;
    BOOST_REQUIRE(doc.load_string(text.c_str()));
    auto one = [&](const char* q) { return doc.select_node(q).node(); };
    Facts f;
    f.start =
        one("//*[local-name()='acquisitionPeriod']/*[local-name()='startTime']").text().as_string();
    f.stop =
        one("//*[local-name()='acquisitionPeriod']/*[local-name()='stopTime']").text().as_string();
    f.type = one("//*[local-name()='generalProductInformation']/*[local-name()='productType']")
                 .text()
                 .as_string();
    f.timeliness = one("//*[local-name()='generalProductInformation']/*[local-name()='timeliness']")
                       .text()
                       .as_string();
    f.collection =
        one("//*[local-name()='generalProductInformation']/*[local-name()='baselineCollection']")
            .text()
            .as_string();
    f.family = one("//*[local-name()='platform']/*[local-name()='familyName']").text().as_string();
    f.number = one("//*[local-name()='platform']/*[local-name()='number']").text().as_string();
    f.abbreviation = one("//*[local-name()='instrument']/*[local-name()='familyName']")
                         .attribute("abbreviation")
                         .value();
    auto orbit =
        one("//*[local-name()='orbitReference']/*[local-name()='orbitNumber'][@type='start']");
    f.orbit = orbit.text().as_llong();
    f.direction = orbit.attribute("groundTrackDirection").value();
    f.relative = one("//*[local-name()='orbitReference']/"
                     "*[local-name()='relativeOrbitNumber'][@type='start']")
                     .text()
                     .as_llong();
    f.cycle =
        one("//*[local-name()='orbitReference']/*[local-name()='cycleNumber']").text().as_llong();
    f.cloudy = doc.select_node("(//*[local-name()='cloudyPixels'])[1]")
                   .node()
                   .attribute("percentage")
                   .value();
    std::istringstream in(
        one("//*[local-name()='footPrint']/*[local-name()='posList']").text().as_string());
    for (double lat, lon; in >> lat >> lon;) f.pos.emplace_back(lat, lon);
    return f;
}

long long extra_cycle(const Product& p) {
    return nlohmann::json::parse(p.extra_json).at("sat:orbit_cycle").get<long long>();
}

Product check_case(const Case& c) {
    const fs::path path = creodias::test::fixtures_dir() / kDir / c.name;
    const bool is_zip = path.extension() == ".zip";
    const std::string root = is_zip ? path.stem().string() + ".SEN3" : path.filename().string();
    const std::string manifest = is_zip ? zip_member(path, root + "/xfdumanifest.xml")
                                        : creodias::test::slurp(path / "xfdumanifest.xml");
    auto f = facts(manifest);

    BOOST_TEST(creodias::to_string(creodias::detect_product(path)) == "sentinel3_sen3");
    Product p = creodias::read_product(path);

    BOOST_TEST(p.name == root);
    BOOST_TEST(p.id == root.substr(0, root.size() - 5));
    BOOST_TEST(p.path == path.string());
    BOOST_TEST(p.online);
    BOOST_TEST(p.collection == "SENTINEL-3");
    BOOST_TEST(p.product_type == f.type);
    BOOST_TEST(p.product_type == root.substr(4, 11));  // the name's fixed-width field
    BOOST_TEST(p.processing_level == std::string("LEVEL") + root[7]);
    BOOST_TEST(p.platform == upper(f.family + f.number));
    BOOST_TEST(p.platform == std::string("SENTINEL-3") + root[2]);
    BOOST_TEST(p.instrument == f.abbreviation);
    BOOST_TEST(p.instrument == c.instrument);
    BOOST_TEST(p.sensor_mode.empty());
    BOOST_TEST(p.sensing_start.us == creodias::parse_datetime(f.start).us);
    BOOST_TEST(p.sensing_end.us == creodias::parse_datetime(f.stop).us);
    // The name's start is rounded to the second.
    BOOST_TEST(std::llabs(p.sensing_start.us - creodias::parse_datetime(root.substr(16, 15)).us) <=
               1000000);
    BOOST_TEST(std::to_string(extra_cycle(p)) == std::to_string(std::stoi(root.substr(69, 3))));
    BOOST_TEST(p.orbit_number.value_or(0) == f.orbit);
    BOOST_TEST(p.relative_orbit.value_or(0) == f.relative);
    BOOST_TEST(std::to_string(p.relative_orbit.value_or(0)) ==
               std::to_string(std::stoi(root.substr(73, 3))));
    BOOST_TEST(creodias::to_string(p.orbit_direction) == upper(f.direction));
    BOOST_TEST(p.processing_baseline == c.baseline);
    if (f.cloudy.empty()) {
        BOOST_TEST(!p.cloud_cover.has_value());
    } else {
        BOOST_REQUIRE(p.cloud_cover.has_value());
        BOOST_TEST(*p.cloud_cover == std::stod(f.cloudy), boost::test_tools::tolerance(1e-12));
    }
    auto extra = nlohmann::json::parse(p.extra_json);
    BOOST_TEST(extra.at("s3:timeliness").get<std::string>() == f.timeliness);
    BOOST_TEST(extra.at("s3:baseline_collection").get<std::string>() == f.collection);
    BOOST_TEST(extra.at("s3:baseline_collection").get<std::string>() ==
               root.substr(root.size() - 8, 3));
    BOOST_TEST(extra.at("sat:orbit_cycle").get<long long>() == f.cycle);

    // Footprint.
    for (const auto& part : p.footprint.parts())
        for (const auto& ring : part)
            for (const auto& v : ring) {
                BOOST_TEST(v.lon >= -180.0);
                BOOST_TEST(v.lon <= 180.0);
            }
    double lat_min = 90, lat_max = -90, lon_min = 180, lon_max = -180;
    for (const auto& [lat, lon] : f.pos) {
        lat_min = std::min(lat_min, lat);
        lat_max = std::max(lat_max, lat);
        lon_min = std::min(lon_min, lon);
        lon_max = std::max(lon_max, lon);
    }
    double g_lat_min = 90, g_lat_max = -90, g_lon_min = 180, g_lon_max = -180;
    size_t vertices = 0;
    for (const auto& part : p.footprint.parts())
        for (const auto& ring : part)
            for (const auto& v : ring) {
                g_lat_min = std::min(g_lat_min, v.lat);
                g_lat_max = std::max(g_lat_max, v.lat);
                g_lon_min = std::min(g_lon_min, v.lon);
                g_lon_max = std::max(g_lon_max, v.lon);
                ++vertices;
            }
    switch (c.shape) {
        case Shape::area:
            BOOST_TEST((p.footprint.type() == creodias::GeometryType::multi_polygon));
            BOOST_TEST(g_lat_min == lat_min, boost::test_tools::tolerance(1e-9));
            BOOST_TEST(g_lat_max == lat_max, boost::test_tools::tolerance(1e-9));
            BOOST_TEST(g_lon_min == lon_min, boost::test_tools::tolerance(1e-9));
            BOOST_TEST(g_lon_max == lon_max, boost::test_tools::tolerance(1e-9));
            break;
        case Shape::crossing:
            // Split at the antimeridian: it spans the whole longitude range on paper, and the
            // southern extent is unchanged.
            BOOST_TEST((p.footprint.type() == creodias::GeometryType::multi_polygon));
            BOOST_TEST(p.footprint.parts().size() >= 1u);
            BOOST_TEST(g_lon_min == -180.0);
            BOOST_TEST(g_lon_max == 180.0);
            BOOST_TEST(g_lat_min == lat_min, boost::test_tools::tolerance(1e-9));
            BOOST_TEST(g_lat_max >= lat_max);
            break;
        case Shape::track: {
            // The manifest's sliver ring goes out along the track and back; the footprint is
            // the outbound line.
            BOOST_TEST((p.footprint.type() == creodias::GeometryType::multi_line_string));
            BOOST_REQUIRE(f.pos.size() % 2 == 1);
            const size_t half = (f.pos.size() - 1) / 2;
            BOOST_TEST(vertices == half);
            BOOST_REQUIRE(p.footprint.parts().size() == 1u);
            const auto& line = p.footprint.parts()[0][0];
            for (size_t i = 0; i < std::min(half, line.size()); ++i) {
                BOOST_TEST(line[i].lat == f.pos[i].first);
                BOOST_TEST(line[i].lon == f.pos[i].second);
            }
            break;
        }
    }

    // Files.
    std::map<std::string, std::uint64_t> on_disk;
    std::uint64_t total = 0;
    if (is_zip) {
        total = fs::file_size(path);
        int err = 0;
        zip_t* za = zip_open(path.string().c_str(), ZIP_RDONLY, &err);
        BOOST_REQUIRE(za);
        for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); ++i) {
            zip_stat_t st;
            zip_stat_index(za, static_cast<zip_uint64_t>(i), 0, &st);
            std::string n = st.name;
            if (n.back() != '/') on_disk[n.substr(root.size() + 1)] = st.size;
        }
        zip_discard(za);
    } else {
        for (const auto& e : fs::recursive_directory_iterator(path))
            if (e.is_regular_file()) {
                on_disk[fs::relative(e.path(), path).generic_string()] = e.file_size();
                total += e.file_size();
            }
    }
    BOOST_TEST(p.size.value_or(0) == total);
    BOOST_REQUIRE(p.files.size() == on_disk.size());
    for (const auto& file : p.files) {
        BOOST_TEST_CONTEXT(file.path) {
            BOOST_REQUIRE(on_disk.count(file.path) == 1u);
            BOOST_TEST(file.size.value_or(0) == on_disk.at(file.path));
            for (const auto& ck : file.checksums) {
                BOOST_TEST(ck.algorithm == "MD5");
                if (is_zip) BOOST_TEST(ck.value == zip_digest(path, root + "/" + file.path));
            }
        }
    }
    return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sentinel3_test)

BOOST_AUTO_TEST_CASE(every_sen3_fixture) {
    for (const auto& c : kCases) {
        CREODIAS_FIXTURE(path, std::string(kDir) + c.name);
        BOOST_TEST_CONTEXT(c.name) { check_case(c); }
    }
}

BOOST_AUTO_TEST_CASE(olci_efr_matches_stactools) {
    CREODIAS_FIXTURE(
        stac,
        "products/stac/stactools-generated/"
        "S3A_OL_1_EFR_20211021T073827_20211021T074112_0164_077_334_4320.stactools.json");
    CREODIAS_FIXTURE(dir, std::string(kDir) + kCases[0].name);
    auto item = nlohmann::json::parse(creodias::test::slurp(stac));
    auto p = creodias::read_product(dir);
    const auto& props = item.at("properties");
    BOOST_TEST(p.sensing_start.us ==
               creodias::parse_datetime(props.at("start_datetime").get<std::string>()).us);
    BOOST_TEST(p.sensing_end.us ==
               creodias::parse_datetime(props.at("end_datetime").get<std::string>()).us);
    BOOST_TEST(p.orbit_number.value_or(0) == props.at("sat:absolute_orbit").get<long long>());
    BOOST_TEST(p.relative_orbit.value_or(0) == props.at("sat:relative_orbit").get<long long>());
    BOOST_TEST(creodias::to_string(p.orbit_direction) ==
               upper(props.at("sat:orbit_state").get<std::string>()));
    BOOST_TEST(p.product_type == props.at("s3:product_type").get<std::string>());
    auto bbox = item.at("bbox").get<std::vector<double>>();
    double w = 180, s = 90, e = -180, n = -90;
    for (const auto& part : p.footprint.parts())
        for (const auto& ring : part)
            for (const auto& v : ring) {
                w = std::min(w, v.lon);
                e = std::max(e, v.lon);
                s = std::min(s, v.lat);
                n = std::max(n, v.lat);
            }
    BOOST_TEST(w == bbox[0], boost::test_tools::tolerance(1e-4));
    BOOST_TEST(s == bbox[1], boost::test_tools::tolerance(1e-4));
    BOOST_TEST(e == bbox[2], boost::test_tools::tolerance(1e-4));
    BOOST_TEST(n == bbox[3], boost::test_tools::tolerance(1e-4));
}

BOOST_AUTO_TEST_CASE(sral_zip_checksum_and_band_free_files) {
    CREODIAS_FIXTURE(zip, std::string(kDir) + kCases[10].name);
    auto p = creodias::read_product(zip);
    BOOST_TEST(p.name ==
               "S3B_SR_1_SRA____20230309T200705_20230309T200726_20230309T220807_0020_077_071______"
               "PS2_O_NR_004.SEN3");
    BOOST_REQUIRE(p.files.size() == 2u);
    BOOST_TEST(p.files[0].path == "measurement.nc");
    BOOST_TEST(p.files[0].role == "data");
    BOOST_TEST(p.files[0].media_type == "application/x-netcdf");
    BOOST_REQUIRE(p.files[0].checksums.size() == 1u);
    BOOST_TEST(p.files[0].checksums[0].value == "168b0bd8d8d0004a94e7806ada87107a");
    BOOST_TEST(p.files[1].path == "xfdumanifest.xml");
    BOOST_TEST(p.files[1].role == "metadata");
}

// parse_* alone (no product on disk) lists the manifest's data objects with their sizes,
// checksums and band names.
BOOST_AUTO_TEST_CASE(manifest_data_objects_without_the_product) {
    CREODIAS_FIXTURE(dir, std::string(kDir) + kCases[0].name);
    auto p = creodias::detail::parse_sentinel3_manifest(
        creodias::test::slurp(dir / "xfdumanifest.xml"), kCases[0].name);
    BOOST_TEST(p.files.size() == 29u);
    BOOST_TEST(p.files[0].path == "Oa01_radiance.nc");
    BOOST_TEST(p.files[0].band == "Oa01");
    BOOST_TEST(p.files[0].size.value_or(0) == 18738535u);
    BOOST_REQUIRE(p.files[0].checksums.size() == 1u);
    BOOST_TEST(p.files[0].checksums[0].value == "b35469e134850b9edb49917a683a6c2e");
    BOOST_TEST(p.size.value_or(0) == 546227708u);  // generalProductInformation/productSize
}

BOOST_AUTO_TEST_CASE(bad_manifests_are_invalid_argument) {
    CREODIAS_FIXTURE(dir, std::string(kDir) + kCases[2].name);
    const std::string manifest = creodias::test::slurp(dir / "xfdumanifest.xml");
    using creodias::detail::parse_sentinel3_manifest;
    BOOST_CHECK_NO_THROW(parse_sentinel3_manifest(manifest, kCases[2].name));
    BOOST_CHECK_NO_THROW(parse_sentinel3_manifest(manifest, ""));
    auto expect_invalid = [&](const std::string& doc, const std::string& needle) {
        try {
            parse_sentinel3_manifest(doc, kCases[2].name);
            BOOST_ERROR("accepted a bad manifest (expected a message about " << needle << ")");
        } catch (const InvalidArgument& e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find("xfdumanifest.xml") != std::string::npos,
                       e.what());
        }
    };
    auto cut = [&](const std::string& open, const std::string& close) {
        auto b = manifest.find(open);
        auto e = manifest.find(close, b);
        BOOST_REQUIRE(b != std::string::npos && e != std::string::npos);
        return manifest.substr(0, b) + manifest.substr(e + close.size());
    };
    auto replaced = [&](const std::string& from, const std::string& to) {
        auto b = manifest.find(from);
        BOOST_REQUIRE(b != std::string::npos);
        return manifest.substr(0, b) + to + manifest.substr(b + from.size());
    };
    expect_invalid(manifest.substr(0, manifest.size() / 2), "malformed XML");
    expect_invalid(cut("<gml:posList>", "</gml:posList>"), "posList");
    expect_invalid(cut("<sentinel-safe:startTime>", "</sentinel-safe:startTime>"), "startTime");
    expect_invalid(replaced("<gml:posList>", "<gml:posList>1e999 "), "posList");
    expect_invalid(replaced("<gml:posList>", "<gml:posList>12 "), "posList");  // odd count
    expect_invalid(replaced("percentage=\"83.000000\"", "percentage=\"cloudy\""), "cloudyPixels");
    expect_invalid(replaced("groundTrackDirection=\"descending\"", "groundTrackDirection=\"up\""),
                   "groundTrackDirection");
    expect_invalid("", "xfdumanifest.xml");
    expect_invalid(std::string("\x89PNG\r\n\x1a\n\x00\x00", 10), "xfdumanifest.xml");
}

BOOST_AUTO_TEST_CASE(truncations_and_mutations_never_escape_invalid_argument) {
    CREODIAS_FIXTURE(dir, std::string(kDir) + kCases[7].name);  // SRAL: track handling
    check_truncations_and_mutations(creodias::test::slurp(dir / "xfdumanifest.xml"), 331, 4242,
                                    [](const std::string& doc) {
                                        creodias::detail::parse_sentinel3_manifest(doc, "S3A_SR_2_LAN____X.SEN3");
                                    });
}

BOOST_AUTO_TEST_SUITE_END()
