// The embedded catalogue store on SQLite.
//
// Layout (schema version 3):
//  - products: one row per product, keyed by name_key (idempotent upserts keep the rowid
//    `rid`, which is the stable tie-breaker of every sort); filterable fields are columns,
//    files/checksums/extra properties sit in a JSON `doc` column; the footprint is WKB.
//  - grid: the spatio-temporal index (catalogue/grid_index.hpp): per footprint part one
//    entry, in the cell of a multi-level grid that fits its box and in the time bucket of
//    its sensing start, packed with the fields spatial searches filter and sort on and the
//    footprint itself, so a spatial search reads a few hundred rows sequentially and touches
//    product rows only for the page it returns (and for filters the entries do not carry).
//    Versions 1 and 2 had a 3-D or 4-D R*Tree instead; a spatial search then paid one
//    product-row lookup per R*Tree hit, about 20 ms for the 7,400 hits of a point over a
//    million products against about 4 ms now. They are upgraded on their first writable
//    open (the grid is built from the products table).
//  - collections, sources (what was indexed from which file, for skip-unchanged), meta.
// Spatial searches read the grid and refine exactly (GEOS, or a certified point-in-polygon
// test on the WKB for point AOIs); other searches walk B-tree indexes in sort order with
// keyset conditions, so deep pages cost the same as the first.

#include <creodias/catalogue_store.hpp>
#include <creodias/error.hpp>

#include "catalogue/grid_index.hpp"
#include "catalogue/product_codec.hpp"
#include "catalogue/sqlite.hpp"
#include "core/strings.hpp"
#include "geo/geos.hpp"

#include <cpl_conv.h>
#include <fmt/format.h>
#include <ogr_srs_api.h>

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

namespace grid = detail::grid;

constexpr int kSchemaVersion = 3;
constexpr std::size_t kParts = 16;  // most index entries per product

