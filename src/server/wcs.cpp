// WCS 2.0.1 (OGC 09-110r4, KVP binding 09-147r3): GetCapabilities, DescribeCoverage and
// GetCoverage with trimming (SUBSET, SUBSETTINGCRS), OUTPUTCRS, scaling (SCALESIZE,
// SCALEFACTOR, SCALEAXES, SCALEEXTENT), RANGESUBSET and INTERPOLATION, answered as
// Float32 GeoTIFF of physical values (reflectance, sigma nought...). Coverages are the
// layers: products on their native grid, mosaics on a WGS84 grid at the mission's resolution.
#include "server/service.hpp"

#include <creodias/error.hpp>

#include "core/strings.hpp"
#include "server/xml_writer.hpp"
#include "tiles/gdal_util.hpp"

#include <fmt/format.h>

#include <gdal_alg.h>
#include <ogr_srs_api.h>

#include <cmath>
#include <regex>

namespace creodias::detail {
namespace {

struct Grid {
    std::string crs;        // "EPSG:32633" / "EPSG:4326"
    std::string crs_uri;    // http://www.opengis.net/def/crs/EPSG/0/32633
    bool yx = false;        // axis order of the CRS is northing/latitude first
    bool geographic = false;
    Extent extent;          // x = easting/longitude
    int width = 0, height = 0;
    std::vector<std::string> bands;
    double cell_x() const { return extent.width() / width; }
    double cell_y() const { return extent.height() / height; }
};

std::string epsg_of(const std::string& wkt) {
    OGRSpatialReferenceH srs = OSRNewSpatialReference(wkt.c_str());
    std::string out;
    if (srs && OSRAutoIdentifyEPSG(srs) == OGRERR_NONE) {
        const char* auth = OSRGetAuthorityName(srs, nullptr);
        const char* code = OSRGetAuthorityCode(srs, nullptr);
        if (auth && code) out = fmt::format("{}:{}", auth, code);
    }
    if (srs) OSRDestroySpatialReference(srs);
    return out;
}

std::string crs_uri(const std::string& crs) {
    auto colon = crs.find(':');
    return fmt::format("http://www.opengis.net/def/crs/{}/0/{}", crs.substr(0, colon), crs.substr(colon + 1));
}

// "http://www.opengis.net/def/crs/EPSG/0/4326", "urn:ogc:def:crs:EPSG::4326", "EPSG:4326".
std::string crs_from_uri(const std::string& text, const char* locator) {
    static const std::regex http(R"(^https?://www\.opengis\.net/def/crs/([A-Za-z]+)/[^/]*/([0-9A-Za-z]+)$)");
    static const std::regex urn(R"(^urn:ogc:def:crs:([A-Za-z]+):[^:]*:([0-9A-Za-z]+)$)");
    std::smatch m;
    std::string t(trim(text)), crs;
    if (std::regex_match(t, m, http) || std::regex_match(t, m, urn)) crs = to_upper(m[1].str()) + ":" + m[2].str();
    else crs = t;
    if (iequals(crs, "OGC:CRS84")) crs = "OGC:CRS84";
    try {
        crs_to_wkt(crs);
    } catch (const Error&) {
        throw ServiceError{400, "SubsettingCrs-NotSupported", locator, fmt::format("unknown CRS '{}'", text)};
    }
    return crs;
}

// Transforms an extent between CRSs (edges densified), x/y in GIS order.
Extent transform_extent(const std::string& from, const std::string& to, const Extent& e) {
    if (from == to) return e;
    const std::string a = crs_to_wkt(from), b = crs_to_wkt(to);
    OGRSpatialReferenceH src = OSRNewSpatialReference(a.c_str()), dst = OSRNewSpatialReference(b.c_str());
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    Extent out{1e300, 1e300, -1e300, -1e300};
    if (ct) {
        std::vector<double> xs, ys;
        for (int i = 0; i <= 20; ++i) {
            const double f = i / 20.0;
            xs.insert(xs.end(), {e.min_x + f * e.width(), e.min_x + f * e.width(), e.min_x, e.max_x});
            ys.insert(ys.end(), {e.min_y, e.max_y, e.min_y + f * e.height(), e.min_y + f * e.height()});
        }
        std::vector<int> ok(xs.size());
        OCTTransformEx(ct, static_cast<int>(xs.size()), xs.data(), ys.data(), nullptr, ok.data());
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (!ok[i] || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
            out.min_x = std::min(out.min_x, xs[i]);
            out.max_x = std::max(out.max_x, xs[i]);
            out.min_y = std::min(out.min_y, ys[i]);
            out.max_y = std::max(out.max_y, ys[i]);
        }
        OCTDestroyCoordinateTransformation(ct);
    }
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(dst);
    if (out.empty()) bad_parameter("SUBSET", "the subset cannot be expressed in the coverage's CRS");
    return out;
}

double nominal_degrees(const std::string& collection) {
    if (starts_with(collection, "LANDSAT")) return 30.0 / 111319.49;
    return 10.0 / 111319.49;
}

// The grid of a coverage: a product's finest band on its own grid (a GCP-georeferenced band
// on the WGS84 grid GDAL suggests), a mosaic on a WGS84 grid.
Grid coverage_grid(TileService& s, const Layer& l) {
    Grid g;
    std::vector<std::string> bands;
    for (const auto& id : l.styles)
        for (const auto& b : style_preset(id).bands())
            if (std::find(bands.begin(), bands.end(), b) == bands.end()) bands.push_back(b);
    if (l.is_product()) {
        auto p = s.product(l.product);
        if (!p) throw ServiceError{404, "NoSuchCoverage", "COVERAGEID", fmt::format("no coverage {}", l.id)};
        auto src = s.sources(*p);
        if (!src) throw ServiceError{500, "NoApplicableCode", "COVERAGEID", fmt::format("the files of {} cannot be read", p->name)};
        g.bands = src->band_names();
        const BandSource* finest = nullptr;
        for (const auto& b : src->bands)
            if (!finest || (b.resolution > 0 && b.resolution < finest->resolution)) finest = &b;
        GdalErrorCapture capture;
        DatasetPtr ds(GDALOpenEx(finest->path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
        if (!ds) throw capture.error(fmt::format("cannot open {}", finest->path));
        double gt[6];
        const char* wkt = GDALGetProjectionRef(ds.get());
        if (GDALGetGeoTransform(ds.get(), gt) == CE_None && wkt && *wkt && gt[2] == 0 && gt[4] == 0) {
            g.crs = epsg_of(wkt);
            if (g.crs.empty()) g.crs = "EPSG:4326";
            g.width = GDALGetRasterXSize(ds.get());
            g.height = GDALGetRasterYSize(ds.get());
            g.extent = {gt[0], gt[3] + gt[5] * g.height, gt[0] + gt[1] * g.width, gt[3]};
        } else {
            g.crs = "EPSG:4326";
            const std::string dst = "DST_SRS=" + crs_to_wkt("EPSG:4326");
            const char* opts[] = {dst.c_str(), nullptr};
            void* t = GDALCreateGenImgProjTransformer2(ds.get(), nullptr, const_cast<char**>(opts));
            if (!t) throw capture.error("cannot georeference the product");
            double ext[4];
            if (GDALSuggestedWarpOutput2(ds.get(), GDALGenImgProjTransform, t, gt, &g.width, &g.height, ext, 0) != CE_None) {
                GDALDestroyGenImgProjTransformer(t);
                throw capture.error("cannot georeference the product");
            }
            GDALDestroyGenImgProjTransformer(t);
            g.extent = {ext[0], ext[1], ext[2], ext[3]};
        }
    } else {
        g.crs = "EPSG:4326";
        g.extent = {l.bbox.west, l.bbox.south, l.bbox.east, l.bbox.north};
        const double d = nominal_degrees(l.collection);
        g.width = std::max(1, static_cast<int>(std::ceil(g.extent.width() / d)));
        g.height = std::max(1, static_cast<int>(std::ceil(g.extent.height() / d)));
        g.extent.max_x = g.extent.min_x + g.width * d;
        g.extent.min_y = g.extent.max_y - g.height * d;
        g.bands = bands;
    }
    g.crs_uri = crs_uri(g.crs);
    g.yx = crs_axis_order_yx(g.crs);
    g.geographic = crs_is_geographic(g.crs);
    return g;
}

std::pair<std::string, std::string> axis_labels(const Grid& g) {
    if (g.geographic) return {"Lat", "Long"};  // EPSG:4326 order
    return {"E", "N"};
}

// Which axis (0 = x/easting/longitude, 1 = y/northing/latitude) a label names.
int axis_of(std::string label, const char* locator) {
    if (auto slash = label.rfind('/'); slash != std::string::npos) label = label.substr(slash + 1);  // axis URIs
    const std::string l = to_lower(trim(label));
    if (l == "e" || l == "x" || l == "long" || l == "lon" || l == "longitude" || l == "easting" || l == "i") return 0;
    if (l == "n" || l == "y" || l == "lat" || l == "latitude" || l == "northing" || l == "j") return 1;
    throw ServiceError{400, "InvalidAxisLabel", locator, fmt::format("unknown axis '{}' (E/N, Long/Lat, x/y)", label)};
}

double number(const std::string& text, const char* locator) {
    auto v = parse_double(trim(text));
    if (!v || !std::isfinite(*v)) bad_parameter(locator, fmt::format("'{}' is not a number", text));
    return *v;
}

void operation(XmlWriter& w, const char* name, const std::string& href) {
    w.open("ows:Operation", {{"name", name}});
    w.open("ows:DCP");
    w.open("ows:HTTP");
    w.empty("ows:Get", {{"xlink:href", href}});
    w.close();
    w.close();
    w.close();
}

const XmlWriter::Attrs& namespaces() {
    static const XmlWriter::Attrs ns = {{"xmlns:wcs", "http://www.opengis.net/wcs/2.0"},
                                        {"xmlns:ows", "http://www.opengis.net/ows/2.0"},
                                        {"xmlns:gml", "http://www.opengis.net/gml/3.2"},
                                        {"xmlns:gmlcov", "http://www.opengis.net/gmlcov/1.0"},
                                        {"xmlns:swe", "http://www.opengis.net/swe/2.0"},
                                        {"xmlns:xlink", "http://www.w3.org/1999/xlink"},
                                        {"xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"}};
    return ns;
}

std::string pos(const Grid& g, double x, double y) {
    return g.yx ? fmt::format("{:.15g} {:.15g}", y, x) : fmt::format("{:.15g} {:.15g}", x, y);
}

}  // namespace

HttpResponse TileService::wcs(const HttpRequest& r) {
    auto service = r.param("SERVICE");
    if (!service) missing_parameter("SERVICE");
    if (!iequals(trim(*service), "WCS")) bad_parameter("SERVICE", fmt::format("SERVICE must be WCS, got '{}'", *service));
    auto request = r.param("REQUEST");
    if (!request) missing_parameter("REQUEST");
    const std::string base = base_url(r) + "/wcs?";
    if (iequals(*request, "GetCapabilities")) {
        if (auto v = r.param("ACCEPTVERSIONS"); v && v->find("2.0.1") == std::string::npos && v->find("2.0.0") == std::string::npos)
            throw ServiceError{400, "VersionNegotiationFailed", "ACCEPTVERSIONS", "only version 2.0.1 is supported"};
        XmlWriter w;
        XmlWriter::Attrs root = namespaces();
        root.emplace_back("version", "2.0.1");
        root.emplace_back("xsi:schemaLocation",
                          "http://www.opengis.net/wcs/2.0 http://schemas.opengis.net/wcs/2.0/wcsGetCapabilities.xsd");
        w.open("wcs:Capabilities", root);
        w.open("ows:ServiceIdentification");
        w.leaf("ows:Title", "libcreodias WCS");
        w.leaf("ows:Abstract", "Physical values (reflectance, backscatter) of the catalogue's products and mosaics as GeoTIFF.");
        w.leaf("ows:ServiceType", "OGC WCS", {{"codeSpace", "OGC"}});
        w.leaf("ows:ServiceTypeVersion", "2.0.1");
        for (const char* p : {"http://www.opengis.net/spec/WCS/2.0/conf/core",
                              "http://www.opengis.net/spec/WCS_protocol-binding_get-kvp/1.0/conf/get-kvp",
                              "http://www.opengis.net/spec/WCS_service-extension_crs/1.0/conf/crs",
                              "http://www.opengis.net/spec/WCS_service-extension_scaling/1.0/conf/scaling",
                              "http://www.opengis.net/spec/WCS_service-extension_range-subsetting/1.0/conf/record-subsetting",
                              "http://www.opengis.net/spec/GMLCOV_geotiff-coverages/1.0/conf/geotiff-coverage"})
            w.leaf("ows:Profile", p);
        w.close();
        w.open("ows:OperationsMetadata");
        for (const char* op : {"GetCapabilities", "DescribeCoverage", "GetCoverage"}) operation(w, op, base);
        w.close();
        w.open("wcs:ServiceMetadata");
        w.leaf("wcs:formatSupported", "image/tiff");
        w.close();
        w.open("wcs:Contents");
        for (const auto& l : *layers()) {
            w.open("wcs:CoverageSummary");
            w.leaf("ows:Title", l.title);
            w.open("ows:WGS84BoundingBox");
            w.leaf("ows:LowerCorner", fmt::format("{:.8g} {:.8g}", l.bbox.west, l.bbox.south));
            w.leaf("ows:UpperCorner", fmt::format("{:.8g} {:.8g}", l.bbox.east, l.bbox.north));
            w.close();
            w.leaf("wcs:CoverageId", l.id);
            w.leaf("wcs:CoverageSubtype", "RectifiedGridCoverage");
            w.close();
        }
        HttpResponse resp;
        resp.content_type = "application/xml";
        resp.body = w.str();
        return resp;
    }
    if (auto v = r.param("VERSION"); v && trim(*v) != "2.0.1" && trim(*v) != "2.0.0")
        bad_parameter("VERSION", fmt::format("VERSION must be 2.0.1, got '{}'", *v));
    auto find_coverage = [&](const std::string& id) {
        try {
            return find_layer(id, "COVERAGEID");
        } catch (const ServiceError& e) {
            throw ServiceError{404, "NoSuchCoverage", "COVERAGEID", e.message};
        }
    };
    if (iequals(*request, "DescribeCoverage")) {
        auto ids = r.param("COVERAGEID");
        if (!ids || trim(*ids).empty()) missing_parameter("COVERAGEID");
        XmlWriter w;
        XmlWriter::Attrs root = namespaces();
        root.emplace_back("xsi:schemaLocation",
                          "http://www.opengis.net/wcs/2.0 http://schemas.opengis.net/wcs/2.0/wcsDescribeCoverage.xsd");
        w.open("wcs:CoverageDescriptions", root);
        for (const auto& id : split(*ids, ',', true)) {
            const Layer l = find_coverage(std::string(trim(id)));
            const Grid g = coverage_grid(*this, l);
            const auto [a1, a2] = axis_labels(g);
            const std::string labels = a1 + " " + a2;
            const std::string uoms = g.geographic ? "deg deg" : "m m";
            w.open("wcs:CoverageDescription", {{"gml:id", "C_" + l.id}});
            w.open("gml:boundedBy");
            w.open("gml:Envelope", {{"srsName", g.crs_uri}, {"axisLabels", labels}, {"uomLabels", uoms}, {"srsDimension", "2"}});
            w.leaf("gml:lowerCorner", pos(g, g.extent.min_x, g.extent.min_y));
            w.leaf("gml:upperCorner", pos(g, g.extent.max_x, g.extent.max_y));
            w.close();
            w.close();
            w.leaf("wcs:CoverageId", l.id);
            w.open("gml:domainSet");
            w.open("gml:RectifiedGrid", {{"gml:id", "G_" + l.id}, {"dimension", "2"}});
            w.open("gml:limits");
            w.open("gml:GridEnvelope");
            w.leaf("gml:low", "0 0");
            w.leaf("gml:high", fmt::format("{} {}", g.width - 1, g.height - 1));
            w.close();
            w.close();
            w.leaf("gml:axisLabels", labels);
            w.open("gml:origin");
            w.open("gml:Point", {{"gml:id", "P_" + l.id}, {"srsName", g.crs_uri}});
            w.leaf("gml:pos", pos(g, g.extent.min_x + g.cell_x() / 2, g.extent.max_y - g.cell_y() / 2));
            w.close();
            w.close();
            // Grid axis i runs east (columns), j south (rows); vectors in the CRS's axis order.
            w.leaf("gml:offsetVector", pos(g, g.cell_x(), 0), {{"srsName", g.crs_uri}});
            w.leaf("gml:offsetVector", pos(g, 0, -g.cell_y()), {{"srsName", g.crs_uri}});
            w.close();
            w.close();
            w.open("gmlcov:rangeType");
            w.open("swe:DataRecord");
            for (const auto& b : g.bands) {
                w.open("swe:field", {{"name", b}});
                w.open("swe:Quantity", {{"definition", "http://www.opengis.net/def/dataType/OGC/0/float32"}});
                w.leaf("swe:description", fmt::format("band {} in physical units", b));
                w.empty("swe:uom", {{"code", "1"}});
                w.close();
                w.close();
            }
            w.close();
            w.close();
            w.open("wcs:ServiceParameters");
            w.leaf("wcs:CoverageSubtype", "RectifiedGridCoverage");
            w.leaf("wcs:nativeFormat", "image/tiff");
            w.close();
            w.close();
        }
        HttpResponse resp;
        resp.content_type = "application/xml";
        resp.body = w.str();
        return resp;
    }
    if (!iequals(*request, "GetCoverage"))
        throw ServiceError{400, "OperationNotSupported", "REQUEST",
                           fmt::format("REQUEST '{}' is not supported (GetCapabilities, DescribeCoverage, GetCoverage)", *request)};

    auto id = r.param("COVERAGEID");
    if (!id || trim(*id).empty()) missing_parameter("COVERAGEID");
    const Layer layer = find_coverage(std::string(trim(*id)));
    const Grid g = coverage_grid(*this, layer);
    if (auto f = r.param("FORMAT"); f && !iequals(trim(*f), "image/tiff") && !iequals(trim(*f), "image/geotiff") &&
                                    !iequals(trim(*f), "image/tiff;application=geotiff"))
        bad_parameter("FORMAT", fmt::format("FORMAT '{}' is not supported (image/tiff)", *f));
    if (auto mt = r.param("MEDIATYPE"); mt && !trim(*mt).empty())
        bad_parameter("MEDIATYPE", "multipart responses are not supported; omit MEDIATYPE");

    // Trimming, in SUBSETTINGCRS (default: the coverage's CRS).
    const std::string subset_crs = r.param("SUBSETTINGCRS") ? crs_from_uri(*r.param("SUBSETTINGCRS"), "SUBSETTINGCRS") : g.crs;
    const std::string out_crs = r.param("OUTPUTCRS") ? crs_from_uri(*r.param("OUTPUTCRS"), "OUTPUTCRS") : g.crs;
    Extent subset = transform_extent(g.crs, subset_crs, g.extent);
    bool trimmed[2] = {false, false};
    static const std::regex subset_re(R"(^\s*([^,(\s]+)\s*(?:,\s*([^()]+?)\s*)?\(\s*([^,()]+?)\s*(?:,\s*([^,()]+?)\s*)?\)\s*$)");
    for (const auto& s : r.params("SUBSET")) {
        std::smatch m;
        if (!std::regex_match(s, m, subset_re))
            bad_parameter("SUBSET", fmt::format("SUBSET '{}' is not axis(low,high)", s), "InvalidSubsetting");
        const int axis = axis_of(m[1].str(), "SUBSET");
        if (m[2].matched && crs_from_uri(m[2].str(), "SUBSET") != subset_crs)
            bad_parameter("SUBSET", "all SUBSETs must use one CRS (SUBSETTINGCRS)", "InvalidSubsetting");
        if (!m[4].matched) bad_parameter("SUBSET", fmt::format("slicing ('{}') is not supported on 2-D coverages", s), "InvalidSubsetting");
        if (trimmed[axis]) bad_parameter("SUBSET", fmt::format("axis {} is trimmed twice", m[1].str()), "InvalidSubsetting");
        trimmed[axis] = true;
        double lo = number(m[3].str(), "SUBSET"), hi = number(m[4].str(), "SUBSET");
        if (lo >= hi) bad_parameter("SUBSET", fmt::format("SUBSET '{}': low must be below high", s), "InvalidSubsetting");
        if (axis == 0) {
            subset.min_x = std::max(subset.min_x, lo);
            subset.max_x = std::min(subset.max_x, hi);
        } else {
            subset.min_y = std::max(subset.min_y, lo);
            subset.max_y = std::min(subset.max_y, hi);
        }
    }
    if (subset.empty())
        throw ServiceError{400, "InvalidSubsetting", "SUBSET", "the subset does not intersect the coverage"};
    // The output grid: the subset in the output CRS at the native resolution, unless scaled.
    RenderTarget t;
    t.crs = out_crs;
    t.extent = transform_extent(subset_crs, out_crs, subset);
    const Extent native = transform_extent(subset_crs, g.crs, subset);
    double w = native.width() / g.cell_x(), h = native.height() / g.cell_y();
    if (auto sf = r.param("SCALEFACTOR")) {
        const double f = number(*sf, "SCALEFACTOR");
        if (f <= 0) bad_parameter("SCALEFACTOR", "SCALEFACTOR must be positive", "InvalidScaleFactor");
        w /= f;
        h /= f;
    }
    static const std::regex item_re(R"(^\s*([^()\s]+)\s*\(\s*([^()]+?)\s*\)\s*$)");
    auto scale_items = [&](const char* name, auto&& apply) {
        if (auto v = r.param(name))
            for (const auto& item : split(*v, ',', true)) {
                std::smatch m;
                if (!std::regex_match(item, m, item_re)) bad_parameter(name, fmt::format("'{}' is not axis(value)", item));
                apply(axis_of(m[1].str(), name), m[2].str());
            }
    };
    scale_items("SCALEAXES", [&](int axis, const std::string& v) {
        const double f = number(v, "SCALEAXES");
        if (f <= 0) bad_parameter("SCALEAXES", "scale factors must be positive", "InvalidScaleFactor");
        (axis == 0 ? w : h) /= f;
    });
    scale_items("SCALESIZE", [&](int axis, const std::string& v) {
        const double n = number(v, "SCALESIZE");
        if (n < 1 || n != std::floor(n)) bad_parameter("SCALESIZE", fmt::format("'{}' is not a positive size", v), "InvalidExtent");
        (axis == 0 ? w : h) = n;
    });
    scale_items("SCALEEXTENT", [&](int axis, const std::string& v) {
        auto c = v.find(':');
        if (c == std::string::npos) bad_parameter("SCALEEXTENT", fmt::format("'{}' is not low:high", v), "InvalidExtent");
        const double lo = number(v.substr(0, c), "SCALEEXTENT"), hi = number(v.substr(c + 1), "SCALEEXTENT");
        if (hi < lo) bad_parameter("SCALEEXTENT", fmt::format("'{}': high below low", v), "InvalidExtent");
        (axis == 0 ? w : h) = hi - lo + 1;
    });
    t.width = std::max(1, static_cast<int>(std::lround(w)));
    t.height = std::max(1, static_cast<int>(std::lround(h)));
    const int cap = options().max_image_size;
    if (t.width > cap || t.height > cap)
        bad_parameter("SCALESIZE",
                      fmt::format("the requested grid is {}x{} pixels; at most {}x{}: trim with SUBSET or scale with "
                                  "SCALESIZE/SCALEFACTOR",
                                  t.width, t.height, cap, cap));
    // Range subsetting: names and name:name intervals of the range type.
    std::vector<std::string> bands;
    if (auto rs = r.param("RANGESUBSET"); rs && !trim(*rs).empty()) {
        auto index_of = [&](const std::string& n) {
            for (std::size_t i = 0; i < g.bands.size(); ++i)
                if (iequals(g.bands[i], trim(n))) return i;
            bad_parameter("RANGESUBSET", fmt::format("no band '{}' (bands: {})", trim(n), fmt::join(g.bands, ", ")),
                          "NoSuchField");
        };
        for (const auto& item : split(*rs, ',', true)) {
            auto c = item.find(':');
            if (c == std::string::npos) {
                bands.push_back(g.bands[index_of(item)]);
                continue;
            }
            std::size_t a = index_of(item.substr(0, c)), b = index_of(item.substr(c + 1));
            if (a > b) bad_parameter("RANGESUBSET", fmt::format("interval '{}' is reversed", item), "IllegalFieldSequence");
            for (std::size_t i = a; i <= b; ++i) bands.push_back(g.bands[i]);
        }
    } else {
        bands = g.bands;
    }
    MapRequest m = map_request(r, layer);
    if (auto interp = r.param("INTERPOLATION")) {
        std::string v = to_lower(trim(*interp));
        if (auto slash = v.rfind('/'); slash != std::string::npos) v = v.substr(slash + 1);
        if (v == "nearest-neighbor" || v == "nearest") m.resampling = Resampling::nearest;
        else if (v == "linear" || v == "bilinear") m.resampling = Resampling::bilinear;
        else if (v == "cubic") m.resampling = Resampling::cubic;
        else if (v == "cubic-spline") m.resampling = Resampling::cubic_spline;
        else if (v == "average") m.resampling = Resampling::average;
        else bad_parameter("INTERPOLATION", fmt::format("interpolation '{}' is not supported", *interp), "InterpolationMethodNotSupported");
    } else {
        m.resampling = Resampling::nearest;
    }
    ExpressionLimits limits;
    limits.max_outputs = 64;
    std::string expr;
    for (const auto& b : bands) expr += (expr.empty() ? "" : ";") + b;
    m.style = Style{};
    m.style.expression = Expression::parse(expr, limits);
    RenderStats st;
    RasterBlock block = read(m, t, &st);
    HttpResponse resp;
    resp.content_type = "image/tiff";
    resp.body = encode_geotiff(block);
    resp.header("Content-Disposition", fmt::format("inline; filename=\"{}.tif\"", layer.id));
    resp.header("ETag", "\"" + hash_hex(resp.body) + "\"");
    if (st.partial) resp.header("X-Creodias-Partial", "true");
    return resp;
}

}  // namespace creodias::detail
