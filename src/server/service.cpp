// The tile service: routing, the JSON API, XYZ tiles, TileJSON, tile matrix sets, the
// viewer's files, layers, band sources and the shared rendering path.
#include "server/service.hpp"

#include <creodias/error.hpp>
#include <creodias/formats.hpp>

#include "core/strings.hpp"
#include "server/viewer_assets.hpp"
#include "server/xml_writer.hpp"
#include "tiles/gdal_util.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <ogr_srs_api.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

namespace creodias::detail {
namespace {

constexpr double kMetresPerDegree = 111319.49079327357;

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now().time_since_epoch())
        .count();
}

std::int64_t file_stamp(const std::filesystem::path& p) {
    std::error_code ec;
    auto t = std::filesystem::last_write_time(p, ec);
    if (ec) return 0;
    auto wal = p;
    wal += "-wal";
    auto t2 = std::filesystem::last_write_time(wal, ec);
    std::int64_t a = t.time_since_epoch().count();
    std::int64_t b = ec ? 0 : t2.time_since_epoch().count();
    return std::max(a, b);
}

HttpResponse json_response(const nlohmann::json& j, int status = 200) {
    HttpResponse r;
    r.status = status;
    r.content_type = "application/json";
    r.body = j.dump();
    return r;
}

HttpResponse redirect(const std::string& to) {
    HttpResponse r;
    r.status = 302;
    r.header("Location", to);
    r.body = "see " + to + "\n";
    return r;
}


// WGS84 box of an extent in any CRS: corners and edge points transformed, densified.
BBox wgs84_box(const std::string& crs, const Extent& e) {
    if (crs == "OGC:CRS84" || crs == "EPSG:4326" || iequals(crs, "CRS:84"))
        return BBox{std::max(-180.0, e.min_x), std::max(-90.0, e.min_y), std::min(180.0, e.max_x),
                    std::min(90.0, e.max_y)};
    if (crs == "EPSG:3857") {
        auto lat = [](double y) { return std::atan(std::sinh(y / 6378137.0)) * 180 / M_PI; };
        auto lon = [](double x) { return x / 6378137.0 * 180 / M_PI; };
        return BBox{std::max(-180.0, lon(e.min_x)), std::max(-90.0, lat(e.min_y)), std::min(180.0, lon(e.max_x)),
                    std::min(90.0, lat(e.max_y))};
    }
    const std::string wkt = crs_to_wkt(crs);
    OGRSpatialReferenceH src = OSRNewSpatialReference(wkt.c_str());
    OGRSpatialReferenceH dst = OSRNewSpatialReference(nullptr);
    OSRSetWellKnownGeogCS(dst, "WGS84");
    OSRSetAxisMappingStrategy(src, OAMS_TRADITIONAL_GIS_ORDER);
    OSRSetAxisMappingStrategy(dst, OAMS_TRADITIONAL_GIS_ORDER);
    OGRCoordinateTransformationH ct = OCTNewCoordinateTransformation(src, dst);
    BBox b{180, 90, -180, -90};
    if (ct) {
        const int n = 21;
        std::vector<double> xs, ys;
        for (int i = 0; i < n; ++i) {
            const double f = i / double(n - 1);
            xs.insert(xs.end(), {e.min_x + f * e.width(), e.min_x + f * e.width(), e.min_x, e.max_x});
            ys.insert(ys.end(), {e.min_y, e.max_y, e.min_y + f * e.height(), e.min_y + f * e.height()});
        }
        std::vector<int> ok(xs.size());
        OCTTransformEx(ct, static_cast<int>(xs.size()), xs.data(), ys.data(), nullptr, ok.data());
        for (std::size_t i = 0; i < xs.size(); ++i) {
            if (!ok[i] || !std::isfinite(xs[i]) || !std::isfinite(ys[i])) continue;
            b.west = std::min(b.west, xs[i]);
            b.east = std::max(b.east, xs[i]);
            b.south = std::min(b.south, ys[i]);
            b.north = std::max(b.north, ys[i]);
        }
        OCTDestroyCoordinateTransformation(ct);
    }
    OSRDestroySpatialReference(src);
    OSRDestroySpatialReference(dst);
    if (b.west > b.east) throw ServiceError{400, "InvalidParameterValue", "BBOX", "the extent has no WGS84 equivalent"};
    b.west = std::max(b.west, -180.0);
    b.east = std::min(b.east, 180.0);
    b.south = std::max(b.south, -90.0);
    b.north = std::min(b.north, 90.0);
    return b;
}

std::optional<std::pair<std::string, std::string>> layer_group(const std::string& collection,
                                                               const std::string& product_type) {
    const std::string t = to_upper(product_type);
    if (collection == "SENTINEL-2") {
        if (t.find("2A") != std::string::npos) return std::pair{std::string("SENTINEL-2-L2A"), std::string("Sentinel-2 L2A")};
        if (t.find("1C") != std::string::npos) return std::pair{std::string("SENTINEL-2-L1C"), std::string("Sentinel-2 L1C")};
        return std::nullopt;
    }
    if (collection == "SENTINEL-1") {
        if (t.find("GRD") != std::string::npos) return std::pair{std::string("SENTINEL-1-GRD"), std::string("Sentinel-1 GRD")};
        return std::nullopt;
    }
    if (collection == "LANDSAT-8" || collection == "LANDSAT-9") {
        if (starts_with(t, "L2")) return std::pair{collection + "-L2", collection.substr(0, 1) + to_lower(collection.substr(1)) + " Level-2"};
        return std::nullopt;
    }
    return std::nullopt;
}

std::vector<std::string> styles_of(const std::string& collection, const std::string& group_id) {
    std::vector<std::string> out;
    for (const Style* s : styles_for_collection(collection)) {
        if (s->id == "SCENE_CLASSIFICATION" && group_id.find("L2A") == std::string::npos) continue;
        out.push_back(s->id);
    }
    return out;
}

