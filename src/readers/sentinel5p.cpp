// Sentinel-5P TROPOMI products: netCDF-4 files read through GDAL, and the JSON dumps of their
// attributes (same tree: global attributes at the top, METADATA/... groups below).
//
// GDAL is opened in multidimensional mode: some S5P files (e.g. L2__O3____ with the PRODUCT
// arrays stripped) have no 2-D variable and are refused by the classic raster mode, while the
// multidimensional API exposes every group attribute of every file. The classic mode (global
// attributes as NC_GLOBAL#name metadata items) is the fallback for GDAL builds without
// multidimensional netCDF support.
//
// Field mapping (documented conventions of this reader):
//  - name          global attribute `id` (the file name without ".nc"); else the file name.
//                  id = product_name_key(name).
//  - collection "SENTINEL-5P"; platform "SENTINEL-5P"; instrument "TROPOMI" (global `sensor`).
//  - product_type  the 10 characters after the file class in the name ("L2__NO2___",
//                  "L1B_RA_BD1"), else METADATA/GRANULE_DESCRIPTION/ProductShortName.
//  - processing_level  "LEVEL1B" for L1B, "LEVEL2" for L2 products (GRANULE_DESCRIPTION
//                  ProcessLevel or the type prefix).
//  - sensing_start/end  time_coverage_start / time_coverage_end (the data actually in the file;
//                  the times in the name are the orbit segment requested from the processor).
//  - orbit_number  global `orbit`.
//  - processing_baseline  global `processor_version` ("1.3.2", "01.01.07"); the name's
//                  collection and version fields are kept in extra_json.
//  - footprint     METADATA/EOP_METADATA/om:featureOfInterest/.../gml:posList (the swath outline,
//                  "lat lon" pairs); else the geospatial_lat/lon_min/max box when it is a real
//                  box; else the whole globe (a full-orbit product may cover it).
//  - published     none (date_created is the processing time: extra_json processing:datetime).

#include "readers/readers_internal.hpp"

#include "core/strings.hpp"
#include "readers/source.hpp"

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <cpl_error.h>
#include <fmt/format.h>
#include <gdal_priv.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <map>
#include <mutex>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias::detail {
namespace {

constexpr const char* kOrigin = "sentinel5p";
constexpr const char* kFootprintPath =
    "METADATA/EOP_METADATA/om:featureOfInterest/eop:multiExtentOf/gml:surfaceMembers/gml:exterior/"
    "gml:posList";

[[noreturn]] void fail(std::string_view file, const std::string& why) {
    throw InvalidArgument(kOrigin, fmt::format("{}: {}", file, why));
}

// The attributes this reader uses, keyed by their path ("time_coverage_start",
// "METADATA/GRANULE_DESCRIPTION/ProductShortName").
using Attributes = std::map<std::string, std::string, std::less<>>;

const std::string* get(const Attributes& a, std::string_view key) {
    auto it = a.find(key);
    return it == a.end() || it->second.empty() ? nullptr : &it->second;
}

// ---- GDAL ------------------------------------------------------------------------------------

// Silences GDAL for the current thread (its handler stack is thread-local) and remembers the
// last error message, so failures become exceptions with GDAL's explanation.
class ScopedGdalErrors {
public:
    ScopedGdalErrors() { CPLPushErrorHandlerEx(&ScopedGdalErrors::handler, this); }
    ~ScopedGdalErrors() { CPLPopErrorHandler(); }
    ScopedGdalErrors(const ScopedGdalErrors&) = delete;
    ScopedGdalErrors& operator=(const ScopedGdalErrors&) = delete;
    const std::string& last() const { return last_; }

private:
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum, const char* msg) {
        auto* self = static_cast<ScopedGdalErrors*>(CPLGetErrorHandlerUserData());
        if (self && cls >= CE_Failure && msg) self->last_ = msg;
    }
    std::string last_;
};

