// Sentinel-5P reader against the six header-only TROPOMI netCDF-4 files and the JSON dump.
//
// Oracles: GDAL's netCDF driver in *classic raster* mode (NC_GLOBAL#... metadata items; the
// reader uses the multidimensional API), the fields encoded in the S5P file name, and for the
// two files GDAL's classic mode cannot open, the values `gdalmdiminfo` prints (written here).

#include <boost/test/unit_test.hpp>

#include "readers/readers_internal.hpp"
#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <gdal_priv.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <fstream>
#include <map>

namespace fs = std::filesystem;
using creodias::test::slurp;

namespace {

// NC_GLOBAL#<key> from GDAL's classic netCDF mode; empty when the file does not open that way.
std::map<std::string, std::string> classic_globals(const fs::path& file) {
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    std::map<std::string, std::string> out;
    if (GDALDatasetH ds = GDALOpen(file.string().c_str(), GA_ReadOnly)) {
        for (const char* key :
             {"id", "orbit", "time_coverage_start", "time_coverage_end", "processor_version",
              "sensor", "geospatial_lat_min", "geospatial_lat_max"}) {
            const char* v =
                GDALGetMetadataItem(ds, (std::string("NC_GLOBAL#") + key).c_str(), nullptr);
            if (v) out[key] = v;
        }
        GDALClose(ds);
    }
    CPLPopErrorHandler();
    return out;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(sentinel5p_reader)

BOOST_AUTO_TEST_CASE(every_netcdf_file) {
    CREODIAS_FIXTURE(dir, "products/sentinel5p");
    int count = 0, classic = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const auto name = e.path().filename().string();
        if (e.path().extension() != ".nc") continue;
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST(
                (creodias::detect_product(e.path()) == creodias::ProductFormat::sentinel5p_netcdf));
            auto p = creodias::read_product(e.path());
            const std::string stem = name.substr(0, name.size() - 3);
            // From the name: S5P_OFFL_L2__NO2____<start>_<stop>_12367_01_010302_<prod>
            BOOST_TEST(p.name == stem);
            BOOST_TEST(p.id == stem);
            BOOST_TEST(p.product_type == stem.substr(9, 10));
            BOOST_TEST(p.collection == "SENTINEL-5P");
            BOOST_TEST(p.platform == "SENTINEL-5P");
            BOOST_TEST(p.instrument == "TROPOMI");
            BOOST_TEST(p.processing_level == "LEVEL2");
            BOOST_TEST(*p.orbit_number == std::stoll(stem.substr(52, 5)));
            BOOST_TEST(p.path == e.path().string());
            BOOST_REQUIRE(p.files.size() == 1u);
            BOOST_TEST(*p.files[0].size == fs::file_size(e.path()));
            // The coverage lies inside the orbit segment named in the file name.
            auto name_start = creodias::parse_datetime(stem.substr(20, 15));
            auto name_stop = creodias::parse_datetime(stem.substr(36, 15));
            BOOST_TEST((p.sensing_start >= name_start));
            BOOST_TEST((p.sensing_end <= name_stop));
            BOOST_TEST((p.sensing_start < p.sensing_end));

            auto g = classic_globals(e.path());
            if (!g.empty()) {
                ++classic;
                BOOST_TEST(p.name == g["id"]);
                BOOST_TEST(std::to_string(*p.orbit_number) == g["orbit"]);
                BOOST_TEST(
                    creodias::format_datetime(p.sensing_start) ==
                    creodias::format_datetime(creodias::parse_datetime(g["time_coverage_start"])));
                BOOST_TEST(
                    creodias::format_datetime(p.sensing_end) ==
                    creodias::format_datetime(creodias::parse_datetime(g["time_coverage_end"])));
                BOOST_TEST(p.processing_baseline == g["processor_version"]);
            } else {
                // O3 and SO2 (processor 01.01.07): values as printed by gdalmdiminfo.
                BOOST_TEST(creodias::format_datetime(p.sensing_start) == "2020-03-03T01:57:22Z");
                BOOST_TEST(creodias::format_datetime(p.sensing_end) == "2020-03-03T02:55:45Z");
                BOOST_TEST(p.processing_baseline == "01.01.07");
            }
            // A full orbit outline: from near the south pole to the Arctic.
            auto box = p.footprint.bbox();
            BOOST_TEST(box.south < -80);
            BOOST_TEST(box.north > 80);
            // The swath crosses the equator around the dayside nadir crossing (165.47 E) and is
            // ~2600 km wide: 100 E is far outside it.
            BOOST_TEST(creodias::intersects(p.footprint, creodias::Geometry::point(165.5, 0.0)));
            BOOST_TEST(!creodias::intersects(p.footprint, creodias::Geometry::point(100.0, 0.0)));
            // Pole to pole: both polar caps belong to a full-orbit swath.
            BOOST_TEST(creodias::intersects(p.footprint, creodias::Geometry::point(0.0, 89.0)));
            BOOST_TEST(creodias::intersects(p.footprint, creodias::Geometry::point(0.0, -89.0)));
            ++count;
        }
    }
    BOOST_TEST(count == 6);
    BOOST_TEST(classic == 4);
}

