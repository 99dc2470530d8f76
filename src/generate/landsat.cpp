// Landsat 8/9 OLI/TIRS Collection 2 Level-2 science products (L2SP).
//
// Layout written:
//   <id>/<id>_MTL.txt, <id>_MTL.xml        (the same metadata in ODL and XML)
//       /<id>_SR_B1.TIF ... <id>_SR_B7.TIF  (surface reflectance, scaled UInt16, 0 = fill)
//       /<id>_ST_B10.TIF                    (surface temperature, scaled UInt16, 0 = fill)
//       /<id>_QA_PIXEL.TIF                  (pixel quality bits, 1 = fill)
//
// Rasters are north-up on the UTM zone of the scene centre, always in the northern-zone
// convention (negative northings in the south), as USGS does. The imaged scene is a
// 185 km x 180 km parallelogram tilted along the ground track; the rest of the grid is fill.

#include "generate/products.hpp"
#include "generate/raster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <tuple>

namespace fs = std::filesystem;

namespace creodias::detail::gen {

namespace {

// Collection 2 scaling of the Level-2 products.
constexpr double kSrMult = 2.75e-05, kSrAdd = -0.2;
constexpr double kStMult = 0.00341802, kStAdd = 149.0;
// QA_PIXEL values (bits: 0 fill, 3 cloud, 4 shadow, 6 clear, 7 water, 8-15 confidences).
constexpr std::uint16_t kQaFill = 1, kQaClear = 21824, kQaWater = 21952, kQaCloud = 22280,
                        kQaShadow = 23824;

struct Entry {
    std::string key, value;
    bool quoted;
};
struct Group {
    std::string name;
    std::vector<Entry> entries;
    Group& q(std::string k, std::string v) {
        entries.push_back({std::move(k), std::move(v), true});
        return *this;
    }
    Group& n(std::string k, std::string v) {
        entries.push_back({std::move(k), std::move(v), false});
        return *this;
    }
};

std::string to_odl(const std::vector<Group>& groups) {
    std::string s = "GROUP = LANDSAT_METADATA_FILE\n";
    for (const auto& g : groups) {
        s += "  GROUP = " + g.name + "\n";
        for (const auto& e : g.entries)
            s += "    " + e.key + " = " + (e.quoted ? "\"" + e.value + "\"" : e.value) + "\n";
        s += "  END_GROUP = " + g.name + "\n";
    }
    s += "END_GROUP = LANDSAT_METADATA_FILE\nEND\n";
    return s;
}

std::string to_xml(const std::vector<Group>& groups) {
    XmlWriter w;
    w.open("LANDSAT_METADATA_FILE");
    for (const auto& g : groups) {
        w.open(g.name);
        for (const auto& e : g.entries) w.leaf(e.key, e.value);
        w.close();
    }
    w.close();
    return w.str();
}

class LandsatWriter {
public:
    LandsatWriter(const fs::path& dir, const LandsatAcquisition& a, int raster_size)
        : dir_(dir), a_(a), id_(landsat_product_id(a)), rs_(raster_size) {}
    fs::path write();

private:
    std::string file(const std::string& suffix) const { return id_ + "_" + suffix; }
    void grid();
    void rasters();
    std::vector<Group> metadata() const;

