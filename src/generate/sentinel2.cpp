// Sentinel-2 MSI Level-1C / Level-2A SAFE products (PSD 14.9, processing baseline 05.09).
//
// Layout written (compact naming):
//   <name>.SAFE/manifest.safe
//              /MTD_MSIL1C.xml | MTD_MSIL2A.xml
//              /DATASTRIP/DS_2APS_<generation>_S<start>/MTD_DS.xml
//              /GRANULE/L1C_T<tile>_A<orbit>_<start>/MTD_TL.xml
//                      /IMG_DATA/T<tile>_<datatake>_B01.jp2 ... _TCI.jp2          (L1C)
//                      /IMG_DATA/R10m|R20m|R60m/T<tile>_<datatake>_B04_10m.jp2 ... (L2A)
//                      /QI_DATA/T<tile>_<datatake>_PVI.jp2 (+ MSK_CLDPRB_20m/60m for L2A)

#include "generate/products.hpp"
#include "generate/raster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>

namespace fs = std::filesystem;

namespace creodias::detail::gen {

namespace {

constexpr const char* kBaseline = "05.09";
constexpr const char* kBaselineCode = "N0509";

struct BandInfo {
    const char* name;      // "B8A"
    const char* physical;  // "B8A" as in Spectral_Information/@physicalBand ("B1" for B01)
    int resolution;
    double min_nm, max_nm, central_nm;
    double irradiance;
    double gain;
};

// Spectral characteristics of the MSI bands (bandId order), with the solar irradiance and
// physical gains found in baseline 05.xx metadata.
constexpr std::array<BandInfo, kS2Bands> kBands = {{
    {"B01", "B1", 60, 412, 456, 442.7, 1884.69, 4.10304067},
    {"B02", "B2", 10, 456, 533, 492.7, 1959.66, 3.75668157},
    {"B03", "B3", 10, 538, 583, 559.8, 1823.24, 4.18953758},
    {"B04", "B4", 10, 646, 684, 664.6, 1512.06, 4.5233009},
    {"B05", "B5", 20, 695, 714, 704.1, 1424.64, 5.20566374},
    {"B06", "B6", 20, 731, 749, 740.5, 1287.61, 4.87066355},
    {"B07", "B7", 20, 769, 797, 782.8, 1162.08, 4.53175713},
    {"B08", "B8", 10, 760, 907, 832.8, 1041.63, 6.15677842},
    {"B8A", "B8A", 20, 837, 881, 864.7, 955.32, 5.13408802},
    {"B09", "B9", 60, 932, 958, 945.1, 812.92, 8.53331509},
    {"B10", "B10", 60, 1337, 1412, 1373.5, 367.15, 54.96213391},
    {"B11", "B11", 20, 1539, 1682, 1613.7, 245.59, 35.21561911},
    {"B12", "B12", 20, 2078, 2320, 2202.4, 85.25, 106.32214723},
}};

int band_index(std::string_view name) {
    for (size_t i = 0; i < kBands.size(); ++i)
        if (name == kBands[i].name) return static_cast<int>(i);
    return -1;
}

// L2A band sets per resolution folder, in the order of the real products' IMAGE_FILE list.
const std::vector<std::string> kL2A10 = {"B02", "B03", "B04", "B08", "TCI", "AOT", "WVP"};
const std::vector<std::string> kL2A20 = {"B01", "B02", "B03", "B04", "B05", "B06", "B07",
                                         "B8A", "B11", "B12", "TCI", "AOT", "WVP", "SCL"};
const std::vector<std::string> kL2A60 = {"B01", "B02", "B03", "B04", "B05", "B06", "B07", "B8A",
                                         "B09", "B11", "B12", "TCI", "AOT", "WVP", "SCL"};

/// The scene sampled on one of the tile's grids.
struct Layer {
    Grid grid;
    std::vector<Surface> px;
};

int grid_size(int raster_size, int resolution) {
    return resolution == 10
               ? raster_size
               : std::max(4, static_cast<int>(std::lround(raster_size * 10.0 / resolution)));
}

Layer make_layer(const S2Acquisition& a, int n) {
    Layer l;
    l.grid = {n, n, a.tile.ulx, a.tile.uly, kTileSize / n, -kTileSize / n, a.tile.epsg()};
    l.px.resize(static_cast<size_t>(n) * static_cast<size_t>(n));
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i)
            l.px[static_cast<size_t>(j) * static_cast<size_t>(n) + static_cast<size_t>(i)] =
                sample(a.scene, (i + 0.5) / n, (j + 0.5) / n);
    return l;
}

std::vector<std::uint16_t> band_dn(const Layer& l, int band, bool toa) {
    // Baseline 04.00+ digital numbers: reflectance * 10000 - RADIO_ADD_OFFSET (-1000), with 0
    // reserved for no-data and 65535 for saturation.
    std::vector<std::uint16_t> out(l.px.size());
    for (size_t k = 0; k < l.px.size(); ++k) {
        const double dn = std::round(s2_reflectance(l.px[k], band, toa) * 10000.0 + 1000.0);
        out[k] = static_cast<std::uint16_t>(std::clamp(dn, 1.0, 65534.0));
    }
    return out;
}

std::vector<std::uint8_t> true_colour(const Layer& l, bool toa) {
    // TCI: B04/B03/B02 reflectances 0..0.2 mapped onto 1..255.
    const size_t n = l.px.size();
    std::vector<std::uint8_t> out(n * 3);
    const int bands[3] = {B04, B03, B02};
    for (int c = 0; c < 3; ++c)
        for (size_t k = 0; k < n; ++k) {
            const double v = std::round(1.0 + s2_reflectance(l.px[k], bands[c], toa) / 0.2 * 254.0);
            out[static_cast<size_t>(c) * n + k] =
                static_cast<std::uint8_t>(std::clamp(v, 1.0, 255.0));
        }
    return out;
}

std::vector<std::uint16_t> atmosphere(const Layer& l, std::uint64_t seed, bool vapour) {
    // AOT (x1000) around 0.1 and water vapour (cm x1000) around 2 cm, smooth over the tile.
    std::vector<std::uint16_t> out(l.px.size());
    const int n = l.grid.width;
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) {
            const double f = fbm(seed ^ (vapour ? 0x57ULL : 0xA0ULL), 2.0 * (i + 0.5) / n,
                                 2.0 * (j + 0.5) / n, 3);
            const double v = vapour ? 1000.0 * (0.8 + 2.4 * f) : 1000.0 * (0.04 + 0.14 * f);
            out[static_cast<size_t>(j) * static_cast<size_t>(n) + static_cast<size_t>(i)] =
                static_cast<std::uint16_t>(std::lround(v));
        }
    return out;
}

