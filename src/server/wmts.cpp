// WMTS 1.0.0: GetCapabilities and GetTile, KVP and REST (OGC 07-057r7).
#include "server/service.hpp"

#include <creodias/error.hpp>

#include "core/strings.hpp"
#include "server/xml_writer.hpp"

#include <fmt/format.h>

namespace creodias::detail {
namespace {

const char* kFormats[] = {"image/png", "image/jpeg", "image/webp"};

std::string time_value(const Layer& l) { return format_datetime(l.start) + "/" + format_datetime(l.end); }

std::string supported_crs(const TileMatrixSet& tms) {
    return tms.crs() == "EPSG:3857" ? "urn:ogc:def:crs:EPSG::3857" : "urn:ogc:def:crs:OGC:1.3:CRS84";
}

void operation(XmlWriter& w, const char* name, const std::string& kvp, const std::string& rest) {
    w.open("ows:Operation", {{"name", name}});
    w.open("ows:DCP");
    w.open("ows:HTTP");
    w.open("ows:Get", {{"xlink:href", kvp}});
    w.open("ows:Constraint", {{"name", "GetEncoding"}});
    w.open("ows:AllowedValues");
    w.leaf("ows:Value", "KVP");
    w.close();
    w.close();
    w.close();
    if (!rest.empty()) {
        w.open("ows:Get", {{"xlink:href", rest}});
        w.open("ows:Constraint", {{"name", "GetEncoding"}});
        w.open("ows:AllowedValues");
        w.leaf("ows:Value", "RESTful");
        w.close();
        w.close();
        w.close();
    }
    w.close();
    w.close();
    w.close();
}

int tile_matrix_index(const std::string& text, const TileMatrixSet& tms) {
    // "5", or "EPSG:3857:5" as some clients write identifiers.
    std::string_view v = trim(text);
    if (auto c = v.rfind(':'); c != std::string_view::npos) v = v.substr(c + 1);
    auto n = parse_int(v);
    if (!n || *n < 0 || *n > tms.max_zoom())
        throw ServiceError{400, "TileOutOfRange", "TILEMATRIX",
                           fmt::format("TILEMATRIX '{}' is not a level of {} (0..{})", text, tms.id(), tms.max_zoom())};
    return static_cast<int>(*n);
}

}  // namespace

static HttpResponse wmts_capabilities(TileService& s, const HttpRequest& r) {
    const std::string base = s.base_url(r);
    auto all = s.layers();
    std::vector<Layer> layers;
    if (auto only = r.param("LAYER"); only && !trim(*only).empty()) layers.push_back(s.find_layer(*only));
    else layers = *all;

    XmlWriter w;
    w.open("Capabilities", {{"xmlns", "http://www.opengis.net/wmts/1.0"},
                            {"xmlns:ows", "http://www.opengis.net/ows/1.1"},
                            {"xmlns:xlink", "http://www.w3.org/1999/xlink"},
                            {"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"},
                            {"xmlns:gml", "http://www.opengis.net/gml"},
                            {"xsi:schemaLocation",
                             "http://www.opengis.net/wmts/1.0 http://schemas.opengis.net/wmts/1.0/wmtsGetCapabilities_response.xsd"},
                            {"version", "1.0.0"}});
    w.open("ows:ServiceIdentification");
    w.leaf("ows:Title", "libcreodias tiles");
    w.leaf("ows:Abstract", "On-the-fly tiles from the products of an embedded EO catalogue and from time-ranged mosaics of it.");
    w.leaf("ows:ServiceType", "OGC WMTS");
    w.leaf("ows:ServiceTypeVersion", "1.0.0");
    w.leaf("ows:Fees", "none");
    w.leaf("ows:AccessConstraints", "none");
    w.close();
    w.open("ows:OperationsMetadata");
    operation(w, "GetCapabilities", base + "/wmts?", base + "/wmts/1.0.0/WMTSCapabilities.xml");
    operation(w, "GetTile", base + "/wmts?", base + "/wmts/1.0.0/");
    w.close();
    w.open("Contents");
    for (const auto& l : layers) {
        w.open("Layer");
        w.leaf("ows:Title", l.title);
        if (!l.abstract.empty()) w.leaf("ows:Abstract", l.abstract);
        w.open("ows:WGS84BoundingBox");
        w.leaf("ows:LowerCorner", fmt::format("{:.8g} {:.8g}", l.bbox.west, l.bbox.south));
        w.leaf("ows:UpperCorner", fmt::format("{:.8g} {:.8g}", l.bbox.east, l.bbox.north));
        w.close();
        w.leaf("ows:Identifier", l.id);
        for (std::size_t i = 0; i < l.styles.size(); ++i) {
            w.open("Style", {{"isDefault", i == 0 ? "true" : "false"}});
            const Style& st = style_preset(l.styles[i]);
            w.leaf("ows:Title", st.title);
            w.leaf("ows:Abstract", st.description);
            w.leaf("ows:Identifier", st.id);
            w.close();
        }
        for (const char* f : kFormats) w.leaf("Format", f);
        if (!l.is_product()) {
            w.open("Dimension");
            w.leaf("ows:Identifier", "Time");
            w.leaf("ows:UOM", "ISO8601");
            w.leaf("Default", time_value(l));
            w.leaf("Current", "false");
            w.leaf("Value", time_value(l));
            w.close();
        }
        for (const auto& id : TileMatrixSet::ids()) {
            w.open("TileMatrixSetLink");
            w.leaf("TileMatrixSet", id);
            w.close();
        }
        for (const char* f : kFormats) {
            const std::string ext(extension(parse_image_format(f)));
            const std::string time = l.is_product() ? "default" : "{Time}";
            w.empty("ResourceURL", {{"format", f},
                                    {"resourceType", "tile"},
                                    {"template", fmt::format("{}/wmts/1.0.0/{}/{{Style}}/{}/{{TileMatrixSet}}/{{TileMatrix}}/"
                                                             "{{TileRow}}/{{TileCol}}.{}",
                                                             base, url_encode(l.id), time, ext)}});
        }
        w.close();
    }
    for (const auto& id : TileMatrixSet::ids()) {
        const auto& tms = TileMatrixSet::get(id);
        w.open("TileMatrixSet");
        w.leaf("ows:Title", tms.title());
        w.leaf("ows:Identifier", tms.id());
        w.leaf("ows:SupportedCRS", supported_crs(tms));
        if (!tms.well_known_scale_set().empty())
            w.leaf("WellKnownScaleSet", tms.id() == "WebMercatorQuad" ? "urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"
                                                                      : "urn:ogc:def:wkss:OGC:1.0:GoogleCRS84Quad");
        for (const auto& m : tms.matrices()) {
            w.open("TileMatrix");
            w.leaf("ows:Identifier", m.id);
            w.leaf("ScaleDenominator", fmt::format("{:.17g}", m.scale_denominator));
            w.leaf("TopLeftCorner", fmt::format("{:.17g} {:.17g}", m.origin_x, m.origin_y));
            w.leaf("TileWidth", std::to_string(m.tile_width));
            w.leaf("TileHeight", std::to_string(m.tile_height));
            w.leaf("MatrixWidth", std::to_string(m.matrix_width));
            w.leaf("MatrixHeight", std::to_string(m.matrix_height));
            w.close();
        }
        w.close();
    }
    w.close();
    w.empty("ServiceMetadataURL", {{"xlink:href", base + "/wmts/1.0.0/WMTSCapabilities.xml"}});
    HttpResponse resp;
    resp.content_type = "application/xml";
    resp.body = w.str();
    resp.header("Cache-Control", "public, max-age=60");
    return resp;
}

static HttpResponse get_tile(TileService& s, const HttpRequest& r, const std::string& layer_id, const std::string& style,
                             const std::string& format_text, const std::string& tms_id, const std::string& matrix,
                             const std::string& row, const std::string& col, const std::optional<std::string>& time) {
    ImageFormat format;
    try {
        format = parse_image_format(format_text);
    } catch (const Error& e) {
        bad_parameter("FORMAT", e.what());
    }
    if (format == ImageFormat::geotiff) bad_parameter("FORMAT", "GeoTIFF is not a tile format (png, jpeg, webp)");
    const TileMatrixSet* tms = nullptr;
    try {
        tms = &TileMatrixSet::get(tms_id);
    } catch (const Error& e) {
        bad_parameter("TILEMATRIXSET", e.what());
    }
    const int z = tile_matrix_index(matrix, *tms);
    auto index = [&](const std::string& v, const char* name, std::int64_t size) {
        auto n = parse_int(trim(v));
        if (!n) bad_parameter(name, fmt::format("{} must be an integer, got '{}'", name, v));
        if (*n < 0 || *n >= size)
            throw ServiceError{400, "TileOutOfRange", name,
                               fmt::format("{} {} is outside 0..{} at TILEMATRIX {}", name, *n, size - 1, z)};
        return *n;
    };
    const auto& m = tms->matrix(z);
    const std::int64_t y = index(row, "TILEROW", m.matrix_height), x = index(col, "TILECOL", m.matrix_width);
    const Layer layer = s.find_layer(layer_id);
    HttpRequest req = r;
    // The style and time of the path or KVP drive map_request.
    req.query.erase(std::remove_if(req.query.begin(), req.query.end(),
                                   [](const auto& kv) { return iequals(kv.first, "STYLE") || iequals(kv.first, "TIME"); }),
                    req.query.end());
    req.query.emplace_back("STYLE", style);
    if (time && !iequals(*time, "default")) req.query.emplace_back("TIME", *time);
    const MapRequest mr = s.map_request(req, layer);
    return s.image(r, mr, RenderTarget::tile(*tms, {z, x, y}), format);
}

HttpResponse TileService::wmts(const HttpRequest& r) {
    auto service = r.param("SERVICE");
    if (!service) missing_parameter("SERVICE");
    if (!iequals(trim(*service), "WMTS")) bad_parameter("SERVICE", fmt::format("SERVICE must be WMTS, got '{}'", *service));
    auto request = r.param("REQUEST");
    if (!request) missing_parameter("REQUEST");
    if (iequals(*request, "GetCapabilities")) {
        if (auto v = r.param("ACCEPTVERSIONS"); v && v->find("1.0.0") == std::string::npos)
            throw ServiceError{400, "VersionNegotiationFailed", "ACCEPTVERSIONS", "only version 1.0.0 is supported"};
        return wmts_capabilities(*this, r);
    }
    if (iequals(*request, "GetTile")) {
        if (auto v = r.param("VERSION"); v && trim(*v) != "1.0.0")
            bad_parameter("VERSION", fmt::format("VERSION must be 1.0.0, got '{}'", *v));
        auto need = [&](const char* name) {
            auto v = r.param(name);
            if (!v || trim(*v).empty()) missing_parameter(name);
            return *v;
        };
        const std::string layer = need("LAYER");
        const std::string style = r.param("STYLE").value_or("");
        if (!r.param("STYLE")) missing_parameter("STYLE");
        const std::string format = need("FORMAT");
        const std::string tms = need("TILEMATRIXSET");
        const std::string matrix = need("TILEMATRIX");
        const std::string row = need("TILEROW");
        const std::string col = need("TILECOL");
        return get_tile(*this, r, layer, style, format, tms, matrix, row, col, r.param("TIME"));
    }
    throw ServiceError{400, "OperationNotSupported", "REQUEST",
                       fmt::format("REQUEST '{}' is not supported (GetCapabilities, GetTile)", *request)};
}

HttpResponse TileService::wmts_rest(const HttpRequest& r, const std::vector<std::string>& parts) {
    // /wmts/1.0.0/WMTSCapabilities.xml
    // /wmts/1.0.0/{layer}/{style}/{time}/{tms}/{z}/{row}/{col}.{ext}
    if (parts.size() == 3 && parts[1] == "1.0.0" && iequals(parts[2], "WMTSCapabilities.xml"))
        return wmts_capabilities(*this, r);
    // A time with a '/' (START/END) spans two segments: the time is what lies between the
    // style and the last four segments.
    if (parts.size() < 9 || parts[1] != "1.0.0")
        throw ServiceError{404, "NotFound", "",
                           "WMTS REST paths are /wmts/1.0.0/WMTSCapabilities.xml and "
                           "/wmts/1.0.0/{layer}/{style}/{time}/{TileMatrixSet}/{TileMatrix}/{TileRow}/{TileCol}.{ext}"};
    const std::size_t n = parts.size();
    std::string time;
    for (std::size_t i = 4; i + 4 < n; ++i) time += (i > 4 ? "/" : "") + parts[i];
    const std::string& last = parts[n - 1];
    const auto dot = last.rfind('.');
    if (dot == std::string::npos) bad_parameter("FORMAT", "the tile path needs an extension (.png, .jpg, .webp)");
    return get_tile(*this, r, parts[2], parts[3], last.substr(dot + 1), parts[n - 4], parts[n - 3], parts[n - 2],
                    last.substr(0, dot), time);
}

}  // namespace creodias::detail