BOOST_AUTO_TEST_CASE(json_metadata_dump) {
    CREODIAS_FIXTURE(
        file,
        "products/sentinel5p/"
        "S5P_NRTI_L2__NO2____20210827T012135_20210827T012635_20056_02_020200_20210827T021525.json");
    auto doc = nlohmann::json::parse(slurp(file));
    auto p = creodias::detail::read_sentinel5p(file, {});
    BOOST_TEST(p.name == doc["id"].get<std::string>());
    BOOST_TEST(p.product_type == "L2__NO2___");
    BOOST_TEST(*p.orbit_number == doc["orbit"].get<long long>());
    BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
               creodias::format_datetime(
                   creodias::parse_datetime(doc["time_coverage_start"].get<std::string>())));
    BOOST_TEST(creodias::format_datetime(p.sensing_end) ==
               creodias::format_datetime(
                   creodias::parse_datetime(doc["time_coverage_end"].get<std::string>())));
    BOOST_TEST(p.processing_baseline == doc["processor_version"].get<std::string>());
    // The 5-minute NRTI granule is a small swath near the equator (lat -11..12).
    auto box = p.footprint.bbox();
    BOOST_TEST(box.south >= doc["geospatial_lat_min"].get<double>() - 1.0);
    BOOST_TEST(box.north <= doc["geospatial_lat_max"].get<double>() + 1.0);
    BOOST_TEST(creodias::intersects(p.footprint, creodias::Geometry::point(175.0, 0.0)));
    auto extra = nlohmann::json::parse(p.extra_json);
    BOOST_TEST(extra["s5p:file_class"] == "NRTI");
}

BOOST_AUTO_TEST_CASE(eodata_product_directory_and_dump_dispatch) {
    const std::string stem =
        "S5P_OFFL_L2__CO_____20200303T013547_20200303T031717_12367_01_010302_20200306T032410";
    CREODIAS_FIXTURE(nc, "products/sentinel5p/" + stem + ".nc");
    creodias::test::TempDir tmp;
    // As on /eodata: <product>/<product>.nc
    fs::create_directories(tmp / stem);
    fs::copy_file(nc, tmp / stem / (stem + ".nc"));
    BOOST_TEST(
        (creodias::detect_product(tmp / stem) == creodias::ProductFormat::sentinel5p_netcdf));
    auto p = creodias::read_product(tmp / stem);
    BOOST_TEST(p.name == stem);
    BOOST_TEST(p.path == (tmp / stem).string());
    BOOST_TEST(p.files.at(0).path == stem + ".nc");
    // The JSON attribute dump goes through read_product too.
    CREODIAS_FIXTURE(
        dump,
        "products/sentinel5p/"
        "S5P_NRTI_L2__NO2____20210827T012135_20210827T012635_20056_02_020200_20210827T021525.json");
    BOOST_TEST((creodias::detect_product(dump) == creodias::ProductFormat::sentinel5p_netcdf));
    BOOST_TEST(creodias::read_product(dump).product_type == "L2__NO2___");
}

BOOST_AUTO_TEST_CASE(bad_files_become_exceptions) {
    creodias::test::TempDir tmp;
    BOOST_CHECK_THROW(creodias::detail::read_sentinel5p(tmp / "S5P_missing.nc", {}),
                      creodias::NotFoundError);

    auto text =
        tmp /
        "S5P_OFFL_L2__NO2____20200303T013547_20200303T031717_12367_01_010302_20200306T053815.nc";
    std::ofstream(text) << "this is not a netCDF file\n";
    try {
        creodias::detail::read_sentinel5p(text, {});
        BOOST_FAIL("no exception");
    } catch (const creodias::InvalidArgument& e) {
        BOOST_TEST(std::string(e.origin()) == "sentinel5p");
    }

    CREODIAS_FIXTURE(
        real,
        "products/sentinel5p/"
        "S5P_OFFL_L2__CO_____20200303T013547_20200303T031717_12367_01_010302_20200306T032410.nc");
    auto head = slurp(real).substr(0, 4096);
    auto truncated = tmp / real.filename();
    std::ofstream(truncated, std::ios::binary) << head;
    BOOST_CHECK_THROW(creodias::detail::read_sentinel5p(truncated, {}), creodias::Error);

    auto bad_json = tmp / "S5P_dump.json";
    std::ofstream(bad_json) << "{\"id\": \"S5P_x\", \"time_coverage_start\": 5";
    BOOST_CHECK_THROW(creodias::detail::read_sentinel5p(bad_json, {}), creodias::InvalidArgument);
    std::ofstream(bad_json) << "{\"id\": \"S5P_x\", \"time_coverage_start\": \"yesterday\"}";
    BOOST_CHECK_THROW(creodias::detail::read_sentinel5p(bad_json, {}), creodias::InvalidArgument);
    std::ofstream(bad_json)
        << "{\"id\": \"S5P_OFFL_L2__NO2____20200303T013547_20200303T031717_12367_01_010302_"
           "20200306T053815\"}";
    BOOST_CHECK_THROW(creodias::detail::read_sentinel5p(bad_json, {}), creodias::InvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()
