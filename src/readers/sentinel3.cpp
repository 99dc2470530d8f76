// Sentinel-3 SEN3 products (OLCI, SLSTR, SRAL, SYNERGY), from xfdumanifest.xml.

#include "readers/readers_internal.hpp"
#include "readers/sentinel_common.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <cmath>

namespace creodias::detail {

namespace {

using safe::Where;

constexpr const char* kOrigin = "sentinel3";

/// "S3A_OL_1_EFR____20211021T073827_..." -> "OL_1_EFR___" (fixed 11-character field).
std::string type_from_name(std::string_view n) {
    if (!safe::unit_letter(n, '3') || n.size() < 16 || n[15] != '_' || n[6] != '_' || n[8] != '_')
        return {};
    return std::string(n.substr(4, 11));
}

std::string instrument_from_type(std::string_view type) {
    if (starts_with(type, "OL_")) return "OLCI";
    if (starts_with(type, "SL_")) return "SLSTR";
    if (starts_with(type, "SR_")) return "SRAL";
    if (starts_with(type, "SY_")) return "SYNERGY";
    if (starts_with(type, "MW_")) return "MWR";
    return {};
}

bool is_digit(char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; }

/// Band of a measurement file: "Oa01_radiance.nc" -> "Oa01", "S7_BT_in.nc" -> "S7",
/// "Syn_S1N_reflectance.nc" -> "S1N". Quality and geometry files are not bands.
std::string band_of(std::string_view path) {
    auto base = safe::base_name(path);
    if (!iends_with(base, ".nc")) return {};
    auto tokens = split(base.substr(0, base.size() - 3), '_');
    size_t i = (!tokens.empty() && tokens[0] == "Syn") ? 1 : 0;
    if (i + 1 >= tokens.size()) return {};
    const std::string& t = tokens[i];
    const std::string& kind = tokens[i + 1];
    if (kind != "radiance" && kind != "reflectance" && kind != "BT") return {};
    const bool olci =
        t.size() == 4 && t[0] == 'O' && t[1] == 'a' && is_digit(t[2]) && is_digit(t[3]);
    const bool slstr = (t.size() == 2 || (t.size() == 3 && (t[2] == 'N' || t[2] == 'O'))) &&
                       (t[0] == 'S' || t[0] == 'F') && is_digit(t[1]);
    return olci || slstr ? t : std::string();
}

/// Altimetry (SRAL) footprints are the nadir track drawn as a sliver polygon that goes out
/// and comes back a few metres aside. Such a ring is a track: returns its outbound half, or
/// nothing when the ring is a real area.
std::optional<Geometry::Ring> out_and_back(const std::vector<LonLat>& pts) {
    if (pts.size() < 5 || !(pts.front() == pts.back()) || (pts.size() - 1) % 2 != 0)
        return std::nullopt;
    const size_t n = pts.size() - 1;     // distinct vertices
    constexpr double kTolerance = 0.05;  // degrees; the return leg is ~0.005 degrees off
    for (size_t i = 0; i < n / 2; ++i) {
        const LonLat& a = pts[i];
        const LonLat& b = pts[n - 1 - i];
        double dlon = std::fabs(a.lon - b.lon);
        if (dlon > 180) dlon = 360 - dlon;
        if (std::fabs(a.lat - b.lat) > kTolerance || dlon > kTolerance) return std::nullopt;
    }
    return Geometry::Ring(pts.begin(), pts.begin() + static_cast<std::ptrdiff_t>(n / 2));
}

/// The processor that made this product: the manifest lists the whole processing chain,
/// outermost first, and the outermost step is often the packager ("PUG"). Prefers the IPF
/// of the product's own instrument and level ("IPF-OL-1-EO" for OL_1_*), then any IPF of
/// that level ("IPF-SM-2" for SR_2_LAN), then the first IPF.
std::pair<std::string, std::string> product_processor(pugi::xml_node processing,
                                                      std::string_view type) {
    std::vector<std::pair<std::string, std::string>> ipfs;
    for (auto sw : xml::find_all(processing, "software")) {
        std::string name = xml::attr(sw, "name");
        std::string version = xml::attr(sw, "version");
        if (starts_with(name, "IPF-") && !version.empty())
            ipfs.emplace_back(std::move(name), std::move(version));
    }
    if (ipfs.empty()) return {};
    if (type.size() >= 4) {
        const std::string own = fmt::format("IPF-{}-{}", type.substr(0, 2), type[3]);
        for (const auto& s : ipfs)
            if (s.first == own || starts_with(s.first, own + "-")) return s;
        for (const auto& s : ipfs) {
            auto parts = split(s.first, '-');
            if (parts.size() >= 3 && parts[2].size() == 1 && parts[2][0] == type[3]) return s;
        }
    }
    return ipfs.front();
}

}  // namespace

Product parse_sentinel3_manifest(std::string_view manifest_xml, std::string_view product_name) {
    Where w{kOrigin, product_name.empty() ? std::string("xfdumanifest.xml")
                                          : fmt::format("{}/xfdumanifest.xml", product_name)};
    const safe::XfduManifest manifest(manifest_xml, w);
    const auto& objs = manifest.objects;

    Product p;
    p.collection = "SENTINEL-3";
    p.name = std::string(product_name);
    p.id = product_name_key(product_name);
    nlohmann::json extra = nlohmann::json::object();

    manifest.read_acquisition_period(p, w);

    auto info = xml::child(safe::xml_data(safe::metadata_object(objs, "generalProductInformation")),
                           "generalProductInformation");
    p.product_type = std::string(safe::text_of(xml::child(info, "productType")));
    if (p.product_type.empty()) p.product_type = type_from_name(product_name);
    if (p.product_type.size() >= 4 && is_digit(p.product_type[3]))
        p.processing_level = fmt::format("LEVEL{}", p.product_type[3]);
    if (auto v = safe::text_of(xml::child(info, "timeliness")); !v.empty())
        extra["s3:timeliness"] = std::string(v);
    if (auto v = safe::text_of(xml::child(info, "baselineCollection")); !v.empty())
        extra["s3:baseline_collection"] = std::string(v);
    if (auto size = safe::opt_int(safe::text_of(xml::child(info, "productSize")), w, "productSize");
        size && *size >= 0)
        p.size = static_cast<std::uint64_t>(*size);

    auto platform = xml::child(safe::xml_data(safe::metadata_object(objs, "platform")), "platform");
    auto family = safe::text_of(xml::child(platform, "familyName"));  // "Sentinel-3"
    auto number = safe::text_of(xml::child(platform, "number"));      // "A"
    if (!family.empty() && !number.empty())
        p.platform = to_upper(fmt::format("{}{}", family, number));
    else if (char u = safe::unit_letter(product_name, '3'))
        p.platform = fmt::format("SENTINEL-3{}", u);
    p.instrument =
        to_upper(xml::attr(xml::path(platform, "instrument/familyName"), "abbreviation"));
    if (p.instrument.empty()) p.instrument = instrument_from_type(p.product_type);

    auto orbit = xml::child(
        safe::xml_data(safe::metadata_object(objs, "measurementOrbitReference")), "orbitReference");
    std::string direction;
    for (auto c = orbit.first_child(); c; c = c.next_sibling()) {
        if (c.type() != pugi::node_element) continue;
        const auto ln = xml::local_name(c.name());
        const std::string type = xml::attr(c, "type");
        const bool start = type == "start" || type.empty();
        if (ln == "orbitNumber" && start && !p.orbit_number) {
            p.orbit_number = safe::opt_int(safe::text_of(c), w, "orbitReference/orbitNumber");
            direction = xml::attr(c, "groundTrackDirection");
        } else if (ln == "relativeOrbitNumber" && start && !p.relative_orbit) {
            p.relative_orbit =
                safe::opt_int(safe::text_of(c), w, "orbitReference/relativeOrbitNumber");
        } else if (ln == "cycleNumber") {
            if (auto v = safe::opt_int(safe::text_of(c), w, "orbitReference/cycleNumber"))
                extra["sat:orbit_cycle"] = *v;
        }
    }
    p.orbit_direction = safe::to_direction(direction, w, "orbitNumber/@groundTrackDirection");

    auto frames =
        xml::child(safe::xml_data(safe::metadata_object(objs, "measurementFrameSet")), "frameSet");
    const bool altimetry = starts_with(p.product_type, "SR_") || starts_with(p.product_type, "MW_");
    std::vector<Geometry::Part> polygons, lines;
    for (auto pos : xml::find_all(frames, "posList")) {
        auto pts = safe::parse_lat_lon(safe::text_of(pos), w, "footPrint/posList");
        if (pts.size() < 2) safe::fail(w, "element footPrint/posList: fewer than 2 vertices");
        if (!(pts.front() == pts.back())) {
            lines.push_back({std::move(pts)});
        } else if (auto track = altimetry ? out_and_back(pts) : std::nullopt) {
            lines.push_back({std::move(*track)});
        } else {
            polygons.push_back({safe::close_ring(std::move(pts), w, "footPrint/posList")});
        }
    }
    if (polygons.empty() && lines.empty())
        safe::fail(w, "missing element measurementFrameSet/frameSet/footPrint/posList");
    // A product is either an area or a track; if a manifest mixes them, the area wins.
    p.footprint = safe::normalized(polygons.empty()
                                       ? Geometry(GeometryType::multi_line_string, std::move(lines))
                                       : Geometry(GeometryType::multi_polygon, std::move(polygons)),
                                   w);

    auto [sw_name, sw_version] = product_processor(
        safe::xml_data(safe::metadata_object(objs, "processing")), p.product_type);
    if (!sw_version.empty()) {
        p.processing_baseline = sw_version;
        extra["processing:software"] = {{sw_name, sw_version}};
    }

    // Percentage of cloudy pixels, in the instrument section (olciProductInformation,
    // slstrProductInformation, synergyProductInformation...); L1 OLCI and SRAL have none.
    for (const auto& [id, node] : objs) {
        if (!ends_with(id, "ProductInformation") || id == "generalProductInformation") continue;
        auto cloudy = xml::find(node, "cloudyPixels");
        if (!cloudy) continue;
        const std::string pct = xml::attr(cloudy, "percentage");
        auto v = safe::opt_double(pct, w, "cloudyPixels/@percentage");
        if (v && (*v < 0 || *v > 100))
            safe::fail(w, fmt::format("cloudyPixels percentage {} outside [0,100]", *v));
        p.cloud_cover = v;
        break;
    }

    p.files = safe::manifest_files(manifest.root, w, band_of);
    p.extra_json = safe::dump_extra(extra);
    return p;
}

Product read_sentinel3_sen3(ProductSource& src, const ReadOptions& opt) {
    const std::string name = src.root_name();
    if (!src.exists("xfdumanifest.xml"))
        throw InvalidArgument(kOrigin, fmt::format("{}: no xfdumanifest.xml in the product",
                                                   src.location().string()));
    Product p = parse_sentinel3_manifest(src.read("xfdumanifest.xml"), name);
    std::vector<ProductFile> declared = std::move(p.files);
    safe::set_container_fields(p, src);
    p.files.clear();
    if (opt.list_files) p.files = safe::list_files(src, declared, band_of);
    return p;
}

}  // namespace creodias::detail
