// Sentinel-1 SAFE reader, checked against values read independently: the manifest through
// pugixml XPath queries, the fixed-width fields of the product name, productInfo.json, the
// file system, and openssl digests of the files.
//
// GDAL's SAFE driver is not used: it refuses every fixture here because their measurement
// TIFFs (or some annotation files) were stripped from the test copies ("Measurement bands
// not found").

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
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using creodias::InvalidArgument;
using creodias::Product;
using creodias::ProductFormat;

namespace {

using namespace creodias::test;  // reader_checks.hpp helpers

const char* kZip =
    "products/sentinel1/S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255.zip";
const char* kS1C =
    "products/sentinel1/S1C_S4_GRDH_1SDH_20250118T171404_20250118T171421_000638_000538_4B8B.SAFE";
const char* kAwsEw =
    "products/sentinel1/aws-sentinel-s1-l1c/"
    "S1A_EW_GRDM_1SDH_20221130T014342_20221130T014446_046117_058549_BB15";
const char* kAwsIwNoManifest =
    "products/sentinel1/aws-sentinel-s1-l1c/GRD/2018/7/16/IW/DV/"
    "S1A_IW_GRDH_1SDV_20180716T004042_20180716T004107_022812_02792A_FD5B";
const char* kIwSlc =
    "products/sentinel1/S1A_IW_SLC__1SDH_20220414T102209_20220414T102236_042768_051AA4_E677.SAFE";
const char* kEwSlc =
    "products/sentinel1/S1A_EW_SLC__1SDH_20210403T122536_20210403T122630_037286_046484_8152.SAFE";
const char* kS6Slc =
    "products/sentinel1/S1A_S6_SLC__1SDV_20210402T115512_20210402T115535_037271_046407_39FD.SAFE";
const char* kWvSlc =
    "products/sentinel1/S1B_WV_SLC__1SSV_20210403T083025_20210403T084452_026300_032390_D542.SAFE";
const char* kCdse1 =
    "products/creodias/eodata/Sentinel-1/SAR/GRD/2020/06/06/"
    "S1B_IW_GRDH_1SDV_20200606T060612_20200606T060637_021909_029944_0FCC.SAFE";
const char* kCdse2 =
    "products/creodias/eodata/Sentinel-1/SAR/GRD/2020/06/06/"
    "S1B_IW_GRDH_1SDV_20200606T060615_20200606T060640_021909_029944_4C69.SAFE";

// Digest by the openssl tool, of a file or of a zip member (through unzip -p).
std::string digest(const fs::path& container, const std::string& member, const std::string& algo,
                   bool zip) {
    if (zip)
        return first_word_of("unzip -p '" + container.string() + "' '" + member + "' | openssl dgst -r -" +
                             lower(algo));
    return first_word_of("openssl dgst -r -" + lower(algo) + " '" + (container / member).string() + "'");
}

// The manifest, read with XPath (a different route from the reader's child walking).
struct ManifestFacts {
    std::string start, stop, family, number, mode, pass, software, type, datatake;
    long long orbit = 0, relative = 0;
    std::set<std::string> pols;
    std::vector<std::string> frames;
};

ManifestFacts manifest_facts(const std::string& text) {
    pugi::xml_document doc;
    BOOST_REQUIRE(doc.load_string(text.c_str()));
    auto one = [&](const char* q) { return doc.select_node(q).node(); };
    ManifestFacts f;
    f.start =
        one("//*[local-name()='acquisitionPeriod']/*[local-name()='startTime']").text().as_string();
    f.stop =
        one("//*[local-name()='acquisitionPeriod']/*[local-name()='stopTime']").text().as_string();
    f.family = one("//*[local-name()='platform']/*[local-name()='familyName']").text().as_string();
    f.number = one("//*[local-name()='platform']/*[local-name()='number']").text().as_string();
    f.mode = one("//*[local-name()='instrumentMode']/*[local-name()='mode']").text().as_string();
    f.pass = one("//*[local-name()='orbitProperties']/*[local-name()='pass']").text().as_string();
    f.orbit = one("//*[local-name()='orbitNumber'][@type='start']").text().as_llong();
    f.relative = one("//*[local-name()='relativeOrbitNumber'][@type='start']").text().as_llong();
    f.software = doc.select_node("(//*[local-name()='software'][@version!=''])[1]")
                     .node()
                     .attribute("version")
                     .value();
    f.type = one("//*[local-name()='standAloneProductInformation']/*[local-name()='productType']")
                 .text()
                 .as_string();
    f.datatake = one("//*[local-name()='missionDataTakeID']").text().as_string();
    for (auto n : doc.select_nodes("//*[local-name()='transmitterReceiverPolarisation']"))
        f.pols.insert(n.node().text().as_string());
    for (auto n : doc.select_nodes("//*[local-name()='footPrint']/*[local-name()='coordinates']"))
        f.frames.push_back(n.node().text().as_string());
    return f;
}

struct NameFields {
    std::string unit, beam, type, pol_code, start, stop, datatake_hex;
    long long orbit = 0;
};

NameFields name_fields(const std::string& name) {
    static const std::regex re(
        R"(^S1([A-D])_(\w\w)_(\w{4})_(\d\w)(\w\w)_(\d{8}T\d{6})_(\d{8}T\d{6}))"
        R"(_(\d{6})_([0-9A-F]{6})_[0-9A-F]{4}(\.SAFE)?$)");
    std::smatch m;
    BOOST_REQUIRE_MESSAGE(std::regex_match(name, m, re), name);
    return {m[1],
            m[2],
            m[2].str() + "_" + m[3].str() + "_" + m[4].str(),
            m[5],
            m[6],
            m[7],
            m[9],
            std::stoll(m[8])};
}

std::int64_t seconds(creodias::Timestamp t) { return t.us / 1000000; }

// Checks one product (a SAFE directory or zip with manifest.safe) end to end.
Product check_manifest_product(const fs::path& path, bool dummy_measurement = false) {
    const bool is_zip = path.extension() == ".zip";
    const std::string root = is_zip ? path.stem().string() + ".SAFE" : path.filename().string();
    const std::string manifest = is_zip ? zip_member(path, root + "/manifest.safe")
                                        : creodias::test::slurp(path / "manifest.safe");
    auto mf = manifest_facts(manifest);
    auto nf = name_fields(root);

    BOOST_TEST(creodias::to_string(creodias::detect_product(path)) == "sentinel1_safe");
    Product p = creodias::read_product(path);

    BOOST_TEST(p.name == root);
    BOOST_TEST(p.id == (root.size() > 5 && root.substr(root.size() - 5) == ".SAFE"
                            ? root.substr(0, root.size() - 5)
                            : root));
    BOOST_TEST(p.path == path.string());
    BOOST_TEST(p.collection == "SENTINEL-1");
    BOOST_TEST(p.instrument == "SAR");
    BOOST_TEST(p.online);
    BOOST_TEST(p.product_type == nf.type);
    BOOST_TEST(p.processing_level == (mf.type == "OCN" ? "LEVEL2" : "LEVEL1"));
    BOOST_TEST(p.platform == upper(mf.family + mf.number));
    BOOST_TEST(p.platform == "SENTINEL-1" + nf.unit);
    BOOST_TEST(p.sensor_mode == mf.mode);
    BOOST_TEST(p.sensing_start.us == creodias::parse_datetime(mf.start).us);
    BOOST_TEST(p.sensing_end.us == creodias::parse_datetime(mf.stop).us);
    // The name carries the same instants truncated to the second.
    BOOST_TEST(seconds(p.sensing_start) == seconds(creodias::parse_datetime(nf.start)));
    BOOST_TEST(seconds(p.sensing_end) == seconds(creodias::parse_datetime(nf.stop)));
    BOOST_TEST(p.orbit_number.value_or(0) == mf.orbit);
    BOOST_TEST(p.orbit_number.value_or(0) == nf.orbit);
    BOOST_TEST(p.relative_orbit.value_or(0) == mf.relative);
    BOOST_TEST(creodias::to_string(p.orbit_direction) == upper(mf.pass));
    BOOST_TEST(std::set<std::string>(p.polarisations.begin(), p.polarisations.end()) == mf.pols,
               boost::test_tools::per_element());
    BOOST_TEST(p.polarisations.size() == (nf.pol_code[0] == 'D' ? 2u : 1u));
    BOOST_TEST(p.processing_baseline == mf.software);
    BOOST_TEST(!p.cloud_cover.has_value());
    BOOST_TEST(p.tile_id.empty());

    auto extra = nlohmann::json::parse(p.extra_json);
    // The name's datatake field is the manifest's missionDataTakeID in hexadecimal.
    BOOST_TEST(std::stoll(extra.at("s1:datatake_id").get<std::string>()) ==
               std::stoll(nf.datatake_hex, nullptr, 16));
    BOOST_TEST(extra.at("s1:datatake_id").get<std::string>() == mf.datatake);

    // Footprint: every frame's corners, same extent, lon/lat within range.
    BOOST_TEST((p.footprint.type() == creodias::GeometryType::multi_polygon));
    Box want;
    for (const auto& frame : mf.frames) {
        std::string s = frame;
        std::replace(s.begin(), s.end(), ',', ' ');
        std::istringstream in(s);
        for (double lat, lon; in >> lat >> lon;) want.add(lon, lat);
    }
    auto got = vertex_box(p.footprint);
    BOOST_TEST(got.west == want.west, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.east == want.east, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.south == want.south, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.north == want.north, boost::test_tools::tolerance(1e-9));

    // Files: what is really there; checksums as declared, and (real files) as computed.
    std::map<std::string, std::uint64_t> on_disk;
    std::uint64_t total = 0;
    if (is_zip) {
        for (const auto& n : zip_files(path)) on_disk[n.substr(root.size() + 1)] = 0;
        total = fs::file_size(path);
    } else {
        for (const auto& e : fs::recursive_directory_iterator(path))
            if (e.is_regular_file()) {
                on_disk[fs::relative(e.path(), path).generic_string()] = e.file_size();
                total += e.file_size();
            }
    }
    BOOST_TEST(p.size.value_or(0) == total);
    BOOST_TEST(p.files.size() == on_disk.size());
    for (const auto& f : p.files) {
        BOOST_TEST_CONTEXT(f.path) {
            BOOST_REQUIRE(on_disk.count(f.path) == 1u);
            if (!is_zip) BOOST_TEST(f.size.value_or(0) == on_disk.at(f.path));
            if (f.path.rfind("measurement/", 0) == 0) {
                BOOST_TEST(f.role == "data");
                BOOST_TEST(f.media_type == "image/tiff; application=geotiff");
                std::smatch m;
                std::string base = f.path;
                BOOST_REQUIRE(std::regex_search(base, m, std::regex("-(vv|vh|hh|hv)[-.]")));
                BOOST_TEST(f.band == upper(m[1]));
            } else {
                BOOST_TEST(f.band.empty());
            }
            if (f.path.rfind("annotation/", 0) == 0) BOOST_TEST(f.role == "metadata");
            for (const auto& c : f.checksums) {
                BOOST_TEST(c.algorithm == "MD5");
                BOOST_TEST(manifest.find(c.value) != std::string::npos);
                if (dummy_measurement && f.path.rfind("measurement/", 0) == 0) continue;
                BOOST_TEST(c.value == digest(path, is_zip ? root + "/" + f.path : f.path,
                                             c.algorithm, is_zip));
            }
        }
    }
    return p;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sentinel1_test)

BOOST_AUTO_TEST_CASE(iw_grdh_zip) {
    CREODIAS_FIXTURE(zip, kZip);
    auto p = check_manifest_product(zip);
    BOOST_TEST(p.product_type == "IW_GRDH_1S");
    BOOST_TEST(p.sensor_mode == "IW");
    BOOST_TEST(p.processing_baseline == "003.31");
    BOOST_TEST(p.relative_orbit.value_or(0) == 79);
    BOOST_TEST(creodias::format_datetime(p.sensing_start) == "2021-01-19T03:16:53.799379Z");
    // Annotation files carry MD5 checksums from the manifest.
    size_t with_md5 = 0;
    for (const auto& f : p.files) with_md5 += f.checksums.empty() ? 0 : 1;
    BOOST_TEST(with_md5 >= 6u);
}

BOOST_AUTO_TEST_CASE(s1c_stripmap_s4_grdh) {
    CREODIAS_FIXTURE(dir, kS1C);
    auto p = check_manifest_product(dir);
    BOOST_TEST(p.platform == "SENTINEL-1C");
    BOOST_TEST(p.product_type == "S4_GRDH_1S");
    BOOST_TEST(p.sensor_mode == "SM");  // stripmap; the beam S4 stays in the product type
    BOOST_TEST(nlohmann::json::parse(p.extra_json).at("s1:swaths") ==
               nlohmann::json::array({"S4"}));
    BOOST_TEST(p.processing_baseline == "003.90");
    BOOST_TEST(creodias::to_string(p.orbit_direction) == "ASCENDING");
    BOOST_TEST((p.polarisations == std::vector<std::string>{"HH", "HV"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(aws_ew_grdm_folder_without_safe_suffix) {
    CREODIAS_FIXTURE(dir, kAwsEw);
    auto p = check_manifest_product(dir);
    BOOST_TEST(p.product_type == "EW_GRDM_1S");
    BOOST_TEST(p.id == p.name);
    // productInfo.json of the bucket agrees.
    auto info = nlohmann::json::parse(creodias::test::slurp(dir / "productInfo.json"));
    BOOST_TEST(*p.orbit_number == info.at("absoluteOrbitNumber").get<long long>());
    BOOST_TEST(p.sensor_mode == info.at("mode").get<std::string>());
}

BOOST_AUTO_TEST_CASE(iw_slc_with_measurement) {
    CREODIAS_FIXTURE(dir, kIwSlc);
    // The measurement TIFF is a dummy made by xarray-sentinel: its MD5 differs from the
    // manifest's, which the reader reports as declared.
    auto p = check_manifest_product(dir, /*dummy_measurement=*/true);
    BOOST_TEST(p.product_type == "IW_SLC__1S");
    BOOST_TEST(nlohmann::json::parse(p.extra_json).at("s1:swaths") ==
               nlohmann::json::array({"IW1", "IW2", "IW3"}));
    const creodias::ProductFile* tiff = nullptr;
    for (const auto& f : p.files)
        if (f.path.rfind("measurement/", 0) == 0) tiff = &f;
    BOOST_REQUIRE(tiff);
    BOOST_TEST(tiff->band == "HH");
    BOOST_TEST(tiff->checksums.size() == 1u);
}

BOOST_AUTO_TEST_CASE(ew_slc_manifest_only) {
    CREODIAS_FIXTURE(dir, kEwSlc);
    auto p = check_manifest_product(dir);
    BOOST_TEST(p.product_type == "EW_SLC__1S");
    BOOST_TEST(p.sensor_mode == "EW");
    BOOST_TEST(p.files.size() == 1u);
}

BOOST_AUTO_TEST_CASE(stripmap_s6_slc) {
    CREODIAS_FIXTURE(dir, kS6Slc);
    auto p = check_manifest_product(dir);
    BOOST_TEST(p.product_type == "S6_SLC__1S");
    BOOST_TEST(p.sensor_mode == "SM");
    BOOST_TEST((p.polarisations.size() == 2u));
}

BOOST_AUTO_TEST_CASE(wave_mode_vignettes_make_a_multipolygon) {
    CREODIAS_FIXTURE(dir, kWvSlc);
    auto p = check_manifest_product(dir);
    BOOST_TEST(p.product_type == "WV_SLC__1S");
    BOOST_TEST(p.sensor_mode == "WV");
    BOOST_TEST((p.polarisations == std::vector<std::string>{"VV"}),
               boost::test_tools::per_element());
    auto frames = manifest_facts(creodias::test::slurp(dir / "manifest.safe")).frames.size();
    BOOST_TEST(frames == 60u);
    // Vignettes are disjoint: one polygon each.
    BOOST_TEST(p.footprint.parts().size() == frames);
}

BOOST_AUTO_TEST_CASE(cdse_eodata_iw_grdh) {
    for (const char* rel : {kCdse1, kCdse2}) {
        CREODIAS_FIXTURE(dir, rel);
        BOOST_TEST_CONTEXT(rel) {
            auto p = check_manifest_product(dir);
            BOOST_TEST(p.platform == "SENTINEL-1B");
            BOOST_TEST(p.product_type == "IW_GRDH_1S");
            BOOST_TEST(p.processing_baseline == "003.20");
        }
    }
}

// The AWS bucket folder holds productInfo.json and a measurement but no manifest.safe.
BOOST_AUTO_TEST_CASE(aws_folder_with_product_info_only) {
    CREODIAS_FIXTURE(dir, kAwsIwNoManifest);
    auto info = nlohmann::json::parse(creodias::test::slurp(dir / "productInfo.json"));
    BOOST_TEST(creodias::to_string(creodias::detect_product(dir)) == "sentinel1_safe");
    auto p = creodias::read_product(dir);
    BOOST_TEST(p.name == info.at("id").get<std::string>());
    BOOST_TEST(p.id == p.name);
    BOOST_TEST(p.collection == "SENTINEL-1");
    BOOST_TEST(p.product_type == "IW_GRDH_1S");
    BOOST_TEST(p.processing_level == "LEVEL1");
    BOOST_TEST(p.platform == "SENTINEL-1A");
    BOOST_TEST(p.sensor_mode == info.at("mode").get<std::string>());
    BOOST_TEST(p.sensing_start.us ==
               creodias::parse_datetime(info.at("startTime").get<std::string>()).us);
    BOOST_TEST(p.sensing_end.us ==
               creodias::parse_datetime(info.at("stopTime").get<std::string>()).us);
    BOOST_TEST(p.orbit_number.value_or(0) == info.at("absoluteOrbitNumber").get<long long>());
    // ESA's relation for S1A, worked by hand: (22812 - 73) mod 175 + 1 = 165.
    BOOST_TEST(p.relative_orbit.value_or(0) == 165);
    BOOST_TEST((p.polarisations == std::vector<std::string>{"VV", "VH"}),
               boost::test_tools::per_element());
    Box want;
    for (const auto& pos : info.at("footprint").at("coordinates").at(0)) want.add(pos[0], pos[1]);
    auto got = vertex_box(p.footprint);
    BOOST_TEST(got.west == want.west, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.north == want.north, boost::test_tools::tolerance(1e-9));
    BOOST_REQUIRE(p.files.size() == 2u);
    BOOST_TEST(p.files[0].path == "measurement/iw-vv.tiff");
    BOOST_TEST(p.files[0].band == "VV");
    BOOST_TEST(p.files[1].path == "productInfo.json");
    BOOST_TEST(p.files[1].role == "metadata");
}

// The relative orbit the reader computes for productInfo.json, checked on every manifest
// that states both numbers.
BOOST_AUTO_TEST_CASE(relative_orbit_relation_holds_for_manifests) {
    for (const char* rel : {kIwSlc, kEwSlc, kS6Slc, kWvSlc, kCdse1, kAwsEw}) {
        CREODIAS_FIXTURE(dir, rel);
        auto mf = manifest_facts(creodias::test::slurp(dir / "manifest.safe"));
        const long long offset = mf.number == "A" ? 73 : 27;
        BOOST_TEST((mf.orbit - offset) % 175 + 1 == mf.relative, rel);
    }
}

BOOST_AUTO_TEST_CASE(bad_manifests_are_invalid_argument) {
    CREODIAS_FIXTURE(dir, kS1C);
    const std::string manifest = creodias::test::slurp(dir / "manifest.safe");
    const std::string name = dir.filename().string();
    using creodias::detail::parse_sentinel1_manifest;
    BOOST_CHECK_NO_THROW(parse_sentinel1_manifest(manifest, name));
    BOOST_CHECK_NO_THROW(parse_sentinel1_manifest(manifest, "not-a-sentinel-name"));

    auto expect_invalid = [&](const std::string& doc, const std::string& needle) {
        try {
            parse_sentinel1_manifest(doc, name);
            BOOST_ERROR("accepted a bad manifest (expected a message about " << needle << ")");
        } catch (const InvalidArgument& e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
            BOOST_TEST(std::string(e.what()).find("manifest.safe") != std::string::npos, e.what());
        }
    };
    auto replaced = [&](const std::string& from, const std::string& to) {
        auto b = manifest.find(from);
        BOOST_REQUIRE(b != std::string::npos);
        return manifest.substr(0, b) + to + manifest.substr(b + from.size());
    };
    expect_invalid(manifest.substr(0, manifest.size() / 3), "malformed XML");
    expect_invalid(
        replaced("<gml:coordinates>46.195118,8.441154", "<gml:coordinates>46.195118,east"),
        "coordinates");
    expect_invalid(replaced("<gml:coordinates>46.195118,8.441154 46.323090,9.473117 "
                            "45.286346,9.708185 45.158257,8.694749",
                            "<gml:coordinates>"),
                   "coordinates");
    expect_invalid(replaced("<safe:startTime>2025-01-18T17:14:04.727079</safe:startTime>", ""),
                   "startTime");
    expect_invalid(
        replaced("<safe:orbitNumber type=\"start\">638", "<safe:orbitNumber type=\"start\">six"),
        "orbitNumber");
    expect_invalid(replaced("<s1:pass>ASCENDING", "<s1:pass>SIDEWAYS"), "pass");
    expect_invalid("", "manifest.safe");
    expect_invalid(std::string("\xff\xfe\x00garbage\x01\x02", 11), "manifest.safe");
    expect_invalid("<Level-1C_User_Product/>", "XFDU");
}

BOOST_AUTO_TEST_CASE(truncations_and_mutations_never_escape_invalid_argument) {
    CREODIAS_FIXTURE(dir, kS1C);
    check_truncations_and_mutations(creodias::test::slurp(dir / "manifest.safe"), 251, 777, [](const std::string& doc) {
        creodias::detail::parse_sentinel1_manifest(doc, "S1A_IW_GRDH_1SDV_X");
    });
}

BOOST_AUTO_TEST_CASE(folder_without_metadata_is_refused) {
    creodias::test::TempDir tmp;
    auto dir = tmp / "S1A_IW_GRDH_1SDV_20180716T004042_20180716T004107_022812_02792A_FD5B.SAFE";
    fs::create_directories(dir / "measurement");
    std::ofstream(dir / "measurement" / "iw-vv.tiff") << "x";
    BOOST_CHECK_THROW(creodias::read_product(dir), InvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()
