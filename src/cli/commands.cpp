#include "cli/commands.hpp"

#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>
#include <creodias/formats.hpp>

#include "cli/output.hpp"
#include "core/strings.hpp"
#include "readers/source.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <filesystem>

namespace fs = std::filesystem;

namespace creodias::cli {

namespace {

std::vector<OptionSpec> with_common(std::vector<OptionSpec> specs) {
    specs.push_back({"db", true, "catalogue database (default $CREODIAS_DB or ~/.local/share/creodias/catalogue.db)",
                     "PATH"});
    specs.push_back({"help", false, "show this help", ""});
    return specs;
}

fs::path db_path(const Args& a) {
    if (auto db = a.get("db")) return *db;
    return Catalogue::default_path();
}

// Opens an existing catalogue for reading; a missing database is a clear error rather than
// an empty result.
Catalogue open_existing(const Args& a) {
    CatalogueOptions o;
    fs::path p = db_path(a);
    std::error_code ec;
    if (!fs::exists(p, ec))
        throw NotFoundError("cli", fmt::format("catalogue {} does not exist (run `creodias index PATH` first, or "
                                               "pass --db)",
                                               p.string()));
    o.store.create = false;
    return Catalogue(p, o);
}

std::string read_arg_or_file(const std::string& v) {
    if (!v.empty() && v[0] == '@') return detail::read_file_capped(v.substr(1), 64ull << 20);
    return v;
}

TimeRange time_range(const Args& a, const char* start, const char* end) {
    TimeRange r;
    if (auto s = a.get(start)) r.start = parse_datetime(*s);
    if (auto e = a.get(end)) r.end = parse_datetime_end(*e);
    return r;
}

}  // namespace

void maybe_help(const Args& a, const std::string& usage, const std::vector<OptionSpec>& specs) {
    if (a.flag("help")) throw HelpRequested{usage + "\noptions:\n" + format_options(specs)};
}

std::vector<OptionSpec> query_options() {
    return {
        {"collection", true, "collection(s), e.g. SENTINEL-2 or Sentinel2 (repeatable, comma-separated)", "NAME"},
        {"product-type", true, "product type(s), e.g. S2MSI2A, IW_GRDH_1S, L2SP", "TYPE"},
        {"processing-level", true, "processing level(s), e.g. LEVEL2A", "LEVEL"},
        {"platform", true, "platform(s), e.g. SENTINEL-2A", "NAME"},
        {"instrument", true, "instrument(s), e.g. MSI, SAR, OLI_TIRS", "NAME"},
        {"sensor-mode", true, "SAR mode(s), e.g. IW, EW", "MODE"},
        {"id", true, "product id(s) or name(s)", "ID"},
        {"bbox", true, "area of interest W,S,E,N (W > E crosses the antimeridian); use --bbox=W,S,E,N", "W,S,E,N"},
        {"geometry", true, "area of interest as WKT or GeoJSON text, or @FILE", "WKT|@FILE"},
        {"relation", true, "footprint relation to the AOI: intersects (default), within, contains", "REL"},
        {"start", true, "sensing time from (ISO 8601; naive times are UTC)", "TIME"},
        {"end", true, "sensing time until, inclusive (a date means the whole day)", "TIME"},
        {"end-exclusive", false, "treat --end as exclusive", ""},
        {"published-after", true, "publication time from", "TIME"},
        {"published-before", true, "publication time until", "TIME"},
        {"updated-after", true, "modification time from", "TIME"},
        {"updated-before", true, "modification time until", "TIME"},
        {"cloud-min", true, "minimum cloud cover, percent", "PCT"},
        {"cloud-max", true, "maximum cloud cover, percent", "PCT"},
        {"orbit", true, "absolute orbit number", "N"},
        {"orbit-min", true, "minimum absolute orbit", "N"},
        {"orbit-max", true, "maximum absolute orbit", "N"},
        {"relative-orbit", true, "relative orbit(s)", "N"},
        {"orbit-direction", true, "ascending or descending", "DIR"},
        {"tile", true, "MGRS tile(s) or WRS path/row PPPRRR", "ID"},
        {"polarisation", true, "polarisation(s) the product must have, e.g. VV", "POL"},
        {"online", false, "only online products", ""},
        {"offline", false, "only offline products", ""},
        {"name", true, "product-name pattern with * and ?", "PATTERN"},
        {"sort", true, "sensing|published|cloud, prefix - for descending (default -sensing)", "KEY"},
        {"limit", true, "page size 1..10000 (default 100)", "N"},
        {"cursor", true, "cursor from a previous page (next_cursor)", "TOKEN"},
        {"count", false, "also report the number of matching products", ""},
    };
}

Query build_query(const Args& a) {
    Query q;
    q.collections = a.list("collection");
    q.product_types = a.list("product-type");
    q.processing_levels = a.list("processing-level");
    q.platforms = a.list("platform");
    q.instruments = a.list("instrument");
    q.sensor_modes = a.list("sensor-mode");
    q.ids = a.list("id");
    q.tile_ids = a.list("tile");
    q.polarisations = a.list("polarisation");
    if (a.get("bbox") && a.get("geometry"))
        throw InvalidArgument("cli", "give either --bbox or --geometry, not both");
    if (auto b = a.get("bbox")) q.aoi = Geometry::from_bbox(BBox::parse(*b));
    if (auto g = a.get("geometry")) {
        std::string text(detail::trim(read_arg_or_file(*g)));
        q.aoi = !text.empty() && text[0] == '{' ? Geometry::from_geojson(text) : Geometry::from_wkt(text);
    }
    if (auto r = a.get("relation")) q.relation = parse_spatial_relation(*r);
    q.sensing = time_range(a, "start", "end");
    q.sensing.end_inclusive = !a.flag("end-exclusive");
    q.published = time_range(a, "published-after", "published-before");
    q.updated = time_range(a, "updated-after", "updated-before");
    q.cloud_min = a.number("cloud-min");
    q.cloud_max = a.number("cloud-max");
    if (auto o = a.integer("orbit")) q.orbit_min = q.orbit_max = *o;
    if (auto o = a.integer("orbit-min")) q.orbit_min = *o;
    if (auto o = a.integer("orbit-max")) q.orbit_max = *o;
    for (const auto& r : a.list("relative-orbit")) {
        auto v = detail::parse_int(r);
        if (!v) throw InvalidArgument("cli", fmt::format("--relative-orbit expects integers, got '{}'", r));
        q.relative_orbits.push_back(*v);
    }
    if (auto d = a.get("orbit-direction")) q.orbit_direction = parse_orbit_direction(*d);
    if (a.flag("online") && a.flag("offline")) throw InvalidArgument("cli", "--online and --offline exclude each other");
    if (a.flag("online")) q.online = true;
    if (a.flag("offline")) q.online = false;
    if (auto n = a.get("name")) q.name_pattern = *n;
    if (auto s = a.get("sort")) std::tie(q.sort, q.order) = parse_sort(*s);
    if (auto l = a.integer("limit")) {
        if (*l < 1 || *l > 10000) throw InvalidArgument("cli", fmt::format("--limit {} is outside 1..10000", *l));
        q.limit = static_cast<size_t>(*l);
    }
    if (auto c = a.get("cursor")) q.cursor = *c;
    q.count = a.flag("count");
    q.validate();
    return q;
}

int cmd_index(const std::vector<std::string>& argv) {
    auto specs = with_common({
        {"threads", true, "parser threads (default: all cores)", "N"},
        {"force", false, "re-read products even when their files did not change", ""},
        {"quiet", false, "no progress bar or summary", ""},
    });
    Args a(argv, specs);
    maybe_help(a, "usage: creodias index PATH... [options]\n\nIndexes products found under each PATH (recursively; "
                  "SAFE directories, zips, Landsat MTL,\nS5P netCDF, Envisat/ERS, SMOS HDR, STAC/resto/OData JSON).",
               specs);
    if (a.positional().empty()) throw InvalidArgument("cli", "index needs at least one PATH");
    Catalogue cat(db_path(a));
    IndexOptions o;
    if (auto t = a.integer("threads")) {
        if (*t < 1 || *t > 256) throw InvalidArgument("cli", "--threads must be within 1..256");
        o.threads = static_cast<unsigned>(*t);
    }
    o.skip_unchanged = !a.flag("force");
    const bool quiet = a.flag("quiet");
    ProgressBar bar("indexing");
    if (!quiet)
        o.progress = [&](const IndexProgress& p) {
            bar.update(p.done, p.walking ? 0 : p.found, p.failed ? fmt::format("{} failed", p.failed) : "");
        };
    std::vector<fs::path> paths(a.positional().begin(), a.positional().end());
    IndexReport r = cat.index(paths, o);
    bar.finish();
    for (size_t k = 0; k < r.failures.size() && k < 50; ++k)
        fmt::print(stderr, "creodias: warning: skipped {}: {}\n", r.failures[k].path, r.failures[k].message);
    if (r.failures.size() > 50) fmt::print(stderr, "creodias: warning: ... and {} more\n", r.failures.size() - 50);
    if (!quiet)
        fmt::print(stderr, "indexed {} products ({} new, {} updated, {} unchanged, {} failed) in {:.2f} s into {}\n",
                   r.indexed, r.inserted, r.updated, r.unchanged, r.failures.size(), r.seconds, cat.path().string());
    if (r.indexed == 0 && r.unchanged == 0 && !r.failures.empty()) return 1;
    return 0;
}

int cmd_search(const std::vector<std::string>& argv) {
    auto specs = query_options();
    specs.push_back({"format", true, "geojson (resto names), stac, table, ids (default: table on a terminal, "
                                     "geojson otherwise)",
                     "FMT"});
    specs.push_back({"all", false, "follow cursors and output every page (up to --max-items)", ""});
    specs.push_back({"max-items", true, "with --all, stop after this many products (default 100000)", "N"});
    specs.push_back({"indent", true, "indent JSON output", "N"});
    specs = with_common(specs);
    Args a(argv, specs);
    maybe_help(a, "usage: creodias search [filters] [--format geojson|stac|table|ids]", specs);
    if (!a.positional().empty())
        throw InvalidArgument("cli", fmt::format("unexpected argument '{}'", a.positional().front()));
    std::string fmt_name = a.get("format").value_or(stdout_is_tty() ? "table" : "geojson");
    if (fmt_name != "geojson" && fmt_name != "stac" && fmt_name != "table" && fmt_name != "ids")
        throw InvalidArgument("cli", fmt::format("unknown --format '{}' (geojson, stac, table, ids)", fmt_name));
    Query q = build_query(a);
    Catalogue cat = open_existing(a);
    Page page = cat.search(q);
    if (a.flag("all")) {
        long long max_items = a.integer("max-items").value_or(100000);
        while (!page.next_cursor.empty() && static_cast<long long>(page.products.size()) < max_items) {
            Query next = q;
            next.count = false;
            next.cursor = page.next_cursor;
            Page more = cat.search(next);
            for (auto& p : more.products) page.products.push_back(std::move(p));
            page.next_cursor = more.next_cursor;
        }
        if (static_cast<long long>(page.products.size()) > max_items) page.products.resize(static_cast<size_t>(max_items));
    }
    FormatOptions fo;
    if (auto ind = a.integer("indent")) fo.indent = static_cast<int>(*ind);
    if (fmt_name == "geojson") {
        fmt::print("{}\n", to_resto_feature_collection(page, fo));
    } else if (fmt_name == "stac") {
        fmt::print("{}\n", to_stac_item_collection(page, fo));
    } else if (fmt_name == "ids") {
        for (const auto& p : page.products) fmt::print("{}\n", p.id);
    } else {
        print_products(stdout, page.products);
        std::string footer = fmt::format("{} product{}", page.products.size(), page.products.size() == 1 ? "" : "s");
        if (page.count)
            footer += fmt::format(" of {}{}", page.count->exact ? "" : "~", page.count->value);
        fmt::print("\n{}\n", footer);
        if (!page.next_cursor.empty()) fmt::print("next page: --cursor={}\n", page.next_cursor);
    }
    return 0;
}

int cmd_info(const std::vector<std::string>& argv) {
    auto specs = with_common({{"format", true, "table (default on a terminal), geojson, stac", "FMT"},
                              {"indent", true, "indent JSON output", "N"}});
    Args a(argv, specs);
    maybe_help(a, "usage: creodias info ID|NAME [--format table|geojson|stac]", specs);
    if (a.positional().size() != 1) throw InvalidArgument("cli", "info needs exactly one product id or name");
    Catalogue cat = open_existing(a);
    auto p = cat.get(a.positional()[0]);
    if (!p) throw NotFoundError("cli", fmt::format("no product '{}' in {}", a.positional()[0], cat.path().string()));
    std::string f = a.get("format").value_or(stdout_is_tty() ? "table" : "geojson");
    FormatOptions fo;
    fo.indent = static_cast<int>(a.integer("indent").value_or(stdout_is_tty() ? 2 : -1));
    if (f == "geojson") {
        fmt::print("{}\n", to_resto_feature(*p, fo));
    } else if (f == "stac") {
        fmt::print("{}\n", to_stac_item(*p, fo));
    } else if (f == "table") {
        std::vector<std::vector<std::string>> rows;
        auto row = [&](const char* k, std::string v) {
            if (!v.empty()) rows.push_back({k, std::move(v)});
        };
        row("id", p->id);
        row("name", p->name);
        row("collection", p->collection);
        row("product type", p->product_type);
        row("processing level", p->processing_level);
        row("platform", p->platform);
        row("instrument", p->instrument);
        row("sensor mode", p->sensor_mode);
        row("sensing start", format_datetime(p->sensing_start));
        row("sensing end", format_datetime(p->sensing_end));
        if (p->published) row("published", format_datetime(*p->published));
        if (p->updated) row("updated", format_datetime(*p->updated));
        if (p->cloud_cover) row("cloud cover %", fmt::format("{:.2f}", *p->cloud_cover));
        if (p->orbit_number) row("orbit", std::to_string(*p->orbit_number));
        if (p->relative_orbit) row("relative orbit", std::to_string(*p->relative_orbit));
        row("orbit direction", std::string(to_string(p->orbit_direction)));
        row("tile", p->tile_id);
        std::string pols;
        for (const auto& x : p->polarisations) pols += (pols.empty() ? "" : " ") + x;
        row("polarisations", pols);
        row("processing baseline", p->processing_baseline);
        if (p->size) row("size", fmt::format("{} bytes", *p->size));
        row("status", p->online ? "ONLINE" : "OFFLINE");
        row("path", p->path);
        BBox b = stac_bbox(p->footprint);
        row("bbox", fmt::format("{:.5f},{:.5f},{:.5f},{:.5f}", b.west, b.south, b.east, b.north));
        row("files", std::to_string(p->files.size()));
        for (const auto& c : p->checksums) row("checksum", c.algorithm + " " + c.value);
        print_table(stdout, {"FIELD", "VALUE"}, rows, 200);
    } else {
        throw InvalidArgument("cli", fmt::format("unknown --format '{}' (table, geojson, stac)", f));
    }
    return 0;
}

int cmd_stats(const std::vector<std::string>& argv) {
    auto specs = with_common({});
    Args a(argv, specs);
    maybe_help(a, "usage: creodias stats [--db PATH]", specs);
    Catalogue cat = open_existing(a);
    StoreStats s = cat.stats();
    fmt::print("catalogue {}\n{} products, {:.1f} MiB on disk\n", cat.path().string(), s.products,
               static_cast<double>(s.bytes_on_disk) / (1 << 20));
    if (s.first_sensing)
        fmt::print("sensing {} .. {}\n", format_datetime(*s.first_sensing), format_datetime(*s.last_sensing));
    std::vector<std::vector<std::string>> rows;
    for (const auto& [c, n] : s.per_collection) rows.push_back({c, std::to_string(n)});
    if (!rows.empty()) {
        fmt::print("\n");
        print_table(stdout, {"COLLECTION", "PRODUCTS"}, rows);
    }
    return 0;
}

}  // namespace creodias::cli
