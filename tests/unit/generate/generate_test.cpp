// Synthetic archive and record generators, checked against independent oracles:
//  - GDAL opens every raster and reports its size, CRS and georeferencing, and OGR/PROJ
//    reprojects raster extents, against which the metadata footprints are compared;
//  - pixel statistics recomputed here (land/water/cloud variety, cloud fractions) are compared
//    with the published cloud covers;
//  - the orbit, WRS-2 and MGRS models are checked against values read from real products
//    (the fixtures named next to each number), the digests against published test vectors;
//  - the library's readers index every generated product;
//  - generate_records() output is checked through the store's own statistics and searches.

#include <boost/test/unit_test.hpp>

#include "generate/common.hpp"
#include "generate/orbits.hpp"
#include "support/fixtures.hpp"

#include <creodias/catalogue_store.hpp>
#include <creodias/error.hpp>
#include <creodias/generate.hpp>
#include <creodias/readers.hpp>

#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <pugixml.hpp>
#include <zip.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using creodias::GenerateOptions;
using creodias::GenerateReport;
using creodias::test::TempDir;

namespace {

// ---- helpers ---------------------------------------------------------------------------------

struct GdalCloser {
    void operator()(GDALDataset* ds) const {
        if (ds) GDALClose(GDALDataset::ToHandle(ds));
    }
};
using Dataset = std::unique_ptr<GDALDataset, GdalCloser>;

Dataset open_raster(const fs::path& p) {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
    Dataset ds(GDALDataset::Open(p.string().c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    BOOST_TEST_REQUIRE(static_cast<bool>(ds), "GDAL cannot open " << p);
    return ds;
}

int epsg_of(const OGRSpatialReference* srs) {
    if (!srs) return 0;
    const char* code = srs->GetAuthorityCode(nullptr);
    return code ? std::atoi(code) : 0;
}

/// WGS84 lon/lat of a point in an EPSG CRS, through OGR (independent of the generator's
/// own transformation objects).
creodias::LonLat to_wgs84(int epsg, double x, double y) {
    OGRSpatialReference src, dst;
    src.importFromEPSG(epsg);
    dst.importFromEPSG(4326);
    src.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    dst.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&src, &dst));
    BOOST_TEST_REQUIRE(static_cast<bool>(ct));
    BOOST_TEST_REQUIRE(ct->Transform(1, &x, &y));
    return {x, y};
}

std::vector<std::uint16_t> read_u16(GDALDataset& ds, int band = 1) {
    const int w = ds.GetRasterXSize(), h = ds.GetRasterYSize();
    std::vector<std::uint16_t> v(static_cast<size_t>(w) * static_cast<size_t>(h));
    BOOST_TEST_REQUIRE(ds.GetRasterBand(band)->RasterIO(GF_Read, 0, 0, w, h, v.data(), w, h,
                                                        GDT_UInt16, 0, 0, nullptr) == CE_None);
    return v;
}

pugi::xml_document load_xml(const fs::path& p) {
    pugi::xml_document doc;
    auto r = doc.load_file(p.string().c_str());
    BOOST_TEST_REQUIRE(static_cast<bool>(r), "cannot parse " << p << ": " << r.description());
    return doc;
}

/// Text of the first element with this local name (namespaces vary between files).
std::string xml_text(const pugi::xml_node& root, const std::string& local_name) {
    auto n = root.select_node(("//*[local-name()='" + local_name + "']").c_str()).node();
    return n ? n.child_value() : "";
}

std::vector<std::string> xml_texts(const pugi::xml_node& root, const std::string& local_name) {
    std::vector<std::string> out;
    for (auto x : root.select_nodes(("//*[local-name()='" + local_name + "']").c_str()))
        out.push_back(x.node().child_value());
    return out;
}

/// KEY = value pairs of a Landsat ODL MTL (first occurrence wins).
std::map<std::string, std::string> read_mtl(const fs::path& p) {
    std::map<std::string, std::string> kv;
    std::istringstream in(creodias::test::slurp(p));
    std::string line;
    while (std::getline(in, line)) {
        auto eq = line.find(" = ");
        if (eq == std::string::npos) continue;
        std::string k = line.substr(0, eq), v = line.substr(eq + 3);
        k.erase(0, k.find_first_not_of(' '));
        if (!v.empty() && v.front() == '"') v = v.substr(1, v.size() - 2);
        kv.emplace(k, v);
    }
    return kv;
}

bool is_s2(const fs::path& p) { return p.filename().string().rfind("S2", 0) == 0; }
bool is_s1(const fs::path& p) { return p.filename().string().rfind("S1", 0) == 0; }
bool is_landsat(const fs::path& p) { return p.filename().string().rfind("LC0", 0) == 0; }

// ---- the shared archive ------------------------------------------------------------------------

GenerateOptions small_options() {
    GenerateOptions o;
    o.seed = 7;
    o.sentinel2_l1c = 3;
    o.sentinel2_l2a = 2;
    o.sentinel1_grd = 2;
    o.landsat_c2 = 2;
    o.raster_size = 120;
    return o;
}

struct Archive {
    TempDir dir;
    fs::path root;
    GenerateReport report;
    std::vector<std::pair<std::size_t, std::size_t>> progress;
    Archive() : root(dir.path() / "eodata") {
        GenerateOptions o = small_options();
        o.progress = [this](std::size_t done, std::size_t total) {
            progress.emplace_back(done, total);
        };
        report = creodias::generate_archive(root, o);
        BOOST_TEST_MESSAGE("generated " << report.products.size() << " products, " << report.bytes
                                        << " bytes in " << report.seconds << " s");
    }
};

const Archive& archive() {
    static Archive a;
    return a;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(generate)

// ---- models against real products ------------------------------------------------------------

BOOST_AUTO_TEST_CASE(digests_match_published_test_vectors) {
    using namespace creodias::detail::gen;
    BOOST_TEST(md5_hex("") == "d41d8cd98f00b204e9800998ecf8427e");
    BOOST_TEST(md5_hex("abc") == "900150983cd24fb0d6963f7d28e17f72");
    BOOST_TEST(md5_hex(std::string(1000, 'a')) == "cabe45dcc9ae5b66ba86600cca6b8ba8");
    BOOST_TEST(sha3_256_hex("") ==
               "a7ffc6f8bf1ed76651c14756a061d662f580ff4de43b49fa82d80a4b80f8434a");
    BOOST_TEST(sha3_256_hex("abc") ==
               "3a985da74fe225b2045c172d6bd390bd855f086e3e9d525b46bfe24511431532");
    // Two-block message (longer than the 136-byte rate).
    BOOST_TEST(sha3_256_hex(std::string(200, '\xa3')) ==
               "79f38adec5c20307a98ef76e8324afbfd46cfd81b22e3973c65fa1bd9de31787");
}

BOOST_AUTO_TEST_CASE(analytic_utm_agrees_with_proj) {
    using namespace creodias::detail::gen;
    for (double lat : {-79.0, -45.5, -16.8, 0.3, 23.0, 51.0, 67.9, 83.5})
        for (double dlon : {-2.9, -1.0, 0.0, 1.7, 2.95}) {
            const int zone = 31;
            const double lon = 3.0 + dlon;
            const bool north = lat >= 0;
            double e, n;
            utm_forward(lat, lon, zone, north, e, n);
            const auto ll = to_wgs84((north ? 32600 : 32700) + zone, e, n);
            BOOST_TEST(std::fabs(ll.lat - lat) < 2e-7,
                       "lat " << lat << " lon " << lon << " -> " << ll.lat);
            BOOST_TEST(std::fabs(ll.lon - lon) < 2e-7,
                       "lat " << lat << " lon " << lon << " -> " << ll.lon);
            double lat2, lon2;
            utm_inverse(e, n, zone, north, lat2, lon2);
            BOOST_TEST(std::fabs(lat2 - lat) < 1e-8);
            BOOST_TEST(std::fabs(lon2 - lon) < 1e-8);
        }
}

BOOST_AUTO_TEST_CASE(mgrs_tiles_match_real_sentinel2_tiles) {
    using namespace creodias::detail::gen;
    // Tile ids and upper-left corners from the MTD_TL.xml of the Sentinel-2 fixtures.
    struct Case {
        double lat, lon;
        const char* id;
        double ulx, uly;
    } cases[] = {
        {50.9, 5.2, "31UFS", 600000, 5700000},  // creodias/eodata/.../T31UFS
        {43.0, 2.3, "31TDH", 400000,
         4800000},  // S2A_MSIL1C_20180101T105441_..._T31TDH (ULX 399960)
        {60.8, -147.85, "06VVN", 400000, 6800000},  // planetary-computer T06VVN (399960, 6800040)
        {80.1, 16.5, "33XWJ", 500000,
         8900000}};  // S2B_MSIL2A_20220413T150759_..._T33XWJ (ULY 8900040)
    for (const auto& c : cases) {
        MgrsTile t;
        BOOST_TEST_REQUIRE(mgrs_tile_at(c.lat, c.lon, t));
        BOOST_TEST(t.id == c.id);
        BOOST_TEST(t.ulx == c.ulx);
        BOOST_TEST(t.uly == c.uly);
    }
    // Southern hemisphere lettering (false northing included): T01KAB of
    // S2A_MSIL2A_20230821T221941, whose 100 km square lies west of 180, outside its zone by
    // longitude, so it is checked through the square and band letters directly.
    BOOST_TEST(mgrs_square(1, 100000, 8100000) == "AB");
    BOOST_TEST(mgrs_band(-16.8) == 'K');
}

BOOST_AUTO_TEST_CASE(orbit_models_match_real_products) {
    using namespace creodias::detail::gen;
    using creodias::parse_datetime;
    const auto& s1 = sentinel('1');
    const auto& s2 = sentinel('2');
    // Absolute and relative orbits from product names and manifests of the fixtures.
    BOOST_TEST(absolute_orbit(s2[0], kS2Orbit, parse_datetime("2018-01-01T10:54:41Z")) ==
               13204);  // T31TDH
    BOOST_TEST(relative_orbit(s2[0], kS2Orbit, 13204) == 51);
    BOOST_TEST(absolute_orbit(s2[0], kS2Orbit, parse_datetime("2023-08-21T22:19:41Z")) ==
               42640);  // T01KAB
    BOOST_TEST(relative_orbit(s2[0], kS2Orbit, 42640) == 29);
    const auto a = absolute_orbit(s2[1], kS2Orbit,
                                  parse_datetime("2021-10-24T10:40:29Z"));  // S2B T31UFS N0500
    BOOST_TEST(relative_orbit(s2[1], kS2Orbit, a) == 8);
    BOOST_TEST(absolute_orbit(s1[0], kS1Orbit, parse_datetime("2022-04-14T10:22:09Z")) == 42768);
    BOOST_TEST(absolute_orbit(s1[1], kS1Orbit, parse_datetime("2020-06-06T06:06:15Z")) == 21909);
    BOOST_TEST(relative_orbit(s1[1], kS1Orbit, 26300) == 24);
    BOOST_TEST(relative_orbit(s1[2], kS1Orbit, 638) == 15);
    // Mission datatake ids grow by about 125 a day: S1A 0x043ED0 (2021-01-19) -> 0x051AA4.
    BOOST_TEST(std::llabs(s1_datatake(s1[0], parse_datetime("2022-04-14T10:22:09Z")) - 0x051AA4) <
               50);
}

BOOST_AUTO_TEST_CASE(wrs2_model_matches_real_landsat_scenes) {
    using namespace creodias::detail::gen;
    using creodias::parse_datetime;
    // Scene centres (mean of the MTL product corners) and acquisition times of the fixtures.
    struct Case {
        double lat, lon;
        int path, row, satellite;
        const char* when;
    } cases[] = {
        {-2.894, -65.183, 1, 62, 8, "2020-10-31T14:31:47.8Z"},     // LC08_L2SP_001062_20201031
        {-7.233, -80.039, 10, 65, 9, "2022-01-29T15:28:34.4Z"},    // LC09_L2SP_010065_20220129
        {51.676, -178.767, 84, 24, 8, "2016-01-11T22:49:22.9Z"}};  // LC08_L2SR_084024_20160111
    for (const auto& c : cases) {
        const WrsScene s = wrs_locate(c.lat, c.lon);
        BOOST_TEST(s.path == c.path);
        BOOST_TEST(s.row == c.row);
        const WrsScene centre = wrs_scene(c.path, c.row);
        BOOST_TEST(std::fabs(centre.lat - c.lat) < 0.1);
        BOOST_TEST(std::fabs(wrap_lon(centre.lon - c.lon)) < 0.15);
        const auto t = parse_datetime(c.when);
        const auto predicted =
            wrs_overpass(c.satellite, c.path, c.row, plus_seconds(t, 5 * 86400.0));
        BOOST_TEST(std::fabs(days_between(t, predicted)) * 1440.0 < 1.5,
                   "predicted " << creodias::format_datetime(predicted));
    }
}

// ---- the archive -----------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(archive_follows_the_eodata_layout) {
    const Archive& a = archive();
    const auto& products = a.report.products;
    BOOST_TEST_REQUIRE(products.size() == 9u);
    const std::regex l1c(
        R"(S2[ABC]_MSIL1C_(\d{4})(\d{2})(\d{2})T\d{6}_N0509_R\d{3}_)"
        R"(T\d{2}[C-X][A-Z]{2}_\d{8}T\d{6}\.SAFE)");
    const std::regex l2a(
        R"(S2[ABC]_MSIL2A_(\d{4})(\d{2})(\d{2})T\d{6}_N0509_R\d{3}_)"
        R"(T\d{2}[C-X][A-Z]{2}_\d{8}T\d{6}\.SAFE)");
    const std::regex s1(
        R"(S1[ABC]_IW_GRDH_1SDV_(\d{4})(\d{2})(\d{2})T\d{6}_\d{8}T\d{6}_)"
        R"(\d{6}_[0-9A-F]{6}_[0-9A-F]{4}\.SAFE)");
    const std::regex ls(R"(LC08_L2SP_\d{6}_(\d{4})(\d{2})(\d{2})_\d{8}_02_T1)");
    std::uint64_t bytes = 0;
    int n_l1c = 0, n_l2a = 0, n_s1 = 0, n_ls = 0;
    for (const auto& p : products) {
        BOOST_TEST_REQUIRE(fs::exists(p), p);
        const fs::path product = is_landsat(p) ? p.parent_path() : p;
        const std::string name = product.filename().string();
        const fs::path rel = fs::relative(product.parent_path(), a.root);
        std::smatch m;
        std::string kind_dir;
        if (std::regex_match(name, m, l1c)) {
            kind_dir = "Sentinel-2/MSI/L1C";
            ++n_l1c;
        } else if (std::regex_match(name, m, l2a)) {
            kind_dir = "Sentinel-2/MSI/L2A";
            ++n_l2a;
        } else if (std::regex_match(name, m, s1)) {
            kind_dir = "Sentinel-1/SAR/GRD";
            ++n_s1;
        } else if (std::regex_match(name, m, ls)) {
            kind_dir = "Landsat-8-ESA/OLI_TIRS/L2SP";
            ++n_ls;
            BOOST_TEST(p.filename().string() == name + "_MTL.txt");
        } else {
            BOOST_ERROR("unexpected product name " << name);
            continue;
        }
        // Dated by sensing start: .../YYYY/MM/DD/<name>.
        BOOST_TEST(rel.generic_string() ==
                   kind_dir + "/" + m[1].str() + "/" + m[2].str() + "/" + m[3].str());
        for (const auto& e : fs::recursive_directory_iterator(product))
            if (e.is_regular_file()) bytes += e.file_size();
        // The sensing date lies in the requested year.
        BOOST_TEST(m[1].str() == "2023");
    }
    BOOST_TEST(n_l1c == 3);
    BOOST_TEST(n_l2a == 2);
    BOOST_TEST(n_s1 == 2);
    BOOST_TEST(n_ls == 2);
    BOOST_TEST(a.report.bytes == bytes);
    BOOST_TEST(a.report.seconds > 0);
    // Progress: from the calling thread, one call per product, ending at (total, total).
    BOOST_TEST_REQUIRE(!a.progress.empty());
    BOOST_TEST(a.progress.back().first == 9u);
    BOOST_TEST(a.progress.back().second == 9u);
    // No staging leftovers.
    for (const auto& e : fs::directory_iterator(a.root))
        BOOST_TEST(e.path().filename().string()[0] != '.');
}

BOOST_AUTO_TEST_CASE(sentinel2_rasters_match_their_metadata) {
    const Archive& a = archive();
    for (const auto& p : a.report.products) {
        if (!is_s2(p)) continue;
        const bool l2a = p.filename().string().find("MSIL2A") != std::string::npos;
        const auto mtd = load_xml(p / (l2a ? "MTD_MSIL2A.xml" : "MTD_MSIL1C.xml"));
        BOOST_TEST(xml_text(mtd, "PRODUCT_URI") == p.filename().string());
        BOOST_TEST(xml_text(mtd, "PROCESSING_BASELINE") == "05.09");
        BOOST_TEST(xml_text(mtd, "PRODUCT_TYPE") == (l2a ? "S2MSI2A" : "S2MSI1C"));
        BOOST_TEST(xml_texts(mtd, l2a ? "BOA_ADD_OFFSET" : "RADIO_ADD_OFFSET").size() == 13u);
        for (const auto& v : xml_texts(mtd, l2a ? "BOA_ADD_OFFSET" : "RADIO_ADD_OFFSET"))
            BOOST_TEST(v == "-1000");
        BOOST_TEST(xml_texts(mtd, "Spectral_Information").size() == 13u);

        // Tile geocoding from MTD_TL.
        fs::path granule;
        for (const auto& e : fs::directory_iterator(p / "GRANULE")) granule = e.path();
        const auto tl = load_xml(granule / "MTD_TL.xml");
        const std::string code = xml_text(tl, "HORIZONTAL_CS_CODE");
        BOOST_TEST_REQUIRE(code.rfind("EPSG:326", 0) == 0);
        const int epsg = std::stoi(code.substr(5));
        // The tile id's zone is the CRS's zone.
        const std::string tile = p.filename().string().substr(39, 5);
        BOOST_TEST(std::stoi(tile.substr(0, 2)) == epsg - 32600);
        std::map<int, std::pair<int, double>> geo;  // resolution -> (size, pixel size)
        for (auto s : tl.select_nodes("//*[local-name()='Size']"))
            geo[s.node().attribute("resolution").as_int()].first =
                std::stoi(s.node().child_value("NROWS"));
        double ulx = 0, uly = 0;
        for (auto g : tl.select_nodes("//*[local-name()='Geoposition']")) {
            geo[g.node().attribute("resolution").as_int()].second =
                std::stod(g.node().child_value("XDIM"));
            ulx = std::stod(g.node().child_value("ULX"));
            uly = std::stod(g.node().child_value("ULY"));
        }
        BOOST_TEST(geo[10].first == 120);
        BOOST_TEST(geo[20].first == 60);
        BOOST_TEST(geo[60].first == 20);

        // Every listed image opens with the size, CRS and geotransform of its resolution.
        const auto files = xml_texts(mtd, "IMAGE_FILE");
        BOOST_TEST(files.size() == (l2a ? 36u : 14u));
        std::map<std::string, int> band_res = {{"B01", 60}, {"B02", 10}, {"B03", 10}, {"B04", 10},
                                               {"B05", 20}, {"B06", 20}, {"B07", 20}, {"B08", 10},
                                               {"B8A", 20}, {"B09", 60}, {"B10", 60}, {"B11", 20},
                                               {"B12", 20}, {"TCI", 10}};
        for (const auto& f : files) {
            const fs::path jp2 = p / (f + ".jp2");
            BOOST_TEST_REQUIRE(fs::exists(jp2), jp2);
            auto ds = open_raster(jp2);
            BOOST_TEST(std::string(ds->GetDriver()->GetDescription()) == "JP2OpenJPEG");
            int res;
            if (l2a)
                res = std::stoi(f.substr(f.size() - 3, 2));
            else
                res = band_res.at(f.substr(f.size() - 3));
            BOOST_TEST(ds->GetRasterXSize() == geo[res].first, f);
            BOOST_TEST(ds->GetRasterYSize() == geo[res].first, f);
            BOOST_TEST(epsg_of(ds->GetSpatialRef()) == epsg, f);
            double gt[6];
            BOOST_TEST_REQUIRE(ds->GetGeoTransform(gt) == CE_None);
            BOOST_TEST(std::fabs(gt[0] - ulx) < 1e-6);
            BOOST_TEST(std::fabs(gt[3] - uly) < 1e-6);
            BOOST_TEST(std::fabs(gt[1] - geo[res].second) < 1e-6);
            BOOST_TEST(std::fabs(gt[5] + geo[res].second) < 1e-6);
            BOOST_TEST(std::fabs(gt[1] * ds->GetRasterXSize() - 109800.0) < 1e-6);
            const bool rgb = f.find("TCI") != std::string::npos;
            BOOST_TEST(ds->GetRasterCount() == (rgb ? 3 : 1));
            const bool byte = rgb || f.find("SCL") != std::string::npos;
            BOOST_TEST(ds->GetRasterBand(1)->GetRasterDataType() == (byte ? GDT_Byte : GDT_UInt16),
                       f);
        }

        // The WGS84 footprint is the extent of the rasters (here B04, 10 m) as GDAL reads it,
        // reprojected by OGR with the CRS found in the file: UL, UR, LR, LL, UL.
        std::istringstream pos(xml_text(mtd, "EXT_POS_LIST"));
        std::vector<creodias::LonLat> fp;
        double lat, lon;
        while (pos >> lat >> lon) fp.push_back({lon, lat});
        BOOST_TEST_REQUIRE(fp.size() == 5u);
        std::string b04;
        for (const auto& f : files)
            if (f.find("_B04") != std::string::npos) b04 = f;
        auto ds = open_raster(p / (b04 + ".jp2"));
        double gt[6];
        BOOST_TEST_REQUIRE(ds->GetGeoTransform(gt) == CE_None);
        OGRSpatialReference wgs84;
        wgs84.importFromEPSG(4326);
        wgs84.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        OGRSpatialReference utm(*ds->GetSpatialRef());
        utm.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct(
            OGRCreateCoordinateTransformation(&utm, &wgs84));
        BOOST_TEST_REQUIRE(static_cast<bool>(ct));
        const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
        const double px[4] = {0, double(w), double(w), 0}, py[4] = {0, 0, double(h), double(h)};
        for (int k = 0; k < 4; ++k) {
            double x = gt[0] + px[k] * gt[1] + py[k] * gt[2];
            double y = gt[3] + px[k] * gt[4] + py[k] * gt[5];
            BOOST_TEST_REQUIRE(ct->Transform(1, &x, &y));
            BOOST_TEST(std::fabs(y - fp[static_cast<size_t>(k)].lat) < 1e-7);
            BOOST_TEST(std::fabs(x - fp[static_cast<size_t>(k)].lon) < 1e-7);
        }
        BOOST_TEST((fp.front() == fp.back()));
        // The tile lies in the requested region (default: western Europe), give or take its size.
        BOOST_TEST(fp[0].lon > -6.5);
        BOOST_TEST(fp[0].lon < 16.5);
        BOOST_TEST(fp[0].lat > 41.5);
        BOOST_TEST(fp[0].lat < 56.5);

        // manifest.safe: same footprint, every data object present with its size.
        const auto manifest = load_xml(p / "manifest.safe");
        BOOST_TEST(xml_text(manifest, "coordinates") == xml_text(mtd, "EXT_POS_LIST"));
        for (auto bs : manifest.select_nodes("//*[local-name()='byteStream']")) {
            const std::string href = bs.node().child("fileLocation").attribute("href").value();
            const fs::path f = p / href.substr(2);
            BOOST_TEST_REQUIRE(fs::exists(f), f);
            BOOST_TEST(fs::file_size(f) == bs.node().attribute("size").as_ullong());
            const std::string sum = bs.node().child_value("checksum");
            std::string expect = creodias::detail::gen::sha3_256_hex(creodias::test::slurp(f));
            std::transform(expect.begin(), expect.end(), expect.begin(), ::toupper);
            BOOST_TEST(sum == expect);
        }
    }
}

BOOST_AUTO_TEST_CASE(sentinel2_pixels_show_land_water_and_clouds) {
    const Archive& a = archive();
    double water_seen = 0, veg_seen = 0, cloud_max = 0, cloud_min = 100;
    for (const auto& p : a.report.products) {
        if (!is_s2(p)) continue;
        const bool l2a = p.filename().string().find("MSIL2A") != std::string::npos;
        const auto mtd = load_xml(p / (l2a ? "MTD_MSIL2A.xml" : "MTD_MSIL1C.xml"));
        const double published = std::stod(xml_text(mtd, "Cloud_Coverage_Assessment"));
        cloud_max = std::max(cloud_max, published);
        cloud_min = std::min(cloud_min, published);
        fs::path granule;
        for (const auto& e : fs::directory_iterator(p / "GRANULE")) granule = e.path();
        const std::string prefix =
            p.filename().string().substr(38, 6) + "_" + p.filename().string().substr(11, 15);
        auto band = [&](const std::string& b, int res) {
            const fs::path f = l2a ? granule / "IMG_DATA" / ("R" + std::to_string(res) + "m") /
                                         (prefix + "_" + b + "_" + std::to_string(res) + "m.jp2")
                                   : granule / "IMG_DATA" / (prefix + "_" + b + ".jp2");
            auto ds = open_raster(f);
            return read_u16(*ds);
        };
        // Reflectance = (DN - 1000) / 10000 with the baseline 05.09 offset.
        const auto b02 = band("B02", 10), b04 = band("B04", 10), b08 = band("B08", 10);
        size_t water = 0, veg = 0, bright = 0;
        for (size_t k = 0; k < b02.size(); ++k) {
            BOOST_TEST_REQUIRE(b02[k] > 0);
            const double blue = (b02[k] - 1000) / 1e4, red = (b04[k] - 1000) / 1e4,
                         nir = (b08[k] - 1000) / 1e4;
            const bool cloud = blue > 0.30;
            if (cloud)
                ++bright;
            else if (nir < 0.05)
                ++water;
            else if ((nir - red) / (nir + red) > 0.5)
                ++veg;
        }
        const double n = static_cast<double>(b02.size());
        water_seen = std::max(water_seen, water / n);
        veg_seen = std::max(veg_seen, veg / n);
        // Bright pixels agree with the published cloud cover (cloud edges are soft).
        BOOST_TEST(
            std::fabs(100.0 * bright / n - published) < 4.0,
            p.filename() << ": bright " << 100.0 * bright / n << " % vs " << published << " %");
        if (l2a) {
            // The scene classification is the exact source of the published value.
            const fs::path scl = granule / "IMG_DATA/R20m" / (prefix + "_SCL_20m.jp2");
            auto ds = open_raster(scl);
            std::vector<std::uint8_t> v(
                static_cast<size_t>(ds->GetRasterXSize() * ds->GetRasterYSize()));
            BOOST_TEST_REQUIRE(ds->GetRasterBand(1)->RasterIO(
                                   GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(),
                                   v.data(), ds->GetRasterXSize(), ds->GetRasterYSize(), GDT_Byte,
                                   0, 0, nullptr) == CE_None);
            size_t cloudy = 0;
            std::set<int> classes;
            for (auto c : v) {
                classes.insert(c);
                if (c == 8 || c == 9 || c == 10) ++cloudy;
            }
            BOOST_TEST(std::fabs(100.0 * cloudy / v.size() - published) < 1e-4);
            BOOST_TEST(classes.count(6) + classes.count(4) + classes.count(5) >= 2u);
        }
    }
    BOOST_TEST(water_seen > 0.02);
    BOOST_TEST(veg_seen > 0.05);
    BOOST_TEST(cloud_max - cloud_min > 10.0);  // the scenes differ in cloudiness
}

BOOST_AUTO_TEST_CASE(sentinel1_measurements_match_the_manifest) {
    const Archive& a = archive();
    for (const auto& p : a.report.products) {
        if (!is_s1(p)) continue;
        const auto manifest = load_xml(p / "manifest.safe");
        BOOST_TEST(xml_text(manifest, "mode") == "IW");
        BOOST_TEST(xml_text(manifest, "productType") == "GRD");
        BOOST_TEST(xml_texts(manifest, "transmitterReceiverPolarisation") ==
                   (std::vector<std::string>{"VV", "VH"}));
        const std::string pass = xml_text(manifest, "pass");
        BOOST_TEST((pass == "ASCENDING" || pass == "DESCENDING"));
        // Footprint "lat,lon lat,lon ...": last-line near, last-line far, first-line far,
        // first-line near.
        std::vector<creodias::LonLat> fp;
        std::istringstream coords(xml_text(manifest, "coordinates"));
        std::string pair;
        while (coords >> pair) {
            const auto comma = pair.find(',');
            fp.push_back({std::stod(pair.substr(comma + 1)), std::stod(pair.substr(0, comma))});
        }
        BOOST_TEST_REQUIRE(fp.size() == 4u);
        int measurements = 0;
        for (const auto& e : fs::directory_iterator(p / "measurement")) {
            ++measurements;
            const std::string name = e.path().filename().string();
            BOOST_TEST(
                (name.find("-vv-") != std::string::npos || name.find("-vh-") != std::string::npos));
            auto ds = open_raster(e.path());
            BOOST_TEST(std::string(ds->GetDriver()->GetDescription()) == "GTiff");
            BOOST_TEST(ds->GetRasterBand(1)->GetRasterDataType() == GDT_UInt16);
            // Georeferenced by GCPs in WGS84, like the real GRD GeoTIFFs.
            BOOST_TEST_REQUIRE(ds->GetGCPCount() > 4);
            BOOST_TEST(epsg_of(ds->GetGCPSpatialRef()) == 4326);
            const int w = ds->GetRasterXSize(), h = ds->GetRasterYSize();
            BOOST_TEST(h == 120);
            // The annotation describes the same raster.
            const fs::path ann = p / "annotation" / (e.path().stem().string() + ".xml");
            const auto annotation = load_xml(ann);
            BOOST_TEST(std::stoi(xml_text(annotation, "numberOfSamples")) == w);
            BOOST_TEST(std::stoi(xml_text(annotation, "numberOfLines")) == h);
            auto corner = [&](double pixel, double line) {
                const GDAL_GCP* g = ds->GetGCPs();
                for (int k = 0; k < ds->GetGCPCount(); ++k)
                    if (g[k].dfGCPPixel == pixel && g[k].dfGCPLine == line)
                        return creodias::LonLat{g[k].dfGCPX, g[k].dfGCPY};
                BOOST_FAIL("no GCP at " << pixel << "," << line);
                return creodias::LonLat{};
            };
            const creodias::LonLat expect[4] = {corner(0, h - 1), corner(w - 1, h - 1),
                                                corner(w - 1, 0), corner(0, 0)};
            for (int k = 0; k < 4; ++k) {
                BOOST_TEST(std::fabs(expect[k].lat - fp[static_cast<size_t>(k)].lat) < 1e-6);
                BOOST_TEST(std::fabs(expect[k].lon - fp[static_cast<size_t>(k)].lon) < 1e-6);
            }
            // Speckled amplitudes with land/water contrast.
            const auto v = read_u16(*ds);
            std::vector<std::uint16_t> sorted(v);
            std::sort(sorted.begin(), sorted.end());
            const double p5 = sorted[sorted.size() / 20], p95 = sorted[sorted.size() * 19 / 20];
            BOOST_TEST(p95 > 2.0 * p5, name << ": p5 " << p5 << " p95 " << p95);
            // Averaged over 8 x 8 blocks (speckle mostly gone), land covers and incidence
            // still make the backscatter vary.
            double lo = 1e9, hi = 0;
            for (int bj = 0; bj + 8 <= h; bj += 8)
                for (int bi = 0; bi + 8 <= w; bi += 8) {
                    double m = 0;
                    for (int j = bj; j < bj + 8; ++j)
                        for (int i = bi; i < bi + 8; ++i)
                            m += v[static_cast<size_t>(j) * static_cast<size_t>(w) +
                                   static_cast<size_t>(i)];
                    lo = std::min(lo, m / 64);
                    hi = std::max(hi, m / 64);
                }
            BOOST_TEST(hi > 1.5 * lo, name << ": block means " << lo << ".." << hi);
            double sum = 0, sum2 = 0;
            for (int i = 0; i < 20; ++i)  // a short run of neighbours: speckle makes them differ
                for (int j = 0; j < 20; ++j) {
                    const double x =
                        v[static_cast<size_t>(j) * static_cast<size_t>(w) + static_cast<size_t>(i)];
                    sum += x;
                    sum2 += x * x;
                }
            const double mean = sum / 400, sd = std::sqrt(sum2 / 400 - mean * mean);
            BOOST_TEST(sd / mean > 0.15);
        }
        BOOST_TEST(measurements == 2);
        // Every data object of the manifest exists with its size and MD5.
        for (auto bs : manifest.select_nodes("//*[local-name()='byteStream']")) {
            const std::string href = bs.node().child("fileLocation").attribute("href").value();
            const fs::path f = p / href.substr(2);
            BOOST_TEST_REQUIRE(fs::exists(f), f);
            BOOST_TEST(fs::file_size(f) == bs.node().attribute("size").as_ullong());
            BOOST_TEST(std::string(bs.node().child_value("checksum")) ==
                       creodias::detail::gen::md5_hex(creodias::test::slurp(f)));
        }
    }
}

BOOST_AUTO_TEST_CASE(landsat_rasters_match_the_mtl) {
    const Archive& a = archive();
    for (const auto& p : a.report.products) {
        if (!is_landsat(p.parent_path())) continue;
        auto mtl = read_mtl(p);
        const std::string id = mtl.at("LANDSAT_PRODUCT_ID");
        BOOST_TEST(p.filename().string() == id + "_MTL.txt");
        BOOST_TEST(fs::exists(p.parent_path() / (id + "_MTL.xml")));
        BOOST_TEST(mtl.at("PROCESSING_LEVEL") == "L2SP");
        char path_row[16];
        std::snprintf(path_row, sizeof path_row, "%03d%03d", std::stoi(mtl.at("WRS_PATH")),
                      std::stoi(mtl.at("WRS_ROW")));
        BOOST_TEST(id.substr(10, 6) == path_row);
        const int epsg = 32600 + std::stoi(mtl.at("UTM_ZONE"));
        const int samples = std::stoi(mtl.at("REFLECTIVE_SAMPLES")),
                  lines = std::stoi(mtl.at("REFLECTIVE_LINES"));
        const double ulx = std::stod(mtl.at("CORNER_UL_PROJECTION_X_PRODUCT"));
        const double uly = std::stod(mtl.at("CORNER_UL_PROJECTION_Y_PRODUCT"));
        for (const char* suffix : {"SR_B1", "SR_B2", "SR_B3", "SR_B4", "SR_B5", "SR_B6", "SR_B7",
                                   "ST_B10", "QA_PIXEL"}) {
            auto ds = open_raster(p.parent_path() / (id + "_" + suffix + ".TIF"));
            BOOST_TEST(ds->GetRasterXSize() == samples);
            BOOST_TEST(ds->GetRasterYSize() == lines);
            BOOST_TEST(ds->GetRasterBand(1)->GetRasterDataType() == GDT_UInt16);
            BOOST_TEST(epsg_of(ds->GetSpatialRef()) == epsg);
            double gt[6];
            BOOST_TEST_REQUIRE(ds->GetGeoTransform(gt) == CE_None);
            BOOST_TEST(gt[0] == ulx);
            BOOST_TEST(gt[3] == uly);
            // Corners in the MTL = the raster extent reprojected (printed with 5 decimals).
            const double x1 = gt[0] + gt[1] * samples, y1 = gt[3] + gt[5] * lines;
            const struct {
                const char* name;
                double x, y;
            } corners[] = {
                {"UL", gt[0], gt[3]}, {"UR", x1, gt[3]}, {"LL", gt[0], y1}, {"LR", x1, y1}};
            for (const auto& c : corners) {
                const auto ll = to_wgs84(epsg, c.x, c.y);
                BOOST_TEST(std::fabs(ll.lat - std::stod(mtl.at(std::string("CORNER_") + c.name +
                                                               "_LAT_PRODUCT"))) < 6e-6);
                BOOST_TEST(std::fabs(ll.lon - std::stod(mtl.at(std::string("CORNER_") + c.name +
                                                               "_LON_PRODUCT"))) < 6e-6);
            }
        }
        // QA_PIXEL: fill around a tilted scene, clear land, water and clouds as published.
        auto qa = open_raster(p.parent_path() / (id + "_QA_PIXEL.TIF"));
        const auto v = read_u16(*qa);
        size_t fill = 0, cloud = 0, valid = 0, water = 0;
        for (auto q : v) {
            if (q & 1) {
                ++fill;
                continue;
            }
            ++valid;
            if (q & (1 << 3)) ++cloud;
            if (q & (1 << 7)) ++water;
        }
        BOOST_TEST(fill > 0u);
        BOOST_TEST(valid > v.size() / 2);
        BOOST_TEST(std::fabs(100.0 * cloud / valid - std::stod(mtl.at("CLOUD_COVER"))) < 0.006);
        (void)water;
    }
}

// ---- determinism, zip ------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(same_seed_same_bytes) {
    TempDir d1, d2, d3;
    GenerateOptions o;
    o.seed = 1234;
    o.sentinel2_l1c = 1;
    o.sentinel2_l2a = 1;
    o.sentinel1_grd = 1;
    o.landsat_c2 = 1;
    o.raster_size = 48;
    const auto r1 = creodias::generate_archive(d1.path(), o);
    const auto r2 = creodias::generate_archive(d2.path(), o);
    BOOST_TEST_REQUIRE(r1.products.size() == r2.products.size());
    size_t compared = 0, metadata = 0;
    for (const auto& e : fs::recursive_directory_iterator(d1.path())) {
        if (!e.is_regular_file()) continue;
        const fs::path rel = fs::relative(e.path(), d1.path());
        BOOST_TEST_REQUIRE(fs::exists(d2.path() / rel), rel);
        BOOST_TEST((creodias::test::slurp(e.path()) == creodias::test::slurp(d2.path() / rel)),
                   rel);
        ++compared;
        const std::string n = rel.filename().string();
        if (n.rfind("MTD_", 0) == 0 || n == "manifest.safe" || n.find("_MTL.") != std::string::npos)
            ++metadata;
    }
    BOOST_TEST(compared > 50u);
    // MTD_MSIL*, MTD_TL, MTD_DS and manifest.safe of each S2 product, the S1 manifest and both
    // Landsat MTLs.
    BOOST_TEST(metadata == 4u + 4u + 1u + 2u);
    // A different seed gives different products.
    o.seed = 1235;
    const auto r3 = creodias::generate_archive(d3.path(), o);
    BOOST_TEST(r3.products.front().filename() != r1.products.front().filename());
}

