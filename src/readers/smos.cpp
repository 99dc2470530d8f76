// SMOS Earth Explorer header (.HDR): the XML that accompanies each .DBL data block.
//
// Field mapping (documented conventions of this reader):
//  - name          Fixed_Header/File_Name ("SM_OPER_MIR_SMUDP2_20150721T102717_..._650_001_9");
//                  id = product_name_key(name).
//  - collection / platform "SMOS"; instrument "MIRAS".
//  - product_type  Fixed_Header/File_Type ("MIR_SMUDP2", "MIR_SCLF1C", "MIR_SC_F1B"...).
//  - processing_level  from the type's last two characters: "1A"/"1B"/"1C" -> "LEVEL1A".., "P2"/
//                  "D2"/"2"... -> "LEVEL2" (CREODIAS' SMOS STAC items say "1B", "2"...).
//  - sensing_start/end  Specific_Product_Header Precise_Validity_Start/Stop when present (to
//                  the microsecond), otherwise Fixed_Header Validity_Start/Stop ("UTC=...").
//  - orbit_number / relative_orbit  Variable_Header Orbit_Information Abs_Orbit / Rel_Orbit;
//                  orbit_direction from Ascending_Flag ("A"/"D").
//  - processing_baseline  Source/Creator_Version ("650"), the processor version that is also
//                  in the file name.
//  - footprint     SMOS headers carry no footprint polygon. Level-2 headers give the extreme
//                  latitudes/longitudes of the retrieved grid nodes (L2_Product_Location
//                  Southernmost_Latitude ... Westernmost_Longitude); that box is used when
//                  present and sane. Otherwise (level-1 products, missing or fill values) the
//                  WHOLE GLOBE (-180,-90,180,90) is used: a SMOS half-orbit product covers the
//                  Earth from pole to pole, so a global footprint never hides a product from a
//                  spatial search (it can only over-select).
//  - path          the directory of the .HDR; files: the .HDR and the .DBL of the same name.

#include "readers/readers_internal.hpp"

