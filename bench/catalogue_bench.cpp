// Catalogue benchmark: the embedded SQLite store against PostgreSQL + PostGIS on the same
// synthetic records and the same queries, in one run.
//
// Phases (the libcreodias phases all run before PostGIS is touched, so the process peak RSS
// measured after them is the library's own):
//   1. Sentinel-2 MTD parse rate on the real fixture files (single thread).
//   2. Record synthesis alone (into a store that discards), to separate generator cost
//      from store cost in the ingest rate.
//   3. Bulk ingest: generate_records() into a fresh SQLite catalogue; checkpoint; size.
//   4. Queries A/B/C/D on the catalogue: a warm-up pass (results kept for verification)
//      then a timed pass.
//   5. With --pg: the same rows COPYed from the SQLite file into PostGIS, indexes built,
//      VACUUM ANALYZE, then the same queries (warm-up, verification, timed pass).
//   6. A table on stdout and the same as Markdown in --markdown.
//
// Latency is wall-clock time around one search, fetched rows decoded into Products on both
// sides (our search() returns decoded Products; PostGIS rows come back in binary format and
// are decoded into Products, footprint WKB included).

#include <creodias/catalogue.hpp>
#include <creodias/catalogue_store.hpp>
#include <creodias/error.hpp>
#include <creodias/generate.hpp>
#include <creodias/geometry.hpp>
#include <creodias/query.hpp>
#include <creodias/time.hpp>

#include "catalogue/product_codec.hpp"
#include "readers/readers_internal.hpp"

#include <fmt/format.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using namespace creodias;

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point t0) {
    return std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
}

double seconds_since(Clock::time_point t0) { return ms_since(t0) / 1000.0; }

// ---- options ----------------------------------------------------------------------------

struct Options {
    std::uint64_t records = 1000000;
    std::uint64_t seed = 42;
    fs::path work = "bench-work";
    std::string pg;  // libpq conninfo; empty = no PostGIS side
    fs::path markdown;
    fs::path fixtures;
    bool reuse = false;  // keep an existing catalogue.db holding exactly `records` products
    int runs_a = 200, runs_b = 200, runs_c = 100, runs_d = 100;
    double mtd_seconds = 3.0;
};

[[noreturn]] void usage(int rc) {
    std::fputs(
        "usage: creodias_bench_catalogue [options]\n"
        "  --records N       synthetic records (default 1000000)\n"
        "  --seed N          generator and query seed (default 42)\n"
        "  --work DIR        working directory for catalogue.db (default ./bench-work)\n"
        "  --pg CONNINFO     libpq connection string of a throw-away PostGIS server (optional)\n"
        "  --markdown FILE   also write the result table as Markdown\n"
        "  --fixtures DIR    fixtures root (default $CREODIAS_FIXTURES or ../shared/fixtures)\n"
        "  --reuse           reuse WORK/catalogue.db when it already holds N records\n"
        "  --runs-a/--runs-b/--runs-c/--runs-d K   query instances (defaults 200/200/100/100)\n"
        "  --mtd-seconds S   duration of the MTD parse loop (default 3)\n",
        rc ? stderr : stdout);
    std::exit(rc);
}

Options parse_options(int argc, char** argv) {
    Options o;
    if (const char* f = std::getenv("CREODIAS_FIXTURES")) o.fixtures = f;
    for (int i = 1; i < argc; ++i) {
        std::string a = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) usage(2);
            return argv[++i];
        };
        auto integer = [&]() -> long long {
            std::string v = value();
            char* end = nullptr;
            long long n = std::strtoll(v.c_str(), &end, 10);
            if (!end || *end || n < 0) usage(2);
            return n;
        };
        if (a == "--records") o.records = static_cast<std::uint64_t>(integer());
        else if (a == "--seed") o.seed = static_cast<std::uint64_t>(integer());
        else if (a == "--work") o.work = value();
        else if (a == "--pg") o.pg = value();
        else if (a == "--markdown") o.markdown = value();
        else if (a == "--fixtures") o.fixtures = value();
        else if (a == "--reuse") o.reuse = true;
        else if (a == "--runs-a") o.runs_a = static_cast<int>(integer());
        else if (a == "--runs-b") o.runs_b = static_cast<int>(integer());
        else if (a == "--runs-c") o.runs_c = static_cast<int>(integer());
        else if (a == "--runs-d") o.runs_d = static_cast<int>(integer());
        else if (a == "--mtd-seconds") o.mtd_seconds = std::stod(value());
        else if (a == "--help" || a == "-h") usage(0);
        else usage(2);
    }
    if (o.records < 1000) {
        std::fputs("--records must be at least 1000\n", stderr);
        std::exit(2);
    }
    if (o.fixtures.empty()) o.fixtures = "../shared/fixtures";
    return o;
}

// ---- statistics ---------------------------------------------------------------------------

struct Latencies {
    std::vector<double> ms;
    // Nearest-rank percentile.
    double pct(double p) const {
        if (ms.empty()) return NAN;
        std::vector<double> s = ms;
        std::sort(s.begin(), s.end());
        auto rank = static_cast<size_t>(std::ceil(p * static_cast<double>(s.size())));
        return s[std::min(s.size() - 1, rank == 0 ? 0 : rank - 1)];
    }
    double p50() const { return pct(0.50); }
    double p99() const { return pct(0.99); }
};

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;  // KiB on Linux
}

std::string load_average() {
    std::ifstream f("/proc/loadavg");
    std::string a, b, c;
    f >> a >> b >> c;
    return a + " " + b + " " + c;
}

// VmHWM of another process (a PostgreSQL backend), in KiB; 0 when unreadable.
long process_hwm_kib(int pid) {
    std::ifstream f(fmt::format("/proc/{}/status", pid));
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("VmHWM:", 0) == 0) return std::strtol(line.c_str() + 6, nullptr, 10);
    return 0;
}

std::uint64_t file_size_or_zero(const fs::path& p) {
    std::error_code ec;
    auto n = fs::file_size(p, ec);
    return ec ? 0 : n;
}

// ---- raw SQLite access (checkpoint, rid lookups, the PostGIS copy) -------------------------

class RawSqlite {
public:
    explicit RawSqlite(const fs::path& path) {
        if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
            throw std::runtime_error("cannot open " + path.string() + ": " + sqlite3_errmsg(db_));
        sqlite3_busy_timeout(db_, 10000);
    }
    ~RawSqlite() { sqlite3_close(db_); }
    RawSqlite(const RawSqlite&) = delete;
    RawSqlite& operator=(const RawSqlite&) = delete;

