// Bulk import of every recorded catalogue response: resto (legacy CREODIAS Finder, CDSE),
// OData /Products (CREODIAS, CDSE) and STAC ItemCollections (CREODIAS).
//
// Oracle: the responses themselves, read with nlohmann::json in this file (feature counts,
// names, dates, paths, cloud cover, orbits), plus hand-checked values per file.

#include <boost/test/unit_test.hpp>

#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <nlohmann/json.hpp>

#include <chrono>
#include <cmath>
#include <map>

namespace fs = std::filesystem;
using creodias::test::slurp;
using nlohmann::json;

namespace {

enum class Kind { resto, odata, stac, not_products };

// Decides, from the document alone, what it is and how many products it holds.
Kind classify(const json& doc, size_t& count, const json*& entries) {
    count = 0;
    entries = nullptr;
    if (doc.contains("value") && doc["value"].is_array()) {
        entries = &doc["value"];
        count = entries->size();
        return Kind::odata;
    }
    if (doc.value("type", "") == "FeatureCollection") {
        static const json empty = json::array();
        entries = doc.contains("features") ? &doc["features"] : &empty;
        count = entries->size();
        bool stac =
            doc.contains("stac_version") || (count > 0 && (*entries)[0].contains("stac_version"));
        return stac ? Kind::stac : Kind::resto;
    }
    if (doc.value("type", "") == "Feature") {
        entries = &doc;
        count = 1;
        return doc.contains("stac_version") ? Kind::stac : Kind::resto;
    }
    return Kind::not_products;
}

const json& entry(const json& entries, size_t i, size_t count) {
    return entries.is_array() ? entries[i] : (count == 1 ? entries : entries[i]);
}

// Field-by-field comparison of one product with its source entry.
void check_entry(const creodias::Product& p, const json& e, Kind kind) {
    BOOST_TEST(!p.id.empty());
    BOOST_TEST(!p.footprint.empty());
    BOOST_TEST((p.sensing_start <= p.sensing_end));
    for (const auto& b : p.footprint.part_bboxes()) {
        BOOST_TEST(b.west >= -180.0);
        BOOST_TEST(b.east <= 180.0);
        BOOST_TEST(b.south >= -90.0);
        BOOST_TEST(b.north <= 90.0);
    }
    if (kind == Kind::resto) {
        const json& pr = e["properties"];
        BOOST_TEST(p.id == e["id"].get<std::string>());
        BOOST_TEST(p.name == pr["title"].get<std::string>());
        BOOST_TEST(p.path == pr["productIdentifier"].get<std::string>());
        BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(pr["startDate"].get<std::string>())));
        BOOST_TEST(creodias::format_datetime(p.sensing_end) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(pr["completionDate"].get<std::string>())));
        BOOST_TEST(creodias::format_datetime(*p.published) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(pr["published"].get<std::string>())));
        double cc = pr["cloudCover"].get<double>();
        if (cc >= 0)
            BOOST_TEST(*p.cloud_cover == cc);
        else
            BOOST_TEST(!p.cloud_cover.has_value());
        long long orbit = pr["orbitNumber"].get<long long>();
        if (orbit > 0)
            BOOST_TEST(*p.orbit_number == orbit);
        else
            BOOST_TEST(!p.orbit_number.has_value());
        if (pr.contains("relativeOrbitNumber") && pr["relativeOrbitNumber"].is_number())
            BOOST_TEST(*p.relative_orbit == pr["relativeOrbitNumber"].get<long long>());
        long long size = pr["services"]["download"]["size"].get<long long>();  // 0 or -1: unknown
        if (size > 0)
            BOOST_TEST(*p.size == static_cast<std::uint64_t>(size));
        else
            BOOST_TEST(!p.size.has_value());
        if (pr.contains("orbitDirection") && pr["orbitDirection"].is_string())
            BOOST_TEST(std::string(creodias::to_string(p.orbit_direction)) ==
                       creodias::to_string(creodias::parse_orbit_direction(
                           pr["orbitDirection"].get<std::string>())));
    } else if (kind == Kind::odata) {
        BOOST_TEST(p.id == e["Id"].get<std::string>());
        BOOST_TEST(p.name == e["Name"].get<std::string>());
        BOOST_TEST(p.path == e["S3Path"].get<std::string>());
        BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(e["ContentDate"]["Start"].get<std::string>())));
        BOOST_TEST(creodias::format_datetime(p.sensing_end) ==
                   creodias::format_datetime(
                       creodias::parse_datetime(e["ContentDate"]["End"].get<std::string>())));
        BOOST_TEST(p.online == e["Online"].get<bool>());
        BOOST_TEST(p.checksums.size() == e["Checksum"].size());
        auto length = e["ContentLength"].get<std::uint64_t>();
        if (length > 0) BOOST_TEST(*p.size == length);
        for (const auto& a : e["Attributes"]) {
            if (a["Name"] == "orbitNumber")
                BOOST_TEST(*p.orbit_number == a["Value"].get<long long>());
            if (a["Name"] == "relativeOrbitNumber")
                BOOST_TEST(*p.relative_orbit == a["Value"].get<long long>());
            if (a["Name"] == "cloudCover") BOOST_TEST(*p.cloud_cover == a["Value"].get<double>());
            if (a["Name"] == "tileId") BOOST_TEST(p.tile_id == a["Value"].get<std::string>());
        }
        // GeoFootprint and the WKT Footprint describe the same shape.
        auto wkt = e["Footprint"].get<std::string>();
        wkt = wkt.substr(wkt.find('\'') + 1);
        wkt.pop_back();
        auto from_wkt = creodias::normalize_footprint(creodias::Geometry::from_wkt(wkt));
        auto a = from_wkt.bbox(), b = p.footprint.bbox();
        BOOST_TEST(std::fabs(a.west - b.west) < 1e-6);
        BOOST_TEST(std::fabs(a.north - b.north) < 1e-6);
    } else {
        BOOST_TEST(p.id == e["id"].get<std::string>());
        const json& pr = e["properties"];
        if (pr.contains("start_datetime"))
            BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
                       creodias::format_datetime(
                           creodias::parse_datetime(pr["start_datetime"].get<std::string>())));
    }
}

