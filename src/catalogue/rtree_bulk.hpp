#pragma once
// Private: bottom-up (STR) bulk loading of an SQLite R*Tree virtual table.
//
// SQLite's R*Tree inserts one entry at a time with forced reinsertion, about 17 us per
// entry on this hardware: the single largest cost of a bulk ingest. Packing the tree
// bottom-up with Sort-Tile-Recursive writes each node once, in a fraction of that time, and
// yields better-shaped nodes than incremental insertion. The shadow tables (%_node,
// %_rowid, %_parent) are written in SQLite's documented R*Tree format; `SELECT
// rtreecheck(...)` verifies the result in the tests.

#include "catalogue/sqlite.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace creodias::detail {

/// One leaf entry: id, then (min, max) per dimension, then integer auxiliary values.
struct RtreeEntry {
    std::int64_t id = 0;
    double box[6] = {0, 0, 0, 0, 0, 0};  // min0, max0, min1, max1, min2, max2
    std::int64_t aux = 0;                 // the single auxiliary column (a0)
};

/// Replaces the whole content of the 3-dimensional R*Tree `table` (with exactly one
/// auxiliary column) by `entries`, packed bottom-up. Must run inside a write transaction;
/// `entries` is reordered. Throws StorageError on a table of another shape.
void rtree_bulk_load(Database& db, const std::string& table, std::vector<RtreeEntry>& entries);

}  // namespace creodias::detail