BOOST_AUTO_TEST_CASE(zip_products_hold_the_safe_directory) {
    TempDir d;
    GenerateOptions o;
    o.seed = 99;
    o.sentinel2_l1c = 1;
    o.sentinel2_l2a = 0;
    o.sentinel1_grd = 1;
    o.landsat_c2 = 0;
    o.raster_size = 48;
    o.zip = true;
    const auto r = creodias::generate_archive(d.path(), o);
    BOOST_TEST_REQUIRE(r.products.size() == 2u);
    for (const auto& p : r.products) {
        BOOST_TEST(p.extension() == ".zip");
        const std::string stem = p.stem().string();
        int err = 0;
        zip_t* za = zip_open(p.string().c_str(), ZIP_RDONLY, &err);
        BOOST_TEST_REQUIRE(za != nullptr);
        const zip_int64_t n = zip_get_num_entries(za, 0);
        bool manifest = false;
        for (zip_int64_t i = 0; i < n; ++i) {
            const std::string name = zip_get_name(za, static_cast<zip_uint64_t>(i), 0);
            BOOST_TEST(name.rfind(stem + ".SAFE/", 0) == 0, name);
            if (name == stem + ".SAFE/manifest.safe") manifest = true;
        }
        zip_discard(za);
        BOOST_TEST(manifest);
        BOOST_TEST(r.bytes >= fs::file_size(p));
    }
    // Nothing but the zips is left in the tree (the SAFE directories were staged elsewhere).
    for (const auto& e : fs::recursive_directory_iterator(d.path()))
        BOOST_TEST(e.path().extension() != ".SAFE", e.path());
    for (const auto& p : r.products) {
        try {
            const auto prod = creodias::read_product(p);
            BOOST_TEST(prod.name == p.stem().string() + ".SAFE");
            BOOST_TEST(prod.size.value_or(0) == fs::file_size(p));
        } catch (const creodias::Unsupported& e) {
            BOOST_TEST_MESSAGE("read_product is not available yet for zips: " << e.what());
        }
    }
}

