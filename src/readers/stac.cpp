// Catalogue documents: STAC Items and ItemCollections, resto OpenSearch GeoJSON (legacy
// CREODIAS Finder and CDSE) and OData /Products responses, turned into Products.
//
// One JSON parse per document; each feature is converted straight from the DOM (GeoJSON
// geometries included, without re-serialising them), and unmapped STAC properties are moved,
// not copied, into Product::extra_json. These functions are fuzz targets: every access checks
// the JSON type first, and every failure is an InvalidArgument naming the feature index and
// the field ("feature 3: properties.startDate: ...").
//
// Conventions shared by the three formats (so a product imported from any catalogue, or read
// from disk, gets the same values):
//  - collection: canonical names ("SENTINEL-2", "SENTINEL-1", "SENTINEL-1-RTC", "SENTINEL-3",
//    "SENTINEL-5P", "LANDSAT-8", "SMOS", "COP-DEM"...). STAC collection ids are mapped by
//    family ("sentinel-2-l2a", "sentinel-s2-l2a-cogs" -> SENTINEL-2; "landsat-c2-l2",
//    "landsat-c2l2-sr" -> LANDSAT-<n> from the platform); without a collection, the platform
//    or the product name decides.
//  - platform: "SENTINEL-2A" (from "sentinel-2a", "S2A", "SENTINEL-2" + serial "A"),
//    "LANDSAT-8" (from "LANDSAT_8"), "SENTINEL-5P", other values upper-cased.
//  - instrument: upper-case; STAC instrument lists are joined with '_' (["OLI","TIRS"] ->
//    "OLI_TIRS"); Sentinel-1 "C-SAR"/"SAR-C" -> "SAR" (as the CREODIAS catalogue and
//    the SAFE reader spell it).
//  - product_type: the provider's, except legacy short forms that name a family rather than
//    a type: Sentinel-2 "L1C"/"L2A" -> "S2MSI1C"/"S2MSI2A", Sentinel-1 "GRD"/"SLC"/"OCN"/"RAW"
//    -> the type in the product name ("IW_GRDH_1S").
//  - processing_level: "LEVEL1", "LEVEL1C", "LEVEL2A"... derived from a Sentinel-2 product type
//    when possible, else the provider's value normalised ("L2", "2", "1B" -> "LEVEL2",
//    "LEVEL2", "LEVEL1B").
//  - processing_baseline: text ("05.09"); resto numbers are formatted with two digits before
//    the point (5.09 -> "05.09"); 0 means unknown.
//  - cloud_cover only within 0..100 (-1 is "unknown" on CREODIAS); orbits only when > 0;
//    sizes only when > 0 (CDSE writes 0 when unknown).
//  - tile_id: MGRS tile ("31UFS") or WRS-2 path/row ("199024"); from the catalogue field, else
//    from the product name.
//  - online: resto legacy status 0/34/37 online, 31/32 offline; "ONLINE"/"OFFLINE"; OData Online.
//  - checksums: "MD5", "SHA256", "BLAKE3"... with lower-case hex values. STAC file:checksum is a
//    multihash: 0x12 sha2-256, 0x13 sha2-512, 0x16 sha3-256, 0x1e blake3, 0xd5 md5 ... A
//    multihash whose digest length contradicts its algorithm (CDSE writes some 32-byte digests
//    with the md5 code) is dropped rather than recorded wrong; a bare 32-digit hex value
//    (stactools-sentinel3 copies the SAFE manifest's MD5) is taken as MD5.

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>
#include <creodias/readers.hpp>
#include <creodias/time.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <unordered_map>

