// The embedded catalogue store on SQLite.
//
// Layout (schema version 2):
//  - products: one row per product, keyed by name_key (idempotent upserts keep the rowid
//    `rid`, which is the stable tie-breaker of every sort); filterable fields are columns,
//    files/checksums/extra properties sit in a JSON `doc` column; the footprint is WKB.
//  - products_rtree: a 3-D R*Tree over (lon, lat, sensing time in units of 10 days since
//    2000), one entry per footprint part (a footprint split at the antimeridian has two);
//    entry id = rid * 16 + part, so a search reaches the product row from the entry id
//    alone (the auxiliary column rid is kept for inspection; searches do not read it).
//    Schema version 1 had a 4-D tree over (lon, lat, days since 2000, collection id) with
//    auxiliary copies of cid, cloud and the times. Two problems, measured on 1M products:
//    SQLite's R*Tree places entries by volume enlargement, and an entry with a zero extent
//    (one collection id) has zero volume, so every node of one collection had zero volume,
//    every choice tied and nodes grew to span the whole globe: a point search visited
//    nearly every leaf (45 ms to list 7,400 hits; 4 ms now). With time in 10-day units,
//    node extents in time and in degrees are of the same order, so nodes are compact in
//    space *and* time, and both "small area, all time" and "large area, short time"
//    searches visit few leaves. And SQLite reads auxiliary columns with one lookup per hit
//    in a side table, dearer than the product row that the search needs anyway.
//    Version-1 catalogues are upgraded on their first writable open (the R*Tree is rebuilt
//    from the products table).
//  - collections, sources (what was indexed from which file, for skip-unchanged), meta.
// Spatial searches run on the R*Tree and refine exactly (GEOS, or a certified
// point-in-polygon test on the WKB for point AOIs); other searches walk
// B-tree indexes in sort order with keyset conditions, so deep pages cost the same as the
// first.

#include <creodias/catalogue_store.hpp>
#include <creodias/error.hpp>

#include "catalogue/product_codec.hpp"
#include "catalogue/rtree_bulk.hpp"
#include "catalogue/sqlite.hpp"
#include "core/strings.hpp"
#include "geo/geos.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <map>
#include <mutex>
#include <set>
#include <unordered_map>
#include <unordered_set>
#include <variant>

namespace fs = std::filesystem;

namespace creodias {

CatalogueStore::~CatalogueStore() = default;

namespace {

using detail::Database;
using detail::Statement;
using detail::Transaction;

constexpr int kSchemaVersion = 2;
constexpr std::int64_t kParts = 16;                       // rtree entries per product
constexpr std::int64_t kEpoch2000Us = 946684800LL * 1000000LL;
constexpr double kUsPerDay = 86400e6;

constexpr double kDaysPerTimeUnit = 10;                  // R*Tree time axis unit

// The boxes a footprint is indexed under: one per part; beyond kParts parts the last box
// covers the union of the remaining parts (still a superset).
std::vector<BBox> index_boxes(const Geometry& footprint) {
    auto boxes = footprint.part_bboxes();
    if (boxes.size() > static_cast<size_t>(kParts)) {
        BBox& last = boxes[kParts - 1];
        for (size_t k = kParts; k < boxes.size(); ++k) {
            last.west = std::min(last.west, boxes[k].west);
            last.east = std::max(last.east, boxes[k].east);
            last.south = std::min(last.south, boxes[k].south);
            last.north = std::max(last.north, boxes[k].north);
        }
        boxes.resize(kParts);
    }
    return boxes;
}

// Sensing time on the R*Tree time axis.
double to_time_units(std::int64_t us) {
    return static_cast<double>(us - kEpoch2000Us) / (kUsPerDay * kDaysPerTimeUnit);
}

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections(cid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS products(
  rid INTEGER PRIMARY KEY,
  name_key TEXT NOT NULL UNIQUE,
  id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  cid INTEGER NOT NULL REFERENCES collections(cid),
  start_us INTEGER NOT NULL,
  end_us INTEGER NOT NULL,
  published_us INTEGER,
  updated_us INTEGER,
  cloud REAL,
  product_type TEXT NOT NULL DEFAULT '',
  processing_level TEXT NOT NULL DEFAULT '',
  platform TEXT NOT NULL DEFAULT '',
  instrument TEXT NOT NULL DEFAULT '',
  sensor_mode TEXT NOT NULL DEFAULT '',
  orbit INTEGER,
  rel_orbit INTEGER,
  orbit_dir INTEGER NOT NULL DEFAULT 0,
  tile TEXT NOT NULL DEFAULT '',
  pols TEXT NOT NULL DEFAULT '',
  baseline TEXT NOT NULL DEFAULT '',
  size INTEGER,
  online INTEGER NOT NULL DEFAULT 1,
  west REAL NOT NULL, south REAL NOT NULL, east REAL NOT NULL, north REAL NOT NULL,
  footprint BLOB NOT NULL,
  path TEXT NOT NULL DEFAULT '',
  doc TEXT NOT NULL DEFAULT ''
);
CREATE INDEX IF NOT EXISTS products_cid_start ON products(cid, start_us, rid);
CREATE INDEX IF NOT EXISTS products_start ON products(start_us, rid);
CREATE INDEX IF NOT EXISTS products_published ON products(published_us, rid);
CREATE INDEX IF NOT EXISTS products_updated ON products(updated_us, rid);
CREATE VIRTUAL TABLE IF NOT EXISTS products_rtree USING rtree(
  eid, minx, maxx, miny, maxy, mint, maxt, +rid INTEGER);
CREATE TABLE IF NOT EXISTS sources(
  path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, name_key TEXT NOT NULL);
)SQL";

const char* kProductColumns =
    "p.rid, p.id, p.name, c.name, p.start_us, p.end_us, p.published_us, p.updated_us, p.cloud, "
    "p.product_type, p.processing_level, p.platform, p.instrument, p.sensor_mode, p.orbit, p.rel_orbit, "
    "p.orbit_dir, p.tile, p.pols, p.baseline, p.size, p.online, p.footprint, p.path, p.doc";

Product decode_row(const Statement& s) {
    Product p;
    p.id = s.text(1);
    p.name = s.text(2);
    p.collection = s.text(3);
    p.sensing_start.us = s.i64(4);
    p.sensing_end.us = s.i64(5);
    if (auto v = s.opt_i64(6)) p.published = Timestamp{*v};
    if (auto v = s.opt_i64(7)) p.updated = Timestamp{*v};
    p.cloud_cover = s.opt_f64(8);
    p.product_type = s.text(9);
    p.processing_level = s.text(10);
    p.platform = s.text(11);
    p.instrument = s.text(12);
    p.sensor_mode = s.text(13);
    p.orbit_number = s.opt_i64(14);
    p.relative_orbit = s.opt_i64(15);
    p.orbit_direction = static_cast<OrbitDirection>(s.i64(16));
    p.tile_id = s.text(17);
    p.polarisations = detail::decode_polarisations(s.text(18));
    p.processing_baseline = s.text(19);
    if (auto v = s.opt_i64(20)) p.size = static_cast<std::uint64_t>(*v);
    p.online = s.i64(21) != 0;
    try {
        p.footprint = Geometry::from_wkb(s.blob(22));
    } catch (const InvalidArgument& e) {
        throw StorageError(Errc::database, "catalogue", fmt::format("corrupt footprint of {}: {}", p.name, e.what()));
    }
    p.path = s.text(23);
    detail::decode_doc(s.text(24), p);
    return p;
}

// A bound SQL parameter.
using Param = std::variant<std::int64_t, double, std::string>;

struct Sql {
    std::string where;
    std::vector<Param> params;
    void add(const std::string& clause) {
        where += where.empty() ? " WHERE " : " AND ";
        where += clause;
    }
    void bind(Statement& st, int first = 1) const {
        int i = first;
        for (const auto& p : params) {
            if (auto* a = std::get_if<std::int64_t>(&p)) st.bind(i++, *a);
            else if (auto* b = std::get_if<double>(&p)) st.bind(i++, *b);
            else st.bind(i++, std::get<std::string>(p));
        }
    }
};

// '*'/'?' glob -> LIKE pattern with '\' escapes (LIKE is case-insensitive for ASCII).
std::string glob_to_like(std::string_view g) {
    std::string out;
    for (char c : g) {
        if (c == '*') out += '%';
        else if (c == '?') out += '_';
        else if (c == '%' || c == '_' || c == '\\') out += '\\', out += c;
        else out += c;
    }
    return out;
}

std::string b64url_encode(std::string_view in) {
    static const char* t = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    size_t i = 0;
    while (i + 2 < in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8) |
                     static_cast<unsigned char>(in[i + 2]);
        out += t[(v >> 18) & 63], out += t[(v >> 12) & 63], out += t[(v >> 6) & 63], out += t[v & 63];
        i += 3;
    }
    if (i + 1 == in.size()) {
        unsigned v = static_cast<unsigned char>(in[i]) << 16;
        out += t[(v >> 18) & 63], out += t[(v >> 12) & 63];
    } else if (i + 2 == in.size()) {
        unsigned v = (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += t[(v >> 18) & 63], out += t[(v >> 12) & 63], out += t[(v >> 6) & 63];
    }
    return out;
}

std::optional<std::string> b64url_decode(std::string_view in) {
    auto val = [](char c) -> int {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '-') return 62;
        if (c == '_') return 63;
        return -1;
    };
    std::string out;
    unsigned buf = 0;
    int bits = 0;
    for (char c : in) {
        int v = val(c);
        if (v < 0) return std::nullopt;
        buf = (buf << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buf >> bits) & 0xff);
        }
    }
    return out;
}