struct DataFile {
    std::string path;  // relative, '/'-separated
    std::string id;    // manifest dataObject ID
    std::string mime;
};

class S2Writer {
public:
    S2Writer(const fs::path& root, const S2Acquisition& a, bool l2a, int raster_size)
        : root_(root), a_(a), l2a_(l2a), rs_(raster_size) {}

    void write();

private:
    std::string level() const { return l2a_ ? "L2A" : "L1C"; }
    Timestamp generation() const { return l2a_ ? a_.l2a_generation : a_.l1c_generation; }
    // The datastrip starts a moment before the datatake's first line; granule folders and
    // datastrip identifiers carry this time.
    Timestamp datastrip_start() const { return plus_seconds(a_.datatake, -1.0); }
    std::string tile_prefix() const {
        return fmt::format("T{}_{}", a_.tile.id, compact(a_.datatake));
    }
    std::string granule_dir() const {
        return fmt::format("GRANULE/{}_T{}_A{:06d}_{}", level(), a_.tile.id, a_.abs_orbit,
                           compact(datastrip_start()));
    }
    std::string datastrip_dir() const {
        return fmt::format("DATASTRIP/DS_2APS_{}_S{}", compact(generation()),
                           compact(datastrip_start()));
    }
    std::string datastrip_id(const char* lvl, Timestamp gen) const {
        return fmt::format("S2{}_OPER_MSI_{}_DS_2APS_{}_S{}_N{}", a_.sat->unit, lvl, compact(gen),
                           compact(datastrip_start()), kBaseline);
    }
    std::string tile_id(const char* lvl, Timestamp gen) const {
        return fmt::format("S2{}_OPER_MSI_{}_TL_2APS_{}_A{:06d}_T{}_N{}", a_.sat->unit, lvl,
                           compact(gen), a_.abs_orbit, a_.tile.id, kBaseline);
    }
    std::string datatake_id() const {
        return fmt::format("GS2{}_{}_{:06d}_N{}", a_.sat->unit, compact(a_.datatake), a_.abs_orbit,
                           kBaseline);
    }
    std::string spacecraft() const { return fmt::format("Sentinel-2{}", a_.sat->unit); }

    void add(const std::string& rel, std::string id, std::string mime) {
        files_.push_back({rel, std::move(id), std::move(mime)});
    }
    void write_jp2_u16(const std::string& rel, const Grid& g, const std::vector<std::uint16_t>& v,
                       std::string id) {
        write_jp2(root_ / rel, g, v);
        add(rel, std::move(id), "application/octet-stream");
    }
    void write_jp2_u8(const std::string& rel, const Grid& g, const std::vector<std::uint8_t>& v,
                      int bands, std::string id) {
        write_jp2(root_ / rel, g, v, bands);
        add(rel, std::move(id), "application/octet-stream");
    }

    void rasters();
    void footprint();
    std::string mtd_tl() const;
    std::string mtd_ds() const;
    std::string mtd() const;
    std::string manifest() const;
    void spectral_list(XmlWriter& w) const;

    fs::path root_;
    const S2Acquisition& a_;
    bool l2a_;
    int rs_;
    std::vector<DataFile> files_;
    std::vector<std::string> image_files_;  // IMAGE_FILE entries (no extension)
    std::vector<LonLat> corners_;           // UL, UR, LR, LL in WGS84
    double cloud_pct_ = 0;
    std::array<double, 12> scl_pct_{};  // SCL class shares on the 20 m grid
    int sizes_[3] = {0, 0, 0};          // grid sizes at 10, 20, 60 m
};

