// SMOS Earth Explorer header reader. Oracle: the XML read by hand here (regular expressions on
// the raw text), independent of the reader's pugixml path.

#include <boost/test/unit_test.hpp>

#include "readers/readers_internal.hpp"
#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <cmath>
#include <fstream>
#include <regex>

namespace fs = std::filesystem;
using creodias::test::slurp;

namespace {

const char* const kHdr =
    "products/smos/SM_TEST_MIR_SMUDP2_20150721T102717_20150721T112036_650_001_9.HDR";

std::string element(const std::string& xml, const std::string& name) {
    std::smatch m;
    std::regex re("<" + name + "(?: [^>]*)?>([^<]*)</" + name + ">");
    BOOST_REQUIRE_MESSAGE(std::regex_search(xml, m, re), "no <" << name << ">");
    return m[1].str();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(smos_reader)

BOOST_AUTO_TEST_CASE(header_matches_hand_read_xml) {
    CREODIAS_FIXTURE(hdr, kHdr);
    const std::string xml = slurp(hdr);
    BOOST_TEST((creodias::detect_product(hdr) == creodias::ProductFormat::smos_hdr));
    auto p = creodias::read_product(hdr);

    BOOST_TEST(p.name == element(xml, "File_Name"));
    BOOST_TEST(p.id == p.name);
    BOOST_TEST(p.product_type == element(xml, "File_Type"));
    BOOST_TEST(p.product_type == "MIR_SMUDP2");
    BOOST_TEST(p.processing_level == "LEVEL2");
    BOOST_TEST(p.collection == "SMOS");
    BOOST_TEST(p.platform == "SMOS");
    BOOST_TEST(p.instrument == "MIRAS");
    BOOST_TEST(*p.orbit_number == std::stoll(element(xml, "Abs_Orbit")));
    BOOST_TEST(*p.relative_orbit == std::stoll(element(xml, "Rel_Orbit")));
    BOOST_TEST((p.orbit_direction == creodias::OrbitDirection::ascending));
    BOOST_TEST(element(xml, "Ascending_Flag") == "A");
    BOOST_TEST(p.processing_baseline == element(xml, "Creator_Version"));
    // Precise validity times, "UTC=" prefix removed.
    BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
               creodias::format_datetime(
                   creodias::parse_datetime(element(xml, "Precise_Validity_Start").substr(4))));
    BOOST_TEST(creodias::format_datetime(p.sensing_end) ==
               creodias::format_datetime(
                   creodias::parse_datetime(element(xml, "Precise_Validity_Stop").substr(4))));
    BOOST_TEST(creodias::format_datetime(p.sensing_start) == "2015-07-21T10:27:16.013620Z");
    // Footprint: the L2 node extremes.
    auto box = p.footprint.bbox();
    BOOST_TEST(std::fabs(box.south - std::stod(element(xml, "Southernmost_Latitude"))) < 1e-9);
    BOOST_TEST(std::fabs(box.north - std::stod(element(xml, "Northernmost_Latitude"))) < 1e-9);
    BOOST_TEST(std::fabs(box.west - std::stod(element(xml, "Westernmost_Longitude"))) < 1e-9);
    BOOST_TEST(std::fabs(box.east - std::stod(element(xml, "Easternmost_Longitude"))) < 1e-9);
    BOOST_TEST(p.path == hdr.parent_path().string());
    // Only the .HDR is in the fixtures (the .DBL was not available).
    BOOST_REQUIRE(p.files.size() == 1u);
    BOOST_TEST(p.files[0].path == hdr.filename().string());
    BOOST_TEST(*p.files[0].size == fs::file_size(hdr));
}

BOOST_AUTO_TEST_CASE(eodata_product_directory) {
    CREODIAS_FIXTURE(hdr, kHdr);
    const std::string stem = hdr.stem().string();
    creodias::test::TempDir tmp;
    fs::create_directories(tmp / stem);
    fs::copy_file(hdr, tmp / stem / hdr.filename());
    std::ofstream(tmp / stem / (stem + ".DBL")) << "binary";
    BOOST_TEST((creodias::detect_product(tmp / stem) == creodias::ProductFormat::smos_hdr));
    auto p = creodias::read_product(tmp / stem);
    BOOST_TEST(p.name == stem);
    BOOST_TEST(p.path == (tmp / stem).string());
    BOOST_REQUIRE(p.files.size() == 2u);
    BOOST_TEST(p.files[0].path == stem + ".DBL");
    BOOST_TEST(p.files[0].role == "data");
    BOOST_TEST(*p.size == fs::file_size(hdr) + 6);
}

BOOST_AUTO_TEST_CASE(no_location_means_whole_globe) {
    CREODIAS_FIXTURE(hdr, kHdr);
    std::string xml = slurp(hdr);
    xml = std::regex_replace(
        xml, std::regex("<L2_Product_Location>[\\s\\S]*</L2_Product_Location>"), "");
    auto p = creodias::detail::parse_smos_hdr(xml, "x.HDR");
    auto box = p.footprint.bbox();
    BOOST_TEST(box.west == -180.0);
    BOOST_TEST(box.south == -90.0);
    BOOST_TEST(box.east == 180.0);
    BOOST_TEST(box.north == 90.0);
    // Without the Specific_Product_Header times the Fixed_Header validity is used.
    xml = std::regex_replace(
        xml, std::regex("<Precise_Validity_(Start|Stop)>[^<]*</Precise_Validity_(Start|Stop)>"),
        "");
    auto q = creodias::detail::parse_smos_hdr(xml, "x.HDR");
    BOOST_TEST(creodias::format_datetime(q.sensing_start) == "2015-07-21T10:27:17Z");
    BOOST_TEST(creodias::format_datetime(q.sensing_end) == "2015-07-21T11:20:36Z");
}

BOOST_AUTO_TEST_CASE(bad_headers_are_rejected) {
    CREODIAS_FIXTURE(hdr, kHdr);
    using creodias::InvalidArgument;
    using creodias::detail::parse_smos_hdr;
    const std::string xml = slurp(hdr);
    BOOST_CHECK_THROW(parse_smos_hdr("", "x.HDR"), InvalidArgument);
    BOOST_CHECK_THROW(parse_smos_hdr(xml.substr(0, xml.size() / 2), "x.HDR"), InvalidArgument);
    BOOST_CHECK_THROW(parse_smos_hdr("<Other/>", "x.HDR"), InvalidArgument);
    BOOST_CHECK_THROW(
        parse_smos_hdr(std::regex_replace(xml, std::regex("<File_Name>[^<]*</File_Name>"), ""),
                       "x.HDR"),
        InvalidArgument);
    auto bad_time = std::regex_replace(xml, std::regex("UTC=2015-07-21T10:27:17"), "UTC=sometime");
    bad_time = std::regex_replace(
        bad_time, std::regex("<Precise_Validity_Start>[^<]*</Precise_Validity_Start>"), "");
    try {
        parse_smos_hdr(bad_time, "x.HDR");
        BOOST_FAIL("no exception");
    } catch (const InvalidArgument& e) {
        BOOST_TEST(std::string(e.what()).find("Validity_Start") != std::string::npos);
    }
    for (size_t n = 0; n < xml.size(); n += 101) {
        try {
            parse_smos_hdr(std::string_view(xml).substr(0, n), "x.HDR");
        } catch (const creodias::Error&) {}
    }
}

BOOST_AUTO_TEST_SUITE_END()
