// STAC Item reader against every STAC document in fixtures/products/stac (CDSE STAC 1.1,
// Planetary Computer, earth-search v0/v1, USGS LandsatLook, stactools output).
//
// Oracle: the documents themselves, read with nlohmann::json in this file (bbox, datetime,
// cloud cover, orbits, asset sizes), plus hand-checked values per provider.

#include <boost/test/unit_test.hpp>

#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

namespace fs = std::filesystem;
using creodias::test::slurp;
using nlohmann::json;

namespace {

const creodias::ProductFile* file_named(const creodias::Product& p, const std::string& suffix) {
    for (const auto& f : p.files)
        if (f.path.size() >= suffix.size() &&
            f.path.compare(f.path.size() - suffix.size(), suffix.size(), suffix) == 0)
            return &f;
    return nullptr;
}

// Checks one item against its own JSON.
void check_generic(const creodias::Product& p, const json& item) {
    BOOST_TEST(p.id == item["id"].get<std::string>());
    const json& props = item["properties"];
    if (props.contains("datetime") && props["datetime"].is_string() &&
        !props.contains("start_datetime"))
        BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(props["datetime"].get<std::string>())));
    if (props.contains("start_datetime"))
        BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(props["start_datetime"].get<std::string>())));
    if (props.contains("end_datetime"))
        BOOST_TEST(creodias::format_datetime(p.sensing_end) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(props["end_datetime"].get<std::string>())));
    if (props.contains("eo:cloud_cover")) {
        BOOST_REQUIRE(p.cloud_cover.has_value());
        BOOST_TEST(*p.cloud_cover == props["eo:cloud_cover"].get<double>());
    }
    if (props.contains("sat:absolute_orbit"))
        BOOST_TEST(*p.orbit_number == props["sat:absolute_orbit"].get<long long>());
    if (props.contains("sat:relative_orbit"))
        BOOST_TEST(*p.relative_orbit == props["sat:relative_orbit"].get<long long>());
    // Footprint against the item's bbox (the footprint may be split at the antimeridian).
    if (item.contains("bbox")) {
        auto b = item["bbox"];
        double w = b[0], s = b[1], e = b[2], n = b[3];
        auto fb = p.footprint.bbox();
        BOOST_TEST(std::fabs(fb.south - s) < 1e-6);
        BOOST_TEST(std::fabs(fb.north - n) < 1e-6);
        if (w <= e && fb.east - fb.west < 359) {
            BOOST_TEST(std::fabs(fb.west - w) < 1e-6);
            BOOST_TEST(std::fabs(fb.east - e) < 1e-6);
        }
    }
    // Every asset with a file:size is a file with that size, or the product archive.
    if (item.contains("assets")) {
        size_t sized = 0, found = 0;
        for (const auto& [key, a] : item["assets"].items()) {
            if (!a.contains("file:size")) continue;
            ++sized;
            auto size = a["file:size"].get<std::uint64_t>();
            bool in_files = std::any_of(p.files.begin(), p.files.end(),
                                        [&](const auto& f) { return f.size && *f.size == size; });
            if (in_files || (p.size && *p.size == size)) ++found;
        }
        BOOST_TEST(found == sized);
    }
    BOOST_TEST(!p.collection.empty());
    BOOST_TEST(!p.name.empty());
    BOOST_TEST((p.sensing_start <= p.sensing_end));
    if (!p.extra_json.empty()) BOOST_TEST(json::parse(p.extra_json).is_object());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(stac_reader)