// The boxes a footprint is indexed under, from its bounding box `whole` and its WKB: the
// bounding box itself unless it is wider than 180 degrees (a footprint split at the
// antimeridian), then one box per part, where beyond kParts parts the last box covers the
// remaining ones. Insertion and removal derive the same boxes from the same inputs.
std::vector<BBox> index_boxes(const BBox& whole, std::string_view wkb, std::string_view name) {
    if (whole.east - whole.west <= 180) return {whole};
    Geometry fp;
    try {
        fp = Geometry::from_wkb(wkb);
    } catch (const InvalidArgument& e) {
        throw StorageError(Errc::database, "catalogue", fmt::format("corrupt footprint of {}: {}", name, e.what()));
    }
    auto boxes = fp.part_bboxes();
    if (boxes.size() > kParts) {
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

const char* kSchema = R"SQL(
CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS collections(cid INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE IF NOT EXISTS products(
  rid INTEGER PRIMARY KEY,
  name_key TEXT NOT NULL UNIQUE,
  id TEXT UNIQUE,
  name TEXT NOT NULL,
  cid INTEGER NOT NULL REFERENCES collections(cid),
  start_us BIGINT NOT NULL,
  end_us BIGINT NOT NULL,
  published_us BIGINT,
  updated_us BIGINT,
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
  size BIGINT,
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
CREATE TABLE IF NOT EXISTS grid(id INTEGER PRIMARY KEY, hdr BLOB NOT NULL, geo BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS sources(
  path TEXT PRIMARY KEY, mtime_ns INTEGER NOT NULL, size INTEGER NOT NULL, name_key TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS geometry_columns(f_table_name VARCHAR, f_geometry_column VARCHAR,
  geometry_type INTEGER, coord_dimension INTEGER, srid INTEGER, geometry_format VARCHAR);
CREATE TABLE IF NOT EXISTS spatial_ref_sys(srid INTEGER UNIQUE, auth_name TEXT, auth_srid TEXT, srtext TEXT);
)SQL";

// Registers products.footprint (WKB, WGS84) the way GDAL's SQLite driver reads geometry
// tables without SpatiaLite, so ogrinfo, ogr2ogr and QGIS open the catalogue as a layer.
void register_geometry_layer(Database& db) {
    db.exec("INSERT INTO geometry_columns SELECT 'products', 'footprint', 0, 2, 4326, 'WKB' "
            "WHERE NOT EXISTS (SELECT 1 FROM geometry_columns WHERE f_table_name = 'products')");
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    char* wkt = nullptr;
    if (OSRSetWellKnownGeogCS(srs, "WGS84") == OGRERR_NONE && OSRExportToWkt(srs, &wkt) == OGRERR_NONE && wkt) {
        auto st = db.prepare("INSERT OR IGNORE INTO spatial_ref_sys(srid, auth_name, auth_srid, srtext) "
                             "VALUES(4326, 'EPSG', '4326', ?)");
        st.bind(1, std::string_view(wkt));
        st.step();
    }
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
}

const char* kProductColumns =
    "p.rid, ifnull(p.id, p.name_key), p.name, c.name, p.start_us, p.end_us, p.published_us, p.updated_us, p.cloud, "
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

// Resets cached statements when a search leaves, also through an exception: a statement
// left on a row would keep its read snapshot (and block later DDL on the connection).
class ResetOnExit {
public:
    ResetOnExit(std::initializer_list<Statement*> statements) : statements_(statements) {}
    ~ResetOnExit() {
        for (auto* st : statements_) st->reset();
    }
    ResetOnExit(const ResetOnExit&) = delete;
    ResetOnExit& operator=(const ResetOnExit&) = delete;

private:
    std::vector<Statement*> statements_;
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
            if (!exists) db_->exec("PRAGMA page_size=16384");
            db_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
            init_schema();
        } else {
            check_schema();
        }
        load_collections();
        // Catalogues created before schema version 3 have a NOT NULL id column.
        auto cols = db_->prepare("SELECT \"notnull\" FROM pragma_table_info('products') WHERE name = 'id'");
        null_ids_ = cols.step() && cols.i64(0) == 0;
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
            if (bulk_) {
                upsert_bulk(products, r);
            } else {
                for (const auto& p : products) upsert_one(p, p.name_key(), r);
            }
            for (const auto& src : sources) record_source(src);
            update_max_duration();
            tx.commit();
        } catch (...) {
            cids_ = std::move(cid_snapshot);  // collections created in the rolled-back tx
            last_collection_ = {"", -1};
            if (bulk_) drop_bulk_entries();   // they may include rolled-back rows
            throw;
        }
        return r;
    }

    std::optional<Product> get(std::string_view key) const override {
        std::lock_guard lock(mu_);
        auto st = db_->prepare(fmt::format("SELECT {} FROM products p JOIN collections c ON c.cid = p.cid "
                                           "WHERE p.id = ?1 OR p.name_key = ?2 ORDER BY (p.id = ?1) DESC LIMIT 1",
                                           kProductColumns));
        st.bind(1, key).bind(2, product_name_key(key));
        if (!st.step()) return std::nullopt;
        return decode_row(st);
    }

    Page search(const Query& q) const override {
        q.validate();
        std::lock_guard lock(mu_);
        ReadSnapshot snapshot(*db_);
        ResetOnExit reset{&grid_scan_, &grid_geo_, &fetch_one_, &meta_read_};
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
        if (bulk_) drop_bulk_entries();  // end_bulk() then rebuilds the grid from the table
        Transaction tx(*db_);
        std::size_t n = 0;
        auto find = db_->prepare(
            "SELECT rid, start_us, west, south, east, north, footprint, name FROM products "
            "WHERE id = ?1 OR name_key = ?2 ORDER BY (id = ?1) DESC LIMIT 1");
        auto del = db_->prepare("DELETE FROM products WHERE rid = ?");
        for (const auto& k : keys) {
            find.reset();
            find.bind(1, k).bind(2, product_name_key(k));
            if (!find.step()) continue;
            const std::int64_t rid = find.i64(0);
            grid_remove(rid, find.i64(1), BBox{find.f64(2), find.f64(3), find.f64(4), find.f64(5)}, find.blob(6),
                        find.text(7));
            find.reset();
            del.reset();
            del.bind(1, rid);
            del.step();
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
        bool empty = false;
        {
            auto st = db_->prepare("SELECT NOT EXISTS(SELECT 1 FROM products)");
            empty = st.step() && st.i64(0) == 1;
        }
        // Outside WAL mode, pages appended to the file are written once (a rollback journal
        // keeps only the old content of pages that existed), where WAL writes every page
        // twice (log, then checkpoint); a bulk load mostly appends. The switch needs the
        // only connection to the file: with others open, the load stays in WAL mode.
        rollback_journal_ = set_journal_mode("truncate");
        try {
            // Loading into an empty catalogue, no fsync per transaction until end_bulk(),
            // whose commit syncs the whole file (as GDAL writes SQLite files by default): a
            // killed process loses nothing committed; a power failure during the load may
            // leave a file to load again. With products already there, every commit syncs.
            if (rollback_journal_ && empty) db_->exec("PRAGMA synchronous=OFF;");
            if (!rollback_journal_) db_->exec("PRAGMA wal_autocheckpoint=20000;");
            Transaction tx(*db_);
            db_->exec("INSERT OR REPLACE INTO meta(key, value) VALUES('bulk_load', '1');"
                      "DROP INDEX IF EXISTS products_cid_start; DROP INDEX IF EXISTS products_start;"
                      "DROP INDEX IF EXISTS products_published; DROP INDEX IF EXISTS products_updated;");
            tx.commit();
        } catch (...) {
            leave_bulk_settings();
            throw;
        }
        bulk_entries_.clear();
        bulk_entries_ok_ = empty;
        bulk_rows_ = 0;
        bulk_ = true;
    }

    // Back to the normal connection settings: WAL (readers alongside the writer), a sync at
    // every commit, the default checkpoint interval. Should another connection hold the
    // file, it stays consistent in rollback mode until the next writable open switches it.
    void leave_bulk_settings() {
        if (rollback_journal_) {
            rollback_journal_ = false;
            set_journal_mode("wal");
        }
        sqlite3_exec(db_->handle(), "PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=1000;", nullptr, nullptr,
                     nullptr);
    }

    void end_bulk() override {
        std::lock_guard lock(mu_);
        ensure_writable();
        db_->exec("PRAGMA synchronous=NORMAL;");  // this commit makes the whole load durable
        Transaction tx(*db_);
        finish_bulk();
        tx.commit();
        bulk_ = false;
        const bool was_wal = !rollback_journal_;
        leave_bulk_settings();
        if (was_wal) db_->exec("PRAGMA wal_checkpoint(TRUNCATE);");
    }

    bool set_journal_mode(const char* mode) {
        try {
            auto st = db_->prepare(fmt::format("PRAGMA journal_mode={}", mode));
            return st.step() && detail::iequals(st.text(0), mode);
        } catch (const StorageError&) {
            return false;  // busy: another connection
        }
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
        // Versions 1 and 2 -> 3: only the spatial index changed (see the notes at the top).
        const bool upgrade = from_version == 1 || from_version == 2;
        if (upgrade) db_->exec("DROP TABLE IF EXISTS products_rtree");
        db_->exec(kSchema);
        db_->exec(fmt::format("INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '{}'), "
                              "('application', 'libcreodias'), ('max_duration_us', '0')",
                              kSchemaVersion));
        register_geometry_layer(*db_);
        if (upgrade) {
            if (bulk_in_progress()) finish_bulk();  // an interrupted bulk load: grid, indexes, flag
            else build_grid();
            db_->exec(fmt::format("UPDATE meta SET value = '{}' WHERE key = 'schema_version'", kSchemaVersion));
        }
        tx.commit();
    }

    // Completes a bulk load (inside the caller's transaction): the grid written from the
    // entries kept in memory or built from every product, the secondary indexes created by
    // sorting, the flag cleared.
    void finish_bulk() {
        if (bulk_entries_ok_) {
            // Only this connection's inserts may be in the table (an erase, or a writer on
            // another connection in WAL mode, would make the entries incomplete or stale).
            auto st = db_->prepare("SELECT count(*), ifnull(max(rid), 0) FROM products");
            st.step();
            if (st.i64(0) != bulk_rows_ || st.i64(1) != bulk_rows_) drop_bulk_entries();
        }
        if (bulk_entries_ok_) {
            db_->exec("DELETE FROM grid");
            GridWriter(*db_).write(bulk_entries_);
            bulk_entries_ok_ = false;
        } else {
            build_grid();
        }
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

    // ---- the grid index -------------------------------------------------------------

    // Refills the grid from the products table (bulk loads, schema upgrades). Entries are
    // gathered up to a memory budget, sorted by slot and written as full rows; a slot that
    // spans several batches gets one partly filled row per batch.
    void build_grid() {
        constexpr std::size_t kBudget = std::size_t{128} << 20;
        db_->exec("DELETE FROM grid");
        GridWriter writer(*db_);
        grid::EntryBatch batch;
        auto st = db_->prepare(
            "SELECT rid, start_us, end_us, published_us, cid, cloud, west, south, east, north, footprint, name "
            "FROM products");
        while (st.step()) {
            const grid::Entry e = grid_entry(st.i64(0), st.i64(1), st.i64(2), st.opt_i64(3), st.i64(4),
                                             st.opt_f64(5), st.blob(10));
            const BBox whole{st.f64(6), st.f64(7), st.f64(8), st.f64(9)};
            for (const auto& box : index_boxes(whole, e.wkb, st.text(11))) batch.add(e, box);
            if (batch.bytes() >= kBudget) writer.write(batch);
        }
        writer.write(batch);
    }

    // Writes drained batches as grid rows, numbering each slot's rows on from the last.
    class GridWriter {
    public:
        explicit GridWriter(Database& db) : insert_(db.prepare("INSERT INTO grid(id, hdr, geo) VALUES(?1, ?2, ?3)")) {}
        void write(grid::EntryBatch& batch) {
            batch.drain([&](const grid::Slot& slot, const grid::BucketBuilder& row) {
                insert_.reset();
                insert_.bind(1, grid_row_id(slot, next_seq_[slot.cell][slot.time_bucket]++));
                insert_.bind_blob_ref(2, row.header()).bind_blob_ref(3, row.geo());
                insert_.step();
                insert_.reset();
            });
        }

    private:
        Statement insert_;
        std::unordered_map<std::int64_t, std::unordered_map<std::int64_t, std::int64_t>> next_seq_;  // cell, bucket
    };

    static grid::Entry grid_entry(std::int64_t rid, std::int64_t start_us, std::int64_t end_us,
                                  std::optional<std::int64_t> published_us, std::int64_t cid,
                                  std::optional<double> cloud, std::string_view wkb) {
        grid::Entry e;
        e.rid = rid;
        e.start_us = start_us;
        e.end_us = end_us;
        e.published_us = published_us.value_or(grid::kNoTime);
        e.cloud = cloud.value_or(std::numeric_limits<double>::quiet_NaN());
        e.cid = static_cast<std::uint32_t>(cid);
        e.wkb = wkb;
        return e;
    }

    // Statements of the incremental grid updates, prepared on first use.
    struct GridStatements {
        Statement last, rows, write, drop;  // last row of a slot, all rows of a slot, upsert, delete
    };
    GridStatements& grid_statements() {
        if (!grid_st_.last) {
            grid_st_.last = db_->prepare("SELECT id, hdr, geo FROM grid WHERE id BETWEEN ?1 AND ?2 ORDER BY id DESC LIMIT 1");
            grid_st_.rows = db_->prepare("SELECT id, hdr, geo FROM grid WHERE id BETWEEN ?1 AND ?2");
            grid_st_.write = db_->prepare("INSERT OR REPLACE INTO grid(id, hdr, geo) VALUES(?1, ?2, ?3)");
            grid_st_.drop = db_->prepare("DELETE FROM grid WHERE id = ?1");
        }
        return grid_st_;
    }

    // Binds the row ids of one slot, first and last, as ?1 and ?2.
    static void bind_slot(Statement& st, const grid::Slot& slot) {
        st.bind(1, grid::row_id(slot.cell, slot.time_bucket, 0));
        st.bind(2, grid::row_id(slot.cell, slot.time_bucket, grid::kMaxSequence));
    }

    static std::int64_t grid_row_id(const grid::Slot& slot, std::int64_t seq) {
        if (seq > grid::kMaxSequence)
            throw StorageError(Errc::database, "catalogue",
                               "spatial index overflow: more than 2^24 rows in one cell and year");
        return grid::row_id(slot.cell, slot.time_bucket, seq);
    }

    void grid_write(const grid::Slot& slot, std::int64_t seq, const grid::BucketBuilder& row) {
        auto& st = grid_statements().write;
        st.reset();
        st.bind(1, grid_row_id(slot, seq)).bind_blob(2, row.header()).bind_blob(3, row.geo());
        st.step();
        st.reset();
    }

    // Adds a product's entries: each goes into the last row of its slot while it has room.
    void grid_insert(const grid::Entry& entry, const BBox& whole, std::string_view name) {
        auto& last = grid_statements().last;
        grid::Entry e = entry;
        for (const auto& box : index_boxes(whole, e.wkb, name)) {
            grid::set_box(e, box);
            const auto slot = grid::slot_of(box, e.start_us);
            grid_row_.clear();
            std::int64_t seq = 0;
            last.reset();
            bind_slot(last, slot);
            if (last.step()) {
                grid::BucketView view(last.blob(1), last.blob(2));
                view.check();
                seq = last.i64(0) & grid::kMaxSequence;
                if (view.size() < grid::kBucketCapacity) grid_row_.add_all(view);
                else ++seq;
            }
            last.reset();
            grid_row_.add(e);
            grid_write(slot, seq, grid_row_);
        }
    }

    // Removes a product's entries, found from the fields they were inserted with.
    void grid_remove(std::int64_t rid, std::int64_t start_us, const BBox& whole, std::string_view wkb,
                     std::string_view name) {
        std::vector<grid::Slot> slots;
        for (const auto& box : index_boxes(whole, wkb, name)) {
            const auto slot = grid::slot_of(box, start_us);
            if (std::find(slots.begin(), slots.end(), slot) == slots.end()) slots.push_back(slot);
        }
        auto& st = grid_statements();
        for (const auto& slot : slots) {
            // Rewrite the rows holding rid (collected first: no writes under an open read).
            std::vector<std::pair<std::int64_t, grid::BucketBuilder>> changed;
            st.rows.reset();
            bind_slot(st.rows, slot);
            while (st.rows.step()) {
                grid::BucketView view(st.rows.blob(1), st.rows.blob(2));
                view.check();
                bool holds = false;
                for (std::size_t k = 0; k < view.size() && !holds; ++k) holds = view.header(k).rid == rid;
                if (!holds) continue;
                grid::BucketBuilder rest;
                rest.add_all(view, rid);
                changed.emplace_back(st.rows.i64(0) & grid::kMaxSequence, std::move(rest));
            }
            st.rows.reset();
            for (const auto& [seq, rest] : changed) {
                if (rest.empty()) {
                    st.drop.reset();
                    st.drop.bind(1, grid_row_id(slot, seq));
                    st.drop.step();
                    st.drop.reset();
                } else {
                    grid_write(slot, seq, rest);
                }
            }
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

    // A product's column values as bound to the insert statements (?1..?29 from `base`).
    struct Encoded {
        std::string key, wkb, pols, doc;
        BBox bb;
        std::int64_t cid = 0;
    };

    void encode(const Product& p, std::string key, Encoded& e) {
        e.key = std::move(key);
        // Batches are mostly of one collection: the last name's id is reused.
        if (p.collection != last_collection_.first)
            last_collection_ = {p.collection, collection_id(canonical_collection(p.collection))};
        e.cid = last_collection_.second;
        e.wkb = p.footprint.to_wkb();
        e.pols = detail::encode_polarisations(p.polarisations);
        e.doc = detail::encode_doc(p);
        e.bb = p.footprint.bbox();
    }

    // Binds without copying: `p` and `e` outlive the statement's next reset().
    void bind_product(Statement& st, int base, const Product& p, const Encoded& e) const {
        auto at = [&](int k) { return base + k - 1; };
        st.bind_ref(at(1), e.key);
        // An id equal to the name key (products read from disk) is not stored twice.
        if ((p.id.empty() || p.id == e.key) && null_ids_) st.bind_null(at(2));
        else st.bind_ref(at(2), p.id.empty() ? e.key : p.id);
        st.bind_ref(at(3), p.name.empty() ? p.id : p.name).bind(at(4), e.cid);
        st.bind(at(5), p.sensing_start.us).bind(at(6), p.sensing_end.us);
        if (p.published) st.bind(at(7), p.published->us); else st.bind_null(at(7));
        if (p.updated) st.bind(at(8), p.updated->us); else st.bind_null(at(8));
        st.bind(at(9), p.cloud_cover);
        st.bind_ref(at(10), p.product_type).bind_ref(at(11), p.processing_level).bind_ref(at(12), p.platform);
        st.bind_ref(at(13), p.instrument).bind_ref(at(14), p.sensor_mode);
        st.bind(at(15), p.orbit_number).bind(at(16), p.relative_orbit);
        st.bind(at(17), static_cast<std::int64_t>(p.orbit_direction)).bind_ref(at(18), p.tile_id);
        st.bind_ref(at(19), e.pols).bind_ref(at(20), p.processing_baseline);
        if (p.size) st.bind(at(21), static_cast<std::int64_t>(*p.size)); else st.bind_null(at(21));
        st.bind(at(22), std::int64_t{p.online ? 1 : 0});
        st.bind(at(23), e.bb.west).bind(at(24), e.bb.south).bind(at(25), e.bb.east).bind(at(26), e.bb.north);
        st.bind_blob_ref(at(27), e.wkb).bind_ref(at(28), p.path).bind_ref(at(29), e.doc);
    }

    static constexpr int kColumnsPerRow = 29;

    // INSERT of `rows` products; `with_rid` adds ?30 (the known rid) for one row, else
    // name-key conflicts become updates inside the statement. OR ROLLBACK: a batch is all or
    // nothing anyway, and it spares SQLite a statement journal per multi-row statement.
    static std::string insert_sql(int rows, bool with_rid) {
        std::string values;
        for (int r = 0; r < rows; ++r) {
            values += r ? ",(" : "(";
            for (int k = 1; k <= kColumnsPerRow; ++k) values += fmt::format("{}?{}", k > 1 ? "," : "", r * kColumnsPerRow + k);
            if (with_rid) values += ",?30";
            values += ")";
        }
        return fmt::format(
            "INSERT OR ROLLBACK INTO products(name_key, id, name, cid, start_us, end_us, published_us, updated_us, "
            "cloud, product_type, processing_level, platform, instrument, sensor_mode, orbit, rel_orbit, orbit_dir, "
            "tile, pols, baseline, size, online, west, south, east, north, footprint, path, doc{}) VALUES{} "
            "ON CONFLICT({}) DO UPDATE SET name_key=excluded.name_key, id=excluded.id, name=excluded.name, "
            "cid=excluded.cid, start_us=excluded.start_us, end_us=excluded.end_us, "
            "published_us=excluded.published_us, updated_us=excluded.updated_us, cloud=excluded.cloud, "
            "product_type=excluded.product_type, processing_level=excluded.processing_level, "
            "platform=excluded.platform, instrument=excluded.instrument, sensor_mode=excluded.sensor_mode, "
            "orbit=excluded.orbit, rel_orbit=excluded.rel_orbit, orbit_dir=excluded.orbit_dir, tile=excluded.tile, "
            "pols=excluded.pols, baseline=excluded.baseline, size=excluded.size, online=excluded.online, "
            "west=excluded.west, south=excluded.south, east=excluded.east, north=excluded.north, "
            "footprint=excluded.footprint, path=excluded.path, doc=excluded.doc",
            with_rid ? ", rid" : "", values, with_rid ? "rid" : "name_key");
    }

    // Bulk upserts: products in name-key order (near-sequential unique-index inserts),
    // kBulkRows per statement (one statement start per group instead of per product), no
    // lookup before the write, grid entries kept in memory (or none: end_bulk() then builds
    // the grid from the table). Inserts and
    // updates are told apart by the rids: new rows get max(rid) + 1, one after another.
    void upsert_bulk(const std::vector<Product>& products, UpsertResult& r) {
        constexpr int kBulkRows = 32;
        std::vector<std::pair<std::string, const Product*>> order;
        order.reserve(products.size());
        for (const auto& p : products) order.emplace_back(p.name_key(), &p);
        // Stable: of two versions of one product in a batch, the later one is written last.
        std::stable_sort(order.begin(), order.end(),
                         [](const auto& a, const auto& b) { return a.first < b.first; });
        auto mx = db_->prepare("SELECT ifnull(max(rid), 0) FROM products");
        mx.step();
        const std::int64_t max_before = mx.i64(0);
        std::int64_t max_rid = max_before;
        if (!insert_bulk_) insert_bulk_ = db_->prepare(insert_sql(kBulkRows, false));
        std::vector<Encoded> enc(kBulkRows);
        for (std::size_t first = 0; first < order.size(); first += kBulkRows) {
            const int n = static_cast<int>(std::min<std::size_t>(kBulkRows, order.size() - first));
            Statement tail;
            Statement& st = n == kBulkRows ? insert_bulk_ : (tail = db_->prepare(insert_sql(n, false)));
            st.reset();
            for (int k = 0; k < n; ++k) {
                auto& [key, p] = order[first + static_cast<std::size_t>(k)];
                encode(*p, std::move(key), enc[static_cast<std::size_t>(k)]);
                bind_product(st, k * kColumnsPerRow + 1, *p, enc[static_cast<std::size_t>(k)]);
                pending_max_duration_ = std::max(pending_max_duration_, p->sensing_end.us - p->sensing_start.us);
            }
            // Cleared first: collection_id() may have inserted a collection row meanwhile.
            sqlite3_set_last_insert_rowid(db_->handle(), 0);
            st.step();
            st.reset();
            // Grid entries are kept in memory while every row is new (their rids are then
            // max + 1, max + 2...); end_bulk() writes them without re-reading the products.
            const std::int64_t last = db_->last_insert_rowid();
            if (bulk_entries_ok_ && last - max_rid == n && last > 0) {
                for (int k = 0; k < n; ++k) {
                    const auto& p = *order[first + static_cast<std::size_t>(k)].second;
                    const auto& e = enc[static_cast<std::size_t>(k)];
                    const std::optional<std::int64_t> published =
                        p.published ? std::optional<std::int64_t>(p.published->us) : std::nullopt;
                    const auto entry =
                        grid_entry(max_rid + 1 + k, p.sensing_start.us, p.sensing_end.us, published, e.cid, p.cloud_cover, e.wkb);
                    for (const auto& box : index_boxes(e.bb, e.wkb, p.name)) bulk_entries_.add(entry, box);
                }
                if (bulk_entries_.bytes() > kBulkEntriesBudget) drop_bulk_entries();
            } else {
                drop_bulk_entries();
            }
            max_rid = std::max(max_rid, last);
        }
        const auto inserted = static_cast<std::size_t>(max_rid - max_before);
        bulk_rows_ += inserted;
        r.inserted += inserted;
        r.updated += products.size() - std::min(products.size(), inserted);
    }

    // The in-memory grid entries of a bulk load are given up (end_bulk() then reads the
    // products table): an update, a failed batch, or too many entries.
    static constexpr std::size_t kBulkEntriesBudget = std::size_t{512} << 20;
    void drop_bulk_entries() {
        bulk_entries_ok_ = false;
        bulk_entries_.clear();
    }
    std::int64_t bulk_rows_ = 0;  // products inserted by this bulk load

    void upsert_one(const Product& p, std::string key, UpsertResult& r) {
        std::optional<std::int64_t> rid;
        const std::string& name = p.name.empty() ? p.id : p.name;
        // A known product keeps its rid; its old index entries go first.
        if (!find_rid_)
            find_rid_ =
                db_->prepare("SELECT rid, start_us, west, south, east, north, footprint FROM products WHERE name_key = ?");
        find_rid_.reset();
        find_rid_.bind_ref(1, key);
        if (find_rid_.step()) {
            rid = find_rid_.i64(0);
            const std::string old_wkb(find_rid_.blob(6));
            grid_remove(*rid, find_rid_.i64(1),
                        BBox{find_rid_.f64(2), find_rid_.f64(3), find_rid_.f64(4), find_rid_.f64(5)}, old_wkb, name);
        }
        find_rid_.reset();
        if (!insert_) insert_ = db_->prepare(insert_sql(1, true));
        Encoded e;
        encode(p, std::move(key), e);
        auto& st = insert_;
        st.reset();
        bind_product(st, 1, p, e);
        if (rid) st.bind(30, *rid); else st.bind_null(30);
        st.step();
        st.reset();
        const std::int64_t the_rid = rid ? *rid : db_->last_insert_rowid();
        if (rid) ++r.updated;
        else ++r.inserted;
        const std::optional<std::int64_t> published =
            p.published ? std::optional<std::int64_t>(p.published->us) : std::nullopt;
        grid_insert(grid_entry(the_rid, p.sensing_start.us, p.sensing_end.us, published, e.cid, p.cloud_cover, e.wkb),
                    e.bb, name);
        pending_max_duration_ = std::max(pending_max_duration_, p.sensing_end.us - p.sensing_start.us);
    }

    // The longest sensing duration only grows, whatever another connection stored since
    // this one last read it (a smaller value would make time-bounded searches miss long
    // products); written in every writing transaction, so a rolled-back one loses nothing.
    void update_max_duration() {
        if (pending_max_duration_ <= 0) return;
        auto st = db_->prepare(
            "UPDATE meta SET value = CAST(max(CAST(value AS INTEGER), ?1) AS TEXT) WHERE key = 'max_duration_us'");
        st.bind(1, pending_max_duration_);
        st.step();
        max_duration_us_ = std::max(max_duration_us_, pending_max_duration_);
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
        const auto cids = query_cids(q, none);
        if (none) {
            if (q.count) page.count = Count{0, true};
            return page;
        }
        const Geometry& aoi = *q.aoi;  // validated by Query::validate() in search()
        detail::PreparedAoi prepared(aoi);
        const auto rel = static_cast<detail::SpatialRelation>(static_cast<int>(q.relation));
        const bool desc = q.order == SortOrder::descending;
        const auto cursor = parse_cursor(q);

        // Time buckets that may hold matches: sensing start in [start - longest duration, end].
        std::int64_t tb_lo = -grid::kTimeBucketBias, tb_hi = grid::kTimeBucketBias - 1;  // time_bucket()'s range
        if (q.sensing.start) {
            const std::int64_t s = q.sensing.start->us;
            const std::int64_t lowest = std::numeric_limits<std::int64_t>::min() + max_duration_us_;
            tb_lo = grid::time_bucket(s > lowest ? s - max_duration_us_ : std::numeric_limits<std::int64_t>::min());
        }
        if (q.sensing.end) tb_hi = grid::time_bucket(q.sensing.end->us);

        // The filters the entries carry; the others are checked on the product row.
        auto time_ok = [](const TimeRange& r, std::int64_t first, std::int64_t last) {
            if (r.start && (r.start_inclusive ? last < r.start->us : last <= r.start->us)) return false;
            if (r.end && (r.end_inclusive ? first > r.end->us : first >= r.end->us)) return false;
            return true;
        };
        auto keep = [&](const grid::Entry& e) {
            if (!cids.empty() && !std::binary_search(cids.begin(), cids.end(), static_cast<std::int64_t>(e.cid)))
                return false;
            if (!time_ok(q.sensing, e.start_us, e.end_us)) return false;
            if (q.cloud_min && !(e.cloud >= *q.cloud_min)) return false;  // NaN (no cloud cover) fails
            if (q.cloud_max && !(e.cloud <= *q.cloud_max)) return false;
            if (!q.published.empty() &&
                (e.published_us == grid::kNoTime || !time_ok(q.published, e.published_us, e.published_us)))
                return false;
            return true;
        };
        auto candidate = [&](const grid::Entry& e) {
            switch (q.sort) {
                case SortField::sensing_time: return Candidate{e.rid, false, static_cast<double>(e.start_us)};
                case SortField::publication_time:
                    return e.published_us == grid::kNoTime ? Candidate{e.rid, true, 0.0}
                                                           : Candidate{e.rid, false, static_cast<double>(e.published_us)};
                case SortField::cloud_cover:
                    return std::isnan(e.cloud) ? Candidate{e.rid, true, 0.0} : Candidate{e.rid, false, e.cloud};
            }
            return Candidate{e.rid, false, static_cast<double>(e.start_us)};
        };

        // Gather the entries whose box meets an AOI part box and that pass the carried
        // filters, with their footprints (copied: a row's blobs live until the next step).
        struct Hit {
            Candidate c;
            bool inside;  // the entry box lies inside a rectangular AOI part
            std::size_t wkb_offset, wkb_size;
        };
        std::vector<Hit> hits;
        std::string arena;
        std::vector<grid::CellRange> ranges;
        if (!grid_scan_) {
            // The time-bucket test runs on the row id alone: rows of other years are
            // skipped without reading their payload.
            grid_scan_ = db_->prepare(fmt::format(
                "SELECT id, hdr FROM grid WHERE id BETWEEN ?1 AND ?2 AND ((id >> {}) & {}) BETWEEN ?3 AND ?4",
                grid::kBucketShift, grid::kBucketMask));
            grid_geo_ = db_->prepare("SELECT geo FROM grid WHERE id = ?");
        }
        auto& st = grid_scan_;
        for (const auto& part : aoi.part_bboxes()) {
            ranges.clear();
            grid::cells_for_query(part, ranges);
            for (const auto& range : ranges) {
                st.reset();
                st.bind(1, grid::row_id(range.first, tb_lo, 0)).bind(2, grid::row_id(range.last, tb_hi, grid::kMaxSequence));
                st.bind(3, tb_lo + grid::kTimeBucketBias).bind(4, tb_hi + grid::kTimeBucketBias);
                while (st.step()) {
                    const std::string_view header = st.blob(1);
                    grid::BucketView view(header, {});
                    view.check_headers();
                    bool geo_read = false;  // the footprints are read only when an entry needs them
                    for (std::size_t k = 0; k < view.size(); ++k) {
                        const grid::Entry e = view.header(k);
                        if (e.west > part.east || e.east < part.west || e.south > part.north || e.north < part.south)
                            continue;
                        if (!keep(e)) continue;
                        const Candidate c = candidate(e);
                        // Rows at or before the cursor matter only for the count.
                        if (cursor && !q.count && !before(*cursor, c, desc)) continue;
                        if (!geo_read) {
                            grid_geo_.reset();
                            grid_geo_.bind(1, st.i64(0));
                            if (!grid_geo_.step())
                                throw StorageError(Errc::database, "catalogue", "spatial index row vanished");
                            view = grid::BucketView(header, grid_geo_.blob(0));
                            view.check();
                            geo_read = true;
                        }
                        const bool inside = prepared.is_rectangle() && e.west >= part.west && e.east <= part.east &&
                                            e.south >= part.south && e.north <= part.north;
                        const auto wkb = view.wkb(k);
                        hits.push_back(Hit{c, inside, arena.size(), wkb.size()});
                        arena.append(wkb.data(), wkb.size());
                    }
                    grid_geo_.reset();
                }
            }
        }
        st.reset();
        // Page order; a product met through several parts or cells appears once.
        std::sort(hits.begin(), hits.end(), [&](const Hit& a, const Hit& b) { return before(a.c, b.c, desc); });
        std::size_t unique = 0;
        for (std::size_t k = 0; k < hits.size(); ++k) {
            if (unique && hits[unique - 1].c.rid == hits[k].c.rid) {
                hits[unique - 1].inside = hits[unique - 1].inside || hits[k].inside;
                continue;
            }
            hits[unique++] = hits[k];
        }
        hits.resize(unique);

        // Exact refinement. Rectangle AOI + intersects + an entry box inside the rectangle
        // needs no geometry; a point AOI + intersects is a point-in-polygon test on the WKB
        // (GEOS decides the rare cases that test cannot certify). Filters the entries do not
        // carry are checked on the product row, after the geometry. Without a count, stop
        // as soon as the page is full.
        const bool point_in_polygon = rel == detail::SpatialRelation::intersects &&
                                      aoi.type() == GeometryType::point && aoi.parts().size() == 1;
        const LonLat point = point_in_polygon ? aoi.parts()[0][0][0] : LonLat{};
        auto exact = [&](const Hit& h) {
            if (rel == detail::SpatialRelation::intersects && h.inside) return true;
            const std::string_view wkb(arena.data() + h.wkb_offset, h.wkb_size);
            if (point_in_polygon) {
                const Location loc = locate_point_wkb(point, wkb);
                if (loc != Location::unknown) return loc != Location::outside;
            }
            return prepared.test_wkb(rel, wkb);
        };
        Statement row_filter;
        Sql filt;
        if (needs_table(q)) {
            add_table_filters(q, filt);
            row_filter = db_->prepare("SELECT 1 FROM products p" + filt.where + " AND p.rid = ?");
        }
        auto row_ok = [&](std::int64_t rid) {
            if (!row_filter) return true;
            row_filter.reset();
            filt.bind(row_filter);
            row_filter.bind(static_cast<int>(filt.params.size()) + 1, rid);
            const bool ok = row_filter.step();
            row_filter.reset();
            return ok;
        };
        std::vector<std::int64_t> page_rids;
        std::uint64_t total = 0;
        std::optional<Candidate> last;
        bool more = false;
        for (const auto& h : hits) {
            if (!q.count && more) break;
            if (!exact(h) || !row_ok(h.c.rid)) continue;
            ++total;
            if (cursor && !before(*cursor, h.c, desc)) continue;
            if (page_rids.size() < q.limit) {
                page_rids.push_back(h.c.rid);
                last = h.c;
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
    Statement find_rid_, insert_, insert_bulk_, record_src_;
    GridStatements grid_st_;
    grid::BucketBuilder grid_row_;  // scratch row of grid_insert()
    bool bulk_ = false;
    bool rollback_journal_ = false;  // bulk mode left WAL mode
    grid::EntryBatch bulk_entries_;  // grid entries of a bulk load into an empty catalogue
    bool bulk_entries_ok_ = false;
    bool null_ids_ = false;  // ids equal to the name key are stored as NULL
    std::pair<std::string, std::int64_t> last_collection_{"", -1};  // encode()'s cache
    mutable Statement fetch_one_, meta_read_, source_state_, grid_scan_, grid_geo_;
};

}  // namespace

std::unique_ptr<CatalogueStore> open_sqlite_store(const fs::path& path, const SqliteStoreOptions& options) {
    return std::make_unique<SqliteStore>(path, options);
}

}  // namespace creodias
