#include "cli/commands.hpp"

#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>
#include <creodias/formats.hpp>
#include <creodias/generate.hpp>

#include "cli/output.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>

namespace fs = std::filesystem;

namespace creodias::cli {

namespace {
unsigned count_opt(const Args& a, const char* name, unsigned dflt) {
    auto v = a.integer(name);
    if (!v) return dflt;
    if (*v < 0 || *v > 100000) throw InvalidArgument("cli", fmt::format("--{} must be within 0..100000", name));
    return static_cast<unsigned>(*v);
}
}  // namespace

int cmd_generate(const std::vector<std::string>& argv) {
    std::vector<OptionSpec> specs = {
        {"seed", true, "random seed (default 42)", "N"},
        {"s2-l1c", true, "Sentinel-2 L1C products (default 4)", "N"},
        {"s2-l2a", true, "Sentinel-2 L2A products (default 4)", "N"},
        {"s1-grd", true, "Sentinel-1 GRD products (default 4)", "N"},
        {"landsat", true, "Landsat Collection 2 L2SP products (default 2)", "N"},
        {"raster-size", true, "pixels per side of a 10 m band (default 256)", "N"},
        {"region", true, "box the scene centres are drawn in, W,S,E,N (default -5,42,15,55)", "BOX"},
        {"start", true, "earliest sensing time (default 2023-01-01)", "TIME"},
        {"end", true, "latest sensing time (default 2023-12-31T23:59:59)", "TIME"},
        {"records", true, "metadata-only mode: write N synthetic records straight into --db", "N"},
        {"db", true, "catalogue for --records", "PATH"},
        {"help", false, "show this help", ""},
    };
    Args a(argv, specs);
    if (a.flag("help"))
        throw HelpRequested{"usage: creodias generate DIR [options]\n       creodias generate --records N --db PATH\n\n"
                            "Writes a synthetic CREODIAS-style /eodata archive (real product structure, small "
                            "rasters),\nor synthetic catalogue records for scale tests.\n\noptions:\n" +
                            format_options(specs)};
    GenerateOptions o;
    if (auto s = a.integer("seed")) o.seed = static_cast<std::uint64_t>(*s);
    if (auto n = a.integer("records")) {
        if (*n < 1) throw InvalidArgument("cli", "--records must be positive");
        auto db = a.get("db");
        if (!db) throw InvalidArgument("cli", "--records needs --db PATH");
        auto store = open_sqlite_store(*db);
        ProgressBar bar("generating");
        auto t0 = std::chrono::steady_clock::now();
        auto written = generate_records(*store, static_cast<std::uint64_t>(*n), o.seed,
                                        [&](std::uint64_t done) { bar.update(done, static_cast<std::uint64_t>(*n)); });
        bar.finish();
        double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        fmt::print(stderr, "wrote {} records in {:.1f} s ({:.0f} records/s) into {}\n", written, secs,
                   static_cast<double>(written) / secs, *db);
        return 0;
    }
    if (a.positional().size() != 1) throw InvalidArgument("cli", "generate needs exactly one output DIR");
    o.sentinel2_l1c = count_opt(a, "s2-l1c", o.sentinel2_l1c);
    o.sentinel2_l2a = count_opt(a, "s2-l2a", o.sentinel2_l2a);
    o.sentinel1_grd = count_opt(a, "s1-grd", o.sentinel1_grd);
    o.landsat_c2 = count_opt(a, "landsat", o.landsat_c2);
    if (auto b = a.get("region")) o.region = BBox::parse(*b);
    if (auto t = a.get("start")) o.start = parse_datetime(*t);
    if (auto t = a.get("end")) o.end = parse_datetime_end(*t);
    if (o.start > o.end) throw InvalidArgument("cli", "--start is after --end");
    if (auto r = a.integer("raster-size")) {
        if (*r < 16 || *r > 10980) throw InvalidArgument("cli", "--raster-size must be within 16..10980");
        o.raster_size = static_cast<int>(*r);
    }
    ProgressBar bar("generating");
    o.progress = [&](size_t done, size_t total) { bar.update(done, total); };
    auto rep = generate_archive(a.positional()[0], o);
    bar.finish();
    fmt::print(stderr, "wrote {} products ({:.1f} MiB) in {:.1f} s under {}\n", rep.products.size(),
               static_cast<double>(rep.bytes) / (1 << 20), rep.seconds, a.positional()[0]);
    return 0;
}

int cmd_demo(const std::vector<std::string>& argv) {
    std::vector<OptionSpec> specs = {
        {"dir", true, "working directory for the sample archive and catalogue (default ./demo-output)", "DIR"},
        {"help", false, "show this help", ""},
    };
    Args a(argv, specs);
    if (a.flag("help"))
        throw HelpRequested{"usage: creodias demo [--dir DIR]\n\nGenerates a small synthetic archive, indexes it and "
                            "runs representative searches.\n\noptions:\n" +
                            format_options(specs)};
    fs::path dir = a.get("dir").value_or("demo-output");
    fs::path eodata = dir / "eodata";
    fs::path db = dir / "catalogue.db";
    std::error_code ec;
    fs::remove(db, ec);
    fs::remove(fs::path(db.string() + "-wal"), ec);
    fs::remove(fs::path(db.string() + "-shm"), ec);

    fmt::print("== 1. Generating a sample CREODIAS-style archive under {}\n", eodata.string());
    GenerateOptions go;
    go.sentinel2_l1c = 6;
    go.sentinel2_l2a = 6;
    go.sentinel1_grd = 4;
    go.landsat_c2 = 3;
    ProgressBar gbar("generating");
    go.progress = [&](size_t d, size_t t) { gbar.update(d, t); };
    auto gen = generate_archive(eodata, go);
    gbar.finish();
    fmt::print("   {} products, {:.1f} MiB, {:.1f} s\n\n", gen.products.size(), static_cast<double>(gen.bytes) / (1 << 20),
               gen.seconds);

    fmt::print("== 2. Indexing it into {}\n", db.string());
    Catalogue cat(db);
    IndexOptions io;
    ProgressBar ibar("indexing");
    io.progress = [&](const IndexProgress& p) { ibar.update(p.done, p.walking ? 0 : p.found); };
    auto rep = cat.index({eodata}, io);
    ibar.finish();
    fmt::print("   {} products indexed in {:.2f} s, {} failed\n", rep.indexed, rep.seconds, rep.failures.size());
    for (const auto& f : rep.failures) fmt::print("   ! {}: {}\n", f.path, f.message);
    auto again = cat.index({eodata}, io);
    fmt::print("   re-run: {} unchanged, {} re-indexed (idempotent)\n\n", again.unchanged, again.indexed);

    auto show = [&](const std::string& title, const std::string& cli, Query q) {
        fmt::print("== {}\n   $ creodias search {}\n", title, cli);
        q.count = true;
        Page p = cat.search(q);
        print_products(stdout, p.products);
        fmt::print("   {} shown of {}{}\n\n", p.products.size(), p.count && !p.count->exact ? "~" : "",
                   p.count ? p.count->value : 0);
        return p;
    };
    Query q1;
    q1.collections = {"SENTINEL-2"};
    q1.cloud_max = 30;
    q1.sort = SortField::cloud_cover;
    q1.order = SortOrder::ascending;
    show("3. Sentinel-2 with at most 30 % cloud, clearest first",
         "--collection SENTINEL-2 --cloud-max 30 --sort=+cloud --count", q1);

    Query q2;
    q2.aoi = Geometry::from_bbox(BBox::parse("0,45,10,52"));
    q2.sensing.start = parse_datetime("2023-03-01");
    q2.sensing.end = parse_datetime_end("2023-10-31");
    show("4. Everything over a box in France/Germany, March-October 2023",
         "--bbox=0,45,10,52 --start 2023-03-01 --end 2023-10-31 --count", q2);

    Query q3;
    q3.collections = {"SENTINEL-1"};
    q3.product_types = {"IW_GRDH_1S"};
    q3.polarisations = {"VH"};
    show("5. Sentinel-1 IW GRD with VH polarisation", "--collection SENTINEL-1 --product-type IW_GRDH_1S "
                                                     "--polarisation VH --count",
         q3);

    Query q4;
    q4.limit = 5;
    q4.sort = SortField::sensing_time;
    q4.order = SortOrder::descending;
    Page first = show("6. Latest products, paged by cursor (page 1 of 5 per page)", "--limit 5 --count", q4);
    if (!first.next_cursor.empty()) {
        q4.cursor = first.next_cursor;
        show("   page 2", "--limit 5 --cursor=" + first.next_cursor, q4);
    }
    if (!first.products.empty()) {
        fmt::print("== 7. One product as a STAC item\n   $ creodias info {} --format stac\n", first.products[0].name);
        FormatOptions fo;
        fo.indent = 2;
        fo.include_files = false;
        fmt::print("{}\n", to_stac_item(first.products[0], fo));
    }
    fmt::print("\nTry it yourself:\n  export CREODIAS_DB={}\n  creodias search --bbox=0,45,10,52 --cloud-max 50\n",
               db.string());
    return 0;
}

}  // namespace creodias::cli