BOOST_AUTO_TEST_CASE(every_stac_document) {
    CREODIAS_FIXTURE(root, "products/stac");
    int items = 0;
    for (const auto& e : fs::recursive_directory_iterator(root)) {
        if (!e.is_regular_file() || e.path().extension() != ".json") continue;
        BOOST_TEST_CONTEXT(e.path().filename().string()) {
            const std::string text = slurp(e.path());
            json doc = json::parse(text);
            if (doc["type"] == "Collection") {
                // A collection is not an item.
                BOOST_CHECK_THROW(creodias::product_from_stac_item(text),
                                  creodias::InvalidArgument);
                continue;
            }
            if (doc["type"] == "FeatureCollection") {
                auto products = creodias::read_feature_collection(text);
                BOOST_REQUIRE(products.size() == doc["features"].size());
                for (size_t i = 0; i < products.size(); ++i)
                    check_generic(products[i], doc["features"][i]);
                items += static_cast<int>(products.size());
                continue;
            }
            auto p = creodias::product_from_stac_item(text);
            check_generic(p, doc);
            // The same item through the collection reader and through read_product.
            auto again = creodias::read_feature_collection(text);
            BOOST_REQUIRE(again.size() == 1u);
            BOOST_TEST(again[0].name == p.name);
            BOOST_TEST(creodias::read_product(e.path()).name == p.name);
            ++items;
        }
    }
    BOOST_TEST(items == 11);
}

BOOST_AUTO_TEST_CASE(cdse_stac_1_1_item) {
    CREODIAS_FIXTURE(
        file,
        "products/stac/cdse/"
        "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914_cdse_stac_v110.json");
    auto p = creodias::product_from_stac_item(slurp(file));
    BOOST_TEST(p.id == "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914");
    BOOST_TEST(p.name == "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914.SAFE");
    BOOST_TEST(p.name_key() == p.id);
    BOOST_TEST(p.path ==
               "/eodata/Sentinel-2/MSI/L2A/2025/03/30/"
               "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914.SAFE");
    BOOST_TEST(p.collection == "SENTINEL-2");
    BOOST_TEST(p.platform == "SENTINEL-2C");
    BOOST_TEST(p.instrument == "MSI");
    BOOST_TEST(p.product_type == "S2MSI2A");
    BOOST_TEST(p.processing_level == "LEVEL2A");
    BOOST_TEST(p.processing_baseline == "05.11");
    BOOST_TEST(p.tile_id == "33UWP");
    BOOST_TEST(*p.orbit_number == 2952);
    BOOST_TEST(*p.relative_orbit == 122);
    BOOST_TEST((p.orbit_direction == creodias::OrbitDirection::descending));
    BOOST_TEST(creodias::format_datetime(*p.published) == "2025-03-30T16:00:32.482826Z");
    BOOST_TEST(creodias::format_datetime(*p.updated) == "2025-03-30T16:00:32.482826Z");
    // The zipped product: size and MD5 (multihash d5 01 10 ...).
    BOOST_TEST(*p.size == 950880356u);
    BOOST_REQUIRE(p.checksums.size() == 1u);
    BOOST_TEST(p.checksums[0].algorithm == "MD5");
    BOOST_TEST(p.checksums[0].value == "3a7a357b1cb2b8391ce73e297a13b32f");
    // Band files: relative paths inside the SAFE, sizes, SHA3-256 checksums (multihash 16 20).
    auto* b04 = file_named(p, "T33UWP_20250330T100051_B04_10m.jp2");
    BOOST_REQUIRE(b04);
    BOOST_TEST(b04->path ==
               "GRANULE/L2A_T33UWP_A002952_20250330T100435/IMG_DATA/R10m/"
               "T33UWP_20250330T100051_B04_10m.jp2");
    BOOST_TEST(*b04->size == 115518666u);
    BOOST_TEST(b04->band == "B04");
    BOOST_TEST(b04->media_type == "image/jp2");
    BOOST_TEST(b04->role == "data");
    BOOST_REQUIRE(b04->checksums.size() == 1u);
    BOOST_TEST(b04->checksums[0].algorithm == "SHA3-256");
    BOOST_TEST(b04->checksums[0].value ==
               "8e609ba9d387c26e881b080c68d330b04c2d85f1e7e94ca57817a36f814ab28e");
    // CDSE labels some 32-byte digests with the md5 code: contradictory, so dropped.
    auto* mtd = file_named(p, "MTD_MSIL2A.xml");
    BOOST_REQUIRE(mtd);
    BOOST_TEST(mtd->path == "MTD_MSIL2A.xml");
    BOOST_TEST(mtd->checksums.empty());
    auto* manifest = file_named(p, "manifest.safe");
    BOOST_REQUIRE(manifest);
    BOOST_REQUIRE(manifest->checksums.size() == 1u);
    BOOST_TEST(manifest->checksums[0].algorithm == "MD5");
    BOOST_TEST(manifest->checksums[0].value.size() == 32u);
    // 44 assets, one of them the product archive.
    BOOST_TEST(p.files.size() == 43u);
    // Unmapped properties survive in extra_json.
    auto extra = json::parse(p.extra_json);
    BOOST_TEST(extra["gsd"] == 10);
    BOOST_TEST(extra["statistics"]["water"] == 0.069663);
    BOOST_TEST(extra.contains("view:sun_azimuth"));
    BOOST_TEST(!extra.contains("eo:cloud_cover"));
    BOOST_TEST(!extra.contains("datetime"));
}

