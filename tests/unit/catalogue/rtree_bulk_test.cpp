// The STR bulk loader writes SQLite's R*Tree shadow tables directly: SQLite's own
// rtreecheck() validates the structure, and range queries are compared with a brute-force
// scan, before and after ordinary inserts and deletes through the virtual table.
#include <boost/test/unit_test.hpp>

#include "catalogue/rtree_bulk.hpp"
#include "catalogue/sqlite.hpp"
#include "support/fixtures.hpp"

#include <random>
#include <set>

using namespace creodias;
using namespace creodias::detail;

namespace {
void check_tree(Database& db) {
    auto st = db.prepare("SELECT rtreecheck('t')");
    BOOST_REQUIRE(st.step());
    BOOST_CHECK_EQUAL(st.text(0), "ok");
}
std::set<std::int64_t> query(Database& db, const double q[6]) {
    auto st = db.prepare("SELECT eid, rid FROM t WHERE minx <= ?2 AND maxx >= ?1 AND miny <= ?4 AND maxy >= ?3 "
                         "AND mint <= ?6 AND maxt >= ?5");
    for (int k = 0; k < 6; ++k) st.bind(k + 1, q[k]);
    std::set<std::int64_t> out;
    while (st.step()) {
        BOOST_CHECK_EQUAL(st.i64(1), st.i64(0) * 3);  // the auxiliary column survived
        out.insert(st.i64(0));
    }
    return out;
}
}  // namespace

BOOST_AUTO_TEST_SUITE(rtree_bulk)

BOOST_AUTO_TEST_CASE(bulk_loaded_tree_is_valid_and_answers_like_a_scan) {
    test::TempDir dir;
    Database db(dir / "r.db", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    db.exec("CREATE VIRTUAL TABLE t USING rtree(eid, minx, maxx, miny, maxy, mint, maxt, +rid INTEGER)");
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> u(0, 1);
    for (int n : {0, 1, 40, 51, 52, 3000, 60000}) {
        std::vector<RtreeEntry> entries;
        for (int i = 0; i < n; ++i) {
            RtreeEntry e;
            e.id = i * 16 + 1;
            double x = -180 + 360 * u(rng), y = -90 + 180 * u(rng), t = 700 * u(rng);
            double boxes[6] = {x, x + 3 * u(rng), y, y + 2 * u(rng), t, t + 0.001 * u(rng)};
            std::copy(boxes, boxes + 6, e.box);
            e.aux = e.id * 3;
            entries.push_back(e);
        }
        const auto copy = entries;
        {
            Transaction tx(db);
            rtree_bulk_load(db, "t", entries);
            tx.commit();
        }
        check_tree(db);
        for (int k = 0; k < 30; ++k) {
            double x = -180 + 360 * u(rng), y = -90 + 180 * u(rng), t = 700 * u(rng);
            double q[6] = {x, x + 20 * u(rng), y, y + 20 * u(rng), t, t + 100 * u(rng)};
            std::set<std::int64_t> want;
            for (const auto& e : copy)
                if (e.box[0] <= q[1] && e.box[1] >= q[0] && e.box[2] <= q[3] && e.box[3] >= q[2] &&
                    e.box[4] <= q[5] && e.box[5] >= q[4])
                    want.insert(e.id);
            // The tree may return extra boxes only through float rounding at the edges;
            // every true hit must be there.
            auto got = query(db, q);
            for (auto id : want) BOOST_REQUIRE(got.count(id));
            BOOST_CHECK_LE(got.size(), want.size() + 2);
        }
    }
    // Ordinary writes keep working on a bulk-built tree.
    db.exec("INSERT INTO t VALUES(7, 0, 1, 0, 1, 0, 1, 21)");
    db.exec("DELETE FROM t WHERE eid < 16000");  // about 1000 entries
    for (int i = 0; i < 2000; ++i)
        db.exec("INSERT INTO t VALUES(" + std::to_string(10'000'000 + i) + ", 0, 1, 0, 1, 0, 1, " +
                std::to_string((10'000'000 + i) * 3) + ")");
    check_tree(db);
}

BOOST_AUTO_TEST_SUITE_END()