// ---- the library's readers index the generated products ---------------------------------------

BOOST_AUTO_TEST_CASE(readers_index_generated_products) {
    const Archive& a = archive();
    int read = 0, unsupported = 0;
    for (const auto& p : a.report.products) {
        creodias::Product prod;
        try {
            prod = creodias::read_product(p);
        } catch (const creodias::Unsupported& e) {
            ++unsupported;
            BOOST_TEST_MESSAGE("read_product is not available yet for " << p.filename() << ": "
                                                                        << e.what());
            continue;
        }
        ++read;
        const std::string name = is_landsat(p.parent_path()) ? p.parent_path().filename().string()
                                                             : p.filename().string();
        BOOST_TEST(prod.name == name);
        BOOST_TEST_REQUIRE(!prod.footprint.empty());
        const auto bb = prod.footprint.bbox();
        if (is_s2(p)) {
            const bool l2a = name.find("MSIL2A") != std::string::npos;
            const auto mtd = load_xml(p / (l2a ? "MTD_MSIL2A.xml" : "MTD_MSIL1C.xml"));
            BOOST_TEST(prod.collection == "SENTINEL-2");
            BOOST_TEST(prod.product_type == (l2a ? "S2MSI2A" : "S2MSI1C"));
            BOOST_TEST(prod.processing_level == (l2a ? "LEVEL2A" : "LEVEL1C"));
            BOOST_TEST(prod.platform == "SENTINEL-2" + name.substr(2, 1));
            BOOST_TEST(prod.tile_id == name.substr(39, 5));
            BOOST_TEST(prod.processing_baseline == "05.09");
            BOOST_TEST_REQUIRE(prod.cloud_cover.has_value());
            BOOST_TEST(*prod.cloud_cover == std::stod(xml_text(mtd, "Cloud_Coverage_Assessment")));
            BOOST_TEST(*prod.relative_orbit == std::stoi(name.substr(34, 3)));
            BOOST_TEST(prod.orbit_number.has_value());
            BOOST_TEST((prod.orbit_direction == creodias::OrbitDirection::descending));
            BOOST_TEST(prod.extra_json.find(l2a ? "s2:boa_add_offset" : "s2:radio_add_offset") !=
                       std::string::npos);
            size_t bands = 0;
            for (const auto& f : prod.files)
                if (f.band == "B04") ++bands;
            BOOST_TEST(bands == (l2a ? 3u : 1u));
        } else if (is_s1(p)) {
            BOOST_TEST(prod.collection == "SENTINEL-1");
            BOOST_TEST(prod.product_type == "IW_GRDH_1S");
            BOOST_TEST(prod.sensor_mode == "IW");
            BOOST_TEST(prod.polarisations == (std::vector<std::string>{"VV", "VH"}));
            BOOST_TEST(*prod.orbit_number == std::stoll(name.substr(49, 6)));
            BOOST_TEST(prod.relative_orbit.has_value());
            BOOST_TEST(prod.processing_baseline == "003.61");
            BOOST_TEST((prod.orbit_direction != creodias::OrbitDirection::unknown));
        } else {
            auto mtl = read_mtl(p);
            BOOST_TEST(prod.collection == "LANDSAT-8");
            BOOST_TEST(prod.product_type == "L2SP");
            BOOST_TEST(prod.tile_id == name.substr(10, 6));
            BOOST_TEST(*prod.cloud_cover == std::stod(mtl.at("CLOUD_COVER")));
        }
        BOOST_TEST(bb.west > -10.0);
        BOOST_TEST(bb.east < 20.0);
        BOOST_TEST(bb.south > 38.0);
        BOOST_TEST(bb.north < 59.0);
    }
    BOOST_TEST_MESSAGE("read_product: " << read << " products read, " << unsupported
                                        << " not supported yet");
    BOOST_TEST(read + unsupported == static_cast<int>(a.report.products.size()));
}