BOOST_AUTO_TEST_CASE(provider_specific_items) {
    CREODIAS_FIXTURE(dir, "products/stac");
    {
        auto p = creodias::product_from_stac_item(
            slurp(dir / "planetary-computer_sentinel-2-l2a_S2B_MSIL2A_20190629T212529_R043_T06VVN_"
                        "20201006T080531.json"));
        BOOST_TEST(p.name == "S2B_MSIL2A_20190629T212529_N0212_R043_T06VVN_20201006T080531.SAFE");
        BOOST_TEST(p.platform == "SENTINEL-2B");
        BOOST_TEST(p.collection == "SENTINEL-2");
        BOOST_TEST(p.tile_id == "06VVN");
        BOOST_TEST(p.processing_baseline == "02.12");
        BOOST_TEST(p.product_type == "S2MSI2A");
        BOOST_TEST((p.orbit_direction == creodias::OrbitDirection::descending));
        BOOST_TEST(*p.relative_orbit == 43);
        BOOST_TEST(file_named(p, "T06VVN_20190629T212529_B04_10m.tif")->band == "B04");
    }
    {
        auto all = creodias::read_feature_collection(
            slurp(dir / "earth-search-v1_sentinel-2-l1c_search_response.json"));
        BOOST_REQUIRE(all.size() == 1u);
        const auto& p = all[0];
        BOOST_TEST(p.id == "S2B_27VWK_20240206_0_L1C");
        BOOST_TEST(p.name == "S2B_MSIL1C_20240206T131259_N0510_R081_T27VWK_20240206T133903.SAFE");
        BOOST_TEST(p.tile_id == "27VWK");
        BOOST_TEST(p.product_type == "S2MSI1C");
        BOOST_TEST(p.processing_level == "LEVEL1C");
        BOOST_TEST(p.processing_baseline == "05.10");
        BOOST_TEST(p.platform == "SENTINEL-2B");
    }
    {
        auto p = creodias::product_from_stac_item(
            slurp(dir / "earth-search-v0_S2A_28QCH_20200714_0_L2A.json"));
        BOOST_TEST(p.name == "S2A_MSIL2A_20200714T115221_N0214_R123_T28QCH_20200714T191310");
        BOOST_TEST(p.tile_id == "28QCH");  // from the product name: v0 items lack the UTM zone
        BOOST_TEST(p.collection == "SENTINEL-2");
    }
    {
        auto p = creodias::product_from_stac_item(
            slurp(dir / "usgs-landsatlook_LC08_L2SP_028030_20200114_20200824_02_T1_SR.json"));
        BOOST_TEST(p.id == "LC08_L2SP_028030_20200114_20200824_02_T1_SR");
        BOOST_TEST(p.name == "LC08_L2SP_028030_20200114_20200824_02_T1");
        BOOST_TEST(p.collection == "LANDSAT-8");
        BOOST_TEST(p.platform == "LANDSAT-8");
        BOOST_TEST(p.instrument == "OLI_TIRS");
        BOOST_TEST(p.product_type == "L2SP");
        BOOST_TEST(p.processing_level == "LEVEL2");
        BOOST_TEST(p.processing_baseline == "02");
        BOOST_TEST(p.tile_id == "028030");
        // USGS checksums are sha2-512 multihashes (13 40 ...).
        BOOST_REQUIRE(!p.files.empty());
        BOOST_REQUIRE(!p.files[0].checksums.empty());
        BOOST_TEST(p.files[0].checksums[0].algorithm == "SHA512");
        BOOST_TEST(p.files[0].checksums[0].value.size() == 128u);
    }
    {
        auto p = creodias::product_from_stac_item(
            slurp(dir /
                  "stactools-generated/"
                  "S1A_IW_GRDH_1SDV_20210809T173953_20210809T174018_039156_049F13.stactools.json"));
        BOOST_TEST(p.name == "S1A_IW_GRDH_1SDV_20210809T173953_20210809T174018_039156_049F13_6FF8");
        BOOST_TEST(p.collection == "SENTINEL-1");
        BOOST_TEST(p.platform == "SENTINEL-1A");
        BOOST_TEST(p.product_type ==
                   "IW_GRDH_1S");  // sar:product_type "GRD" made exact by the name
        BOOST_TEST(p.sensor_mode == "IW");
        BOOST_TEST((p.polarisations == std::vector<std::string>{"VV", "VH"}));
        BOOST_TEST((p.orbit_direction == creodias::OrbitDirection::ascending));
    }
    {
        auto p = creodias::product_from_stac_item(
            slurp(dir /
                  "stactools-generated/"
                  "S3A_OL_1_EFR_20211021T073827_20211021T074112_0164_077_334_4320.stactools.json"));
        BOOST_TEST(p.collection == "SENTINEL-3");
        BOOST_TEST(p.platform == "SENTINEL-3A");
        BOOST_TEST(p.instrument == "OLCI");
        BOOST_TEST(p.product_type == "OL_1_EFR___");
        // Bare MD5 hex digests (copied from the SAFE manifest).
        auto* oa01 = file_named(p, "Oa01_radiance.nc");
        BOOST_REQUIRE(oa01);
        BOOST_TEST(*oa01->size == 18738535u);
        BOOST_REQUIRE(oa01->checksums.size() == 1u);
        BOOST_TEST(oa01->checksums[0].algorithm == "MD5");
        BOOST_TEST(oa01->checksums[0].value == "b35469e134850b9edb49917a683a6c2e");
    }
    {
        // Crosses the antimeridian: normalised into parts on both sides.
        auto p = creodias::product_from_stac_item(
            slurp(dir /
                  "stactools-generated/"
                  "S2A_MSIL2A_20230821T221941_N0509_R029_T01KAB_20230822T021825.stactools.json"));
        BOOST_TEST(p.tile_id == "01KAB");
        for (const auto& b : p.footprint.part_bboxes()) {
            BOOST_TEST(b.west >= -180.0);
            BOOST_TEST(b.east <= 180.0);
        }
        BOOST_TEST(creodias::intersects(p.footprint, creodias::Geometry::point(179.9, -16.8)));
        BOOST_TEST(creodias::intersects(p.footprint, creodias::Geometry::point(-179.9, -16.8)));
        BOOST_TEST(!creodias::intersects(p.footprint, creodias::Geometry::point(0.0, -16.8)));
    }
}

