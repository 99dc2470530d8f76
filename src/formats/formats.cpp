#include <creodias/formats.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace creodias {

using nlohmann::json;

namespace {

json geometry_json(const Geometry& g) { return json::parse(g.to_geojson()); }

std::string multihash(const Checksum& c) {
    std::string a = detail::to_upper(c.algorithm);
    if (a == "MD5") return "d510" + c.value;
    if (a == "SHA256" || a == "SHA-256") return "1220" + c.value;
    if (a == "BLAKE3") return "1e20" + c.value;
    if (a == "SHA3-256") return "1620" + c.value;
    return {};
}

std::string download_url(const Product& p, const FormatOptions& o) {
    if (!o.download_base_url.empty()) return o.download_base_url + p.id;
    if (p.path.empty()) return {};
    return "file://" + p.path;
}

std::string media_type_of(const ProductFile& f) {
    if (!f.media_type.empty()) return f.media_type;
    const auto& n = f.path;
    if (detail::iends_with(n, ".jp2")) return "image/jp2";
    if (detail::iends_with(n, ".tif") || detail::iends_with(n, ".tiff")) return "image/tiff; application=geotiff";
    if (detail::iends_with(n, ".xml") || detail::iends_with(n, ".safe")) return "application/xml";
    if (detail::iends_with(n, ".json")) return "application/json";
    if (detail::iends_with(n, ".nc")) return "application/x-netcdf";
    if (detail::iends_with(n, ".png")) return "image/png";
    if (detail::iends_with(n, ".jpg") || detail::iends_with(n, ".jpeg")) return "image/jpeg";
    if (detail::iends_with(n, ".txt")) return "text/plain";
    return "application/octet-stream";
}

std::string join_path(const std::string& root, const std::string& rel) {
    if (root.empty()) return rel;
    if (detail::iends_with(root, ".zip")) return "/vsizip/" + root + "/" + rel;
    return root + "/" + rel;
}

json resto_feature(const Product& p, const FormatOptions& o) {
    json props = json::object();
    props["collection"] = p.collection;
    props["title"] = p.name;
    props["productIdentifier"] = p.path;
    props["productType"] = p.product_type;
    props["processingLevel"] = p.processing_level;
    props["platform"] = p.platform;
    props["instrument"] = p.instrument;
    if (!p.sensor_mode.empty()) props["sensorMode"] = p.sensor_mode;
    props["startDate"] = format_datetime(p.sensing_start);
    props["completionDate"] = format_datetime(p.sensing_end);
    props["published"] = p.published ? json(format_datetime(*p.published)) : json(nullptr);
    props["updated"] = p.updated ? json(format_datetime(*p.updated)) : json(nullptr);
    props["cloudCover"] = p.cloud_cover ? json(*p.cloud_cover) : json(nullptr);
    props["orbitNumber"] = p.orbit_number ? json(*p.orbit_number) : json(nullptr);
    props["relativeOrbitNumber"] = p.relative_orbit ? json(*p.relative_orbit) : json(nullptr);
    props["orbitDirection"] = p.orbit_direction == OrbitDirection::unknown ? json(nullptr)
                                                                           : json(std::string(to_string(p.orbit_direction)));
    if (!p.tile_id.empty()) props["tileId"] = p.tile_id;
    if (!p.polarisations.empty()) {
        std::string pol;
        for (const auto& x : p.polarisations) pol += (pol.empty() ? "" : "&") + x;
        props["polarisation"] = pol;
    }
    if (!p.processing_baseline.empty()) props["processingBaseline"] = p.processing_baseline;
    props["status"] = p.online ? "ONLINE" : "OFFLINE";
    json download = {{"url", download_url(p, o)}, {"mimeType", "application/octet-stream"}};
    if (p.size) download["size"] = *p.size;
    if (!p.checksums.empty()) {
        json cs = json::array();
        for (const auto& c : p.checksums) cs.push_back({{"algorithm", c.algorithm}, {"value", c.value}});
        download["checksum"] = cs;
    }
    props["services"] = {{"download", download}};
    if (!p.extra_json.empty() && p.extra_json != "{}") {
        auto x = json::parse(p.extra_json, nullptr, false);
        if (x.is_object())
            for (auto& [k, v] : x.items())
                if (!props.contains(k)) props[k] = v;
    }
    return json{{"type", "Feature"}, {"id", p.id}, {"geometry", geometry_json(p.footprint)}, {"properties", props}};
}

std::string lower(std::string_view s) { return detail::to_lower(s); }

json stac_item(const Product& p, const FormatOptions& o) {
    json props = json::object();
    std::vector<std::string> ext;
    props["datetime"] = format_datetime(p.sensing_start);
    props["start_datetime"] = format_datetime(p.sensing_start);
    props["end_datetime"] = format_datetime(p.sensing_end);
    if (p.published) props["published"] = format_datetime(*p.published);
    if (p.updated) props["updated"] = format_datetime(*p.updated);
    if (!p.platform.empty()) props["platform"] = lower(p.platform);
    if (!p.collection.empty()) props["constellation"] = lower(p.collection);
    if (!p.instrument.empty()) props["instruments"] = json::array({lower(p.instrument)});
    if (p.cloud_cover) {
        props["eo:cloud_cover"] = *p.cloud_cover;
        ext.push_back("https://stac-extensions.github.io/eo/v2.0.0/schema.json");
    }
    bool sat = false;
    if (p.orbit_number) props["sat:absolute_orbit"] = *p.orbit_number, sat = true;
    if (p.relative_orbit) props["sat:relative_orbit"] = *p.relative_orbit, sat = true;
    if (p.orbit_direction != OrbitDirection::unknown)
        props["sat:orbit_state"] = lower(to_string(p.orbit_direction)), sat = true;
    if (sat) ext.push_back("https://stac-extensions.github.io/sat/v1.1.0/schema.json");
    if (!p.polarisations.empty() || (!p.sensor_mode.empty() && detail::starts_with(p.collection, "SENTINEL-1"))) {
        if (!p.polarisations.empty()) props["sar:polarizations"] = p.polarisations;
        if (!p.sensor_mode.empty()) props["sar:instrument_mode"] = p.sensor_mode;
        ext.push_back("https://stac-extensions.github.io/sar/v1.2.0/schema.json");
    }
    if (!p.tile_id.empty()) {
        bool wrs = p.tile_id.size() == 6 && std::all_of(p.tile_id.begin(), p.tile_id.end(), ::isdigit);
        props["grid:code"] = (wrs ? "WRS2-" : "MGRS-") + p.tile_id;
        ext.push_back("https://stac-extensions.github.io/grid/v1.1.0/schema.json");
    }
    if (!p.processing_level.empty()) props["processing:level"] = p.processing_level;
    if (!p.processing_baseline.empty()) props["processing:version"] = p.processing_baseline;
    if (!p.processing_level.empty() || !p.processing_baseline.empty())
        ext.push_back("https://stac-extensions.github.io/processing/v1.2.0/schema.json");
    if (!p.product_type.empty()) {
        props["product:type"] = p.product_type;
        ext.push_back("https://stac-extensions.github.io/product/v0.1.0/schema.json");
    }
    props["storage:online"] = p.online;
    if (!p.extra_json.empty() && p.extra_json != "{}") {
        auto x = json::parse(p.extra_json, nullptr, false);
        if (x.is_object())
            for (auto& [k, v] : x.items())
                if (!props.contains(k)) props[k] = v;
    }
    json assets = json::object();
    bool file_ext = false;
    if (o.include_files) {
        for (const auto& f : p.files) {
            std::string key = !f.band.empty() ? f.band : f.path;
            if (assets.contains(key)) key = f.path;
            json a = {{"href", join_path(p.path, f.path)}, {"type", media_type_of(f)}};
            if (!f.role.empty()) a["roles"] = json::array({f.role});
            if (f.size) a["file:size"] = *f.size, file_ext = true;
            for (const auto& c : f.checksums) {
                auto mh = multihash(c);
                if (!mh.empty()) {
                    a["file:checksum"] = mh;
                    file_ext = true;
                    break;
                }
            }
            assets[key] = a;
        }
    }
    json product_asset = {{"href", download_url(p, o)}, {"roles", json::array({"data"})},
                          {"type", "application/octet-stream"}};
    if (p.size) product_asset["file:size"] = *p.size, file_ext = true;
    for (const auto& c : p.checksums) {
        auto mh = multihash(c);
        if (!mh.empty()) {
            product_asset["file:checksum"] = mh;
            file_ext = true;
            break;
        }
    }
    if (!assets.contains("product")) assets["product"] = product_asset;
    if (file_ext) ext.push_back("https://stac-extensions.github.io/file/v2.1.0/schema.json");
    BBox b = stac_bbox(p.footprint);
    json item = {{"type", "Feature"},
                 {"stac_version", "1.1.0"},
                 {"stac_extensions", ext},
                 {"id", p.id},
                 {"collection", p.collection},
                 {"geometry", geometry_json(p.footprint)},
                 {"bbox", {b.west, b.south, b.east, b.north}},
                 {"properties", props},
                 {"assets", assets},
                 {"links", json::array()}};
    return item;
}

}  // namespace