    void exec(const char* sql) {
        char* err = nullptr;
        if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
            std::string msg = err ? err : "?";
            sqlite3_free(err);
            throw std::runtime_error(std::string("sqlite: ") + sql + ": " + msg);
        }
    }
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK)
            throw std::runtime_error(std::string("sqlite prepare: ") + sqlite3_errmsg(db_));
        return st;
    }
    std::int64_t scalar(const char* sql) {
        sqlite3_stmt* st = prepare(sql);
        std::int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
        sqlite3_finalize(st);
        return v;
    }
    std::int64_t rid_of(const std::string& id) {
        // The store keeps ids equal to the name key as NULL (looked up through name_key).
        sqlite3_stmt* st = prepare("SELECT rid FROM products WHERE id = ?1 OR (id IS NULL AND name_key = ?1)");
        sqlite3_bind_text(st, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        std::int64_t v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : -1;
        sqlite3_finalize(st);
        return v;
    }
    sqlite3* handle() { return db_; }

private:
    sqlite3* db_ = nullptr;
};

// A store that drops everything: measures the generator's own cost.
class NullStore final : public CatalogueStore {
public:
    using CatalogueStore::upsert;
    UpsertResult upsert(const std::vector<Product>& products, const std::vector<SourceRecord>&) override {
        return UpsertResult{products.size(), 0};
    }
    std::optional<Product> get(std::string_view) const override { return std::nullopt; }
    Page search(const Query&) const override { return {}; }
    Count count(const Query&) const override { return {}; }
    std::size_t erase(const std::vector<std::string>&) override { return 0; }
    StoreStats stats() const override { return {}; }
    void begin_bulk() override {}
    void end_bulk() override {}
    std::optional<std::pair<std::int64_t, std::uint64_t>> source_state(const std::string&) const override {
        return std::nullopt;
    }
};

// ---- libpq ------------------------------------------------------------------------------------

struct PgResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using PgResult = std::unique_ptr<PGresult, PgResultDeleter>;

class Pg {
public:
    explicit Pg(const std::string& conninfo) : conn_(PQconnectdb(conninfo.c_str())) {
        if (PQstatus(conn_) != CONNECTION_OK)
            throw std::runtime_error(std::string("PostgreSQL connection failed: ") + PQerrorMessage(conn_));
    }
    ~Pg() { PQfinish(conn_); }
    Pg(const Pg&) = delete;
    Pg& operator=(const Pg&) = delete;

    PGconn* handle() { return conn_; }

    PgResult exec(const std::string& sql) {
        PgResult r(PQexec(conn_, sql.c_str()));
        check(r.get(), sql);
        return r;
    }
    std::string scalar(const std::string& sql) {
        auto r = exec(sql);
        return PQntuples(r.get()) > 0 ? PQgetvalue(r.get(), 0, 0) : "";
    }
    // Prepares `sql` once (by text) and returns its statement name.
    const std::string& prepare(const std::string& sql, int nparams) {
        auto it = prepared_.find(sql);
        if (it != prepared_.end()) return it->second;
        std::string name = fmt::format("s{}", prepared_.size());
        PgResult r(PQprepare(conn_, name.c_str(), sql.c_str(), nparams, nullptr));
        check(r.get(), sql);
        return prepared_.emplace(sql, name).first->second;
    }
    // Runs a prepared statement with text parameters and binary results.
    PgResult run(const std::string& name, const std::vector<std::string>& params) {
        std::vector<const char*> values;
        values.reserve(params.size());
        for (const auto& p : params) values.push_back(p.c_str());
        PgResult r(PQexecPrepared(conn_, name.c_str(), static_cast<int>(values.size()), values.data(), nullptr,
                                  nullptr, 1));
        check(r.get(), name);
        return r;
    }
    int backend_pid() { return PQbackendPID(conn_); }

private:
    void check(const PGresult* r, const std::string& what) {
        auto s = PQresultStatus(r);
        if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_COPY_IN)
            throw std::runtime_error(fmt::format("PostgreSQL: {}\n  in: {}", PQresultErrorMessage(r), what));
    }

    PGconn* conn_;
    std::map<std::string, std::string> prepared_;
};

std::int64_t be_i64(const char* p) {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
    return static_cast<std::int64_t>(v);
}

double be_f64(const char* p) {
    auto bits = static_cast<std::uint64_t>(be_i64(p));
    double d;
    std::memcpy(&d, &bits, sizeof d);
    return d;
}

constexpr std::int64_t kPgEpochUs = 946684800LL * 1000000LL;  // 2000-01-01 in Unix microseconds

// The columns every PostGIS page query returns, in this order (decode_pg_row relies on it).
const char* kPgColumns =
    "rid, id, name, collection, product_type, processing_level, platform, instrument, sensor_mode, "
    "start_ts, end_ts, published, updated, cloud, orbit, rel_orbit, orbit_dir, tile, pols, baseline, size, "
    "online, ST_AsBinary(footprint), path, doc";
constexpr int kPgCountColumn = 25;  // count(*) OVER () in the window form

// Decodes one binary-format row into a Product, as our store's decode_row does.
Product decode_pg_row(const PGresult* r, int row) {
    auto text = [&](int c) { return std::string(PQgetvalue(r, row, c), static_cast<size_t>(PQgetlength(r, row, c))); };
    auto null = [&](int c) { return PQgetisnull(r, row, c) != 0; };
    auto i64 = [&](int c) { return be_i64(PQgetvalue(r, row, c)); };
    auto ts = [&](int c) { return Timestamp{i64(c) + kPgEpochUs}; };
    Product p;
    p.id = text(1);
    p.name = text(2);
    p.collection = text(3);
    p.product_type = text(4);
    p.processing_level = text(5);
    p.platform = text(6);
    p.instrument = text(7);
    p.sensor_mode = text(8);
    p.sensing_start = ts(9);
    p.sensing_end = ts(10);
    if (!null(11)) p.published = ts(11);
    if (!null(12)) p.updated = ts(12);
    if (!null(13)) p.cloud_cover = be_f64(PQgetvalue(r, row, 13));
    if (!null(14)) p.orbit_number = i64(14);
    if (!null(15)) p.relative_orbit = i64(15);
    p.orbit_direction = static_cast<OrbitDirection>(i64(16));
    p.tile_id = text(17);
    p.polarisations = detail::decode_polarisations(text(18));
    p.processing_baseline = text(19);
    if (!null(20)) p.size = static_cast<std::uint64_t>(i64(20));
    p.online = PQgetvalue(r, row, 21)[0] != 0;
    p.footprint = Geometry::from_wkb(std::string_view(PQgetvalue(r, row, 22), static_cast<size_t>(PQgetlength(r, row, 22))));
    p.path = text(23);
    detail::decode_doc(text(24), p);
    return p;
}

// ---- query instances ------------------------------------------------------------------------

// One query, expressed once and rendered for both backends.
struct Spec {
    std::string collection;          // empty: all collections
    std::optional<BBox> box;         // AOI rectangle, or:
    std::optional<LonLat> point;     // AOI point
    std::optional<std::pair<Timestamp, Timestamp>> time;  // sensing overlap, both inclusive
    std::optional<double> cloud_max;
    bool count = true;               // also count the matches
};