std::vector<fs::path> catalogue_files() {
    std::vector<fs::path> out;
    for (const char* dir : {"creodias-api", "products/creodias/catalogue"}) {
        auto d = creodias::test::fixtures_dir() / dir;
        if (!fs::exists(d)) continue;
        for (const auto& e : fs::directory_iterator(d))
            if (e.path().extension() == ".json") out.push_back(e.path());
    }
    std::sort(out.begin(), out.end());
    return out;
}

creodias::Product one(const std::string& rel, size_t index = 0) {
    auto all = creodias::read_feature_collection(slurp(creodias::test::fixtures_dir() / rel));
    BOOST_REQUIRE(index < all.size());
    return all[index];
}

}  // namespace

BOOST_AUTO_TEST_SUITE(feature_collection)

BOOST_AUTO_TEST_CASE(every_recorded_response) {
    CREODIAS_FIXTURE(api, "creodias-api");
    CREODIAS_FIXTURE(cat, "products/creodias/catalogue");
    std::map<Kind, int> files;
    size_t total = 0;
    int templates = 0;
    for (const auto& path : catalogue_files()) {
        BOOST_TEST_CONTEXT(path.filename().string()) {
            std::string text = slurp(path);
            json doc = json::parse(text);
            // xcube-smos recorded its request next to the body: {url, params, response}.
            if (doc.contains("response") && doc.contains("url")) {
                doc = doc["response"];
                text = doc.dump();
            }
            // The openEO "feature snippet" is a test template, not a capture: its startDate is
            // the placeholder "%startDate%" and its title "title.SAFE". It must be refused.
            if (text.find("\"%startDate%\"") != std::string::npos) {
                try {
                    creodias::read_feature_collection(text);
                    BOOST_ERROR("template accepted");
                } catch (const creodias::InvalidArgument& e) {
                    BOOST_TEST(
                        std::string(e.what()).find(
                            "feature 0 (title.SAFE): properties.startDate") != std::string::npos,
                        e.what());
                }
                ++templates;
                continue;
            }
            size_t count = 0;
            const json* entries = nullptr;
            Kind kind = classify(doc, count, entries);
            if (kind == Kind::not_products) {
                // Not product lists: OData BatchOrder bodies (value is one order object) and S3
                // ListObjects. The reader must refuse them, not invent products.
                BOOST_CHECK_THROW(creodias::read_feature_collection(text),
                                  creodias::InvalidArgument);
                ++files[kind];
                continue;
            }
            auto products = creodias::read_feature_collection(text);
            BOOST_REQUIRE(products.size() == count);
            for (size_t i = 0; i < count; ++i) BOOST_TEST_CONTEXT("entry " << i) {
                    check_entry(products[i], entry(*entries, i, count), kind);
                }
            total += count;
            ++files[kind];
        }
    }
    BOOST_TEST(templates == 2);  // finder_creodias_s1_single_feature.json and its copy
    BOOST_TEST(files[Kind::resto] == 24);
    BOOST_TEST(files[Kind::odata] == 5);
    BOOST_TEST(files[Kind::stac] == 1);
    BOOST_TEST(files[Kind::not_products] == 4);
    BOOST_TEST_MESSAGE("imported " << total << " products from " << catalogue_files().size()
                                   << " files");
}