void extend(BBox& b, const BBox& o, bool& first) {
    if (o.crosses_antimeridian()) {
        b.west = -180;
        b.east = 180;
    }
    if (first) {
        b = o;
        if (o.crosses_antimeridian()) {
            b.west = -180;
            b.east = 180;
        }
        first = false;
        return;
    }
    b.west = std::min(b.west, o.west);
    b.east = std::max(b.east, o.east);
    b.south = std::min(b.south, o.south);
    b.north = std::max(b.north, o.north);
}

bool parse_bool(const std::string& v, const std::string& name) {
    const std::string l = to_lower(trim(v));
    if (l == "true" || l == "1" || l == "yes" || l == "on") return true;
    if (l == "false" || l == "0" || l == "no" || l == "off" || l.empty()) return false;
    bad_parameter(name, fmt::format("{} must be true or false, got '{}'", name, v));
}

}  // namespace

// ---- errors -------------------------------------------------------------------------------

void bad_parameter(const std::string& locator, const std::string& message, const std::string& code) {
    throw ServiceError{400, code, locator, message};
}

void missing_parameter(const std::string& locator) {
    throw ServiceError{400, "MissingParameterValue", locator, fmt::format("missing parameter {}", locator)};
}

ServiceError to_service_error(const std::exception& e, const std::string& locator) {
    if (const auto* err = dynamic_cast<const Error*>(&e)) {
        switch (err->code()) {
            case Errc::invalid_argument: return {400, "InvalidParameterValue", locator, err->what()};
            case Errc::not_found: return {400, "InvalidParameterValue", locator, err->what()};
            case Errc::unsupported: return {400, "OperationNotSupported", locator, err->what()};
            case Errc::timeout: return {504, "NoApplicableCode", locator, fmt::format("timed out: {}", err->what())};
            case Errc::busy: return {503, "NoApplicableCode", locator, err->what()};
            case Errc::io:
                return {500, "NoApplicableCode", locator, fmt::format("a source could not be read: {}", err->what())};
            default: return {500, "NoApplicableCode", locator, err->what()};
        }
    }
    return {500, "NoApplicableCode", locator, e.what()};
}

HttpResponse error_response(const ServiceError& e, ErrorFormat format) {
    HttpResponse r;
    r.status = e.status;
    r.header("Cache-Control", "no-store");
    switch (format) {
        case ErrorFormat::json: {
            nlohmann::json j = {{"error", {{"code", e.code}, {"message", e.message}}}};
            if (!e.locator.empty()) j["error"]["locator"] = e.locator;
            r.content_type = "application/json";
            r.body = j.dump();
            return r;
        }
        case ErrorFormat::ows11:
        case ErrorFormat::ows20: {
            const bool v2 = format == ErrorFormat::ows20;
            XmlWriter w;
            w.open("ows:ExceptionReport", {{"xmlns:ows", v2 ? "http://www.opengis.net/ows/2.0" : "http://www.opengis.net/ows/1.1"},
                                           {"version", v2 ? "2.0.1" : "1.0.0"},
                                           {"xml:lang", "en"}});
            XmlWriter::Attrs a = {{"exceptionCode", e.code}};
            if (!e.locator.empty()) a.emplace_back("locator", e.locator);
            w.open("ows:Exception", a);
            w.leaf("ows:ExceptionText", e.message);
            r.content_type = "application/xml";
            r.body = w.str();
            return r;
        }
        case ErrorFormat::wms111:
        case ErrorFormat::wms130: {
            const bool v13 = format == ErrorFormat::wms130;
            XmlWriter w;
            XmlWriter::Attrs root = {{"version", v13 ? "1.3.0" : "1.1.1"}};
            if (v13) root.emplace_back("xmlns", "http://www.opengis.net/ogc");
            w.open("ServiceExceptionReport", root);
            XmlWriter::Attrs a = {{"code", e.code}};
            if (!e.locator.empty() && v13) a.emplace_back("locator", e.locator);
            w.leaf("ServiceException", e.message, a);
            r.content_type = v13 ? "text/xml" : "application/vnd.ogc.se_xml";
            r.body = w.str();
            return r;
        }
    }
    return r;
}

// ---- catalogue pool ---------------------------------------------------------------------------

class TileService::CatalogueLease {
public:
    CatalogueLease(TileService* s, std::unique_ptr<Catalogue> c) : s_(s), c_(std::move(c)) {}
    CatalogueLease(CatalogueLease&& o) noexcept : s_(o.s_), c_(std::move(o.c_)) {}
    ~CatalogueLease() {
        if (!c_) return;
        std::lock_guard<std::mutex> lock(s_->cat_mu_);
        s_->idle_catalogues_.push_back(std::move(c_));
        s_->cat_cv_.notify_one();
    }
    Catalogue* operator->() const { return c_.get(); }

private:
    TileService* s_;
    std::unique_ptr<Catalogue> c_;
};

TileService::CatalogueLease TileService::catalogue() {
    std::unique_lock<std::mutex> lock(cat_mu_);
    cat_cv_.wait(lock, [&] { return !idle_catalogues_.empty() || catalogues_open_ < max_catalogues_; });
    if (!idle_catalogues_.empty()) {
        auto c = std::move(idle_catalogues_.back());
        idle_catalogues_.pop_back();
        return CatalogueLease(this, std::move(c));
    }
    ++catalogues_open_;
    lock.unlock();
    try {
        CatalogueOptions o;
        o.store.read_only = true;
        return CatalogueLease(this, std::make_unique<Catalogue>(options_.catalogue, o));
    } catch (...) {
        std::lock_guard<std::mutex> relock(cat_mu_);
        --catalogues_open_;
        cat_cv_.notify_one();
        throw;
    }
}

