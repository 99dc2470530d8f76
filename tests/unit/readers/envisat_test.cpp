// Envisat/ERS header reader against the two real (header-only) products, with GDAL's ESAT
// driver as the independent oracle: it parses the same MPH/SPH with its own code and also
// exposes the geolocation grid as GCPs.

#include <boost/test/unit_test.hpp>

#include "readers/readers_internal.hpp"
#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <gdal_priv.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

namespace fs = std::filesystem;
using creodias::test::slurp;

namespace {

struct Oracle {
    std::map<std::string, std::string> md;  // "MPH_PRODUCT" -> value (GDAL trims units)
    double gcp_lon_min = 1e9, gcp_lon_max = -1e9, gcp_lat_min = 1e9, gcp_lat_max = -1e9;
    int gcps = 0;
};

Oracle esat(const fs::path& file) {
    GDALAllRegister();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    Oracle o;
    GDALDatasetH ds = GDALOpen(file.string().c_str(), GA_ReadOnly);
    CPLPopErrorHandler();
    BOOST_REQUIRE_MESSAGE(ds, "GDAL ESAT cannot open " << file);
    BOOST_TEST(std::string(GDALGetDriverShortName(GDALGetDatasetDriver(ds))) == "ESAT");
    for (char** it = GDALGetMetadata(ds, nullptr); it && *it; ++it) {
        std::string item(*it);
        auto eq = item.find('=');
        if (eq != std::string::npos) o.md[item.substr(0, eq)] = item.substr(eq + 1);
    }
    o.gcps = GDALGetGCPCount(ds);
    const GDAL_GCP* g = GDALGetGCPs(ds);
    for (int i = 0; i < o.gcps; ++i) {
        o.gcp_lon_min = std::min(o.gcp_lon_min, g[i].dfGCPX);
        o.gcp_lon_max = std::max(o.gcp_lon_max, g[i].dfGCPX);
        o.gcp_lat_min = std::min(o.gcp_lat_min, g[i].dfGCPY);
        o.gcp_lat_max = std::max(o.gcp_lat_max, g[i].dfGCPY);
    }
    GDALClose(ds);
    return o;
}

std::string trimmed(std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
}

// "03-JUL-2004 20:53:38.192288" parsed here with sscanf.
creodias::Timestamp envisat_time(const std::string& s) {
    int d, y, h, mi, sec, us;
    char mon[4] = {};
    BOOST_REQUIRE(
        std::sscanf(s.c_str(), "%d-%3c-%d %d:%d:%d.%d", &d, mon, &y, &h, &mi, &sec, &us) == 7);
    static const char* months[] = {"JAN", "FEB", "MAR", "APR", "MAY", "JUN",
                                   "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"};
    int m = 0;
    for (int i = 0; i < 12; ++i)
        if (std::string(mon) == months[i]) m = i + 1;
    return creodias::Timestamp::from_civil(y, m, d, h, mi, sec, us);
}

double micro_deg(const Oracle& o, const std::string& key) {
    auto it = o.md.find("SPH_" + key);
    BOOST_REQUIRE_MESSAGE(it != o.md.end(), "no SPH_" << key);
    return std::stoll(it->second) * 1e-6;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(envisat_reader)

BOOST_AUTO_TEST_CASE(every_product_matches_gdal_esat) {
    CREODIAS_FIXTURE(dir, "products/envisat");
    int count = 0;
    for (const auto& e : fs::directory_iterator(dir)) {
        const auto name = e.path().filename().string();
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST((creodias::detect_product(e.path()) == creodias::ProductFormat::envisat));
            auto p = creodias::read_product(e.path());
            auto o = esat(e.path());
            BOOST_TEST(p.name == trimmed(o.md["MPH_PRODUCT"]));
            BOOST_TEST(p.id == p.name);
            BOOST_TEST(p.product_type == p.name.substr(0, 10));
            BOOST_TEST(*p.orbit_number == std::stoll(o.md["MPH_ABS_ORBIT"]));
            BOOST_TEST(*p.relative_orbit == std::stoll(o.md["MPH_REL_ORBIT"]));
            BOOST_TEST(creodias::format_datetime(p.sensing_start) ==
                       creodias::format_datetime(envisat_time(o.md["MPH_SENSING_START"])));
            BOOST_TEST(creodias::format_datetime(p.sensing_end) ==
                       creodias::format_datetime(envisat_time(o.md["MPH_SENSING_STOP"])));
            BOOST_TEST(creodias::to_string(p.orbit_direction) == trimmed(o.md["SPH_PASS"]));
            BOOST_TEST(p.processing_baseline == trimmed(o.md["MPH_SOFTWARE_VER"]));
            // GDAL does not expose TOT_SIZE: read it from the raw MPH here.
            const std::string head = slurp(e.path()).substr(0, 1247);
            auto at = head.find("TOT_SIZE=");
            BOOST_REQUIRE(at != std::string::npos);
            BOOST_TEST(*p.size == std::stoull(head.substr(at + 10, 20)));
            // Footprint box = extremes of the six SPH corner points...
            double lat_min = 90, lat_max = -90, lon_min = 180, lon_max = -180;
            for (const char* line : {"FIRST", "LAST"})
                for (const char* col : {"NEAR", "MID", "FAR"}) {
                    std::string k = std::string(line) + "_" + col;
                    double lat = micro_deg(o, k + "_LAT"), lon = micro_deg(o, k + "_LONG");
                    lat_min = std::min(lat_min, lat), lat_max = std::max(lat_max, lat);
                    lon_min = std::min(lon_min, lon), lon_max = std::max(lon_max, lon);
                }
            auto box = p.footprint.bbox();
            BOOST_TEST(std::fabs(box.south - lat_min) < 1e-9);
            BOOST_TEST(std::fabs(box.north - lat_max) < 1e-9);
            BOOST_TEST(std::fabs(box.west - lon_min) < 1e-9);
            BOOST_TEST(std::fabs(box.east - lon_max) < 1e-9);
            // ...and it covers the geolocation grid (GDAL's GCPs) within 0.05 degree.
            BOOST_REQUIRE(o.gcps > 0);
            BOOST_TEST(box.west <= o.gcp_lon_min + 0.05);
            BOOST_TEST(box.east >= o.gcp_lon_max - 0.05);
            BOOST_TEST(box.south <= o.gcp_lat_min + 0.05);
            BOOST_TEST(box.north >= o.gcp_lat_max - 0.05);
            BOOST_REQUIRE(p.files.size() == 1u);
            BOOST_TEST(*p.files[0].size == fs::file_size(e.path()));
            ++count;
        }
    }
    BOOST_TEST(count == 2);
}

BOOST_AUTO_TEST_CASE(asar_and_ers_conventions) {
    CREODIAS_FIXTURE(
        n1,
        "products/envisat/"
        "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_00001672562030318361237.N1");
    auto a = creodias::detail::read_envisat(n1, {});
    BOOST_TEST(a.name == "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_0000.N1");
    BOOST_TEST(a.collection == "ENVISAT");
    BOOST_TEST(a.platform == "ENVISAT");
    BOOST_TEST(a.instrument == "ASAR");
    BOOST_TEST(a.product_type == "ASA_IMS_1P");
    BOOST_TEST(a.processing_level == "LEVEL1");
    BOOST_TEST(a.sensor_mode == "IM");
    BOOST_TEST((a.polarisations == std::vector<std::string>{"VV"}));
    BOOST_TEST(creodias::format_datetime(a.sensing_start) == "2004-07-03T20:53:38.192288Z");
    BOOST_TEST(*a.orbit_number == 12250);
    BOOST_TEST(*a.relative_orbit == 172);
    BOOST_TEST((a.orbit_direction == creodias::OrbitDirection::ascending));

    CREODIAS_FIXTURE(
        e1, "products/envisat/SAR_IMP_1PXESA19960808_205906_00000017G158_00458_26498_2615.E1");
    auto s = creodias::detail::read_envisat(e1, {});
    BOOST_TEST(s.collection == "ERS");
    BOOST_TEST(s.platform == "ERS-1");
    BOOST_TEST(s.instrument == "SAR");
    BOOST_TEST(s.product_type == "SAR_IMP_1P");
    BOOST_TEST(s.sensor_mode == "IM");
    BOOST_TEST(*s.orbit_number == 26498);
}

BOOST_AUTO_TEST_CASE(bad_headers_are_rejected) {
    CREODIAS_FIXTURE(
        n1,
        "products/envisat/"
        "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_00001672562030318361237.N1");
    using creodias::InvalidArgument;
    using creodias::detail::parse_envisat_header;
    const std::string bytes = slurp(n1);
    BOOST_CHECK_THROW(parse_envisat_header("", "x.N1"), InvalidArgument);
    BOOST_CHECK_THROW(parse_envisat_header(bytes.substr(0, 1000), "x.N1"),
                      InvalidArgument);  // inside the MPH
    BOOST_CHECK_THROW(parse_envisat_header(bytes.substr(0, 2000), "x.N1"),
                      InvalidArgument);  // SPH cut short
    BOOST_CHECK_THROW(parse_envisat_header(std::string(5000, 'x'), "x.N1"), InvalidArgument);

    auto replace = [&](const std::string& from, const std::string& to) {
        std::string b = bytes;
        auto pos = b.find(from);
        BOOST_REQUIRE(pos != std::string::npos);
        // Same length, so the fixed MPH layout is kept.
        BOOST_REQUIRE(from.size() == to.size());
        b.replace(pos, from.size(), to);
        return b;
    };
    BOOST_CHECK_THROW(
        parse_envisat_header(replace("SENSING_START=\"03-JUL-2004", "SENSING_START=\"03-XXX-2004"),
                             "x.N1"),
        InvalidArgument);
    BOOST_CHECK_THROW(
        parse_envisat_header(replace("SPH_SIZE=+0000006099", "SPH_SIZE=+9999999999"), "x.N1"),
        InvalidArgument);
    BOOST_CHECK_THROW(
        parse_envisat_header(replace("FIRST_NEAR_LAT=+0041453451", "FIRST_NEAR_LAT=+0141453451"),
                             "x.N1"),
        InvalidArgument);
    BOOST_CHECK_THROW(parse_envisat_header(replace("FIRST_NEAR_LAT=", "FIRST_NEAR_LAX="), "x.N1"),
                      InvalidArgument);

    for (size_t n = 0; n < 8000 && n < bytes.size(); n += 53) {
        try {
            parse_envisat_header(std::string_view(bytes).substr(0, n), "x.N1");
        } catch (const creodias::Error&) {}
    }
    creodias::test::TempDir tmp;
    BOOST_CHECK_THROW(creodias::detail::read_envisat(tmp / "none.N1", {}), creodias::NotFoundError);
}

BOOST_AUTO_TEST_SUITE_END()