struct DatasetCloser {
    void operator()(GDALDataset* ds) const {
        if (ds) GDALClose(GDALDataset::ToHandle(ds));
    }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

void register_gdal() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

std::string attribute_text(const GDALAttribute& a) {
    const auto& type = a.GetDataType();
    if (type.GetClass() == GEDTC_STRING) {
        const char* s = a.ReadAsString();
        return s ? std::string(trim(s)) : std::string();
    }
    if (type.GetClass() == GEDTC_NUMERIC && a.GetTotalElementsCount() == 1) {
        double d = a.ReadAsDouble();
        if (!std::isfinite(d)) return {};
        if (d == std::floor(d) && std::fabs(d) < 1e15)
            return fmt::format("{}", static_cast<long long>(d));
        return fmt::format("{}", d);
    }
    return {};
}

void read_group_attributes(const std::shared_ptr<GDALGroup>& group, const std::string& prefix,
                           Attributes& out) {
    if (!group) return;
    for (const auto& a : group->GetAttributes()) {
        if (!a) continue;
        std::string v = attribute_text(*a);
        if (!v.empty()) out[prefix + a->GetName()] = std::move(v);
    }
}

Attributes read_netcdf_attributes(const fs::path& file) {
    register_gdal();
    ScopedGdalErrors errors;
    Attributes attrs;
    const std::string name = file.string();
    DatasetPtr ds(GDALDataset::Open(
        name.c_str(), GDAL_OF_MULTIDIM_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
        nullptr, nullptr));
    if (ds) {
        auto root = ds->GetRootGroup();
        if (!root) fail(name, "GDAL opened the file but exposes no root group");
        read_group_attributes(root, "", attrs);
        read_group_attributes(root->OpenGroupFromFullname("/METADATA/GRANULE_DESCRIPTION"),
                              "METADATA/GRANULE_DESCRIPTION/", attrs);
        auto exterior = root->OpenGroupFromFullname(
            "/METADATA/EOP_METADATA/om:featureOfInterest/eop:multiExtentOf/gml:surfaceMembers/"
            "gml:exterior");
        if (exterior) {
            if (auto pos = exterior->GetAttribute("gml:posList")) {
                std::string v = attribute_text(*pos);
                if (!v.empty()) attrs[kFootprintPath] = std::move(v);
            }
        }
        return attrs;
    }
    // Classic raster mode: global attributes only, as NC_GLOBAL#name items.
    std::string first_error = errors.last();
    ds.reset(GDALDataset::Open(name.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr,
                               nullptr));
    if (!ds) {
        std::string why = !first_error.empty() ? first_error : errors.last();
        fail(name, fmt::format("GDAL cannot open the file as netCDF: {}",
                               why.empty() ? "unknown error" : why));
    }
    if (char** md = ds->GetMetadata()) {
        for (char** it = md; *it; ++it) {
            std::string_view item(*it);
            if (!starts_with(item, "NC_GLOBAL#")) continue;
            auto eq = item.find('=');
            if (eq == std::string_view::npos) continue;
            attrs[std::string(item.substr(10, eq - 10))] = std::string(trim(item.substr(eq + 1)));
        }
    }
    return attrs;
}

// ---- JSON dump -------------------------------------------------------------------------------

std::string json_text(const nlohmann::json& v) {
    if (v.is_string()) return std::string(trim(v.get_ref<const std::string&>()));
    if (v.is_number() || v.is_boolean()) return v.dump();
    return {};
}

Attributes read_json_attributes(std::string_view text, std::string_view file) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text.begin(), text.end());
    } catch (const nlohmann::json::exception& e) {
        fail(file, fmt::format("malformed JSON: {}", e.what()));
    }
    if (!doc.is_object()) fail(file, "expected a JSON object of netCDF attributes");
    Attributes attrs;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
        std::string v = json_text(it.value());
        if (!v.empty()) attrs[it.key()] = std::move(v);
    }
    const nlohmann::json* gd = nullptr;
    if (auto md = doc.find("METADATA"); md != doc.end() && md->is_object())
        if (auto g = md->find("GRANULE_DESCRIPTION"); g != md->end() && g->is_object()) gd = &*g;
    if (gd)
        for (auto it = gd->begin(); it != gd->end(); ++it) {
            std::string v = json_text(it.value());
            if (!v.empty()) attrs["METADATA/GRANULE_DESCRIPTION/" + it.key()] = std::move(v);
        }
    // Follow the footprint path through nested objects.
    const nlohmann::json* cur = &doc;
    for (const auto& piece : split(kFootprintPath, '/')) {
        if (!cur->is_object()) {
            cur = nullptr;
            break;
        }
        auto f = cur->find(piece);
        if (f == cur->end()) {
            cur = nullptr;
            break;
        }
        cur = &*f;
    }
    if (cur && cur->is_string()) attrs[kFootprintPath] = cur->get<std::string>();
    return attrs;
}

