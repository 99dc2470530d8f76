// The catalogue's spatio-temporal index: a multi-level grid of buckets.
//
// Every footprint part (a footprint split at the antimeridian has two) becomes one entry.
// An entry lives at the finest level whose cells are at least as large as its bounding box
// (so the box spans at most 2 x 2 cells there), in the cell that holds the box's south-west
// corner, and in the time bucket (a 365.25-day period) of its sensing start. Entries of one
// (cell, time bucket) are packed into rows of at most kBucketCapacity entries, each row a
// fixed-size header array (box, rid, times, cloud, collection) plus the footprints' WKB in
// a second column, read only for rows with candidate entries. The rows sit in a rowid
// table whose integer key packs (cell, time bucket, sequence): SQLite's index B-trees copy
// a whole overflowing record to compare keys, a rowid table compares integers.
//
// Why not an R*Tree: a point search over all time (thousands of hits) then reads a few
// hundred rows sequentially and tests the packed headers in memory, instead of one product
// row lookup per hit for the filters and the exact test, which dominated the search time.
//
// A search visits, at every level, the cells whose south-west-corner entries may reach the
// query box: the cells under the box plus one row and one column to the west and south.

#pragma once

#include <creodias/geometry.hpp>

#include <cstdint>
#include <functional>
#include <limits>
#include <string>
#include <string_view>
#include <vector>

namespace creodias::detail::grid {

constexpr int kMaxLevel = 10;                 // cells of 0.35 x 0.18 degrees
constexpr std::size_t kBucketCapacity = 64;   // entries per row
constexpr std::size_t kHeaderSize = 64;       // bytes per entry header
constexpr std::int64_t kNoTime = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kTimeBucketUs = 31557600LL * 1000000LL;  // 365.25 days

/// One index entry. Absent publication time: kNoTime; absent cloud cover: NaN.
struct Entry {
    float west = 0, east = 0, south = 0, north = 0;  // rounded outward from the part's box
    std::int64_t rid = 0;
    std::int64_t start_us = 0, end_us = 0, published_us = kNoTime;
    double cloud = 0;
    std::uint32_t cid = 0;
    std::string_view wkb;  // the whole footprint
};

/// Where an entry is stored.
struct Slot {
    std::int64_t cell = 0;
    std::int64_t time_bucket = 0;
    friend bool operator==(const Slot& a, const Slot& b) {
        return a.cell == b.cell && a.time_bucket == b.time_bucket;
    }
};

std::int64_t time_bucket(std::int64_t us);

/// Rows are keyed by one integer, ordered by cell, then time bucket, then sequence number:
/// the bucket is ((id >> kBucketShift) & kBucketMask) - kTimeBucketBias.
constexpr int kBucketShift = 24;
constexpr std::int64_t kMaxSequence = (std::int64_t{1} << kBucketShift) - 1;
constexpr std::int64_t kTimeBucketBias = std::int64_t{1} << 14;
constexpr std::int64_t kBucketMask = 2 * kTimeBucketBias - 1;
std::int64_t row_id(std::int64_t cell, std::int64_t time_bucket, std::int64_t seq);
/// Level, then cell, of a part's bounding box (west <= east, inside the WGS84 range).
int level_of(const BBox& part);
Slot slot_of(const BBox& part, std::int64_t start_us);
/// Float box containing `part`.
void set_box(Entry& e, const BBox& part);

/// An inclusive range of cell keys: one row of cells of one level.
struct CellRange {
    std::int64_t first, last;
};
/// The cell ranges a search for boxes meeting `query` must read, over all levels.
void cells_for_query(const BBox& query, std::vector<CellRange>& out);

/// Read-only view of one row's packed entries.
class BucketView {
public:
    BucketView(std::string_view header, std::string_view geo);
    std::size_t size() const { return count_; }
    /// Entry k without its WKB (cheap).
    Entry header(std::size_t k) const;
    /// WKB of entry k.
    std::string_view wkb(std::size_t k) const;
    /// Throws StorageError when the header array is not whole entries (corrupt database).
    void check_headers() const;
    /// check_headers(), and the footprint offsets against the geo blob.
    void check() const;

private:
    std::string_view header_, geo_;
    std::size_t count_;
};

/// Builds one row's blobs.
class BucketBuilder {
public:
    void add(const Entry& e);
    /// Copies every entry of `view` except those of `rid_to_skip` (when >= 0).
    void add_all(const BucketView& view, std::int64_t rid_to_skip = -1);
    std::size_t size() const { return header_.size() / kHeaderSize; }
    bool empty() const { return header_.empty(); }
    const std::string& header() const { return header_; }
    const std::string& geo() const { return geo_; }
    void clear() {
        header_.clear();
        geo_.clear();
    }

private:
    std::string header_, geo_;
};

/// Entries gathered in memory and written in slot order (bulk loads).
class EntryBatch {
public:
    /// Adds `e` (its WKB copied) under the box `part` of its footprint.
    void add(const Entry& e, const BBox& part);
    /// Memory held, in bytes.
    std::size_t bytes() const { return wkb_.size() + pending_.size() * sizeof(Pending); }
    bool empty() const { return pending_.empty(); }
    /// Sorts by slot, then rid, and hands over full rows (at most kBucketCapacity entries
    /// each; the last row of a slot may be partly filled); then clears the batch.
    void drain(const std::function<void(const Slot&, const BucketBuilder&)>& write_row);
    void clear();

private:
    struct Pending {
        Slot slot;
        Entry entry;            // its wkb is set when drained
        std::size_t wkb_offset;  // in wkb_
        std::size_t wkb_size;
    };
    std::vector<Pending> pending_;
    std::string wkb_;
};

}  // namespace creodias::detail::grid
