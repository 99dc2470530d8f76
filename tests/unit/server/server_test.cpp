// `creodias serve` end to end: a synthetic archive with the real product structure is
// indexed and served on 127.0.0.1; GDAL's WMTS, WMS and WCS drivers and curl are the
// clients. Their results are compared with an independent gdalwarp of the same JPEG 2000
// source bands (PSNR), documents are validated with xmllint against the official OGC
// schemas, and bad requests are checked for the protocol's error format.
#include <creodias/catalogue.hpp>
#include <creodias/generate.hpp>
#include <creodias/server.hpp>

#include "support/fixtures.hpp"

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <gdal.h>

#include <cmath>
#include <future>
#include <map>
#include <regex>
#include <thread>

using namespace creodias;
namespace fs = std::filesystem;

namespace {

struct HttpResult {
    int status = 0;
    std::string body;
    std::map<std::string, std::string> headers;  // lower-case names
};

// A real HTTP client (curl), not the server's in-process entry point.
HttpResult http_get(const std::string& url, const std::vector<std::string>& extra_headers = {}) {
    static std::atomic<int> n{0};
    test::TempDir tmp;
    const auto body = tmp.path() / "body", head = tmp.path() / "head";
    std::string hdr;
    for (const auto& h : extra_headers) hdr += " -H '" + h + "'";
    auto [status, out] = test::shell(fmt::format("curl -s -g --max-time 60 -o '{}' -D '{}'{} -w '%{{http_code}}' '{}'",
                                                 body.string(), head.string(), hdr, url));
    HttpResult r;
    r.status = std::atoi(out.c_str());
    r.body = test::slurp(body);
    std::istringstream hs(test::slurp(head));
    std::string line;
    while (std::getline(hs, line)) {
        auto c = line.find(':');
        if (c == std::string::npos) continue;
        std::string k = line.substr(0, c), v = line.substr(c + 1);
        for (auto& ch : k) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        while (!v.empty() && (v.front() == ' ')) v.erase(0, 1);
        while (!v.empty() && (v.back() == '\r' || v.back() == '\n')) v.pop_back();
        r.headers[k] = v;
    }
    ++n;
    return r;
}

// The served archive: 3 overlapping Sentinel-2 L2A products (different dates), one L1C, one
// Sentinel-1 GRD and one Landsat scene, plus a product whose band files are then damaged.
class Served {
public:
    static Served& instance() {
        static Served s;
        return s;
    }
    std::string url;
    fs::path root;
    std::vector<Product> l2a;  // most recent first
    std::string broken;        // a product with a truncated band and a missing band
    BBox broken_box;
    ~Served() {
        if (server) server->stop();
    }

private:
    Served() {
        // GDAL's WMS/WMTS drivers keep a tile cache in ./gdalwmscache by default: a stale tile
        // from an earlier run would hide a regression, and the directory would litter the cwd.
        ::setenv("GDAL_ENABLE_WMS_CACHE", "NO", 1);
        root = dir.path();
        GenerateOptions g;
        g.seed = 7;
        g.sentinel2_l1c = 1;
        g.sentinel2_l2a = 3;
        g.sentinel1_grd = 1;
        g.landsat_c2 = 1;
        g.raster_size = 512;
        g.region = {9.69, 44.65, 9.70, 44.66};  // the centre of MGRS tile 32TNQ: all products overlap
        generate_archive(root / "eodata", g);
        GenerateOptions b = g;
        b.seed = 99;
        b.sentinel2_l1c = 0;
        b.sentinel2_l2a = 1;
        b.sentinel1_grd = 0;
        b.landsat_c2 = 0;
        b.region = {20.0, 50.0, 20.1, 50.1};
        generate_archive(root / "broken", b);
        {
            Catalogue cat(root / "catalogue.db");
            cat.index({root / "eodata", root / "broken"});
            Query q;
            q.product_types = {"S2MSI2A"};
            q.limit = 10;
            for (auto& p : cat.search(q).products)
                if (p.path.find("/broken/") == std::string::npos) l2a.push_back(p);
                else {
                    broken = p.name_key();
                    broken_box = p.footprint.bbox();
                }
        }
        // A corrupt band: every B02 file of the broken product truncated.
        for (auto& e : fs::recursive_directory_iterator(root / "broken")) {
            const std::string name = e.path().filename().string();
            if (name.find("_B02_") != std::string::npos && name.find(".jp2") != std::string::npos)
                fs::resize_file(e.path(), 2000);
        }
        ServerOptions o;
        o.catalogue = root / "catalogue.db";
        o.port = 0;
        o.tile_cache_mb = 16;
        o.render_timeout = 10;
        server = std::make_unique<TileServer>(o);
        server->start();
        url = server->url();
    }
    test::TempDir dir;
    std::unique_ptr<TileServer> server;
};

// Web Mercator helpers.
double merc_x(double lon) { return lon * 20037508.342789244 / 180.0; }
double merc_y(double lat) { return std::log(std::tan((90 + lat) * M_PI / 360.0)) * 20037508.342789244 / M_PI; }
std::pair<std::int64_t, std::int64_t> tile_of(double lon, double lat, int z) {
    const double span = 2 * 20037508.342789244 / std::ldexp(1.0, z);
    return {static_cast<std::int64_t>((merc_x(lon) + 20037508.342789244) / span),
            static_cast<std::int64_t>((20037508.342789244 - merc_y(lat)) / span)};
}

// Band files of a SAFE product, by band, at 10 m.
std::map<std::string, fs::path> band_files(const Product& p) {
    std::map<std::string, fs::path> out;
    for (auto& e : fs::recursive_directory_iterator(p.path)) {
        const std::string n = e.path().filename().string();
        static const std::regex re("_(B0[2348])_10m\\.jp2$");
        std::smatch m;
        if (std::regex_search(n, m, re)) out[m[1]] = e.path();
    }
    return out;
}

double boa_offset(const Product& p) {
    const std::string mtd = test::slurp(fs::path(p.path) / "MTD_MSIL2A.xml");
    std::smatch m;
    static const std::regex re("<BOA_ADD_OFFSET band_id=\"3\">(-?[0-9.]+)</BOA_ADD_OFFSET>");
    BOOST_REQUIRE(std::regex_search(mtd, m, re));
    return std::stod(m[1]);
}

struct Rgba8 {
    int w = 0, h = 0;
    std::vector<std::uint8_t> px;  // RGBA
};

Rgba8 read_rgba(const fs::path& file) {
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen(file.string().c_str(), GA_ReadOnly);
    BOOST_REQUIRE_MESSAGE(ds, "cannot open " << file);
    Rgba8 r;
    r.w = GDALGetRasterXSize(ds);
    r.h = GDALGetRasterYSize(ds);
    const int nb = GDALGetRasterCount(ds);
    r.px.assign(static_cast<std::size_t>(r.w * r.h * 4), 255);
    for (int b = 0; b < std::min(nb, 4); ++b)
        BOOST_REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Read, 0, 0, r.w, r.h, r.px.data() + b, r.w, r.h,
                                   GDT_Byte, 4, r.w * 4) == CE_None);
    GDALClose(ds);
    return r;
}