BOOST_AUTO_TEST_CASE(legacy_finder_responses) {
    CREODIAS_FIXTURE(dir, "creodias-api");
    auto s1 = one("creodias-api/finder_creodias_s1_grd_search_geometry.json");
    BOOST_TEST(s1.collection == "SENTINEL-1");
    BOOST_TEST(s1.platform == "SENTINEL-1B");
    BOOST_TEST(s1.instrument == "SAR");
    BOOST_TEST(s1.product_type == "IW_GRDH_1S");  // legacy "GRD", exact type from the name
    BOOST_TEST(s1.processing_level == "LEVEL1");
    BOOST_TEST(s1.sensor_mode == "IW");
    BOOST_TEST((s1.polarisations == std::vector<std::string>{"VV", "VH"}));  // "VV VH"
    BOOST_TEST(!s1.cloud_cover.has_value());                                 // -1
    BOOST_TEST(s1.processing_baseline.empty());                              // 0
    BOOST_TEST(s1.online);                                                   // status 0
    BOOST_TEST(*s1.size == 1011022210u);
    BOOST_TEST((s1.orbit_direction == creodias::OrbitDirection::descending));
    BOOST_TEST((s1.footprint.type() == creodias::GeometryType::multi_polygon));

    auto phoebus = creodias::read_feature_collection(
        slurp(dir / "finder_creodias_s2_l2a_search_status34_37.json"));
    BOOST_REQUIRE(phoebus.size() == 2u);
    for (const auto& p : phoebus) {
        BOOST_TEST(p.online);  // 34 and 37 are both online
        BOOST_TEST(p.product_type == "S2MSI2A");
        BOOST_TEST(p.processing_level == "LEVEL2A");
        BOOST_TEST(p.platform.substr(0, 10) == "SENTINEL-2");
        BOOST_TEST(p.tile_id.size() == 5u);
    }
    auto n9999 = std::find_if(phoebus.begin(), phoebus.end(), [](const auto& p) {
        return p.name.find("_N9999_") != std::string::npos;
    });
    BOOST_REQUIRE(n9999 != phoebus.end());
    BOOST_TEST(n9999->processing_baseline == "99.99");
    BOOST_TEST(n9999->tile_id == "30SVH");

    auto box = one("creodias-api/finder_creodias_s2_l2a_search_box_status0.json");
    BOOST_TEST(box.collection == "SENTINEL-2");
    BOOST_TEST(box.processing_baseline.size() == 5u);  // "03.00"-style
    // The single-feature template, with its placeholder filled in, is a valid lone Feature.
    std::string snippet = slurp(dir / "finder_creodias_s1_single_feature.json");
    snippet.replace(snippet.find("%startDate%"), 11, "2021-04-11T05:41:46.836Z");
    auto single = creodias::read_feature_collection(snippet);
    BOOST_REQUIRE(single.size() == 1u);
    BOOST_TEST(single[0].id == "41c7293f-029d-59e8-9a9d-2a304a1c86ec");
    BOOST_TEST(single[0].platform == "SENTINEL-1B");
}

