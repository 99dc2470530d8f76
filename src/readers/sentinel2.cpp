// Sentinel-2 MSI Level-1C / Level-2A SAFE products.
//
// The product metadata file (MTD_MSIL1C.xml / MTD_MSIL2A.xml) carries everything the catalogue
// needs; manifest.safe only adds per-file checksums. A few archives ship the manifest without
// the MTD (e.g. test extracts), so the manifest alone is accepted as a fallback with fewer
// fields (no cloud cover, baseline from the product name).

#include "readers/readers_internal.hpp"
#include "readers/sentinel_common.hpp"

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>

namespace creodias::detail {

namespace {

using safe::Where;

constexpr const char* kOrigin = "sentinel2";

bool all_digits(std::string_view s) {
    if (s.empty()) return false;
    for (char c : s)
        if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    return true;
}

bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }

/// MGRS tile from a product/granule name: "..._T31UFS_..." -> "31UFS".
std::string find_tile(std::string_view s) {
    for (size_t i = s.find("_T"); i != std::string_view::npos; i = s.find("_T", i + 1)) {
        auto t = s.substr(i + 2, 5);
        if (t.size() == 5 && all_digits(t.substr(0, 2)) && is_upper(t[2]) && is_upper(t[3]) &&
            is_upper(t[4]) && (i + 7 == s.size() || s[i + 7] == '_' || s[i + 7] == '.'))
            return std::string(t);
    }
    return {};
}

/// Absolute orbit from a granule/datastrip name: "..._A038944_..." -> 38944.
std::optional<std::int64_t> find_abs_orbit(std::string_view s) {
    for (size_t i = s.find("_A"); i != std::string_view::npos; i = s.find("_A", i + 1)) {
        auto t = s.substr(i + 2, 6);
        if (t.size() == 6 && all_digits(t) && (i + 8 == s.size() || s[i + 8] == '_'))
            if (auto v = parse_int(t)) return *v;
    }
    return std::nullopt;
}

/// "GS2A_20221206T105431_038944_N05.09": the third field is the absolute orbit.
std::optional<std::int64_t> datatake_orbit(std::string_view id) {
    auto parts = split(id, '_');
    if (parts.size() >= 3 && parts[2].size() >= 5 && all_digits(parts[2]))
        if (auto v = parse_int(parts[2])) return *v;
    return std::nullopt;
}

/// Processing baseline from a product name: "_N0509_" -> "05.09".
std::string name_baseline(std::string_view name) {
    for (size_t i = name.find("_N"); i != std::string_view::npos; i = name.find("_N", i + 1)) {
        auto t = name.substr(i + 2, 4);
        if (t.size() == 4 && all_digits(t) && (i + 6 == name.size() || name[i + 6] == '_'))
            return fmt::format("{}.{}", t.substr(0, 2), t.substr(2));
    }
    return {};
}

/// Band of an image file: "GRANULE/.../IMG_DATA/R10m/T31UFS_20221206T105431_B04_10m.jp2" -> "B04".
/// Only image data counts (QI_DATA masks also carry band names but are not bands), plus the
/// flat layouts where band files sit at the product root ("B04.jp2").
std::string band_of(std::string_view path) {
    const bool in_img = path.find("IMG_DATA/") != std::string_view::npos;
    if (!in_img && path.find('/') != std::string_view::npos) return {};
    auto base = safe::base_name(path);
    auto dot = base.find_last_of('.');
    if (dot == std::string_view::npos) return {};
    const std::string ext = to_lower(base.substr(dot + 1));
    if (ext != "jp2" && ext != "tif" && ext != "tiff") return {};
    auto tokens = split(base.substr(0, dot), '_');
    for (auto it = tokens.rbegin(); it != tokens.rend(); ++it) {
        const std::string& t = *it;
        if (t == "10m" || t == "20m" || t == "60m") continue;
        if (t.size() == 3 && t[0] == 'B' &&
            ((std::isdigit(static_cast<unsigned char>(t[1])) &&
              std::isdigit(static_cast<unsigned char>(t[2]))) ||
             (t[1] == '8' && t[2] == 'A')))
            return t;
        if (t == "SCL" || t == "AOT" || t == "WVP") return t;
        return {};
    }
    return {};
}

std::string platform_from(std::string_view spacecraft, std::string_view product_name) {
    if (!spacecraft.empty()) return to_upper(spacecraft);
    if (char u = safe::unit_letter(product_name, '2')) return fmt::format("SENTINEL-2{}", u);
    return {};
}

std::string level_from_type(std::string_view product_type) {
    if (ends_with(product_type, "1C")) return "LEVEL1C";
    if (ends_with(product_type, "2A")) return "LEVEL2A";
    if (ends_with(product_type, "2Ap")) return "LEVEL2AP";
    return {};
}

std::string type_from_name(std::string_view name) {
    if (name.find("_MSIL1C_") != std::string_view::npos) return "S2MSI1C";
    if (name.find("_MSIL2A_") != std::string_view::npos) return "S2MSI2A";
    return {};
}

pugi::xml_node child_ending_with(pugi::xml_node parent, std::string_view suffix) {
    for (auto c = parent.first_child(); c; c = c.next_sibling())
        if (c.type() == pugi::node_element && ends_with(xml::local_name(c.name()), suffix))
            return c;
    return {};
}

void set_common(Product& p, std::string_view product_name) {
    p.collection = "SENTINEL-2";
    p.instrument = "MSI";
    p.name = std::string(product_name);
    p.id = product_name_key(product_name);
}

/// Radiometric offsets (baseline 04.00+), keyed by the band names of Spectral_Information.
nlohmann::json offsets(pugi::xml_node list, std::string_view element, pugi::xml_node spectral_list,
                       const Where& w) {
    // Baseline 04.00 files list 13 bands with bandId 0..12; keep their names rather than
    // assume an order, and fall back to the documented order if the list is missing.
    static const std::array<const char*, 13> kDefault = {
        "B1", "B2", "B3", "B4", "B5", "B6", "B7", "B8", "B8A", "B9", "B10", "B11", "B12"};
    std::vector<std::pair<std::string, std::string>> names;
    for (auto s = spectral_list.first_child(); s; s = s.next_sibling())
        if (s.type() == pugi::node_element && xml::local_name(s.name()) == "Spectral_Information")
            names.emplace_back(xml::attr(s, "bandId"), xml::attr(s, "physicalBand"));
    nlohmann::json out = nlohmann::json::object();
    for (auto o = list.first_child(); o; o = o.next_sibling()) {
        if (o.type() != pugi::node_element || xml::local_name(o.name()) != element) continue;
        const std::string id = xml::attr(o, "band_id");
        auto value = safe::opt_double(safe::text_of(o), w, element);
        if (!value) safe::fail(w, fmt::format("element {} (band_id {}) is empty", element, id));
        std::string band;
        for (const auto& [k, v] : names)
            if (k == id) band = v;
        if (band.empty() && names.empty()) {
            auto idx = parse_int(id);
            if (idx && *idx >= 0 && *idx < static_cast<long long>(kDefault.size()))
                band = kDefault[*idx];
        }
        if (band.empty())
            safe::fail(w, fmt::format("element {}: unknown band_id '{}'", element, id));
        out[band] = safe::json_number(*value);
    }
    return out;
}

/// Fallback when a product has manifest.safe but no MTD file.
Product parse_manifest(std::string_view text, std::string_view product_name,
                       std::vector<ProductFile>* declared) {
    Where w{kOrigin, fmt::format("{}/manifest.safe", product_name)};
    auto doc = xml::parse(text, kOrigin, w.doc);
    auto root = doc.document_element();
    if (xml::local_name(root.name()) != "XFDU")
        safe::fail(w, fmt::format("root element <{}> is not an XFDU manifest", root.name()));
    auto objs = safe::metadata_objects(root);

    Product p;
    set_common(p, product_name);
    auto acq = safe::xml_data(safe::metadata_object(objs, "acquisitionPeriod"));
    p.sensing_start = safe::to_time(
        safe::required_text(xml::find(acq, "startTime"), w, "acquisitionPeriod/startTime"), w,
        "acquisitionPeriod/startTime");
    auto stop = safe::text_of(xml::find(acq, "stopTime"));
    p.sensing_end =
        stop.empty() ? p.sensing_start : safe::to_time(stop, w, "acquisitionPeriod/stopTime");

    auto orbit = safe::xml_data(safe::metadata_object(objs, "measurementOrbitReference"));
    auto abs = xml::find(orbit, "orbitNumber");
    p.orbit_number = safe::opt_int(safe::text_of(abs), w, "orbitReference/orbitNumber");
    p.relative_orbit = safe::opt_int(safe::text_of(xml::find(orbit, "relativeOrbitNumber")), w,
                                     "orbitReference/relativeOrbitNumber");
    p.orbit_direction = safe::to_direction(xml::attr(abs, "groundTrackDirection"), w,
                                           "orbitNumber/@groundTrackDirection");

    auto platform = safe::xml_data(safe::metadata_object(objs, "platform"));
    auto number = safe::text_of(xml::find(platform, "number"));
    p.platform =
        number.empty() ? platform_from({}, product_name) : fmt::format("SENTINEL-{}", number);

    auto processing = safe::xml_data(safe::metadata_object(objs, "processing"));
    auto generated = xml::attr(xml::find(processing, "processing"), "start");
    nlohmann::json extra = nlohmann::json::object();
    if (!generated.empty())
        extra["processing:datetime"] =
            format_datetime(safe::to_time(generated, w, "processing/@start"));

    auto frames = safe::xml_data(safe::metadata_object(objs, "measurementFrameSet"));
    auto coords = xml::find(frames, "coordinates");
    auto pts = safe::parse_lat_lon(
        safe::required_text(coords, w, "measurementFrameSet/footPrint/coordinates"), w,
        "footPrint/coordinates");
    p.footprint =
        safe::normalized(Geometry(GeometryType::polygon,
                                  {{safe::close_ring(std::move(pts), w, "footPrint/coordinates")}}),
                         w);

    p.product_type = type_from_name(product_name);
    if (p.product_type.empty()) {
        // The XFDU version names the product: ".../sentinel-2/msi/archive_l1c_user_product".
        const std::string version = to_lower(xml::attr(root, "version"));
        if (version.find("l1c") != std::string::npos)
            p.product_type = "S2MSI1C";
        else if (version.find("l2a") != std::string::npos)
            p.product_type = "S2MSI2A";
    }
    p.processing_level = level_from_type(p.product_type);
    p.processing_baseline = name_baseline(product_name);
    p.tile_id = find_tile(product_name);
    p.extra_json = safe::dump_extra(extra);
    if (declared) *declared = safe::manifest_files(root, w, band_of);
    return p;
}

}  // namespace

