// Sentinel-1 IW GRD high-resolution dual-polarisation (1SDV) SAFE products.
//
// Layout written:
//   <name>.SAFE/manifest.safe
//              /annotation/s1a-iw-grd-vv-<start>-<stop>-<orbit>-<datatake>-001.xml (and vh -002)
//              /annotation/calibration/calibration-s1a-iw-grd-vv-....xml, noise-....xml
//              /measurement/s1a-iw-grd-vv-...-001.tiff, s1a-iw-grd-vh-...-002.tiff
//              /preview/quick-look.png, map-overlay.kml
//
// The measurements are in radar geometry (lines = azimuth time, samples = ground range from
// near to far) and georeferenced only by a grid of WGS84 ground control points, like the
// real GRD GeoTIFFs. The footprint in the manifest is the outer GCP corners.

#include "generate/products.hpp"
#include "generate/raster.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cmath>

namespace fs = std::filesystem;

namespace creodias::detail::gen {

namespace {

constexpr const char* kIpf = "003.61";
constexpr double kSwathKm = 250.0;                // IW ground-range swath
constexpr double kSliceKm = 170.0;                // 25 s of azimuth at ~6.8 km/s
constexpr double kNearIncidence = 30.5;           // degrees, IW1 near range
constexpr double kFarIncidence = 46.0;            // IW3 far range
constexpr int kGridLines = 10, kGridPixels = 21;  // geolocation grid of the real products

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    return s;
}

class S1Writer {
public:
    S1Writer(const fs::path& root, const S1Acquisition& a, int raster_size)
        : root_(root),
          a_(a),
          lines_(raster_size),
          samples_(static_cast<int>(std::lround(raster_size * kSwathKm / kSliceKm))) {}
    void write();

private:
    // Ground position of a fraction of the slice: fx across track from near (0) to far (1)
    // range, fy along track from the first (0) to the last (1) line. Sentinel-1 looks to the
    // right of its track.
    LonLat ground(double fx, double fy) const {
        const LonLat mid =
            destination(a_.center_lat, a_.center_lon, a_.heading, (fy - 0.5) * kSliceKm);
        return destination(mid.lat, mid.lon, a_.heading + 90.0, (fx - 0.5) * kSwathKm);
    }
    double incidence(double fx) const {
        return kNearIncidence + (kFarIncidence - kNearIncidence) * fx;
    }
    double calibration_lut(double fx) const { return 630.0 - 60.0 * fx; }  // sigma nought LUT
    Timestamp line_time(double fy) const {
        return Timestamp{a_.start.us + static_cast<std::int64_t>(std::llround(
                                           fy * static_cast<double>(a_.stop.us - a_.start.us)))};
    }
    std::string file_stem(const char* pol, int image) const {
        return lower(fmt::format("s1{}-iw-grd-{}-{}-{}-{:06d}-{:06x}-{:03d}", a_.sat->unit, pol,
                                 compact(a_.start), compact(a_.stop), a_.abs_orbit, a_.datatake,
                                 image));
    }
    // Manifest data object identifier: the file stem without its hyphens.
    std::string object_id(const char* pol, int image) const {
        std::string id = file_stem(pol, image);
        id.erase(std::remove(id.begin(), id.end(), '-'), id.end());
        return id;
    }
    std::string pass() const { return a_.ascending ? "ASCENDING" : "DESCENDING"; }
    double anx_seconds() const {
        // Time since the ascending node: from the argument of latitude at the slice start.
        const double s = std::clamp(
            std::sin(a_.center_lat * kDeg) / std::sin(kS1Orbit.inclination_deg * kDeg), -1.0, 1.0);
        double u = std::asin(s) / kDeg;
        u = a_.ascending ? (u < 0 ? u + 360.0 : u) : 180.0 - u;
        return u / 360.0 * kS1Orbit.period_min * 60.0;
    }

    void gcps();
    void measurements();
    std::string annotation(const char* pol, int image) const;
    std::string calibration(const char* pol, int image) const;
    std::string noise(const char* pol, int image) const;
    std::string kml() const;
    std::string manifest() const;
    void ads_header(XmlWriter& w, const char* pol, int image) const;

    struct DataFile {
        std::string path, id, rep, mime;
    };