BBox stac_bbox(const Geometry& g) {
    auto boxes = g.part_bboxes();
    BBox all = g.bbox();
    if (boxes.size() < 2) return all;
    // Parts split at the antimeridian: one touches +180, another -180.
    bool east_edge = false, west_edge = false;
    for (const auto& b : boxes) {
        if (b.east >= 180) east_edge = true;
        if (b.west <= -180) west_edge = true;
    }
    if (!(east_edge && west_edge)) return all;
    double west = 180, east = -180;
    for (const auto& b : boxes) {
        if (b.west >= 0 || b.east >= 180) west = std::min(west, b.west);
        if (b.east <= 0 || b.west <= -180) east = std::max(east, b.east);
    }
    if (west <= east) return all;  // it covers everything between: not a crossing box
    return BBox{west, all.south, east, all.north};
}

std::string to_resto_feature(const Product& p, const FormatOptions& o) { return resto_feature(p, o).dump(o.indent); }

std::string to_resto_feature_collection(const Page& page, const FormatOptions& o) {
    json features = json::array();
    for (const auto& p : page.products) features.push_back(resto_feature(p, o));
    json props = {{"itemsPerPage", page.products.size()}, {"startIndex", 1}};
    if (page.count) {
        props["totalResults"] = page.count->value;
        props["exactCount"] = page.count->exact;
    } else {
        props["totalResults"] = nullptr;
        props["exactCount"] = false;
    }
    json links = json::array();
    if (!page.next_cursor.empty())
        links.push_back({{"rel", "next"}, {"type", "application/json"}, {"title", "Next page"},
                         {"cursor", page.next_cursor}, {"href", "?cursor=" + page.next_cursor}});
    props["links"] = links;
    json fc = {{"type", "FeatureCollection"}, {"properties", props}, {"features", features}};
    return fc.dump(o.indent);
}

std::string to_stac_item(const Product& p, const FormatOptions& o) { return stac_item(p, o).dump(o.indent); }

std::string to_stac_item_collection(const Page& page, const FormatOptions& o) {
    json features = json::array();
    for (const auto& p : page.products) features.push_back(stac_item(p, o));
    json fc = {{"type", "FeatureCollection"}, {"features", features}, {"numberReturned", page.products.size()}};
    if (page.count) {
        fc["numberMatched"] = page.count->value;
        if (!page.count->exact) fc["numberMatchedIsEstimate"] = true;
    }
    json links = json::array();
    if (!page.next_cursor.empty())
        links.push_back({{"rel", "next"}, {"type", "application/geo+json"}, {"href", "?cursor=" + page.next_cursor},
                         {"cursor", page.next_cursor}});
    fc["links"] = links;
    return fc.dump(o.indent);
}

}  // namespace creodias