BOOST_AUTO_TEST_CASE(cdse_resto_responses) {
    CREODIAS_FIXTURE(dir, "creodias-api");
    auto s2 = creodias::read_feature_collection(
        slurp(dir / "cdse_resto_s2_l2a_search_tileid_orbit.json"));
    BOOST_REQUIRE(s2.size() == 4u);
    for (const auto& p : s2) {
        BOOST_TEST(p.tile_id == "29UNV");
        BOOST_TEST(p.online);  // "ONLINE"
        BOOST_TEST(p.product_type == "S2MSI2A");
        BOOST_TEST(p.processing_level == "LEVEL2A");
    }
    BOOST_TEST(*s2[0].orbit_number == 23887);

    auto s1 = one("creodias-api/cdse_resto_s1_grd_search_page1.json");
    BOOST_TEST((s1.polarisations == std::vector<std::string>{"VV", "VH"}));  // "VV&VH"
    BOOST_TEST(s1.product_type == "IW_GRDH_1S");
    BOOST_TEST(
        creodias::read_feature_collection(slurp(dir / "cdse_resto_s1_grd_search_page2_empty.json"))
            .empty());

    auto dem = one("creodias-api/cdse_resto_copdem_dge30_search.json");
    BOOST_TEST(dem.collection == "COP-DEM");
    BOOST_TEST(dem.product_type == "DGE_30");
    BOOST_TEST(dem.platform.empty());
    BOOST_TEST(!dem.orbit_number.has_value());  // 0
    BOOST_TEST(!dem.size.has_value());          // 0
    BOOST_TEST(dem.path.substr(0, 21) == "/eodata/auxdata/CopDE");

    auto l8 = one("creodias-api/cdse_resto_landsat8_l2sp_search.json");
    BOOST_TEST(l8.collection == "LANDSAT-8");
    BOOST_TEST(l8.platform == "LANDSAT-8");
    BOOST_TEST(l8.product_type == "L2SP");
    BOOST_TEST(l8.processing_level == "LEVEL2");
    BOOST_TEST(l8.tile_id == "199024");  // from path/row
    BOOST_TEST(l8.sensor_mode.empty());  // "DEFAULT" says nothing
    BOOST_TEST(*l8.cloud_cover == 39.0);

    auto rtc = one("creodias-api/cdse_resto_s1_rtc_search.json");
    BOOST_TEST(rtc.collection == "SENTINEL-1-RTC");
    BOOST_TEST(rtc.processing_level == "LEVEL2");  // "2"

    auto cog = one("creodias-api/cdse_resto_s1_grd_cog_search.json");
    BOOST_TEST(cog.product_type == "IW_GRDH_1S-COG");

    // Mosaic tiles west of -180 are wrapped onto the eastern hemisphere.
    auto mosaics = creodias::read_feature_collection(
        slurp(creodias::test::fixtures_dir() /
              "products/creodias/catalogue/cdse_resto_GLOBAL-MOSAICS_antimeridian_search.json"));
    BOOST_REQUIRE(mosaics.size() == 10u);
    auto wrapped = std::find_if(mosaics.begin(), mosaics.end(), [](const auto& p) {
        return p.name == "Sentinel-1_DH_mosaic_2020_M02_01WCS_0_0";
    });
    BOOST_REQUIRE(wrapped != mosaics.end());
    BOOST_TEST(wrapped->collection == "GLOBAL-MOSAICS");
    BOOST_TEST(creodias::intersects(wrapped->footprint, creodias::Geometry::point(179.0, 68.9)));
    BOOST_TEST(creodias::intersects(wrapped->footprint, creodias::Geometry::point(-179.6, 68.9)));

    // The catalogue/ copies of the same bodies give the same products.
    auto a = creodias::read_feature_collection(
        slurp(dir / "cdse_resto_s2_l2a_search_tileid_orbit.json"));
    auto b = creodias::read_feature_collection(
        slurp(creodias::test::fixtures_dir() /
              "products/creodias/catalogue/cdse_resto_Sentinel2_search.json"));
    BOOST_REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
        BOOST_TEST(a[i].name == b[i].name);
        BOOST_TEST((a[i].footprint == b[i].footprint));
    }
}