// ---- Product ---------------------------------------------------------------------------------

// S5P_<class:4>_<type:10>_<start:15>_<stop:15>_<orbit:5>_<collection:2>_<processor:6>_
//     <production:15>
struct NameFields {
    std::string file_class, type, collection, processor;
    bool ok = false;
};

NameFields parse_name(std::string_view name) {
    NameFields f;
    if (name.size() < 83 || !starts_with(name, "S5P_") || name[8] != '_' || name[19] != '_')
        return f;
    f.file_class = std::string(name.substr(4, 4));
    f.type = std::string(name.substr(9, 10));
    auto parts = split(name.substr(20), '_', true);
    // start, stop, orbit, collection, processor, production
    if (parts.size() >= 6) {
        f.collection = parts[3];
        f.processor = parts[4];
    }
    f.ok = true;
    return f;
}

Geometry footprint_from_poslist(std::string_view text) {
    auto tokens = split_ws(text);
    if (tokens.size() < 8 || tokens.size() % 2 != 0)
        throw InvalidArgument(kOrigin, "bad gml:posList");
    Geometry::Ring ring;
    ring.reserve(tokens.size() / 2 + 1);
    for (size_t i = 0; i + 1 < tokens.size(); i += 2) {
        auto lat = parse_double(tokens[i]);
        auto lon = parse_double(tokens[i + 1]);
        if (!lat || !lon || !std::isfinite(*lat) || !std::isfinite(*lon) || std::fabs(*lat) > 90 ||
            std::fabs(*lon) > 180)
            throw InvalidArgument(kOrigin, "bad coordinate in gml:posList");
        ring.push_back({*lon, *lat});
    }
    if (!(ring.front() == ring.back())) ring.push_back(ring.front());

    // A full-orbit S5P swath runs from pole to pole and covers both polar caps. Its outline,
    // with longitudes made continuous, then encloses in the plane the *rest* of the world (a
    // band some 330 degrees wide), and only the orientation tells which side is meant: GML
    // exterior rings are counter-clockwise, and these outlines come clockwise. So a clockwise
    // ring spanning more than 180 degrees of longitude stands for its complement, built as a
    // 360-degree-wide world rectangle with the outline as a hole (normalize_footprint then
    // folds it into [-180, 180]). Small granules (NRTI, 5 minutes) come counter-clockwise and
    // are taken as they are.
    Geometry::Ring u = ring;
    double shift = 0, area2 = 0;
    for (size_t k = 1; k < u.size(); ++k) {
        double d = ring[k].lon - ring[k - 1].lon;
        if (d > 180)
            shift -= 360;
        else if (d < -180)
            shift += 360;
        u[k].lon = ring[k].lon + shift;
    }
    double west = u[0].lon, east = u[0].lon;
    for (size_t k = 0; k + 1 < u.size(); ++k) {
        area2 += u[k].lon * u[k + 1].lat - u[k + 1].lon * u[k].lat;
        west = std::min(west, u[k].lon);
        east = std::max(east, u[k].lon);
    }
    const bool closed_in_plane = std::fabs(u.back().lon - u.front().lon) < 1e-9;
    if (closed_in_plane && area2 < 0 && east - west > 180) {
        double lat_min = 90, lat_max = -90;
        for (const auto& p : u)
            lat_min = std::min(lat_min, p.lat), lat_max = std::max(lat_max, p.lat);
        double margin = (360 - (east - west)) / 2;
        if (margin <= 0 || lat_min <= -90 || lat_max >= 90)
            return Geometry::from_bbox(
                BBox{-180, -90, 180, 90});  // cannot be told apart: the globe
        double left = west - margin, right = left + 360;
        Geometry::Ring shell = {{left, -90}, {right, -90}, {right, 90}, {left, 90}, {left, -90}};
        return normalize_footprint(
            Geometry(GeometryType::polygon, {{std::move(shell), std::move(u)}}));
    }
    return normalize_footprint(Geometry(GeometryType::polygon, {{std::move(ring)}}));
}