BOOST_AUTO_TEST_CASE(multihash_checksums) {
    auto item = [](const std::string& checksum) {
        return R"({"type":"Feature","stac_version":"1.1.0","id":"x",
                  "geometry":{"type":"Point","coordinates":[1,2]},
                  "properties":{"datetime":"2020-01-01T00:00:00Z"},
                  "assets":{"a":{"href":"a.tif","file:checksum":")" +
               checksum + R"("}}})";
    };
    auto algo = [&](const std::string& checksum) {
        auto p = creodias::product_from_stac_item(item(checksum));
        return p.files.at(0).checksums.empty() ? std::string("-")
                                               : p.files[0].checksums[0].algorithm;
    };
    const std::string d16(32, 'a'), d32(64, 'b');
    BOOST_TEST(algo("d50110" + d16) == "MD5");
    BOOST_TEST(algo("1220" + d32) == "SHA256");
    BOOST_TEST(algo("1e20" + d32) == "BLAKE3");
    BOOST_TEST(algo("1620" + d32) == "SHA3-256");
    BOOST_TEST(algo("d50120" + d32) == "-");  // md5 code with a 32-byte digest
    BOOST_TEST(algo("1220" + d16) == "-");    // length byte says 32, only 16 follow
    BOOST_TEST(algo("zz") == "-");
    BOOST_TEST(algo(d16) == "MD5");  // bare digest
    auto p = creodias::product_from_stac_item(item("1220" + std::string(64, 'A')));
    BOOST_TEST(p.files[0].checksums[0].value == std::string(64, 'a'));
}