// ---- construction -----------------------------------------------------------------------------

TileService::TileService(ServerOptions options)
    : options_(std::move(options)),
      cache_(options_.tile_cache_mb << 20, options_.disk_cache, options_.disk_cache_mb << 20) {
    if (options_.catalogue.empty()) options_.catalogue = Catalogue::default_path();
    if (!std::filesystem::exists(options_.catalogue))
        throw NotFoundError("server", fmt::format("no catalogue at {} (index products first, or give --db)",
                                                  options_.catalogue.string()));
    access_ = std::make_unique<ProductAccess>(options_.access);
    renderer_ = std::make_unique<Renderer>(options_.renderer);
    const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
    max_catalogues_ = std::max<std::size_t>(4, options_.threads ? options_.threads : 2 * hw);
    { auto first = catalogue(); }  // opens (and checks) the catalogue now
    layers();
}

TileService::~TileService() = default;

std::string TileService::base_url(const HttpRequest& r) const {
    if (!options_.public_url.empty()) {
        std::string u = options_.public_url;
        while (!u.empty() && u.back() == '/') u.pop_back();
        return u;
    }
    std::string host = r.header("host");
    if (host.empty()) host = fmt::format("{}:{}", options_.host, options_.port);
    return "http://" + host;
}

// ---- layers -----------------------------------------------------------------------------------

std::shared_ptr<const std::vector<Layer>> TileService::layers() {
    std::lock_guard<std::mutex> lock(layers_mu_);
    const auto now = now_seconds();
    if (layers_ && now - layers_checked_ < 5) return layers_;
    layers_checked_ = now;
    const auto stamp = file_stamp(options_.catalogue);
    if (layers_ && stamp == layers_stamp_) return layers_;
    layers_ = std::make_shared<const std::vector<Layer>>(build_layers());
    layers_stamp_ = stamp;
    return layers_;
}

std::vector<Layer> TileService::build_layers() {
    auto cat = catalogue();
    const StoreStats st = cat->stats();
    std::vector<Layer> mosaics;
    std::vector<Product> recent;
    for (const auto& [collection, count] : st.per_collection) {
        if (styles_for_collection(collection).empty() || count == 0) continue;
        Query q;
        q.collections = {collection};
        q.limit = 1000;
        const Page page = cat->search(q);
        Query first = q;
        first.limit = 1;
        first.order = SortOrder::ascending;
        const Page oldest = cat->search(first);
        std::map<std::string, Layer> groups;
        std::map<std::string, bool> fresh;
        for (const auto& p : page.products) {
            auto g = layer_group(collection, p.product_type);
            if (!g) continue;
            auto [it, inserted] = groups.try_emplace(g->first);
            Layer& l = it->second;
            if (inserted) {
                l.id = g->first;
                l.title = g->second;
                l.collection = collection;
                l.styles = styles_of(collection, l.id);
                l.start = p.sensing_start;
                l.end = p.sensing_end;
                fresh[l.id] = true;
            }
            if (std::find(l.product_types.begin(), l.product_types.end(), p.product_type) == l.product_types.end())
                l.product_types.push_back(p.product_type);
            l.start = std::min(l.start, p.sensing_start);
            l.end = std::max(l.end, p.sensing_end);
            bool& f = fresh[l.id];
            extend(l.bbox, p.footprint.bbox(), f);
            ++l.products;
            if (recent.size() < 4 * options_.max_product_layers + 16) recent.push_back(p);
        }
        for (auto& [id, l] : groups) {
            if (!oldest.products.empty()) l.start = std::min(l.start, oldest.products.front().sensing_start);
            l.abstract = fmt::format("Mosaic of the {} products of the catalogue ({} sampled), most recent first by "
                                     "default; TIME, MAXCC and PRIORITY select and order them.",
                                     l.title, l.products);
            mosaics.push_back(std::move(l));
        }
    }
    // The layers users open most come first (the viewer starts with the first).
    auto rank = [](const Layer& l) {
        static const char* order[] = {"SENTINEL-2-L2A", "SENTINEL-2-L1C", "SENTINEL-1-GRD"};
        for (int i = 0; i < 3; ++i)
            if (l.id == order[i]) return i;
        return 3;
    };
    std::stable_sort(mosaics.begin(), mosaics.end(), [&](const Layer& a, const Layer& b) { return rank(a) < rank(b); });
    std::sort(recent.begin(), recent.end(), [](const Product& a, const Product& b) {
        return a.sensing_start != b.sensing_start ? a.sensing_start > b.sensing_start : a.name < b.name;
    });
    std::vector<Layer> out = mosaics;
    for (const auto& p : recent) {
        if (out.size() - mosaics.size() >= options_.max_product_layers) break;
        auto g = layer_group(canonical_collection(p.collection), p.product_type);
        if (!g) continue;
        Layer l;
        l.id = p.name_key();
        l.title = p.name_key();
        l.collection = canonical_collection(p.collection);
        l.product_types = {p.product_type};
        l.product = p.name;
        l.styles = styles_of(l.collection, g->first);
        l.bbox = p.footprint.bbox();
        if (l.bbox.crosses_antimeridian()) {
            l.bbox.west = -180;
            l.bbox.east = 180;
        }
        l.start = p.sensing_start;
        l.end = p.sensing_end;
        l.products = 1;
        l.abstract = fmt::format("{} product {}", g->second, p.name);
        out.push_back(std::move(l));
    }
    return out;
}

