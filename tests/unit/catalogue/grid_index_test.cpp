// The grid index's two promises: a search reads every cell that can hold an entry meeting
// its box (checked against a brute-force intersection test on random and edge-case boxes),
// and packed rows give back exactly what was put in.

#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>

#include "catalogue/grid_index.hpp"

#include <cmath>
#include <random>

using namespace creodias;
namespace grid = creodias::detail::grid;

namespace {
bool meets(const BBox& a, const BBox& b) {
    return a.west <= b.east && a.east >= b.west && a.south <= b.north && a.north >= b.south;
}
bool reads(const std::vector<grid::CellRange>& ranges, std::int64_t cell) {
    for (const auto& r : ranges)
        if (cell >= r.first && cell <= r.last) return true;
    return false;
}
BBox random_box(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    // Sizes from zero (points) to whole-globe, including exact cell sizes 360/2^k, 180/2^k.
    auto size = [&](double full) {
        const int pick = static_cast<int>(rng() % 4);
        if (pick == 0) return 0.0;
        if (pick == 1) return full / static_cast<double>(std::int64_t{1} << (rng() % 12));
        return full * std::pow(u(rng), 4);
    };
    const double w = size(360), h = size(180);
    // Corners anywhere, sometimes exactly on cell lines or on the range limits.
    auto corner = [&](double lo, double span, double extent) {
        if (rng() % 5 == 0) return lo + span - extent;  // touching the east/north limit
        if (rng() % 5 == 0) {
            const double cell = span / static_cast<double>(std::int64_t{1} << (rng() % 11));
            return std::min(lo + span - extent, lo + cell * static_cast<double>(rng() % 2048 % (static_cast<int>(span / cell) + 1)));
        }
        return lo + (span - extent) * u(rng);
    };
    const double west = corner(-180, 360, w), south = corner(-90, 180, h);
    return BBox{west, south, std::min(180.0, west + w), std::min(90.0, south + h)};
}
}  // namespace

BOOST_AUTO_TEST_SUITE(grid_index)

BOOST_AUTO_TEST_CASE(searches_read_every_cell_that_can_hold_a_match) {
    std::mt19937_64 rng(7);
    std::vector<BBox> entries;
    for (int i = 0; i < 3000; ++i) entries.push_back(random_box(rng));
    std::vector<grid::CellRange> ranges;
    int checked = 0;
    for (int qi = 0; qi < 600; ++qi) {
        const BBox q = random_box(rng);
        ranges.clear();
        grid::cells_for_query(q, ranges);
        for (const auto& e : entries) {
            if (!meets(e, q)) continue;
            ++checked;
            const auto slot = grid::slot_of(e, 0);
            BOOST_TEST_CONTEXT("entry " << e.west << "," << e.south << "," << e.east << "," << e.north << " query "
                                        << q.west << "," << q.south << "," << q.east << "," << q.north)
            BOOST_CHECK(reads(ranges, slot.cell));
        }
    }
    BOOST_TEST_MESSAGE(checked << " intersecting pairs checked");
    BOOST_CHECK_GT(checked, 10000);
}

BOOST_AUTO_TEST_CASE(levels_fit_boxes) {
    BOOST_CHECK_EQUAL(grid::level_of(BBox{-180, -90, 180, 90}), 0);
    BOOST_CHECK_EQUAL(grid::level_of(BBox{10, 10, 10, 10}), grid::kMaxLevel);
    // A Sentinel-2 tile (about 1.5 x 1 degrees) at mid-latitudes.
    // Fits its level, not the next one.
    const int s2 = grid::level_of(BBox{10.0, 50.0, 11.5, 51.0});
    BOOST_CHECK_EQUAL(s2, 7);  // 2.8 x 1.4-degree cells; level 8 is 1.4 x 0.7
    BOOST_CHECK(1.5 <= 360.0 / std::pow(2, s2) && 1.0 <= 180.0 / std::pow(2, s2));
    BOOST_CHECK(1.5 > 360.0 / std::pow(2, s2 + 1) || 1.0 > 180.0 / std::pow(2, s2 + 1));
    // A box exactly one cell wide does not fit that level (kFit margin): one level up.
    BOOST_CHECK_EQUAL(grid::level_of(BBox{0, 0, 360.0 / 8, 0}), 2);
}

