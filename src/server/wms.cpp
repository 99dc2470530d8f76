// WMS 1.1.1 and 1.3.0: GetCapabilities, GetMap, GetFeatureInfo. In 1.3.0 the BBOX follows
// the CRS's axis order (EPSG:4326 is lat,lon; CRS:84 lon,lat); 1.1.1 is always x,y.
#include "server/service.hpp"

#include <creodias/error.hpp>

#include "core/strings.hpp"
#include "server/xml_writer.hpp"
#include "tiles/gdal_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ogr_srs_api.h>

#include <cmath>

namespace creodias::detail {
namespace {

const char* kMapFormats[] = {"image/png", "image/jpeg", "image/webp"};
const char* kCrsList[] = {"EPSG:3857", "EPSG:4326", "CRS:84", "EPSG:3035", "EPSG:32631", "EPSG:32632", "EPSG:32633",
                          "EPSG:32634", "EPSG:32635"};

void online(XmlWriter& w, const std::string& href) {
    w.empty("OnlineResource", {{"xmlns:xlink", "http://www.w3.org/1999/xlink"}, {"xlink:type", "simple"}, {"xlink:href", href}});
}

void dcp(XmlWriter& w, const std::string& href) {
    w.open("DCPType");
    w.open("HTTP");
    w.open("Get");
    online(w, href);
    w.close();
    w.close();
    w.close();
}

std::string time_extent(const Layer& l) { return format_datetime(l.start) + "/" + format_datetime(l.end); }

HttpResponse capabilities(TileService& s, const HttpRequest& r, bool v13) {
    const std::string base = s.base_url(r) + "/wms?";
    auto layers = s.layers();
    XmlWriter w;
    if (v13)
        w.open("WMS_Capabilities", {{"version", "1.3.0"},
                                    {"xmlns", "http://www.opengis.net/wms"},
                                    {"xmlns:xlink", "http://www.w3.org/1999/xlink"},
                                    {"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
                                    {"xsi:schemaLocation",
                                     "http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd"}});
    else
        w.open("WMT_MS_Capabilities", {{"version", "1.1.1"}});
    w.open("Service");
    w.leaf("Name", v13 ? "WMS" : "OGC:WMS");
    w.leaf("Title", "libcreodias WMS");
    w.leaf("Abstract", "On-the-fly maps from the products of an embedded EO catalogue and from time-ranged mosaics of it.");
    online(w, s.base_url(r) + "/wms");
    w.leaf("Fees", "none");
    w.leaf("AccessConstraints", "none");
    if (v13) {
        w.leaf("MaxWidth", std::to_string(s.options().max_image_size));
        w.leaf("MaxHeight", std::to_string(s.options().max_image_size));
    }
    w.close();
    w.open("Capability");
    w.open("Request");
    w.open("GetCapabilities");
    w.leaf("Format", v13 ? "text/xml" : "application/vnd.ogc.wms_xml");
    dcp(w, base);
    w.close();
    w.open("GetMap");
    for (const char* f : kMapFormats) w.leaf("Format", f);
    dcp(w, base);
    w.close();
    w.open("GetFeatureInfo");
    w.leaf("Format", "application/json");
    w.leaf("Format", "text/plain");
    dcp(w, base);
    w.close();
    w.close();
    w.open("Exception");
    w.leaf("Format", v13 ? "XML" : "application/vnd.ogc.se_xml");
    w.close();
    w.open("Layer");
    w.leaf("Title", "libcreodias layers");
    for (const char* c : kCrsList) w.leaf(v13 ? "CRS" : "SRS", c);
    if (v13) {
        w.open("EX_GeographicBoundingBox");
        w.leaf("westBoundLongitude", "-180");
        w.leaf("eastBoundLongitude", "180");
        w.leaf("southBoundLatitude", "-90");
        w.leaf("northBoundLatitude", "90");
        w.close();
    } else {
        w.empty("LatLonBoundingBox", {{"minx", "-180"}, {"miny", "-90"}, {"maxx", "180"}, {"maxy", "90"}});
    }
    for (const auto& l : *layers) {
        w.open("Layer", {{"queryable", "1"}});
        w.leaf("Name", l.id);
        w.leaf("Title", l.title);
        if (!l.abstract.empty()) w.leaf("Abstract", l.abstract);
        const auto b = l.bbox;
        if (v13) {
            w.open("EX_GeographicBoundingBox");
            w.leaf("westBoundLongitude", fmt::format("{:.8g}", b.west));
            w.leaf("eastBoundLongitude", fmt::format("{:.8g}", b.east));
            w.leaf("southBoundLatitude", fmt::format("{:.8g}", b.south));
            w.leaf("northBoundLatitude", fmt::format("{:.8g}", b.north));
            w.close();
            w.empty("BoundingBox", {{"CRS", "CRS:84"},
                                    {"minx", fmt::format("{:.8g}", b.west)},
                                    {"miny", fmt::format("{:.8g}", b.south)},
                                    {"maxx", fmt::format("{:.8g}", b.east)},
                                    {"maxy", fmt::format("{:.8g}", b.north)}});
            // EPSG:4326 in WMS 1.3.0: latitude first.
            w.empty("BoundingBox", {{"CRS", "EPSG:4326"},
                                    {"minx", fmt::format("{:.8g}", b.south)},
                                    {"miny", fmt::format("{:.8g}", b.west)},
                                    {"maxx", fmt::format("{:.8g}", b.north)},
                                    {"maxy", fmt::format("{:.8g}", b.east)}});
            if (!l.is_product())
                w.leaf("Dimension", time_extent(l),
                       {{"name", "time"}, {"units", "ISO8601"}, {"default", time_extent(l)}, {"multipleValues", "0"},
                        {"nearestValue", "0"}});
        } else {
            w.empty("LatLonBoundingBox", {{"minx", fmt::format("{:.8g}", b.west)},
                                          {"miny", fmt::format("{:.8g}", b.south)},
                                          {"maxx", fmt::format("{:.8g}", b.east)},
                                          {"maxy", fmt::format("{:.8g}", b.north)}});
            w.empty("BoundingBox", {{"SRS", "EPSG:4326"},
                                    {"minx", fmt::format("{:.8g}", b.west)},
                                    {"miny", fmt::format("{:.8g}", b.south)},
                                    {"maxx", fmt::format("{:.8g}", b.east)},
                                    {"maxy", fmt::format("{:.8g}", b.north)}});
            if (!l.is_product()) {
                w.empty("Dimension", {{"name", "time"}, {"units", "ISO8601"}});
                w.leaf("Extent", time_extent(l), {{"name", "time"}, {"default", time_extent(l)}});
            }
        }
        for (const auto& id : l.styles) {
            const Style& st = style_preset(id);
            w.open("Style");
            w.leaf("Name", st.id);
            w.leaf("Title", st.title);
            w.leaf("Abstract", st.description);
            w.close();
        }
        w.close();
    }
    HttpResponse resp;
    resp.content_type = v13 ? "text/xml" : "application/vnd.ogc.wms_xml";
    std::string body = w.str();
    if (!v13) {
        const std::string decl = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
        body.insert(decl.size(),
                    "<!DOCTYPE WMT_MS_Capabilities SYSTEM \"http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd\">\n");
    }
    resp.body = std::move(body);
    resp.header("Cache-Control", "public, max-age=60");
    return resp;
}

struct MapGrid {
    RenderTarget target;
    std::string crs_param;
};

// CRS/SRS, BBOX, WIDTH, HEIGHT of GetMap and GetFeatureInfo.
MapGrid map_grid(const TileService& s, const HttpRequest& r, bool v13) {
    const char* crs_name = v13 ? "CRS" : "SRS";
    auto crs = r.param(crs_name);
    if (!crs || trim(*crs).empty()) missing_parameter(crs_name);
    MapGrid g;
    g.crs_param = std::string(trim(*crs));
    std::string crs_text = g.crs_param;
    if (iequals(crs_text, "CRS:84")) crs_text = "OGC:CRS84";
    try {
        crs_to_wkt(crs_text);
    } catch (const Error&) {
        throw ServiceError{400, v13 ? "InvalidCRS" : "InvalidSRS", crs_name, fmt::format("unknown {} '{}'", crs_name, *crs)};
    }
    g.target.crs = crs_text;
    auto bbox = r.param("BBOX");
    if (!bbox) missing_parameter("BBOX");
    auto parts = split(*bbox, ',');
    double v[4];
    if (parts.size() != 4) bad_parameter("BBOX", fmt::format("BBOX must be minx,miny,maxx,maxy, got '{}'", *bbox));
    for (int i = 0; i < 4; ++i) {
        auto d = parse_double(trim(parts[static_cast<std::size_t>(i)]));
        if (!d || !std::isfinite(*d)) bad_parameter("BBOX", fmt::format("BBOX value '{}' is not a number", parts[static_cast<std::size_t>(i)]));
        v[i] = *d;
    }
    // WMS 1.3.0 with a lat/lon (or northing/easting) CRS such as EPSG:4326: axis order swapped.
    const bool swap = v13 && crs_axis_order_yx(crs_text);
    g.target.extent = swap ? Extent{v[1], v[0], v[3], v[2]} : Extent{v[0], v[1], v[2], v[3]};
    if (!(g.target.extent.max_x > g.target.extent.min_x) || !(g.target.extent.max_y > g.target.extent.min_y))
        bad_parameter("BBOX", fmt::format("BBOX '{}' is empty or inverted", *bbox));
    auto dim = [&](const char* name) {
        auto p = r.param(name);
        if (!p) missing_parameter(name);
        auto n = parse_int(trim(*p));
        if (!n || *n < 1) bad_parameter(name, fmt::format("{} must be a positive integer, got '{}'", name, *p));
        if (*n > s.options().max_image_size)
            bad_parameter(name, fmt::format("{} {} exceeds the maximum of {}", name, *n, s.options().max_image_size));
        return static_cast<int>(*n);
    };
    g.target.width = dim("WIDTH");
    g.target.height = dim("HEIGHT");
    return g;
}

std::vector<std::string> comma_list(const std::string& s) {
    std::vector<std::string> out;
    for (auto& p : split(s, ',')) out.emplace_back(trim(p));
    return out;
}

}  // namespace

HttpResponse TileService::wms(const HttpRequest& r) {
    auto request = r.param("REQUEST");
    if (!request) missing_parameter("REQUEST");
    std::string version = r.param("VERSION").value_or(r.param("WMTVER").value_or("1.3.0"));
    if (version != "1.3.0" && version != "1.1.1" && version != "1.1.0")
        bad_parameter("VERSION", fmt::format("VERSION must be 1.1.1 or 1.3.0, got '{}'", version));
    const bool v13 = version == "1.3.0";
    if (auto service = r.param("SERVICE"); service && !iequals(trim(*service), "WMS"))
        bad_parameter("SERVICE", fmt::format("SERVICE must be WMS, got '{}'", *service));
    if (iequals(*request, "GetCapabilities") || iequals(*request, "capabilities")) return capabilities(*this, r, v13);
    const bool map = iequals(*request, "GetMap") || iequals(*request, "map");
    const bool info = iequals(*request, "GetFeatureInfo");
    if (!map && !info)
        throw ServiceError{400, "OperationNotSupported", "REQUEST",
                           fmt::format("REQUEST '{}' is not supported (GetCapabilities, GetMap, GetFeatureInfo)", *request)};
    auto layers_param = r.param(info ? "QUERY_LAYERS" : "LAYERS");
    if (!layers_param && info) layers_param = r.param("LAYERS");
    if (!layers_param || trim(*layers_param).empty()) missing_parameter(info ? "QUERY_LAYERS" : "LAYERS");
    const auto names = comma_list(*layers_param);
    const auto styles = comma_list(r.param("STYLES").value_or(""));
    if (styles.size() > 1 && styles.size() != names.size())
        bad_parameter("STYLES", fmt::format("{} styles for {} layers", styles.size(), names.size()), "StyleNotDefined");
    std::string format_text = r.param(info ? "INFO_FORMAT" : "FORMAT").value_or(info ? "application/json" : "");
    if (format_text.empty()) missing_parameter("FORMAT");
    MapGrid grid = map_grid(*this, r, v13);

    std::vector<MapRequest> maps;
    for (std::size_t i = 0; i < names.size(); ++i) {
        const Layer l = find_layer(names[i], "LAYERS");
        HttpRequest one = r;
        one.query.emplace_back("WMS_STYLE_", i < styles.size() ? styles[i] : (styles.size() == 1 ? styles[0] : ""));
        maps.push_back(map_request(one, l, "WMS_STYLE_"));
    }

    if (info) {
        const char* iname = v13 ? "I" : "X";
        const char* jname = v13 ? "J" : "Y";
        auto pix = [&](const char* name, int size) {
            auto p = r.param(name);
            if (!p) missing_parameter(name);
            auto n = parse_int(trim(*p));
            if (!n || *n < 0 || *n >= size)
                throw ServiceError{400, "InvalidPoint", name, fmt::format("{} '{}' is outside 0..{}", name, *p, size - 1)};
            return static_cast<int>(*n);
        };
        const int i = pix(iname, grid.target.width), j = pix(jname, grid.target.height);
        RenderTarget t = grid.target;
        const double cx = t.extent.width() / t.width, cy = t.extent.height() / t.height;
        t.extent = {t.extent.min_x + i * cx, t.extent.max_y - (j + 1) * cy, t.extent.min_x + (i + 1) * cx,
                    t.extent.max_y - j * cy};
        t.width = t.height = 1;
        const bool json = iequals(format_text, "application/json") || iequals(format_text, "application/geo+json");
        if (!json && !iequals(format_text, "text/plain"))
            bad_parameter("INFO_FORMAT", fmt::format("INFO_FORMAT '{}' is not supported (application/json, text/plain)", format_text), "InvalidFormat");
        nlohmann::json features = nlohmann::json::array();
        std::string text;
        for (auto& m : maps) {
            m.resampling = Resampling::nearest;
            RenderStats st;
            RasterBlock b = read(m, t, &st);
            nlohmann::json props = {{"layer", m.layer.id}};
            if (b.mask[0]) {
                for (std::size_t k = 0; k < b.names.size(); ++k) props[b.names[k]] = b.bands[k][0];
                std::vector<const float*> in;
                for (const auto& n : m.style.expression.bands()) in.push_back(b.band(n)->data());
                float v = 0;
                m.style.expression.evaluate(0, in.data(), 1, &v);
                if (std::isfinite(v)) props["value"] = v;
            }
            text += fmt::format("Layer '{}'\n", m.layer.id);
            for (const auto& [k, v] : props.items())
                if (k != "layer") text += fmt::format("  {} = {}\n", k, v.dump());
            const double x = (t.extent.min_x + t.extent.max_x) / 2, y = (t.extent.min_y + t.extent.max_y) / 2;
            features.push_back({{"type", "Feature"},
                                {"geometry", {{"type", "Point"}, {"coordinates", {x, y}}}},
                                {"properties", props}});
        }
        HttpResponse resp;
        if (json) {
            resp.content_type = "application/json";
            resp.body = nlohmann::json({{"type", "FeatureCollection"}, {"features", features}}).dump();
        } else {
            resp.content_type = "text/plain; charset=utf-8";
            resp.body = text;
        }
        return resp;
    }

    ImageFormat format;
    try {
        format = parse_image_format(format_text);
    } catch (const Error& e) {
        bad_parameter("FORMAT", e.what(), "InvalidFormat");
    }
    if (format == ImageFormat::geotiff) bad_parameter("FORMAT", "GeoTIFF maps are served by WCS GetCoverage", "InvalidFormat");
    const bool transparent = iequals(r.param("TRANSPARENT").value_or("FALSE"), "TRUE");
    std::uint8_t bg[3] = {255, 255, 255};
    if (auto c = r.param("BGCOLOR")) {
        std::string h(trim(*c));
        if (starts_with(h, "0x") || starts_with(h, "0X")) h = h.substr(2);
        unsigned v = 0;
        if (h.size() != 6 || std::sscanf(h.c_str(), "%6x", &v) != 1)
            bad_parameter("BGCOLOR", fmt::format("BGCOLOR must be 0xRRGGBB, got '{}'", *c));
        bg[0] = static_cast<std::uint8_t>(v >> 16);
        bg[1] = static_cast<std::uint8_t>(v >> 8);
        bg[2] = static_cast<std::uint8_t>(v);
    }
    // One transparent layer goes through the tile caches; anything else is composited.
    if (maps.size() == 1 && transparent) return image(r, maps[0], grid.target, format);
    // Composite the layers in order over the background (or transparency).
    Image out(grid.target.width, grid.target.height);
    if (!transparent)
        for (std::size_t p = 0; p < out.rgba.size(); p += 4) {
            out.rgba[p] = bg[0];
            out.rgba[p + 1] = bg[1];
            out.rgba[p + 2] = bg[2];
            out.rgba[p + 3] = 255;
        }
    bool partial = false;
    for (const auto& m : maps) {
        RenderStats st;
        Image img = apply_style(m.style, read(m, grid.target, &st));
        partial = partial || st.partial;
        for (std::size_t p = 0; p < out.rgba.size(); p += 4) {
            const unsigned a = img.rgba[p + 3];
            if (!a) continue;
            const unsigned da = out.rgba[p + 3];
            const unsigned oa = a + da * (255 - a) / 255;
            for (int c = 0; c < 3; ++c) {
                const unsigned s = img.rgba[p + static_cast<std::size_t>(c)], d = out.rgba[p + static_cast<std::size_t>(c)];
                out.rgba[p + static_cast<std::size_t>(c)] =
                    static_cast<std::uint8_t>(oa ? (s * a + d * da * (255 - a) / 255) / oa : 0);
            }
            out.rgba[p + 3] = static_cast<std::uint8_t>(oa);
        }
    }
    HttpResponse resp;
    resp.content_type = std::string(media_type(format));
    EncodeOptions eo;
    std::copy(bg, bg + 3, eo.background);
    resp.body = encode(out, format, eo);
    resp.header("ETag", "\"" + hash_hex(resp.body) + "\"");
    resp.header("Cache-Control", "public, max-age=600");
    if (partial) resp.header("X-Creodias-Partial", "true");
    if (r.header("if-none-match") == "\"" + hash_hex(resp.body) + "\"") {
        resp.status = 304;
        resp.body.clear();
    }
    return resp;
}

}  // namespace creodias::detail
