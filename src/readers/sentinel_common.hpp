#pragma once
// Private: pieces shared by the Sentinel-1/2/3 SAFE readers (coordinate lists, XFDU manifests,
// the product file listing). Header-only so the three readers stay independent translation
// units; nothing here is used outside src/readers/sentinel*.cpp.

#include "core/strings.hpp"
#include "readers/source.hpp"
#include "readers/xml.hpp"

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>
#include <creodias/product.hpp>
#include <creodias/readers.hpp>
#include <creodias/time.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <pugixml.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <unordered_map>
#include <utility>
#include <vector>

namespace creodias::detail::safe {

/// Context for error messages: the reader ("sentinel2") and the document ("X.SAFE/MTD_MSIL2A.xml").
struct Where {
    std::string origin;
    std::string doc;
};

[[noreturn]] inline void fail(const Where& w, const std::string& message) {
    throw InvalidArgument(w.origin, fmt::format("{}: {}", w.doc, message));
}

/// Trimmed text of an element (empty for a null node).
inline std::string_view text_of(pugi::xml_node n) { return trim(n.child_value()); }

/// An element that must be present and non-empty.
inline std::string_view required_text(pugi::xml_node n, const Where& w, std::string_view element) {
    auto t = text_of(n);
    if (!n || t.empty()) fail(w, fmt::format("missing element {}", element));
    return t;
}

inline Timestamp to_time(std::string_view text, const Where& w, std::string_view element) {
    try {
        return parse_datetime(text);
    } catch (const InvalidArgument&) {
        fail(w,
             fmt::format("element {}: '{}' is not a valid date-time", element, text.substr(0, 64)));
    }
}

/// Integer content of an element: nullopt when the element is absent or empty, an error when
/// it holds anything else than an integer (a corrupt file, not a missing value).
inline std::optional<std::int64_t> opt_int(std::string_view text, const Where& w,
                                           std::string_view element) {
    if (text.empty()) return std::nullopt;
    auto v = parse_int(text);
    if (!v) fail(w, fmt::format("element {}: '{}' is not an integer", element, text.substr(0, 64)));
    return static_cast<std::int64_t>(*v);
}

inline std::optional<double> opt_double(std::string_view text, const Where& w,
                                        std::string_view element) {
    if (text.empty()) return std::nullopt;
    auto v = parse_double(text);
    if (!v || !std::isfinite(*v))
        fail(w, fmt::format("element {}: '{}' is not a number", element, text.substr(0, 64)));
    return v;
}

inline OrbitDirection to_direction(std::string_view text, const Where& w,
                                   std::string_view element) {
    if (text.empty()) return OrbitDirection::unknown;
    try {
        return parse_orbit_direction(text);
    } catch (const InvalidArgument&) {
        fail(w, fmt::format("element {}: '{}' is not an orbit direction", element,
                            text.substr(0, 64)));
    }
}

/// Product::extra_json text. Attribute values come from the file as bytes, so invalid UTF-8
/// is replaced rather than allowed to make nlohmann::json throw its own exception type.
inline std::string dump_extra(const nlohmann::json& extra) {
    if (extra.empty()) return {};
    return extra.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

/// A number for extra_json: integral values stay integers ("-1000", not "-1000.0").
inline nlohmann::json json_number(double v) {
    if (std::fabs(v) < 9e15 && v == std::trunc(v)) return static_cast<std::int64_t>(v);
    return v;
}

/// Parses a coordinate list written latitude first, as all SAFE formats do: "lat lon lat lon"
/// (S2 EXT_POS_LIST, S3 gml:posList) or "lat,lon lat,lon" (S1 gml:coordinates).
/// Hand-rolled rather than split()+parse_double() because footprints are the bulk of the
/// numbers in a manifest and this avoids one allocation per number.
inline std::vector<LonLat> parse_lat_lon(std::string_view text, const Where& w,
                                         std::string_view element) {
    std::vector<LonLat> out;
    out.reserve(text.size() / 24 + 1);
    const char* p = text.data();
    const char* const end = p + text.size();
    auto is_sep = [](char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',';
    };
    double lat = 0;
    bool have_lat = false;
    while (p < end) {
        while (p < end && is_sep(*p)) ++p;
        if (p == end) break;
        const char* b = p;
        while (p < end && !is_sep(*p)) ++p;
        const char* nb = (*b == '+') ? b + 1 : b;
        double v = 0;
        auto [q, ec] = std::from_chars(nb, p, v);
        if (ec != std::errc() || q != p || !std::isfinite(v))
            fail(w, fmt::format(
                        "element {}: '{}' is not a coordinate", element,
                        std::string_view(b, std::min<size_t>(static_cast<size_t>(p - b), 40))));
        if (!have_lat) {
            if (v < -90 || v > 90)
                fail(w, fmt::format("element {}: latitude {} outside [-90,90]", element, v));
            lat = v;
            have_lat = true;
        } else {
            if (v < -180 || v > 180)
                fail(w, fmt::format("element {}: longitude {} outside [-180,180]", element, v));
            out.push_back({v, lat});
            have_lat = false;
        }
    }
    if (have_lat) fail(w, fmt::format("element {}: odd number of coordinates", element));
    return out;
}

/// Closes a vertex list into a polygon ring; a ring needs at least three distinct vertices.
inline Geometry::Ring close_ring(std::vector<LonLat> pts, const Where& w,
                                 std::string_view element) {
    if (!pts.empty() && !(pts.front() == pts.back())) pts.push_back(pts.front());
    if (pts.size() < 4)
        fail(w, fmt::format("element {}: a footprint needs at least 3 vertices", element));
    return pts;
}

/// normalize_footprint() with the document named in its errors. Any failure there comes from
/// the footprint we were given, so it is reported as bad input.
inline Geometry normalized(const Geometry& g, const Where& w) {
    try {
        return normalize_footprint(g);
    } catch (const std::bad_alloc&) {
        throw;
    } catch (const std::exception& e) {
        fail(w, fmt::format("unusable footprint: {}", e.what()));
    }
}

using MetadataObjects = std::vector<std::pair<std::string_view, pugi::xml_node>>;

/// Local ID -> metadataObject for an XFDU manifest's metadataSection (one pass over its
/// direct children instead of a search per field).
inline MetadataObjects metadata_objects(pugi::xml_node xfdu) {
    MetadataObjects out;
    auto section = xml::child(xfdu, "metadataSection");
    for (auto c = section.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element || xml::local_name(c.name()) != "metadataObject")
            continue;
        out.emplace_back(c.attribute("ID").value(), c);
    }
    return out;
}

inline pugi::xml_node metadata_object(const MetadataObjects& objs, std::string_view id) {
    for (const auto& [k, n] : objs)
        if (k == id) return n;
    return {};
}

/// The xmlData payload of a metadataObject (metadataWrap/xmlData).
inline pugi::xml_node xml_data(pugi::xml_node metadata_object) {
    return xml::path(metadata_object, "metadataWrap/xmlData");
}

/// An XFDU manifest (Sentinel-1 manifest.safe, Sentinel-3 xfdumanifest.xml), parsed and
/// checked, with its metadata objects. Built in place: the objects point into the document.
struct XfduManifest {
    pugi::xml_document doc;
    pugi::xml_node root;
    MetadataObjects objects;