Layer TileService::find_layer(const std::string& id, const std::string& locator) {
    const std::string want(trim(id));
    if (want.empty()) missing_parameter(locator);
    auto ls = layers();
    for (const auto& l : *ls)
        if (iequals(l.id, want)) return l;
    if (auto p = product(want)) {
        auto g = layer_group(canonical_collection(p->collection), p->product_type);
        if (g) {
            Layer l;
            l.id = p->name_key();
            l.title = l.id;
            l.collection = canonical_collection(p->collection);
            l.product_types = {p->product_type};
            l.product = p->name;
            l.styles = styles_of(l.collection, g->first);
            l.bbox = p->footprint.bbox();
            if (l.bbox.crosses_antimeridian()) {
                l.bbox.west = -180;
                l.bbox.east = 180;
            }
            l.start = p->sensing_start;
            l.end = p->sensing_end;
            l.products = 1;
            return l;
        }
        bad_parameter(locator, fmt::format("product {} ({}) cannot be rendered", p->name, p->collection),
                      "LayerNotDefined");
    }
    std::string known;
    std::size_t n = 0;
    for (const auto& l : *ls) {
        if (l.is_product()) continue;
        known += (n++ ? ", " : "") + l.id;
    }
    bad_parameter(locator, fmt::format("unknown layer '{}' (layers: {}; or a product name)", want, known),
                  "LayerNotDefined");
}

std::optional<Product> TileService::product(const std::string& id_or_name) {
    auto cat = catalogue();
    return cat->get(id_or_name);
}

// ---- sources ---------------------------------------------------------------------------------

std::shared_ptr<const SourceSet> TileService::sources(const Product& p) {
    const std::string key = p.name + "|" + (p.updated ? std::to_string(p.updated->us) : "");
    {
        std::lock_guard<std::mutex> lock(sources_mu_);
        if (auto it = sources_index_.find(key); it != sources_index_.end()) {
            sources_lru_.splice(sources_lru_.begin(), sources_lru_, it->second);
            return it->second->second;
        }
    }
    std::shared_ptr<const SourceSet> s;
    try {
        // Products that are not on the mount are read from S3 only when an S3 endpoint is
        // configured: a server must not stall on a store it cannot reach.
        const auto loc = access_->locate(p);
        if (loc.mounted || options_.access.s3.endpoint) s = std::make_shared<const SourceSet>(product_sources(p, *access_));
    } catch (const NotFoundError&) {
    }
    std::lock_guard<std::mutex> lock(sources_mu_);
    if (!sources_index_.count(key)) {
        sources_lru_.emplace_front(key, s);
        sources_index_[key] = sources_lru_.begin();
        while (sources_lru_.size() > 4096) {
            sources_index_.erase(sources_lru_.back().first);
            sources_lru_.pop_back();
        }
    }
    return s;
}

std::vector<Product> TileService::products_for(const MapRequest& m, const BBox& box, std::size_t limit) {
    Query q;
    q.collections = {m.layer.collection};
    q.product_types = m.layer.product_types;
    q.aoi = Geometry::from_bbox(box);
    q.sensing = m.time;
    q.cloud_max = m.max_cloud;
    q.limit = std::max<std::size_t>(1, std::min<std::size_t>(limit, 1000));
    switch (m.order) {
        case MosaicOrder::most_recent: q.sort = SortField::sensing_time; q.order = SortOrder::descending; break;
        case MosaicOrder::least_recent: q.sort = SortField::sensing_time; q.order = SortOrder::ascending; break;
        case MosaicOrder::least_cc: q.sort = SortField::cloud_cover; q.order = SortOrder::ascending; break;
    }
    auto cat = catalogue();
    return cat->search(q).products;
}

// ---- requests ---------------------------------------------------------------------------------

std::string MapRequest::key() const {
    return fmt::format("{}|{}|{}|{}|{}|{}|{}|{}", layer.id, style_key, time.start ? time.start->us : -1,
                       time.end ? time.end->us : -1, max_cloud ? *max_cloud : -1, to_string(order), cloud_mask,
                       to_string(resampling));
}

MapRequest TileService::map_request(const HttpRequest& r, const Layer& layer, std::string_view style_param) {
    MapRequest m;
    m.layer = layer;
    const auto expression = r.param("EXPRESSION");
    const auto rescale = r.params("RESCALE");
    const std::string colormap = r.param("COLORMAP").value_or("");
    double gamma = 1.0;
    if (auto g = r.param("GAMMA")) {
        auto v = parse_double(trim(*g));
        if (!v) bad_parameter("GAMMA", fmt::format("GAMMA must be a number, got '{}'", *g));
        gamma = *v;
    }
    try {
        if (expression && !trim(*expression).empty()) {
            m.style = custom_style(*expression, rescale, colormap, gamma);
            m.style_key = fmt::format("expr:{}|{}|{}|{}", *expression, fmt::join(rescale, ";"), colormap, gamma);
        } else {
            std::string s(trim(r.param(style_param).value_or("")));
            if (s.empty() || iequals(s, "default")) {
                if (layer.styles.empty()) bad_parameter(std::string(style_param), "the layer has no style");
                s = layer.styles.front();
            }
            auto it = std::find_if(layer.styles.begin(), layer.styles.end(), [&](const auto& x) { return iequals(x, s); });
            if (it == layer.styles.end())
                bad_parameter(std::string(style_param), fmt::format("unknown style '{}' for layer {} (styles: {})", s,
                                                                    layer.id, fmt::join(layer.styles, ", ")),
                              "StyleNotDefined");
            m.style = style_preset(*it);
            if (!rescale.empty()) {
                Style custom = custom_style(m.style.expression.text(), rescale, "", gamma);
                m.style.rescale = custom.rescale;
            }
            if (!trim(colormap).empty()) {
                if (m.style.expression.outputs() != 1) bad_parameter("COLORMAP", "a colormap needs a one-band style");
                m.style.colormap = Colormap::parse(colormap);
            }
            m.style.gamma = gamma;
            if (!(gamma > 0.01 && gamma < 100)) bad_parameter("GAMMA", "GAMMA must be in 0.01..100");
            m.style_key = fmt::format("style:{}|{}|{}|{}", m.style.id, fmt::join(rescale, ";"), colormap, gamma);
        }
    } catch (const ServiceError&) {
        throw;
    } catch (const Error& e) {
        bad_parameter(expression ? "EXPRESSION" : std::string(style_param), e.what());
    }
    if (auto t = r.param("TIME"); t && !trim(*t).empty() && !iequals(trim(*t), "current") && !iequals(trim(*t), "default")) {
        auto parts = split(trim(*t), '/');
        if (parts.size() < 1 || parts.size() > 3)
            bad_parameter("TIME", fmt::format("TIME must be START/END or a date, got '{}'", *t));
        try {
            const std::string a(trim(parts[0]));
            const std::string b(trim(parts.size() > 1 ? parts[1] : parts[0]));
            if (!a.empty() && a != "..") m.time.start = parse_datetime(a);
            if (!b.empty() && b != "..") m.time.end = parse_datetime_end(b);
        } catch (const Error& e) {
            bad_parameter("TIME", e.what());
        }
        if (m.time.start && m.time.end && *m.time.start > *m.time.end)
            bad_parameter("TIME", fmt::format("TIME range '{}' ends before it starts", *t));
    }
    if (auto c = r.param("MAXCC")) {
        auto v = parse_double(trim(*c));
        if (!v || *v < 0 || *v > 100) bad_parameter("MAXCC", fmt::format("MAXCC must be 0..100, got '{}'", *c));
        m.max_cloud = *v;
    }
    try {
        if (auto p = r.param("PRIORITY")) m.order = parse_mosaic_order(*p);
    } catch (const Error& e) {
        bad_parameter("PRIORITY", e.what());
    }
    if (auto c = r.param("CLOUDMASK")) m.cloud_mask = parse_bool(*c, "CLOUDMASK");
    try {
        if (auto p = r.param("RESAMPLING")) m.resampling = parse_resampling(*p);
    } catch (const Error& e) {
        bad_parameter("RESAMPLING", e.what());
    }
    return m;
}