Product parse_sentinel2_mtd(std::string_view mtd_xml, std::string_view product_name) {
    // Until the root element tells which file this is.
    Where w{kOrigin,
            fmt::format("{}product metadata (MTD_MSIL1C.xml or MTD_MSIL2A.xml)",
                        product_name.empty() ? std::string() : fmt::format("{}: ", product_name))};
    auto doc = xml::parse(mtd_xml, kOrigin, w.doc);
    auto root = doc.document_element();
    const std::string_view root_name = xml::local_name(root.name());
    const bool l1c = root_name == "Level-1C_User_Product";
    const bool l2a = starts_with(root_name, "Level-2A") && ends_with(root_name, "_User_Product");
    if (!l1c && !l2a)
        safe::fail(w, fmt::format("root element <{}> is not a Level-1C or Level-2A user product",
                                  root.name()));
    const char* file = l1c ? "MTD_MSIL1C.xml" : "MTD_MSIL2A.xml";
    w.doc = product_name.empty() ? std::string(file) : fmt::format("{}/{}", product_name, file);

    Product p;
    set_common(p, product_name);
    nlohmann::json extra = nlohmann::json::object();

    auto general = xml::child(root, "General_Info");
    // "Product_Info" since PSD 14; older Sen2Cor output names it "L2A_Product_Info".
    auto info = child_ending_with(general, "Product_Info");
    if (!info) safe::fail(w, "missing element General_Info/Product_Info");

    p.sensing_start = safe::to_time(safe::required_text(xml::child(info, "PRODUCT_START_TIME"), w,
                                                        "Product_Info/PRODUCT_START_TIME"),
                                    w, "PRODUCT_START_TIME");
    auto stop = safe::text_of(xml::child(info, "PRODUCT_STOP_TIME"));
    p.sensing_end = stop.empty() ? p.sensing_start : safe::to_time(stop, w, "PRODUCT_STOP_TIME");
    if (p.sensing_end < p.sensing_start)
        safe::fail(w, "PRODUCT_STOP_TIME is before PRODUCT_START_TIME");

    p.product_type = std::string(safe::text_of(xml::child(info, "PRODUCT_TYPE")));
    if (p.product_type.empty()) p.product_type = l1c ? "S2MSI1C" : "S2MSI2A";
    auto level = safe::text_of(xml::child(info, "PROCESSING_LEVEL"));  // "Level-1C"
    if (!level.empty()) {
        for (char c : level)
            if (c != '-' && c != ' ')
                p.processing_level +=
                    static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    } else {
        p.processing_level = level_from_type(p.product_type);
    }
    p.processing_baseline = std::string(safe::text_of(xml::child(info, "PROCESSING_BASELINE")));
    if (p.processing_baseline.empty()) p.processing_baseline = name_baseline(product_name);

    // GENERATION_TIME is when the ground segment produced the file, not when a catalogue
    // published it, so it is kept as STAC processing:datetime rather than Product::published.
    auto generation = safe::text_of(xml::child(info, "GENERATION_TIME"));
    if (!generation.empty())
        extra["processing:datetime"] =
            format_datetime(safe::to_time(generation, w, "GENERATION_TIME"));

    auto datatake = xml::child(info, "Datatake");
    const std::string datatake_id = xml::attr(datatake, "datatakeIdentifier");
    if (!datatake_id.empty()) extra["s2:datatake_id"] = datatake_id;
    p.platform =
        platform_from(safe::text_of(xml::child(datatake, "SPACECRAFT_NAME")), product_name);
    p.relative_orbit = safe::opt_int(safe::text_of(xml::child(datatake, "SENSING_ORBIT_NUMBER")), w,
                                     "Datatake/SENSING_ORBIT_NUMBER");
    p.orbit_direction =
        safe::to_direction(safe::text_of(xml::child(datatake, "SENSING_ORBIT_DIRECTION")), w,
                           "Datatake/SENSING_ORBIT_DIRECTION");

    // The absolute orbit is only in identifiers: the datatake ("GS2A_..._038944_N05.09") or
    // the granules ("..._A038944_T31UFS_...").
    p.orbit_number = datatake_orbit(datatake_id);
    std::vector<std::string> granules;
    std::string datastrip;
    for (auto g = xml::path(info, "Product_Organisation/Granule_List").first_child(); g;
         g = g.next_sibling()) {
        if (g.type() != pugi::node_element) continue;
        // <Granule> (compact naming) or <Granules> (pre-2016 multi-tile products).
        auto id = xml::attr(g, "granuleIdentifier");
        if (!id.empty()) granules.push_back(std::move(id));
        if (datastrip.empty()) datastrip = xml::attr(g, "datastripIdentifier");
    }
    if (!datastrip.empty()) extra["s2:datastrip_id"] = datastrip;
    if (!p.orbit_number)
        for (const auto& g : granules)
            if ((p.orbit_number = find_abs_orbit(g))) break;

    p.tile_id = find_tile(product_name);
    if (p.tile_id.empty() && granules.size() == 1) p.tile_id = find_tile(granules.front());

    auto image = xml::child(general, "Product_Image_Characteristics");
    if (image) {
        auto spectral = xml::child(image, "Spectral_Information_List");
        std::string_view quant = safe::text_of(xml::child(image, "QUANTIFICATION_VALUE"));
        if (quant.empty()) {
            auto list = xml::child(image, "QUANTIFICATION_VALUES_LIST");
            if (!list) list = xml::child(image, "L1C_L2A_Quantification_Values_List");
            quant = safe::text_of(xml::child(list, "BOA_QUANTIFICATION_VALUE"));
            if (quant.empty())
                quant = safe::text_of(xml::child(list, "L2A_BOA_QUANTIFICATION_VALUE"));
        }
        if (auto q = safe::opt_double(quant, w, "QUANTIFICATION_VALUE"))
            extra["s2:quantification_value"] = safe::json_number(*q);
        if (auto radio = xml::child(image, "Radiometric_Offset_List")) {
            auto o = offsets(radio, "RADIO_ADD_OFFSET", spectral, w);
            if (!o.empty()) extra["s2:radio_add_offset"] = std::move(o);
        }
        if (auto boa = xml::child(image, "BOA_ADD_OFFSET_VALUES_LIST")) {
            auto o = offsets(boa, "BOA_ADD_OFFSET", spectral, w);
            if (!o.empty()) extra["s2:boa_add_offset"] = std::move(o);
        }
    }

    // Geometric_Info/Product_Footprint/Product_Footprint/Global_Footprint/EXT_POS_LIST, one
    // inner Product_Footprint per footprint polygon.
    auto outer = xml::path(root, "Geometric_Info/Product_Footprint");
    std::vector<Geometry::Part> parts;
    for (auto fp = outer.first_child(); fp; fp = fp.next_sibling()) {
        if (fp.type() != pugi::node_element || xml::local_name(fp.name()) != "Product_Footprint")
            continue;
        auto list = xml::path(fp, "Global_Footprint/EXT_POS_LIST");
        if (!list) continue;
        auto pts = safe::parse_lat_lon(safe::text_of(list), w, "Global_Footprint/EXT_POS_LIST");
        parts.push_back({safe::close_ring(std::move(pts), w, "Global_Footprint/EXT_POS_LIST")});
    }
    if (parts.empty())
        safe::fail(
            w,
            "missing element "
            "Geometric_Info/Product_Footprint/Product_Footprint/Global_Footprint/EXT_POS_LIST");
    p.footprint = safe::normalized(parts.size() == 1
                                       ? Geometry(GeometryType::polygon, std::move(parts))
                                       : Geometry(GeometryType::multi_polygon, std::move(parts)),
                                   w);

    auto cloud = safe::opt_double(
        safe::text_of(xml::path(root, "Quality_Indicators_Info/Cloud_Coverage_Assessment")), w,
        "Quality_Indicators_Info/Cloud_Coverage_Assessment");
    if (cloud && (*cloud < 0 || *cloud > 100))
        safe::fail(w, fmt::format("Cloud_Coverage_Assessment {} outside [0,100]", *cloud));
    p.cloud_cover = cloud;

    p.extra_json = safe::dump_extra(extra);
    return p;
}

