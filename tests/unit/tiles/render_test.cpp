// The renderer against an independent oracle: the gdalwarp command (a separate process,
// with its own overview choice and GCP polynomials; given the renderer's 0.03 px error
// threshold) on the real rasters of the shared fixtures, compared by PSNR over the
// pixels both call valid and by the agreement of their masks. Also mosaics, cloud masking
// and seams between neighbouring tiles.
#include <creodias/error.hpp>
#include <creodias/render.hpp>

#include "support/fixtures.hpp"

#include <boost/test/unit_test.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <gdal.h>

#include <cmath>
#include <limits>

using namespace creodias;
namespace fs = std::filesystem;

namespace {

constexpr const char* kCog = "products/sentinel2/earth-search-cogs/sentinel-s2-l2a-cogs/29/R/KH/2020/2/S2A_29RKH_20200219_0_L2A";
constexpr const char* kJp2 =
    "products/sentinel2/S2A_MSIL1C_20180101T105441_N0206_R051_T31TDH_20180101T124911/GRANULE/"
    "L1C_T31TDH_A013204_20180101T105435/IMG_DATA/T31TDH_20180101T105441_B01.jp2";
constexpr const char* kLandsat =
    "products/landsat/usgs-landsat/collection02/level-2/standard/oli-tirs/2020/001/062/"
    "LC08_L2SP_001062_20201031_20201106_02_T2/LC08_L2SP_001062_20201031_20201106_02_T2_SR_B4.TIF";
constexpr const char* kS1 =
    "products/sentinel1/aws-sentinel-s1-l1c/GRD/2018/7/16/IW/DV/"
    "S1A_IW_GRDH_1SDV_20180716T004042_20180716T004107_022812_02792A_FD5B/measurement/iw-vv.tiff";

struct Grid {
    std::vector<float> v;
    std::vector<bool> valid;
};

// gdalwarp to Float32 with a destination alpha band, read back.
Grid gdalwarp(const fs::path& src, const RenderTarget& t, const std::string& resampling, const std::string& extra = "") {
    test::TempDir tmp;
    const auto out = tmp.path() / "oracle.tif";
    auto cmd = fmt::format(
        "gdalwarp -q -overwrite -et 0.03 -t_srs {} -te {:.17g} {:.17g} {:.17g} {:.17g} -ts {} {} -r {} -ot Float32 -dstalpha {} "
        "'{}' '{}' 2>&1",
        t.crs, t.extent.min_x, t.extent.min_y, t.extent.max_x, t.extent.max_y, t.width, t.height, resampling, extra,
        src.string(), out.string());
    auto [status, text] = test::shell(cmd);
    BOOST_REQUIRE_MESSAGE(status == 0, cmd << ": " << text);
    GDALDatasetH ds = GDALOpen(out.string().c_str(), GA_ReadOnly);
    BOOST_REQUIRE(ds);
    const std::size_t n = static_cast<std::size_t>(t.width) * static_cast<std::size_t>(t.height);
    Grid g;
    g.v.resize(n);
    std::vector<float> alpha(n);
    GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, t.width, t.height, g.v.data(), t.width, t.height, GDT_Float32,
                 0, 0);
    GDALRasterIO(GDALGetRasterBand(ds, GDALGetRasterCount(ds)), GF_Read, 0, 0, t.width, t.height, alpha.data(), t.width,
                 t.height, GDT_Float32, 0, 0);
    GDALClose(ds);
    g.valid.resize(n);
    for (std::size_t i = 0; i < n; ++i) g.valid[i] = alpha[i] > 127.5f;
    return g;
}

struct Agreement {
    double psnr = 0;
    double mask_agreement = 0;
    std::size_t both = 0;
};

Agreement compare(const RasterBlock& b, const Grid& o) {
    const auto& v = b.bands.at(0);
    double lo = std::numeric_limits<double>::max(), hi = -lo, se = 0;
    std::size_t both = 0, agree = 0;
    for (std::size_t i = 0; i < v.size(); ++i) {
        const bool mine = b.mask[i] != 0;
        agree += mine == o.valid[i];
        if (!(mine && o.valid[i])) continue;
        ++both;
        lo = std::min(lo, static_cast<double>(o.v[i]));
        hi = std::max(hi, static_cast<double>(o.v[i]));
        const double d = v[i] - o.v[i];
        se += d * d;
    }
    Agreement a;
    a.both = both;
    a.mask_agreement = static_cast<double>(agree) / static_cast<double>(v.size());
    const double range = std::max(hi - lo, 1e-9);
    a.psnr = se == 0 ? 99.0 : 10 * std::log10(range * range / (se / static_cast<double>(both)));
    return a;
}