RasterBlock TileService::read(const MapRequest& m, const RenderTarget& target, RenderStats* stats,
                              std::vector<std::string> extra_bands) {
    RenderRequest req;
    req.target = target;
    req.style = m.style;
    req.style.extra_bands.insert(req.style.extra_bands.end(), extra_bands.begin(), extra_bands.end());
    req.resampling = m.resampling;
    req.cloud_mask = m.cloud_mask;
    req.timeout_seconds = options_.render_timeout;
    req.max_sources = options_.max_mosaic_products;
    const bool geographic = crs_is_geographic(target.crs);
    const double metres = target.cell_size() * (geographic ? kMetresPerDegree : 1.0);
    std::vector<SourceSet> list;
    if (m.layer.is_product()) {
        auto p = product(m.layer.product);
        if (!p) bad_parameter("LAYER", fmt::format("product {} is no longer in the catalogue", m.layer.product));
        auto s = sources(*p);
        if (!s) throw ServiceError{500, "NoApplicableCode", "LAYER", fmt::format("the files of {} cannot be read here", p->name)};
        for (const auto& b : req.style.bands())
            if (!s->find(b))
                bad_parameter(m.style.id.empty() ? "EXPRESSION" : "STYLE",
                              fmt::format("product {} has no band {} (bands: {})", p->name, b, fmt::join(s->band_names(), ", ")));
        list.push_back(*s);
        req.max_sources = 1;
    } else {
        if (metres > options_.max_mosaic_resolution)
            throw ServiceError{400, "ZoomIn", "",
                               fmt::format("zoom in: mosaics are rendered up to {} m/px, this request is {:.0f} m/px "
                                           "(products can be viewed at any scale)",
                                           options_.max_mosaic_resolution, metres)};
        if (metres > options_.preview_resolution) req.max_sources = options_.preview_max_products;
        const BBox box = wgs84_box(target.crs, target.extent);
        for (const auto& p : products_for(m, box, req.max_sources * 2 + 8)) {
            if (auto s = sources(p)) list.push_back(*s);
        }
    }
    return renderer_->read(list, req, stats);
}

HttpResponse TileService::image(const HttpRequest& r, const MapRequest& m, const RenderTarget& target, ImageFormat format) {
    if (format == ImageFormat::geotiff)
        bad_parameter("FORMAT", "GeoTIFF is available through WCS GetCoverage (raw values)");
    const std::string key = fmt::format("img|{}|{}|{:.17g},{:.17g},{:.17g},{:.17g}|{}x{}|{}|{}", m.key(), target.crs,
                                        target.extent.min_x, target.extent.min_y, target.extent.max_x,
                                        target.extent.max_y, target.width, target.height, extension(format),
                                        layers_stamp_);
    auto respond = [&](const CachedTile& t) {
        HttpResponse resp;
        resp.header("ETag", t.etag);
        resp.header("Cache-Control", m.layer.is_product() ? "public, max-age=86400" : "public, max-age=600");
        resp.header("Access-Control-Allow-Origin", "*");
        for (const auto& line : split(t.headers, '\n', true)) {
            auto colon = line.find(": ");
            if (colon != std::string::npos) resp.header(line.substr(0, colon), line.substr(colon + 2));
        }
        if (r.header("if-none-match") == t.etag) {
            resp.status = 304;
            resp.content_type.clear();
            return resp;
        }
        resp.content_type = t.content_type;
        resp.body = t.body;
        return resp;
    };
    if (auto hit = cache_.get(key)) return respond(*hit);
    RenderStats st;
    RasterBlock block = read(m, target, &st);
    Image img = apply_style(m.style, block);
    CachedTile t;
    t.body = encode(img, format);
    t.content_type = std::string(media_type(format));
    t.etag = "\"" + hash_hex(t.body) + "\"";
    t.headers = fmt::format("X-Creodias-Products: {}\nX-Creodias-Coverage: {:.4f}\n", st.sources_read, st.coverage);
    if (st.partial) t.headers += "X-Creodias-Partial: true\n";
    if (!st.partial) cache_.put(key, t);
    return respond(t);
}

