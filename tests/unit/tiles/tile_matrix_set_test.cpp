// Tile matrix sets against the constants of the OGC TMS 2.0 definitions (annex D) and
// against PROJ for the Web Mercator extent.
#include <creodias/error.hpp>
#include <creodias/tile_matrix_set.hpp>

#include <boost/test/unit_test.hpp>
#include <nlohmann/json.hpp>
#include <proj.h>

#include <cmath>

using namespace creodias;

BOOST_AUTO_TEST_SUITE(tile_matrix_set)

BOOST_AUTO_TEST_CASE(web_mercator_levels_match_the_ogc_definition) {
    const auto& tms = TileMatrixSet::get("WebMercatorQuad");
    BOOST_TEST(tms.crs() == "EPSG:3857");
    BOOST_TEST(tms.max_zoom() == 24);
    const auto& z0 = tms.matrix(0);
    // OGC 17-083r4 annex D.1: scale denominator 559082264.0287178, cell size 156543.03392804097.
    BOOST_TEST(std::fabs(z0.scale_denominator - 559082264.0287178) < 1e-4);
    BOOST_TEST(std::fabs(z0.cell_size - 156543.03392804097) < 1e-8);
    BOOST_TEST(z0.matrix_width == 1);
    BOOST_TEST(tms.matrix(24).matrix_width == (std::int64_t{1} << 24));
    BOOST_TEST(std::fabs(tms.matrix(18).scale_denominator - 2132.7295838497840) < 1e-6);
}

BOOST_AUTO_TEST_CASE(web_mercator_extent_is_the_projected_antimeridian) {
    // Independent: PROJ's forward projection of lon 180.
    PJ_CONTEXT* ctx = proj_context_create();
    PJ* p = proj_create_crs_to_crs(ctx, "EPSG:4326", "EPSG:3857", nullptr);
    PJ_COORD c = proj_coord(0, 180, 0, 0);  // EPSG:4326 is lat, lon
    PJ_COORD r = proj_trans(p, PJ_FWD, c);
    proj_destroy(p);
    proj_context_destroy(ctx);
    const auto& tms = TileMatrixSet::get("GoogleMapsCompatible");
    BOOST_TEST(std::fabs(tms.extent().max_x - r.xy.x) < 1e-6);
    auto e = tms.tile_extent({1, 1, 0});
    BOOST_TEST(e.min_x == 0.0);
    BOOST_TEST(std::fabs(e.max_y - r.xy.x) < 1e-6);
}

BOOST_AUTO_TEST_CASE(crs84_quad_starts_with_two_tiles) {
    const auto& tms = TileMatrixSet::get("WorldCRS84Quad");
    const auto& z0 = tms.matrix(0);
    BOOST_TEST(z0.matrix_width == 2);
    BOOST_TEST(z0.matrix_height == 1);
    BOOST_TEST(z0.cell_size == 0.703125);
    BOOST_TEST(std::fabs(z0.scale_denominator - 279541132.0143589) < 1e-3);
    auto e = tms.tile_extent({0, 1, 0});
    BOOST_TEST(e.min_x == 0.0);
    BOOST_TEST(e.max_x == 180.0);
    BOOST_TEST(e.min_y == -90.0);
    BOOST_TEST(e.max_y == 90.0);
}

BOOST_AUTO_TEST_CASE(tile_size_512_keeps_extents) {
    const auto& a = TileMatrixSet::get("WebMercatorQuad");
    const auto& b = TileMatrixSet::get("WebMercatorQuad", 512);
    const auto& c = TileMatrixSet::get("webmercatorquad@512");
    BOOST_TEST(&b == &c);
    BOOST_TEST(b.matrix(5).tile_width == 512);
    BOOST_TEST(b.matrix(5).cell_size * 2 == a.matrix(5).cell_size);
    BOOST_TEST((a.tile_extent({7, 66, 43}) == b.tile_extent({7, 66, 43})));
}

BOOST_AUTO_TEST_CASE(out_of_range_and_unknown_sets_are_errors) {
    const auto& tms = TileMatrixSet::get("WebMercatorQuad");
    BOOST_CHECK_THROW(tms.tile_extent({3, 8, 0}), InvalidArgument);
    BOOST_CHECK_THROW(tms.tile_extent({3, 0, -1}), InvalidArgument);
    BOOST_CHECK_THROW(tms.tile_extent({25, 0, 0}), InvalidArgument);
    BOOST_CHECK_THROW(TileMatrixSet::get("NoSuchQuad"), NotFoundError);
    BOOST_CHECK_THROW(TileMatrixSet::get("WebMercatorQuad", 300), InvalidArgument);
    BOOST_TEST(!tms.contains({2, 4, 0}));
    BOOST_TEST(tms.contains({2, 3, 3}));
}

BOOST_AUTO_TEST_CASE(tiles_covering_an_extent) {
    const auto& tms = TileMatrixSet::get("WebMercatorQuad");
    // Every tile's own extent is covered by exactly that tile.
    for (int z : {0, 3, 10, 18}) {
        TileIndex t{z, (std::int64_t{1} << z) / 3, (std::int64_t{1} << z) / 2};
        auto r = tms.tiles_covering(z, tms.tile_extent(t));
        BOOST_TEST(r.min_col == t.x);
        BOOST_TEST(r.max_col == t.x);
        BOOST_TEST(r.min_row == t.y);
        BOOST_TEST(r.max_row == t.y);
    }
    BOOST_TEST(tms.tiles_covering(4, {3e7, 3e7, 4e7, 4e7}).empty());
    auto all = tms.tiles_covering(2, tms.extent());
    BOOST_TEST((all.max_col - all.min_col + 1) * (all.max_row - all.min_row + 1) == 16);
}

BOOST_AUTO_TEST_CASE(json_definition_has_the_tms_2_0_members) {
    auto j = nlohmann::json::parse(TileMatrixSet::get("WorldCRS84Quad").to_json());
    BOOST_TEST(j["id"] == "WorldCRS84Quad");
    BOOST_TEST(j["crs"] == "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    BOOST_TEST(j["tileMatrices"].size() == 24u);
    BOOST_TEST(j["tileMatrices"][0]["matrixWidth"] == 2);
    BOOST_TEST(j["tileMatrices"][0]["pointOfOrigin"][0] == -180.0);
    BOOST_TEST(j["tileMatrices"][0]["cornerOfOrigin"] == "topLeft");
}

BOOST_AUTO_TEST_SUITE_END()