Query to_query(const Spec& s) {
    Query q;
    if (!s.collection.empty()) q.collections = {s.collection};
    if (s.box) q.aoi = Geometry::from_bbox(*s.box);
    if (s.point) q.aoi = Geometry::point(s.point->lon, s.point->lat);
    if (s.time) {
        q.sensing.start = s.time->first;
        q.sensing.end = s.time->second;
    }
    q.cloud_max = s.cloud_max;
    q.sort = SortField::sensing_time;
    q.order = SortOrder::descending;
    q.limit = 100;
    q.count = s.count;
    return q;
}

// WHERE clause with $n placeholders, and its parameters in order. The same Spec shape
// always yields the same SQL text, so each query kind is prepared once.
// `max_duration_us` (the longest sensing interval stored) gives the overlap condition a
// redundant lower bound on start_ts, so the (collection, start_ts) B-tree can serve a time
// window as a closed range: the tuned form of the query (our table plan does the same).
std::pair<std::string, std::vector<std::string>> pg_where(const Spec& s, std::int64_t max_duration_us) {
    std::vector<std::string> clauses, params;
    if (!s.collection.empty()) {
        params.push_back(s.collection);
        clauses.push_back(fmt::format("collection = ${}", params.size()));
    }
    if (s.time) {
        params.push_back(format_datetime(s.time->second));
        clauses.push_back(fmt::format("start_ts <= ${}::timestamptz", params.size()));
        params.push_back(format_datetime(s.time->first));
        clauses.push_back(fmt::format("end_ts >= ${}::timestamptz", params.size()));
        params.push_back(format_datetime(Timestamp{s.time->first.us - max_duration_us}));
        clauses.push_back(fmt::format("start_ts >= ${}::timestamptz", params.size()));
    }
    if (s.cloud_max) {
        params.push_back(fmt::format("{}", *s.cloud_max));
        clauses.push_back(fmt::format("cloud <= ${}::float8", params.size()));
    }
    if (s.box) {
        size_t k = params.size();
        params.push_back(fmt::format("{:.17g}", s.box->west));
        params.push_back(fmt::format("{:.17g}", s.box->south));
        params.push_back(fmt::format("{:.17g}", s.box->east));
        params.push_back(fmt::format("{:.17g}", s.box->north));
        clauses.push_back(fmt::format(
            "ST_Intersects(footprint, ST_MakeEnvelope(${}::float8, ${}::float8, ${}::float8, ${}::float8, 4326))", k + 1,
            k + 2, k + 3, k + 4));
    }
    if (s.point) {
        size_t k = params.size();
        params.push_back(fmt::format("{:.17g}", s.point->lon));
        params.push_back(fmt::format("{:.17g}", s.point->lat));
        clauses.push_back(fmt::format(
            "ST_Intersects(footprint, ST_SetSRID(ST_MakePoint(${}::float8, ${}::float8), 4326))", k + 1, k + 2));
    }
    std::string where;
    for (const auto& c : clauses) where += (where.empty() ? " WHERE " : " AND ") + c;
    return {where, params};
}

// What a search returned, for cross-checking the backends.
struct Outcome {
    std::vector<std::string> ids;
    std::uint64_t count = 0;
    bool has_count = false;
    bool operator==(const Outcome& o) const { return ids == o.ids && count == o.count && has_count == o.has_count; }
};

// ---- reporting ----------------------------------------------------------------------------

struct Row {
    std::string metric, ours, theirs, ratio, goal, met;
};

std::string fmt_ms(double v) { return std::isnan(v) ? "n/a" : fmt::format("{:.2f} ms", v); }
std::string fmt_rate(double v, const char* unit) { return fmt::format("{:.0f} {}", v, unit); }

void print_table(const std::vector<Row>& rows, std::FILE* out) {
    std::vector<size_t> w = {6, 11, 7, 5, 4, 4};
    for (const auto& r : rows) {
        w[0] = std::max(w[0], r.metric.size());
        w[1] = std::max(w[1], r.ours.size());
        w[2] = std::max(w[2], r.theirs.size());
        w[3] = std::max(w[3], r.ratio.size());
        w[4] = std::max(w[4], r.goal.size());
        w[5] = std::max(w[5], r.met.size());
    }
    auto line = [&](const Row& r) {
        fmt::print(out, "{:<{}} | {:>{}} | {:>{}} | {:>{}} | {:<{}} | {:<{}}\n", r.metric, w[0], r.ours, w[1],
                   r.theirs, w[2], r.ratio, w[3], r.goal, w[4], r.met, w[5]);
    };
    line({"metric", "libcreodias", "PostGIS", "ratio", "goal", "met?"});
    fmt::print(out, "{}\n", std::string(w[0] + w[1] + w[2] + w[3] + w[4] + w[5] + 15, '-'));
    for (const auto& r : rows) line(r);
}

std::string markdown_table(const std::vector<Row>& rows) {
    std::string s = "| metric | libcreodias | PostGIS | ratio | goal | met? |\n|---|---:|---:|---:|---|---|\n";
    for (const auto& r : rows)
        s += fmt::format("| {} | {} | {} | {} | {} | {} |\n", r.metric, r.ours, r.theirs, r.ratio, r.goal, r.met);
    return s;
}

// ---- phases ---------------------------------------------------------------------------------

struct MtdResult {
    std::size_t files = 0;
    double files_per_s = 0;
};

MtdResult bench_mtd(const fs::path& fixtures, double seconds) {
    struct Doc {
        std::string xml, name;
    };
    std::vector<Doc> docs;
    const fs::path root = fixtures / "products";
    std::error_code ec;
    // A bounded walk: the fixtures tree is small, but never follow links into loops.
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const auto fname = it->path().filename().string();
        if (fname != "MTD_MSIL1C.xml" && fname != "MTD_MSIL2A.xml") continue;
        std::ifstream f(it->path(), std::ios::binary);
        std::stringstream ss;
        ss << f.rdbuf();
        Doc d{ss.str(), it->path().parent_path().filename().string()};
        try {
            (void)detail::parse_sentinel2_mtd(d.xml, d.name);
            docs.push_back(std::move(d));
        } catch (const std::exception& e) {
            fmt::print(stderr, "  skipping {}: {}\n", it->path().string(), e.what());
        }
    }
    MtdResult r;
    r.files = docs.size();
    if (docs.empty()) return r;
    std::uint64_t parsed = 0;
    std::size_t sink = 0;
    auto t0 = Clock::now();
    while (seconds_since(t0) < seconds) {
        for (const auto& d : docs) sink += detail::parse_sentinel2_mtd(d.xml, d.name).name.size();
        parsed += docs.size();
    }
    r.files_per_s = static_cast<double>(parsed) / seconds_since(t0);
    if (sink == 0) fmt::print(stderr, "  (unexpected: empty product names)\n");
    return r;
}

// COPY text-format escaping of one field.
void copy_escape(std::string& out, const char* s, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        char c = s[i];
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
}