void S2Writer::rasters() {
    const bool toa = !l2a_;
    sizes_[0] = grid_size(rs_, 10);
    sizes_[1] = grid_size(rs_, 20);
    sizes_[2] = grid_size(rs_, 60);
    const Layer l10 = make_layer(a_, sizes_[0]);
    const Layer l20 = make_layer(a_, sizes_[1]);
    const Layer l60 = make_layer(a_, sizes_[2]);

    // The published cloud cover and class shares are those of the 20 m grid, where SCL lives.
    std::array<size_t, 12> counts{};
    for (const auto& s : l20.px) ++counts[s2_scene_class(s)];
    const double total = static_cast<double>(l20.px.size());
    for (size_t c = 0; c < counts.size(); ++c)
        scl_pct_[c] = 100.0 * static_cast<double>(counts[c]) / total;
    cloud_pct_ = scl_pct_[8] + scl_pct_[9] + scl_pct_[10];

    const std::string g = granule_dir();
    make_dirs(root_ / g / "QI_DATA");
    make_dirs(root_ / g / "AUX_DATA");
    const std::string prefix = tile_prefix();
    if (!l2a_) {
        make_dirs(root_ / g / "IMG_DATA");
        for (const auto& b : kBands) {
            const int idx = band_index(b.name);
            const Layer& l = b.resolution == 10 ? l10 : b.resolution == 20 ? l20 : l60;
            const std::string rel = fmt::format("{}/IMG_DATA/{}_{}", g, prefix, b.name);
            write_jp2_u16(rel + ".jp2", l.grid, band_dn(l, idx, toa),
                          fmt::format("IMG_DATA_Band_{}_Tile1_Data", b.name));
            image_files_.push_back(rel);
        }
        const std::string tci = fmt::format("{}/IMG_DATA/{}_TCI", g, prefix);
        write_jp2_u8(tci + ".jp2", l10.grid, true_colour(l10, toa), 3,
                     "IMG_DATA_Band_TCI_Tile1_Data");
        image_files_.push_back(tci);
    } else {
        const std::pair<const Layer*, const std::vector<std::string>*> sets[3] = {
            {&l10, &kL2A10}, {&l20, &kL2A20}, {&l60, &kL2A60}};
        const int res[3] = {10, 20, 60};
        for (int r = 0; r < 3; ++r) {
            const Layer& l = *sets[r].first;
            const std::string dir = fmt::format("{}/IMG_DATA/R{}m", g, res[r]);
            make_dirs(root_ / dir);
            for (const auto& name : *sets[r].second) {
                const std::string rel = fmt::format("{}/{}_{}_{}m", dir, prefix, name, res[r]);
                const std::string id = fmt::format("IMG_DATA_Band_{}_{}m_Tile1_Data", name, res[r]);
                if (name == "TCI") {
                    write_jp2_u8(rel + ".jp2", l.grid, true_colour(l, toa), 3, id);
                } else if (name == "SCL") {
                    std::vector<std::uint8_t> scl(l.px.size());
                    for (size_t k = 0; k < scl.size(); ++k) scl[k] = s2_scene_class(l.px[k]);
                    write_jp2_u8(rel + ".jp2", l.grid, scl, 1, id);
                } else if (name == "AOT" || name == "WVP") {
                    write_jp2_u16(rel + ".jp2", l.grid, atmosphere(l, a_.seed, name == "WVP"), id);
                } else {
                    write_jp2_u16(rel + ".jp2", l.grid, band_dn(l, band_index(name), toa), id);
                }
                image_files_.push_back(rel);
            }
        }
        // Cloud probability masks (0..100).
        for (const Layer* l : {&l20, &l60}) {
            std::vector<std::uint8_t> prob(l->px.size());
            for (size_t k = 0; k < prob.size(); ++k)
                prob[k] = static_cast<std::uint8_t>(std::lround(100.0 * l->px[k].alpha));
            const int r = l == &l20 ? 20 : 60;
            write_jp2_u8(fmt::format("{}/QI_DATA/MSK_CLDPRB_{}m.jp2", g, r), l->grid, prob, 1,
                         fmt::format("QI_DATA_MSK_CLDPRB_{}m_Tile1_Data", r));
        }
    }
    // Preview image: the true colour at the 20 m grid.
    write_jp2_u8(fmt::format("{}/QI_DATA/{}_PVI.jp2", g, prefix), l20.grid, true_colour(l20, toa),
                 3, "QI_DATA_PVI_Tile1_Data");
}

void S2Writer::footprint() {
    Projector proj(a_.tile.epsg());
    const double x0 = a_.tile.ulx, y0 = a_.tile.uly, x1 = x0 + kTileSize, y1 = y0 - kTileSize;
    corners_ = {proj.to_wgs84(x0, y0), proj.to_wgs84(x1, y0), proj.to_wgs84(x1, y1),
                proj.to_wgs84(x0, y1)};
}

std::string pos_list(const std::vector<LonLat>& corners) {
    // "lat lon" pairs, closed, with the trailing space of the real files.
    std::string s;
    for (size_t k = 0; k <= corners.size(); ++k) {
        const LonLat& c = corners[k % corners.size()];
        s += num(c.lat) + ' ' + num(c.lon) + ' ';
    }
    return s;
}

