// Band sources of catalogue products: which files hold which band, and the conversion of
// each mission's digital numbers to physical values.
#include <creodias/access.hpp>
#include <creodias/error.hpp>
#include <creodias/render.hpp>

#include "core/strings.hpp"
#include "tiles/gdal_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <cpl_vsi.h>

#include <cmath>
#include <regex>

namespace creodias {
namespace {

constexpr const char* kOrigin = "render";

// "B04" and "B4" name the same band; "B8A" stays.
std::string band_key(std::string_view b) {
    std::string u = detail::to_upper(b);
    if (u.size() == 3 && u[0] == 'B' && u[1] == '0') u.erase(1, 1);
    return u;
}

std::string canonical_band(std::string_view b) {
    std::string u = detail::to_upper(b);
    if (u.size() == 2 && u[0] == 'B' && std::isdigit(static_cast<unsigned char>(u[1]))) u.insert(1, "0");
    return u;
}

bool is_raster_file(std::string_view path) {
    std::string l = detail::to_lower(path);
    return detail::ends_with(l, ".jp2") || detail::ends_with(l, ".tif") || detail::ends_with(l, ".tiff");
}

double s2_nominal_resolution(const std::string& band) {
    if (band == "B02" || band == "B03" || band == "B04" || band == "B08") return 10;
    if (band == "B01" || band == "B09" || band == "B10") return 60;
    return 20;
}

std::optional<double> json_offset(const nlohmann::json& extra, const char* key, const std::string& band) {
    auto it = extra.find(key);
    if (it == extra.end() || !it->is_object()) return std::nullopt;
    for (const auto& [k, v] : it->items())
        if (band_key(k) == band_key(band) && v.is_number()) return v.get<double>();
    return std::nullopt;
}

std::string read_small_file(const std::string& gdal_path, std::size_t max = 8 << 20) {
    VSILFILE* f = VSIFOpenL(gdal_path.c_str(), "rb");
    if (!f) return {};
    std::string s;
    char buf[65536];
    for (;;) {
        std::size_t n = VSIFReadL(buf, 1, sizeof buf, f);
        s.append(buf, n);
        if (n < sizeof buf || s.size() > max) break;
    }
    VSIFCloseL(f);
    return s;
}

// Mean of the sigmaNought calibration vectors of a Sentinel-1 calibration annotation.
std::optional<double> s1_sigma_constant(const std::string& xml_path) {
    std::string text = read_small_file(xml_path);
    if (text.empty()) return std::nullopt;
    pugi::xml_document doc;
    if (!doc.load_buffer(text.data(), text.size())) return std::nullopt;
    double sum = 0;
    std::size_t n = 0;
    for (auto v : doc.select_nodes("//calibrationVector/sigmaNought")) {
        for (const auto& tok : detail::split_ws(v.node().child_value())) {
            if (auto d = detail::parse_double(tok); d && *d > 0) {
                sum += *d;
                ++n;
            }
        }
    }
    if (!n) return std::nullopt;
    return sum / static_cast<double>(n);
}

std::string s1_polarisation(std::string_view path) {
    std::string name = detail::to_lower(path.substr(path.rfind('/') == std::string_view::npos ? 0 : path.rfind('/') + 1));
    for (const char* p : {"vv", "vh", "hh", "hv"}) {
        const std::string tok(p);
        if (name.find("-" + tok + "-") != std::string::npos || name.find("-" + tok + ".") != std::string::npos ||
            name.find("_" + tok + ".") != std::string::npos || name.rfind(tok + ".", 0) == 0)
            return detail::to_upper(tok);
    }
    return {};
}

// Nominal resolutions come from file names and mission rules; a product whose pixels are
// not that size (a resampled or synthetic copy) gets every variant scaled by the ratio
// measured on one band, so the choice among variants still follows the real pixel sizes.
void calibrate_resolutions(SourceSet& s) {
    const BandSource* probe = nullptr;
    for (const auto& b : s.bands)
        if (b.resolution > 0 && (!probe || b.resolution < probe->resolution)) probe = &b;
    if (!probe) return;
    detail::GdalErrorCapture capture;
    detail::DatasetPtr ds(GDALOpenEx(probe->path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
    if (!ds) return;  // reported when the band is read
    double gt[6];
    const char* wkt = GDALGetProjectionRef(ds.get());
    if (GDALGetGeoTransform(ds.get(), gt) != CE_None || !wkt || !*wkt || detail::crs_is_geographic(wkt)) return;
    const double actual = std::fabs(gt[1]);
    const double scale = actual / probe->resolution;
    if (!(scale > 0) || std::fabs(scale - 1) < 0.05) return;
    for (auto& b : s.bands) b.resolution *= scale;
}

}  // namespace

SourceSet product_sources(const Product& product, const ProductAccess& access) {
    SourceSet s;
    s.name = product.name;
    s.collection = canonical_collection(product.collection);
    s.time = product.sensing_start;
    s.cloud_cover = product.cloud_cover;
    nlohmann::json extra = nlohmann::json::object();
    if (!product.extra_json.empty()) {
        try {
            extra = nlohmann::json::parse(product.extra_json);
        } catch (const std::exception&) {
        }
    }
    const auto files = access.files(product);
    const auto location = access.locate(product);
    const bool s2 = s.collection == "SENTINEL-2";
    const bool s1 = s.collection == "SENTINEL-1";
    const bool landsat = detail::starts_with(s.collection, "LANDSAT");
    const bool l2a = s2 && (product.processing_level == "LEVEL2A" || product.product_type.find("2A") != std::string::npos);
    double quant = 10000;
    if (auto it = extra.find("s2:quantification_value"); it != extra.end() && it->is_number() && it->get<double>() > 0)
        quant = it->get<double>();

    // Sentinel-1 calibration constants per polarisation.
    std::map<std::string, double> sigma;
    if (s1)
        for (const auto& f : files) {
            std::string l = detail::to_lower(f.path);
            if (l.find("calibration/calibration-") != std::string::npos && detail::ends_with(l, ".xml")) {
                const std::string pol = s1_polarisation(l.substr(0, l.size() - 4) + ".");
                if (pol.empty() || sigma.count(pol)) continue;
                if (auto k = s1_sigma_constant(location.fs->gdal_path(f.source))) sigma[pol] = *k;
            }
        }

    for (const auto& f : files) {
        if (!is_raster_file(f.path)) continue;
        const std::string lower = detail::to_lower(f.path);
        std::string band = f.band;
        if (s1 && band.empty()) band = s1_polarisation(f.path);
        if (band.empty()) continue;
        band = canonical_band(band);
        BandSource b;
        b.band = band;
        b.path = location.fs->gdal_path(f.source);
        if (s2) {
            if (band == "TCI" || lower.find("/qi_data/") != std::string::npos || lower.find("pvi") != std::string::npos)
                continue;
            b.nodata = 0;
            static const std::regex res_re("_(10|20|60)m\\.(jp2|tif)$");
            std::smatch m;
            b.resolution = std::regex_search(lower, m, res_re) ? std::stod(m[1]) : s2_nominal_resolution(band);
            if (band == "SCL") {
                b.categorical = true;
            } else if (band == "AOT" || band == "WVP") {
                b.scale = band == "AOT" ? 1e-3 : 1e-3;
            } else {
                const double off = (l2a ? json_offset(extra, "s2:boa_add_offset", band)
                                        : json_offset(extra, "s2:radio_add_offset", band))
                                       .value_or(0.0);
                b.scale = 1.0 / quant;
                b.offset = off / quant;
            }
        } else if (landsat) {
            b.nodata = 0;
            b.resolution = 30;
            if (detail::starts_with(band, "SR_B")) {
                b.scale = 2.75e-5;
                b.offset = -0.2;
            } else if (detail::starts_with(band, "ST_B")) {
                b.scale = 0.00341802;
                b.offset = 149.0;
            } else if (detail::starts_with(band, "QA_")) {
                b.categorical = true;
                b.nodata = 1;  // QA_PIXEL bit 0: fill
            }
        } else if (s1) {
            if (lower.find("measurement/") == std::string::npos && lower.find("measurement") == std::string::npos) continue;
            b.nodata = 0;
            b.power = 2;
            auto it = sigma.find(band);
            // Without a calibration annotation: a typical IW/EW GRD constant (values there are
            // about 400..700), so that dB styles land in their usual ranges.
            const double k = it != sigma.end() ? it->second : 500.0;
            b.scale = 1.0 / (k * k);
        }
        s.bands.push_back(std::move(b));
    }
    if (s.bands.empty())
        throw NotFoundError(kOrigin, fmt::format("product {} has no raster band to render", product.name));
    calibrate_resolutions(s);
    return s;
}

SourceSet file_sources(const std::vector<std::string>& specs, std::string name) {
    detail::ensure_gdal();
    SourceSet s;
    s.name = std::move(name);
    for (const auto& spec : specs) {
        auto eq = spec.find('=');
        std::string path = eq == std::string::npos ? spec : spec.substr(eq + 1);
        int index = 1;
        if (auto hash = path.rfind('#'); hash != std::string::npos) {
            auto n = detail::parse_int(std::string_view(path).substr(hash + 1));
            if (!n || *n < 1) throw InvalidArgument(kOrigin, fmt::format("bad band index in '{}'", spec));
            index = static_cast<int>(*n);
            path.resize(hash);
        }
        if (path.empty()) throw InvalidArgument(kOrigin, fmt::format("no path in '{}'", spec));
        if (eq != std::string::npos) {
            std::string band = canonical_band(detail::trim(std::string_view(spec).substr(0, eq)));
            if (band.empty()) throw InvalidArgument(kOrigin, fmt::format("no band name in '{}'", spec));
            BandSource b;
            b.band = band;
            b.path = path;
            b.index = index;
            s.bands.push_back(std::move(b));
            continue;
        }
        detail::GdalErrorCapture capture;
        detail::DatasetPtr ds(GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
        if (!ds) throw capture.error(fmt::format("cannot open {}", path));
        const int n = GDALGetRasterCount(ds.get());
        for (int i = 1; i <= n; ++i) {
            BandSource b;
            b.band = fmt::format("B{}", i);
            b.path = path;
            b.index = i;
            s.bands.push_back(std::move(b));
        }
    }
    if (s.bands.empty()) throw InvalidArgument(kOrigin, "no band sources");
    return s;
}

}  // namespace creodias
