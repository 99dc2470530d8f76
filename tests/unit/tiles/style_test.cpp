// Colormaps, presets and per-request styles.
#include <creodias/error.hpp>
#include <creodias/render.hpp>
#include <creodias/style.hpp>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>

using namespace creodias;

BOOST_AUTO_TEST_SUITE(style)

BOOST_AUTO_TEST_CASE(colormap_interpolates_between_stops) {
    auto cm = Colormap::parse("0:#000000,10:#ff8000,20:#ffffff");
    BOOST_TEST(cm.in_data_units());
    BOOST_TEST((cm.at(5) == Rgba{128, 64, 0, 255}));
    BOOST_TEST((cm.at(-3) == Rgba{0, 0, 0, 255}));
    BOOST_TEST((cm.at(99) == Rgba{255, 255, 255, 255}));
    BOOST_TEST(cm.at(std::nan("")).a == 0);
    auto d = Colormap::parse("discrete:0:#000000,10:#ff8000");
    BOOST_TEST((d.at(9.9) == Rgba{0, 0, 0, 255}));
    auto g = Colormap::named("greys_r");
    BOOST_TEST((g.at(0) == Rgba{255, 255, 255, 255}));
}

BOOST_AUTO_TEST_CASE(bad_colormaps_are_refused) {
    BOOST_CHECK_THROW(Colormap::named("nope"), NotFoundError);
    BOOST_CHECK_THROW(Colormap::parse("0:#00000"), InvalidArgument);
    BOOST_CHECK_THROW(Colormap::parse("0:#000000"), InvalidArgument);
    BOOST_CHECK_THROW(Colormap::parse("x:#000000,1:#ffffff"), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(presets_cover_the_common_layers) {
    for (const char* id : {"TRUE_COLOR", "FALSE_COLOR", "FALSE_COLOR_URBAN", "NDVI", "NDWI", "SWIR", "MOISTURE_INDEX",
                           "AGRICULTURE", "VV_DB", "VH_DB", "DUAL_POL", "LANDSAT_TRUE_COLOR", "LANDSAT_NDVI"})
        BOOST_TEST(style_preset(id).id == id);
    BOOST_TEST(style_preset("false_color").expression.bands() == (std::vector<std::string>{"B08", "B04", "B03"}));
    BOOST_TEST(style_preset("SWIR").expression.bands() == (std::vector<std::string>{"B12", "B8A", "B04"}));
    BOOST_CHECK_THROW(style_preset("NOPE"), NotFoundError);
    BOOST_TEST(style_preset("NDVI").applies_to("Sentinel2"));
    BOOST_TEST(!style_preset("NDVI").applies_to("SENTINEL-1"));
    BOOST_TEST(styles_for_collection("SENTINEL-1").size() == 3u);
}

BOOST_AUTO_TEST_CASE(custom_styles_check_their_parts) {
    auto s = custom_style("B04;B03;B02", {"0,0.3"}, "", 1.5);
    BOOST_TEST(s.rescale.size() == 1u);
    BOOST_CHECK_THROW(custom_style("B04;B03", {}), InvalidArgument);
    BOOST_CHECK_THROW(custom_style("B04;B03;B02", {"0,1;0,1"}), InvalidArgument);
    BOOST_CHECK_THROW(custom_style("B04;B03;B02", {}, "viridis"), InvalidArgument);
    BOOST_CHECK_THROW(custom_style("B04", {"1,1"}), InvalidArgument);
    BOOST_CHECK_THROW(custom_style("B04", {}, "", 0), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(apply_style_rescales_and_masks) {
    RasterBlock b;
    b.width = 3;
    b.height = 1;
    b.names = {"B04"};
    b.bands = {{0.0f, 0.15f, 0.3f}};
    b.mask = {255, 255, 0};
    auto img = apply_style(custom_style("B04", {"0,0.3"}), b);
    BOOST_TEST(img.rgba[0] == 0);
    BOOST_TEST(img.rgba[3] == 255);
    BOOST_TEST(img.rgba[4] == 128);  // 0.15 of 0..0.3 -> 127.5 rounds up
    BOOST_TEST(img.rgba[11] == 0);   // masked: transparent
    b.bands = {{std::numeric_limits<float>::quiet_NaN(), 1.0f, 0.0f}};
    b.mask = {255, 255, 255};
    auto ndvi = apply_style(custom_style("B04", {}, "0:#000000,1:#00ff00"), b);
    BOOST_TEST(ndvi.rgba[3] == 0);  // NaN: transparent
    BOOST_TEST(ndvi.rgba[5] == 255);
    BOOST_CHECK_THROW(apply_style(style_preset("NDVI"), b), InvalidArgument);  // no B08 in the block
}

BOOST_AUTO_TEST_SUITE_END()