// ISO WKB (little-endian, 2-D, as our store writes it) -> hex EWKB with SRID 4326, the
// text form PostGIS's geometry input accepts in COPY.
void append_hex_ewkb(std::string& out, const unsigned char* wkb, size_t n) {
    static const char* hex = "0123456789ABCDEF";
    auto put = [&](unsigned char b) {
        out += hex[b >> 4];
        out += hex[b & 15];
    };
    if (n < 5 || wkb[0] != 1) throw std::runtime_error("unexpected footprint WKB (not little-endian)");
    std::uint32_t type;
    std::memcpy(&type, wkb + 1, 4);
    if (type > 7) throw std::runtime_error("unexpected footprint WKB type (not 2-D)");
    std::uint32_t ewkb_type = type | 0x20000000u;  // has-SRID flag
    const std::uint32_t srid = 4326;
    put(1);
    for (int i = 0; i < 4; ++i) put(static_cast<unsigned char>(ewkb_type >> (8 * i)));
    for (int i = 0; i < 4; ++i) put(static_cast<unsigned char>(srid >> (8 * i)));
    for (size_t i = 5; i < n; ++i) put(wkb[i]);
}

struct PgLoad {
    double copy_s = 0, index_s = 0, analyze_s = 0;
    std::uint64_t rows = 0;
    std::uint64_t bytes = 0;
};

PgLoad load_postgis(Pg& pg, RawSqlite& lite) {
    PgLoad out;
    pg.exec("CREATE EXTENSION IF NOT EXISTS postgis");
    pg.exec("DROP TABLE IF EXISTS products");
    // Same content as the SQLite products table (doc kept as its JSON text).
    const char* ddl =
        "CREATE TABLE products(rid bigint NOT NULL, name_key text NOT NULL, id text NOT NULL, name text NOT NULL, "
        "collection text NOT NULL, start_ts timestamptz NOT NULL, end_ts timestamptz NOT NULL, "
        "published timestamptz, updated timestamptz, cloud double precision, product_type text NOT NULL, "
        "processing_level text NOT NULL, platform text NOT NULL, instrument text NOT NULL, "
        "sensor_mode text NOT NULL, orbit bigint, rel_orbit bigint, orbit_dir bigint NOT NULL, tile text NOT NULL, "
        "pols text NOT NULL, baseline text NOT NULL, size bigint, online boolean NOT NULL, "
        "footprint geometry(Geometry, 4326) NOT NULL, path text NOT NULL, doc text NOT NULL)";
    auto t0 = Clock::now();
    // CREATE TABLE and COPY in one transaction: with wal_level=minimal the rows skip the WAL.
    pg.exec("BEGIN");
    pg.exec(ddl);
    pg.exec("COPY products FROM STDIN");
    sqlite3_stmt* st = lite.prepare(
        "SELECT p.rid, p.name_key, ifnull(p.id, p.name_key), p.name, c.name, p.start_us, p.end_us, p.published_us, p.updated_us, p.cloud, "
        "p.product_type, p.processing_level, p.platform, p.instrument, p.sensor_mode, p.orbit, p.rel_orbit, "
        "p.orbit_dir, p.tile, p.pols, p.baseline, p.size, p.online, p.footprint, p.path, p.doc "
        "FROM products p JOIN collections c ON c.cid = p.cid ORDER BY p.rid");
    std::string buf;
    buf.reserve(2 << 20);
    auto flush = [&]() {
        if (buf.empty()) return;
        if (PQputCopyData(pg.handle(), buf.data(), static_cast<int>(buf.size())) != 1)
            throw std::runtime_error(std::string("COPY failed: ") + PQerrorMessage(pg.handle()));
        buf.clear();
    };
    auto field_text = [&](int c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) {
            buf += "\\N";
            return;
        }
        auto* s = reinterpret_cast<const char*>(sqlite3_column_text(st, c));
        copy_escape(buf, s, static_cast<size_t>(sqlite3_column_bytes(st, c)));
    };
    auto field_time = [&](int c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) buf += "\\N";
        else buf += format_datetime(Timestamp{sqlite3_column_int64(st, c)});
    };
    auto field_int = [&](int c) {
        if (sqlite3_column_type(st, c) == SQLITE_NULL) buf += "\\N";
        else buf += std::to_string(sqlite3_column_int64(st, c));
    };
    while (true) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_DONE) break;
        if (rc != SQLITE_ROW) throw std::runtime_error(std::string("sqlite read: ") + sqlite3_errmsg(lite.handle()));
        field_int(0), buf += '\t';
        field_text(1), buf += '\t';
        field_text(2), buf += '\t';
        field_text(3), buf += '\t';
        field_text(4), buf += '\t';
        field_time(5), buf += '\t';
        field_time(6), buf += '\t';
        field_time(7), buf += '\t';
        field_time(8), buf += '\t';
        if (sqlite3_column_type(st, 9) == SQLITE_NULL) buf += "\\N";
        else buf += fmt::format("{:.17g}", sqlite3_column_double(st, 9));
        buf += '\t';
        for (int c = 10; c <= 14; ++c) field_text(c), buf += '\t';
        field_int(15), buf += '\t';
        field_int(16), buf += '\t';
        field_int(17), buf += '\t';
        field_text(18), buf += '\t';
        field_text(19), buf += '\t';
        field_text(20), buf += '\t';
        field_int(21), buf += '\t';
        buf += sqlite3_column_int64(st, 22) ? "t" : "f";
        buf += '\t';
        append_hex_ewkb(buf, static_cast<const unsigned char*>(sqlite3_column_blob(st, 23)),
                        static_cast<size_t>(sqlite3_column_bytes(st, 23)));
        buf += '\t';
        field_text(24), buf += '\t';
        field_text(25), buf += '\n';
        ++out.rows;
        if (buf.size() > (1 << 20)) flush();
        if (out.rows % 200000 == 0) fmt::print(stderr, "  COPY {} rows\n", out.rows);
    }
    sqlite3_finalize(st);
    flush();
    if (PQputCopyEnd(pg.handle(), nullptr) != 1)
        throw std::runtime_error(std::string("COPY end failed: ") + PQerrorMessage(pg.handle()));
    {
        PgResult r(PQgetResult(pg.handle()));
        if (PQresultStatus(r.get()) != PGRES_COMMAND_OK)
            throw std::runtime_error(std::string("COPY failed: ") + PQresultErrorMessage(r.get()));
        while (PGresult* extra = PQgetResult(pg.handle())) PQclear(extra);
    }
    pg.exec("COMMIT");
    out.copy_s = seconds_since(t0);

    // The indexes of a tuned PostGIS catalogue: GiST on the footprint, B-tree on
    // (collection, sensing start) with rid as tie-breaker so keyset pages are pure index
    // scans, and the identity keys (our store has the same unique keys).
    t0 = Clock::now();
    pg.exec("ALTER TABLE products ADD PRIMARY KEY (rid)");
    pg.exec("CREATE UNIQUE INDEX products_id ON products(id)");
    pg.exec("CREATE UNIQUE INDEX products_name_key ON products(name_key)");
    pg.exec("CREATE INDEX products_collection_start ON products(collection, start_ts, rid)");
    fmt::print(stderr, "  B-tree indexes built ({:.1f} s); building GiST\n", seconds_since(t0));
    pg.exec("CREATE INDEX products_footprint ON products USING gist(footprint)");
    out.index_s = seconds_since(t0);
    t0 = Clock::now();
    pg.exec("VACUUM ANALYZE products");
    out.analyze_s = seconds_since(t0);
    out.bytes = std::stoull(pg.scalar("SELECT pg_total_relation_size('products')"));
    return out;
}

}  // namespace

