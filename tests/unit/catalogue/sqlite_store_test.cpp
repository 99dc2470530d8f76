#include <boost/test/unit_test.hpp>

#include <creodias/catalogue.hpp>
#include <creodias/catalogue_store.hpp>
#include <creodias/error.hpp>
#include <creodias/generate.hpp>

#include "catalogue/grid_index.hpp"
#include "support/fixtures.hpp"

#include <gdal.h>
#include <ogr_api.h>
#include <ogr_srs_api.h>
#include <sqlite3.h>

#include <fstream>
#include <map>
#include <tuple>
#include <random>
#include <set>
#include <thread>

using namespace creodias;

namespace {
Product make(const std::string& name, double lon, double lat, int day, std::optional<double> cloud = 10.0) {
    Product p;
    p.name = name;
    p.collection = "SENTINEL-2";
    p.product_type = "S2MSI2A";
    p.footprint = Geometry::from_bbox(BBox{lon, lat, lon + 1, lat + 1});
    p.sensing_start = Timestamp::from_civil(2024, 6, day, 10);
    p.sensing_end = Timestamp{p.sensing_start.us + 5'000'000};
    p.cloud_cover = cloud;
    return p;
}
// Independent check through the SQLite C API: row counts and integrity.
long long sql_count(const std::filesystem::path& db, const char* sql) {
    sqlite3* h = nullptr;
    BOOST_REQUIRE(sqlite3_open_v2(db.string().c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(h, sql, -1, &st, nullptr) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_step(st) == SQLITE_ROW);
    long long n = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return n;
}
// Product ids of every spatial index entry, one per entry. Every row is checked for
// consistency and capacity, and every entry against its product row (same sensing start,
// end and collection), so an entry under a wrong or stale rid is caught.
std::multiset<long long> index_rids(const std::filesystem::path& db) {
    sqlite3* h = nullptr;
    BOOST_REQUIRE(sqlite3_open_v2(db.string().c_str(), &h, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    std::map<long long, std::tuple<long long, long long, long long>> rows;  // rid -> start, end, cid
    sqlite3_stmt* st = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(h, "SELECT rid, start_us, end_us, cid FROM products", -1, &st, nullptr) ==
                  SQLITE_OK);
    while (sqlite3_step(st) == SQLITE_ROW)
        rows[sqlite3_column_int64(st, 0)] = {sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
                                             sqlite3_column_int64(st, 3)};
    sqlite3_finalize(st);
    BOOST_REQUIRE(sqlite3_prepare_v2(h, "SELECT hdr, geo FROM grid", -1, &st, nullptr) == SQLITE_OK);
    std::multiset<long long> rids;
    while (sqlite3_step(st) == SQLITE_ROW) {
        auto blob = [&](int c) {
            return std::string_view(static_cast<const char*>(sqlite3_column_blob(st, c)),
                                    static_cast<size_t>(sqlite3_column_bytes(st, c)));
        };
        detail::grid::BucketView view(blob(0), blob(1));
        BOOST_CHECK_NO_THROW(view.check());
        BOOST_CHECK_LE(view.size(), detail::grid::kBucketCapacity);
        for (size_t k = 0; k < view.size(); ++k) {
            const auto e = view.header(k);
            rids.insert(e.rid);
            auto it = rows.find(e.rid);
            BOOST_REQUIRE_MESSAGE(it != rows.end(), "index entry for missing product " << e.rid);
            BOOST_CHECK(std::get<0>(it->second) == e.start_us && std::get<1>(it->second) == e.end_us &&
                        std::get<2>(it->second) == static_cast<long long>(e.cid));
        }
    }
    sqlite3_finalize(st);
    sqlite3_close(h);
    // Every product is indexed.
    BOOST_CHECK_EQUAL(std::set<long long>(rids.begin(), rids.end()).size(), rows.size());
    return rids;
}
size_t distinct(const std::multiset<long long>& m) { return std::set<long long>(m.begin(), m.end()).size(); }

// Random 10-degree boxes (and one across the antimeridian) give the same ids and counts.
void expect_same_results(const CatalogueStore& a, const CatalogueStore& b) {
    std::mt19937 rng(11);
    for (int k = 0; k < 100; ++k) {
        Query q;
        double lon = static_cast<double>(rng() % 340) - 170, lat = static_cast<double>(rng() % 150) - 75;
        q.aoi = Geometry::from_bbox(BBox{lon, lat, std::min(180.0, lon + 10), std::min(90.0, lat + 10)});
        if (k % 4 == 0) q.aoi = Geometry::from_bbox(BBox{179, 5, -179, 15});
        if (k % 3 == 0) q.cloud_max = 50;
        q.count = true;
        q.limit = 10000;
        auto ra = a.search(q), rb = b.search(q);
        BOOST_REQUIRE(ra.count && rb.count);
        BOOST_CHECK_EQUAL(ra.count->value, rb.count->value);
        std::set<std::string> ia, ib;
        for (auto& p : ra.products) ia.insert(p.id);
        for (auto& p : rb.products) ib.insert(p.id);
        BOOST_CHECK(ia == ib);
    }
}

std::vector<Product> bulk_sample(int n) {
    std::vector<Product> ps;
    for (int i = 0; i < n; ++i) {
        // Includes footprints across the antimeridian (two index entries each).
        double lon = i % 10 == 0 ? 179.5 : (i % 350) - 175.0;
        auto p = make("B" + std::to_string(i), lon, (i % 150) - 75.0, 1 + i % 28, static_cast<double>(i % 101));
        if (i % 10 == 0)
            p.footprint = normalize_footprint(Geometry::from_wkt("POLYGON((179.5 10,180.5 10,180.5 11,179.5 11,179.5 10))"));
        if (i % 7 == 0) p.id = "uuid-" + std::to_string(i);  // an id other than the name
        ps.push_back(p);
    }
    return ps;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(sqlite_store)

BOOST_AUTO_TEST_CASE(upsert_is_idempotent_by_name_key) {
    test::TempDir dir;
    auto db = dir / "c.db";
    auto store = open_sqlite_store(db);
    auto r1 = store->upsert({make("A.SAFE", 0, 45, 1), make("B.SAFE", 5, 45, 2)});
    BOOST_CHECK_EQUAL(r1.inserted, 2u);
    // The same product under its zip name, changed cloud cover: an update, not a duplicate.
    auto again = make("A.SAFE.zip", 0, 45, 1, 55.0);
    auto r2 = store->upsert({again});
    BOOST_CHECK_EQUAL(r2.updated, 1u);
    BOOST_CHECK_EQUAL(r2.inserted, 0u);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT count(*) FROM products"), 2);
    BOOST_CHECK_EQUAL(index_rids(db).size(), 2u);
    auto got = store->get("A");
    BOOST_REQUIRE(got);
    BOOST_CHECK_EQUAL(*got->cloud_cover, 55.0);
    BOOST_CHECK(store->get("A.SAFE"));
    BOOST_CHECK(!store->get("nope"));
    BOOST_CHECK_EQUAL(store->erase({"A.SAFE"}), 1u);
    BOOST_CHECK_EQUAL(index_rids(db).size(), 1u);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT sum(length(hdr)) / 64 FROM grid"), 1);
}

BOOST_AUTO_TEST_CASE(invalid_batch_is_rolled_back) {
    test::TempDir dir;
    auto db = dir / "c.db";
    auto store = open_sqlite_store(db);
    auto bad = make("BAD.SAFE", 0, 45, 3, 140.0);  // cloud cover out of range
    BOOST_CHECK_THROW(store->upsert({make("OK.SAFE", 0, 45, 1), bad}), InvalidArgument);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT count(*) FROM products"), 0);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT count(*) FROM grid"), 0);
}

BOOST_AUTO_TEST_CASE(missing_readonly_and_foreign_databases) {
    test::TempDir dir;
    SqliteStoreOptions ro;
    ro.read_only = true;
    BOOST_CHECK_THROW(open_sqlite_store(dir / "missing.db", ro), NotFoundError);
    {
        auto store = open_sqlite_store(dir / "c.db");
        store->upsert({make("A.SAFE", 0, 45, 1)});
    }
    auto r = open_sqlite_store(dir / "c.db", ro);
    BOOST_CHECK_EQUAL(r->search(Query{}).products.size(), 1u);
    BOOST_CHECK_THROW(r->upsert({make("B.SAFE", 0, 45, 1)}), AuthError);
    // A text file and a foreign SQLite database are refused with a clear error.
    { std::ofstream(dir / "text.db") << "hello, not a database at all, just some text bytes"; }
    BOOST_CHECK_THROW(open_sqlite_store(dir / "text.db"), StorageError);
    sqlite3* h = nullptr;
    sqlite3_open((dir / "other.db").string().c_str(), &h);
    sqlite3_exec(h, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    BOOST_CHECK_THROW(open_sqlite_store(dir / "other.db"), StorageError);
}

BOOST_AUTO_TEST_CASE(query_validation_errors) {
    test::TempDir dir;
    auto store = open_sqlite_store(dir / "c.db");
    Query q;
    q.cloud_max = 150;
    BOOST_CHECK_THROW(store->search(q), InvalidArgument);
    q = Query{};
    q.sensing.start = parse_datetime("2024-02-01");
    q.sensing.end = parse_datetime("2024-01-01");
    BOOST_CHECK_THROW(store->search(q), InvalidArgument);
    q = Query{};
    q.limit = 0;
    BOOST_CHECK_THROW(store->search(q), InvalidArgument);
    q = Query{};
    q.aoi = Geometry::from_wkt("POLYGON((0 0,1 1,1 0,0 1,0 0))");
    BOOST_CHECK_THROW(store->search(q), InvalidArgument);
    q = Query{};
    q.cursor = "garbage!";
    BOOST_CHECK_THROW(store->search(q), InvalidArgument);
    BOOST_CHECK_THROW(parse_datetime("2024-13-01"), InvalidArgument);
    BOOST_CHECK_THROW(parse_datetime("yesterday"), InvalidArgument);
    BOOST_CHECK_THROW(parse_datetime("2024-02-30"), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(cursor_is_bound_to_its_query) {
    test::TempDir dir;
    auto store = open_sqlite_store(dir / "c.db");
    std::vector<Product> ps;
    for (int d = 1; d <= 9; ++d) ps.push_back(make("P" + std::to_string(d), 0, 45, d));
    store->upsert(ps);
    Query q;
    q.limit = 2;
    auto page = store->search(q);
    BOOST_REQUIRE(!page.next_cursor.empty());
    Query other = q;
    other.cloud_max = 50;
    other.cursor = page.next_cursor;
    BOOST_CHECK_THROW(store->search(other), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(injection_strings_are_plain_values) {
    test::TempDir dir;
    auto db = dir / "c.db";
    auto store = open_sqlite_store(db);
    store->upsert({make("A.SAFE", 0, 45, 1)});
    Query q;
    q.product_types = {"x' OR '1'='1"};
    q.name_pattern = "%' ; DROP TABLE products; --";
    q.tile_ids = {"\"); DELETE FROM products; --"};
    BOOST_CHECK(store->search(q).products.empty());
    BOOST_CHECK(!store->get("' OR 1=1 --"));
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT count(*) FROM products"), 1);
    Query like;
    like.name_pattern = "A%";  // '%' is literal in our glob syntax
    BOOST_CHECK(store->search(like).products.empty());
    like.name_pattern = "a*";
    BOOST_CHECK_EQUAL(store->search(like).products.size(), 1u);
}

BOOST_AUTO_TEST_CASE(concurrent_writers_do_not_corrupt) {
    test::TempDir dir;
    auto db = dir / "c.db";
    open_sqlite_store(db);  // create the schema first
    std::vector<std::thread> threads;
    std::atomic<int> errors{0};
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            try {
                auto s = open_sqlite_store(db);  // own connection, as separate processes would
                for (int b = 0; b < 20; ++b) {
                    std::vector<Product> batch;
                    for (int i = 0; i < 25; ++i)
                        batch.push_back(make("T" + std::to_string(t) + "_" + std::to_string(b * 25 + i), t, 45, 1 + i % 28));
                    s->upsert(batch);
                }
            } catch (const std::exception&) {
                ++errors;
            }
        });
    }
    for (auto& th : threads) th.join();
    BOOST_CHECK_EQUAL(errors.load(), 0);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT count(*) FROM products"), 4 * 20 * 25);
    const auto rids = index_rids(db);
    BOOST_CHECK_EQUAL(rids.size(), 4u * 20 * 25);
    BOOST_CHECK_EQUAL(distinct(rids), 4u * 20 * 25);
}

BOOST_AUTO_TEST_CASE(busy_writer_gets_a_typed_error) {
    test::TempDir dir;
    auto db = dir / "c.db";
    open_sqlite_store(db);
    sqlite3* h = nullptr;
    sqlite3_open(db.string().c_str(), &h);
    BOOST_REQUIRE(sqlite3_exec(h, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
    SqliteStoreOptions o;
    o.busy_timeout_ms = 100;
    auto s = open_sqlite_store(db, o);
    try {
        s->upsert({make("A.SAFE", 0, 45, 1)});
        BOOST_FAIL("expected a busy error");
    } catch (const StorageError& e) {
        BOOST_CHECK(e.code() == Errc::busy);
    }
    sqlite3_exec(h, "ROLLBACK", nullptr, nullptr, nullptr);
    sqlite3_close(h);
    BOOST_CHECK_NO_THROW(s->upsert({make("A.SAFE", 0, 45, 1)}));
}

BOOST_AUTO_TEST_CASE(large_counts_are_estimated_and_flagged) {
    // Past 200,000 matches the table plan extrapolates, and says so; the oracle is SQLite's
    // own count(*) over the same rows.
    test::TempDir dir;
    const auto db = dir / "big.db";
    auto store = open_sqlite_store(db);
    generate_records(*store, 260000, 3);
    Query all;
    all.count = true;
    all.limit = 5;
    const auto est = store->search(all).count;
    BOOST_REQUIRE(est);
    BOOST_CHECK(!est->exact);
    const auto truth = static_cast<double>(sql_count(db, "SELECT count(*) FROM products"));
    BOOST_CHECK_CLOSE(static_cast<double>(est->value), truth, 10.0);  // within 10 %
    BOOST_CHECK_GT(est->value, 200000u);
    // Below the cap the count is exact, whatever the plan.
    Query s1;
    s1.collections = {"SENTINEL-1"};
    s1.count = true;
    const auto exact = store->search(s1).count;
    BOOST_REQUIRE(exact);
    BOOST_CHECK(exact->exact);
    BOOST_CHECK_EQUAL(static_cast<long long>(exact->value),
                      sql_count(db, "SELECT count(*) FROM products p JOIN collections c ON c.cid = p.cid "
                                    "WHERE c.name = 'SENTINEL-1'"));
    // A spatial count is always exact, even when large.
    Query world = all;
    world.aoi = Geometry::from_bbox(BBox{-180, -90, 180, 90});
    const auto w = store->search(world).count;
    BOOST_REQUIRE(w);
    BOOST_CHECK(w->exact);
    BOOST_CHECK_EQUAL(static_cast<double>(w->value), truth);
}

BOOST_AUTO_TEST_CASE(small_counts_are_exact) {
    test::TempDir dir;
    auto store = open_sqlite_store(dir / "c.db");
    std::vector<Product> ps;
    for (int i = 0; i < 1000; ++i) ps.push_back(make("E" + std::to_string(i), (i % 300) - 150.0, (i % 120) - 60.0, 1 + i % 28));
    store->upsert(ps);
    Query q;
    q.count = true;
    auto c = store->search(q).count;
    BOOST_REQUIRE(c);
    BOOST_CHECK(c->exact);
    BOOST_CHECK_EQUAL(c->value, 1000u);
}

BOOST_AUTO_TEST_CASE(bulk_mode_matches_incremental_and_survives_a_crash) {
    test::TempDir dir;
    const auto ps = bulk_sample(3000);
    auto inc = open_sqlite_store(dir / "inc.db");
    inc->upsert(ps);
    {
        auto bulk = open_sqlite_store(dir / "bulk.db");
        bulk->begin_bulk();
        bulk->upsert(std::vector<Product>(ps.begin(), ps.begin() + 1500));
        BOOST_CHECK_THROW(bulk->search(Query{}), StorageError);
        bulk->upsert(std::vector<Product>(ps.begin() + 1000, ps.end()));  // overlapping: updates
        // The process "dies" here: no end_bulk().
    }
    auto bulk = open_sqlite_store(dir / "bulk.db");  // recovery completes the bulk load
    BOOST_CHECK_EQUAL(sql_count(dir / "bulk.db", "SELECT count(*) FROM meta WHERE key='bulk_load'"), 0);
    BOOST_CHECK_EQUAL(sql_count(dir / "bulk.db", "SELECT count(*) FROM products"), 3000);
    // One entry per product, two for the 300 split at the antimeridian, in both stores.
    const auto bulk_rids = index_rids(dir / "bulk.db"), inc_rids = index_rids(dir / "inc.db");
    BOOST_CHECK_EQUAL(bulk_rids.size(), 3300u);
    BOOST_CHECK_EQUAL(distinct(bulk_rids), 3000u);
    BOOST_CHECK_EQUAL(inc_rids.size(), 3300u);
    BOOST_CHECK_EQUAL(sql_count(dir / "bulk.db", "SELECT sum(length(hdr)) / 64 FROM grid"), 3300);
    expect_same_results(*inc, *bulk);
    // Incremental writes after a bulk load keep the index valid.
    bulk->upsert({make("AFTER.SAFE", 3, 3, 5)});
    inc->upsert({make("AFTER.SAFE", 3, 3, 5)});
    Query q;
    q.aoi = Geometry::point(3.5, 3.5);
    auto hits = bulk->search(q).products;
    BOOST_CHECK_EQUAL(hits.size(), inc->search(q).products.size());
    BOOST_CHECK(std::any_of(hits.begin(), hits.end(), [](const Product& p) { return p.name == "AFTER.SAFE"; }));
}

BOOST_AUTO_TEST_CASE(bulk_load_into_an_empty_catalogue) {
    // Only inserts: the grid is written from the entries kept in memory.
    test::TempDir dir;
    const auto ps = bulk_sample(2500);
    auto inc = open_sqlite_store(dir / "inc.db");
    inc->upsert(ps);
    auto bulk = open_sqlite_store(dir / "bulk.db");
    bulk->begin_bulk();
    auto r1 = bulk->upsert(std::vector<Product>(ps.begin(), ps.begin() + 1001));  // not a multiple of the row group
    auto r2 = bulk->upsert(std::vector<Product>(ps.begin() + 1001, ps.end()));
    bulk->end_bulk();
    BOOST_CHECK_EQUAL(r1.inserted + r2.inserted, 2500u);
    BOOST_CHECK_EQUAL(r1.updated + r2.updated, 0u);
    const auto rids = index_rids(dir / "bulk.db");
    BOOST_CHECK_EQUAL(rids.size(), 2750u);
    BOOST_CHECK_EQUAL(distinct(rids), 2500u);
    expect_same_results(*inc, *bulk);
    // Ids other than the name are kept; ids equal to the name key are found as well.
    BOOST_REQUIRE(bulk->get("uuid-7"));
    BOOST_CHECK_EQUAL(bulk->get("uuid-7")->name, "B7");
    BOOST_REQUIRE(bulk->get("B8"));
    BOOST_CHECK_EQUAL(bulk->get("B8")->id, "B8");
    Query by_id;
    by_id.ids = {"uuid-14", "B15"};
    BOOST_CHECK_EQUAL(bulk->search(by_id).products.size(), 2u);
}

BOOST_AUTO_TEST_CASE(bulk_updates_and_failed_batches_fall_back_to_a_full_rebuild) {
    test::TempDir dir;
    const auto ps = bulk_sample(1200);
    auto inc = open_sqlite_store(dir / "inc.db");
    inc->upsert(ps);
    auto bulk = open_sqlite_store(dir / "bulk.db");
    bulk->begin_bulk();
    bulk->upsert(std::vector<Product>(ps.begin(), ps.begin() + 600));
    // A batch that fails inside SQLite (an id already used by another product) leaves no trace.
    auto clash = make("CLASH.SAFE", 0, 0, 1);
    clash.id = "uuid-7";
    BOOST_CHECK_THROW(bulk->upsert({make("GONE.SAFE", 1, 1, 1), clash}), InvalidArgument);
    // Updates mixed with inserts are counted as such.
    auto r = bulk->upsert(std::vector<Product>(ps.begin() + 500, ps.end()));
    BOOST_CHECK_EQUAL(r.updated, 100u);
    BOOST_CHECK_EQUAL(r.inserted, 600u);
    bulk->end_bulk();
    BOOST_CHECK(!bulk->get("GONE"));
    BOOST_CHECK_EQUAL(sql_count(dir / "bulk.db", "SELECT count(*) FROM products"), 1200);
    BOOST_CHECK_EQUAL(index_rids(dir / "bulk.db").size(), 1320u);
    expect_same_results(*inc, *bulk);
    // A bulk load into a catalogue that already holds products indexes old and new ones.
    auto more = bulk_sample(1300);
    bulk->begin_bulk();
    bulk->upsert(std::vector<Product>(more.begin() + 1200, more.end()));
    bulk->end_bulk();
    inc->upsert(std::vector<Product>(more.begin() + 1200, more.end()));
    BOOST_CHECK_EQUAL(index_rids(dir / "bulk.db").size(), 1430u);
    expect_same_results(*inc, *bulk);
}

BOOST_AUTO_TEST_CASE(bulk_edge_cases_keep_the_index_exact) {
    test::TempDir dir;
    const auto db = dir / "edge.db";
    auto store = open_sqlite_store(db);
    store->begin_bulk();
    // Two versions of one product in one call: the later one wins.
    auto first = make("TWICE.SAFE", 10, 10, 1, 10.0), second = make("TWICE.SAFE", 20, 20, 2, 20.0);
    auto r = store->upsert({first, make("OTHER.SAFE", 0, 0, 1), second});
    BOOST_CHECK_EQUAL(r.inserted, 2u);
    BOOST_CHECK_EQUAL(r.updated, 1u);
    // A call that only updates, with a collection new to the catalogue (its row is written
    // in the same transaction, before the products).
    std::vector<Product> moved;
    for (int i = 0; i < 40; ++i) moved.push_back(make("M" + std::to_string(i) + ".SAFE", i, 0, 3));
    store->upsert(moved);
    for (auto& p : moved) p.collection = "SENTINEL-1", p.sensing_start.us += 1000, p.sensing_end.us += 1000;
    r = store->upsert(moved);
    BOOST_CHECK_EQUAL(r.inserted, 0u);
    BOOST_CHECK_EQUAL(r.updated, 40u);
    // An erase in the middle of the load.
    BOOST_CHECK_EQUAL(store->erase({"OTHER"}), 1u);
    store->upsert({make("AFTER_ERASE.SAFE", 5, 5, 4)});
    store->end_bulk();
    const auto rids = index_rids(db);  // entries match their product rows exactly
    BOOST_CHECK_EQUAL(rids.size(), 42u);
    const auto got = store->get("TWICE");
    BOOST_REQUIRE(got);
    BOOST_CHECK_EQUAL(*got->cloud_cover, 20.0);
    Query q;
    q.aoi = Geometry::point(20.5, 20.5);
    BOOST_CHECK_EQUAL(store->search(q).products.size(), 1u);
    q.aoi = Geometry::point(10.5, 10.5);
    BOOST_CHECK_EQUAL(store->search(q).products.size(), 0u);
    Query s1;
    s1.collections = {"SENTINEL-1"};
    s1.aoi = Geometry::from_bbox(BBox{-1, -1, 50, 2});
    s1.count = true;
    BOOST_CHECK_EQUAL(store->search(s1).count->value, 40u);
}

BOOST_AUTO_TEST_CASE(version_2_catalogues_are_upgraded) {
    // A version-2 catalogue: R*Tree instead of the grid, NOT NULL ids.
    test::TempDir dir;
    const auto db = dir / "v2.db";
    const auto ps = bulk_sample(400);
    auto current = open_sqlite_store(dir / "v3.db");
    current->upsert(ps);
    {
        auto s = open_sqlite_store(db);
        s->upsert(ps);
    }
    sqlite3* h = nullptr;
    BOOST_REQUIRE(sqlite3_open(db.string().c_str(), &h) == SQLITE_OK);
    const char* to_v2 =
        "BEGIN;"
        "CREATE TABLE p2 AS SELECT * FROM products;"
        "UPDATE p2 SET id = name_key WHERE id IS NULL;"
        "DROP TABLE products;"
        "CREATE TABLE products(rid INTEGER PRIMARY KEY, name_key TEXT NOT NULL UNIQUE, id TEXT NOT NULL UNIQUE, "
        "name TEXT NOT NULL, cid INTEGER NOT NULL, start_us INTEGER NOT NULL, end_us INTEGER NOT NULL, "
        "published_us INTEGER, updated_us INTEGER, cloud REAL, product_type TEXT NOT NULL DEFAULT '', "
        "processing_level TEXT NOT NULL DEFAULT '', platform TEXT NOT NULL DEFAULT '', instrument TEXT NOT NULL "
        "DEFAULT '', sensor_mode TEXT NOT NULL DEFAULT '', orbit INTEGER, rel_orbit INTEGER, orbit_dir INTEGER NOT "
        "NULL DEFAULT 0, tile TEXT NOT NULL DEFAULT '', pols TEXT NOT NULL DEFAULT '', baseline TEXT NOT NULL DEFAULT "
        "'', size INTEGER, online INTEGER NOT NULL DEFAULT 1, west REAL NOT NULL, south REAL NOT NULL, east REAL NOT "
        "NULL, north REAL NOT NULL, footprint BLOB NOT NULL, path TEXT NOT NULL DEFAULT '', doc TEXT NOT NULL DEFAULT "
        "'');"
        "INSERT INTO products SELECT * FROM p2; DROP TABLE p2;"
        "DROP TABLE grid;"
        "CREATE VIRTUAL TABLE products_rtree USING rtree(eid, minx, maxx, miny, maxy, mint, maxt, +rid INTEGER);"
        "UPDATE meta SET value = '2' WHERE key = 'schema_version';"
        "COMMIT;";
    BOOST_REQUIRE_MESSAGE(sqlite3_exec(h, to_v2, nullptr, nullptr, nullptr) == SQLITE_OK, sqlite3_errmsg(h));
    sqlite3_close(h);
    SqliteStoreOptions ro;
    ro.read_only = true;
    BOOST_CHECK_THROW(open_sqlite_store(db, ro), StorageError);  // must be upgraded first
    auto upgraded = open_sqlite_store(db);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT value FROM meta WHERE key = 'schema_version'"), 3);
    BOOST_CHECK_EQUAL(sql_count(db, "SELECT count(*) FROM sqlite_master WHERE name = 'products_rtree'"), 0);
    BOOST_CHECK_EQUAL(index_rids(db).size(), 440u);
    expect_same_results(*current, *upgraded);
    // Writes keep working on the old NOT NULL id column.
    auto extra = make("EXTRA.SAFE", 20, 20, 3);
    upgraded->upsert({extra});
    current->upsert({extra});
    BOOST_REQUIRE(upgraded->get("EXTRA"));
    expect_same_results(*current, *upgraded);
}

BOOST_AUTO_TEST_CASE(gdal_reads_the_catalogue_as_a_vector_layer) {
    // ogrinfo/ogr2ogr/QGIS see `products` as a WGS84 layer whose geometries are the
    // footprints; GDAL's own spatial filter (GEOS) then selects what our search selects.
    test::TempDir dir;
    const auto db = dir / "c.db";
    const auto ps = bulk_sample(600);
    {
        auto store = open_sqlite_store(db);
        store->upsert(ps);
    }
    GDALAllRegister();
    GDALDatasetH ds = GDALOpenEx(db.string().c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr);
    BOOST_REQUIRE(ds);
    OGRLayerH layer = GDALDatasetGetLayerByName(ds, "products");
    BOOST_REQUIRE(layer);
    BOOST_CHECK_EQUAL(OGR_L_GetFeatureCount(layer, TRUE), 600);
    OGRSpatialReferenceH srs = OGR_L_GetSpatialRef(layer);
    BOOST_REQUIRE(srs);
    BOOST_CHECK_EQUAL(OSRGetAuthorityCode(srs, nullptr), std::string("4326"));
    auto store = open_sqlite_store(db);
    // Microsecond times come through as 64-bit fields (BIGINT columns), not overflowed.
    {
        const int start_field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), "start_us");
        BOOST_REQUIRE_GE(start_field, 0);
        BOOST_CHECK(OGR_Fld_GetType(OGR_FD_GetFieldDefn(OGR_L_GetLayerDefn(layer), start_field)) == OFTInteger64);
        OGR_L_SetAttributeFilter(layer, "name = 'B7'");
        OGRFeatureH f = OGR_L_GetNextFeature(layer);
        BOOST_REQUIRE(f);
        BOOST_CHECK_EQUAL(OGR_F_GetFieldAsInteger64(f, start_field), store->get("B7")->sensing_start.us);
        OGR_F_Destroy(f);
        OGR_L_SetAttributeFilter(layer, nullptr);
    }
    std::mt19937 rng(5);
    for (int k = 0; k < 20; ++k) {
        const double lon = static_cast<double>(rng() % 340) - 170, lat = static_cast<double>(rng() % 150) - 75;
        OGR_L_SetSpatialFilterRect(layer, lon, lat, lon + 12, lat + 12);
        OGR_L_ResetReading(layer);
        std::set<std::string> theirs, ours;
        const int name_field = OGR_FD_GetFieldIndex(OGR_L_GetLayerDefn(layer), "name");
        BOOST_REQUIRE_GE(name_field, 0);
        while (OGRFeatureH f = OGR_L_GetNextFeature(layer)) {
            theirs.insert(OGR_F_GetFieldAsString(f, name_field));
            OGR_F_Destroy(f);
        }
        Query q;
        q.aoi = Geometry::from_bbox(BBox{lon, lat, lon + 12, lat + 12});
        q.limit = 10000;
        for (const auto& p : store->search(q).products) ours.insert(p.name);
        BOOST_CHECK(theirs == ours);
    }
    GDALClose(ds);
}

BOOST_AUTO_TEST_SUITE_END()