// ---- routing ----------------------------------------------------------------------------------

HttpResponse TileService::handle(const HttpRequest& r) {
    const std::string lower = to_lower(r.path);
    const bool ogc_kvp = lower == "/wmts" || lower == "/wms" || lower == "/wcs";
    try {
        if (r.method != "GET" && r.method != "HEAD" && r.method != "OPTIONS")
            throw ServiceError{405, "OperationNotSupported", "", fmt::format("method {} is not supported", r.method)};
        if (r.method == "OPTIONS") {
            HttpResponse o;
            o.status = 204;
            o.header("Access-Control-Allow-Origin", "*");
            o.header("Access-Control-Allow-Methods", "GET, HEAD, OPTIONS");
            return o;
        }
        return route(r);
    } catch (const ServiceError& e) {
        ErrorFormat f = ErrorFormat::json;
        if (ogc_kvp) {
            if (lower == "/wmts") f = ErrorFormat::ows11;
            else if (lower == "/wcs") f = ErrorFormat::ows20;
            else f = r.param("VERSION").value_or("1.3.0") == "1.1.1" ? ErrorFormat::wms111 : ErrorFormat::wms130;
        } else if (starts_with(lower, "/wmts/")) {
            f = ErrorFormat::ows11;
        }
        return error_response(e, f);
    } catch (const std::exception& e) {
        ServiceError se = to_service_error(e);
        ErrorFormat f = lower == "/wmts" || starts_with(lower, "/wmts/") ? ErrorFormat::ows11
                        : lower == "/wcs"                                 ? ErrorFormat::ows20
                        : lower == "/wms" ? (r.param("VERSION").value_or("1.3.0") == "1.1.1" ? ErrorFormat::wms111
                                                                                            : ErrorFormat::wms130)
                                          : ErrorFormat::json;
        return error_response(se, f);
    }
}

HttpResponse TileService::route(const HttpRequest& r) {
    const std::vector<std::string> parts = split(r.path, '/', true);
    const std::string first = parts.empty() ? "" : to_lower(parts[0]);
    if (parts.empty()) return redirect("/viewer/");
    if (first == "viewer") {
        if (r.path == "/viewer") return redirect("/viewer/");
        std::string rel;
        for (std::size_t i = 1; i < parts.size(); ++i) rel += (i > 1 ? "/" : "") + parts[i];
        return viewer(r, rel);
    }
    if (first == "tiles") return xyz(r, parts);
    if (first == "tilejson.json") return tilejson(r);
    if (first == "tilematrixsets") {
        if (parts.size() == 1) {
            nlohmann::json j = {{"tileMatrixSets", nlohmann::json::array()}};
            for (const auto& id : TileMatrixSet::ids())
                j["tileMatrixSets"].push_back({{"id", id},
                                               {"title", TileMatrixSet::get(id).title()},
                                               {"links", {{{"rel", "self"}, {"href", base_url(r) + "/tileMatrixSets/" + id}}}}});
            return json_response(j);
        }
        if (parts.size() == 2) {
            HttpResponse resp;
            resp.content_type = "application/json";
            try {
                resp.body = TileMatrixSet::get(parts[1]).to_json();
            } catch (const Error& e) {
                throw ServiceError{404, "NotFound", "tileMatrixSetId", e.what()};
            }
            return resp;
        }
    }
    if (first == "api" && parts.size() == 2) {
        const std::string what = to_lower(parts[1]);
        if (what == "layers") return api_layers(r);
        if (what == "styles") return api_styles(r);
        if (what == "search") return api_search(r);
        if (what == "point") return api_point(r);
        if (what == "stats") {
            auto cs = cache_.stats();
            auto rs = renderer_->cache_stats();
            return json_response({{"tile_cache",
                                   {{"memory_entries", cs.memory_entries},
                                    {"memory_bytes", cs.memory_bytes},
                                    {"disk_entries", cs.disk_entries},
                                    {"disk_bytes", cs.disk_bytes},
                                    {"hits", cs.hits},
                                    {"misses", cs.misses},
                                    {"evictions", cs.evictions}}},
                                  {"renderer",
                                   {{"open_datasets", rs.open_datasets},
                                    {"block_cache_bytes", rs.block_cache_bytes},
                                    {"block_cache_max_bytes", rs.block_cache_max_bytes}}}});
        }
    }
    if (first == "wmts") {
        if (parts.size() == 1) return wmts(r);
        return wmts_rest(r, parts);
    }
    if (first == "wms" && parts.size() == 1) return wms(r);
    if (first == "wcs" && parts.size() == 1) return wcs(r);
    throw ServiceError{404, "NotFound", "", fmt::format("no such resource: {}", r.path)};
}

// ---- XYZ and TileJSON --------------------------------------------------------------------------

namespace {

std::int64_t parse_index(const std::string& s, const char* what) {
    auto v = parse_int(s);
    if (!v) bad_parameter(what, fmt::format("{} must be an integer, got '{}'", what, s));
    return *v;
}

}  // namespace