BOOST_AUTO_TEST_CASE(odata_responses) {
    CREODIAS_FIXTURE(dir, "creodias-api");
    auto s1 = creodias::read_feature_collection(slurp(dir / "creodias_odata_s1_search_count.json"));
    BOOST_REQUIRE(s1.size() == 10u);
    BOOST_TEST(s1[0].collection == "SENTINEL-1");
    BOOST_TEST(s1[0].platform == "SENTINEL-1A");
    BOOST_TEST(s1[0].product_type == "IW_GRDH_1S");
    BOOST_TEST((s1[0].polarisations == std::vector<std::string>{"VV"}));
    BOOST_TEST(*s1[0].relative_orbit == 153);
    BOOST_TEST(!s1[0].size.has_value());  // ContentLength 0
    BOOST_TEST(s1[0].checksums.empty());
    BOOST_TEST(s1[0].processing_level == "LEVEL1");
    BOOST_TEST(s1[0].name_key() ==
               "S1A_IW_GRDH_1SSV_20141004T005844_20141004T005913_002673_002FAB_4FCD");

    auto s2 = one("creodias-api/cdse_odata_s2_l1c_search_expand_attributes_assets.json");
    BOOST_TEST(s2.collection == "SENTINEL-2");
    BOOST_TEST(s2.platform == "SENTINEL-2A");
    BOOST_TEST(s2.product_type == "S2MSI1C");
    BOOST_TEST(s2.processing_level == "LEVEL1C");
    BOOST_TEST(s2.tile_id == "54PXA");
    BOOST_TEST(s2.processing_baseline == "05.00");
    BOOST_TEST(*s2.size == 224105657u);
    BOOST_REQUIRE(s2.checksums.size() == 2u);
    BOOST_TEST(s2.checksums[0].algorithm == "MD5");
    BOOST_TEST(s2.checksums[0].value == "923ac4992d90b57d41e7ace4d9d90757");
    BOOST_TEST(s2.checksums[1].algorithm == "BLAKE3");
    BOOST_TEST(creodias::format_datetime(*s2.published) == "2023-08-23T09:26:23.105134Z");
    BOOST_REQUIRE(!s2.files.empty());
    BOOST_TEST(s2.files[0].role == "thumbnail");

    auto card = one("creodias-api/creodias_odata_s1_card_bs_search.json");
    BOOST_TEST(card.product_type == "CARD-BS");
    BOOST_TEST(card.processing_level == "LEVEL2");
    BOOST_TEST(*card.size == 5159453518u);
    BOOST_TEST((card.polarisations == std::vector<std::string>{"VV", "VH"}));
}

BOOST_AUTO_TEST_CASE(creodias_stac_item_collection) {
    CREODIAS_FIXTURE(file, "creodias-api/creodias_stac_smos_items_recorded.json");
    auto doc = json::parse(slurp(file));
    auto products = creodias::read_feature_collection(doc["response"].dump());
    BOOST_REQUIRE(products.size() == 20u);
    const auto& p = products[0];
    BOOST_TEST(p.collection == "SMOS");
    BOOST_TEST(p.platform == "SMOS");
    BOOST_TEST(p.instrument == "MIRAS");
    BOOST_TEST(p.product_type == "MIR_SC_F1B");
    BOOST_TEST(p.processing_level == "LEVEL1B");
    BOOST_TEST(p.processing_baseline == "724");
    BOOST_TEST(*p.orbit_number == 70910);
    BOOST_TEST((p.orbit_direction == creodias::OrbitDirection::ascending));
    BOOST_TEST(p.path ==
               "/eodata/SMOS/L1B/MIR_SC_F1B/2023/05/01/"
               "SM_OPER_MIR_SC_F1B_20230501T021729_20230501T031127_724_001_1");
    BOOST_TEST(p.name == "SM_OPER_MIR_SC_F1B_20230501T021729_20230501T031127_724_001_1");
    BOOST_TEST(p.files.empty());  // the only asset is the product itself
}