Timestamp attr_time(const Attributes& a, std::string_view key, std::string_view file) {
    const std::string* v = get(a, key);
    if (!v) fail(file, fmt::format("missing attribute {}", key));
    try {
        return parse_datetime(*v);
    } catch (const InvalidArgument& e) {
        fail(file, fmt::format("attribute {}: {}", key, e.what()));
    }
}

Product build_product(const Attributes& a, std::string_view file,
                      const std::string& fallback_name) {
    Product p;
    const std::string* id = get(a, "id");
    p.name = id ? *id : fallback_name;
    if (p.name.empty()) fail(file, "no product id");
    p.id = product_name_key(p.name);
    p.collection = "SENTINEL-5P";
    p.platform = "SENTINEL-5P";
    const std::string* sensor = get(a, "sensor");
    p.instrument = sensor ? to_upper(*sensor) : "TROPOMI";

    NameFields nf = parse_name(p.name);
    if (nf.ok)
        p.product_type = nf.type;
    else if (const std::string* t = get(a, "METADATA/GRANULE_DESCRIPTION/ProductShortName"))
        p.product_type = *t;
    if (p.product_type.empty())
        fail(file, "cannot tell the product type (no S5P name, no ProductShortName)");

    const std::string* level = get(a, "METADATA/GRANULE_DESCRIPTION/ProcessLevel");
    if (starts_with(p.product_type, "L1B"))
        p.processing_level = "LEVEL1B";
    else if (starts_with(p.product_type, "L2"))
        p.processing_level = "LEVEL2";
    else if (level)
        p.processing_level = "LEVEL" + to_upper(*level);

    p.sensing_start = attr_time(a, "time_coverage_start", file);
    p.sensing_end =
        get(a, "time_coverage_end") ? attr_time(a, "time_coverage_end", file) : p.sensing_start;
    if (p.sensing_end < p.sensing_start)
        fail(file, "time_coverage_end is before time_coverage_start");

    if (const std::string* o = get(a, "orbit")) {
        auto v = parse_int(*o);
        if (!v) fail(file, fmt::format("attribute orbit is not an integer: '{}'", *o));
        if (*v > 0) p.orbit_number = *v;
    }
    if (const std::string* v = get(a, "processor_version")) p.processing_baseline = *v;

    // Footprint: swath outline, then the geospatial box, then the globe.
    bool have_footprint = false;
    if (const std::string* pos = get(a, kFootprintPath)) {
        try {
            p.footprint = footprint_from_poslist(*pos);
            have_footprint = !p.footprint.empty();
        } catch (const InvalidArgument&) {
            // Fall through to the coarser sources below.
        }
    }
    if (!have_footprint) {
        auto num = [&](const char* k) {
            return get(a, k) ? parse_double(*get(a, k)) : std::nullopt;
        };
        auto s = num("geospatial_lat_min"), n = num("geospatial_lat_max");
        auto w = num("geospatial_lon_min"), e = num("geospatial_lon_max");
        // ACDD writes lon_min > lon_max for a box crossing the antimeridian; but a value pair
        // such as (179.99998, -179.99994) comes from a swath that spans every longitude, so
        // only boxes with a plain west < east are trusted.
        if (s && n && w && e && *s >= -90 && *n <= 90 && *s < *n && *w >= -180 && *e <= 180 &&
            *w < *e) {
            try {
                p.footprint = normalize_footprint(Geometry::from_bbox(BBox{*w, *s, *e, *n}));
                have_footprint = true;
            } catch (const InvalidArgument&) {}
        }
    }
    if (!have_footprint) p.footprint = Geometry::from_bbox(BBox{-180, -90, 180, 90});

    nlohmann::json extra = nlohmann::json::object();
    if (nf.ok) {
        extra["s5p:file_class"] = nf.file_class;
        if (!nf.collection.empty()) extra["s5p:collection"] = nf.collection;
    }
    auto put = [&](const char* key, const char* as) {
        if (const std::string* v = get(a, key)) extra[as] = *v;
    };
    put("product_version", "s5p:product_version");
    put("processing_status", "s5p:processing_status");
    put("METADATA/GRANULE_DESCRIPTION/ProcessingMode", "s5p:processing_mode");
    put("METADATA/GRANULE_DESCRIPTION/ProcessingCenter", "processing:facility");
    put("institution", "s5p:institution");
    put("spatial_resolution", "s5p:spatial_resolution");
    if (const std::string* created = get(a, "date_created")) {
        try {
            extra["processing:datetime"] = format_datetime(parse_datetime(*created));
        } catch (const InvalidArgument&) {
            extra["processing:datetime"] = *created;
        }
    }
    // Header bytes need not be valid UTF-8: replace bad sequences rather than throw.
    if (!extra.empty())
        p.extra_json = extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return p;
}

}  // namespace

