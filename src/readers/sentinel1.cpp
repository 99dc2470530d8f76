// Sentinel-1 SAR SAFE products (RAW, SLC, GRD, OCN), from manifest.safe.
//
// The product name is authoritative for the CDSE product type ("IW_GRDH_1S"): the manifest
// says "GRD" but not the resolution class (H/M/F). Everything else comes from the manifest.
// Products copied from the AWS sentinel-s1-l1c bucket may lack manifest.safe but carry the
// bucket's productInfo.json, which is accepted as a fallback with fewer fields.

#include "readers/readers_internal.hpp"
#include "readers/sentinel_common.hpp"

#include <nlohmann/json.hpp>

#include <cctype>

namespace creodias::detail {

namespace {

using safe::Where;

constexpr const char* kOrigin = "sentinel1";

/// "S1A_IW_GRDH_1SDV_20210119T031653_..." has fixed-width fields; checks the separators and
/// the level digit so that a foreign name is never sliced into nonsense.
bool has_s1_layout(std::string_view n) {
    return safe::unit_letter(n, '1') && n.size() >= 17 && n[6] == '_' && n[11] == '_' &&
           n[16] == '_' && std::isdigit(static_cast<unsigned char>(n[12]));
}

/// "IW_GRDH_1S" from the name, as the CDSE catalogue spells the product type.
std::string type_from_name(std::string_view n) {
    return has_s1_layout(n) ? std::string(n.substr(4, 10)) : "";
}

/// Beam/mode field of the name: "IW", "EW", "WV", "S1".."S6".
std::string beam_from_name(std::string_view n) {
    return has_s1_layout(n) ? std::string(n.substr(4, 2)) : "";
}

/// Polarisation code of the name ("DV", "SH", "HH"...) as a channel list.
std::vector<std::string> polarisations_from_code(std::string_view code) {
    if (code == "SH") return {"HH"};
    if (code == "SV") return {"VV"};
    if (code == "DH") return {"HH", "HV"};
    if (code == "DV") return {"VV", "VH"};
    if (code == "HH" || code == "VV" || code == "HV" || code == "VH") return {std::string(code)};
    return {};
}

std::vector<std::string> polarisations_from_name(std::string_view n) {
    return has_s1_layout(n) ? polarisations_from_code(n.substr(14, 2)) : std::vector<std::string>{};
}

/// Absolute orbit from the name: "..._036201_043ED0_8255" -> 36201.
std::optional<std::int64_t> orbit_from_name(std::string_view n) {
    if (!has_s1_layout(n)) return std::nullopt;
    auto parts = split(n, '_');
    // S1A, IW, GRDH, 1SDV, start, stop, orbit, datatake, crc (SLC has an empty field: "SLC_")
    for (size_t i = 0; i + 2 < parts.size(); ++i)
        if (parts[i].size() == 15 && parts[i][8] == 'T' && parts[i + 1].size() == 15 &&
            parts[i + 2].size() == 6)
            if (auto v = parse_int(parts[i + 2])) return *v;
    return std::nullopt;
}

std::string level_for(std::string_view product_type, std::string_view manifest_type) {
    // product_type "IW_GRDH_1S": the level digit follows the second separator.
    if (product_type.size() == 10 && std::isdigit(static_cast<unsigned char>(product_type[8])))
        return fmt::format("LEVEL{}", product_type[8]);
    if (manifest_type == "OCN") return "LEVEL2";
    if (manifest_type == "RAW") return "LEVEL0";
    if (manifest_type == "SLC" || manifest_type == "GRD") return "LEVEL1";
    return {};
}

/// Band (polarisation) of a measurement file: "measurement/s1a-iw1-slc-hh-...-004.tiff" or
/// the AWS short form "measurement/iw-vv.tiff".
std::string band_of(std::string_view path) {
    if (!starts_with(path, "measurement/")) return {};
    auto base = safe::base_name(path);
    auto dot = base.find_last_of('.');
    const std::string stem = to_lower(base.substr(0, dot));
    for (const auto& t : split(stem, '-'))
        if (t == "vv" || t == "vh" || t == "hh" || t == "hv") return to_upper(t);
    return {};
}

void set_common(Product& p, std::string_view product_name) {
    p.collection = "SENTINEL-1";
    p.instrument = "SAR";
    p.name = std::string(product_name);
    p.id = product_name_key(product_name);
}

/// Fills what the name alone tells, where the metadata left a gap.
void complete_from_name(Product& p, std::string_view product_name, std::string_view manifest_type) {
    if (p.product_type.empty()) p.product_type = type_from_name(product_name);
    if (p.product_type.empty() &&
        (manifest_type == "SLC" || manifest_type == "OCN" || manifest_type == "RAW")) {
        // Without a usable name only the resolution-free types can be spelled exactly.
        auto beam = p.sensor_mode == "SM" ? std::string() : p.sensor_mode;
        if (!beam.empty()) {
            char level = manifest_type == "OCN" ? '2' : manifest_type == "RAW" ? '0' : '1';
            p.product_type = fmt::format("{}_{}__{}S", beam, manifest_type, level);
        }
    }
    p.processing_level = level_for(p.product_type, manifest_type);
    if (p.platform.empty())
        if (char u = safe::unit_letter(product_name, '1'))
            p.platform = fmt::format("SENTINEL-1{}", u);
    if (p.polarisations.empty()) p.polarisations = polarisations_from_name(product_name);
    if (!p.orbit_number) p.orbit_number = orbit_from_name(product_name);
    if (p.sensor_mode.empty()) {
        auto beam = beam_from_name(product_name);
        p.sensor_mode = (beam.size() == 2 && beam[0] == 'S' &&
                         std::isdigit(static_cast<unsigned char>(beam[1])))
                            ? "SM"
                            : beam;
    }
}

/// Relative orbit from the absolute one, for S1A/S1B (175 orbits per 12-day cycle; offsets
/// from the ESA Sentinel-1 product specification). Only used when no manifest says it.
std::optional<std::int64_t> relative_orbit(std::string_view platform, std::int64_t absolute) {
    if (absolute <= 0) return std::nullopt;
    if (platform == "SENTINEL-1A") return (absolute - 73 + 175 * 1000) % 175 + 1;
    if (platform == "SENTINEL-1B") return (absolute - 27 + 175 * 1000) % 175 + 1;
    return std::nullopt;
}

/// productInfo.json of the AWS sentinel-s1-l1c bucket (no manifest.safe next to it).
Product parse_product_info(std::string_view text, std::string_view product_name) {
    Where w{kOrigin, fmt::format("{}/productInfo.json", product_name)};
    nlohmann::json j = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
    if (j.is_discarded() || !j.is_object()) safe::fail(w, "not a JSON object");
    auto str = [&](const char* key) -> std::string {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    Product p;
    set_common(p, product_name);
    const std::string start = str("startTime");
    if (start.empty()) safe::fail(w, "missing member startTime");
    p.sensing_start = safe::to_time(start, w, "startTime");
    const std::string stop = str("stopTime");
    p.sensing_end = stop.empty() ? p.sensing_start : safe::to_time(stop, w, "stopTime");
    if (auto it = j.find("absoluteOrbitNumber"); it != j.end() && it->is_number_integer())
        p.orbit_number = it->get<std::int64_t>();
    const std::string mission = str("missionId");  // "S1A"
    if (mission.size() == 3 && starts_with(mission, "S1"))
        p.platform = fmt::format("SENTINEL-1{}", mission[2]);
    p.sensor_mode = str("mode");
    // The bucket's polarisation code is the name's ("DV", "SH"...).
    p.polarisations = polarisations_from_code(str("polarization"));
    // GeoJSON footprint (lon, lat), Polygon or MultiPolygon.
    auto fp = j.find("footprint");
    if (fp == j.end() || !fp->is_object()) safe::fail(w, "missing member footprint");
    auto ring_of = [&](const nlohmann::json& r) {
        Geometry::Ring ring;
        if (!r.is_array()) safe::fail(w, "footprint: malformed coordinates");
        for (const auto& pos : r) {
            if (!pos.is_array() || pos.size() < 2 || !pos[0].is_number() || !pos[1].is_number())
                safe::fail(w, "footprint: malformed position");
            ring.push_back({pos[0].get<double>(), pos[1].get<double>()});
        }
        return safe::close_ring(std::move(ring), w, "footprint");
    };
    auto poly_of = [&](const nlohmann::json& rings) {
        Geometry::Part part;
        if (!rings.is_array() || rings.empty()) safe::fail(w, "footprint: malformed polygon");
        for (const auto& r : rings) part.push_back(ring_of(r));
        return part;
    };
    const std::string type = fp->value("type", "");
    auto coords = fp->find("coordinates");
    if (coords == fp->end()) safe::fail(w, "footprint: missing coordinates");
    std::vector<Geometry::Part> parts;
    if (type == "Polygon") {
        parts.push_back(poly_of(*coords));
    } else if (type == "MultiPolygon" && coords->is_array()) {
        for (const auto& poly : *coords) parts.push_back(poly_of(poly));
    } else {
        safe::fail(w, fmt::format("footprint: unsupported geometry type '{}'", type));
    }
    if (parts.empty()) safe::fail(w, "footprint: no polygon");
    p.footprint = safe::normalized(Geometry(GeometryType::multi_polygon, std::move(parts)), w);
    complete_from_name(p, product_name, str("productType"));
    if (p.orbit_number) p.relative_orbit = relative_orbit(p.platform, *p.orbit_number);
    return p;
}

}  // namespace

Product parse_sentinel1_manifest(std::string_view manifest_xml, std::string_view product_name) {
    Where w{kOrigin, product_name.empty() ? std::string("manifest.safe")
                                          : fmt::format("{}/manifest.safe", product_name)};
    const safe::XfduManifest manifest(manifest_xml, w);
    const auto& objs = manifest.objects;

    Product p;
    set_common(p, product_name);
    nlohmann::json extra = nlohmann::json::object();

    manifest.read_acquisition_period(p, w);

    auto platform = xml::child(safe::xml_data(safe::metadata_object(objs, "platform")), "platform");
    auto family = safe::text_of(xml::child(platform, "familyName"));  // "SENTINEL-1"
    auto number = safe::text_of(xml::child(platform, "number"));      // "A"
    if (!family.empty() && !number.empty())
        p.platform = to_upper(fmt::format("{}{}", family, number));
    auto instrument = xml::child(platform, "instrument");
    auto mode_node = xml::find(instrument, "instrumentMode");
    p.sensor_mode = std::string(safe::text_of(xml::child(mode_node, "mode")));
    nlohmann::json swaths = nlohmann::json::array();
    for (auto s = mode_node.first_child(); s; s = s.next_sibling())
        if (s.type() == pugi::node_element && xml::local_name(s.name()) == "swath")
            swaths.push_back(std::string(safe::text_of(s)));
    if (!swaths.empty()) extra["s1:swaths"] = std::move(swaths);

    auto orbit = xml::child(
        safe::xml_data(safe::metadata_object(objs, "measurementOrbitReference")), "orbitReference");
    for (auto c = orbit.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        const auto ln = xml::local_name(c.name());
        const std::string type = xml::attr(c, "type");
        if (ln == "orbitNumber" && (type == "start" || (type.empty() && !p.orbit_number)))
            p.orbit_number = safe::opt_int(safe::text_of(c), w, "orbitReference/orbitNumber");
        else if (ln == "relativeOrbitNumber" &&
                 (type == "start" || (type.empty() && !p.relative_orbit)))
            p.relative_orbit =
                safe::opt_int(safe::text_of(c), w, "orbitReference/relativeOrbitNumber");
        else if (ln == "cycleNumber")
            if (auto v = safe::opt_int(safe::text_of(c), w, "orbitReference/cycleNumber"))
                extra["sat:orbit_cycle"] = *v;
    }
    p.orbit_direction =
        safe::to_direction(safe::text_of(xml::find(orbit, "pass")), w, "orbitProperties/pass");

    // s1sarl1:standAloneProductInformation (L1) or s1sarl2:... (L2 OCN).
    auto info = xml::child(safe::xml_data(safe::metadata_object(objs, "generalProductInformation")),
                           "standAloneProductInformation");
    std::string manifest_type;
    for (auto c = info.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        const auto ln = xml::local_name(c.name());
        auto value = safe::text_of(c);
        if (ln == "transmitterReceiverPolarisation") {
            if (!value.empty()) p.polarisations.emplace_back(to_upper(value));
        } else if (ln == "productType") {
            manifest_type = to_upper(value);
        } else if (ln == "productTimelinessCategory" && !value.empty()) {
            extra["s1:product_timeliness"] = std::string(value);
        } else if (ln == "missionDataTakeID" && !value.empty()) {
            extra["s1:datatake_id"] = std::string(value);
        } else if (ln == "sliceNumber") {
            if (auto v = safe::opt_int(value, w, "sliceNumber")) extra["s1:slice_number"] = *v;
        } else if (ln == "totalSlices") {
            if (auto v = safe::opt_int(value, w, "totalSlices")) extra["s1:total_slices"] = *v;
        }
    }

    // One frame for IW/EW/SM; one per vignette for WV, hence a MultiPolygon.
    auto frames =
        xml::child(safe::xml_data(safe::metadata_object(objs, "measurementFrameSet")), "frameSet");
    std::vector<Geometry::Part> parts;
    for (auto coords : xml::find_all(frames, "coordinates")) {
        auto pts = safe::parse_lat_lon(safe::text_of(coords), w, "footPrint/coordinates");
        parts.push_back({safe::close_ring(std::move(pts), w, "footPrint/coordinates")});
    }
    if (parts.empty())
        safe::fail(w, "missing element measurementFrameSet/frameSet/frame/footPrint/coordinates");
    p.footprint = safe::normalized(Geometry(GeometryType::multi_polygon, std::move(parts)), w);

    // The outermost processing step is the one that produced this product; nested steps
    // describe its inputs (L0 slices whose software version is often empty).
    auto processing = safe::xml_data(safe::metadata_object(objs, "processing"));
    for (auto sw : xml::find_all(processing, "software")) {
        const std::string version = xml::attr(sw, "version");
        if (version.empty()) continue;
        p.processing_baseline = version;
        const std::string name = xml::attr(sw, "name");
        extra["processing:software"] = {
            {name.empty() ? std::string("Sentinel-1 IPF") : name, version}};
        break;
    }

    complete_from_name(p, product_name, manifest_type);
    p.files = safe::manifest_files(manifest.root, w, band_of);
    p.extra_json = safe::dump_extra(extra);
    return p;
}

Product read_sentinel1_safe(ProductSource& src, const ReadOptions& opt) {
    const std::string name = src.root_name();
    Product p;
    std::vector<ProductFile> declared;
    if (src.exists("manifest.safe")) {
        p = parse_sentinel1_manifest(src.read("manifest.safe"), name);
        declared = std::move(p.files);
    } else if (src.exists("productInfo.json")) {
        p = parse_product_info(src.read("productInfo.json"), name);
    } else {
        throw InvalidArgument(
            kOrigin, fmt::format("{}: no manifest.safe in the product", src.location().string()));
    }
    safe::set_container_fields(p, src);
    p.files.clear();
    if (opt.list_files) p.files = safe::list_files(src, declared, band_of);
    return p;
}

}  // namespace creodias::detail