int main(int argc, char** argv) try {
    const Options opt = parse_options(argc, argv);
    std::setvbuf(stdout, nullptr, _IOLBF, 0);
    fs::create_directories(opt.work);
    const fs::path db_path = opt.work / "catalogue.db";
    const std::string load_start = load_average();
    fmt::print(stderr, "catalogue benchmark: {} records, seed {}, work {}, load average {}\n", opt.records, opt.seed,
               opt.work.string(), load_start);

    // 1. MTD parse rate -----------------------------------------------------------------------
    fmt::print(stderr, "[1/6] Sentinel-2 MTD parse rate ({} s, one thread)\n", opt.mtd_seconds);
    const MtdResult mtd = bench_mtd(opt.fixtures, opt.mtd_seconds);
    fmt::print(stderr, "  {} files, {:.0f} files/s\n", mtd.files, mtd.files_per_s);

    // 2. Generator cost alone ------------------------------------------------------------------
    const std::uint64_t synth_n = std::min<std::uint64_t>(opt.records, 100000);
    double synth_rate = 0;
    {
        fmt::print(stderr, "[2/6] record synthesis alone ({} records)\n", synth_n);
        NullStore null_store;
        auto t0 = Clock::now();
        generate_records(null_store, synth_n, opt.seed);
        synth_rate = static_cast<double>(synth_n) / seconds_since(t0);
        fmt::print(stderr, "  {:.0f} records/s\n", synth_rate);
    }

    // 3. Bulk ingest ---------------------------------------------------------------------------
    double ingest_s = 0;
    bool generated = false;
    {
        bool reuse = false;
        if (opt.reuse && fs::exists(db_path)) {
            RawSqlite lite(db_path);
            reuse = static_cast<std::uint64_t>(lite.scalar("SELECT count(*) FROM products")) == opt.records;
        }
        if (!reuse) {
            for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(db_path.string() + suffix);
            fmt::print(stderr, "[3/6] generate_records: {} records into {}\n", opt.records, db_path.string());
            auto store = open_sqlite_store(db_path);
            std::uint64_t step = std::max<std::uint64_t>(opt.records / 10, 1), next = step;
            auto t0 = Clock::now();
            generate_records(*store, opt.records, opt.seed, [&](std::uint64_t done) {
                if (done >= next) {
                    fmt::print(stderr, "  {} records, {:.0f} records/s\n", done,
                               static_cast<double>(done) / seconds_since(t0));
                    next += step;
                }
            });
            ingest_s = seconds_since(t0);
            generated = true;
        } else {
            fmt::print(stderr, "[3/6] reusing {} (ingest not measured)\n", db_path.string());
        }
    }
    std::uint64_t sqlite_bytes = 0;
    std::uint64_t stored = 0;
    std::map<std::string, std::pair<std::uint64_t, bool>> per_collection;  // rows, has cloud cover
    {
        // Checkpoint so the size is the database's, not the log's.
        RawSqlite lite(db_path);
        lite.exec("PRAGMA wal_checkpoint(TRUNCATE)");
        sqlite_bytes = file_size_or_zero(db_path) + file_size_or_zero(db_path.string() + "-wal");
        stored = static_cast<std::uint64_t>(lite.scalar("SELECT count(*) FROM products"));
        // Rows per collection from the (cid, start_us) index, and whether the collection
        // carries cloud cover from a sample of its rows (a full scan of the table would
        // read the whole file).
        sqlite3_stmt* st = lite.prepare(
            "SELECT c.name, count(*), EXISTS(SELECT 1 FROM (SELECT cloud FROM products q WHERE q.cid = p.cid "
            "LIMIT 1000) WHERE cloud IS NOT NULL) "
            "FROM products p JOIN collections c ON c.cid = p.cid GROUP BY p.cid ORDER BY c.name");
        while (sqlite3_step(st) == SQLITE_ROW)
            per_collection[reinterpret_cast<const char*>(sqlite3_column_text(st, 0))] = {
                static_cast<std::uint64_t>(sqlite3_column_int64(st, 1)), sqlite3_column_int64(st, 2) != 0};
        sqlite3_finalize(st);
    }
    const double ingest_rate = generated ? static_cast<double>(opt.records) / ingest_s : NAN;
    fmt::print(stderr, "  {} products stored, {:.1f} MiB ({:.0f} bytes/record){}\n", stored,
               static_cast<double>(sqlite_bytes) / (1 << 20), static_cast<double>(sqlite_bytes) / stored,
               generated ? fmt::format(", ingest {:.1f} s = {:.0f} records/s", ingest_s, ingest_rate) : "");
    for (const auto& [name, n] : per_collection)
        fmt::print(stderr, "    {:<12} {:>8}{}\n", name, n.first, n.second ? " (with cloud cover)" : "");

    // 4. Query instances ---------------------------------------------------------------------------
    // AOIs are drawn inside western/central Europe (lon -10..30, lat 36..66), where the
    // generator puts most footprints; times anywhere in 2015..2025.
    std::mt19937_64 rng(opt.seed ^ 0x5eedULL);
    std::uniform_real_distribution<double> u01(0, 1);
    const Timestamp t_first = Timestamp::from_civil(2015, 1, 1), t_last = Timestamp::from_civil(2025, 12, 31);
    auto random_window = [&](std::int64_t days) {
        const std::int64_t span = (t_last.us - t_first.us) / 1000000 - days * 86400;
        const std::int64_t start_s = static_cast<std::int64_t>(u01(rng) * static_cast<double>(span)) / 86400 * 86400;
        Timestamp a{t_first.us + start_s * 1000000};
        Timestamp b{a.us + days * 86400LL * 1000000 - 1};  // inclusive end: last microsecond of the window
        return std::make_pair(a, b);
    };
    std::vector<std::string> cloudy;  // collections carrying cloud cover, >= 5 % of the records
    std::vector<std::string> broad;   // collections with more than 500 pages of 100
    for (const auto& [name, n] : per_collection) {
        if (n.second && n.first * 20 >= stored) cloudy.push_back(name);
        if (n.first > 50000) broad.push_back(name);
    }
    if (cloudy.empty()) throw std::runtime_error("no collection with cloud cover in the generated records");
    std::vector<Spec> spec_a, spec_b, spec_c;
    for (int i = 0; i < opt.runs_a; ++i) {
        Spec s;
        s.collection = cloudy[static_cast<size_t>(i) % cloudy.size()];
        double w = -10 + 39 * u01(rng), so = 36 + 29 * u01(rng);
        s.box = BBox{w, so, w + 1, so + 1};
        s.time = random_window(30);
        s.cloud_max = 20;
        spec_a.push_back(s);
    }
    for (int i = 0; i < opt.runs_b; ++i) {
        Spec s;
        s.point = LonLat{-10 + 40 * u01(rng), 36 + 30 * u01(rng)};
        spec_b.push_back(s);
    }
    for (int i = 0; i < opt.runs_c; ++i) {
        Spec s;
        double w = -10 + 30 * u01(rng), so = 36 + 20 * u01(rng);
        s.box = BBox{w, so, w + 10, so + 10};
        s.time = random_window(365);
        spec_c.push_back(s);
    }

    Catalogue cat(db_path);

    struct KindResult {
        std::string name;
        std::vector<Spec> specs;
        std::vector<Outcome> ours, theirs;
        Latencies ours_ms, theirs_ms;
        std::string pg_form;
        double mean_rows = 0, mean_count = 0;
    };
    std::vector<Spec> spec_b0 = spec_b;  // B without the count: what a count costs
    for (auto& s : spec_b0) s.count = false;
    std::vector<KindResult> kinds = {{"A", spec_a, {}, {}, {}, {}, {}, 0, 0},
                                     {"B", spec_b, {}, {}, {}, {}, {}, 0, 0},
                                     {"C", spec_c, {}, {}, {}, {}, {}, 0, 0},
                                     {"B0", spec_b0, {}, {}, {}, {}, {}, 0, 0}};

    fmt::print(stderr, "[4/6] libcreodias queries (warm-up pass, then timed pass)\n");
    for (auto& k : kinds) {
        std::vector<Query> queries;
        for (const auto& s : k.specs) queries.push_back(to_query(s));
        double rows = 0, counts = 0;
        for (const auto& q : queries) {
            auto page = cat.search(q);
            Outcome o;
            for (const auto& p : page.products) o.ids.push_back(p.id);
            if (page.count) o.count = page.count->value, o.has_count = true;
            if (page.count && !page.count->exact) fmt::print(stderr, "  note: {} count is an estimate\n", k.name);
            rows += static_cast<double>(o.ids.size());
            counts += static_cast<double>(o.count);
            k.ours.push_back(std::move(o));
        }
        k.mean_rows = rows / static_cast<double>(queries.size());
        k.mean_count = counts / static_cast<double>(queries.size());
        for (const auto& q : queries) {
            auto t0 = Clock::now();
            auto page = cat.search(q);
            k.ours_ms.ms.push_back(ms_since(t0));
        }
        fmt::print(stderr, "  {}: p50 {:.2f} ms, p99 {:.2f} ms ({:.1f} rows, {:.0f} matches on average)\n", k.name,
                   k.ours_ms.p50(), k.ours_ms.p99(), k.mean_rows, k.mean_count);
    }

    // D: deep keyset page of a broad query (one collection, no other filter).
    struct DCase {
        std::string collection;
        Query first;
        std::string cursor500;    // our cursor to page 500
        std::int64_t key_us = 0;  // (sensing start, rid) of the last row of page 499
        std::int64_t key_rid = 0;
        Outcome ours_first, ours_500, theirs_first, theirs_500;
    };
    std::vector<DCase> dcases;
    Latencies d_first_ms, d_500_ms, pg_d_first_ms, pg_d_500_ms;
    {
        RawSqlite lite(db_path);
        for (const auto& coll : broad) {
            DCase d;
            d.collection = coll;
            d.first.collections = {coll};
            d.first.limit = 100;
            auto page = cat.search(d.first);
            for (const auto& p : page.products) d.ours_first.ids.push_back(p.id);
            std::string cursor = page.next_cursor;
            for (int n = 2; n <= 499 && !cursor.empty(); ++n) {
                Query q = d.first;
                q.cursor = cursor;
                page = cat.search(q);
                cursor = page.next_cursor;
            }
            if (cursor.empty() || page.products.empty()) continue;
            d.cursor500 = cursor;
            d.key_us = page.products.back().sensing_start.us;
            d.key_rid = lite.rid_of(page.products.back().id);
            Query q = d.first;
            q.cursor = cursor;
            for (const auto& p : cat.search(q).products) d.ours_500.ids.push_back(p.id);
            dcases.push_back(std::move(d));
        }
    }
    if (!dcases.empty()) {
        for (int i = 0; i < opt.runs_d; ++i) {
            const auto& d = dcases[static_cast<size_t>(i) % dcases.size()];
            Query q = d.first;
            q.cursor = d.cursor500;
            auto t0 = Clock::now();
            auto p500 = cat.search(q);
            d_500_ms.ms.push_back(ms_since(t0));
            t0 = Clock::now();
            auto p1 = cat.search(d.first);
            d_first_ms.ms.push_back(ms_since(t0));
        }
        fmt::print(stderr, "  D ({} collections): page 500 p50 {:.2f} ms, first page p50 {:.2f} ms\n", dcases.size(),
                   d_500_ms.p50(), d_first_ms.p50());
    }
    const long ours_rss_kib = peak_rss_kib();

    // 5. PostGIS ------------------------------------------------------------------------------------
    PgLoad pgload;
    long pg_rss_kib = 0;
    std::string pg_version;
    std::size_t mismatches = 0, compared = 0;
    if (!opt.pg.empty()) {
        fmt::print(stderr, "[5/6] PostGIS: COPY {} rows, build indexes, VACUUM ANALYZE\n", stored);
        {
            Pg pg(opt.pg);
            RawSqlite lite(db_path);
            pgload = load_postgis(pg, lite);
            pg_rss_kib = std::max(pg_rss_kib, process_hwm_kib(pg.backend_pid()));
        }
        fmt::print(stderr, "  COPY {:.1f} s, indexes {:.1f} s, VACUUM ANALYZE {:.1f} s, {:.1f} MiB\n", pgload.copy_s,
                   pgload.index_s, pgload.analyze_s, static_cast<double>(pgload.bytes) / (1 << 20));

        Pg pg(opt.pg);
        pg_version = pg.scalar("SELECT version()") + " / PostGIS " + pg.scalar("SELECT postgis_lib_version()");
        // Load the table and its indexes into shared_buffers: both sides run warm.
        pg.exec("CREATE EXTENSION IF NOT EXISTS pg_prewarm");
        for (const char* rel : {"products", "products_footprint", "products_collection_start", "products_pkey"})
            pg.exec(fmt::format("SELECT pg_prewarm('{}')", rel));
        pg.exec("SELECT pg_prewarm(reltoastrelid) FROM pg_class WHERE relname = 'products' AND reltoastrelid <> 0");

        const std::int64_t max_duration_us = std::stoll(pg.scalar(
            "SELECT coalesce((extract(epoch FROM max(end_ts - start_ts)) * 1000000)::bigint, 0) FROM products"));
        const std::string order = " ORDER BY start_ts DESC, rid DESC LIMIT 100";
        // One search on PostGIS: the page (+ count), rows decoded into Products.
        auto pg_search = [&](const Spec& s, bool window) {
            auto [where, params] = pg_where(s, max_duration_us);
            Outcome o;
            o.has_count = s.count;
            if (!s.count) {
                auto r = pg.run(pg.prepare(fmt::format("SELECT {} FROM products{}{}", kPgColumns, where, order),
                                           static_cast<int>(params.size())),
                                params);
                for (int i = 0; i < PQntuples(r.get()); ++i) o.ids.push_back(decode_pg_row(r.get(), i).id);
            } else if (window) {
                auto& stmt = pg.prepare(
                    fmt::format("SELECT {}, count(*) OVER () FROM products{}{}", kPgColumns, where, order),
                    static_cast<int>(params.size()));
                auto r = pg.run(stmt, params);
                for (int i = 0; i < PQntuples(r.get()); ++i) o.ids.push_back(decode_pg_row(r.get(), i).id);
                if (PQntuples(r.get()) > 0)
                    o.count = static_cast<std::uint64_t>(be_i64(PQgetvalue(r.get(), 0, kPgCountColumn)));
            } else {
                auto& page_stmt = pg.prepare(fmt::format("SELECT {} FROM products{}{}", kPgColumns, where, order),
                                             static_cast<int>(params.size()));
                auto r = pg.run(page_stmt, params);
                for (int i = 0; i < PQntuples(r.get()); ++i) o.ids.push_back(decode_pg_row(r.get(), i).id);
                auto& count_stmt = pg.prepare(fmt::format("SELECT count(*) FROM products{}", where),
                                              static_cast<int>(params.size()));
                auto c = pg.run(count_stmt, params);
                o.count = static_cast<std::uint64_t>(be_i64(PQgetvalue(c.get(), 0, 0)));
            }
            return o;
        };

        fmt::print(stderr, "[6/6] PostGIS queries (form trial, warm-up pass, timed pass)\n");
        for (auto& k : kinds) {
            // Give PostGIS its best form, measured on a trial of the first instances: the
            // count as a second statement or as a window, and prepared statements planned
            // generically after five runs (auto) or for each run's values (custom).
            const size_t trial = std::min<size_t>(k.specs.size(), 30);
            struct Form {
                bool window;
                const char* plan_mode;
                Latencies ms;
            };
            std::vector<Form> forms;
            for (const char* mode : {"auto", "force_custom_plan"}) {
                forms.push_back({false, mode, {}});
                if (k.specs.front().count) forms.push_back({true, mode, {}});
            }
            for (auto& f : forms) {
                pg.exec(fmt::format("SET plan_cache_mode = {}", f.plan_mode));
                for (int round = 0; round < 2; ++round)  // round 0 warms caches and plans
                    for (size_t i = 0; i < trial; ++i) {
                        auto t0 = Clock::now();
                        pg_search(k.specs[i], f.window);
                        if (round) f.ms.ms.push_back(ms_since(t0));
                    }
            }
            const Form* best = &forms.front();
            std::string trial_report;
            for (const auto& f : forms) {
                if (f.ms.p50() < best->ms.p50()) best = &f;
                trial_report += fmt::format(" {}{}/{} {:.2f} ms;", f.window ? "window" : "page",
                                            k.specs.front().count ? (f.window ? "" : "+count") : "", f.plan_mode,
                                            f.ms.p50());
            }
            const bool window = best->window;
            pg.exec(fmt::format("SET plan_cache_mode = {}", best->plan_mode));
            k.pg_form = fmt::format("{}, plan_cache_mode={}",
                                    !k.specs.front().count ? "page only"
                                    : window               ? "count(*) OVER ()"
                                                           : "page + SELECT count(*)",
                                    best->plan_mode);
            fmt::print(stderr, "  {} trial p50:{} -> {}\n", k.name, trial_report, k.pg_form);
            for (const auto& s : k.specs) k.theirs.push_back(pg_search(s, window));
            for (const auto& s : k.specs) {
                auto t0 = Clock::now();
                pg_search(s, window);
                k.theirs_ms.ms.push_back(ms_since(t0));
            }
            for (size_t i = 0; i < k.specs.size(); ++i) {
                ++compared;
                if (k.ours[i] == k.theirs[i]) continue;
                if (++mismatches <= 10)
                    fmt::print(stderr, "  MISMATCH {}#{}: ours {} ids / count {}, PostGIS {} ids / count {}{}\n", k.name,
                               i, k.ours[i].ids.size(), k.ours[i].count, k.theirs[i].ids.size(), k.theirs[i].count,
                               k.ours[i].ids == k.theirs[i].ids ? " (same ids)" : " (ids differ)");
            }
            fmt::print(stderr, "  {}: p50 {:.2f} ms, p99 {:.2f} ms\n", k.name, k.theirs_ms.p50(), k.theirs_ms.p99());
        }

        // D on PostGIS: the same first page, and page 500 by keyset from the same key.
        const std::string d_first_sql =
            fmt::format("SELECT {} FROM products WHERE collection = $1{}", kPgColumns, order);
        const std::string d_next_sql = fmt::format(
            "SELECT {} FROM products WHERE collection = $1 AND (start_ts, rid) < ($2::timestamptz, $3::bigint){}",
            kPgColumns, order);
        auto pg_d = [&](const DCase& d, bool deep) {
            Outcome o;
            PgResult r = deep ? pg.run(pg.prepare(d_next_sql, 3),
                                       {d.collection, format_datetime(Timestamp{d.key_us}), std::to_string(d.key_rid)})
                              : pg.run(pg.prepare(d_first_sql, 1), {d.collection});
            for (int i = 0; i < PQntuples(r.get()); ++i) o.ids.push_back(decode_pg_row(r.get(), i).id);
            return o;
        };
        for (auto& d : dcases) {
            d.theirs_first = pg_d(d, false);
            d.theirs_500 = pg_d(d, true);
            for (auto [a, b] : {std::make_pair(&d.ours_first, &d.theirs_first), std::make_pair(&d.ours_500, &d.theirs_500)}) {
                ++compared;
                if (!(*a == *b) && ++mismatches <= 10)
                    fmt::print(stderr, "  MISMATCH D {}: ours {} ids, PostGIS {} ids\n", d.collection, a->ids.size(),
                               b->ids.size());
            }
        }
        for (int i = 0; i < opt.runs_d && !dcases.empty(); ++i) {
            const auto& d = dcases[static_cast<size_t>(i) % dcases.size()];
            auto t0 = Clock::now();
            pg_d(d, true);
            pg_d_500_ms.ms.push_back(ms_since(t0));
            t0 = Clock::now();
            pg_d(d, false);
            pg_d_first_ms.ms.push_back(ms_since(t0));
        }
        fmt::print(stderr, "  D: page 500 p50 {:.2f} ms, first page p50 {:.2f} ms\n", pg_d_500_ms.p50(),
                   pg_d_first_ms.p50());
        pg_rss_kib = std::max(pg_rss_kib, process_hwm_kib(pg.backend_pid()));
        fmt::print(stderr, "  {} results compared, {} mismatches\n", compared, mismatches);
    }

    // 6. Report ---------------------------------------------------------------------------------------
    const bool have_pg = !opt.pg.empty();
    std::vector<Row> rows;
    auto speedup_row = [&](const std::string& metric, const Latencies& ours, const Latencies& theirs,
                           double goal, bool p50) {
        double a = p50 ? ours.p50() : ours.p99();
        double b = p50 ? theirs.p50() : theirs.p99();
        Row r{metric, fmt_ms(a), have_pg ? fmt_ms(b) : "-", "-", "-", "-"};
        if (have_pg && a > 0) r.ratio = fmt::format("{:.1f}x faster", b / a);
        if (goal > 0) {
            r.goal = fmt::format(">= {:g}x faster", goal);
            r.met = have_pg ? (b / a >= goal ? "yes" : "NO") : "?";
        }
        rows.push_back(r);
    };
    const char* kind_label[] = {"A 1x1 deg + 30 d + cloud<=20 + 1 coll., page+count",
                                "B point, all time, page+count",
                                "C 10x10 deg + 1 year, page+count",
                                "B0 = B without the count (page only)"};
    const double kind_goal[] = {10, 3, 1.5, 0};
    for (size_t i = 0; i < kinds.size(); ++i) {
        speedup_row(fmt::format("{} p50", kind_label[i]), kinds[i].ours_ms, kinds[i].theirs_ms, kind_goal[i], true);
        speedup_row(fmt::format("{} p99", kinds[i].name), kinds[i].ours_ms, kinds[i].theirs_ms, 0, false);
    }
    speedup_row("D first page (1 collection, no filter) p50", d_first_ms, pg_d_first_ms, 0, true);
    speedup_row("D page 500 through the cursor p50", d_500_ms, pg_d_500_ms, 0, true);
    speedup_row("D page 500 p99", d_500_ms, pg_d_500_ms, 0, false);
    {
        double ours = d_500_ms.p50() / d_first_ms.p50();
        double theirs = pg_d_500_ms.p50() / pg_d_first_ms.p50();
        rows.push_back({"D page 500 / first page (p50)", fmt::format("{:.2f}", ours),
                        have_pg ? fmt::format("{:.2f}", theirs) : "-", "-", "<= 1.5", ours <= 1.5 ? "yes" : "NO"});
    }
    {
        const double pg_rate = have_pg ? static_cast<double>(pgload.rows) / (pgload.copy_s + pgload.index_s + pgload.analyze_s) : 0;
        Row r{"bulk ingest (records/s)", std::isnan(ingest_rate) ? "n/a" : fmt_rate(ingest_rate, "rec/s"),
              have_pg ? fmt_rate(pg_rate, "rec/s") : "-", "-", ">= 50000 rec/s", "?"};
        if (have_pg && !std::isnan(ingest_rate)) r.ratio = fmt::format("{:.1f}x", ingest_rate / pg_rate);
        if (!std::isnan(ingest_rate)) r.met = ingest_rate >= 50000 ? "yes" : "NO";
        rows.push_back(r);
    }
    rows.push_back({"  of which record synthesis alone", fmt_rate(synth_rate, "rec/s"), "-", "-", "-", "-"});
    if (have_pg)
        rows.push_back({"  PostGIS COPY only (no indexes)", "-",
                        fmt_rate(static_cast<double>(pgload.rows) / pgload.copy_s, "rec/s"), "-", "-", "-"});
    rows.push_back({fmt::format("Sentinel-2 MTD parse ({} real files, 1 thread)", mtd.files),
                    fmt_rate(mtd.files_per_s, "files/s"), "-", "-", ">= 2000 files/s/core",
                    mtd.files == 0 ? "?" : (mtd.files_per_s >= 2000 ? "yes" : "NO")});
    {
        double a = static_cast<double>(sqlite_bytes) / static_cast<double>(stored);
        double b = have_pg ? static_cast<double>(pgload.bytes) / static_cast<double>(pgload.rows) : 0;
        rows.push_back({"database size per record", fmt::format("{:.0f} B", a), have_pg ? fmt::format("{:.0f} B", b) : "-",
                        have_pg ? fmt::format("{:.2f}x", a / b) : "-", "-", "-"});
    }
    rows.push_back({"peak RSS (ours: bench process; PostGIS: server backend)", fmt::format("{:.0f} MiB", ours_rss_kib / 1024.0),
                    have_pg ? (pg_rss_kib ? fmt::format("{:.0f} MiB", pg_rss_kib / 1024.0) : "n/a") : "-", "-", "-", "-"});
    if (have_pg)
        rows.push_back({"result mismatches (ids + counts)", fmt::format("{} / {}", mismatches, compared), "", "-", "0",
                        mismatches == 0 ? "yes" : "NO"});

    const std::string load_end = load_average();
    std::string header = fmt::format(
        "records: {} (seed {}), instances A/B/C/D: {}/{}/{}/{}, load average at start {} / end {}\n", stored, opt.seed,
        opt.runs_a, opt.runs_b, opt.runs_c, opt.runs_d, load_start, load_end);
    std::string details;
    for (const auto& k : kinds)
        details += fmt::format("query {}: {:.1f} rows/page{} on average{}\n", k.name, k.mean_rows,
                               k.specs.front().count ? fmt::format(" and {:.0f} matches", k.mean_count) : "",
                               have_pg ? "; PostGIS form: " + k.pg_form : "");
    if (!dcases.empty()) {
        std::string colls;
        for (const auto& d : dcases) colls += (colls.empty() ? "" : ", ") + d.collection;
        details += fmt::format("query D collections: {}\n", colls);
    }
    if (have_pg) details += "PostgreSQL: " + pg_version + "\n";

    fmt::print("\n{}", header);
    print_table(rows, stdout);
    fmt::print("{}", details);

    if (!opt.markdown.empty()) {
        std::ofstream md(opt.markdown);
        md << "<!-- written by creodias_bench_catalogue -->\n" << header << "\n" << markdown_table(rows) << "\n";
        std::istringstream d(details);
        for (std::string line; std::getline(d, line);) md << "- " << line << "\n";
        fmt::print("\nMarkdown table written to {}\n", opt.markdown.string());
    }
    return mismatches == 0 ? 0 : 3;
} catch (const std::exception& e) {
    fmt::print(stderr, "creodias_bench_catalogue: {}\n", e.what());
    return 1;
}