// The TRUE_COLOR rendering computed in the test from a gdalwarp of B04/B03/B02: reflectance
// (DN + offset) / 10000 over 0..0.4, transparent where DN is 0 or outside the scene.
Rgba8 oracle_true_colour(const Product& p, const std::string& srs, double minx, double miny, double maxx, double maxy,
                         int w, int h) {
    test::TempDir tmp;
    auto files = band_files(p);
    const double off = boa_offset(p);
    Rgba8 out;
    out.w = w;
    out.h = h;
    out.px.assign(static_cast<std::size_t>(w * h * 4), 0);
    std::vector<float> alpha(static_cast<std::size_t>(w * h));
    int c = 0;
    for (const char* band : {"B04", "B03", "B02"}) {
        const auto dst = tmp.path() / (std::string(band) + ".tif");
        auto cmd = fmt::format("gdalwarp -q -et 0.03 -r bilinear -srcnodata 0 -dstalpha -ot Float32 -t_srs {} -te {:.17g} "
                               "{:.17g} {:.17g} {:.17g} -ts {} {} '{}' '{}' 2>&1",
                               srs, minx, miny, maxx, maxy, w, h, files.at(band).string(), dst.string());
        auto [st, text] = test::shell(cmd);
        BOOST_REQUIRE_MESSAGE(st == 0, cmd << ": " << text);
        GDALDatasetH ds = GDALOpen(dst.string().c_str(), GA_ReadOnly);
        std::vector<float> v(static_cast<std::size_t>(w * h));
        BOOST_REQUIRE(ds);
        BOOST_REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, w, h, v.data(), w, h, GDT_Float32, 0, 0) ==
                      CE_None);
        BOOST_REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, 2), GF_Read, 0, 0, w, h, alpha.data(), w, h, GDT_Float32, 0,
                                   0) == CE_None);
        GDALClose(ds);
        for (std::size_t i = 0; i < v.size(); ++i) {
            const double t = std::clamp((v[i] + off) / 10000.0 / 0.4, 0.0, 1.0);
            out.px[i * 4 + static_cast<std::size_t>(c)] = static_cast<std::uint8_t>(std::lround(t * 255));
            if (c == 0) out.px[i * 4 + 3] = alpha[i] > 127.5f ? 255 : 0;
        }
        ++c;
    }
    return out;
}

struct Compare {
    double psnr = 0, alpha_agreement = 0;
    std::size_t both = 0;
};

Compare compare(const Rgba8& a, const Rgba8& b) {
    BOOST_REQUIRE(a.w == b.w && a.h == b.h);
    double se = 0;
    std::size_t both = 0, agree = 0, n = static_cast<std::size_t>(a.w * a.h);
    for (std::size_t i = 0; i < n; ++i) {
        const bool va = a.px[i * 4 + 3] > 127, vb = b.px[i * 4 + 3] > 127;
        agree += va == vb;
        if (!(va && vb)) continue;
        ++both;
        for (int c = 0; c < 3; ++c) {
            const double d = double(a.px[i * 4 + static_cast<std::size_t>(c)]) - b.px[i * 4 + static_cast<std::size_t>(c)];
            se += d * d;
        }
    }
    Compare r;
    r.both = both;
    r.alpha_agreement = double(agree) / double(n);
    r.psnr = se == 0 ? 99 : 10 * std::log10(255.0 * 255.0 / (se / (3.0 * double(both))));
    return r;
}