    fs::path dir_;
    const LandsatAcquisition& a_;
    std::string id_;
    int rs_;
    int zone_ = 0;
    Grid grid_;
    std::vector<LonLat> corners_;  // UL, UR, LL, LR in WGS84
    double cloud_ = 0, cloud_land_ = 0;
};

void LandsatWriter::grid() {
    zone_ = utm_zone(a_.wrs.lon);
    const int epsg = 32600 + zone_;
    Projector proj(epsg);
    double e, n;
    proj.from_wgs84(a_.wrs.lon, a_.wrs.lat, e, n);
    // The real 30 m grid (about 7611 x 7741 pixels) reduced in the Sentinel-2 ratio.
    const int ns = std::max(16, static_cast<int>(std::lround(rs_ * 7611.0 / 10980.0)));
    const int nl = std::max(16, static_cast<int>(std::lround(rs_ * 7741.0 / 10980.0)));
    const double px = 30.0 * 10980.0 / rs_;
    const double ulx = std::round((e - ns * px / 2) / 30.0) * 30.0;
    const double uly = std::round((n + nl * px / 2) / 30.0) * 30.0;
    grid_ = {ns, nl, ulx, uly, px, -px, epsg};
    const double x1 = ulx + ns * px, y1 = uly - nl * px;
    corners_ = {proj.to_wgs84(ulx, uly), proj.to_wgs84(x1, uly), proj.to_wgs84(ulx, y1),
                proj.to_wgs84(x1, y1)};
}

void LandsatWriter::rasters() {
    const int ns = grid_.width, nl = grid_.height;
    const size_t n = static_cast<size_t>(ns) * static_cast<size_t>(nl);
    static const int kS2Equivalent[7] = {B01, B02, B03, B04, B8A, B11, B12};
    std::vector<std::uint16_t> sr(n * 7, 0), st(n, 0), qa(n, kQaFill);

    // Scene parallelogram: 185 km across and 180 km along the track, centred on the WRS-2
    // scene centre, in the grid's metres.
    double cx, cy;
    Projector(grid_.epsg).from_wgs84(a_.wrs.lon, a_.wrs.lat, cx, cy);
    const double h = a_.wrs.heading * kDeg;
    const double ax = std::sin(h), ay = std::cos(h);   // along track
    const double bx = std::cos(h), by = -std::sin(h);  // across track
    const double season =
        std::cos(2 * kPi * (day_of_year(a_.acquired) - 200) / 365.25) * (a_.wrs.lat >= 0 ? 1 : -1);
    const double base_k = 301.0 - 0.35 * std::fabs(a_.wrs.lat) + 9.0 * season;

    size_t valid = 0, cloudy = 0, land = 0, cloudy_land = 0;
    for (int j = 0; j < nl; ++j)
        for (int i = 0; i < ns; ++i) {
            const size_t k =
                static_cast<size_t>(j) * static_cast<size_t>(ns) + static_cast<size_t>(i);
            const double dx = grid_.x0 + (i + 0.5) * grid_.dx - cx,
                         dy = grid_.y0 + (j + 0.5) * grid_.dy - cy;
            if (std::fabs(dx * ax + dy * ay) > 90000.0 || std::fabs(dx * bx + dy * by) > 92500.0)
                continue;
            const Surface s = sample(a_.scene, (i + 0.5) / ns, (j + 0.5) / nl);
            for (int b = 0; b < 7; ++b) {
                const double dn =
                    std::round((s2_reflectance(s, kS2Equivalent[b], false) - kSrAdd) / kSrMult);
                sr[static_cast<size_t>(b) * n + k] =
                    static_cast<std::uint16_t>(std::clamp(dn, 1.0, 65535.0));
            }
            const double tdn = std::round((surface_temperature(s, base_k) - kStAdd) / kStMult);
            st[k] = static_cast<std::uint16_t>(std::clamp(tdn, 1.0, 65535.0));
            const bool water = s.water >= 0.5;
            qa[k] = s.cloudy() ? kQaCloud : s.shadow ? kQaShadow : water ? kQaWater : kQaClear;
            ++valid;
            if (s.cloudy()) ++cloudy;
            if (!water) {
                ++land;
                if (s.cloudy()) ++cloudy_land;
            }
        }
    cloud_ = valid ? 100.0 * static_cast<double>(cloudy) / static_cast<double>(valid) : 0.0;
    cloud_land_ = land ? 100.0 * static_cast<double>(cloudy_land) / static_cast<double>(land) : 0.0;

    auto tiff = [&](const std::string& suffix, const std::uint16_t* data, int nodata) {
        RasterSpec spec;
        spec.width = ns;
        spec.height = nl;
        spec.data = data;
        spec.grid = &grid_;
        spec.nodata = nodata;
        spec.creation_options = {"COMPRESS=DEFLATE", "PREDICTOR=2", "TILED=YES"};
        write_raster(dir_ / file(suffix), "GTiff", spec);
    };
    for (int b = 0; b < 7; ++b)
        tiff(fmt::format("SR_B{}.TIF", b + 1), sr.data() + static_cast<size_t>(b) * n, 0);
    tiff("ST_B10.TIF", st.data(), 0);
    tiff("QA_PIXEL.TIF", qa.data(), 1);
}

std::vector<Group> LandsatWriter::metadata() const {
    const std::string sat = fmt::format("{}", a_.satellite);
    const std::string l1_id =
        fmt::format("LC0{}_L1TP_{:03d}{:03d}_{}_{}_02_T1", a_.satellite, a_.wrs.path, a_.wrs.row,
                    compact_date(a_.acquired), compact_date(a_.l1_generated));
    const std::string scene_id =
        fmt::format("LC{}{:03d}{:03d}{:04d}{:03d}LGN00", a_.satellite, a_.wrs.path, a_.wrs.row,
                    to_civil(a_.acquired).year, day_of_year(a_.acquired));
    const Civil c = to_civil(a_.acquired);
    double zenith, azimuth;
    sun_angles(a_.acquired, a_.wrs.lat, a_.wrs.lon, zenith, azimuth);

    std::vector<Group> g;
    Group contents{"PRODUCT_CONTENTS", {}};
    contents.q("ORIGIN", "Image courtesy of the U.S. Geological Survey")
        .q("DIGITAL_OBJECT_IDENTIFIER", "https://doi.org/10.5066/P9OGBGM6")
        .q("LANDSAT_PRODUCT_ID", id_)
        .q("PROCESSING_LEVEL", "L2SP")
        .n("COLLECTION_NUMBER", "02")
        .q("COLLECTION_CATEGORY", "T1")
        .q("OUTPUT_FORMAT", "GEOTIFF");
    for (int b = 1; b <= 7; ++b)
        contents.q(fmt::format("FILE_NAME_BAND_{}", b), file(fmt::format("SR_B{}.TIF", b)));
    contents.q("FILE_NAME_BAND_ST_B10", file("ST_B10.TIF"))
        .q("FILE_NAME_QUALITY_L1_PIXEL", file("QA_PIXEL.TIF"))
        .q("FILE_NAME_METADATA_ODL", file("MTL.txt"))
        .q("FILE_NAME_METADATA_XML", file("MTL.xml"));
    for (int b = 1; b <= 7; ++b) contents.q(fmt::format("DATA_TYPE_BAND_{}", b), "UINT16");
    contents.q("DATA_TYPE_BAND_ST_B10", "UINT16").q("DATA_TYPE_QUALITY_L1_PIXEL", "UINT16");
    g.push_back(contents);

    Group image{"IMAGE_ATTRIBUTES", {}};
    image.q("SPACECRAFT_ID", "LANDSAT_" + sat)
        .q("SENSOR_ID", "OLI_TIRS")
        .n("WRS_TYPE", "2")
        .n("WRS_PATH", std::to_string(a_.wrs.path))
        .n("WRS_ROW", std::to_string(a_.wrs.row))
        .q("NADIR_OFFNADIR", "NADIR")
        .n("TARGET_WRS_PATH", std::to_string(a_.wrs.path))
        .n("TARGET_WRS_ROW", std::to_string(a_.wrs.row))
        .n("DATE_ACQUIRED", iso_date(a_.acquired))
        .q("SCENE_CENTER_TIME",
           fmt::format("{:02d}:{:02d}:{:02d}.{:06d}0Z", c.hour, c.minute, c.second, c.micro))
        .q("STATION_ID", "LGN")
        .n("CLOUD_COVER", fixed(cloud_, 2))
        .n("CLOUD_COVER_LAND", fixed(cloud_land_, 2))
        .n("IMAGE_QUALITY_OLI", "9")
        .n("IMAGE_QUALITY_TIRS", "9");
    for (int b = 1; b <= 9; ++b) image.q(fmt::format("SATURATION_BAND_{}", b), "N");
    image.n("ROLL_ANGLE", "-0.001")
        .n("SUN_AZIMUTH", fixed(azimuth, 8))
        .n("SUN_ELEVATION", fixed(90.0 - zenith, 8))
        .n("EARTH_SUN_DISTANCE", fixed(sun_distance_au(a_.acquired), 7));
    g.push_back(image);

    Group proj{"PROJECTION_ATTRIBUTES", {}};
    const double x1 = grid_.x0 + grid_.width * grid_.dx, y1 = grid_.y0 + grid_.height * grid_.dy;
    proj.q("MAP_PROJECTION", "UTM")
        .q("DATUM", "WGS84")
        .q("ELLIPSOID", "WGS84")
        .n("UTM_ZONE", std::to_string(zone_))
        .n("GRID_CELL_SIZE_REFLECTIVE", fixed(grid_.dx, 2))
        .n("GRID_CELL_SIZE_THERMAL", fixed(grid_.dx, 2))
        .n("REFLECTIVE_LINES", std::to_string(grid_.height))
        .n("REFLECTIVE_SAMPLES", std::to_string(grid_.width))
        .n("THERMAL_LINES", std::to_string(grid_.height))
        .n("THERMAL_SAMPLES", std::to_string(grid_.width))
        .q("ORIENTATION", "NORTH_UP");
    const char* names[4] = {"UL", "UR", "LL", "LR"};
    for (int k = 0; k < 4; ++k) {
        proj.n(fmt::format("CORNER_{}_LAT_PRODUCT", names[k]),
               fixed(corners_[static_cast<size_t>(k)].lat, 5));
        proj.n(fmt::format("CORNER_{}_LON_PRODUCT", names[k]),
               fixed(corners_[static_cast<size_t>(k)].lon, 5));
    }
    const double xs[4] = {grid_.x0, x1, grid_.x0, x1}, ys[4] = {grid_.y0, grid_.y0, y1, y1};
    for (int k = 0; k < 4; ++k) {
        proj.n(fmt::format("CORNER_{}_PROJECTION_X_PRODUCT", names[k]), fixed(xs[k], 3));
        proj.n(fmt::format("CORNER_{}_PROJECTION_Y_PRODUCT", names[k]), fixed(ys[k], 3));
    }
    g.push_back(proj);

    Group l2{"LEVEL2_PROCESSING_RECORD", {}};
    l2.q("ORIGIN", "Image courtesy of the U.S. Geological Survey")
        .q("DIGITAL_OBJECT_IDENTIFIER", "https://doi.org/10.5066/P9OGBGM6")
        .q("REQUEST_ID", fmt::format("L2_{:08x}", static_cast<unsigned>(a_.seed & 0xffffffffu)))
        .q("LANDSAT_PRODUCT_ID", id_)
        .q("PROCESSING_LEVEL", "L2SP")
        .q("OUTPUT_FORMAT", "GEOTIFF")
        .q("DATE_PRODUCT_GENERATED", iso_s_z(a_.l2_generated))
        .q("PROCESSING_SOFTWARE_VERSION", "LPGS_16.3.0")
        .q("ALGORITHM_SOURCE_SURFACE_REFLECTANCE", "LaSRC_1.6.0")
        .q("DATA_SOURCE_OZONE", "VIIRS")
        .q("DATA_SOURCE_PRESSURE", "Calculated")
        .q("DATA_SOURCE_WATER_VAPOR", "VIIRS")
        .q("DATA_SOURCE_AIR_TEMPERATURE", "VIIRS")
        .q("ALGORITHM_SOURCE_SURFACE_TEMPERATURE", "st_1.5.0")
        .q("DATA_SOURCE_REANALYSIS", "GEOS-5 IT");
    g.push_back(l2);

    Group srp{"LEVEL2_SURFACE_REFLECTANCE_PARAMETERS", {}};
    for (int b = 1; b <= 7; ++b)
        srp.n(fmt::format("REFLECTANCE_MAXIMUM_BAND_{}", b), "1.602213")
            .n(fmt::format("REFLECTANCE_MINIMUM_BAND_{}", b), "-0.199972");
    for (int b = 1; b <= 7; ++b)
        srp.n(fmt::format("QUANTIZE_CAL_MAX_BAND_{}", b), "65535")
            .n(fmt::format("QUANTIZE_CAL_MIN_BAND_{}", b), "1");
    for (int b = 1; b <= 7; ++b) srp.n(fmt::format("REFLECTANCE_MULT_BAND_{}", b), "2.75e-05");
    for (int b = 1; b <= 7; ++b) srp.n(fmt::format("REFLECTANCE_ADD_BAND_{}", b), "-0.2");
    g.push_back(srp);

    Group stp{"LEVEL2_SURFACE_TEMPERATURE_PARAMETERS", {}};
    stp.n("TEMPERATURE_MAXIMUM_BAND_ST_B10", "372.999941")
        .n("TEMPERATURE_MINIMUM_BAND_ST_B10", "149.003418")
        .n("QUANTIZE_CAL_MAXIMUM_BAND_ST_B10", "65535")
        .n("QUANTIZE_CAL_MINIMUM_BAND_ST_B10", "1")
        .n("TEMPERATURE_MULT_BAND_ST_B10", "0.00341802")
        .n("TEMPERATURE_ADD_BAND_ST_B10", "149.0");
    g.push_back(stp);

    Group l1{"LEVEL1_PROCESSING_RECORD", {}};
    l1.q("ORIGIN", "Image courtesy of the U.S. Geological Survey")
        .q("DIGITAL_OBJECT_IDENTIFIER", "https://doi.org/10.5066/P975CC9B")
        .q("REQUEST_ID",
           fmt::format("L1_{:08x}", static_cast<unsigned>((a_.seed >> 32) & 0xffffffffu)))
        .q("LANDSAT_SCENE_ID", scene_id)
        .q("LANDSAT_PRODUCT_ID", l1_id)
        .q("PROCESSING_LEVEL", "L1TP")
        .q("COLLECTION_CATEGORY", "T1")
        .q("OUTPUT_FORMAT", "GEOTIFF")
        .q("DATE_PRODUCT_GENERATED", iso_s_z(a_.l1_generated))
        .q("PROCESSING_SOFTWARE_VERSION", "LPGS_16.3.0")
        .q("DATA_SOURCE_ELEVATION", "GLS2000")
        .n("GROUND_CONTROL_POINTS_VERSION", "5")
        .n("GROUND_CONTROL_POINTS_MODEL", "412")
        .n("GEOMETRIC_RMSE_MODEL", "6.412")
        .n("GEOMETRIC_RMSE_MODEL_Y", "4.807")
        .n("GEOMETRIC_RMSE_MODEL_X", "4.244");
    g.push_back(l1);

    Group l1p{"LEVEL1_PROJECTION_PARAMETERS", {}};
    l1p.q("MAP_PROJECTION", "UTM")
        .q("DATUM", "WGS84")
        .q("ELLIPSOID", "WGS84")
        .n("UTM_ZONE", std::to_string(zone_))
        .n("GRID_CELL_SIZE_PANCHROMATIC", "15.00")
        .n("GRID_CELL_SIZE_REFLECTIVE", "30.00")
        .n("GRID_CELL_SIZE_THERMAL", "30.00")
        .q("ORIENTATION", "NORTH_UP")
        .q("RESAMPLING_OPTION", "CUBIC_CONVOLUTION");
    g.push_back(l1p);
    return g;
}

fs::path LandsatWriter::write() {
    make_dirs(dir_);
    grid();
    rasters();
    const auto groups = metadata();
    write_file(dir_ / file("MTL.xml"), to_xml(groups));
    const fs::path mtl = dir_ / file("MTL.txt");
    write_file(mtl, to_odl(groups));
    return mtl;
}

}  // namespace

std::string landsat_product_id(const LandsatAcquisition& a) {
    return fmt::format("LC0{}_L2SP_{:03d}{:03d}_{}_{}_02_T1", a.satellite, a.wrs.path, a.wrs.row,
                       compact_date(a.acquired), compact_date(a.l2_generated));
}

fs::path write_landsat(const fs::path& dir, const LandsatAcquisition& a, int raster_size) {
    return LandsatWriter(dir, a, raster_size).write();
}

}  // namespace creodias::detail::gen