#include "core/strings.hpp"
#include "readers/source.hpp"
#include "readers/xml.hpp"

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias::detail {
namespace {

constexpr const char* kOrigin = "smos";

[[noreturn]] void fail(std::string_view file, const std::string& why) {
    throw InvalidArgument(kOrigin, fmt::format("{}: {}", file, why));
}

// Earth Explorer times are written "UTC=2015-07-21T10:27:17[.ffffff]".
Timestamp ee_time(std::string_view text, std::string_view file, std::string_view what) {
    text = trim(text);
    for (std::string_view prefix : {"UTC=", "TAI=", "UT1="})
        if (starts_with(text, prefix)) text.remove_prefix(prefix.size());
    try {
        return parse_datetime(text);
    } catch (const InvalidArgument&) {
        fail(file, fmt::format("{} is not a date-time: '{}'", what, text));
    }
}

std::optional<double> node_number(pugi::xml_node from, std::string_view name) {
    auto n = xml::find(from, name);
    if (!n) return std::nullopt;
    auto v = parse_double(n.child_value());
    if (v && !std::isfinite(*v)) return std::nullopt;
    return v;
}

std::string level_of(std::string_view type) {
    // "MIR_SMUDP2" -> "2"; "MIR_SCLF1C" -> "1C"; "MIR_SC_F1B" -> "1B"; "MIR_OSUDP2" -> "2".
    if (type.size() < 2) return {};
    char a = type[type.size() - 2], b = type[type.size() - 1];
    if (std::isdigit(static_cast<unsigned char>(a)) && std::isalpha(static_cast<unsigned char>(b)))
        return fmt::format("LEVEL{}{}", a,
                           static_cast<char>(std::toupper(static_cast<unsigned char>(b))));
    if (std::isdigit(static_cast<unsigned char>(b))) return fmt::format("LEVEL{}", b);
    return {};
}

Geometry whole_globe() { return Geometry::from_bbox(BBox{-180, -90, 180, 90}); }

}  // namespace

Product parse_smos_hdr(std::string_view xml_text, std::string_view file_name) {
    auto doc = xml::parse(xml_text, kOrigin, file_name);
    auto root = doc.document_element();
    if (xml::local_name(root.name()) != "Earth_Explorer_Header")
        fail(file_name,
             fmt::format("root element is <{}>, expected <Earth_Explorer_Header>", root.name()));
    auto fixed = xml::child(root, "Fixed_Header");
    if (!fixed) fail(file_name, "missing Fixed_Header");

    Product p;
    p.name = xml::text(fixed, "File_Name");
    if (p.name.empty()) fail(file_name, "missing Fixed_Header/File_Name");
    p.id = product_name_key(p.name);
    p.collection = "SMOS";
    p.platform = "SMOS";
    p.instrument = "MIRAS";
    p.product_type = xml::text(fixed, "File_Type");
    if (p.product_type.empty()) fail(file_name, "missing Fixed_Header/File_Type");
    p.processing_level = level_of(p.product_type);

    auto variable = xml::child(root, "Variable_Header");
    std::string start = variable ? xml::text(variable, "Precise_Validity_Start") : std::string();
    std::string stop = variable ? xml::text(variable, "Precise_Validity_Stop") : std::string();
    if (start.empty()) start = xml::text(fixed, "Validity_Start");
    if (stop.empty()) stop = xml::text(fixed, "Validity_Stop");
    if (start.empty()) fail(file_name, "missing Validity_Start");
    p.sensing_start = ee_time(start, file_name, "Validity_Start");
    p.sensing_end = stop.empty() ? p.sensing_start : ee_time(stop, file_name, "Validity_Stop");
    if (p.sensing_end < p.sensing_start) fail(file_name, "Validity_Stop is before Validity_Start");

    if (variable) {
        auto orbit = xml::find(variable, "Orbit_Information");
        if (orbit) {
            if (auto v = parse_int(xml::text(orbit, "Abs_Orbit")); v && *v > 0) p.orbit_number = *v;
            if (auto v = parse_int(xml::text(orbit, "Rel_Orbit")); v && *v > 0)
                p.relative_orbit = *v;
        }
        std::string flag = xml::text(variable, "Ascending_Flag");
        if (flag == "A")
            p.orbit_direction = OrbitDirection::ascending;
        else if (flag == "D")
            p.orbit_direction = OrbitDirection::descending;
    }
    p.processing_baseline = xml::text(fixed, "Creator_Version");

    // Footprint: the L2 node extremes when they make a sane box, else the whole globe.
    p.footprint = whole_globe();
    if (auto loc = variable ? xml::find(variable, "L2_Product_Location") : pugi::xml_node()) {
        auto s = node_number(loc, "Southernmost_Latitude");
        auto n = node_number(loc, "Northernmost_Latitude");
        auto e = node_number(loc, "Easternmost_Longitude");
        auto w = node_number(loc, "Westernmost_Longitude");
        if (s && n && e && w && *s >= -90 && *n <= 90 && *s <= *n && std::fabs(*e) <= 180 &&
            std::fabs(*w) <= 180) {
            try {
                // Degenerate boxes (a single node) are widened by a hair so they stay polygons.
                double south = *s, north = *n, west = *w, east = *e;
                if (north - south < 1e-6) north = std::min(90.0, south + 1e-6);
                if (west == east) east = std::min(180.0, west + 1e-6);
                p.footprint =
                    normalize_footprint(Geometry::from_bbox(BBox{west, south, east, north}));
            } catch (const InvalidArgument&) {
                p.footprint = whole_globe();
            }
        }
    }

    nlohmann::json extra = nlohmann::json::object();
    auto put = [&](pugi::xml_node from, const char* name, const char* as) {
        if (!from) return;
        std::string v = xml::text(from, name);
        if (!v.empty()) extra[as] = std::move(v);
    };
    put(fixed, "File_Class", "smos:file_class");
    put(fixed, "File_Version", "smos:file_version");
    put(fixed, "Creator", "processing:software");
    put(variable, "Processing_Centre", "processing:facility");
    put(variable, "Acquisition_Station", "smos:acquisition_station");
    put(variable, "Product_Confidence", "smos:product_confidence");
    put(variable, "Polarisation_Flag", "smos:polarisation_flag");
    if (std::string created = xml::text(fixed, "Creation_Date"); !created.empty()) {
        try {
            extra["processing:datetime"] =
                format_datetime(ee_time(created, file_name, "Creation_Date"));
        } catch (const InvalidArgument&) {
            // A malformed creation date is not worth rejecting the product for.
        }
    }
    // Header bytes need not be valid UTF-8: replace bad sequences rather than throw.
    if (!extra.empty())
        p.extra_json = extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return p;
}

namespace {
// A product directory as on /eodata ("SM_OPER_..._1/" holding "SM_OPER_..._1.HDR" and .DBL).
fs::path hdr_in_directory(const fs::path& dir) {
    std::string name = dir.filename().string();
    if (name.empty()) name = dir.parent_path().filename().string();
    std::error_code ec;
    if (fs::path own = dir / (name + ".HDR"); fs::is_regular_file(own, ec)) return own;
    fs::path first;
    size_t seen = 0;
    fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    for (fs::directory_iterator end; !ec && it != end && ++seen <= 10000; it.increment(ec))
        if (iends_with(it->path().filename().string(), ".HDR") &&
            (first.empty() || it->path() < first))
            first = it->path();
    if (first.empty())
        throw InvalidArgument(kOrigin,
                              fmt::format("{}: no .HDR file in the directory", dir.string()));
    return first;
}
}  // namespace

Product read_smos_hdr(const fs::path& path, const ReadOptions& opt) {
    std::error_code dec;
    const fs::path file = fs::is_directory(path, dec) ? hdr_in_directory(path) : path;
    std::string text = read_file_capped(file, opt.max_metadata_bytes);
    Product p = parse_smos_hdr(text, file.string());
    fs::path dir = file.parent_path();
    p.path = dir.empty() ? std::string(".") : dir.string();
    if (!opt.list_files) return p;
    std::error_code ec;
    std::uint64_t total = 0;
    for (const char* ext : {".DBL", ".HDR"}) {
        fs::path f = file;
        f.replace_extension(ext);
        auto size = fs::file_size(f, ec);
        if (ec) continue;
        ProductFile pf;
        pf.path = f.filename().string();
        pf.size = size;
        total += size;
        pf.media_type = std::string(ext) == ".HDR" ? "application/xml" : "application/octet-stream";
        pf.role = std::string(ext) == ".HDR" ? "metadata" : "data";
        p.files.push_back(std::move(pf));
    }
    if (!p.files.empty()) p.size = total;
    return p;
}

}  // namespace creodias::detail