// The WebMercator tile of level z holding the centre of the file (from gdalinfo -json: the
// WGS84 extent, or the mean of the GCPs).
TileIndex centre_tile(const fs::path& file, int z) {
    auto [status, text] = test::shell(fmt::format("gdalinfo -json '{}'", file.string()));
    BOOST_REQUIRE(status == 0);
    auto j = nlohmann::json::parse(text);
    double lon = 0, lat = 0;
    int n = 0;
    if (j.contains("wgs84Extent")) {
        auto ring = j["wgs84Extent"]["coordinates"][0];
        for (std::size_t k = 0; k + 1 < ring.size(); ++k, ++n) {
            lon += ring[k][0].get<double>();
            lat += ring[k][1].get<double>();
        }
    } else {
        for (const auto& g : j["gcps"]["gcpList"]) {
            lon += g["x"].get<double>();
            lat += g["y"].get<double>();
            ++n;
        }
    }
    BOOST_REQUIRE(n > 0);
    lon /= n;
    lat /= n;
    const double merc_x = lon * 20037508.342789244 / 180.0;
    const double merc_y = std::log(std::tan((90 + lat) * M_PI / 360.0)) * 20037508.342789244 / M_PI;
    const auto& m = TileMatrixSet::get("WebMercatorQuad").matrix(z);
    const double span = m.cell_size * 256;
    return {z, static_cast<std::int64_t>((merc_x - m.origin_x) / span), static_cast<std::int64_t>((m.origin_y - merc_y) / span)};
}

RenderRequest raw_request(const RenderTarget& t, Resampling r) {
    RenderRequest req;
    req.target = t;
    req.style = custom_style("B1");
    req.resampling = r;
    req.padding = 0;
    return req;
}