    XfduManifest(std::string_view text, const Where& w) : doc(xml::parse(text, w.origin, w.doc)) {
        root = doc.document_element();
        if (xml::local_name(root.name()) != "XFDU")
            fail(w, fmt::format("root element <{}> is not an XFDU manifest", root.name()));
        objects = metadata_objects(root);
    }
    XfduManifest(const XfduManifest&) = delete;
    XfduManifest& operator=(const XfduManifest&) = delete;

    /// Sensing start and end from the acquisitionPeriod object (no stop time: end = start).
    void read_acquisition_period(Product& p, const Where& w) const {
        auto acq = xml::child(xml_data(metadata_object(objects, "acquisitionPeriod")), "acquisitionPeriod");
        p.sensing_start =
            to_time(required_text(xml::child(acq, "startTime"), w, "acquisitionPeriod/startTime"), w,
                    "acquisitionPeriod/startTime");
        auto stop = text_of(xml::child(acq, "stopTime"));
        p.sensing_end = stop.empty() ? p.sensing_start : to_time(stop, w, "acquisitionPeriod/stopTime");
        if (p.sensing_end < p.sensing_start) fail(w, "acquisitionPeriod/stopTime is before startTime");
    }
};

/// Path inside the product for a manifest href ("./measurement/x.tiff" -> "measurement/x.tiff").
inline std::string manifest_path(std::string_view href) {
    href = trim(href);
    while (starts_with(href, "./")) href.remove_prefix(2);
    return std::string(href);
}

inline std::string media_type_for(std::string_view path) {
    auto dot = path.find_last_of('.');
    auto slash = path.find_last_of('/');
    if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash))
        return "application/octet-stream";
    const std::string ext = to_lower(path.substr(dot + 1));
    if (ext == "jp2") return "image/jp2";
    if (ext == "tif" || ext == "tiff") return "image/tiff; application=geotiff";
    if (ext == "xml" || ext == "safe" || ext == "xsd" || ext == "xsl") return "application/xml";
    if (ext == "gml") return "application/gml+xml";
    if (ext == "nc") return "application/x-netcdf";
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "html" || ext == "htm") return "text/html";
    if (ext == "pdf") return "application/pdf";
    if (ext == "kml") return "application/vnd.google-earth.kml+xml";
    if (ext == "json") return "application/json";
    if (ext == "txt") return "text/plain";
    return "application/octet-stream";
}