HttpResponse TileService::xyz(const HttpRequest& r, const std::vector<std::string>& parts) {
    // /tiles/{tms}/{z}/{x}/{y}[@2x].{ext}
    if (parts.size() != 5)
        throw ServiceError{404, "NotFound", "", "tile paths are /tiles/{tileMatrixSet}/{z}/{x}/{y}.{png|jpg|webp}"};
    std::string last = parts[4];
    const auto dot = last.rfind('.');
    if (dot == std::string::npos) bad_parameter("format", "the tile path needs an extension (.png, .jpg, .webp)");
    const std::string ext = last.substr(dot + 1);
    std::string ystr = last.substr(0, dot);
    int size = 256;
    if (auto at = ystr.find('@'); at != std::string::npos) {
        const std::string scale = ystr.substr(at + 1);
        if (scale != "2x" && scale != "1x") bad_parameter("scale", fmt::format("unsupported scale '@{}' (@1x, @2x)", scale));
        if (scale == "2x") size = 512;
        ystr.resize(at);
    }
    if (auto ts = r.param("TILESIZE")) {
        auto v = parse_int(trim(*ts));
        if (!v || (*v != 256 && *v != 512)) bad_parameter("tilesize", fmt::format("tilesize must be 256 or 512, got '{}'", *ts));
        size = static_cast<int>(*v);
    }
    ImageFormat format;
    try {
        format = parse_image_format(ext);
    } catch (const Error& e) {
        bad_parameter("format", e.what());
    }
    const TileMatrixSet* tms = nullptr;
    try {
        tms = &TileMatrixSet::get(parts[1], size);
    } catch (const Error& e) {
        bad_parameter("tileMatrixSetId", e.what());
    }
    TileIndex t{static_cast<int>(std::clamp<std::int64_t>(parse_index(parts[2], "z"), -1, 99)), parse_index(parts[3], "x"),
                parse_index(ystr, "y")};
    if (!tms->contains(t))
        throw ServiceError{400, "TileOutOfRange", "tile",
                           fmt::format("tile {}/{}/{} is outside {} (levels 0..{})", parts[2], parts[3], ystr, tms->id(),
                                       tms->max_zoom())};
    std::string layer_id = r.param("LAYER").value_or("");
    if (auto p = r.param("PRODUCT")) layer_id = *p;
    const Layer layer = find_layer(layer_id, r.param("PRODUCT") ? "product" : "layer");
    const MapRequest m = map_request(r, layer);
    return image(r, m, RenderTarget::tile(*tms, t), format);
}

HttpResponse TileService::tilejson(const HttpRequest& r) {
    std::string layer_id = r.param("LAYER").value_or("");
    if (auto p = r.param("PRODUCT")) layer_id = *p;
    const Layer layer = find_layer(layer_id, "layer");
    const MapRequest m = map_request(r, layer);  // validates the style parameters
    (void)m;
    const std::string tms_id = r.param("TILEMATRIXSET").value_or("WebMercatorQuad");
    const TileMatrixSet* tms = nullptr;
    try {
        tms = &TileMatrixSet::get(tms_id);
    } catch (const Error& e) {
        bad_parameter("tileMatrixSet", e.what());
    }
    const std::string ext = r.param("FORMAT").value_or("png");
    try {
        parse_image_format(ext);
    } catch (const Error& e) {
        bad_parameter("format", e.what());
    }
    std::string query;
    for (const auto& [k, v] : r.query) {
        if (iequals(k, "tilematrixset") || iequals(k, "format")) continue;
        query += (query.empty() ? "?" : "&") + url_encode(k) + "=" + url_encode(v);
    }
    // The zoom from which mosaics are rendered (their zoom-out limit, at the equator).
    int minzoom = 0;
    if (!layer.is_product())
        while (minzoom < tms->max_zoom() && tms->metres_per_pixel(minzoom) > options_.max_mosaic_resolution) ++minzoom;
    nlohmann::json j = {{"tilejson", "3.0.0"},
                        {"name", layer.title},
                        {"description", layer.abstract},
                        {"scheme", "xyz"},
                        {"tiles", {fmt::format("{}/tiles/{}/{{z}}/{{x}}/{{y}}.{}{}", base_url(r), tms->id(), ext, query)}},
                        {"minzoom", minzoom},
                        {"maxzoom", std::min(tms->max_zoom(), 22)},
                        {"bounds", {layer.bbox.west, layer.bbox.south, layer.bbox.east, layer.bbox.north}},
                        {"center",
                         {(layer.bbox.west + layer.bbox.east) / 2, (layer.bbox.south + layer.bbox.north) / 2,
                          std::max(minzoom, 8)}}};
    return json_response(j);
}

// ---- JSON API ---------------------------------------------------------------------------------

HttpResponse TileService::api_layers(const HttpRequest& r) {
    auto ls = layers();
    nlohmann::json list = nlohmann::json::array();
    const auto& tms = TileMatrixSet::get("WebMercatorQuad");
    int mosaic_minzoom = 0;
    while (mosaic_minzoom < tms.max_zoom() && tms.metres_per_pixel(mosaic_minzoom) > options_.max_mosaic_resolution)
        ++mosaic_minzoom;
    for (const auto& l : *ls)
        list.push_back({{"id", l.id},
                        {"title", l.title},
                        {"abstract", l.abstract},
                        {"collection", l.collection},
                        {"product_types", l.product_types},
                        {"product", l.is_product() ? nlohmann::json(l.product) : nlohmann::json()},
                        {"styles", l.styles},
                        {"default_style", l.styles.empty() ? "" : l.styles.front()},
                        {"time", {{"start", format_datetime(l.start)}, {"end", format_datetime(l.end)}}},
                        {"bbox", {l.bbox.west, l.bbox.south, l.bbox.east, l.bbox.north}},
                        {"min_zoom", l.is_product() ? 0 : mosaic_minzoom},
                        {"tilejson", base_url(r) + "/tilejson.json?layer=" + url_encode(l.id)}});
    return json_response({{"layers", list}});
}

HttpResponse TileService::api_styles(const HttpRequest&) {
    nlohmann::json list = nlohmann::json::array();
    for (const auto& s : style_presets())
        list.push_back({{"id", s.id},
                        {"title", s.title},
                        {"description", s.description},
                        {"collections", s.collections},
                        {"expression", s.expression.text()},
                        {"bands", s.bands()}});
    return json_response({{"styles", list}, {"colormaps", Colormap::names()}});
}