    fs::path root_;
    const S1Acquisition& a_;
    int lines_, samples_;
    std::vector<Gcp> gcps_;
    std::vector<DataFile> files_;
    std::vector<LonLat> footprint_;  // last-near, last-far, first-far, first-near
};

void S1Writer::gcps() {
    const int nl = std::min(kGridLines, lines_), np = std::min(kGridPixels, samples_);
    for (int j = 0; j < nl; ++j)
        for (int i = 0; i < np; ++i) {
            const double line = std::round(j * (lines_ - 1.0) / (nl - 1));
            const double pixel = std::round(i * (samples_ - 1.0) / (np - 1));
            const LonLat p = ground(pixel / (samples_ - 1.0), line / (lines_ - 1.0));
            gcps_.push_back({pixel, line, p.lon, p.lat, 0.0});
        }
    auto corner = [&](int j, int i) {
        const Gcp& g = gcps_[static_cast<size_t>(j * np + i)];
        return LonLat{g.lon, g.lat};
    };
    footprint_ = {corner(nl - 1, 0), corner(nl - 1, np - 1), corner(0, np - 1), corner(0, 0)};
}

void S1Writer::measurements() {
    const size_t n = static_cast<size_t>(lines_) * static_cast<size_t>(samples_);
    std::vector<std::uint16_t> vv(n), vh(n);
    Rng rng(a_.seed ^ 0x5EC1E);
    std::vector<double> quick_vv(n), quick_vh(n);
    for (int j = 0; j < lines_; ++j)
        for (int i = 0; i < samples_; ++i) {
            const double fx = (i + 0.5) / samples_, fy = (j + 0.5) / lines_;
            const Surface s = sample(a_.scene, fx, fy);
            const double inc = incidence(fx), lut = calibration_lut(fx);
            const size_t k =
                static_cast<size_t>(j) * static_cast<size_t>(samples_) + static_cast<size_t>(i);
            // Fully developed speckle: intensity times a unit-mean gamma variate of 4 looks.
            for (int pol = 0; pol < 2; ++pol) {
                double looks = 0;
                for (int l = 0; l < 4; ++l) looks -= std::log(std::max(rng.uniform(), 1e-12));
                const double sigma0 = sar_sigma0(s, pol == 1, inc) * looks / 4.0;
                const double dn = std::round(std::sqrt(sigma0) * lut);
                (pol == 0 ? vv : vh)[k] = static_cast<std::uint16_t>(std::clamp(dn, 1.0, 65535.0));
                (pol == 0 ? quick_vv : quick_vh)[k] = sigma0;
            }
        }
    make_dirs(root_ / "measurement");
    const std::string datetime = [&] {
        const Civil c = to_civil(a_.start);
        return fmt::format("{:04d}:{:02d}:{:02d} {:02d}:{:02d}:{:02d}", c.year, c.month, c.day,
                           c.hour, c.minute, c.second);
    }();
    const struct {
        const char* pol;
        int image;
        const std::vector<std::uint16_t>* data;
    } images[2] = {{"vh", 2, &vh}, {"vv", 1, &vv}};
    for (const auto& im : images) {
        RasterSpec spec;
        spec.width = samples_;
        spec.height = lines_;
        spec.data = im.data->data();
        spec.gcps = &gcps_;
        spec.metadata = {
            {"TIFFTAG_IMAGEDESCRIPTION", fmt::format("Sentinel-1{} IW GRD HR L1", a_.sat->unit)},
            {"TIFFTAG_SOFTWARE", fmt::format("Sentinel-1 IPF {}", kIpf)},
            {"TIFFTAG_DATETIME", datetime}};
        const std::string rel = "measurement/" + file_stem(im.pol, im.image) + ".tiff";
        write_raster(root_ / rel, "GTiff", spec);
        files_.push_back({rel, object_id(im.pol, im.image), "s1Level1MeasurementSchema",
                          "application/octet-stream"});
    }

    // Quick-look: VV, VH and their ratio in dB, at half resolution.
    const int qw = std::max(1, samples_ / 2), qh = std::max(1, lines_ / 2);
    std::vector<std::uint8_t> rgb(static_cast<size_t>(qw) * static_cast<size_t>(qh) * 3);
    const size_t plane = static_cast<size_t>(qw) * static_cast<size_t>(qh);
    for (int j = 0; j < qh; ++j)
        for (int i = 0; i < qw; ++i) {
            const size_t k = static_cast<size_t>(2 * j) * static_cast<size_t>(samples_) +
                             static_cast<size_t>(2 * i);
            const double db_vv = 10 * std::log10(std::max(quick_vv[k], 1e-6));
            const double db_vh = 10 * std::log10(std::max(quick_vh[k], 1e-6));
            const double v[3] = {(db_vv + 25.0) / 25.0, (db_vh + 30.0) / 25.0,
                                 (db_vv - db_vh) / 15.0};
            const size_t q =
                static_cast<size_t>(j) * static_cast<size_t>(qw) + static_cast<size_t>(i);
            for (int c = 0; c < 3; ++c)
                rgb[static_cast<size_t>(c) * plane + q] =
                    static_cast<std::uint8_t>(std::clamp(v[c] * 255.0, 0.0, 255.0));
        }
    make_dirs(root_ / "preview");
    RasterSpec ql;
    ql.width = qw;
    ql.height = qh;
    ql.bands = 3;
    ql.type = PixelType::u8;
    ql.data = rgb.data();
    write_raster(root_ / "preview/quick-look.png", "PNG", ql);
    files_.push_back({"preview/quick-look.png", "quicklook", "s1Level1QuickLookSchema",
                      "application/octet-stream"});
}

void S1Writer::ads_header(XmlWriter& w, const char* pol, int image) const {
    w.open("adsHeader");
    w.leaf("missionId", fmt::format("S1{}", a_.sat->unit));
    w.leaf("productType", "GRD");
    std::string p(pol);
    std::transform(p.begin(), p.end(), p.begin(), [](char c) {
        return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    });
    w.leaf("polarisation", p);
    w.leaf("mode", "IW");
    w.leaf("swath", "IW");
    w.leaf("startTime", iso_us(a_.start));
    w.leaf("stopTime", iso_us(a_.stop));
    w.leaf("absoluteOrbitNumber", std::to_string(a_.abs_orbit));
    w.leaf("missionDataTakeId", std::to_string(a_.datatake));
    w.leaf("imageNumber", fmt::format("{:03d}", image));
    w.close();
}

std::string S1Writer::annotation(const char* pol, int image) const {
    XmlWriter w;
    w.open("product");
    ads_header(w, pol, image);
    w.open("generalAnnotation");
    w.open("productInformation");
    w.leaf("pass", a_.ascending ? "Ascending" : "Descending");
    w.leaf("timelinessCategory", "Fast-24h");
    double heading = a_.heading > 180 ? a_.heading - 360 : a_.heading;
    w.leaf("platformHeading", fmt::format("{:.15e}", heading));
    w.leaf("projection", "Ground Range");
    w.leaf("rangeSamplingRate", "6.434523812571428e+07");
    w.leaf("radarFrequency", "5.405000454334350e+09");
    w.leaf("azimuthSteeringRate", "1.590368784000000e+00");
    w.close();
    w.close();
    w.open("imageAnnotation");
    w.open("imageInformation");
    w.leaf("productFirstLineUtcTime", iso_us(a_.start));
    w.leaf("productLastLineUtcTime", iso_us(a_.stop));
    w.leaf("ascendingNodeTime", iso_us(plus_seconds(a_.start, -anx_seconds())));
    w.leaf("anchorTime", iso_us(line_time(0.5)));
    w.leaf("productComposition", "Slice");
    w.leaf("sliceNumber", std::to_string(a_.slice));
    w.leaf("pixelValue", "Detected");
    w.leaf("outputPixels", "16 bit Unsigned Integer");
    w.leaf("rangePixelSpacing", fmt::format("{:.15e}", kSwathKm * 1000.0 / samples_));
    w.leaf("azimuthPixelSpacing", fmt::format("{:.15e}", kSliceKm * 1000.0 / lines_));
    w.leaf("azimuthTimeInterval",
           fmt::format("{:.15e}", static_cast<double>(a_.stop.us - a_.start.us) / 1e6 /
                                      std::max(1, lines_ - 1)));
    w.leaf("numberOfSamples", std::to_string(samples_));
    w.leaf("numberOfLines", std::to_string(lines_));
    w.leaf("incidenceAngleMidSwath", fmt::format("{:.15e}", incidence(0.5)));
    w.close();
    w.close();
    w.open("geolocationGrid");
    w.open("geolocationGridPointList", {{"count", std::to_string(gcps_.size())}});
    for (const auto& g : gcps_) {
        const double fx = g.pixel / std::max(1, samples_ - 1),
                     fy = g.line / std::max(1, lines_ - 1);
        w.open("geolocationGridPoint");
        w.leaf("azimuthTime", iso_us(line_time(fy)));
        w.leaf("slantRangeTime", fmt::format("{:.15e}", 5.35e-3 + 0.58e-3 * fx));
        w.leaf("line", num(g.line));
        w.leaf("pixel", num(g.pixel));
        w.leaf("latitude", fmt::format("{:.15e}", g.lat));
        w.leaf("longitude", fmt::format("{:.15e}", g.lon));
        w.leaf("height", fmt::format("{:.15e}", g.height));
        w.leaf("incidenceAngle", fmt::format("{:.15e}", incidence(fx)));
        w.leaf("elevationAngle", fmt::format("{:.15e}", incidence(fx) - 3.9 - 2.6 * fx));
        w.close();
    }
    w.close();
    w.close();
    w.close();
    return w.str();
}

std::string S1Writer::calibration(const char* pol, int image) const {
    XmlWriter w;
    w.open("calibration");
    ads_header(w, pol, image);
    w.open("calibrationInformation");
    w.leaf("absoluteCalibrationConstant", "1.000000e+00");
    w.close();
    const int np = std::min(kGridPixels, samples_);
    std::string pixels, sigma, beta, gamma, dn;
    for (int i = 0; i < np; ++i) {
        const double pixel = std::round(i * (samples_ - 1.0) / (np - 1)),
                     fx = pixel / (samples_ - 1.0);
        const double s = calibration_lut(fx);
        const char* sep = i ? " " : "";
        pixels += sep + num(pixel);
        sigma += sep + fmt::format("{:.6e}", s);
        beta += sep + fmt::format("{:.6e}", 237.1);
        gamma += sep + fmt::format("{:.6e}", s * std::sqrt(std::cos(incidence(fx) * kDeg)));
        dn += sep + fmt::format("{:.6e}", 237.1);
    }
    w.open("calibrationVectorList", {{"count", "3"}});
    for (double fy : {0.0, 0.5, 1.0}) {
        w.open("calibrationVector");
        w.leaf("azimuthTime", iso_us(line_time(fy)));
        w.leaf("line", std::to_string(static_cast<int>(std::lround(fy * (lines_ - 1)))));
        w.leaf("pixel", pixels, {{"count", std::to_string(np)}});
        w.leaf("sigmaNought", sigma, {{"count", std::to_string(np)}});
        w.leaf("betaNought", beta, {{"count", std::to_string(np)}});
        w.leaf("gamma", gamma, {{"count", std::to_string(np)}});
        w.leaf("dn", dn, {{"count", std::to_string(np)}});
        w.close();
    }
    w.close();
    w.close();
    return w.str();
}

std::string S1Writer::noise(const char* pol, int image) const {
    XmlWriter w;
    w.open("noise");
    ads_header(w, pol, image);
    const int np = std::min(kGridPixels, samples_);
    std::string pixels, lut;
    for (int i = 0; i < np; ++i) {
        const double pixel = std::round(i * (samples_ - 1.0) / (np - 1));
        pixels += (i ? " " : "") + num(pixel);
        lut += (i ? " " : "") + fmt::format("{:.6e}", (pol[1] == 'h' ? 60.0 : 150.0) *
                                                          (1.0 + 0.3 * std::cos(i * 0.9)));
    }
    w.open("noiseRangeVectorList", {{"count", "1"}});
    w.open("noiseRangeVector");
    w.leaf("azimuthTime", iso_us(a_.start));
    w.leaf("line", "0");
    w.leaf("pixel", pixels, {{"count", std::to_string(np)}});
    w.leaf("noiseRangeLut", lut, {{"count", std::to_string(np)}});
    w.close();
    w.close();
    w.open("noiseAzimuthVectorList", {{"count", "1"}});
    w.open("noiseAzimuthVector");
    w.leaf("swath", "IW1");
    w.leaf("firstAzimuthLine", "0");
    w.leaf("firstRangeSample", "0");
    w.leaf("lastAzimuthLine", std::to_string(lines_ - 1));
    w.leaf("lastRangeSample", std::to_string(samples_ - 1));
    w.leaf("line", "0", {{"count", "1"}});
    w.leaf("noiseAzimuthLut", "1.000000e+00", {{"count", "1"}});
    w.close();
    w.close();
    w.close();
    return w.str();
}

std::string S1Writer::kml() const {
    XmlWriter w;
    w.open("kml", {{"xmlns", "http://www.opengis.net/kml/2.2"},
                   {"xmlns:gx", "http://www.google.com/kml/ext/2.2"}});
    w.open("Document");
    w.leaf("name", "Sentinel-1 Map Overlay");
    w.open("Folder");
    w.leaf("name", "Sentinel-1 Scene Overlay");
    w.open("GroundOverlay");
    w.leaf("name", "Sentinel-1 Image Overlay");
    w.open("Icon");
    w.leaf("href", "quick-look.png");
    w.close();
    w.open("gx:LatLonQuad");
    std::string coords;
    for (const auto& c : footprint_)
        coords += fmt::format("{}{:.6f},{:.6f}", coords.empty() ? "" : " ", c.lon, c.lat);
    w.leaf("coordinates", coords);
    w.close();
    w.close();
    w.close();
    w.close();
    w.close();
    return w.str();
}

std::string S1Writer::manifest() const {
    XmlWriter w;
    w.open("xfdu:XFDU",
           {{"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
            {"xmlns:gml", "http://www.opengis.net/gml"},
            {"xmlns:xfdu", "urn:ccsds:schema:xfdu:1"},
            {"xmlns:safe", "http://www.esa.int/safe/sentinel-1.0"},
            {"xmlns:s1", "http://www.esa.int/safe/sentinel-1.0/sentinel-1"},
            {"xmlns:s1sar", "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar"},
            {"xmlns:s1sarl1", "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-1"},
            {"xmlns:s1sarl2", "http://www.esa.int/safe/sentinel-1.0/sentinel-1/sar/level-2"},
            {"xmlns:gx", "http://www.google.com/kml/ext/2.2"},
            {"version", "esa/safe/sentinel-1.0/sentinel-1/sar/level-1/grd/standard/iwdp"}});
    w.open("informationPackageMap");
    w.open("xfdu:contentUnit",
           {{"unitType", "SAFE Archive Information Package"},
            {"textInfo", "Sentinel-1 IW Level-1 GRD Product"},
            {"dmdID",
             "acquisitionPeriod platform generalProductInformation measurementOrbitReference "
             "measurementFrameSet"},
            {"pdiID", "processing"}});
    for (const auto& f : files_) {
        const bool measurement =
            f.rep == "s1Level1MeasurementSchema" || f.rep == "s1Level1QuickLookSchema";
        w.open("xfdu:contentUnit",
               {{"unitType", measurement ? "Measurement Data Unit" : "Metadata Unit"},
                {"repID", f.rep}});
        w.empty("dataObjectPointer", {{"dataObjectID", f.id}});
        w.close();
    }
    w.close();
    w.close();

    w.open("metadataSection");
    for (const auto& f : files_) {
        if (f.mime != "text/xml") continue;
        w.open(
            "metadataObject",
            {{"ID", f.id + "Annotation"}, {"classification", "DESCRIPTION"}, {"category", "DMD"}});
        w.empty("dataObjectPointer", {{"dataObjectID", f.id}});
        w.close();
    }
    auto wrapped = [&](const char* id, const char* classification, const char* category,
                       const char* text) {
        w.open("metadataObject",
               {{"ID", id}, {"classification", classification}, {"category", category}});
        w.open("metadataWrap",
               {{"mimeType", "text/xml"}, {"vocabularyName", "SAFE"}, {"textInfo", text}});
        w.open("xmlData");
    };
    auto unwrap = [&] {
        w.close();
        w.close();
        w.close();
    };
    wrapped("processing", "PROVENANCE", "PDI", "Processing");
    w.open("safe:processing", {{"name", "GRD Post Processing"},
                               {"start", iso_us(a_.processing_start)},
                               {"stop", iso_us(a_.processing_stop)}});
    w.open("safe:facility", {{"country", "Germany"},
                             {"name", "Copernicus S1 Core Ground Segment - DPA"},
                             {"organisation", "ESA"},
                             {"site", "DLR-Oberpfaffenhofen"}});
    w.empty("safe:software", {{"name", "Sentinel-1 IPF"}, {"version", kIpf}});
    w.close();
    w.close();
    unwrap();

    wrapped("platform", "DESCRIPTION", "DMD", "Platform Description");
    w.open("safe:platform");
    w.leaf("safe:nssdcIdentifier", a_.sat->nssdc);
    w.leaf("safe:familyName", "SENTINEL-1");
    w.leaf("safe:number", std::string(1, a_.sat->unit));
    w.open("safe:instrument");
    w.leaf("safe:familyName", "Synthetic Aperture Radar", {{"abbreviation", "SAR"}});
    w.open("safe:extension");
    w.open("s1sarl1:instrumentMode");
    w.leaf("s1sarl1:mode", "IW");
    w.leaf("s1sarl1:swath", "IW");
    w.close();
    w.close();
    w.close();
    w.close();
    unwrap();

    wrapped("measurementOrbitReference", "DESCRIPTION", "DMD", "Orbit Reference");
    w.open("safe:orbitReference");
    w.leaf("safe:orbitNumber", std::to_string(a_.abs_orbit), {{"type", "start"}});
    w.leaf("safe:orbitNumber", std::to_string(a_.abs_orbit), {{"type", "stop"}});
    w.leaf("safe:relativeOrbitNumber", std::to_string(a_.rel_orbit), {{"type", "start"}});
    w.leaf("safe:relativeOrbitNumber", std::to_string(a_.rel_orbit), {{"type", "stop"}});
    w.leaf("safe:cycleNumber", std::to_string((a_.abs_orbit + 2560) / 175));
    w.leaf("safe:phaseIdentifier", "1");
    w.open("safe:extension");
    w.open("s1:orbitProperties");
    w.leaf("s1:pass", pass());
    w.leaf("s1:ascendingNodeTime", iso_us(plus_seconds(a_.start, -anx_seconds())));
    w.close();
    w.close();
    w.close();
    unwrap();

    wrapped("generalProductInformation", "DESCRIPTION", "DMD", "General Product Information");
    w.open("s1sarl1:standAloneProductInformation");
    w.leaf("s1sarl1:instrumentConfigurationID", "7");
    w.leaf("s1sarl1:missionDataTakeID", std::to_string(a_.datatake));
    w.leaf("s1sarl1:transmitterReceiverPolarisation", "VV");
    w.leaf("s1sarl1:transmitterReceiverPolarisation", "VH");
    w.leaf("s1sarl1:productClass", "S");
    w.leaf("s1sarl1:productClassDescription", "SAR Standard L1 Product");
    w.leaf("s1sarl1:productComposition", "Slice");
    w.leaf("s1sarl1:productType", "GRD");
    w.leaf("s1sarl1:productTimelinessCategory", "Fast-24h");
    w.leaf("s1sarl1:sliceProductFlag", "true");
    w.leaf("s1sarl1:segmentStartTime", iso_us(plus_seconds(a_.start, -25.0 * (a_.slice - 1))));
    w.leaf("s1sarl1:sliceNumber", std::to_string(a_.slice));
    w.leaf("s1sarl1:totalSlices", std::to_string(a_.total_slices));
    w.close();
    unwrap();

    wrapped("acquisitionPeriod", "DESCRIPTION", "DMD", "Acquisition Period");
    w.open("safe:acquisitionPeriod");
    w.leaf("safe:startTime", iso_us(a_.start));
    w.leaf("safe:stopTime", iso_us(a_.stop));
    w.open("safe:extension");
    w.open("s1:timeANX");
    const double anx_ms = anx_seconds() * 1000.0;
    w.leaf("s1:startTimeANX", fmt::format("{:.6e}", anx_ms));
    w.leaf("s1:stopTimeANX",
           fmt::format("{:.6e}", anx_ms + static_cast<double>(a_.stop.us - a_.start.us) / 1000.0));
    w.close();
    w.close();
    w.close();
    unwrap();

    wrapped("measurementFrameSet", "DESCRIPTION", "DMD", "Frame Set");
    w.open("safe:frameSet");
    w.open("safe:frame");
    w.open("safe:footPrint", {{"srsName", "http://www.opengis.net/gml/srs/epsg.xml#4326"}});
    std::string coords;
    for (const auto& c : footprint_)
        coords += fmt::format("{}{:.6f},{:.6f}", coords.empty() ? "" : " ", c.lat, c.lon);
    w.leaf("gml:coordinates", coords);
    w.close();
    w.close();
    w.close();
    unwrap();

    static const std::pair<const char*, const char*> kSchemas[] = {
        {"s1Level1ProductSchema", "s1-level-1-product.xsd"},
        {"s1Level1NoiseSchema", "s1-level-1-noise.xsd"},
        {"s1Level1CalibrationSchema", "s1-level-1-calibration.xsd"},
        {"s1ObjectTypesSchema", "s1-object-types.xsd"},
        {"s1Level1MeasurementSchema", "s1-level-1-measurement.xsd"},
        {"s1Level1QuickLookSchema", "s1-level-1-quicklook.xsd"},
        {"s1Level1MapOverlaySchema", "s1-map-overlay.xsd"}};
    for (const auto& [schema, xsd] : kSchemas) {
        w.open("metadataObject",
               {{"ID", schema}, {"classification", "SYNTAX"}, {"category", "REP"}});
        w.empty("metadataReference", {{"mimeType", "text/xml"},
                                      {"vocabularyName", "XML Schema"},
                                      {"locatorType", "URL"},
                                      {"href", fmt::format("./support/{}", xsd)}});
        w.close();
    }
    w.close();

    w.open("dataObjectSection");
    for (const auto& f : files_) {
        const std::string content = read_file(root_ / f.path);
        w.open("dataObject", {{"ID", f.id}, {"repID", f.rep}});
        w.open("byteStream", {{"mimeType", f.mime}, {"size", std::to_string(content.size())}});
        w.empty("fileLocation", {{"locatorType", "URL"}, {"href", "./" + f.path}});
        w.leaf("checksum", md5_hex(content), {{"checksumName", "MD5"}});
        w.close();
        w.close();
    }
    w.close();
    w.close();
    return w.str();
}

void S1Writer::write() {
    make_dirs(root_ / "annotation" / "calibration");
    gcps();
    // Annotation, calibration and noise for both polarisations, VH first as in the real
    // manifests (image numbers: VV 001, VH 002).
    for (const auto& [pol, image] : {std::pair{"vh", 2}, std::pair{"vv", 1}}) {
        const std::string stem = file_stem(pol, image);
        const std::string id_tail = object_id(pol, image);
        const std::string ann = "annotation/" + stem + ".xml";
        write_file(root_ / ann, annotation(pol, image));
        files_.push_back({ann, "product" + id_tail, "s1Level1ProductSchema", "text/xml"});
        const std::string noi = "annotation/calibration/noise-" + stem + ".xml";
        write_file(root_ / noi, noise(pol, image));
        files_.push_back({noi, "noise" + id_tail, "s1Level1NoiseSchema", "text/xml"});
        const std::string cal = "annotation/calibration/calibration-" + stem + ".xml";
        write_file(root_ / cal, calibration(pol, image));
        files_.push_back({cal, "calibration" + id_tail, "s1Level1CalibrationSchema", "text/xml"});
    }
    measurements();
    write_file(root_ / "preview/map-overlay.kml", kml());
    files_.push_back(
        {"preview/map-overlay.kml", "mapoverlay", "s1Level1MapOverlaySchema", "text/xml"});
    write_file(root_ / "manifest.safe", manifest());
}

}  // namespace

std::string s1_product_name(const S1Acquisition& a) {
    return fmt::format("S1{}_IW_GRDH_1SDV_{}_{}_{:06d}_{:06X}_{:04X}.SAFE", a.sat->unit,
                       compact(a.start), compact(a.stop), a.abs_orbit, a.datatake, a.crc & 0xFFFF);
}

void write_sentinel1(const fs::path& safe_dir, const S1Acquisition& a, int raster_size) {
    S1Writer(safe_dir, a, raster_size).write();
}

}  // namespace creodias::detail::gen