inline std::string_view base_name(std::string_view path) {
    auto slash = path.find_last_of('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

/// Role of a product file: descriptive documents are "metadata", previews "thumbnail",
/// rasters and netCDF "data". `band` is the band the reader recognised (may be empty).
inline std::string role_for(std::string_view path, std::string_view band) {
    const std::string mt = media_type_for(path);
    const std::string base = to_lower(base_name(path));
    if (base.find("quick-look") != std::string::npos ||
        base.find("thumbnail") != std::string::npos || base.find("_pvi") != std::string::npos ||
        base.find("browse") != std::string::npos || mt == "image/png" || mt == "image/jpeg")
        return "thumbnail";
    if (mt == "application/xml" || mt == "application/gml+xml" || mt == "text/html" ||
        mt == "application/pdf" || mt == "application/json" || mt == "text/plain" ||
        mt == "application/vnd.google-earth.kml+xml")
        return "metadata";
    if (band == "TCI" || starts_with(base, "tci") || base.find("_tci") != std::string::npos)
        return "visual";
    return "data";
}

/// Data objects listed in an XFDU manifest's dataObjectSection: path, declared size and
/// checksums. Used for Product::files when only the manifest is known, and to attach
/// checksums to the files actually found.
template <typename BandFn>
std::vector<ProductFile> manifest_files(pugi::xml_node xfdu, const Where& w, BandFn band_of) {
    std::vector<ProductFile> out;
    auto section = xml::child(xfdu, "dataObjectSection");
    for (auto obj = section.first_child(); obj; obj = obj.next_sibling()) {
        if (obj.type() != pugi::node_element || xml::local_name(obj.name()) != "dataObject")
            continue;
        for (auto bs = obj.first_child(); bs; bs = bs.next_sibling()) {
            if (bs.type() != pugi::node_element || xml::local_name(bs.name()) != "byteStream")
                continue;
            auto loc = xml::child(bs, "fileLocation");
            std::string path = manifest_path(xml::attr(loc, "href"));
            if (path.empty()) continue;
            ProductFile f;
            f.path = std::move(path);
            std::string size = xml::attr(bs, "size");
            if (auto s = opt_int(size, w, "byteStream/@size"); s && *s >= 0)
                f.size = static_cast<std::uint64_t>(*s);
            for (auto c = bs.first_child(); c; c = c.next_sibling()) {
                if (c.type() != pugi::node_element || xml::local_name(c.name()) != "checksum")
                    continue;
                auto value = text_of(c);
                if (value.empty()) continue;
                std::string algo = to_upper(trim(xml::attr(c, "checksumName")));
                f.checksums.push_back({algo.empty() ? "MD5" : algo, to_lower(value)});
            }
            f.band = band_of(f.path);
            f.media_type = media_type_for(f.path);
            f.role = role_for(f.path, f.band);
            out.push_back(std::move(f));
        }
    }
    return out;
}

/// Product::files from what is really in the product, with checksums taken from `declared`
/// (the manifest's data objects) by path.
template <typename BandFn>
std::vector<ProductFile> list_files(const ProductSource& src,
                                    const std::vector<ProductFile>& declared, BandFn band_of) {
    std::unordered_map<std::string_view, const ProductFile*> by_path;
    by_path.reserve(declared.size());
    for (const auto& d : declared) by_path.emplace(d.path, &d);
    std::vector<ProductFile> out;
    out.reserve(src.entries().size());
    for (const auto& e : src.entries()) {
        ProductFile f;
        f.path = e.path;
        f.size = e.size;
        if (auto it = by_path.find(e.path); it != by_path.end())
            f.checksums = it->second->checksums;
        f.band = band_of(f.path);
        f.media_type = media_type_for(f.path);
        f.role = role_for(f.path, f.band);
        out.push_back(std::move(f));
    }
    return out;
}

/// Fields that describe where the product lives rather than what it contains.
inline void set_container_fields(Product& p, const ProductSource& src) {
    p.name = src.root_name();
    p.id = product_name_key(p.name);
    p.path = src.location().string();
    p.online = true;
    std::error_code ec;
    if (std::filesystem::is_regular_file(src.location(), ec)) {
        // A zip: the product's size is what a user downloads.
        auto size = std::filesystem::file_size(src.location(), ec);
        if (!ec) p.size = size;
    } else {
        std::uint64_t total = 0;
        for (const auto& e : src.entries()) total += e.size;
        p.size = total;
    }
}

/// "S2A" -> 'A' etc.: the unit letter of a Sentinel product name, or 0.
inline char unit_letter(std::string_view name, char mission) {
    if (name.size() >= 4 && name[0] == 'S' && name[1] == mission && name[2] >= 'A' &&
        name[2] <= 'Z' && name[3] == '_')
        return name[2];
    return 0;
}

}  // namespace creodias::detail::safe