Product read_sentinel2_safe(ProductSource& src, const ReadOptions& opt) {
    const std::string name = src.root_name();
    // Compact naming (since Dec 2016) uses MTD_MSIL1C.xml / MTD_MSIL2A.xml; older products
    // name it S2A_OPER_MTD_SAFL1C_....xml.
    std::string mtd;
    for (const char* candidate : {"MTD_MSIL1C.xml", "MTD_MSIL2A.xml"})
        if (src.exists(candidate)) mtd = candidate;
    if (mtd.empty())
        for (const auto& e : src.entries())
            if (e.path.find('/') == std::string::npos && ends_with(e.path, ".xml") &&
                (e.path.find("_MTD_SAFL1C_") != std::string::npos ||
                 e.path.find("_MTD_SAFL2A_") != std::string::npos))
                mtd = e.path;
    const bool has_manifest = src.exists("manifest.safe");

    Product p;
    std::vector<ProductFile> declared;
    if (!mtd.empty()) {
        p = parse_sentinel2_mtd(src.read(mtd), name);
        if (has_manifest && opt.list_files) {
            Where w{kOrigin, fmt::format("{}/manifest.safe", name)};
            auto text = src.read("manifest.safe");
            auto doc = xml::parse(text, kOrigin, w.doc);
            declared = safe::manifest_files(doc.document_element(), w, band_of);
        }
    } else if (has_manifest) {
        p = parse_manifest(src.read("manifest.safe"), name, &declared);
    } else {
        throw InvalidArgument(kOrigin,
                              fmt::format("{}: no MTD_MSIL1C.xml, MTD_MSIL2A.xml or manifest.safe "
                                          "in the product",
                                          src.location().string()));
    }

    // Granule folders carry the absolute orbit too ("GRANULE/L1C_T31UFS_A038944_...").
    if (!p.orbit_number)
        for (const auto& e : src.entries()) {
            if (!starts_with(e.path, "GRANULE/")) continue;
            auto folder = std::string_view(e.path).substr(8);
            folder = folder.substr(0, folder.find('/'));
            if ((p.orbit_number = find_abs_orbit(folder))) break;
        }

    safe::set_container_fields(p, src);
    if (opt.list_files) p.files = safe::list_files(src, declared, band_of);
    return p;
}

}  // namespace creodias::detail