// One read transaction around a whole search. Every statement of the search then reads the
// same snapshot (a writer committing between the candidate scan and the row fetch cannot
// make a page inconsistent), and SQLite takes its file locks and checks the WAL once per
// search instead of once per statement: in autocommit mode each of the thousands of
// footprint lookups of a point search paid an fcntl lock/unlock, an fstat and a pread, two
// thirds of the search time.
class ReadSnapshot {
public:
    explicit ReadSnapshot(Database& db) : db_(db) {
        if (sqlite3_get_autocommit(db_.handle())) {  // not already inside a transaction
            db_.exec("BEGIN");
            active_ = true;
        }
    }
    ~ReadSnapshot() {
        // Ending a read-only transaction cannot lose anything; never throw from here.
        if (active_ && sqlite3_exec(db_.handle(), "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK)
            sqlite3_exec(db_.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
    }
    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
    Database& db_;
    bool active_ = false;
};

// Where a point lies relative to a polygonal footprint, decided on its WKB without building
// a geometry (the dominant cost of refining thousands of candidates of a point search).
// `unknown` when the answer cannot be certified here: a non-polygonal or big-endian WKB, or
// a point so close to an edge line that the floating-point orientation might have the wrong
// sign (Shewchuk's error bound for orient2d); the caller then asks GEOS, whose predicates
// are exact, so the two paths always agree.
enum class Location { outside, boundary, inside, unknown };

class WkbCursor {
public:
    explicit WkbCursor(std::string_view w) : w_(w) {}
    bool u8(unsigned& v) {
        if (pos_ + 1 > w_.size()) return false;
        v = static_cast<unsigned char>(w_[pos_++]);
        return true;
    }
    bool u32(std::uint32_t& v) {
        if (pos_ + 4 > w_.size()) return false;
        std::memcpy(&v, w_.data() + pos_, 4);  // little-endian host and WKB (checked)
        pos_ += 4;
        return true;
    }
    bool xy(LonLat& p) {
        if (pos_ + 16 > w_.size()) return false;
        std::memcpy(&p.lon, w_.data() + pos_, 8);
        std::memcpy(&p.lat, w_.data() + pos_ + 8, 8);
        pos_ += 16;
        return true;
    }

private:
    std::string_view w_;
    std::size_t pos_ = 0;
};

// Crossing-number location of `pt` against one ring read from `in`.
Location locate_in_ring(const LonLat& pt, WkbCursor& in, std::uint32_t n) {
    LonLat a;
    if (n < 4 || !in.xy(a)) return Location::unknown;
    bool odd = false, on_boundary = false, ambiguous = false;
    for (std::uint32_t k = 1; k < n; ++k) {
        LonLat b;
        if (!in.xy(b)) return Location::unknown;
        if (!on_boundary && !ambiguous) {
            if ((a.lon == pt.lon && a.lat == pt.lat) ||
                (a.lat == pt.lat && b.lat == pt.lat && std::min(a.lon, b.lon) <= pt.lon &&
                 pt.lon <= std::max(a.lon, b.lon))) {
                on_boundary = true;  // on a vertex or on a horizontal edge: exact tests
            } else if ((a.lat > pt.lat) != (b.lat > pt.lat)) {
                const double l = (a.lon - pt.lon) * (b.lat - pt.lat);
                const double r = (b.lon - pt.lon) * (a.lat - pt.lat);
                const double det = l - r;  // orient2d(pt, a, b)
                if (std::fabs(det) <= 1e-15 * (std::fabs(l) + std::fabs(r))) ambiguous = true;
                else if ((det > 0) == (b.lat > a.lat)) odd = !odd;  // edge crosses the ray to +lon
            }
        }
        a = b;
    }
    if (on_boundary) return Location::boundary;
    if (ambiguous) return Location::unknown;
    return odd ? Location::inside : Location::outside;
}

// Location of `pt` against one polygon (exterior ring, then holes).
Location locate_in_polygon(const LonLat& pt, WkbCursor& in) {
    std::uint32_t rings = 0;
    if (!in.u32(rings) || rings == 0) return Location::unknown;
    Location result = Location::outside;
    for (std::uint32_t r = 0; r < rings; ++r) {
        std::uint32_t n = 0;
        if (!in.u32(n)) return Location::unknown;
        // Every ring is read through, so the cursor ends at the next polygon.
        const Location loc = locate_in_ring(pt, in, n);
        if (loc == Location::unknown) return Location::unknown;
        if (r == 0) result = loc;
        else if (result == Location::inside && loc == Location::boundary) result = Location::boundary;
        else if (result == Location::inside && loc == Location::inside) result = Location::outside;  // in a hole
    }
    return result;
}

Location locate_point_wkb(const LonLat& pt, std::string_view wkb) {
    static const bool little_endian_host = [] {
        const std::uint16_t one = 1;
        unsigned char first;
        std::memcpy(&first, &one, 1);
        return first == 1;
    }();
    if (!little_endian_host) return Location::unknown;
    WkbCursor in(wkb);
    auto header = [&](std::uint32_t& type) {
        unsigned order = 0;
        return in.u8(order) && order == 1 && in.u32(type);
    };
    std::uint32_t type = 0;
    if (!header(type)) return Location::unknown;
    if (type == 3) return locate_in_polygon(pt, in);
    if (type != 6) return Location::unknown;
    std::uint32_t polys = 0;
    if (!in.u32(polys)) return Location::unknown;
    Location best = Location::outside;
    for (std::uint32_t k = 0; k < polys; ++k) {
        std::uint32_t ptype = 0;
        if (!header(ptype) || ptype != 3) return Location::unknown;
        const Location loc = locate_in_polygon(pt, in);
        if (loc == Location::unknown) return Location::unknown;
        if (loc == Location::inside) best = Location::inside;
        else if (loc == Location::boundary && best == Location::outside) best = Location::boundary;
    }
    return best;
}

// Sort key of a row as a double (times in microseconds fit exactly below 2^53).
struct Candidate {
    std::int64_t rid;
    bool null_key;
    double key;
};

class SqliteStore final : public CatalogueStore {
public:
    SqliteStore(const fs::path& path, const SqliteStoreOptions& opt) : path_(path), opt_(opt) {
        std::error_code ec;
        bool exists = fs::exists(path, ec);
        if (!exists && (opt.read_only || !opt.create))
            throw NotFoundError("catalogue", fmt::format("catalogue database {} does not exist", path.string()));
        if (!exists && path.has_parent_path()) {
            fs::create_directories(path.parent_path(), ec);
            if (ec)
                throw StorageError(Errc::io, "catalogue",
                                   fmt::format("cannot create {}: {}", path.parent_path().string(), ec.message()));
        }
        int flags = opt.read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db_ = std::make_unique<Database>(path, flags);
        sqlite3_busy_timeout(db_->handle(), opt.busy_timeout_ms);
        // Reject files that are not SQLite before touching anything.
        try {
            db_->exec("SELECT count(*) FROM sqlite_master");
        } catch (const Error& e) {
            throw StorageError(Errc::database, "catalogue",
                               fmt::format("{} is not a catalogue database ({})", path.string(), e.what()));
        }
        db_->exec(fmt::format("PRAGMA cache_size=-{}; PRAGMA temp_store=MEMORY; PRAGMA mmap_size=1073741824;",
                              opt.cache_mib * 1024));
        if (!opt.read_only) {
            db_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            init_schema();
        } else {
            check_schema();
        }
        load_collections();
    }

    using CatalogueStore::upsert;
    UpsertResult upsert(const std::vector<Product>& products, const std::vector<SourceRecord>& sources) override {
        std::lock_guard lock(mu_);
        ensure_writable();
        for (size_t k = 0; k < products.size(); ++k) check_product(products[k], k);
        UpsertResult r;
        Transaction tx(*db_);
        auto cid_snapshot = cids_;
        try {
            if (bulk_ && products.size() > 1) {
                // Key order turns the unique-index inserts into near-sequential B-tree appends.
                std::vector<std::pair<std::string, const Product*>> order;
                order.reserve(products.size());
                for (const auto& p : products) order.emplace_back(p.name_key(), &p);
                std::sort(order.begin(), order.end());
                for (const auto& [key, p] : order) upsert_one(*p, r);
            } else {
                for (const auto& p : products) upsert_one(p, r);
            }
            for (const auto& src : sources) record_source(src);
            update_max_duration();
            tx.commit();
        } catch (...) {
            cids_ = std::move(cid_snapshot);  // collections created in the rolled-back tx
            throw;
        }
        return r;
    }

    std::optional<Product> get(std::string_view key) const override {
        std::lock_guard lock(mu_);
        auto st = db_->prepare(fmt::format("SELECT {} FROM products p JOIN collections c ON c.cid = p.cid "
                                           "WHERE p.id = ?1 OR p.name_key = ?2 LIMIT 1",
                                           kProductColumns));
        st.bind(1, key).bind(2, product_name_key(key));
        if (!st.step()) return std::nullopt;
        return decode_row(st);
    }

    Page search(const Query& q) const override {
        q.validate();
        std::lock_guard lock(mu_);
        ReadSnapshot snapshot(*db_);
        if (bulk_ || refresh_meta())
            throw StorageError(Errc::busy, "catalogue",
                               fmt::format("a bulk load into {} is in progress; search when it has finished",
                                           path_.string()));
        return q.aoi ? spatial_search(q) : table_search(q);
    }

    Count count(const Query& q) const override {
        Query c = q;
        c.count = true;
        c.cursor.clear();
        c.limit = 1;
        auto page = search(c);
        return page.count.value_or(Count{});
    }

    std::size_t erase(const std::vector<std::string>& keys) override {
        std::lock_guard lock(mu_);
        ensure_writable();
        Transaction tx(*db_);
        std::size_t n = 0;
        auto find = db_->prepare("SELECT rid FROM products WHERE id = ?1 OR name_key = ?2");
        auto del = db_->prepare("DELETE FROM products WHERE rid = ?");
        auto del_rt = db_->prepare("DELETE FROM products_rtree WHERE eid BETWEEN ?1 AND ?2");
        for (const auto& k : keys) {
            find.reset();
            find.bind(1, k).bind(2, product_name_key(k));
            if (!find.step()) continue;
            std::int64_t rid = find.i64(0);
            find.reset();
            del.reset();
            del.bind(1, rid);
            del.step();
            del_rt.reset();
            del_rt.bind(1, rid * kParts).bind(2, rid * kParts + kParts - 1);
            del_rt.step();
            ++n;
        }
        tx.commit();
        return n;
    }

    StoreStats stats() const override {
        std::lock_guard lock(mu_);
        StoreStats s;
        auto st = db_->prepare("SELECT count(*), min(start_us), max(start_us) FROM products");
        if (st.step()) {
            s.products = static_cast<std::uint64_t>(st.i64(0));
            if (!st.is_null(1)) s.first_sensing = Timestamp{st.i64(1)};
            if (!st.is_null(2)) s.last_sensing = Timestamp{st.i64(2)};
        }
        auto pc = db_->prepare("SELECT c.name, count(*) FROM products p JOIN collections c ON c.cid = p.cid "
                               "GROUP BY c.name ORDER BY c.name");
        while (pc.step()) s.per_collection.emplace_back(pc.text(0), static_cast<std::uint64_t>(pc.i64(1)));
        std::error_code ec;
        s.bytes_on_disk = fs::file_size(path_, ec);
        auto wal = fs::file_size(fs::path(path_.string() + "-wal"), ec);
        if (!ec) s.bytes_on_disk += wal;
        return s;
    }

    void begin_bulk() override {
        std::lock_guard lock(mu_);
        ensure_writable();
        if (bulk_) return;
        Transaction tx(*db_);
        db_->exec("PRAGMA wal_autocheckpoint=20000;");
        db_->exec("INSERT OR REPLACE INTO meta(key, value) VALUES('bulk_load', '1');"
                  "DROP INDEX IF EXISTS products_cid_start; DROP INDEX IF EXISTS products_start;"
                  "DROP INDEX IF EXISTS products_published; DROP INDEX IF EXISTS products_updated;");
        tx.commit();
        bulk_ = true;
    }

    void end_bulk() override {
        std::lock_guard lock(mu_);
        ensure_writable();
        Transaction tx(*db_);
        finish_bulk();
        tx.commit();
        bulk_ = false;
        db_->exec("PRAGMA wal_autocheckpoint=1000; PRAGMA wal_checkpoint(TRUNCATE);");
    }

    void record_source(const SourceRecord& src) {
        if (!record_src_)
            record_src_ = db_->prepare("INSERT INTO sources(path, mtime_ns, size, name_key) VALUES(?1,?2,?3,?4) "
                                       "ON CONFLICT(path) DO UPDATE SET mtime_ns=excluded.mtime_ns, "
                                       "size=excluded.size, name_key=excluded.name_key");
        record_src_.reset();
        record_src_.bind(1, src.path).bind(2, src.mtime_ns).bind(3, static_cast<std::int64_t>(src.size));
        record_src_.bind(4, src.name_key);
        record_src_.step();
        record_src_.reset();
    }

    std::optional<std::pair<std::int64_t, std::uint64_t>> source_state(const std::string& source) const override {
        std::lock_guard lock(mu_);
        if (!source_state_) source_state_ = db_->prepare("SELECT mtime_ns, size FROM sources WHERE path = ?");
        auto& st = source_state_;
        st.reset();
        st.bind(1, source);
        std::optional<std::pair<std::int64_t, std::uint64_t>> out;
        if (st.step()) out = std::make_pair(st.i64(0), static_cast<std::uint64_t>(st.i64(1)));
        st.reset();
        return out;
    }

private:
    void ensure_writable() const {
        if (opt_.read_only)
            throw AuthError(Errc::permission_denied, "catalogue",
                            fmt::format("catalogue {} is open read-only", path_.string()));
    }

    void init_schema() {
        // An existing catalogue of our version needs no write: opening must not wait for
        // (or block) another process's writer.
        {
            bool current = false;
            try {
                auto probe = db_->prepare("SELECT value FROM meta WHERE key='schema_version'");
                current = probe.step() && probe.text(0) == std::to_string(kSchemaVersion);
            } catch (const Error&) {
                current = false;  // no meta table yet
            }
            if (current) {
                // A bulk load interrupted by a crash is completed before anything else.
                if (bulk_in_progress()) {
                    Transaction tx(*db_);
                    if (bulk_in_progress()) finish_bulk();
                    tx.commit();
                }
                return;
            }
        }
        // Serialise concurrent first opens: schema creation happens in a write transaction.
        Transaction tx(*db_);
        auto v = db_->prepare("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'");
        bool has_meta = v.step();
        v = Statement();
        int from_version = 0;
        if (has_meta) {
            auto sv = db_->prepare("SELECT value FROM meta WHERE key='schema_version'");
            if (sv.step()) {
                int ver = static_cast<int>(detail::parse_int(sv.text(0)).value_or(0));
                if (ver > kSchemaVersion)
                    throw StorageError(Errc::database, "catalogue",
                                       fmt::format("{} has schema version {}, newer than this library ({})",
                                                   path_.string(), ver, kSchemaVersion));
                from_version = ver;
            }
        } else {
            auto other = db_->prepare("SELECT count(*) FROM sqlite_master WHERE type='table'");
            other.step();
            if (other.i64(0) > 0)
                throw StorageError(Errc::database, "catalogue",
                                   fmt::format("{} is an SQLite database but not a libcreodias catalogue",
                                               path_.string()));
        }
        // Version 1 -> 2: only the R*Tree changed (see the layout notes at the top).
        if (from_version == 1) db_->exec("DROP TABLE IF EXISTS products_rtree");
        db_->exec(kSchema);
        db_->exec(fmt::format("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '{}'), "
                              "('application', 'libcreodias'), ('max_duration_us', '0')",
                              kSchemaVersion));
        if (from_version == 1) {
            rebuild_rtree();
            db_->exec(fmt::format("UPDATE meta SET value = '{}' WHERE key = 'schema_version'", kSchemaVersion));
        }
        tx.commit();
    }

    // Completes a bulk load (inside the caller's transaction): the R*Tree packed bottom-up
    // from every product, the secondary indexes created by sorting, the flag cleared.
    void finish_bulk() {
        std::vector<detail::RtreeEntry> entries;
        auto cnt = db_->prepare("SELECT count(*) FROM products");
        cnt.step();
        entries.reserve(static_cast<size_t>(cnt.i64(0)) + 16);
        cnt = Statement();
        auto st = db_->prepare("SELECT rid, start_us, end_us, west, east, south, north, footprint, name FROM products");
        while (st.step()) {
            const std::int64_t rid = st.i64(0);
            const double t0 = to_time_units(st.i64(1)), t1 = to_time_units(st.i64(2));
            auto add = [&](std::int64_t part, const BBox& b) {
                detail::RtreeEntry e;
                e.id = rid * kParts + part;
                double box[6] = {b.west, b.east, b.south, b.north, t0, t1};
                std::copy(box, box + 6, e.box);
                e.aux = rid;
                entries.push_back(e);
            };
            const BBox whole{st.f64(3), st.f64(5), st.f64(4), st.f64(6)};
            if (whole.east - whole.west <= 180) {
                add(0, whole);  // one part, or parts whose union box is still tight enough
                continue;
            }
            // Possibly split at the antimeridian: one entry per part, as insert_rtree does.
            Geometry fp;
            try {
                fp = Geometry::from_wkb(st.blob(7));
            } catch (const InvalidArgument& e) {
                throw StorageError(Errc::database, "catalogue",
                                   fmt::format("corrupt footprint of {}: {}", st.text(8), e.what()));
            }
            const auto boxes = index_boxes(fp);
            for (size_t k = 0; k < boxes.size(); ++k) add(static_cast<std::int64_t>(k), boxes[k]);
        }
        st = Statement();
        insert_rt_ = Statement();
        delete_rt_ = Statement();
        detail::rtree_bulk_load(*db_, "products_rtree", entries);
        db_->exec("CREATE INDEX IF NOT EXISTS products_cid_start ON products(cid, start_us, rid);"
                  "CREATE INDEX IF NOT EXISTS products_start ON products(start_us, rid);"
                  "CREATE INDEX IF NOT EXISTS products_published ON products(published_us, rid);"
                  "CREATE INDEX IF NOT EXISTS products_updated ON products(updated_us, rid);"
                  "DELETE FROM meta WHERE key = 'bulk_load';");
        update_max_duration();
    }

    // Reads the shared meta state once per search, in the search's snapshot: another
    // connection may have stored a longer product or started a bulk load. Returns true when
    // a bulk load is in progress.
    bool refresh_meta() const {
        if (!meta_read_)
            meta_read_ = db_->prepare("SELECT key, value FROM meta WHERE key IN ('bulk_load', 'max_duration_us')");
        bool bulk = false;
        meta_read_.reset();
        while (meta_read_.step()) {
            if (meta_read_.text(0) == "bulk_load") bulk = meta_read_.text(1) == "1";
            else max_duration_us_ = std::max<std::int64_t>(max_duration_us_, detail::parse_int(meta_read_.text(1)).value_or(0));
        }
        meta_read_.reset();
        return bulk;
    }

    bool bulk_in_progress() const {
        auto st = db_->prepare("SELECT 1 FROM meta WHERE key = 'bulk_load' AND value = '1'");
        return st.step();
    }

    // Refills products_rtree from the products table (schema upgrades).
    void rebuild_rtree() {
        auto st = db_->prepare("SELECT rid, start_us, end_us, footprint, name FROM products");
        while (st.step()) {
            Geometry fp;
            try {
                fp = Geometry::from_wkb(st.blob(3));
            } catch (const InvalidArgument& e) {
                throw StorageError(Errc::database, "catalogue",
                                   fmt::format("corrupt footprint of {}: {}", st.text(4), e.what()));
            }
            insert_rtree(st.i64(0), st.i64(1), st.i64(2), fp);
        }
    }

    // One R*Tree entry per footprint part; beyond kParts parts the last entry covers the
    // union of the remaining parts' boxes (still a superset).
    void insert_rtree(std::int64_t rid, std::int64_t start_us, std::int64_t end_us, const Geometry& footprint) {
        if (!insert_rt_)
            insert_rt_ = db_->prepare("INSERT INTO products_rtree VALUES(?1,?2,?3,?4,?5,?6,?7,?8)");
        const auto boxes = index_boxes(footprint);
        const double t0 = to_time_units(start_us), t1 = to_time_units(end_us);
        auto& rt = insert_rt_;
        for (size_t k = 0; k < boxes.size(); ++k) {
            rt.reset();
            rt.bind(1, rid * kParts + static_cast<std::int64_t>(k));
            rt.bind(2, boxes[k].west).bind(3, boxes[k].east).bind(4, boxes[k].south).bind(5, boxes[k].north);
            rt.bind(6, t0).bind(7, t1);
            rt.bind(8, rid);
            rt.step();
            rt.reset();
        }
    }

    void check_schema() {
        auto sv = db_->prepare("SELECT value FROM meta WHERE key='schema_version'");
        bool ok = false;
        try {
            ok = sv.step();
        } catch (const Error&) {
            ok = false;
        }
        if (!ok)
            throw StorageError(Errc::database, "catalogue",
                               fmt::format("{} is not a libcreodias catalogue", path_.string()));
        const int ver = static_cast<int>(detail::parse_int(sv.text(0)).value_or(0));
        if (ver > kSchemaVersion)
            throw StorageError(Errc::database, "catalogue",
                               fmt::format("{} has schema version {}, newer than this library ({})", path_.string(),
                                           ver, kSchemaVersion));
        if (ver < kSchemaVersion)
            throw StorageError(Errc::database, "catalogue",
                               fmt::format("{} has schema version {}: open it once with write access to upgrade it "
                                           "to version {}",
                                           path_.string(), ver, kSchemaVersion));
    }

    void load_collections() {
        auto st = db_->prepare("SELECT cid, name FROM collections");
        while (st.step()) cids_[st.text(1)] = st.i64(0);
        auto md = db_->prepare("SELECT value FROM meta WHERE key='max_duration_us'");
        if (md.step()) max_duration_us_ = detail::parse_int(md.text(0)).value_or(0);
    }

    std::int64_t collection_id(const std::string& name) {
        auto it = cids_.find(name);
        if (it != cids_.end()) return it->second;
        // Another connection may have added it since our cache was filled.
        auto st = db_->prepare("INSERT OR IGNORE INTO collections(name) VALUES(?)");
        st.bind(1, name);
        st.step();
        auto sel = db_->prepare("SELECT cid FROM collections WHERE name = ?");
        sel.bind(1, name);
        if (!sel.step()) throw StorageError(Errc::internal, "catalogue", "collection id vanished: " + name);
        std::int64_t cid = sel.i64(0);
        cids_[name] = cid;
        return cid;
    }

    static void check_product(const Product& p, size_t index) {
        auto bad = [&](const std::string& why) {
            throw InvalidArgument("catalogue", fmt::format("product #{} ({}): {}", index,
                                                           p.name.empty() ? p.id : p.name, why));
        };
        if (p.name.empty() && p.id.empty()) bad("has neither id nor name");
        if (p.collection.empty()) bad("has no collection");
        if (p.footprint.empty()) bad("has no footprint");
        if (p.sensing_end < p.sensing_start) bad("sensing end is before sensing start");
        if (p.cloud_cover && (!std::isfinite(*p.cloud_cover) || *p.cloud_cover < 0 || *p.cloud_cover > 100))
            bad(fmt::format("cloud cover {} outside 0..100", *p.cloud_cover));
        for (const auto& part : p.footprint.parts())
            for (const auto& r : part)
                for (const auto& c : r)
                    if (!(c.lon >= -180 && c.lon <= 180 && c.lat >= -90 && c.lat <= 90))
                        bad(fmt::format("footprint coordinate ({}, {}) outside the WGS84 range "
                                        "(normalize_footprint() first)", c.lon, c.lat));
    }

    void upsert_one(const Product& p, UpsertResult& r) {
        const std::string key = p.name_key();
        const std::string id = p.id.empty() ? key : p.id;
        const std::string name = p.name.empty() ? p.id : p.name;
        const std::int64_t cid = collection_id(canonical_collection(p.collection));
        if (!find_rid_) find_rid_ = db_->prepare("SELECT rid FROM products WHERE name_key = ?");
        find_rid_.reset();
        find_rid_.bind(1, key);
        std::optional<std::int64_t> rid;
        if (find_rid_.step()) rid = find_rid_.i64(0);
        find_rid_.reset();

        if (!insert_) {
            insert_ = db_->prepare(
                "INSERT INTO products(name_key, id, name, cid, start_us, end_us, published_us, updated_us, cloud, "
                "product_type, processing_level, platform, instrument, sensor_mode, orbit, rel_orbit, orbit_dir, tile, "
                "pols, baseline, size, online, west, south, east, north, footprint, path, doc, rid) "
                "VALUES(?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14,?15,?16,?17,?18,?19,?20,?21,?22,?23,?24,?25,"
                "?26,?27,?28,?29,?30) "
                "ON CONFLICT(rid) DO UPDATE SET name_key=excluded.name_key, id=excluded.id, name=excluded.name, "
                "cid=excluded.cid, start_us=excluded.start_us, end_us=excluded.end_us, "
                "published_us=excluded.published_us, updated_us=excluded.updated_us, cloud=excluded.cloud, "
                "product_type=excluded.product_type, processing_level=excluded.processing_level, "
                "platform=excluded.platform, instrument=excluded.instrument, sensor_mode=excluded.sensor_mode, "
                "orbit=excluded.orbit, rel_orbit=excluded.rel_orbit, orbit_dir=excluded.orbit_dir, tile=excluded.tile, "
                "pols=excluded.pols, baseline=excluded.baseline, size=excluded.size, online=excluded.online, "
                "west=excluded.west, south=excluded.south, east=excluded.east, north=excluded.north, "
                "footprint=excluded.footprint, path=excluded.path, doc=excluded.doc");
            delete_rt_ = db_->prepare("DELETE FROM products_rtree WHERE eid BETWEEN ?1 AND ?2");
        }
        const BBox bb = p.footprint.bbox();
        auto& st = insert_;
        st.reset();
        st.bind(1, key).bind(2, id).bind(3, name).bind(4, cid);
        st.bind(5, p.sensing_start.us).bind(6, p.sensing_end.us);
        if (p.published) st.bind(7, p.published->us); else st.bind_null(7);
        if (p.updated) st.bind(8, p.updated->us); else st.bind_null(8);
        st.bind(9, p.cloud_cover);
        st.bind(10, p.product_type).bind(11, p.processing_level).bind(12, p.platform).bind(13, p.instrument);
        st.bind(14, p.sensor_mode).bind(15, p.orbit_number).bind(16, p.relative_orbit);
        st.bind(17, static_cast<std::int64_t>(p.orbit_direction)).bind(18, p.tile_id);
        st.bind(19, detail::encode_polarisations(p.polarisations)).bind(20, p.processing_baseline);
        if (p.size) st.bind(21, static_cast<std::int64_t>(*p.size)); else st.bind_null(21);
        st.bind(22, std::int64_t{p.online ? 1 : 0});
        st.bind(23, bb.west).bind(24, bb.south).bind(25, bb.east).bind(26, bb.north);
        st.bind_blob(27, p.footprint.to_wkb()).bind(28, p.path).bind(29, detail::encode_doc(p));
        if (rid) st.bind(30, *rid); else st.bind_null(30);
        st.step();
        st.reset();
        std::int64_t the_rid = rid ? *rid : db_->last_insert_rowid();
        if (rid) {
            ++r.updated;
        } else {
            ++r.inserted;
        }
        if (bulk_) {  // the spatial index is rebuilt by end_bulk()
            pending_max_duration_ = std::max(pending_max_duration_, p.sensing_end.us - p.sensing_start.us);
            return;
        }
        if (rid) {
            delete_rt_.reset();
            delete_rt_.bind(1, the_rid * kParts).bind(2, the_rid * kParts + kParts - 1);
            delete_rt_.step();
            delete_rt_.reset();
        }
        insert_rtree(the_rid, p.sensing_start.us, p.sensing_end.us, p.footprint);
        pending_max_duration_ = std::max(pending_max_duration_, p.sensing_end.us - p.sensing_start.us);
    }

    void update_max_duration() {
        if (pending_max_duration_ > max_duration_us_) {
            auto st = db_->prepare("UPDATE meta SET value = ? WHERE key = 'max_duration_us'");
            st.bind(1, std::to_string(pending_max_duration_));
            st.step();
            max_duration_us_ = pending_max_duration_;
        }
    }

    // ---- search helpers --------------------------------------------------------------

    std::vector<std::int64_t> query_cids(const Query& q, bool& none) const {
        std::vector<std::int64_t> out;
        none = false;
        if (q.collections.empty()) return out;
        bool reloaded = false;
        for (const auto& c : q.collections) {
            auto name = canonical_collection(c);
            auto it = cids_.find(name);
            if (it == cids_.end() && !reloaded) {
                // Collections may have been added by another connection since we cached.
                const_cast<SqliteStore*>(this)->load_collections();
                reloaded = true;
                it = cids_.find(name);
            }
            if (it != cids_.end()) out.push_back(it->second);
        }
        if (out.empty()) none = true;  // no such collection: nothing can match
        std::sort(out.begin(), out.end());
        return out;
    }

    static std::string placeholders(size_t n) {
        std::string s;
        for (size_t k = 0; k < n; ++k) s += k ? ",?" : "?";
        return s;
    }

    // Filters on the products table (alias p), shared by both plans. Time/cloud/collection
    // filters are added by the callers in the form best for their index.
    static void add_table_filters(const Query& q, Sql& sql) {
        auto in_list = [&](const char* col, const std::vector<std::string>& vals) {
            if (vals.empty()) return;
            sql.add(fmt::format("{} COLLATE NOCASE IN ({})", col, placeholders(vals.size())));
            for (const auto& v : vals) sql.params.emplace_back(v);
        };
        if (!q.ids.empty()) {
            std::string clause = "(p.id IN (" + placeholders(q.ids.size()) + ") OR p.name_key IN (" +
                                 placeholders(q.ids.size()) + "))";
            sql.add(clause);
            for (const auto& v : q.ids) sql.params.emplace_back(v);
            for (const auto& v : q.ids) sql.params.emplace_back(product_name_key(v));
        }
        in_list("p.product_type", q.product_types);
        in_list("p.processing_level", q.processing_levels);
        in_list("p.platform", q.platforms);
        in_list("p.instrument", q.instruments);
        in_list("p.sensor_mode", q.sensor_modes);
        in_list("p.tile", q.tile_ids);
        auto time_single = [&](const char* col, const TimeRange& r) {
            if (r.start) {
                sql.add(fmt::format("{} {} ?", col, r.start_inclusive ? ">=" : ">"));
                sql.params.emplace_back(r.start->us);
            }
            if (r.end) {
                sql.add(fmt::format("{} {} ?", col, r.end_inclusive ? "<=" : "<"));
                sql.params.emplace_back(r.end->us);
            }
        };
        time_single("p.published_us", q.published);
        time_single("p.updated_us", q.updated);
        if (q.orbit_min) sql.add("p.orbit >= ?"), sql.params.emplace_back(*q.orbit_min);
        if (q.orbit_max) sql.add("p.orbit <= ?"), sql.params.emplace_back(*q.orbit_max);
        if (!q.relative_orbits.empty()) {
            sql.add("p.rel_orbit IN (" + placeholders(q.relative_orbits.size()) + ")");
            for (auto r : q.relative_orbits) sql.params.emplace_back(r);
        }
        if (q.orbit_direction) {
            sql.add("p.orbit_dir = ?");
            sql.params.emplace_back(static_cast<std::int64_t>(*q.orbit_direction));
        }
        for (const auto& pol : q.polarisations) {
            sql.add("p.pols LIKE ? ESCAPE '\\'");
            sql.params.emplace_back("% " + glob_to_like(detail::to_upper(pol)) + " %");
        }
        if (q.online) sql.add("p.online = ?"), sql.params.emplace_back(std::int64_t{*q.online ? 1 : 0});
        if (!q.name_pattern.empty()) {
            sql.add("p.name LIKE ? ESCAPE '\\'");
            sql.params.emplace_back(glob_to_like(q.name_pattern));
        }
    }

    static bool needs_table(const Query& q) {
        return !q.ids.empty() || !q.product_types.empty() || !q.processing_levels.empty() || !q.platforms.empty() ||
               !q.instruments.empty() || !q.sensor_modes.empty() || !q.tile_ids.empty() || !q.published.empty() ||
               !q.updated.empty() || q.orbit_min || q.orbit_max || !q.relative_orbits.empty() ||
               q.orbit_direction || !q.polarisations.empty() || q.online || !q.name_pattern.empty();
    }

    // Cursor: "1|<fingerprint>|<n or key>|<rid>".
    std::string make_cursor(const Query& q, const Candidate& c) const {
        std::string key = c.null_key ? "n" : fmt::format("{}", c.key);
        return b64url_encode(fmt::format("1|{}|{}|{}", q.fingerprint(), key, c.rid));
    }

    std::optional<Candidate> parse_cursor(const Query& q) const {
        if (q.cursor.empty()) return std::nullopt;
        auto bad = [&]() -> InvalidArgument {
            return InvalidArgument("query", "invalid cursor (it must come from the same query's previous page)");
        };
        auto raw = b64url_decode(q.cursor);
        if (!raw) throw bad();
        auto parts = detail::split(*raw, '|');
        if (parts.size() != 4 || parts[0] != "1") throw bad();
        if (parts[1] != q.fingerprint()) throw bad();
        Candidate c{};
        auto rid = detail::parse_int(parts[3]);
        if (!rid) throw bad();
        c.rid = *rid;
        if (parts[2] == "n") {
            c.null_key = true;
        } else {
            auto k = detail::parse_double(parts[2]);
            if (!k) throw bad();
            c.key = *k;
        }
        return c;
    }

    // Total order used for pages: key (nulls last in both directions), then rid.
    static bool before(const Candidate& a, const Candidate& b, bool desc) {
        if (a.null_key != b.null_key) return !a.null_key;  // non-null first
        if (!a.null_key && a.key != b.key) return desc ? a.key > b.key : a.key < b.key;
        return desc ? a.rid > b.rid : a.rid < b.rid;
    }

    std::vector<Product> fetch(const std::vector<std::int64_t>& rids) const {
        std::vector<Product> out;
        out.reserve(rids.size());
        if (!fetch_one_)
            fetch_one_ = db_->prepare(fmt::format(
                "SELECT {} FROM products p JOIN collections c ON c.cid = p.cid WHERE p.rid = ?", kProductColumns));
        for (auto rid : rids) {
            fetch_one_.reset();
            fetch_one_.bind(1, rid);
            if (fetch_one_.step()) out.push_back(decode_row(fetch_one_));
            fetch_one_.reset();
        }
        return out;
    }

    // ---- the spatial plan --------------------------------------------------------------
    Page spatial_search(const Query& q) const {
        Page page;
        bool none = false;
        auto cids = query_cids(q, none);
        if (none) {
            if (q.count) page.count = Count{0, true};
            return page;
        }
        const Geometry& aoi = *q.aoi;  // validated by Query::validate() in search()
        detail::PreparedAoi prepared(aoi);
        auto rel = static_cast<detail::SpatialRelation>(static_cast<int>(q.relation));
        const bool desc = q.order == SortOrder::descending;
        const char* key_col = q.sort == SortField::sensing_time ? "p.start_us"
                              : q.sort == SortField::publication_time ? "p.published_us" : "p.cloud";

        // The R*Tree gives entry ids and boxes only; the filters, the sort key and the
        // footprint come from the product row (rid = eid / kParts) in the same statement:
        // one row lookup per R*Tree hit, and none more for the exact refinement. (Reading
        // the R*Tree's auxiliary columns cost a lookup of its own per hit, more than the
        // product row, and refining cost a third.) CROSS JOIN keeps the R*Tree as the
        // outer loop whatever the other filters.
        // The time box on the R*Tree is widened by 1e-4 units (~1.5 min) against rounding;
        // exact times are compared on the row.
        Sql filt;
        if (!cids.empty()) {
            filt.add("p.cid IN (" + placeholders(cids.size()) + ")");
            for (auto c : cids) filt.params.emplace_back(c);
        }
        if (q.sensing.start) {
            filt.add("r.maxt >= ?");
            filt.params.emplace_back(to_time_units(q.sensing.start->us) - 1e-4);
            filt.add(fmt::format("p.end_us {} ?", q.sensing.start_inclusive ? ">=" : ">"));
            filt.params.emplace_back(q.sensing.start->us);
        }
        if (q.sensing.end) {
            filt.add("r.mint <= ?");
            filt.params.emplace_back(to_time_units(q.sensing.end->us) + 1e-4);
            filt.add(fmt::format("p.start_us {} ?", q.sensing.end_inclusive ? "<=" : "<"));
            filt.params.emplace_back(q.sensing.end->us);
        }
        if (q.cloud_min) filt.add("p.cloud >= ?"), filt.params.emplace_back(*q.cloud_min);
        if (q.cloud_max) filt.add("p.cloud <= ?"), filt.params.emplace_back(*q.cloud_max);
        if (needs_table(q)) add_table_filters(q, filt);

        auto cursor = parse_cursor(q);

        // Gather candidates: every rtree entry whose box meets one AOI part box. Footprints
        // are kept in one arena (a product hit by several parts is kept once).
        struct Entry {
            Candidate c;
            bool inside;  // the entry box lies inside a rectangular AOI part
            std::size_t wkb_offset, wkb_size;
        };
        std::string wkb_arena;
        std::unordered_map<std::int64_t, Entry> found;
        const std::string sql = fmt::format(
            "SELECT p.rid, {}, r.minx, r.maxx, r.miny, r.maxy, p.footprint FROM products_rtree r "
            "CROSS JOIN products p ON p.rid = r.eid / {} "
            "WHERE r.minx <= ? AND r.maxx >= ? AND r.miny <= ? AND r.maxy >= ?{}",
            key_col, kParts, filt.where.empty() ? "" : " AND " + filt.where.substr(7));  // strip " WHERE "
        auto st = db_->prepare(sql);
        for (const auto& part_box : aoi.part_bboxes()) {
            st.reset();
            st.bind(1, part_box.east).bind(2, part_box.west).bind(3, part_box.north).bind(4, part_box.south);
            filt.bind(st, 5);
            while (st.step()) {
                Candidate c{st.i64(0), st.is_null(1), st.is_null(1) ? 0.0 : st.f64(1)};
                // Rows at or before the cursor matter only for the count.
                if (cursor && !q.count && !before(*cursor, c, desc)) continue;
                const double minx = st.f64(2), maxx = st.f64(3), miny = st.f64(4), maxy = st.f64(5);
                bool inside = prepared.is_rectangle() && minx >= part_box.west && maxx <= part_box.east &&
                              miny >= part_box.south && maxy <= part_box.north;
                auto [it, fresh] = found.try_emplace(c.rid, Entry{c, inside, 0, 0});
                if (fresh) {
                    auto wkb = st.blob(6);
                    it->second.wkb_offset = wkb_arena.size();
                    it->second.wkb_size = wkb.size();
                    wkb_arena.append(wkb.data(), wkb.size());
                } else {
                    it->second.inside = it->second.inside || inside;
                }
            }
        }
        std::vector<Entry> cands;
        cands.reserve(found.size());
        for (auto& [rid, e] : found) cands.push_back(e);
        std::sort(cands.begin(), cands.end(),
                  [&](const Entry& a, const Entry& b) { return before(a.c, b.c, desc); });

        // Exact refinement. Rectangle AOI + intersects + an entry box inside the rectangle
        // needs no geometry; a point AOI + intersects is a point-in-polygon test on the WKB
        // (GEOS decides the rare cases that test cannot certify). Without a count, stop as
        // soon as the page is full.
        const bool point_in_polygon = rel == detail::SpatialRelation::intersects &&
                                      aoi.type() == GeometryType::point && aoi.parts().size() == 1;
        const LonLat point = point_in_polygon ? aoi.parts()[0][0][0] : LonLat{};
        auto exact = [&](const Entry& e) {
            if (rel == detail::SpatialRelation::intersects && e.inside) return true;
            const std::string_view wkb(wkb_arena.data() + e.wkb_offset, e.wkb_size);
            if (point_in_polygon) {
                const Location loc = locate_point_wkb(point, wkb);
                if (loc != Location::unknown) return loc != Location::outside;
            }
            return prepared.test_wkb(rel, wkb);
        };
        std::vector<std::int64_t> page_rids;
        std::uint64_t total = 0;
        std::optional<Candidate> last;
        bool more = false;
        for (const auto& e : cands) {
            if (!q.count && more) break;
            if (!exact(e)) continue;
            ++total;
            if (cursor && !before(*cursor, e.c, desc)) continue;
            if (page_rids.size() < q.limit) {
                page_rids.push_back(e.c.rid);
                last = e.c;
            } else {
                more = true;
            }
        }
        page.products = fetch(page_rids);
        if (more && last) page.next_cursor = make_cursor(q, *last);
        if (q.count) page.count = Count{total, true};
        return page;
    }

    // ---- the table plan ----------------------------------------------------------------
    Page table_search(const Query& q) const {
        Page page;
        bool none = false;
        auto cids = query_cids(q, none);
        if (none) {
            if (q.count) page.count = Count{0, true};
            return page;
        }
        const bool desc = q.order == SortOrder::descending;
        Sql sql;
        if (!cids.empty()) {
            sql.add("p.cid IN (" + placeholders(cids.size()) + ")");
            for (auto c : cids) sql.params.emplace_back(c);
        }
        if (q.sensing.start) {
            sql.add(fmt::format("p.end_us {} ?", q.sensing.start_inclusive ? ">=" : ">"));
            sql.params.emplace_back(q.sensing.start->us);
            // Redundant bound on the indexed column: no product lasts longer than the
            // longest one stored (re-read by search() for this snapshot), so
            // start_us >= start - max_duration.
            sql.add("p.start_us >= ?");
            sql.params.emplace_back(q.sensing.start->us - max_duration_us_);
        }
        if (q.sensing.end) {
            sql.add(fmt::format("p.start_us {} ?", q.sensing.end_inclusive ? "<=" : "<"));
            sql.params.emplace_back(q.sensing.end->us);
        }
        if (q.cloud_min) sql.add("p.cloud >= ?"), sql.params.emplace_back(*q.cloud_min);
        if (q.cloud_max) sql.add("p.cloud <= ?"), sql.params.emplace_back(*q.cloud_max);
        add_table_filters(q, sql);

        std::optional<Count> count;
        if (q.count) count = table_count(sql);

        // Sort key: sensing start is NOT NULL; the others put NULLs last via a flag column.
        std::string key_expr, order_by;
        const char* dir = desc ? "DESC" : "ASC";
        if (q.sort == SortField::sensing_time) {
            key_expr = "p.start_us";
            order_by = fmt::format("p.start_us {0}, p.rid {0}", dir);
        } else {
            key_expr = q.sort == SortField::publication_time ? "p.published_us" : "p.cloud";
            order_by = fmt::format("({} IS NULL) ASC, {} {}, p.rid {}", key_expr, key_expr, dir, dir);
        }
        auto cursor = parse_cursor(q);
        Sql page_sql = sql;
        if (cursor) {
            const char* cmp = desc ? "<" : ">";
            if (q.sort == SortField::sensing_time) {
                page_sql.add(fmt::format("(p.start_us, p.rid) {} (?, ?)", cmp));
                page_sql.params.emplace_back(static_cast<std::int64_t>(cursor->key));
                page_sql.params.emplace_back(cursor->rid);
            } else if (cursor->null_key) {
                page_sql.add(fmt::format("{} IS NULL AND p.rid {} ?", key_expr, cmp));
                page_sql.params.emplace_back(cursor->rid);
            } else {
                page_sql.add(fmt::format("({0} IS NULL OR ({0}, p.rid) {1} (?, ?))", key_expr, cmp));
                if (q.sort == SortField::publication_time)
                    page_sql.params.emplace_back(static_cast<std::int64_t>(cursor->key));
                else
                    page_sql.params.emplace_back(cursor->key);
                page_sql.params.emplace_back(cursor->rid);
            }
        }
        auto st = db_->prepare(fmt::format("SELECT {}, {} FROM products p JOIN collections c ON c.cid = p.cid{} "
                                           "ORDER BY {} LIMIT ?",
                                           kProductColumns, key_expr, page_sql.where, order_by));
        page_sql.bind(st);
        st.bind(static_cast<int>(page_sql.params.size()) + 1, static_cast<std::int64_t>(q.limit) + 1);
        const int key_col = 25;
        std::optional<Candidate> last;
        while (st.step()) {
            if (page.products.size() == q.limit) {
                if (last) page.next_cursor = make_cursor(q, *last);
                break;
            }
            page.products.push_back(decode_row(st));
            last = Candidate{st.i64(0), st.is_null(key_col), st.is_null(key_col) ? 0.0 : st.f64(key_col)};
        }
        page.count = count;
        return page;
    }

    // Exact count, or an estimate when more than kExactCountCap rows match: the estimate
    // extrapolates from the sensing-time span covered by the first kExactCountCap rows.
    Count table_count(const Sql& sql) const {
        constexpr std::int64_t kExactCountCap = 200000;
        auto st = db_->prepare(fmt::format("SELECT count(*) FROM (SELECT 1 FROM products p{} LIMIT {})", sql.where,
                                           kExactCountCap + 1));
        sql.bind(st);
        st.step();
        std::int64_t n = st.i64(0);
        if (n <= kExactCountCap) return Count{static_cast<std::uint64_t>(n), true};
        // Estimate: rows per microsecond of sensing time over the first cap rows, times the
        // span of all matching rows.
        auto span = db_->prepare(fmt::format(
            "SELECT min(s), max(s) FROM (SELECT p.start_us AS s FROM products p{} ORDER BY p.start_us LIMIT {})",
            sql.where, kExactCountCap));
        sql.bind(span);
        span.step();
        const double t0 = static_cast<double>(span.i64(0)), t1 = static_cast<double>(span.i64(1));
        auto full = db_->prepare(fmt::format("SELECT max(p.start_us) FROM products p{}", sql.where));
        sql.bind(full);
        full.step();
        const double tmax = static_cast<double>(full.i64(0));
        double est = static_cast<double>(kExactCountCap);
        if (t1 > t0) est = est * (tmax - t0) / (t1 - t0);
        return Count{static_cast<std::uint64_t>(std::max(est, static_cast<double>(kExactCountCap + 1))), false};
    }

    fs::path path_;
    SqliteStoreOptions opt_;
    std::unique_ptr<Database> db_;
    mutable std::recursive_mutex mu_;
    std::map<std::string, std::int64_t> cids_;
    mutable std::int64_t max_duration_us_ = 0;  // refreshed per search (refresh_meta)
    std::int64_t pending_max_duration_ = 0;
    Statement find_rid_, insert_, insert_rt_, delete_rt_, record_src_;
    bool bulk_ = false;
    mutable Statement fetch_one_, meta_read_, source_state_;
};

}  // namespace

std::unique_ptr<CatalogueStore> open_sqlite_store(const fs::path& path, const SqliteStoreOptions& options) {
    return std::make_unique<SqliteStore>(path, options);
}

}  // namespace creodias