BOOST_AUTO_TEST_CASE(invalid_options_are_rejected) {
    TempDir d;
    GenerateOptions o;
    o.raster_size = 8;
    BOOST_CHECK_THROW(creodias::generate_archive(d.path(), o), creodias::InvalidArgument);
    o.raster_size = 64;
    o.end = creodias::Timestamp{o.start.us - 1};
    BOOST_CHECK_THROW(creodias::generate_archive(d.path(), o), creodias::InvalidArgument);
    o.end = o.start;
    o.region = creodias::BBox{0, 10, 1, 5};
    BOOST_CHECK_THROW(creodias::generate_archive(d.path(), o), creodias::InvalidArgument);
}

// ---- records -----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(records_fill_a_store_with_a_realistic_mix) {
    TempDir d;
    auto store = creodias::open_sqlite_store(d.path() / "catalogue.db");
    std::vector<std::uint64_t> progress;
    const auto t0 = std::chrono::steady_clock::now();
    const std::uint64_t n = creodias::generate_records(
        *store, 50000, 5, [&](std::uint64_t k) { progress.push_back(k); });
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST_MESSAGE("generate_records: 50000 records in " << s << " s (" << 50000 / s
                                                             << " records/s)");
    BOOST_TEST(n == 50000u);
    // One progress call per transaction of 20,000 records.
    BOOST_TEST(progress == (std::vector<std::uint64_t>{20000, 40000, 50000}));

    // Every record was inserted, none replaced another: the names (the store's unique key) are
    // all distinct.
    const auto stats = store->stats();
    BOOST_TEST(stats.products == 50000u);
    std::map<std::string, std::uint64_t> mix(stats.per_collection.begin(),
                                             stats.per_collection.end());
    const double s2 = mix["SENTINEL-2"] / 50000.0, s1 = mix["SENTINEL-1"] / 50000.0,
                 s3 = mix["SENTINEL-3"] / 50000.0;
    const double ls = (mix["LANDSAT-8"] + mix["LANDSAT-9"]) / 50000.0;
    BOOST_TEST_MESSAGE("mix: S2 " << s2 << " S1 " << s1 << " S3 " << s3 << " Landsat " << ls);
    BOOST_TEST(s2 > 0.42);
    BOOST_TEST(s2 < 0.52);
    BOOST_TEST(s1 > 0.22);
    BOOST_TEST(s1 < 0.32);
    BOOST_TEST(s3 > 0.06);
    BOOST_TEST(s3 < 0.12);
    BOOST_TEST(ls > 0.11);
    BOOST_TEST(ls < 0.19);
    BOOST_TEST(mix["LANDSAT-9"] > 0u);
    BOOST_TEST(mix.size() == 5u);

    BOOST_TEST_REQUIRE(stats.first_sensing.has_value());
    BOOST_TEST((*stats.first_sensing >= creodias::parse_datetime("2015-01-01")));
    BOOST_TEST((*stats.first_sensing < creodias::parse_datetime("2015-01-03")));
    BOOST_TEST((*stats.last_sensing <= creodias::parse_datetime_end("2025-12-31")));
    BOOST_TEST((*stats.last_sensing > creodias::parse_datetime("2025-12-29")));

    // Times are spread uniformly: each year holds about a eleventh.
    for (int year = 2015; year <= 2025; ++year) {
        creodias::Query q;
        q.sensing.start = creodias::Timestamp::from_civil(year, 1, 1);
        q.sensing.end = creodias::Timestamp::from_civil(year + 1, 1, 1);
        q.sensing.end_inclusive = false;
        const auto c = store->count(q).value;
        BOOST_TEST(c > 3500u, year << ": " << c);
        BOOST_TEST(c < 5750u, year << ": " << c);
    }

    // 60 % over Europe; the rest includes the antimeridian and the poles.
    auto count_in = [&](const char* bbox) {
        creodias::Query q;
        q.aoi = creodias::Geometry::from_bbox(creodias::BBox::parse(bbox));
        return store->count(q).value;
    };
    const auto europe = count_in("-25,34,45,72");
    BOOST_TEST(europe > 30000u);
    BOOST_TEST(europe < 36250u);
    BOOST_TEST(count_in("179.5,-80,180,80") > 10u);
    BOOST_TEST(count_in("-180,-80,-179.5,80") > 10u);
    BOOST_TEST(count_in("-180,84,180,90") > 5u);
    BOOST_TEST(count_in("-180,-90,180,-75") > 5u);

    // A Sentinel-2 page: names follow the naming convention and agree with the fields.
    creodias::Query q;
    q.collections = {"SENTINEL-2"};
    q.limit = 200;
    const auto page = store->search(q);
    const std::regex s2name(
        R"(S2[ABC]_MSIL(1C|2A)_(\d{8}T\d{6})_N\d{4}_R(\d{3})_)"
        R"(T(\d{2}[C-X][A-Z]{2})_\d{8}T\d{6}\.SAFE)");
    for (const auto& p : page.products) {
        std::smatch m;
        BOOST_TEST_REQUIRE(std::regex_match(p.name, m, s2name), p.name);
        BOOST_TEST(p.id == p.name.substr(0, p.name.size() - 5));
        BOOST_TEST(p.tile_id == m[4].str());
        BOOST_TEST(*p.relative_orbit == std::stoi(m[3].str()));
        BOOST_TEST(creodias::parse_datetime(m[2].str()).us / 1000000 ==
                   p.sensing_start.us / 1000000);
        BOOST_TEST_REQUIRE(p.cloud_cover.has_value());
        BOOST_TEST((*p.published > p.sensing_start));
        // A Sentinel-2 tile is about 1 degree of latitude high.
        const auto bb = p.footprint.bbox();
        if (!(bb.east - bb.west > 180)) {
            BOOST_TEST(bb.north - bb.south > 0.95, p.name);
            BOOST_TEST(bb.north - bb.south < 1.4, p.name);
        }
    }
}

BOOST_AUTO_TEST_CASE(records_are_deterministic) {
    TempDir d;
    auto a = creodias::open_sqlite_store(d.path() / "a.db");
    auto b = creodias::open_sqlite_store(d.path() / "b.db");
    creodias::generate_records(*a, 3000, 77);
    creodias::generate_records(*b, 3000, 77);
    creodias::Query q;
    q.limit = 3000;
    const auto pa = a->search(q), pb = b->search(q);
    BOOST_TEST_REQUIRE(pa.products.size() == 3000u);
    BOOST_TEST_REQUIRE(pb.products.size() == 3000u);
    for (size_t i = 0; i < 3000; ++i) {
        BOOST_TEST(pa.products[i].name == pb.products[i].name);
        BOOST_TEST((pa.products[i].footprint == pb.products[i].footprint));
    }
    BOOST_CHECK_THROW(creodias::generate_records(*a, 400000000ULL, 1), creodias::InvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()