BOOST_AUTO_TEST_CASE(time_buckets_floor) {
    BOOST_CHECK_EQUAL(grid::time_bucket(0), 0);
    BOOST_CHECK_EQUAL(grid::time_bucket(-1), -1);
    BOOST_CHECK_EQUAL(grid::time_bucket(grid::kTimeBucketUs), 1);
    BOOST_CHECK_EQUAL(grid::time_bucket(grid::kTimeBucketUs - 1), 0);
    BOOST_CHECK_EQUAL(grid::time_bucket(-grid::kTimeBucketUs), -1);
    BOOST_CHECK_EQUAL(grid::time_bucket(-grid::kTimeBucketUs - 1), -2);
}

BOOST_AUTO_TEST_CASE(boxes_round_outward) {
    grid::Entry e;
    const BBox b{10.1, -33.3, 10.7, -32.9};
    grid::set_box(e, b);
    BOOST_CHECK_LE(e.west, b.west);
    BOOST_CHECK_GE(e.east, b.east);
    BOOST_CHECK_LE(e.south, b.south);
    BOOST_CHECK_GE(e.north, b.north);
    BOOST_CHECK_LT(b.west - e.west, 1e-5);
}

BOOST_AUTO_TEST_CASE(rows_round_trip_and_drop_one_product) {
    grid::BucketBuilder row;
    std::vector<std::string> wkbs;
    for (int i = 0; i < 5; ++i) wkbs.push_back(std::string(static_cast<size_t>(20 + i * 7), static_cast<char>('a' + i)));
    for (int i = 0; i < 5; ++i) {
        grid::Entry e;
        grid::set_box(e, BBox{i * 1.0, i * 2.0, i * 1.0 + 0.5, i * 2.0 + 0.5});
        e.rid = 100 + i % 4;  // rid 100 twice (two parts)
        e.start_us = 1000 * i;
        e.end_us = 1000 * i + 5;
        e.published_us = i == 2 ? grid::kNoTime : 7;
        e.cloud = i == 3 ? std::nan("") : i * 10.0;
        e.cid = static_cast<std::uint32_t>(i + 1);
        e.wkb = wkbs[static_cast<size_t>(i)];
        row.add(e);
    }
    grid::BucketView view(row.header(), row.geo());
    BOOST_CHECK_NO_THROW(view.check());
    BOOST_REQUIRE_EQUAL(view.size(), 5u);
    for (size_t i = 0; i < 5; ++i) {
        const auto e = view.header(i);
        BOOST_CHECK_EQUAL(e.rid, 100 + static_cast<std::int64_t>(i % 4));
        BOOST_CHECK_EQUAL(e.start_us, 1000 * static_cast<std::int64_t>(i));
        BOOST_CHECK_EQUAL(e.cid, i + 1);
        BOOST_CHECK_EQUAL(view.wkb(i), wkbs[i]);
        if (i == 3) BOOST_CHECK(std::isnan(e.cloud));
        else BOOST_CHECK_EQUAL(e.cloud, static_cast<double>(i) * 10.0);
        BOOST_CHECK_EQUAL(e.published_us, i == 2 ? grid::kNoTime : 7);
    }
    grid::BucketBuilder rest;
    rest.add_all(view, 100);
    grid::BucketView after(rest.header(), rest.geo());
    BOOST_CHECK_NO_THROW(after.check());
    BOOST_REQUIRE_EQUAL(after.size(), 3u);
    BOOST_CHECK_EQUAL(after.header(0).rid, 101);
    BOOST_CHECK_EQUAL(after.wkb(2), wkbs[3]);
}

BOOST_AUTO_TEST_CASE(corrupt_rows_are_reported) {
    grid::BucketBuilder row;
    grid::Entry e;
    e.wkb = "0123456789";
    row.add(e);
    const std::string header = row.header();
    BOOST_CHECK_THROW(grid::BucketView(header, "short").check(), StorageError);
    BOOST_CHECK_THROW(grid::BucketView(header.substr(0, 63), row.geo()).check(), StorageError);
    BOOST_CHECK_THROW(grid::BucketView("", "").check(), StorageError);
}

BOOST_AUTO_TEST_SUITE_END()