Product read_sentinel5p(const fs::path& path, const ReadOptions& opt) {
    std::error_code ec;
    fs::path file = path;
    if (fs::is_directory(path, ec)) {
        // /eodata keeps each S5P product in a directory of the same name holding the .nc.
        std::string dir_name = path.filename().string();
        if (dir_name.empty()) dir_name = path.parent_path().filename().string();
        file = path / (dir_name + ".nc");
        if (!fs::is_regular_file(file, ec))
            throw InvalidArgument(kOrigin, fmt::format("{}: no {}.nc in the product directory",
                                                       path.string(), dir_name));
    }
    if (!fs::is_regular_file(file, ec))
        throw NotFoundError(kOrigin, fmt::format("{}: no such file", file.string()));
    const std::string file_name = file.filename().string();
    Attributes attrs;
    if (iends_with(file_name, ".json")) {
        std::string text = read_file_capped(file, opt.max_metadata_bytes);
        // A STAC item that happens to be named S5P_*.json is read as STAC.
        if (text.find("\"stac_version\"") != std::string::npos) {
            Product p = product_from_stac_item(text);
            if (p.path.empty()) p.path = file.string();
            return p;
        }
        attrs = read_json_attributes(text, file.string());
    } else {
        attrs = read_netcdf_attributes(file);
    }
    Product p = build_product(attrs, file.string(), product_name_key(file_name));
    p.path = path.string();
    if (opt.list_files && !iends_with(file_name, ".json")) {
        ProductFile f;
        f.path = file_name;
        if (auto size = fs::file_size(file, ec); !ec) {
            f.size = size;
            p.size = size;
        }
        f.media_type = "application/x-netcdf";
        f.role = "data";
        p.files.push_back(std::move(f));
    }
    return p;
}

}  // namespace creodias::detail
