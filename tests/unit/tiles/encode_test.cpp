// Encoders, decoded independently by GDAL's PNG, JPEG, WEBP and GTiff drivers.
#include <creodias/error.hpp>
#include <creodias/image.hpp>

#include <boost/test/unit_test.hpp>

#include <cpl_conv.h>
#include <cpl_vsi.h>
#include <gdal.h>

#include <cmath>
#include <random>

using namespace creodias;

namespace {

Image noisy(int w, int h, bool alpha) {
    Image img(w, h);
    std::mt19937 rng(1);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            auto* p = &img.rgba[(static_cast<std::size_t>(y) * w + x) * 4];
            p[0] = static_cast<std::uint8_t>(x);
            p[1] = static_cast<std::uint8_t>(y);
            p[2] = static_cast<std::uint8_t>((x + y) / 2 + rng() % 7);
            p[3] = alpha && x < 10 ? 0 : 255;
        }
    return img;
}

// Decodes with GDAL; returns bands × pixels.
std::vector<std::vector<int>> gdal_decode(const std::string& bytes, const std::string& ext, int* nbands) {
    GDALAllRegister();
    static int n = 0;
    std::string path = "/vsimem/encode_test_" + std::to_string(n++) + "." + ext;
    VSIFCloseL(VSIFileFromMemBuffer(path.c_str(), reinterpret_cast<GByte*>(const_cast<char*>(bytes.data())),
                                    static_cast<vsi_l_offset>(bytes.size()), FALSE));
    GDALDatasetH ds = GDALOpen(path.c_str(), GA_ReadOnly);
    BOOST_REQUIRE(ds);
    *nbands = GDALGetRasterCount(ds);
    const int w = GDALGetRasterXSize(ds), h = GDALGetRasterYSize(ds);
    std::vector<std::vector<int>> out(static_cast<std::size_t>(*nbands), std::vector<int>(static_cast<std::size_t>(w * h)));
    for (int b = 0; b < *nbands; ++b)
        BOOST_REQUIRE(GDALRasterIO(GDALGetRasterBand(ds, b + 1), GF_Read, 0, 0, w, h, out[b].data(), w, h, GDT_Int32, 0,
                                   0) == CE_None);
    GDALClose(ds);
    VSIUnlink(path.c_str());
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(encode)

BOOST_AUTO_TEST_CASE(png_round_trips_exactly_through_gdal) {
    for (bool alpha : {false, true}) {
        Image img = noisy(256, 256, alpha);
        std::string png = creodias::encode(img, ImageFormat::png);
        int nb = 0;
        auto px = gdal_decode(png, "png", &nb);
        BOOST_TEST(nb == (alpha ? 4 : 3));
        std::size_t diff = 0;
        for (std::size_t i = 0; i < 256 * 256; ++i)
            for (int b = 0; b < nb; ++b) diff += px[static_cast<std::size_t>(b)][i] != img.rgba[i * 4 + static_cast<std::size_t>(b)];
        BOOST_TEST(diff == 0u);
        Image back = decode_png(png);
        BOOST_TEST((back.rgba == img.rgba));
    }
}

BOOST_AUTO_TEST_CASE(jpeg_and_webp_are_close_to_the_input) {
    Image img = noisy(128, 96, false);
    for (auto [fmt, ext] : {std::pair{ImageFormat::jpeg, "jpg"}, std::pair{ImageFormat::webp, "webp"}}) {
        EncodeOptions o;
        o.quality = 95;
        std::string bytes = creodias::encode(img, fmt, o);
        int nb = 0;
        auto px = gdal_decode(bytes, ext, &nb);
        BOOST_TEST(nb >= 3);
        double se = 0;
        for (std::size_t i = 0; i < 128 * 96; ++i)
            for (int b = 0; b < 3; ++b) {
                double d = px[static_cast<std::size_t>(b)][i] - img.rgba[i * 4 + static_cast<std::size_t>(b)];
                se += d * d;
            }
        const double psnr = 10 * std::log10(255.0 * 255.0 / (se / (128 * 96 * 3)));
        BOOST_TEST(psnr > 30.0, ext << " PSNR " << psnr);
    }
    EncodeOptions lossless;
    lossless.webp_lossless = true;
    Image a = noisy(64, 64, true);
    int nb = 0;
    auto px = gdal_decode(creodias::encode(a, ImageFormat::webp, lossless), "webp", &nb);
    BOOST_TEST(nb == 4);
    std::size_t diff = 0;
    for (std::size_t i = 0; i < 64 * 64; ++i)
        if (a.rgba[i * 4 + 3] == 255)
            for (int b = 0; b < 4; ++b) diff += px[static_cast<std::size_t>(b)][i] != a.rgba[i * 4 + static_cast<std::size_t>(b)];
    BOOST_TEST(diff == 0u);
}

BOOST_AUTO_TEST_CASE(geotiff_carries_values_and_georeferencing) {
    RasterBlock b;
    b.width = 4;
    b.height = 2;
    b.names = {"NDVI"};
    b.bands = {{0.5f, -0.25f, 1, 0, std::nanf(""), 2, 3, 4}};
    b.crs = "EPSG:32633";
    b.extent = {500000, 4000000, 500040, 4000020};
    std::string tif = encode_geotiff(b);
    GDALAllRegister();
    VSIFCloseL(VSIFileFromMemBuffer("/vsimem/gt.tif", reinterpret_cast<GByte*>(tif.data()), tif.size(), FALSE));
    GDALDatasetH ds = GDALOpen("/vsimem/gt.tif", GA_ReadOnly);
    BOOST_REQUIRE(ds);
    double gt[6];
    GDALGetGeoTransform(ds, gt);
    BOOST_TEST(gt[0] == 500000.0);
    BOOST_TEST(gt[1] == 10.0);
    BOOST_TEST(gt[3] == 4000020.0);
    BOOST_TEST(std::string(GDALGetProjectionRef(ds)).find("32633") != std::string::npos);
    float v[8];
    GDALRasterIO(GDALGetRasterBand(ds, 1), GF_Read, 0, 0, 4, 2, v, 4, 2, GDT_Float32, 0, 0);
    BOOST_TEST(v[1] == -0.25f);
    BOOST_TEST(std::isnan(v[4]));
    GDALClose(ds);
    VSIUnlink("/vsimem/gt.tif");
    BOOST_CHECK_THROW(creodias::encode(Image{}, ImageFormat::png), InvalidArgument);
    BOOST_CHECK_THROW(parse_image_format("bmp"), InvalidArgument);
    BOOST_TEST((parse_image_format("image/tiff; application=geotiff") == ImageFormat::geotiff));
}

BOOST_AUTO_TEST_SUITE_END()