BOOST_AUTO_TEST_CASE(bad_items_are_rejected) {
    using creodias::InvalidArgument;
    using creodias::product_from_stac_item;
    const std::string good = R"({"type":"Feature","stac_version":"1.0.0","id":"S2A_X",
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]},
        "properties":{"datetime":"2020-01-01T10:00:00Z","eo:cloud_cover":5}})";
    BOOST_TEST(product_from_stac_item(good).id == "S2A_X");

    auto expect = [](const std::string& text, const std::string& needle) {
        try {
            product_from_stac_item(text);
            BOOST_ERROR("no exception for " << text);
        } catch (const InvalidArgument& e) {
            BOOST_TEST_CONTEXT(text) {
                BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
            }
        }
    };
    auto edit = [&](const std::string& from, const std::string& to) {
        std::string t = good;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    expect("{", "malformed JSON");
    expect("[]", "expected a STAC Item object");
    expect(edit("\"id\":\"S2A_X\"", "\"id\":17"), "id");
    expect(edit("\"id\":\"S2A_X\",", ""), "id");
    expect(edit("\"datetime\":\"2020-01-01T10:00:00Z\",", ""), "datetime");
    expect(edit("\"2020-01-01T10:00:00Z\"", "\"yesterday\""), "datetime");
    expect(edit("\"2020-01-01T10:00:00Z\"", "20200101"), "datetime");
    expect(edit("\"eo:cloud_cover\":5", "\"eo:cloud_cover\":\"cloudy\""), "eo:cloud_cover");
    expect(edit("\"type\":\"Polygon\"", "\"type\":\"Circle\""), "geometry");
    expect(edit("[[[0,0],[1,0],[1,1],[0,1],[0,0]]]", "[[[0,\"a\"]]]"), "geometry");
    expect(
        edit(
            "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}",
            "\"geometry\":null"),
        "geometry");
    expect(edit("\"type\":\"Feature\"", "\"type\":\"Collection\""), "type");
    // Absurd but finite longitudes are refused before any antimeridian arithmetic.
    expect(edit("[1,0],[1,1]", "[1e308,0],[1,1]"), "out of range");
    expect(edit("\"properties\":{", "\"properties\":3,\"x\":{"), "properties");
    expect(edit("\"eo:cloud_cover\":5", "\"eo:cloud_cover\":5},\"assets\":[1],\"y\":{"), "assets");

    // Truncations never escape as anything but creodias errors.
    CREODIAS_FIXTURE(
        file,
        "products/stac/cdse/"
        "S2C_MSIL2A_20250330T100051_N0511_R122_T33UWP_20250330T145914_cdse_stac_v110.json");
    const std::string text = slurp(file);
    for (size_t n = 0; n < text.size(); n += 997) {
        try {
            product_from_stac_item(std::string_view(text).substr(0, n));
            BOOST_ERROR("a truncated item was accepted at " << n);
        } catch (const creodias::Error&) {}
    }
}

BOOST_AUTO_TEST_SUITE_END()