std::string S2Writer::mtd_tl() const {
    const bool l2 = l2a_;
    XmlWriter w(true, true);
    const std::string ns =
        l2 ? "https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-2A_Tile_Metadata.xsd"
           : "https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-1C_Tile_Metadata.xsd";
    w.open(l2 ? "n1:Level-2A_Tile_ID" : "n1:Level-1C_Tile_ID",
           {{"xmlns:n1", ns},
            {"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
            {"xsi:schemaLocation", ns}});
    w.open("n1:General_Info");
    if (l2) w.leaf("L1C_TILE_ID", tile_id("L1C", a_.l1c_generation), {{"metadataLevel", "Brief"}});
    w.leaf("TILE_ID", tile_id(l2 ? "L2A" : "L1C", generation()), {{"metadataLevel", "Brief"}});
    w.leaf("DATASTRIP_ID", datastrip_id(l2 ? "L2A" : "L1C", generation()),
           {{"metadataLevel", "Standard"}});
    w.leaf("DOWNLINK_PRIORITY", "NOMINAL", {{"metadataLevel", "Standard"}});
    w.leaf("SENSING_TIME", iso_us_z(a_.tile_time), {{"metadataLevel", "Standard"}});
    w.open("Archiving_Info", {{"metadataLevel", "Expertise"}});
    w.leaf("ARCHIVING_CENTRE", "2APS");
    w.leaf("ARCHIVING_TIME", iso_us_z(plus_seconds(generation(), 1800)));
    w.close();
    w.close();

    w.open("n1:Geometric_Info");
    w.open("Tile_Geocoding", {{"metadataLevel", "Brief"}});
    w.leaf("HORIZONTAL_CS_NAME",
           fmt::format("WGS84 / UTM zone {}{}", a_.tile.zone, a_.tile.north ? 'N' : 'S'));
    w.leaf("HORIZONTAL_CS_CODE", fmt::format("EPSG:{}", a_.tile.epsg()));
    const int res[3] = {10, 20, 60};
    for (int r = 0; r < 3; ++r) {
        w.open("Size", {{"resolution", std::to_string(res[r])}});
        w.leaf("NROWS", std::to_string(sizes_[r]));
        w.leaf("NCOLS", std::to_string(sizes_[r]));
        w.close();
    }
    for (int r = 0; r < 3; ++r) {
        w.open("Geoposition", {{"resolution", std::to_string(res[r])}});
        w.leaf("ULX", num(a_.tile.ulx));
        w.leaf("ULY", num(a_.tile.uly));
        w.leaf("XDIM", num(kTileSize / sizes_[r]));
        w.leaf("YDIM", num(-kTileSize / sizes_[r]));
        w.close();
    }
    w.close();

    // Sun angles on the 5 km grid of the real files (23 x 23 nodes over 110 km).
    w.open("Tile_Angles", {{"metadataLevel", "Standard"}});
    w.open("Sun_Angles_Grid");
    std::string zen_rows[23], az_rows[23];
    double zen_sum = 0, az_sum = 0;
    for (int j = 0; j < 23; ++j)
        for (int i = 0; i < 23; ++i) {
            double lat, lon, z, az;
            utm_inverse(a_.tile.ulx + 5000.0 * i, a_.tile.uly - 5000.0 * j, a_.tile.zone,
                        a_.tile.north, lat, lon);
            sun_angles(a_.tile_time, lat, lon, z, az);
            zen_rows[j] += (i ? " " : "") + fixed(z, 4);
            az_rows[j] += (i ? " " : "") + fixed(az, 4);
            zen_sum += z;
            az_sum += az;
        }
    for (int k = 0; k < 2; ++k) {
        w.open(k == 0 ? "Zenith" : "Azimuth");
        w.leaf("COL_STEP", "5000", {{"unit", "m"}});
        w.leaf("ROW_STEP", "5000", {{"unit", "m"}});
        w.open("Values_List");
        for (const auto& row : (k == 0 ? zen_rows : az_rows)) w.leaf("VALUES", row);
        w.close();
        w.close();
    }
    w.close();
    w.open("Mean_Sun_Angle");
    w.leaf("ZENITH_ANGLE", num(zen_sum / 529.0), {{"unit", "deg"}});
    w.leaf("AZIMUTH_ANGLE", num(az_sum / 529.0), {{"unit", "deg"}});
    w.close();
    w.open("Mean_Viewing_Incidence_Angle_List");
    Rng rng(a_.seed ^ 0x7A);
    const double view_zenith = rng.uniform(2.0, 9.0), view_azimuth = rng.uniform(95.0, 290.0);
    for (size_t b = 0; b < kBands.size(); ++b) {
        w.open("Mean_Viewing_Incidence_Angle", {{"bandId", std::to_string(b)}});
        w.leaf("ZENITH_ANGLE", fixed(view_zenith + 0.05 * static_cast<double>(b), 6),
               {{"unit", "deg"}});
        w.leaf("AZIMUTH_ANGLE", fixed(view_azimuth + 0.3 * static_cast<double>(b), 6),
               {{"unit", "deg"}});
        w.close();
    }
    w.close();
    w.close();
    w.close();

    w.open("n1:Quality_Indicators_Info", {{"metadataLevel", "Standard"}});
    w.open("Image_Content_QI");
    if (!l2) {
        w.leaf("CLOUDY_PIXEL_PERCENTAGE", fixed(cloud_pct_, 6));
        w.leaf("DEGRADED_MSI_DATA_PERCENTAGE", "0");
        w.leaf("SNOW_PIXEL_PERCENTAGE", "0.000000");
    } else {
        w.leaf("NODATA_PIXEL_PERCENTAGE", "0.000000");
        w.leaf("SATURATED_DEFECTIVE_PIXEL_PERCENTAGE", "0.000000");
        w.leaf("DARK_FEATURES_PERCENTAGE", fixed(scl_pct_[2], 6));
        w.leaf("CLOUD_SHADOW_PERCENTAGE", fixed(scl_pct_[3], 6));
        w.leaf("VEGETATION_PERCENTAGE", fixed(scl_pct_[4], 6));
        w.leaf("NOT_VEGETATED_PERCENTAGE", fixed(scl_pct_[5], 6));
        w.leaf("WATER_PERCENTAGE", fixed(scl_pct_[6], 6));
        w.leaf("UNCLASSIFIED_PERCENTAGE", fixed(scl_pct_[7], 6));
        w.leaf("MEDIUM_PROBA_CLOUDS_PERCENTAGE", fixed(scl_pct_[8], 6));
        w.leaf("HIGH_PROBA_CLOUDS_PERCENTAGE", fixed(scl_pct_[9], 6));
        w.leaf("THIN_CIRRUS_PERCENTAGE", fixed(scl_pct_[10], 6));
        w.leaf("SNOW_ICE_PERCENTAGE", fixed(scl_pct_[11], 6));
        w.leaf("CLOUDY_PIXEL_PERCENTAGE", fixed(cloud_pct_, 6));
    }
    w.close();
    w.close();
    w.close();
    return w.str();
}

std::string S2Writer::mtd_ds() const {
    const char* lvl = l2a_ ? "L2A" : "L1C";
    XmlWriter w(true, true);
    const std::string ns = fmt::format(
        "https://psd-14.sentinel2.eo.esa.int/PSD/S2_PDI_Level-{}_Datastrip_Metadata.xsd",
        l2a_ ? "2A" : "1C");
    w.open(l2a_ ? "n1:Level-2A_DataStrip_ID" : "n1:Level-1C_DataStrip_ID",
           {{"xmlns:n1", ns},
            {"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
            {"xsi:schemaLocation", ns}});
    w.open("n1:General_Info");
    w.leaf("DATASTRIP_ID", datastrip_id(lvl, generation()), {{"metadataLevel", "Brief"}});
    w.open("Datatake_Info", {{"datatakeIdentifier", datatake_id()}, {"metadataLevel", "Brief"}});
    w.leaf("DATATAKE_TYPE", "INS-NOBS");
    w.leaf("SPACECRAFT_NAME", spacecraft());
    w.leaf("DATATAKE_SENSING_START", iso_ms_z(a_.datatake));
    w.leaf("SENSING_ORBIT_NUMBER", std::to_string(a_.rel_orbit));
    w.leaf("SENSING_ORBIT_DIRECTION", "DESCENDING");
    w.close();
    w.open("Datastrip_Time_Info", {{"metadataLevel", "Brief"}});
    w.leaf("DATASTRIP_SENSING_START", iso_us_z(datastrip_start()));
    w.leaf("DATASTRIP_SENSING_STOP", iso_us_z(plus_seconds(a_.tile_time, 60)));
    w.close();
    w.open("Processing_Info", {{"metadataLevel", "Brief"}});
    w.leaf("PROCESSING_BASELINE", kBaseline);
    w.leaf("UTC_DATE_TIME", iso_us_z(generation()));
    w.leaf("PROCESSING_CENTER", "2APS");
    w.close();
    w.close();
    w.close();
    return w.str();
}

void S2Writer::spectral_list(XmlWriter& w) const {
    w.open("Spectral_Information_List");
    for (size_t b = 0; b < kBands.size(); ++b) {
        const BandInfo& i = kBands[b];
        w.open("Spectral_Information",
               {{"bandId", std::to_string(b)}, {"physicalBand", i.physical}});
        w.leaf("RESOLUTION", std::to_string(i.resolution));
        w.open("Wavelength");
        w.leaf("MIN", num(i.min_nm), {{"unit", "nm"}});
        w.leaf("MAX", num(i.max_nm), {{"unit", "nm"}});
        w.leaf("CENTRAL", num(i.central_nm), {{"unit", "nm"}});
        w.close();
        w.close();
    }
    w.close();
}

std::string S2Writer::mtd() const {
    const bool l2 = l2a_;
    XmlWriter w(true, true);
    const std::string ns = fmt::format(
        "https://psd-14.sentinel2.eo.esa.int/PSD/User_Product_Level-{}.xsd", l2 ? "2A" : "1C");
    w.open(l2 ? "n1:Level-2A_User_Product" : "n1:Level-1C_User_Product",
           {{"xmlns:n1", ns},
            {"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
            {"xsi:schemaLocation", ns}});
    w.open("n1:General_Info");
    w.open("Product_Info");
    w.leaf("PRODUCT_START_TIME", iso_ms_z(a_.datatake));
    w.leaf("PRODUCT_STOP_TIME", iso_ms_z(a_.datatake));
    w.leaf("PRODUCT_URI", s2_product_name(a_, l2));
    w.leaf("PROCESSING_LEVEL", l2 ? "Level-2A" : "Level-1C");
    w.leaf("PRODUCT_TYPE", l2 ? "S2MSI2A" : "S2MSI1C");
    w.leaf("PROCESSING_BASELINE", kBaseline);
    w.leaf("PRODUCT_DOI",
           l2 ? "https://doi.org/10.5270/S2_-znk9xsj" : "https://doi.org/10.5270/S2_-742ikth");
    w.leaf("GENERATION_TIME", iso_us_z(generation()));
    w.leaf("PREVIEW_IMAGE_URL", "Not applicable");
    w.leaf("PREVIEW_GEO_INFO", "Not applicable");
    w.open("Datatake", {{"datatakeIdentifier", datatake_id()}});
    w.leaf("SPACECRAFT_NAME", spacecraft());
    w.leaf("DATATAKE_TYPE", "INS-NOBS");
    w.leaf("DATATAKE_SENSING_START", iso_ms_z(a_.datatake));
    w.leaf("SENSING_ORBIT_NUMBER", std::to_string(a_.rel_orbit));
    w.leaf("SENSING_ORBIT_DIRECTION", "DESCENDING");
    w.close();
    w.open("Query_Options", {{"completeSingleTile", "true"}});
    w.leaf("PRODUCT_FORMAT", "SAFE_COMPACT");
    w.close();
    w.open("Product_Organisation");
    w.open("Granule_List");
    const char* lvl = l2 ? "L2A" : "L1C";
    w.open("Granule", {{"datastripIdentifier", datastrip_id(lvl, generation())},
                       {"granuleIdentifier", tile_id(lvl, generation())},
                       {"imageFormat", "JPEG2000"}});
    for (const auto& f : image_files_) w.leaf("IMAGE_FILE", f);
    w.close();
    w.close();
    w.close();
    w.close();  // Product_Info

    w.open("Product_Image_Characteristics");
    for (auto [text, index] : {std::pair{"NODATA", "0"}, std::pair{"SATURATED", "65535"}}) {
        w.open("Special_Values");
        w.leaf("SPECIAL_VALUE_TEXT", text);
        w.leaf("SPECIAL_VALUE_INDEX", index);
        w.close();
    }
    w.open("Image_Display_Order");
    w.leaf("RED_CHANNEL", "3");
    w.leaf("GREEN_CHANNEL", "2");
    w.leaf("BLUE_CHANNEL", "1");
    w.close();
    if (!l2) {
        w.leaf("QUANTIFICATION_VALUE", "10000", {{"unit", "none"}});
        w.open("Radiometric_Offset_List");
        for (size_t b = 0; b < kBands.size(); ++b)
            w.leaf("RADIO_ADD_OFFSET", "-1000", {{"band_id", std::to_string(b)}});
        w.close();
    } else {
        w.open("QUANTIFICATION_VALUES_LIST");
        w.leaf("BOA_QUANTIFICATION_VALUE", "10000", {{"unit", "none"}});
        w.leaf("AOT_QUANTIFICATION_VALUE", "1000.0", {{"unit", "none"}});
        w.leaf("WVP_QUANTIFICATION_VALUE", "1000.0", {{"unit", "cm"}});
        w.close();
        w.open("BOA_ADD_OFFSET_VALUES_LIST");
        for (size_t b = 0; b < kBands.size(); ++b)
            w.leaf("BOA_ADD_OFFSET", "-1000", {{"band_id", std::to_string(b)}});
        w.close();
    }
    w.open("Reflectance_Conversion");
    const double d = sun_distance_au(a_.datatake);
    w.leaf("U", num(1.0 / (d * d)));
    w.open("Solar_Irradiance_List");
    for (size_t b = 0; b < kBands.size(); ++b)
        w.leaf("SOLAR_IRRADIANCE", num(kBands[b].irradiance),
               {{"bandId", std::to_string(b)}, {"unit", "W/m²/µm"}});
    w.close();
    w.close();
    spectral_list(w);
    for (size_t b = 0; b < kBands.size(); ++b)
        w.leaf("PHYSICAL_GAINS", num(kBands[b].gain), {{"bandId", std::to_string(b)}});
    w.leaf("REFERENCE_BAND", "3");
    if (l2) {
        static const char* kClasses[] = {"SC_NODATA",
                                         "SC_SATURATED_DEFECTIVE",
                                         "SC_DARK_FEATURE_SHADOW",
                                         "SC_CLOUD_SHADOW",
                                         "SC_VEGETATION",
                                         "SC_NOT_VEGETATED",
                                         "SC_WATER",
                                         "SC_UNCLASSIFIED",
                                         "SC_CLOUD_MEDIUM_PROBA",
                                         "SC_CLOUD_HIGH_PROBA",
                                         "SC_THIN_CIRRUS",
                                         "SC_SNOW_ICE"};
        w.open("Scene_Classification_List");
        for (int c = 0; c < 12; ++c) {
            w.open("Scene_Classification_ID");
            w.leaf("SCENE_CLASSIFICATION_TEXT", kClasses[c]);
            w.leaf("SCENE_CLASSIFICATION_INDEX", std::to_string(c));
            w.close();
        }
        w.close();
    }
    w.close();  // Product_Image_Characteristics
    w.close();  // General_Info

    w.open("n1:Geometric_Info");
    w.open("Product_Footprint");
    w.open("Product_Footprint");
    w.open("Global_Footprint");
    w.leaf("EXT_POS_LIST", pos_list(corners_));
    w.close();
    w.close();
    w.leaf("RASTER_CS_TYPE", "POINT");
    w.leaf("PIXEL_ORIGIN", "1");
    w.close();
    w.open("Coordinate_Reference_System");
    w.leaf("GEO_TABLES", "EPSG", {{"version", "1"}});
    w.leaf("HORIZONTAL_CS_TYPE", "GEOGRAPHIC");
    w.close();
    w.close();

    w.open("n1:Auxiliary_Data_Info");
    w.leaf("PRODUCTION_DEM_TYPE", "CopernicusDEM30");
    w.leaf("IERS_BULLETIN_FILENAME",
           fmt::format("S2__OPER_AUX_UT1UTC_PDMC_{}T000000_V{}T000000_{}T000000",
                       compact_date(day_start(a_.datatake)), compact_date(day_start(a_.datatake)),
                       compact_date(plus_seconds(a_.datatake, 365 * 86400.0))));
    w.open("GRI_List");
    w.leaf("GRI_FILENAME",
           fmt::format("S2{}_OPER_GRI_MSIL1B_MPC__20161018T120000_S20150716T105421", a_.sat->unit));
    w.close();
    w.leaf("ECMWF_DATA_REF", fmt::format("S2__OPER_AUX_ECMWFD_ADG__{}T000000_V{}T090000_{}T030000",
                                         compact_date(a_.datatake), compact_date(a_.datatake),
                                         compact_date(plus_seconds(a_.datatake, 2 * 86400.0))));
    w.close();

    w.open("n1:Quality_Indicators_Info");
    w.leaf("Cloud_Coverage_Assessment", fixed(cloud_pct_, 6));
    if (!l2) w.leaf("Snow_Coverage_Assessment", "0.0");
    w.open("Technical_Quality_Assessment");
    w.leaf("DEGRADED_ANC_DATA_PERCENTAGE", "0.0");
    w.leaf("DEGRADED_MSI_DATA_PERCENTAGE", "0");
    w.close();
    w.open("Quality_Control_Checks");
    w.open("Quality_Inspections");
    for (const char* check : {"FORMAT_CORRECTNESS", "GENERAL_QUALITY", "GEOMETRIC_QUALITY"})
        w.leaf("quality_check", "PASSED", {{"checkType", check}});
    if (l2) w.leaf("quality_check", "PASSED", {{"checkType", "L2A_QUALITY"}});
    for (const char* check : {"RADIOMETRIC_QUALITY", "SENSOR_QUALITY"})
        w.leaf("quality_check", "PASSED", {{"checkType", check}});
    w.close();
    w.empty("Failed_Inspections");
    w.close();
    if (l2) {
        w.open("Image_Content_QI");
        w.leaf("CLOUDY_PIXEL_OVER_LAND_PERCENTAGE", fixed(cloud_pct_, 6));
        w.leaf("NODATA_PIXEL_PERCENTAGE", "0.0");
        w.leaf("SATURATED_DEFECTIVE_PIXEL_PERCENTAGE", "0.0");
        w.leaf("DARK_FEATURES_PERCENTAGE", fixed(scl_pct_[2], 6));
        w.leaf("CLOUD_SHADOW_PERCENTAGE", fixed(scl_pct_[3], 6));
        w.leaf("VEGETATION_PERCENTAGE", fixed(scl_pct_[4], 6));
        w.leaf("NOT_VEGETATED_PERCENTAGE", fixed(scl_pct_[5], 6));
        w.leaf("WATER_PERCENTAGE", fixed(scl_pct_[6], 6));
        w.leaf("UNCLASSIFIED_PERCENTAGE", fixed(scl_pct_[7], 6));
        w.leaf("MEDIUM_PROBA_CLOUDS_PERCENTAGE", fixed(scl_pct_[8], 6));
        w.leaf("HIGH_PROBA_CLOUDS_PERCENTAGE", fixed(scl_pct_[9], 6));
        w.leaf("THIN_CIRRUS_PERCENTAGE", fixed(scl_pct_[10], 6));
        w.leaf("SNOW_ICE_PERCENTAGE", fixed(scl_pct_[11], 6));
        w.leaf("AOT_RETRIEVAL_METHOD", "CAMS");
        w.close();
    }
    w.close();
    w.close();
    return w.str();
}

std::string S2Writer::manifest() const {
    const bool l2 = l2a_;
    XmlWriter w(true, true);
    w.open("xfdu:XFDU",
           {{"xmlns:gml", "http://www.opengis.net/gml"},
            {"xmlns:safe", "http://www.esa.int/safe/sentinel/1.1"},
            {"xmlns:xfdu", "urn:ccsds:schema:xfdu:1"},
            {"version", fmt::format("esa/safe/sentinel/1.1/sentinel-2/msi/archive_{}_user_product",
                                    l2 ? "l2a" : "l1c")}});
    w.open("informationPackageMap");
    w.open("xfdu:contentUnit",
           {{"dmdID", "acquisitionPeriod platform"},
            {"pdiID", "processing"},
            {"textInfo", fmt::format("SENTINEL-2 MSI Level-{} User Product", l2 ? "2A" : "1C")},
            {"unitType", fmt::format("Product_Level-{}", l2 ? "2A" : "1C")}});
    for (const auto& f : files_) {
        w.open("xfdu:contentUnit",
               {{"ID", f.id.substr(0, f.id.size() - 5) + "_Unit"},
                {"unitType", f.mime == "text/xml" ? "Metadata Unit" : "Measurement Data Unit"}});
        w.empty("dataObjectPointer", {{"dataObjectID", f.id}});
        w.close();
    }
    w.close();
    w.close();

    w.open("metadataSection");
    auto wrapped = [&](const char* id, const char* category, const char* classification,
                       const char* text) {
        w.open("metadataObject",
               {{"ID", id}, {"category", category}, {"classification", classification}});
        w.open("metadataWrap",
               {{"mimeType", "text/xml"}, {"textInfo", text}, {"vocabularyName", "Sentinel-SAFE"}});
        w.open("xmlData");
    };
    auto unwrap = [&] {
        w.close();
        w.close();
        w.close();
    };
    wrapped("acquisitionPeriod", "DMD", "DESCRIPTION", "Acquisition Period");
    w.open("safe:acquisitionPeriod");
    w.leaf("safe:startTime", iso_ms_z(a_.datatake));
    w.close();
    unwrap();
    wrapped("measurementOrbitReference", "DMD", "DESCRIPTION", "Orbit Reference");
    w.open("safe:orbitReference");
    w.leaf("safe:orbitNumber", fmt::format("{:06d}", a_.abs_orbit),
           {{"groundTrackDirection", "descending"}, {"type", "start"}});
    w.leaf("safe:relativeOrbitNumber", fmt::format("{:03d}", a_.rel_orbit), {{"type", "start"}});
    w.close();
    unwrap();
    wrapped("platform", "DMD", "DESCRIPTION", "Platform Description");
    w.open("safe:platform");
    w.leaf("safe:nssdcIdentifier", a_.sat->nssdc);
    w.leaf("safe:familyName", "SENTINEL");
    w.leaf("safe:number", fmt::format("2{}", a_.sat->unit));
    w.open("safe:instrument");
    w.leaf("safe:familyName", "Multi-Spectral Instrument", {{"abbreviation", "MSI"}});
    w.close();
    w.close();
    unwrap();
    wrapped("processing", "PDI", "PROVENANCE", "Processing");
    w.empty("safe:processing",
            {{"name", fmt::format("Generation of Level-{} User Product", l2 ? "2A" : "1C")},
             {"start", iso_us_z(generation())}});
    unwrap();
    wrapped("measurementFrameSet", "DMD", "DESCRIPTION", "Frame Set");
    w.open("safe:frameSet");
    w.open("safe:footPrint", {{"srsName", "http://www.opengis.net/gml/srs/epsg.xml#4326"}});
    w.leaf("gml:coordinates", pos_list(corners_));
    w.close();
    w.close();
    unwrap();
    w.close();

    w.open("dataObjectSection");
    for (const auto& f : files_) {
        const std::string content = read_file(root_ / f.path);
        w.open("dataObject", {{"ID", f.id}});
        w.open("byteStream", {{"mimeType", f.mime}, {"size", std::to_string(content.size())}});
        w.empty("fileLocation", {{"href", "./" + f.path}, {"locatorType", "URL"}});
        std::string digest = sha3_256_hex(content);
        std::transform(digest.begin(), digest.end(), digest.begin(), [](char c) {
            return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
        });
        w.leaf("checksum", digest, {{"checksumName", "SHA3-256"}});
        w.close();
        w.close();
    }
    w.close();
    w.close();
    return w.str();
}

void S2Writer::write() {
    make_dirs(root_);
    footprint();
    rasters();
    const std::string lvl = l2a_ ? "2A" : "1C";
    const std::string tl = granule_dir() + "/MTD_TL.xml";
    write_file(root_ / tl, mtd_tl());
    add(tl, fmt::format("S2_Level-{}_Tile1_Metadata", lvl), "text/xml");
    const std::string ds = datastrip_dir() + "/MTD_DS.xml";
    make_dirs(root_ / datastrip_dir() / "QI_DATA");
    write_file(root_ / ds, mtd_ds());
    add(ds, fmt::format("S2_Level-{}_Datastrip1_Metadata", lvl), "text/xml");
    const std::string product = l2a_ ? "MTD_MSIL2A.xml" : "MTD_MSIL1C.xml";
    write_file(root_ / product, mtd());
    // The product metadata comes first in the manifest, as in the real files.
    files_.insert(files_.begin(),
                  {product, fmt::format("S2_Level-{}_Product_Metadata", lvl), "text/xml"});
    write_file(root_ / "manifest.safe", manifest());
}

}  // namespace

std::string s2_product_name(const S2Acquisition& a, bool l2a) {
    return fmt::format("S2{}_MSI{}_{}_{}_R{:03d}_T{}_{}.SAFE", a.sat->unit, l2a ? "L2A" : "L1C",
                       compact(a.datatake), kBaselineCode, a.rel_orbit, a.tile.id,
                       compact(l2a ? a.l2a_generation : a.l1c_generation));
}

void write_sentinel2(const fs::path& safe_dir, const S2Acquisition& a, bool l2a, int raster_size) {
    S2Writer(safe_dir, a, l2a, raster_size).write();
}

}  // namespace creodias::detail::gen