BOOST_AUTO_TEST_CASE(bad_documents_are_rejected) {
    using creodias::InvalidArgument;
    using creodias::read_feature_collection;
    auto expect = [](const std::string& text, const std::string& needle) {
        try {
            read_feature_collection(text);
            BOOST_ERROR("no exception for " << text);
        } catch (const InvalidArgument& e) {
            BOOST_TEST(std::string(e.what()).find(needle) != std::string::npos, e.what());
        }
    };
    const std::string feature = R"({"type":"Feature","id":"u1",
        "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]},
        "properties":{"title":"S2A_MSIL2A_X","startDate":"2021-01-01T00:00:00Z","cloudCover":3}})";
    auto fc = [&](const std::string& f) {
        return R"({"type":"FeatureCollection","features":[)" + feature + "," + f + "]}";
    };
    auto edit = [&](const std::string& from, const std::string& to) {
        std::string t = feature;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    BOOST_TEST(read_feature_collection(fc(feature)).size() == 2u);
    expect("", "malformed JSON");
    expect("{\"type\":\"FeatureCollection\",\"features\":[", "malformed JSON");
    expect("[1,2]", "expected a JSON object");
    expect("{\"a\":1}", "not a product list");
    expect("{\"type\":\"FeatureCollection\",\"features\":{}}", "features");
    expect("{\"value\":{\"Id\":1}}", "not an array");
    expect(fc("3"), "feature 1");
    expect(fc(edit("\"startDate\":\"2021-01-01T00:00:00Z\",", "")),
           "feature 1 (S2A_MSIL2A_X): properties.startDate");
    expect(fc(edit("\"2021-01-01T00:00:00Z\"", "1609459200")), "properties.startDate");
    expect(fc(edit("\"title\":\"S2A_MSIL2A_X\",", "")), "properties.title");
    expect(fc(edit("\"cloudCover\":3", "\"cloudCover\":[3]")), "properties.cloudCover");
    expect(fc(edit("\"geometry\":{", "\"geom\":{")), "geometry");
    expect(fc(edit("\"properties\":{", "\"properties\":\"x\",\"p\":{")), "properties");

    const std::string odata =
        R"({"value":[{"Id":"a","Name":"S1A_IW_GRDH_1SDV_X.SAFE","S3Path":"/eodata/x",
        "ContentDate":{"Start":"2021-01-01T00:00:00Z","End":"2021-01-01T00:00:10Z"},
        "Footprint":"geography'SRID=4326;POLYGON ((0 0, 1 0, 1 1, 0 1, 0 0))'","Online":false,
        "Attributes":[{"Name":"orbitNumber","Value":5}]}]})";
    auto ok = read_feature_collection(odata);
    BOOST_REQUIRE(ok.size() == 1u);
    BOOST_TEST(!ok[0].online);
    BOOST_TEST(*ok[0].orbit_number == 5);
    BOOST_TEST(ok[0].footprint.bbox().east == 1.0);  // WKT fallback without GeoFootprint
    auto odata_edit = [&](const std::string& from, const std::string& to) {
        std::string t = odata;
        t.replace(t.find(from), from.size(), to);
        return t;
    };
    expect(odata_edit("\"ContentDate\"", "\"Date\""),
           "feature 0 (S1A_IW_GRDH_1SDV_X.SAFE): ContentDate");
    expect(odata_edit("POLYGON ((0 0", "POLYGON ((0 x"), "Footprint");
    expect(odata_edit("POLYGON ((0 0, 1 0", "POLYGON ((0 0, 1e300 0"), "Footprint");
    expect(odata_edit("\"Online\":false", "\"Online\":\"no\""), "Online");
    expect(odata_edit("\"Value\":5", "\"Value\":\"five\""), "Attributes.orbitNumber");
    expect(odata_edit("\"Name\":\"S1A", "\"Nom\":\"S1A"), "Name");
}

BOOST_AUTO_TEST_CASE(bulk_import_rate) {
    // Not a pass/fail benchmark: logs the rate for a large resto page built from real features.
    CREODIAS_FIXTURE(file, "creodias-api/cdse_resto_s2_l2a_search_cloudcover_page2.json");
    auto doc = json::parse(slurp(file));
    json big = doc;
    big["features"] = json::array();
    for (int i = 0; i < 400; ++i)
        for (const auto& f : doc["features"]) big["features"].push_back(f);
    const std::string text = big.dump();
    auto t0 = std::chrono::steady_clock::now();
    auto products = creodias::read_feature_collection(text);
    double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    BOOST_TEST(products.size() == big["features"].size());
    BOOST_TEST_MESSAGE("resto bulk import: " << products.size() << " products, "
                                             << text.size() / 1024 << " KiB in " << s
                                             << " s = " << products.size() / s << " products/s");
}

BOOST_AUTO_TEST_SUITE_END()