void check_against_gdalwarp(const fs::path& file, int z, Resampling r, double min_psnr, const std::string& extra = "") {
    Renderer renderer;
    auto target = RenderTarget::tile(TileMatrixSet::get("WebMercatorQuad"), centre_tile(file, z));
    auto block = renderer.read({file_sources({"B1=" + file.string()})}, raw_request(target, r));
    auto oracle = gdalwarp(file, target, std::string(to_string(r) == "nearest" ? "near" : to_string(r)), extra);
    auto a = compare(block, oracle);
    BOOST_TEST_MESSAGE(file.filename().string() << " z" << z << " " << to_string(r) << ": PSNR " << a.psnr
                                                << " dB, masks agree on " << a.mask_agreement * 100 << " %");
    BOOST_TEST(a.both > 1000u, file.filename().string() << " z" << z << ": only " << a.both << " common pixels");
    BOOST_TEST(a.psnr >= min_psnr, file.filename().string() << " z" << z << " " << to_string(r) << ": PSNR " << a.psnr);
    BOOST_TEST(a.mask_agreement >= 0.99, file.filename().string() << " z" << z << ": masks agree on " << a.mask_agreement);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(render)

BOOST_AUTO_TEST_CASE(cog_tiles_agree_with_gdalwarp_native_and_zoomed_out) {
    CREODIAS_FIXTURE(dir, kCog);
    for (int z : {11, 8})  // ~76 m/px (native 100 m), and ~611 m/px through the overviews
        for (auto r : {Resampling::nearest, Resampling::bilinear}) check_against_gdalwarp(dir / "B04.tif", z, r, 40);
}

BOOST_AUTO_TEST_CASE(jpeg2000_tiles_agree_with_gdalwarp) {
    CREODIAS_FIXTURE(jp2, kJp2);
    for (int z : {10, 7}) check_against_gdalwarp(jp2, z, Resampling::bilinear, 40);
}

BOOST_AUTO_TEST_CASE(landsat_tiles_agree_with_gdalwarp) {
    CREODIAS_FIXTURE(tif, kLandsat);
    check_against_gdalwarp(tif, 9, Resampling::bilinear, 40);
}

BOOST_AUTO_TEST_CASE(gcp_georeferenced_sentinel1_agrees_with_gdalwarp) {
    CREODIAS_FIXTURE(tif, kS1);
    check_against_gdalwarp(tif, 9, Resampling::bilinear, 35);
}

BOOST_AUTO_TEST_CASE(neighbouring_tiles_have_no_seam) {
    // Two horizontally adjacent 256 tiles against one 512x256 render of both.
    CREODIAS_FIXTURE(dir, kCog);
    const auto& tms = TileMatrixSet::get("WebMercatorQuad");
    auto t = centre_tile(dir / "B04.tif", 12);
    Renderer renderer;  // default transformer error: 0.03 px
    auto src = file_sources({"B1=" + (dir / "B04.tif").string()});
    auto left = RenderTarget::tile(tms, t), right = RenderTarget::tile(tms, {t.z, t.x + 1, t.y});
    RenderTarget both = left;
    both.extent.max_x = right.extent.max_x;
    both.width = 512;
    for (auto r : {Resampling::bilinear, Resampling::cubic}) {
        RenderRequest req = raw_request(left, r);
        req.padding = -1;
        auto a = renderer.read({src}, req);
        req.target = right;
        auto b = renderer.read({src}, req);
        req.target = both;
        auto ab = renderer.read({src}, req);
        // Largest difference between the split and the joint render, on the columns at the
        // shared edge and on interior columns.
        auto worst_at = [&](std::initializer_list<int> cols) {
            double worst = 0;
            for (int y = 0; y < 256; ++y)
                for (int x : cols) {
                    float v = x < 256 ? a.bands[0][static_cast<std::size_t>(y * 256 + x)]
                                      : b.bands[0][static_cast<std::size_t>(y * 256 + x - 256)];
                    float w = ab.bands[0][static_cast<std::size_t>(y * 512 + x)];
                    if (std::isnan(v) || std::isnan(w)) continue;
                    worst = std::max(worst, static_cast<double>(std::fabs(v - w)));
                }
            return worst;
        };
        const double edge = worst_at({254, 255, 256, 257}), interior = worst_at({100, 101, 400, 401});
        BOOST_TEST_MESSAGE(to_string(r) << ": edge " << edge << ", interior " << interior);
        // The approximate transformer moves samples by up to its error threshold anywhere;
        // at 0.125 px (gdalwarp's default) the shared edge differed by 25 DN here, at the
        // renderer's 0.03 px by 0.3 DN.
        BOOST_TEST(edge <= std::max(interior * 1.5, 1.0), to_string(r) << ": edge " << edge << " interior " << interior);
    }
}

BOOST_AUTO_TEST_CASE(mosaic_fills_in_priority_order_and_stops_when_full) {
    CREODIAS_FIXTURE(dir, kCog);
    Renderer renderer;
    auto target = RenderTarget::tile(TileMatrixSet::get("WebMercatorQuad"), centre_tile(dir / "B04.tif", 11));
    auto b04 = file_sources({"B1=" + (dir / "B04.tif").string()}, "b04");
    auto b08 = file_sources({"B1=" + (dir / "B08.tif").string()}, "b08");
    auto missing = file_sources({"B1=/nonexistent/file.tif"}, "missing");
    RenderStats st;
    auto block = renderer.read({b04, b08, missing}, raw_request(target, Resampling::nearest), &st);
    BOOST_TEST(st.sources_read == 1u);  // the first fills the tile; the missing file is never opened
    BOOST_TEST(st.coverage == 1.0);
    auto only08 = renderer.read({b08}, raw_request(target, Resampling::nearest));
    auto only04 = renderer.read({b04}, raw_request(target, Resampling::nearest));
    BOOST_TEST((block.bands[0] == only04.bands[0]));
    BOOST_TEST((only08.bands[0] != only04.bands[0]));
    // A missing file is an I/O error with its path.
    BOOST_CHECK_EXCEPTION(renderer.read({missing}, raw_request(target, Resampling::nearest)), Error,
                          [](const Error& e) { return e.code() == Errc::io && std::string(e.what()).find("/nonexistent/file.tif") != std::string::npos; });
}

BOOST_AUTO_TEST_CASE(out_of_scene_tiles_are_empty_and_bad_targets_refused) {
    CREODIAS_FIXTURE(dir, kCog);
    Renderer renderer;
    auto src = file_sources({"B1=" + (dir / "B04.tif").string()});
    auto req = raw_request(RenderTarget::tile(TileMatrixSet::get("WebMercatorQuad"), {12, 100, 100}), Resampling::bilinear);
    RenderStats st;
    auto block = renderer.read({src}, req, &st);
    BOOST_TEST(st.coverage == 0.0);
    BOOST_TEST(apply_style(req.style, block).empty());
    req.target.width = 100000;
    BOOST_CHECK_THROW(renderer.read({src}, req), InvalidArgument);
    req.target.width = 256;
    req.target.crs = "EPSG:999999";
    BOOST_CHECK_THROW(renderer.read({src}, req), InvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()