namespace creodias {
namespace {

using json = nlohmann::json;
using detail::iequals;
using detail::starts_with;
using detail::to_lower;
using detail::to_upper;
using detail::trim;

// ---- Errors ----------------------------------------------------------------------------------

// Where we are, for messages: "feature 3 (S2A_MSIL2A_...)" or "STAC item".
struct Ctx {
    const char* origin;  // "stac", "resto", "odata"
    long index;          // feature index, -1 for a lone item
    std::string name;    // product name once known
};

[[noreturn]] void fail(const Ctx& ctx, std::string_view field, const std::string& why) {
    std::string where = ctx.index >= 0 ? fmt::format("feature {}", ctx.index) : std::string("item");
    if (!ctx.name.empty()) where += fmt::format(" ({})", ctx.name);
    throw InvalidArgument(ctx.origin, fmt::format("{}: {}: {}", where, field, why));
}

const char* type_name(const json& j) { return j.type_name(); }

// ---- JSON access (never throws) ----------------------------------------------------------------

// Member of an object; nullptr when `obj` is not an object or the member is absent or null.
const json* member(const json& obj, std::string_view key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

json* member(json& obj, std::string_view key) {
    if (!obj.is_object()) return nullptr;
    auto it = obj.find(key);
    if (it == obj.end() || it->is_null()) return nullptr;
    return &*it;
}

std::string_view as_text(const json* v) {
    if (!v || !v->is_string()) return {};
    return trim(v->get_ref<const std::string&>());
}

std::optional<double> as_number(const json* v) {
    if (!v) return std::nullopt;
    if (v->is_number()) {
        double d = v->get<double>();
        return std::isfinite(d) ? std::optional<double>(d) : std::nullopt;
    }
    if (v->is_string()) {
        auto d = detail::parse_double(v->get_ref<const std::string&>());
        return d && std::isfinite(*d) ? d : std::nullopt;
    }
    return std::nullopt;
}

std::optional<long long> as_integer(const json* v) {
    if (!v) return std::nullopt;
    if (v->is_number_integer()) return v->get<long long>();
    if (v->is_number_unsigned()) {
        auto u = v->get<unsigned long long>();
        return u <= static_cast<unsigned long long>(INT64_MAX)
                   ? std::optional<long long>(static_cast<long long>(u))
                   : std::nullopt;
    }
    if (v->is_number_float()) {
        double d = v->get<double>();
        if (std::isfinite(d) && d == std::floor(d) && std::fabs(d) < 9e15)
            return static_cast<long long>(d);
        return std::nullopt;
    }
    if (v->is_string()) return detail::parse_int(v->get_ref<const std::string&>());
    return std::nullopt;
}

// A field that must be a string when present.
std::string_view text_field(const json* v, const Ctx& ctx, std::string_view field) {
    if (!v) return {};
    if (!v->is_string()) fail(ctx, field, fmt::format("expected a string, got {}", type_name(*v)));
    return trim(v->get_ref<const std::string&>());
}

Timestamp time_field(const json* v, const Ctx& ctx, std::string_view field) {
    if (!v) fail(ctx, field, "missing");
    if (!v->is_string())
        fail(ctx, field, fmt::format("expected a date-time string, got {}", type_name(*v)));
    try {
        return parse_datetime(v->get_ref<const std::string&>());
    } catch (const InvalidArgument& e) {
        fail(ctx, field, e.what());
    }
}

std::optional<Timestamp> optional_time(const json* v, const Ctx& ctx, std::string_view field) {
    if (!v) return std::nullopt;
    if (v->is_string() && trim(v->get_ref<const std::string&>()).empty()) return std::nullopt;
    return time_field(v, ctx, field);
}

std::optional<double> cloud_field(const json* v, const Ctx& ctx, std::string_view field) {
    if (!v) return std::nullopt;
    auto d = as_number(v);
    if (!d) fail(ctx, field, fmt::format("expected a number, got {}", type_name(*v)));
    if (*d < 0 || *d > 100) return std::nullopt;  // -1: unknown
    return d;
}

std::optional<std::int64_t> orbit_field(const json* v, const Ctx& ctx, std::string_view field) {
    if (!v) return std::nullopt;
    auto n = as_integer(v);
    if (!n)
        fail(ctx, field,
             fmt::format("expected an integer, got {}",
                         v->is_string() ? "a non-numeric string" : type_name(*v)));
    if (*n <= 0) return std::nullopt;
    return *n;
}

std::optional<std::uint64_t> size_field(const json* v, const Ctx& ctx, std::string_view field) {
    if (!v) return std::nullopt;
    auto n = as_integer(v);
    if (!n) fail(ctx, field, fmt::format("expected an integer, got {}", type_name(*v)));
    if (*n <= 0) return std::nullopt;
    return static_cast<std::uint64_t>(*n);
}

// ---- GeoJSON geometry from the DOM -------------------------------------------------------------

LonLat position(const json& j) {
    if (!j.is_array() || j.size() < 2 || !j[0].is_number() || !j[1].is_number())
        throw InvalidArgument("geojson", "a position must be an array of at least two numbers");
    double lon = j[0].get<double>(), lat = j[1].get<double>();
    if (!std::isfinite(lon) || !std::isfinite(lat))
        throw InvalidArgument("geojson", "non-finite coordinate");
    return {lon, lat};
}

// Footprints may step a little past the antimeridian (resto writes -182 for mosaics); values
// far outside are garbage and must not reach the antimeridian arithmetic.
void check_range(const Geometry& g) {
    for (const auto& part : g.parts())
        for (const auto& ring : part)
            for (const auto& p : ring)
                if (!(std::fabs(p.lon) <= 360) || !(std::fabs(p.lat) <= 90))
                    throw InvalidArgument(
                        "geometry", fmt::format("coordinate out of range: {} {}", p.lon, p.lat));
}

Geometry::Ring positions(const json& j, bool ring) {
    if (!j.is_array() || j.empty())
        throw InvalidArgument("geojson", "expected a non-empty array of positions");
    Geometry::Ring out;
    out.reserve(j.size() + 1);
    for (const auto& p : j) out.push_back(position(p));
    // Rings must be closed; some producers omit the closing vertex.
    if (ring && !(out.front() == out.back())) out.push_back(out.front());
    return out;
}

Geometry::Part polygon_rings(const json& j) {
    if (!j.is_array() || j.empty())
        throw InvalidArgument("geojson", "a polygon needs at least one ring");
    Geometry::Part part;
    part.reserve(j.size());
    for (const auto& r : j) part.push_back(positions(r, true));
    return part;
}

Geometry geometry_from_dom(const json& g) {
    if (!g.is_object())
        throw InvalidArgument("geojson", fmt::format("expected an object, got {}", type_name(g)));
    std::string_view type = as_text(member(g, "type"));
    const json* c = member(g, "coordinates");
    if (!c || !c->is_array()) throw InvalidArgument("geojson", "missing coordinates array");
    std::vector<Geometry::Part> parts;
    if (type == "Point") {
        parts.push_back({{position(*c)}});
        return Geometry(GeometryType::point, std::move(parts));
    }
    if (type == "MultiPoint") {
        for (const auto& p : *c) parts.push_back({{position(p)}});
        if (parts.empty()) throw InvalidArgument("geojson", "empty MultiPoint");
        return Geometry(GeometryType::multi_point, std::move(parts));
    }
    if (type == "LineString") {
        parts.push_back({positions(*c, false)});
        return Geometry(GeometryType::line_string, std::move(parts));
    }
    if (type == "MultiLineString") {
        for (const auto& l : *c) parts.push_back({positions(l, false)});
        if (parts.empty()) throw InvalidArgument("geojson", "empty MultiLineString");
        return Geometry(GeometryType::multi_line_string, std::move(parts));
    }
    if (type == "Polygon") {
        parts.push_back(polygon_rings(*c));
        return Geometry(GeometryType::polygon, std::move(parts));
    }
    if (type == "MultiPolygon") {
        for (const auto& p : *c) parts.push_back(polygon_rings(p));
        if (parts.empty()) throw InvalidArgument("geojson", "empty MultiPolygon");
        return Geometry(GeometryType::multi_polygon, std::move(parts));
    }
    throw InvalidArgument("geojson", fmt::format("unsupported geometry type '{}'", type));
}

Geometry footprint_field(const json* g, const Ctx& ctx, std::string_view field) {
    if (!g) fail(ctx, field, "missing (a footprint is required)");
    try {
        Geometry raw = geometry_from_dom(*g);
        check_range(raw);
        return normalize_footprint(raw);
    } catch (const InvalidArgument& e) {
        fail(ctx, field, e.what());
    }
}

// ---- Normalisation shared by the three formats
// ----------------------------------------------------

std::string platform_name(std::string_view raw, std::string_view serial = {}) {
    std::string up = to_upper(trim(raw));
    for (auto& ch : up)
        if (ch == '_' || ch == ' ') ch = '-';
    if (up.empty()) return up;
    std::string ser = to_upper(trim(serial));
    // "S1A", "S2B", "S5P"
    if (up.size() == 3 && up[0] == 'S' && std::isdigit(static_cast<unsigned char>(up[1])) &&
        std::isalpha(static_cast<unsigned char>(up[2])))
        return fmt::format("SENTINEL-{}{}", up[1], up[2]);
    if (starts_with(up, "SENTINEL")) {
        std::string_view rest = std::string_view(up).substr(8);
        while (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
        if (rest.empty()) return up;
        bool digits_only = rest.find_first_not_of("0123456789") == std::string_view::npos;
        if (digits_only && ser.size() == 1 && std::isalpha(static_cast<unsigned char>(ser[0])))
            return fmt::format("SENTINEL-{}{}", rest, ser);
        return fmt::format("SENTINEL-{}", rest);
    }
    if (starts_with(up, "LANDSAT")) {
        std::string_view rest = std::string_view(up).substr(7);
        while (!rest.empty() && rest.front() == '-') rest.remove_prefix(1);
        return rest.empty() ? up : fmt::format("LANDSAT-{}", rest);
    }
    return up;
}

// "LC08_L2SP_..." / "LC80010622020305LGN00" -> 8; 0 when the name is not a Landsat name.
int landsat_from_name(std::string_view name) {
    if (name.size() < 4 || name[0] != 'L' || !std::isalpha(static_cast<unsigned char>(name[1])))
        return 0;
    if (std::isdigit(static_cast<unsigned char>(name[2])) &&
        std::isdigit(static_cast<unsigned char>(name[3])) && name.size() > 4 && name[4] == '_')
        return (name[2] - '0') * 10 + (name[3] - '0');
    if (std::isdigit(static_cast<unsigned char>(name[2])) && name.size() == 21)
        return name[2] - '0';
    return 0;
}

std::string collection_from_name(std::string_view name) {
    auto family = [&](std::string_view prefix) { return starts_with(name, prefix); };
    if (family("S1A_") || family("S1B_") || family("S1C_") || family("S1D_")) return "SENTINEL-1";
    if (family("S2A_") || family("S2B_") || family("S2C_") || family("S2D_")) return "SENTINEL-2";
    if (family("S3A_") || family("S3B_") || family("S3C_") || family("S3_")) return "SENTINEL-3";
    if (family("S5P_")) return "SENTINEL-5P";
    if (family("SM_")) return "SMOS";
    if (int n = landsat_from_name(name); n >= 1 && n <= 9) return fmt::format("LANDSAT-{}", n);
    return {};
}

std::string collection_name(std::string_view raw, std::string_view platform,
                            std::string_view name) {
    std::string compact;
    for (char ch : raw)
        if (ch != '-' && ch != '_' && ch != ' ')
            compact += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    auto landsat = [&]() -> std::string {
        if (starts_with(platform, "LANDSAT-")) return std::string(platform);
        if (int n = landsat_from_name(name); n >= 1 && n <= 9) return fmt::format("LANDSAT-{}", n);
        return "LANDSAT";
    };
    if (compact.empty()) {
        if (starts_with(platform, "LANDSAT-")) return std::string(platform);
        if (starts_with(platform, "SENTINEL-") && platform.size() >= 10) {
            // "SENTINEL-2A" -> "SENTINEL-2"; "SENTINEL-5P" stays.
            std::string p(platform);
            if (p == "SENTINEL-5P") return p;
            if (p.size() == 11 && std::isalpha(static_cast<unsigned char>(p[10]))) p.pop_back();
            return p;
        }
        if (!platform.empty() && platform.find_first_of("0123456789") == std::string_view::npos)
            return std::string(platform);  // "SMOS", "ENVISAT"
        return collection_from_name(name);
    }
    if (starts_with(compact, "sentinel1rtc")) return "SENTINEL-1-RTC";
    if (starts_with(compact, "sentinel1") || starts_with(compact, "sentinels1"))
        return "SENTINEL-1";
    if (starts_with(compact, "sentinel2") || starts_with(compact, "sentinels2"))
        return "SENTINEL-2";
    if (starts_with(compact, "sentinel3") || starts_with(compact, "sentinels3"))
        return "SENTINEL-3";
    if (starts_with(compact, "sentinel5p") || starts_with(compact, "sentinels5p"))
        return "SENTINEL-5P";
    if (starts_with(compact, "sentinel6")) return "SENTINEL-6";
    if (starts_with(compact, "landsat")) {
        char d = compact.size() > 7 ? compact[7] : '\0';
        bool single_digit =
            d >= '1' && d <= '9' &&
            (compact.size() == 8 || !std::isdigit(static_cast<unsigned char>(compact[8])));
        // "landsat8", "landsat-8-c2-l2" name the satellite; "landsat-c2-l2" names a collection
        // of several satellites: the platform decides.
        if (single_digit && (compact.size() == 8 || compact[8] == 'c'))
            return fmt::format("LANDSAT-{}", d);
        return landsat();
    }
    return canonical_collection(raw);
}

// Level from a product type, when the type says it unambiguously.
std::string level_from_type(std::string_view type) {
    if (starts_with(type, "S2MSI") && type.size() == 7)
        return fmt::format("LEVEL{}", type.substr(5));
    // Landsat processing codes: L1TP, L1GT, L1GS, L2SP, L2SR
    if (type.size() == 4 && type[0] == 'L' && (type[1] == '1' || type[1] == '2') &&
        std::isalpha(static_cast<unsigned char>(type[2])))
        return fmt::format("LEVEL{}", type[1]);
    return {};
}

std::string level_name(std::string_view raw, std::string_view type) {
    if (std::string derived = level_from_type(type); !derived.empty()) return derived;
    std::string up = to_upper(trim(raw));
    if (up.empty() || starts_with(up, "LEVEL")) return up;
    if (std::string derived = level_from_type(up); !derived.empty()) return derived;  // "S2MSI2A"
    std::string_view v = up;
    if (v.front() == 'L') v.remove_prefix(1);
    if (!v.empty() && v.size() <= 2 && std::isdigit(static_cast<unsigned char>(v[0])) &&
        (v.size() == 1 || std::isalpha(static_cast<unsigned char>(v[1]))))
        return fmt::format("LEVEL{}", v);
    return up;
}

// Sentinel-1 names: "S1A_IW_GRDH_1SDV_..." -> "IW_GRDH_1S".
std::string s1_type_from_name(std::string_view name) {
    if (name.size() < 16 || !starts_with(name, "S1") || name[3] != '_' || name[6] != '_' ||
        name[11] != '_')
        return {};
    return std::string(name.substr(4, 10));
}

std::string product_type_name(std::string_view raw, std::string_view collection,
                              std::string_view name) {
    std::string t(trim(raw));
    if (collection == "SENTINEL-2") {
        if (iequals(t, "L1C")) return "S2MSI1C";
        if (iequals(t, "L2A")) return "S2MSI2A";
    }
    if (collection == "SENTINEL-1" &&
        (iequals(t, "GRD") || iequals(t, "SLC") || iequals(t, "OCN") || iequals(t, "RAW"))) {
        if (std::string from_name = s1_type_from_name(name); !from_name.empty()) return from_name;
    }
    return t;
}

std::string instrument_name(std::string_view raw, std::string_view collection) {
    std::string up = to_upper(trim(raw));
    if (starts_with(collection, "SENTINEL-1") && (up == "C-SAR" || up == "SAR-C")) return "SAR";
    return up;
}

// MGRS tile ("_T31UFS_") or WRS-2 path/row of a Landsat product id.
std::string tile_from_name(std::string_view name) {
    for (size_t i = 0; i + 7 <= name.size(); ++i) {
        if (name[i] != '_' || name[i + 1] != 'T') continue;
        std::string_view t = name.substr(i + 2, 5);
        if (t.size() == 5 && std::isdigit(static_cast<unsigned char>(t[0])) &&
            std::isdigit(static_cast<unsigned char>(t[1])) &&
            std::isupper(static_cast<unsigned char>(t[2])) &&
            std::isupper(static_cast<unsigned char>(t[3])) &&
            std::isupper(static_cast<unsigned char>(t[4])) &&
            (i + 7 == name.size() || name[i + 7] == '_' || name[i + 7] == '.'))
            return std::string(t);
    }
    // LC08_L2SP_199024_...
    if (landsat_from_name(name) > 0 && name.size() > 16 && name[4] == '_' && name[9] == '_' &&
        name[16] == '_') {
        std::string_view pr = name.substr(10, 6);
        if (pr.find_first_not_of("0123456789") == std::string_view::npos) return std::string(pr);
    }
    return {};
}

std::string mgrs_tile(std::string_view text) {
    std::string t = to_upper(trim(text));
    if (starts_with(t, "MGRS-")) t = t.substr(5);
    if (t.size() == 6 && t[0] == 'T') t = t.substr(1);
    if (t.size() == 4 && std::isdigit(static_cast<unsigned char>(t[0])))
        t = "0" + t;  // "1KAB" -> "01KAB"
    return t;
}

std::string wrs_tile(std::optional<long long> path, std::optional<long long> row) {
    if (!path || !row || *path < 0 || *path > 999 || *row < 0 || *row > 999) return {};
    return fmt::format("{:03d}{:03d}", *path, *row);
}

std::vector<std::string> polarisations(std::string_view text) {
    std::vector<std::string> out;
    std::string cur;
    auto flush = [&] {
        std::string up = to_upper(cur);
        cur.clear();
        if ((up == "HH" || up == "HV" || up == "VH" || up == "VV") &&
            std::find(out.begin(), out.end(), up) == out.end())
            out.push_back(up);
    };
    for (char ch : text) {
        if (std::isalpha(static_cast<unsigned char>(ch)))
            cur += ch;
        else
            flush();
    }
    flush();
    return out;
}

std::vector<std::string> polarisations_field(const json* v) {
    if (!v) return {};
    if (v->is_string()) return polarisations(v->get_ref<const std::string&>());
    std::vector<std::string> out;
    if (v->is_array())
        for (const auto& e : *v)
            if (e.is_string())
                for (auto& p : polarisations(e.get_ref<const std::string&>()))
                    if (std::find(out.begin(), out.end(), p) == out.end())
                        out.push_back(std::move(p));
    return out;
}

std::string baseline_field(const json* v) {
    if (!v) return {};
    if (v->is_string()) return std::string(trim(v->get_ref<const std::string&>()));
    if (auto d = as_number(v); d && *d > 0 && *d < 1000) return fmt::format("{:05.2f}", *d);
    return {};
}

OrbitDirection direction_field(const json* v, const Ctx& ctx, std::string_view field) {
    std::string_view t = text_field(v, ctx, field);
    if (t.empty()) return OrbitDirection::unknown;
    try {
        return parse_orbit_direction(t);
    } catch (const InvalidArgument&) {
        return OrbitDirection::unknown;  // "NONE", "BOTH": no single direction
    }
}

// ---- Checksums -------------------------------------------------------------------------------

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::optional<Checksum> checksum_from_multihash(std::string_view hex) {
    hex = trim(hex);
    if (hex.empty() || hex.size() % 2 != 0 || hex.size() > 1024) return std::nullopt;
    std::vector<unsigned> bytes;
    bytes.reserve(hex.size() / 2);
    for (size_t i = 0; i < hex.size(); i += 2) {
        int hi = hex_value(hex[i]), lo = hex_value(hex[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        bytes.push_back(static_cast<unsigned>(hi * 16 + lo));
    }
    size_t i = 0;
    auto varint = [&]() -> std::optional<std::uint64_t> {
        std::uint64_t v = 0;
        for (int shift = 0; shift < 63 && i < bytes.size(); shift += 7) {
            unsigned b = bytes[i++];
            v |= static_cast<std::uint64_t>(b & 0x7f) << shift;
            if (!(b & 0x80)) return v;
        }
        return std::nullopt;
    };
    struct Algo {
        std::uint64_t code;
        const char* name;
        size_t length;  // 0: any
    };
    static const std::array<Algo, 11> algos = {{{0x11, "SHA1", 20},
                                                {0x12, "SHA256", 32},
                                                {0x13, "SHA512", 64},
                                                {0x14, "SHA3-512", 64},
                                                {0x15, "SHA3-384", 48},
                                                {0x16, "SHA3-256", 32},
                                                {0x17, "SHA3-224", 28},
                                                {0x1e, "BLAKE3", 0},
                                                {0xd5, "MD5", 16},
                                                {0xb220, "BLAKE2B-256", 32},
                                                {0xb240, "BLAKE2B-512", 64}}};
    auto code = varint();
    auto len = varint();
    if (code && len && *len > 0 && i + *len == bytes.size()) {
        for (const auto& a : algos) {
            if (a.code != *code) continue;
            if (a.length != 0 && a.length != *len) return std::nullopt;  // contradictory: drop
            return Checksum{a.name, to_lower(hex.substr(i * 2))};
        }
        return std::nullopt;
    }
    // Not a multihash: a bare MD5 digest.
    if (hex.size() == 32) return Checksum{"MD5", to_lower(hex)};
    return std::nullopt;
}

bool online_from_status(const json* v) {
    if (!v) return true;
    if (auto n = as_integer(v); n && v->is_number()) return !(*n == 31 || *n == 32);
    std::string_view t = as_text(v);
    return !(iequals(t, "OFFLINE") || iequals(t, "ORDERABLE") || iequals(t, "ARCHIVED"));
}

// Moves the scalar members of `obj` that `skip` does not name into `extra`.
template <class Skip>
void keep_scalars(json& obj, json& extra, Skip skip) {
    if (!obj.is_object()) return;
    for (auto it = obj.begin(); it != obj.end(); ++it) {
        json& v = it.value();
        if (v.is_null() || v.is_object() || v.is_array()) continue;
        if (v.is_string() && v.get_ref<const std::string&>().empty()) continue;
        if (skip(it.key())) continue;
        extra[it.key()] = std::move(v);
    }
}

std::string dump_extra(const json& extra) {
    if (extra.empty()) return {};
    // Replace invalid UTF-8 instead of throwing: extra data must never reject a product.
    return extra.dump(-1, ' ', false, json::error_handler_t::replace);
}

// ---- STAC ------------------------------------------------------------------------------------

enum class Field {
    datetime,
    start,
    end,
    platform,
    serial,
    constellation,
    instruments,
    cloud,
    abs_orbit,
    rel_orbit,
    orbit_state,
    polarizations,
    mode,
    mgrs_tile,
    mgrs_zone,
    mgrs_band,
    mgrs_square,
    grid_code,
    tile_id,
    wrs_path,
    wrs_row,
    level,
    product_type,
    published,
    created,
    updated,
    baseline,
    product_name,
    count_
};

struct Alias {
    Field field;
    int priority;  // lower wins when several aliases are present
};

// STAC property names (core, extensions, earlier STAC versions) and the catalogue attribute
// names CREODIAS puts in its STAC items.
const std::unordered_map<std::string_view, Alias>& stac_aliases() {
    static const std::unordered_map<std::string_view, Alias> m = {
        {"datetime", {Field::datetime, 0}},
        {"start_datetime", {Field::start, 0}},
        {"end_datetime", {Field::end, 0}},
        {"platform", {Field::platform, 0}},
        {"eo:platform", {Field::platform, 1}},
        {"platformShortName", {Field::platform, 2}},
        {"platformSerialIdentifier", {Field::serial, 0}},
        {"constellation", {Field::constellation, 0}},
        {"instruments", {Field::instruments, 0}},
        {"eo:instrument", {Field::instruments, 1}},
        {"instrumentShortName", {Field::instruments, 2}},
        {"eo:cloud_cover", {Field::cloud, 0}},
        {"cloudCover", {Field::cloud, 1}},
        {"sat:absolute_orbit", {Field::abs_orbit, 0}},
        {"orbitNumber", {Field::abs_orbit, 1}},
        {"sat:relative_orbit", {Field::rel_orbit, 0}},
        {"relativeOrbitNumber", {Field::rel_orbit, 1}},
        {"sat:orbit_state", {Field::orbit_state, 0}},
        {"orbitDirection", {Field::orbit_state, 1}},
        {"sar:polarizations", {Field::polarizations, 0}},
        {"polarisationChannels", {Field::polarizations, 1}},
        {"sar:instrument_mode", {Field::mode, 0}},
        {"operationalMode", {Field::mode, 1}},
        {"s2:mgrs_tile", {Field::mgrs_tile, 0}},
        {"mgrs:utm_zone", {Field::mgrs_zone, 0}},
        {"sentinel:utm_zone", {Field::mgrs_zone, 1}},
        {"mgrs:latitude_band", {Field::mgrs_band, 0}},
        {"sentinel:latitude_band", {Field::mgrs_band, 1}},
        {"mgrs:grid_square", {Field::mgrs_square, 0}},
        {"sentinel:grid_square", {Field::mgrs_square, 1}},
        {"grid:code", {Field::grid_code, 0}},
        {"tileId", {Field::tile_id, 0}},
        {"landsat:wrs_path", {Field::wrs_path, 0}},
        {"landsat:wrs_row", {Field::wrs_row, 0}},
        {"processing:level", {Field::level, 0}},
        {"processingLevel", {Field::level, 1}},
        {"product:type", {Field::product_type, 0}},
        {"s2:product_type", {Field::product_type, 1}},
        {"s3:product_type", {Field::product_type, 2}},
        {"sar:product_type", {Field::product_type, 3}},
        {"productType", {Field::product_type, 4}},
        {"landsat:correction", {Field::product_type, 5}},
        {"published", {Field::published, 0}},
        {"created", {Field::created, 0}},
        {"updated", {Field::updated, 0}},
        {"processing:version", {Field::baseline, 0}},
        {"s2:processing_baseline", {Field::baseline, 1}},
        {"processorVersion", {Field::baseline, 2}},
        {"landsat:collection_number", {Field::baseline, 3}},
        {"s2:product_uri", {Field::product_name, 0}},
        {"s1:product_identifier", {Field::product_name, 1}},
        {"sentinel:product_id", {Field::product_name, 2}},
    };
    return m;
}

// "/eodata/..." directory of the product from any asset (or alternate) href that points into
// the EODATA object store; "" when none does.
std::string eodata_path(const json& assets, std::string_view id) {
    if (!assets.is_object() || id.empty()) return {};
    auto from_href = [&](std::string_view href) -> std::string {
        if (starts_with(href, "s3://eodata/"))
            href.remove_prefix(4);  // keep "/eodata/..."
        else if (starts_with(href, "s3://EODATA/"))
            href.remove_prefix(4);
        if (!starts_with(href, "/eodata/") && !starts_with(href, "/EODATA/")) return {};
        // Cut after the path segment that starts with the item id (the product directory).
        size_t pos = 0;
        while (pos < href.size()) {
            size_t next = href.find('/', pos + 1);
            std::string_view seg =
                href.substr(pos + 1, next == std::string_view::npos ? href.npos : next - pos - 1);
            if (starts_with(seg, id)) {
                std::string out(
                    href.substr(0, next == std::string_view::npos ? href.size() : next));
                if (starts_with(out, "/EODATA/")) out.replace(0, 8, "/eodata/");
                return out;
            }
            if (next == std::string_view::npos) break;
            pos = next;
        }
        return {};
    };
    for (auto it = assets.begin(); it != assets.end(); ++it) {
        const json& a = it.value();
        if (auto p = from_href(as_text(member(a, "href"))); !p.empty()) return p;
        if (const json* alt = member(a, "alternate"); alt && alt->is_object())
            for (auto at = alt->begin(); at != alt->end(); ++at)
                if (auto p = from_href(as_text(member(at.value(), "href"))); !p.empty()) return p;
    }
    return {};
}

void add_checksum(std::vector<Checksum>& out, const json* v) {
    if (!v || !v->is_string()) return;
    if (auto c = checksum_from_multihash(v->get_ref<const std::string&>()))
        out.push_back(std::move(*c));
}

std::string first_band(const json& asset) {
    for (const char* key : {"bands", "eo:bands"}) {
        const json* b = member(asset, key);
        if (b && b->is_array() && b->size() == 1) {
            std::string_view name = as_text(member((*b)[0], "name"));
            if (!name.empty()) return std::string(name);
        }
    }
    return {};
}

bool has_role(const json& asset, std::string_view role) {
    const json* roles = member(asset, "roles");
    if (!roles || !roles->is_array()) return false;
    for (const auto& r : *roles)
        if (r.is_string() && r.get_ref<const std::string&>() == role) return true;
    return false;
}

// Relative path of an asset inside the product, when it can be told; the href otherwise.
std::string asset_path(const json& asset, std::string_view name, std::string_view product_path) {
    std::string_view local = as_text(member(asset, "file:local_path"));
    std::string_view key = detail::ends_with(name, ".SAFE") ? name : std::string_view();
    std::string safe_dir = key.empty() ? std::string(name) + ".SAFE" : std::string(name);
    if (!local.empty()) {
        for (std::string_view root : {std::string_view(name), std::string_view(safe_dir)})
            if (!root.empty() && local.size() > root.size() && starts_with(local, root) &&
                local[root.size()] == '/')
                return std::string(local.substr(root.size() + 1));
        return std::string(local);
    }
    std::string_view href = as_text(member(asset, "href"));
    if (starts_with(href, "./")) href.remove_prefix(2);
    if (!product_path.empty()) {
        // "s3://eodata/X/Y.SAFE/a/b" against "/eodata/X/Y.SAFE"
        std::string_view p = product_path;
        auto at = href.find(p);
        if (at != std::string_view::npos && href.size() > at + p.size() &&
            href[at + p.size()] == '/')
            return std::string(href.substr(at + p.size() + 1));
    }
    return std::string(href);
}

Product stac_to_product(json& item, Ctx& ctx) {
    if (!item.is_object())
        fail(ctx, "item", fmt::format("expected an object, got {}", type_name(item)));
    if (std::string_view t = as_text(member(item, "type")); !t.empty() && t != "Feature")
        fail(ctx, "type", fmt::format("expected \"Feature\", got \"{}\"", t));
    Product p;
    p.id = std::string(text_field(member(item, "id"), ctx, "id"));
    if (p.id.empty()) fail(ctx, "id", "missing");
    ctx.name = p.id;

    json* props = member(item, "properties");
    if (!props) fail(ctx, "properties", "missing");
    if (!props->is_object())
        fail(ctx, "properties", fmt::format("expected an object, got {}", type_name(*props)));

    // One pass over the properties: known names are picked (best alias wins), the rest is
    // moved into extra.
    std::array<const json*, static_cast<size_t>(Field::count_)> f{};
    std::array<int, static_cast<size_t>(Field::count_)> prio;
    prio.fill(1 << 20);
    std::array<const std::string*, static_cast<size_t>(Field::count_)> keys{};
    json extra = json::object();
    const auto& aliases = stac_aliases();
    for (auto it = props->begin(); it != props->end(); ++it) {
        auto a = aliases.find(it.key());
        if (a == aliases.end()) {
            if (!it.value().is_null()) extra[it.key()] = std::move(it.value());
            continue;
        }
        auto idx = static_cast<size_t>(a->second.field);
        if (it.value().is_null()) continue;
        if (a->second.priority < prio[idx]) {
            f[idx] = &it.value();
            keys[idx] = &it.key();
            prio[idx] = a->second.priority;
        }
    }
    auto get = [&](Field x) { return f[static_cast<size_t>(x)]; };
    // The property's own name, for messages ("eo:cloud_cover", "cloudCover").
    auto key = [&](Field x) -> std::string_view {
        const std::string* k = keys[static_cast<size_t>(x)];
        return k ? std::string_view(*k) : std::string_view("properties");
    };

    // Time: datetime, or the start/end range (datetime may be null when a range is given).
    const json* dt = get(Field::datetime);
    const json* st = get(Field::start);
    const json* en = get(Field::end);
    if (!dt && !st) fail(ctx, "properties.datetime", "missing (and no start_datetime)");
    p.sensing_start = st ? time_field(st, ctx, "properties.start_datetime")
                         : time_field(dt, ctx, "properties.datetime");
    p.sensing_end = en ? time_field(en, ctx, "properties.end_datetime")
                       : (dt ? time_field(dt, ctx, "properties.datetime") : p.sensing_start);
    if (p.sensing_end < p.sensing_start)
        fail(ctx, "properties.end_datetime", "before the start of the acquisition");

    p.footprint = footprint_field(member(item, "geometry"), ctx, "geometry");

    // Names
    if (const json* pn = get(Field::product_name); pn && pn->is_string())
        p.name = std::string(as_text(pn));
    json* assets = member(item, "assets");
    if (assets && !assets->is_object())
        fail(ctx, "assets", fmt::format("expected an object, got {}", type_name(*assets)));
    p.path = assets ? eodata_path(*assets, p.id) : std::string();
    if (p.name.empty() && !p.path.empty()) p.name = p.path.substr(p.path.rfind('/') + 1);

    // Platform, collection, instrument
    std::string_view serial = as_text(get(Field::serial));
    if (const json* pl = get(Field::platform))
        p.platform = platform_name(text_field(pl, ctx, key(Field::platform)), serial);
    std::string_view coll = text_field(member(item, "collection"), ctx, "collection");
    if (coll.empty()) coll = as_text(get(Field::constellation));
    p.collection = collection_name(
        coll, p.platform, p.name.empty() ? std::string_view(p.id) : std::string_view(p.name));
    if (const json* ins = get(Field::instruments)) {
        std::string joined;
        if (ins->is_array()) {
            for (const auto& e : *ins)
                if (e.is_string() && !trim(e.get_ref<const std::string&>()).empty()) {
                    if (!joined.empty()) joined += '_';
                    joined += trim(e.get_ref<const std::string&>());
                }
        } else if (ins->is_string()) {
            joined = ins->get<std::string>();
        } else {
            fail(ctx, key(Field::instruments),
                 fmt::format("expected an array, got {}", type_name(*ins)));
        }
        p.instrument = instrument_name(joined, p.collection);
    }
    // USGS item ids carry the asset family ("..._SR", "..._ST"): the product is the scene.
    if (p.name.empty() && starts_with(p.collection, "LANDSAT") && p.id.size() == 43 &&
        (detail::ends_with(p.id, "_SR") || detail::ends_with(p.id, "_ST")))
        p.name = p.id.substr(0, 40);
    if (p.name.empty()) p.name = p.id;
    ctx.name = p.name;

    // Product type and level
    if (const json* t = get(Field::product_type))
        p.product_type =
            product_type_name(text_field(t, ctx, key(Field::product_type)), p.collection, p.name);
    std::string_view raw_level;
    if (const json* lv = get(Field::level))
        raw_level = lv->is_string() ? as_text(lv) : std::string_view();
    p.processing_level = level_name(raw_level, p.product_type);

    p.cloud_cover = cloud_field(get(Field::cloud), ctx, key(Field::cloud));
    p.orbit_number = orbit_field(get(Field::abs_orbit), ctx, key(Field::abs_orbit));
    p.relative_orbit = orbit_field(get(Field::rel_orbit), ctx, key(Field::rel_orbit));
    p.orbit_direction = direction_field(get(Field::orbit_state), ctx, key(Field::orbit_state));
    p.polarisations = polarisations_field(get(Field::polarizations));
    if (const json* m = get(Field::mode)) {
        std::string mode = to_upper(as_text(m));
        if (mode != "DEFAULT") p.sensor_mode = std::move(mode);
    }
    p.processing_baseline = baseline_field(get(Field::baseline));

    // Tile: explicit MGRS tile, grid code, MGRS parts, WRS path/row, then the name.
    if (const json* t = get(Field::tile_id)) p.tile_id = mgrs_tile(as_text(t));
    if (p.tile_id.empty())
        if (const json* t = get(Field::mgrs_tile)) p.tile_id = mgrs_tile(as_text(t));
    if (p.tile_id.empty())
        if (std::string_view g = as_text(get(Field::grid_code)); starts_with(g, "MGRS-"))
            p.tile_id = mgrs_tile(g);
    if (p.tile_id.empty()) {
        auto zone = as_integer(get(Field::mgrs_zone));
        std::string_view band = as_text(get(Field::mgrs_band));
        std::string_view square = as_text(get(Field::mgrs_square));
        if (zone && *zone >= 1 && *zone <= 60 && band.size() == 1 && square.size() == 2)
            p.tile_id = to_upper(fmt::format("{:02d}{}{}", *zone, band, square));
    }
    if (p.tile_id.empty())
        p.tile_id = wrs_tile(as_integer(get(Field::wrs_path)), as_integer(get(Field::wrs_row)));
    if (p.tile_id.empty()) p.tile_id = tile_from_name(p.name);

    // Catalogue timestamps: "published" (timestamps extension), else "created".
    p.published = optional_time(get(Field::published), ctx, "properties.published");
    if (!p.published)
        p.published = optional_time(get(Field::created), ctx, "properties.created");
    else if (const json* c = get(Field::created))
        extra["created"] = *c;
    p.updated = optional_time(get(Field::updated), ctx, "properties.updated");

    // Assets -> files; the archive asset gives the product's own size and checksum.
    if (assets) {
        p.files.reserve(assets->size());
        for (auto it = assets->begin(); it != assets->end(); ++it) {
            const json& a = it.value();
            if (!a.is_object()) fail(ctx, fmt::format("assets.{}", it.key()), "expected an object");
            bool archive = has_role(a, "archive") || iequals(it.key(), "product");
            const json* fs = member(a, "file:size");
            auto size = fs ? as_integer(fs) : std::nullopt;
            if (fs && !size)
                fail(ctx, fmt::format("assets.{}.file:size", it.key()), "expected an integer");
            std::optional<std::uint64_t> usize;
            if (size && *size > 0) usize = static_cast<std::uint64_t>(*size);
            if (archive) {
                if (usize) p.size = usize;
                add_checksum(p.checksums, member(a, "file:checksum"));
                if (const json* alt = member(a, "alternate"))
                    if (const json* s3 = member(*alt, "s3"))
                        if (iequals(as_text(member(*s3, "storage:tier")), "offline"))
                            p.online = false;
                continue;
            }
            ProductFile pf;
            pf.path = asset_path(a, p.name, p.path);
            if (pf.path.empty()) continue;
            pf.size = usize;
            add_checksum(pf.checksums, member(a, "file:checksum"));
            pf.band = first_band(a);
            pf.media_type = std::string(as_text(member(a, "type")));
            if (const json* roles = member(a, "roles");
                roles && roles->is_array() && !roles->empty() && (*roles)[0].is_string())
                pf.role = (*roles)[0].get<std::string>();
            p.files.push_back(std::move(pf));
        }
    }
    p.extra_json = dump_extra(extra);
    return p;
}

// ---- resto (OpenSearch GeoJSON) -----------------------------------------------------------------

Product resto_to_product(json& feature, Ctx& ctx) {
    if (!feature.is_object())
        fail(ctx, "feature", fmt::format("expected an object, got {}", type_name(feature)));
    json* props = member(feature, "properties");
    if (!props) fail(ctx, "properties", "missing");
    if (!props->is_object())
        fail(ctx, "properties", fmt::format("expected an object, got {}", type_name(*props)));
    const json& pr = *props;
    Product p;
    p.name = std::string(text_field(member(pr, "title"), ctx, "properties.title"));
    if (p.name.empty()) fail(ctx, "properties.title", "missing (the product name)");
    ctx.name = p.name;
    if (const json* id = member(feature, "id")) {
        if (id->is_string())
            p.id = std::string(trim(id->get_ref<const std::string&>()));
        else if (id->is_number_integer() || id->is_number_unsigned())
            p.id = id->dump();
        else
            fail(ctx, "id", fmt::format("expected a string, got {}", type_name(*id)));
    }
    if (p.id.empty()) p.id = product_name_key(p.name);
    p.path = std::string(
        text_field(member(pr, "productIdentifier"), ctx, "properties.productIdentifier"));

    p.sensing_start = time_field(member(pr, "startDate"), ctx, "properties.startDate");
    p.sensing_end = member(pr, "completionDate")
                        ? time_field(member(pr, "completionDate"), ctx, "properties.completionDate")
                        : p.sensing_start;
    if (p.sensing_end < p.sensing_start) fail(ctx, "properties.completionDate", "before startDate");
    p.footprint = footprint_field(member(feature, "geometry"), ctx, "geometry");

    p.platform = platform_name(text_field(member(pr, "platform"), ctx, "properties.platform"));
    p.collection = collection_name(
        text_field(member(pr, "collection"), ctx, "properties.collection"), p.platform, p.name);
    p.instrument = instrument_name(
        text_field(member(pr, "instrument"), ctx, "properties.instrument"), p.collection);
    p.product_type = product_type_name(
        text_field(member(pr, "productType"), ctx, "properties.productType"), p.collection, p.name);
    p.processing_level =
        level_name(text_field(member(pr, "processingLevel"), ctx, "properties.processingLevel"),
                   p.product_type);
    std::string mode = to_upper(text_field(member(pr, "sensorMode"), ctx, "properties.sensorMode"));
    if (mode != "DEFAULT") p.sensor_mode = std::move(mode);

    p.published = optional_time(member(pr, "published"), ctx, "properties.published");
    p.updated = optional_time(member(pr, "updated"), ctx, "properties.updated");
    p.cloud_cover = cloud_field(member(pr, "cloudCover"), ctx, "properties.cloudCover");
    p.orbit_number = orbit_field(member(pr, "orbitNumber"), ctx, "properties.orbitNumber");
    p.relative_orbit =
        orbit_field(member(pr, "relativeOrbitNumber"), ctx, "properties.relativeOrbitNumber");
    p.orbit_direction =
        direction_field(member(pr, "orbitDirection"), ctx, "properties.orbitDirection");
    p.polarisations = polarisations_field(member(pr, "polarisation"));
    p.processing_baseline = baseline_field(member(pr, "processingBaseline"));
    p.online = online_from_status(member(pr, "status"));
    if (const json* services = member(pr, "services"))
        if (const json* dl = member(*services, "download"))
            p.size = size_field(member(*dl, "size"), ctx, "properties.services.download.size");

    if (const json* t = member(pr, "tileId")) p.tile_id = mgrs_tile(as_text(t));
    if (p.tile_id.empty())
        p.tile_id = wrs_tile(as_integer(member(pr, "path")), as_integer(member(pr, "row")));
    if (p.tile_id.empty()) p.tile_id = tile_from_name(p.name);

    // Remaining small scalars (timeliness, missionTakeId, thumbnail...) are kept; the bulky
    // or redundant ones are not.
    static const std::array<std::string_view, 27> used = {"title",
                                                          "productIdentifier",
                                                          "startDate",
                                                          "completionDate",
                                                          "platform",
                                                          "collection",
                                                          "instrument",
                                                          "productType",
                                                          "processingLevel",
                                                          "sensorMode",
                                                          "published",
                                                          "updated",
                                                          "cloudCover",
                                                          "orbitNumber",
                                                          "relativeOrbitNumber",
                                                          "orbitDirection",
                                                          "polarisation",
                                                          "processingBaseline",
                                                          "status",
                                                          "tileId",
                                                          "path",
                                                          "row",
                                                          "description",
                                                          "gmlgeometry",
                                                          "quicklook",
                                                          "parentIdentifier",
                                                          "organisationName"};
    json extra = json::object();
    keep_scalars(*props, extra, [&](const std::string& k) {
        return std::find(used.begin(), used.end(), std::string_view(k)) != used.end();
    });
    p.extra_json = dump_extra(extra);
    return p;
}

// ---- OData /Products -------------------------------------------------------------------------

Geometry odata_wkt(std::string_view text, const Ctx& ctx) {
    // geography'SRID=4326;POLYGON ((...))'
    std::string_view t = trim(text);
    if (starts_with(t, "geography'") || starts_with(t, "geometry'")) {
        t.remove_prefix(t.find('\'') + 1);
        if (!t.empty() && t.back() == '\'') t.remove_suffix(1);
    }
    try {
        Geometry raw = Geometry::from_wkt(t);
        check_range(raw);
        return normalize_footprint(raw);
    } catch (const InvalidArgument& e) {
        fail(ctx, "Footprint", e.what());
    }
}

Product odata_to_product(json& v, Ctx& ctx) {
    if (!v.is_object()) fail(ctx, "value", fmt::format("expected an object, got {}", type_name(v)));
    Product p;
    p.name = std::string(text_field(member(v, "Name"), ctx, "Name"));
    if (p.name.empty()) fail(ctx, "Name", "missing");
    ctx.name = p.name;
    p.id = std::string(text_field(member(v, "Id"), ctx, "Id"));
    if (p.id.empty()) p.id = product_name_key(p.name);
    p.path = std::string(text_field(member(v, "S3Path"), ctx, "S3Path"));

    const json* cd = member(v, "ContentDate");
    if (!cd) fail(ctx, "ContentDate", "missing");
    if (!cd->is_object())
        fail(ctx, "ContentDate", fmt::format("expected an object, got {}", type_name(*cd)));
    p.sensing_start = time_field(member(*cd, "Start"), ctx, "ContentDate.Start");
    p.sensing_end = member(*cd, "End") ? time_field(member(*cd, "End"), ctx, "ContentDate.End")
                                       : p.sensing_start;
    if (p.sensing_end < p.sensing_start) fail(ctx, "ContentDate.End", "before ContentDate.Start");
    p.published = optional_time(member(v, "PublicationDate"), ctx, "PublicationDate");
    p.updated = optional_time(member(v, "ModificationDate"), ctx, "ModificationDate");
    if (const json* on = member(v, "Online")) {
        if (!on->is_boolean())
            fail(ctx, "Online", fmt::format("expected a boolean, got {}", type_name(*on)));
        p.online = on->get<bool>();
    }
    p.size = size_field(member(v, "ContentLength"), ctx, "ContentLength");
    if (const json* cs = member(v, "Checksum")) {
        if (!cs->is_array())
            fail(ctx, "Checksum", fmt::format("expected an array, got {}", type_name(*cs)));
        for (const auto& c : *cs) {
            std::string_view algo = as_text(member(c, "Algorithm"));
            std::string_view value = as_text(member(c, "Value"));
            if (!algo.empty() && !value.empty())
                p.checksums.push_back({to_upper(algo), to_lower(value)});
        }
    }
    if (const json* gf = member(v, "GeoFootprint"))
        p.footprint = footprint_field(gf, ctx, "GeoFootprint");
    else if (const json* fp = member(v, "Footprint"); fp && fp->is_string())
        p.footprint = odata_wkt(fp->get_ref<const std::string&>(), ctx);
    else
        fail(ctx, "GeoFootprint", "missing (and no Footprint)");

    // Attributes (with $expand=Attributes): [{Name, Value}]
    std::unordered_map<std::string_view, const json*> attr;
    json extra = json::object();
    if (const json* attrs = member(v, "Attributes")) {
        if (!attrs->is_array())
            fail(ctx, "Attributes", fmt::format("expected an array, got {}", type_name(*attrs)));
        for (const auto& a : *attrs) {
            std::string_view name = as_text(member(a, "Name"));
            const json* value = member(a, "Value");
            if (!name.empty() && value) attr.emplace(name, value);
        }
    }
    auto at = [&](std::string_view k) -> const json* {
        auto it = attr.find(k);
        return it == attr.end() ? nullptr : it->second;
    };
    p.platform =
        platform_name(as_text(at("platformShortName")), as_text(at("platformSerialIdentifier")));
    std::string_view coll;
    if (const json* c = member(v, "Collection")) coll = as_text(member(*c, "Name"));
    if (coll.empty()) coll = as_text(at("platformShortName"));
    p.collection = collection_name(coll, p.platform, p.name);
    p.instrument = instrument_name(as_text(at("instrumentShortName")), p.collection);
    p.product_type = product_type_name(as_text(at("productType")), p.collection, p.name);
    p.processing_level = level_name(as_text(at("processingLevel")), p.product_type);
    if (std::string mode = to_upper(as_text(at("operationalMode"))); mode != "DEFAULT")
        p.sensor_mode = mode;
    p.cloud_cover = cloud_field(at("cloudCover"), ctx, "Attributes.cloudCover");
    p.orbit_number = orbit_field(at("orbitNumber"), ctx, "Attributes.orbitNumber");
    p.relative_orbit =
        orbit_field(at("relativeOrbitNumber"), ctx, "Attributes.relativeOrbitNumber");
    p.orbit_direction = direction_field(at("orbitDirection"), ctx, "Attributes.orbitDirection");
    p.polarisations = polarisations_field(at("polarisationChannels"));
    p.processing_baseline = baseline_field(at("processingBaseline"));
    if (p.processing_baseline.empty())
        p.processing_baseline = baseline_field(at("processorVersion"));
    p.tile_id = mgrs_tile(as_text(at("tileId")));
    if (p.tile_id.empty()) p.tile_id = tile_from_name(p.name);

    static const std::array<std::string_view, 15> used = {
        "platformShortName",    "platformSerialIdentifier",
        "instrumentShortName",  "productType",
        "processingLevel",      "operationalMode",
        "cloudCover",           "orbitNumber",
        "relativeOrbitNumber",  "orbitDirection",
        "polarisationChannels", "processingBaseline",
        "processorVersion",     "tileId",
        "coordinates"};
    for (const auto& [k, value] : attr) {
        if (std::find(used.begin(), used.end(), k) != used.end()) continue;
        if (value->is_object() || value->is_array()) continue;
        extra[std::string(k)] = *value;
    }
    if (std::string_view origin = as_text(member(v, "OriginDate")); !origin.empty())
        extra["OriginDate"] = origin;

    // Assets (with $expand=Assets): quicklooks with their own S3 path.
    if (const json* assets = member(v, "Assets"); assets && assets->is_array()) {
        for (const auto& a : *assets) {
            std::string_view s3 = as_text(member(a, "S3Path"));
            if (s3.empty()) continue;
            ProductFile pf;
            if (!p.path.empty() && starts_with(s3, p.path) && s3.size() > p.path.size() &&
                s3[p.path.size()] == '/')
                pf.path = std::string(s3.substr(p.path.size() + 1));
            else
                pf.path = std::string(s3);
            std::string type = to_lower(as_text(member(a, "Type")));
            pf.role = type == "quicklook" ? "thumbnail" : type;
            p.files.push_back(std::move(pf));
        }
    }
    p.extra_json = dump_extra(extra);
    return p;
}

// ---- Dispatch --------------------------------------------------------------------------------

json parse_document(std::string_view text, const char* origin) {
    try {
        return json::parse(text.begin(), text.end());
    } catch (const json::exception& e) {
        throw InvalidArgument(origin, fmt::format("malformed JSON: {}", e.what()));
    }
}

bool is_stac_feature(const json& f, bool collection_is_stac) {
    if (collection_is_stac || member(f, "stac_version")) return true;
    const json* props = member(f, "properties");
    if (!props) return false;
    // resto always carries startDate/productIdentifier; STAC always has datetime.
    if (member(*props, "startDate") || member(*props, "productIdentifier")) return false;
    return props->is_object() && props->contains("datetime");
}

Product feature_to_product(json& f, long index, bool collection_is_stac) {
    if (is_stac_feature(f, collection_is_stac)) {
        Ctx ctx{"stac", index, {}};
        return stac_to_product(f, ctx);
    }
    Ctx ctx{"resto", index, {}};
    return resto_to_product(f, ctx);
}

}  // namespace

Product product_from_stac_item(std::string_view text) {
    json doc = parse_document(text, "stac");
    Ctx ctx{"stac", -1, {}};
    if (!doc.is_object())
        fail(ctx, "document", fmt::format("expected a STAC Item object, got {}", type_name(doc)));
    return stac_to_product(doc, ctx);
}

std::vector<Product> read_feature_collection(std::string_view text) {
    json doc = parse_document(text, "catalogue");
    if (!doc.is_object())
        throw InvalidArgument("catalogue",
                              fmt::format("expected a JSON object, got {}", type_name(doc)));
    std::vector<Product> out;

    // OData: {"value": [...]}
    if (json* value = member(doc, "value")) {
        if (!value->is_array())
            throw InvalidArgument(
                "odata", fmt::format("'value' is {}, not an array of products: not a /Products "
                                     "response",
                                     type_name(*value)));
        out.reserve(value->size());
        long index = 0;
        for (auto& v : *value) {
            Ctx ctx{"odata", index++, {}};
            out.push_back(odata_to_product(v, ctx));
        }
        return out;
    }

    std::string_view type = as_text(member(doc, "type"));
    if (type == "FeatureCollection") {
        json* features = member(doc, "features");
        if (!features) return out;  // an empty last page may omit the list
        if (!features->is_array())
            throw InvalidArgument(
                "catalogue", fmt::format("'features' is {}, not an array", type_name(*features)));
        bool stac = member(doc, "stac_version") != nullptr;
        out.reserve(features->size());
        long index = 0;
        for (auto& f : *features) out.push_back(feature_to_product(f, index++, stac));
        return out;
    }
    if (type == "Feature") {
        out.push_back(feature_to_product(doc, 0, false));
        return out;
    }
    throw InvalidArgument(
        "catalogue", type.empty() ? std::string("not a product list: no 'type' (FeatureCollection "
                                                "or Feature) and no OData 'value' array")
                                  : fmt::format("not a product list: type '{}'", type));
}

}  // namespace creodias