std::string schemas() { return (test::fixtures_dir() / "ogc-schemas").string(); }

// xmllint against an official schema, offline through the fixtures' XML catalog.
void validate(const std::string& xml, const std::string& schema_rel, const std::string& what) {
    test::TempDir tmp;
    const auto f = tmp.path() / "doc.xml";
    std::ofstream(f) << xml;
    auto [st, out] = test::shell(fmt::format(
        "XML_CATALOG_FILES='{0}/catalog.xml' xmllint --nonet --noout --schema '{0}/{1}' '{2}' 2>&1 | grep -v 'Skipping import'",
        schemas(), schema_rel, f.string()));
    BOOST_TEST(out.find("validates") != std::string::npos, what << " does not validate against " << schema_rel << ": " << out);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(server)

BOOST_AUTO_TEST_CASE(ogc_documents_validate_against_the_official_schemas) {
    CREODIAS_FIXTURE(dir, "ogc-schemas/catalog.xml");
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    validate(http_get(s.url + "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities").body,
             "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd", "WMTS capabilities");
    validate(http_get(s.url + "/wmts/1.0.0/WMTSCapabilities.xml").body,
             "schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd", "WMTS REST capabilities");
    validate(http_get(s.url + "/wms?SERVICE=WMS&REQUEST=GetCapabilities&VERSION=1.3.0").body,
             "schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd", "WMS 1.3.0 capabilities");
    validate(http_get(s.url + "/wcs?SERVICE=WCS&REQUEST=GetCapabilities").body, "schemas.opengis.net/wcs/2.0/wcsAll.xsd",
             "WCS capabilities");
    validate(http_get(s.url + "/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID=" + p.name_key() +
                      ",SENTINEL-2-L2A")
                 .body,
             "schemas.opengis.net/wcs/2.0/wcsAll.xsd", "WCS DescribeCoverage");
    // Exception reports.
    auto e1 = http_get(s.url + "/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=nope&STYLE=default&FORMAT=image/png"
                               "&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=3&TILEROW=0&TILECOL=0");
    BOOST_TEST(e1.status == 400);
    validate(e1.body, "schemas.opengis.net/ows/1.1.0/owsExceptionReport.xsd", "WMTS exception");
    auto e2 = http_get(s.url + "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=nope");
    BOOST_TEST(e2.status == 400);
    validate(e2.body, "schemas.opengis.net/wms/1.3.0/exceptions_1_3_0.xsd", "WMS exception");
    auto e3 = http_get(s.url + "/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=nope");
    BOOST_TEST(e3.status == 404);
    validate(e3.body, "schemas.opengis.net/ows/2.0/owsExceptionReport.xsd", "WCS exception");
}

BOOST_AUTO_TEST_CASE(gdal_wmts_driver_reads_tiles_that_match_gdalwarp) {
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    const auto box = p.footprint.bbox();
    // A 2x2 block of level-11 tiles inside the product: GDAL fetches exactly those tiles.
    const int z = 11;
    auto [x, y] = tile_of((box.west + box.east) / 2, (box.south + box.north) / 2, z);
    const double span = 2 * 20037508.342789244 / std::ldexp(1.0, z);
    const double minx = -20037508.342789244 + x * span, maxy = 20037508.342789244 - y * span;
    const double maxx = minx + 2 * span, miny = maxy - 2 * span;
    test::TempDir tmp;
    const auto out = tmp.path() / "wmts.tif";
    auto cmd = fmt::format(
        "gdal_translate -q -projwin {:.17g} {:.17g} {:.17g} {:.17g} -outsize 512 512 "
        "'WMTS:{}/wmts?SERVICE=WMTS&REQUEST=GetCapabilities,layer={},tilematrixset=WebMercatorQuad' '{}' 2>&1",
        minx, maxy, maxx, miny, s.url, p.name_key(), out.string());
    auto [st, text] = test::shell(cmd);
    BOOST_REQUIRE_MESSAGE(st == 0, cmd << ": " << text);
    auto got = read_rgba(out);
    auto want = oracle_true_colour(p, "EPSG:3857", minx, miny, maxx, maxy, 512, 512);
    auto c = compare(got, want);
    BOOST_TEST_MESSAGE("WMTS vs gdalwarp: PSNR " << c.psnr << " dB over " << c.both << " pixels, alpha agrees on "
                                                 << c.alpha_agreement * 100 << " %");
    BOOST_TEST(c.both > 100000u);
    BOOST_TEST(c.psnr >= 40.0);
    BOOST_TEST(c.alpha_agreement >= 0.99);
    // The REST template the capabilities advertise, read by GDAL the same way.
    auto caps = http_get(s.url + "/wmts/1.0.0/WMTSCapabilities.xml").body;
    BOOST_TEST(caps.find("/wmts/1.0.0/" + p.name_key() + "/{Style}/default/{TileMatrixSet}") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(gdal_wms_driver_gets_axis_order_right_in_1_3_0_and_1_1_1) {
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    const auto b = p.footprint.bbox();
    const double w = b.west + 0.2 * (b.east - b.west), e = b.west + 0.7 * (b.east - b.west);
    const double so = b.south + 0.25 * (b.north - b.south), n = b.south + 0.75 * (b.north - b.south);
    auto want = oracle_true_colour(p, "EPSG:4326", w, so, e, n, 300, 240);
    for (const char* version : {"1.3.0", "1.1.1"}) {
        test::TempDir tmp;
        const auto out = tmp.path() / "wms.tif";
        const bool v13 = std::string(version) == "1.3.0";
        // In 1.3.0, EPSG:4326 takes lat,lon; GDAL's WMS driver reads the URL the same way.
        const std::string bbox = v13 ? fmt::format("{:.10f},{:.10f},{:.10f},{:.10f}", so, w, n, e)
                                     : fmt::format("{:.10f},{:.10f},{:.10f},{:.10f}", w, so, e, n);
        auto cmd = fmt::format(
            "gdal_translate -q -outsize 300 240 'WMS:{}/wms?SERVICE=WMS&VERSION={}&REQUEST=GetMap&LAYERS={}&{}=EPSG:4326"
            "&BBOX={}&FORMAT=image/png&TRANSPARENT=TRUE' '{}' 2>&1",
            s.url, version, p.name_key(), v13 ? "CRS" : "SRS", bbox, out.string());
        auto [st, text] = test::shell(cmd);
        BOOST_REQUIRE_MESSAGE(st == 0, cmd << ": " << text);
        auto c = compare(read_rgba(out), want);
        BOOST_TEST_MESSAGE("WMS " << version << " vs gdalwarp: PSNR " << c.psnr << " dB, alpha agrees on "
                                  << c.alpha_agreement * 100 << " %");
        BOOST_TEST(c.both > 30000u, version);
        BOOST_TEST(c.psnr >= 40.0, version << ": PSNR " << c.psnr);
        BOOST_TEST(c.alpha_agreement >= 0.99, version);
    }
    // Swapping the 1.3.0 axes by mistake would read another place: the same numbers as a
    // lon,lat box must give a different (here empty) picture.
    auto wrong = http_get(fmt::format("{}/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={}&CRS=EPSG:4326&BBOX={},{},{},{}"
                                      "&WIDTH=64&HEIGHT=64&FORMAT=image/png&TRANSPARENT=TRUE",
                                      s.url, p.name_key(), w, so, e, n));
    BOOST_TEST(wrong.status == 200);
    BOOST_TEST(decode_png(wrong.body).empty());
}

BOOST_AUTO_TEST_CASE(gdal_wcs_driver_reads_physical_values) {
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    const auto b04 = band_files(p).at("B04");
    test::TempDir tmp;
    const auto out = tmp.path() / "wcs.tif";
    auto cmd = fmt::format("gdal_translate -q -oo CACHE='{}' -b 3 -srcwin 100 120 200 150 "
                           "'WCS:{}/wcs?VERSION=2.0.1&COVERAGEID={}' '{}' 2>&1",
                           (tmp.path() / "cache").string(), s.url, p.name_key(), out.string());
    auto [st, text] = test::shell(cmd);
    BOOST_REQUIRE_MESSAGE(st == 0, cmd << ": " << text);
    // Band 3 of the range is B04 (B01, B02, B03, B04... in the order the product lists them);
    // check by name through DescribeCoverage and by value against the JPEG 2000 file.
    auto dc = http_get(s.url + "/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID=" + p.name_key()).body;
    std::vector<std::string> fields;
    static const std::regex field("<swe:field name=\"([A-Z0-9_]+)\"");
    for (auto it = std::sregex_iterator(dc.begin(), dc.end(), field); it != std::sregex_iterator(); ++it)
        fields.push_back((*it)[1]);
    BOOST_REQUIRE(fields.size() >= 3u);
    const std::string band = fields[2];
    const auto file = band_files(p).count(band) ? band_files(p).at(band) : b04;
    GDALAllRegister();
    GDALDatasetH got = GDALOpen(out.string().c_str(), GA_ReadOnly);
    GDALDatasetH src = GDALOpen(file.string().c_str(), GA_ReadOnly);
    BOOST_REQUIRE(got && src);
    std::vector<float> g(200 * 150);
    std::vector<std::uint16_t> dn(200 * 150);
    BOOST_REQUIRE(GDALRasterIO(GDALGetRasterBand(got, 1), GF_Read, 0, 0, 200, 150, g.data(), 200, 150, GDT_Float32,
                               0, 0) == CE_None);
    BOOST_REQUIRE(GDALRasterIO(GDALGetRasterBand(src, 1), GF_Read, 100, 120, 200, 150, dn.data(), 200, 150,
                               GDT_UInt16, 0, 0) == CE_None);
    double gt_got[6], gt_src[6];
    BOOST_REQUIRE(GDALGetGeoTransform(got, gt_got) == CE_None);
    BOOST_REQUIRE(GDALGetGeoTransform(src, gt_src) == CE_None);
    GDALClose(got);
    GDALClose(src);
    BOOST_TEST(std::fabs(gt_got[0] - (gt_src[0] + 100 * gt_src[1])) < 1e-6);
    BOOST_TEST(std::fabs(gt_got[3] - (gt_src[3] + 120 * gt_src[5])) < 1e-6);
    const double off = boa_offset(p);
    std::size_t checked = 0, bad = 0;
    for (std::size_t i = 0; i < g.size(); ++i) {
        if (dn[i] == 0) {
            bad += !std::isnan(g[i]);
            continue;
        }
        ++checked;
        bad += std::fabs(g[i] - (dn[i] + off) / 10000.0) > 1e-6;
    }
    BOOST_TEST(checked > 20000u);
    BOOST_TEST(bad == 0u, band << ": " << bad << " samples differ");
}

BOOST_AUTO_TEST_CASE(wcs_subsetting_scaling_and_range_subsetting) {
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    auto dc = http_get(s.url + "/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=DescribeCoverage&COVERAGEID=" + p.name_key()).body;
    std::smatch m;
    BOOST_REQUIRE(std::regex_search(dc, m, std::regex("<gml:lowerCorner>([0-9.]+) ([0-9.]+)</gml:lowerCorner>")));
    const double e0 = std::stod(m[1]), n0 = std::stod(m[2]);
    auto r = http_get(fmt::format("{}/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID={}&SUBSET=E({},{})"
                                  "&SUBSET=N({},{})&SCALESIZE=E(64),N(32)&RANGESUBSET=B08,B04&FORMAT=image/tiff",
                                  s.url, p.name_key(), e0 + 10000, e0 + 30000, n0 + 20000, n0 + 30000));
    BOOST_REQUIRE(r.status == 200);
    test::TempDir tmp;
    std::ofstream(tmp.path() / "c.tif", std::ios::binary) << r.body;
    GDALAllRegister();
    GDALDatasetH ds = GDALOpen((tmp.path() / "c.tif").string().c_str(), GA_ReadOnly);
    BOOST_REQUIRE(ds);
    BOOST_TEST(GDALGetRasterXSize(ds) == 64);
    BOOST_TEST(GDALGetRasterYSize(ds) == 32);
    BOOST_TEST(GDALGetRasterCount(ds) == 2);
    BOOST_TEST(std::string(GDALGetDescription(GDALGetRasterBand(ds, 1))) == "B08");
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    BOOST_TEST(std::fabs(gt[0] - (e0 + 10000)) < 1e-6);
    BOOST_TEST(std::fabs(gt[1] - 20000.0 / 64) < 1e-6);
    GDALClose(ds);
    // Output in another CRS, trimmed in lon/lat.
    auto b = p.footprint.bbox();
    auto r2 = http_get(fmt::format("{}/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID={}"
                                   "&SUBSETTINGCRS=http://www.opengis.net/def/crs/EPSG/0/4326&OUTPUTCRS=http://www.opengis.net/def/crs/EPSG/0/4326"
                                   "&SUBSET=Long({},{})&SUBSET=Lat({},{})&SCALESIZE=Long(50),Lat(40)&RANGESUBSET=B04",
                                   s.url, p.name_key(), b.west + 0.3, b.west + 0.5, b.south + 0.3, b.south + 0.45));
    BOOST_TEST(r2.status == 200, r2.body.substr(0, 300));
    // Errors.
    for (const auto& [q, code] : std::vector<std::pair<std::string, std::string>>{
             {"&SUBSET=E(1,0)", "InvalidSubsetting"},
             {"&SUBSET=Q(1,2)", "InvalidAxisLabel"},
             {"&RANGESUBSET=B99", "NoSuchField"},
             {"&SCALESIZE=E(0)", "InvalidExtent"},
             {"&SUBSET=E(0,1)", "InvalidSubsetting"},
             {"&SCALEFACTOR=0.001", "InvalidParameterValue"},
             {"&FORMAT=image/png", "InvalidParameterValue"}}) {
        auto e = http_get(s.url + "/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=" + p.name_key() + q);
        BOOST_TEST(e.status == 400, q << ": " << e.status);
        BOOST_TEST(e.body.find("exceptionCode=\"" + code + "\"") != std::string::npos, q << ": " << e.body);
    }
}

BOOST_AUTO_TEST_CASE(bad_requests_get_400_in_the_protocols_format_and_the_server_keeps_serving) {
    auto& s = Served::instance();
    const std::string prod = s.l2a.front().name_key();
    struct Case {
        std::string path;
        int status;
        std::string code;
        bool json;
    };
    const std::vector<Case> cases = {
        {"/tiles/WebMercatorQuad/3/1/1.png", 400, "MissingParameterValue", true},
        {"/tiles/WebMercatorQuad/3/1/1.png?layer=NOPE", 400, "LayerNotDefined", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&style=NOPE", 400, "StyleNotDefined", true},
        {"/tiles/NoSuchQuad/3/1/1.png?layer=" + prod, 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/3/8/1.png?layer=" + prod, 400, "TileOutOfRange", true},
        {"/tiles/WebMercatorQuad/3/-1/1.png?layer=" + prod, 400, "TileOutOfRange", true},
        {"/tiles/WebMercatorQuad/30/1/1.png?layer=" + prod, 400, "TileOutOfRange", true},
        {"/tiles/WebMercatorQuad/3/a/1.png?layer=" + prod, 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/3/1/1.gif?layer=" + prod, 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&expression=(B04-", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&expression=B04/0", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&expression=system(1)", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&expression=B99", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=SENTINEL-2-L2A&time=2023-12-01/2023-01-01", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=SENTINEL-2-L2A&time=yesterday", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=SENTINEL-2-L2A&maxcc=101", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=SENTINEL-2-L2A&priority=random", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&colormap=nope&expression=B04", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/10/1/1.png?layer=" + prod + "&rescale=1,1", 400, "InvalidParameterValue", true},
        {"/tiles/WebMercatorQuad/3/1/1.png?layer=SENTINEL-2-L2A", 400, "ZoomIn", true},
        {"/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + prod +
             "&STYLE=default&FORMAT=image/png&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=3&TILEROW=9&TILECOL=0",
         400, "TileOutOfRange", false},
        {"/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + prod + "&STYLE=default&FORMAT=image/png", 400,
         "MissingParameterValue", false},
        {"/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=" + prod +
             "&STYLE=default&FORMAT=image/png&TILEMATRIXSET=Nope&TILEMATRIX=3&TILEROW=0&TILECOL=0",
         400, "InvalidParameterValue", false},
        {"/wmts?SERVICE=WMTS&REQUEST=DescribeMagic", 400, "OperationNotSupported", false},
        {"/wmts?REQUEST=GetCapabilities", 400, "MissingParameterValue", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + prod +
             "&STYLES=&CRS=EPSG:4326&BBOX=45,10,46,11&WIDTH=100000&HEIGHT=256&FORMAT=image/png",
         400, "InvalidParameterValue", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + prod +
             "&STYLES=&CRS=EPSG:999999&BBOX=45,10,46,11&WIDTH=256&HEIGHT=256&FORMAT=image/png",
         400, "InvalidCRS", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + prod +
             "&STYLES=&CRS=EPSG:4326&BBOX=46,10,45,11&WIDTH=256&HEIGHT=256&FORMAT=image/png",
         400, "InvalidParameterValue", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + prod +
             "&STYLES=&CRS=EPSG:4326&BBOX=45,10,46,11&WIDTH=256&HEIGHT=256&FORMAT=image/bmp",
         400, "InvalidFormat", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=" + prod +
             "&STYLES=NOPE&CRS=EPSG:4326&BBOX=45,10,46,11&WIDTH=256&HEIGHT=256&FORMAT=image/png",
         400, "StyleNotDefined", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS=NOPE&STYLES=&CRS=EPSG:4326&BBOX=45,10,46,11&WIDTH=256"
         "&HEIGHT=256&FORMAT=image/png",
         400, "LayerNotDefined", false},
        {"/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&QUERY_LAYERS=" + prod +
             "&LAYERS=" + prod + "&STYLES=&CRS=EPSG:4326&BBOX=45,10,46,11&WIDTH=256&HEIGHT=256&I=300&J=1&INFO_FORMAT=application/json",
         400, "InvalidPoint", false},
        {"/wms?SERVICE=WMS&VERSION=1.1.1&REQUEST=GetMap&LAYERS=" + prod +
             "&STYLES=&SRS=EPSG:4326&BBOX=10,45,11,46&WIDTH=-5&HEIGHT=256&FORMAT=image/png",
         400, "InvalidParameterValue", false},
        {"/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage", 400, "MissingParameterValue", false},
        {"/wcs?SERVICE=WCS&VERSION=2.0.1&REQUEST=GetCoverage&COVERAGEID=SENTINEL-2-L2A", 400, "InvalidParameterValue", false},
    };
    for (const auto& c : cases) {
        auto r = http_get(s.url + c.path);
        BOOST_TEST(r.status == c.status, c.path << ": status " << r.status << " " << r.body.substr(0, 200));
        if (c.json) {
            nlohmann::json j;
            BOOST_REQUIRE_NO_THROW(j = nlohmann::json::parse(r.body));
            BOOST_TEST(j["error"]["code"] == c.code, c.path << ": " << r.body);
            BOOST_TEST(!j["error"]["message"].get<std::string>().empty());
            BOOST_TEST(r.headers["content-type"].find("application/json") != std::string::npos);
        } else {
            BOOST_TEST((r.body.find("\"" + c.code + "\"") != std::string::npos), c.path << ": " << r.body);
            BOOST_TEST(r.headers["content-type"].find("xml") != std::string::npos);
        }
    }
    // Still serving.
    auto ok = http_get(s.url + "/api/layers");
    BOOST_TEST(ok.status == 200);
}

BOOST_AUTO_TEST_CASE(missing_and_corrupt_sources_give_5xx_within_the_timeout_without_starving_others) {
    auto& s = Served::instance();
    BOOST_REQUIRE(!s.broken.empty());
    const std::string good = s.l2a.front().name_key();
    const auto gb = s.l2a.front().footprint.bbox();
    auto [gx, gy] = tile_of((gb.west + gb.east) / 2, (gb.south + gb.north) / 2, 10);
    auto pb = s.broken_box;
    auto [bx, by] = tile_of((pb.west + pb.east) / 2, (pb.south + pb.north) / 2, 10);
    const std::string base = fmt::format("{}/tiles/WebMercatorQuad/10/{}/{}.png?layer={}", s.url, bx, by, s.broken);
    // Intact bands render; then the B03 files disappear after the product's files were listed.
    BOOST_REQUIRE(http_get(base + "&style=NDVI").status == 200);
    for (auto& e : fs::recursive_directory_iterator(s.root / "broken"))
        if (e.path().filename().string().find("_B03_") != std::string::npos) fs::remove(e.path());
    // Broken renders in parallel with good ones.
    std::vector<std::future<HttpResult>> bad, fine;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < 4; ++i) {
        bad.push_back(std::async(std::launch::async, [&, i] {
            return http_get(base + (i % 2 ? "&expression=B02" : "&expression=B03") + fmt::format("&gamma={}", 1.0 + i * 0.1));
        }));
        fine.push_back(std::async(std::launch::async, [&, i] {
            return http_get(fmt::format("{}/tiles/WebMercatorQuad/10/{}/{}.png?layer={}&gamma={}", s.url, gx, gy, good,
                                        1.0 + i * 0.1));
        }));
    }
    for (auto& f : bad) {
        auto r = f.get();
        BOOST_TEST(r.status >= 500, "broken product: " << r.status);
        BOOST_TEST(r.status < 600);
        auto j = nlohmann::json::parse(r.body);
        const std::string message = j["error"]["message"];
        BOOST_TEST(message.find(".jp2") != std::string::npos, message);
    }
    for (auto& f : fine) BOOST_TEST(f.get().status == 200);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST(seconds < 30.0);
    // And the server still serves.
    BOOST_TEST(http_get(s.url + "/api/layers").status == 200);
}

BOOST_AUTO_TEST_CASE(etag_cache_control_and_conditional_requests) {
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    const auto b = p.footprint.bbox();
    auto [x, y] = tile_of((b.west + b.east) / 2, (b.south + b.north) / 2, 10);
    const std::string u = fmt::format("{}/tiles/WebMercatorQuad/10/{}/{}.png?layer={}&style=NDVI", s.url, x, y, p.name_key());
    auto a = http_get(u);
    BOOST_REQUIRE(a.status == 200);
    BOOST_TEST(!a.headers["etag"].empty());
    BOOST_TEST(a.headers["cache-control"].find("max-age") != std::string::npos);
    BOOST_TEST(a.headers["content-type"] == "image/png");
    auto again = http_get(u, {"If-None-Match: " + a.headers["etag"]});
    BOOST_TEST(again.status == 304);
    BOOST_TEST(again.body.empty());
    auto jpg = http_get(fmt::format("{}/tiles/WebMercatorQuad/10/{}/{}.jpg?layer={}", s.url, x, y, p.name_key()));
    BOOST_TEST(jpg.headers["content-type"] == "image/jpeg");
    auto webp = http_get(fmt::format("{}/tiles/WebMercatorQuad/10/{}/{}@2x.webp?layer={}", s.url, x, y, p.name_key()));
    BOOST_TEST(webp.headers["content-type"] == "image/webp");
    auto png512 = http_get(fmt::format("{}/tiles/WebMercatorQuad/10/{}/{}@2x.png?layer={}", s.url, x, y, p.name_key()));
    BOOST_TEST(decode_png(png512.body).width == 512);
    auto tj = nlohmann::json::parse(http_get(s.url + "/tilejson.json?layer=SENTINEL-2-L2A&style=NDVI").body);
    BOOST_TEST(tj["tilejson"] == "3.0.0");
    BOOST_TEST(tj["tiles"][0].get<std::string>().find("/tiles/WebMercatorQuad/{z}/{x}/{y}.png?layer=SENTINEL-2-L2A&style=NDVI") !=
               std::string::npos);
    BOOST_TEST(tj["minzoom"].get<int>() >= 6);
}

BOOST_AUTO_TEST_CASE(mosaics_follow_priority_time_and_the_zoom_out_policy) {
    auto& s = Served::instance();
    BOOST_REQUIRE(s.l2a.size() == 3u);
    // A point inside the three overlapping products.
    BBox common{-180, -90, 180, 90};
    for (const auto& p : s.l2a) {
        auto b = p.footprint.bbox();
        common = {std::max(common.west, b.west), std::max(common.south, b.south), std::min(common.east, b.east),
                  std::min(common.north, b.north)};
    }
    BOOST_REQUIRE(common.west < common.east && common.south < common.north);
    auto [x, y] = tile_of((common.west + common.east) / 2, (common.south + common.north) / 2, 11);
    auto tile = [&](const std::string& q) {
        return http_get(fmt::format("{}/tiles/WebMercatorQuad/11/{}/{}.png?{}", s.url, x, y, q));
    };
    auto recent = tile("layer=SENTINEL-2-L2A&priority=mostRecent");
    auto oldest = tile("layer=SENTINEL-2-L2A&priority=leastRecent");
    BOOST_REQUIRE(recent.status == 200 && oldest.status == 200);
    auto same = [](const HttpResult& a, const HttpResult& b) { return a.body == b.body; };
    BOOST_TEST(!same(recent, oldest));
    // The most recent product alone, through its own layer, is the same picture.
    BOOST_TEST(same(tile("layer=" + s.l2a.front().name_key()), recent));
    BOOST_TEST(same(tile("layer=" + s.l2a.back().name_key()), oldest));
    // TIME selecting the oldest product's day gives that product.
    const std::string day = format_datetime(s.l2a.back().sensing_start).substr(0, 10);
    BOOST_TEST(same(tile("layer=SENTINEL-2-L2A&time=" + day), oldest));
    BOOST_TEST(recent.headers["x-creodias-products"] == "1");  // the first product fills the tile
    // Zoomed out: a preview (few products) up to the limit, then a request to zoom in.
    auto [x8, y8] = tile_of((common.west + common.east) / 2, (common.south + common.north) / 2, 8);
    auto preview = http_get(fmt::format("{}/tiles/WebMercatorQuad/8/{}/{}.png?layer=SENTINEL-2-L2A", s.url, x8, y8));
    BOOST_TEST(preview.status == 200);
    BOOST_TEST(std::stoi(preview.headers["x-creodias-products"]) <= 4);
    auto [x5, y5] = tile_of((common.west + common.east) / 2, (common.south + common.north) / 2, 5);
    auto far = http_get(fmt::format("{}/tiles/WebMercatorQuad/5/{}/{}.png?layer=SENTINEL-2-L2A", s.url, x5, y5));
    BOOST_TEST(far.status == 400);
    BOOST_TEST(far.body.find("ZoomIn") != std::string::npos);
    // A product can be seen at any scale.
    auto product_far = http_get(fmt::format("{}/tiles/WebMercatorQuad/5/{}/{}.png?layer={}", s.url, x5, y5,
                                            s.l2a.front().name_key()));
    BOOST_TEST(product_far.status == 200);
    BOOST_TEST(!decode_png(product_far.body).empty());
}

BOOST_AUTO_TEST_CASE(api_point_and_wms_feature_info_return_the_values_of_the_band_files) {
    auto& s = Served::instance();
    const auto& p = s.l2a.front();
    const auto b = p.footprint.bbox();
    const double lon = (b.west + b.east) / 2, lat = (b.south + b.north) / 2;
    auto j = nlohmann::json::parse(http_get(fmt::format("{}/api/point?layer={}&lon={:.8f}&lat={:.8f}&style=NDVI", s.url,
                                                        p.name_key(), lon, lat))
                                       .body);
    BOOST_REQUIRE(j["product"] == p.name);
    // gdallocationinfo on the B04 and B08 files gives the DNs independently.
    auto dn = [&](const std::string& band) {
        auto [st, out] = test::shell(fmt::format("gdallocationinfo -valonly -wgs84 '{}' {:.8f} {:.8f}",
                                                 band_files(p).at(band).string(), lon, lat));
        BOOST_REQUIRE(st == 0);
        return std::stod(out);
    };
    const double off = boa_offset(p);
    const double r4 = (dn("B04") + off) / 1e4, r8 = (dn("B08") + off) / 1e4;
    BOOST_TEST(std::fabs(j["values"]["B04"].get<double>() - r4) < 1e-6);
    BOOST_TEST(std::fabs(j["style_value"].get<double>() - (r8 - r4) / (r8 + r4)) < 1e-5);
    auto fi = nlohmann::json::parse(
        http_get(fmt::format("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={0}&QUERY_LAYERS={0}"
                             "&STYLES=NDVI&CRS=CRS:84&BBOX={1:.8f},{2:.8f},{3:.8f},{4:.8f}&WIDTH=101&HEIGHT=101&I=50&J=50"
                             "&INFO_FORMAT=application/json",
                             p.name_key(), lon - 0.001, lat - 0.001, lon + 0.001, lat + 0.001)
                     .insert(0, s.url))
            .body);
    BOOST_REQUIRE(fi["features"].size() == 1u);
    BOOST_TEST(std::fabs(fi["features"][0]["properties"]["B04"].get<double>() - r4) < 1e-6);
}

BOOST_AUTO_TEST_CASE(concurrent_requests_all_succeed) {
    auto& s = Served::instance();
    std::vector<std::future<int>> futures;
    for (int i = 0; i < 32; ++i) {
        const auto& p = s.l2a[static_cast<std::size_t>(i) % s.l2a.size()];
        const auto b = p.footprint.bbox();
        auto [x, y] = tile_of(b.west + (b.east - b.west) * (0.2 + 0.02 * i), (b.south + b.north) / 2, 12);
        const std::string style = i % 2 ? "NDVI" : "FALSE_COLOR";
        futures.push_back(std::async(std::launch::async, [&s, x = x, y = y, style, name = p.name_key()] {
            return http_get(fmt::format("{}/tiles/WebMercatorQuad/12/{}/{}.png?layer={}&style={}", s.url, x, y, name, style))
                .status;
        }));
    }
    for (auto& f : futures) BOOST_TEST(f.get() == 200);
}

BOOST_AUTO_TEST_SUITE_END()