HttpResponse TileService::api_search(const HttpRequest& r) {
    const Layer layer = find_layer(r.param("LAYER").value_or(""), "layer");
    Query q;
    q.collections = {layer.collection};
    q.product_types = layer.product_types;
    if (layer.is_product()) q.ids = {layer.product};
    if (auto b = r.param("BBOX")) {
        try {
            q.aoi = Geometry::from_bbox(BBox::parse(*b));
        } catch (const Error& e) {
            bad_parameter("bbox", e.what());
        }
    }
    MapRequest m = map_request(r, layer);
    q.sensing = m.time;
    q.cloud_max = m.max_cloud;
    q.limit = 100;
    if (auto l = r.param("LIMIT")) {
        auto v = parse_int(trim(*l));
        if (!v || *v < 1 || *v > 1000) bad_parameter("limit", fmt::format("limit must be 1..1000, got '{}'", *l));
        q.limit = static_cast<std::size_t>(*v);
    }
    q.count = true;
    Page page;
    {
        auto cat = catalogue();
        page = cat->search(q);
    }
    FormatOptions fo;
    fo.include_files = false;
    HttpResponse resp;
    resp.content_type = "application/geo+json";
    resp.body = to_resto_feature_collection(page, fo);
    resp.header("Access-Control-Allow-Origin", "*");
    return resp;
}

HttpResponse TileService::api_point(const HttpRequest& r) {
    std::string layer_id = r.param("LAYER").value_or("");
    if (auto p = r.param("PRODUCT")) layer_id = *p;
    const Layer layer = find_layer(layer_id, "layer");
    MapRequest m = map_request(r, layer);
    auto num = [&](const char* name, double lo, double hi) {
        auto v = r.param(name);
        if (!v) missing_parameter(name);
        auto d = parse_double(trim(*v));
        if (!d || *d < lo || *d > hi) bad_parameter(name, fmt::format("{} must be a number in {}..{}, got '{}'", name, lo, hi, *v));
        return *d;
    };
    const double lon = num("lon", -180, 180), lat = num("lat", -90, 90);
    m.resampling = Resampling::nearest;
    // A one-pixel grid of about a metre around the point.
    RenderTarget t;
    t.crs = "OGC:CRS84";
    t.width = t.height = 1;
    const double h = 5e-6;
    t.extent = {lon - h, lat - h, lon + h, lat + h};
    nlohmann::json j = {{"lon", lon}, {"lat", lat}, {"product", nullptr}, {"values", nlohmann::json::object()}};
    std::vector<Product> candidates;
    if (layer.is_product()) {
        if (auto p = product(layer.product)) candidates.push_back(*p);
    } else {
        candidates = products_for(m, BBox{lon - h, lat - h, lon + h, lat + h}, options_.max_mosaic_products);
    }
    RenderRequest req;
    req.target = t;
    req.style = m.style;
    req.resampling = Resampling::nearest;
    req.cloud_mask = m.cloud_mask;
    req.timeout_seconds = options_.render_timeout;
    for (const auto& p : candidates) {
        auto s = sources(p);
        if (!s) continue;
        RenderStats st;
        RasterBlock b = renderer_->read({*s}, req, &st);
        if (!b.mask[0]) continue;
        j["product"] = p.name;
        j["sensing_time"] = format_datetime(p.sensing_start);
        for (std::size_t i = 0; i < b.names.size(); ++i) j["values"][b.names[i]] = b.bands[i][0];
        std::vector<const float*> in;
        for (const auto& n : m.style.expression.bands()) in.push_back(b.band(n)->data());
        nlohmann::json sv = nlohmann::json::array();
        for (std::size_t o = 0; o < m.style.expression.outputs(); ++o) {
            float v = 0;
            m.style.expression.evaluate(o, in.data(), 1, &v);
            sv.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json());
        }
        j["style_value"] = sv.size() == 1 ? sv[0] : sv;
        break;
    }
    return json_response(j);
}

// ---- viewer -----------------------------------------------------------------------------------

HttpResponse TileService::viewer(const HttpRequest&, const std::string& rel_in) {
    std::string rel = rel_in.empty() ? "index.html" : rel_in;
    if (rel.find("..") != std::string::npos) throw ServiceError{404, "NotFound", "", "no such file"};
    auto type_of = [](const std::string& p) -> std::string {
        if (ends_with(p, ".html")) return "text/html; charset=utf-8";
        if (ends_with(p, ".js")) return "text/javascript; charset=utf-8";
        if (ends_with(p, ".css")) return "text/css; charset=utf-8";
        if (ends_with(p, ".png")) return "image/png";
        if (ends_with(p, ".svg")) return "image/svg+xml";
        if (ends_with(p, ".json")) return "application/json";
        return "application/octet-stream";
    };
    HttpResponse resp;
    resp.content_type = type_of(rel);
    resp.header("Cache-Control", "no-cache");
    if (!options_.viewer_dir.empty()) {
        std::ifstream in(options_.viewer_dir / rel, std::ios::binary);
        if (!in) throw ServiceError{404, "NotFound", "", fmt::format("no viewer file {}", rel)};
        std::stringstream ss;
        ss << in.rdbuf();
        resp.body = ss.str();
        return resp;
    }
    for (std::size_t i = 0; i < kViewerAssetCount; ++i)
        if (rel == kViewerAssets[i].path) {
            resp.body.assign(kViewerAssets[i].data, kViewerAssets[i].size);
            return resp;
        }
    throw ServiceError{404, "NotFound", "",
                       fmt::format("no viewer file {}{}", rel,
                                   kViewerHasLeaflet ? "" : " (the map library was not bundled: run scripts/viewer.sh and rebuild)")};
}

}  // namespace creodias::detail
