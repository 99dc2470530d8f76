#include "catalogue/grid_index.hpp"

#include <creodias/error.hpp>

#include <algorithm>
#include <cmath>
#include <cstring>

namespace creodias::detail::grid {

namespace {

// Header layout (little-endian, kHeaderSize bytes):
//   0 float west, 4 east, 8 south, 12 north, 16 i64 rid, 24 start_us, 32 end_us,
//   40 published_us, 48 f64 cloud, 56 u32 collection id, 60 u32 end of the WKB in geo.
constexpr std::size_t kOffRid = 16, kOffStart = 24, kOffEnd = 32, kOffPublished = 40, kOffCloud = 48,
                      kOffCid = 56, kOffGeoEnd = 60;
static_assert(kOffGeoEnd + 4 == kHeaderSize);

// Cell key: level in bits 20..23, row in 10..19, column in 0..9 (kMaxLevel <= 10).
constexpr int kRowShift = 10, kLevelShift = 20;
static_assert(kMaxLevel <= 10);
// Row id: cell in bits 39..62, time bucket + kTimeBucketBias in 24..38, sequence in 0..23.
constexpr int kCellShift = 39;
static_assert(kBucketShift == 24 && kMaxSequence == (std::int64_t{1} << kBucketShift) - 1);

std::int64_t cell_key(int level, std::int64_t row, std::int64_t col) {
    return (static_cast<std::int64_t>(level) << kLevelShift) | (row << kRowShift) | col;
}

double cell_width(int level) { return 360.0 / static_cast<double>(std::int64_t{1} << level); }
double cell_height(int level) { return 180.0 / static_cast<double>(std::int64_t{1} << level); }

std::int64_t clamp_index(double v, std::int64_t n) {
    if (!(v >= 0)) return 0;  // also NaN
    if (v >= static_cast<double>(n)) return n - 1;
    return static_cast<std::int64_t>(v);
}

// Boxes are at most this fraction of a cell at their level, so that rounding in the
// corner-to-cell arithmetic (about 1e-13 here) cannot move an entry out of the cells a
// search reads.
constexpr double kFit = 1.0 - 1e-9;

template <typename T>
T load(const char* p) {
    T v;
    std::memcpy(&v, p, sizeof v);
    return v;
}
template <typename T>
void store(char* p, T v) {
    std::memcpy(p, &v, sizeof v);
}

float round_down(double v) {
    float f = static_cast<float>(v);
    if (static_cast<double>(f) > v) f = std::nextafter(f, -std::numeric_limits<float>::infinity());
    return f;
}
float round_up(double v) {
    float f = static_cast<float>(v);
    if (static_cast<double>(f) < v) f = std::nextafter(f, std::numeric_limits<float>::infinity());
    return f;
}

[[noreturn]] void corrupt(const char* why) {
    throw StorageError(Errc::database, "catalogue", std::string("corrupt spatial index row: ") + why);
}

}  // namespace

std::int64_t time_bucket(std::int64_t us) {
    std::int64_t q = us / kTimeBucketUs;
    if (us % kTimeBucketUs < 0) --q;  // floor
    // Clamped to what a row id holds (years -14414..18353): a monotone map, so range
    // membership is kept.
    return std::clamp(q, -kTimeBucketBias, kTimeBucketBias - 1);
}

std::int64_t row_id(std::int64_t cell, std::int64_t bucket, std::int64_t seq) {
    return (cell << kCellShift) | ((bucket + kTimeBucketBias) << kBucketShift) | seq;
}


int level_of(const BBox& b) {
    const double dx = b.east - b.west, dy = b.north - b.south;
    int level = 0;
    while (level < kMaxLevel && dx <= cell_width(level + 1) * kFit && dy <= cell_height(level + 1) * kFit) ++level;
    return level;
}

Slot slot_of(const BBox& b, std::int64_t start_us) {
    const int level = level_of(b);
    const std::int64_t n = std::int64_t{1} << level;
    const std::int64_t col = clamp_index((b.west + 180.0) / cell_width(level), n);
    const std::int64_t row = clamp_index((b.south + 90.0) / cell_height(level), n);
    return Slot{cell_key(level, row, col), time_bucket(start_us)};
}

void set_box(Entry& e, const BBox& b) {
    e.west = round_down(b.west);
    e.east = round_up(b.east);
    e.south = round_down(b.south);
    e.north = round_up(b.north);
}

void cells_for_query(const BBox& q, std::vector<CellRange>& out) {
    out.push_back(CellRange{cell_key(0, 0, 0), cell_key(0, 0, 0)});  // level 0: one cell
    for (int level = 1; level <= kMaxLevel; ++level) {
        const std::int64_t n = std::int64_t{1} << level;
        const double w = cell_width(level), h = cell_height(level);
        // An entry meeting the query has its corner at most one cell (minus kFit) west or
        // south of the query's corner, and not east or north of its far corner.
        const std::int64_t c0 = std::max<std::int64_t>(0, clamp_index((q.west + 180.0) / w, n) - 1);
        const std::int64_t c1 = clamp_index((q.east + 180.0) / w, n);
        const std::int64_t r0 = std::max<std::int64_t>(0, clamp_index((q.south + 90.0) / h, n) - 1);
        const std::int64_t r1 = clamp_index((q.north + 90.0) / h, n);
        for (std::int64_t r = r0; r <= r1; ++r) out.push_back(CellRange{cell_key(level, r, c0), cell_key(level, r, c1)});
    }
}

BucketView::BucketView(std::string_view header, std::string_view geo)
    : header_(header), geo_(geo), count_(header.size() / kHeaderSize) {}

Entry BucketView::header(std::size_t k) const {
    const char* p = header_.data() + k * kHeaderSize;
    Entry e;
    e.west = load<float>(p);
    e.east = load<float>(p + 4);
    e.south = load<float>(p + 8);
    e.north = load<float>(p + 12);
    e.rid = load<std::int64_t>(p + kOffRid);
    e.start_us = load<std::int64_t>(p + kOffStart);
    e.end_us = load<std::int64_t>(p + kOffEnd);
    e.published_us = load<std::int64_t>(p + kOffPublished);
    e.cloud = load<double>(p + kOffCloud);
    e.cid = load<std::uint32_t>(p + kOffCid);
    return e;
}

std::string_view BucketView::wkb(std::size_t k) const {
    const auto end = load<std::uint32_t>(header_.data() + k * kHeaderSize + kOffGeoEnd);
    const std::uint32_t begin = k ? load<std::uint32_t>(header_.data() + (k - 1) * kHeaderSize + kOffGeoEnd) : 0;
    return geo_.substr(begin, end - begin);
}

void BucketView::check_headers() const {
    if (header_.size() % kHeaderSize != 0 || count_ == 0) corrupt("bad header size");
}

void BucketView::check() const {
    check_headers();
    std::uint32_t prev = 0;
    for (std::size_t k = 0; k < count_; ++k) {
        const auto end = load<std::uint32_t>(header_.data() + k * kHeaderSize + kOffGeoEnd);
        if (end < prev || end > geo_.size()) corrupt("bad footprint offsets");
        prev = end;
    }
    if (prev != geo_.size()) corrupt("footprint bytes do not add up");
}

void BucketBuilder::add(const Entry& e) {
    const std::size_t at = header_.size();
    header_.resize(at + kHeaderSize);
    char* p = header_.data() + at;
    store(p, e.west);
    store(p + 4, e.east);
    store(p + 8, e.south);
    store(p + 12, e.north);
    store(p + kOffRid, e.rid);
    store(p + kOffStart, e.start_us);
    store(p + kOffEnd, e.end_us);
    store(p + kOffPublished, e.published_us);
    store(p + kOffCloud, e.cloud);
    store(p + kOffCid, e.cid);
    geo_.append(e.wkb.data(), e.wkb.size());
    if (geo_.size() > std::numeric_limits<std::uint32_t>::max()) corrupt("row too large");
    store(p + kOffGeoEnd, static_cast<std::uint32_t>(geo_.size()));
}

void BucketBuilder::add_all(const BucketView& view, std::int64_t rid_to_skip) {
    for (std::size_t k = 0; k < view.size(); ++k) {
        Entry e = view.header(k);
        if (e.rid == rid_to_skip) continue;
        e.wkb = view.wkb(k);
        add(e);
    }
}

void EntryBatch::add(const Entry& e, const BBox& part) {
    Pending p{slot_of(part, e.start_us), e, wkb_.size(), e.wkb.size()};
    set_box(p.entry, part);
    p.entry.wkb = {};
    wkb_.append(e.wkb.data(), e.wkb.size());
    pending_.push_back(p);
}

void EntryBatch::drain(const std::function<void(const Slot&, const BucketBuilder&)>& write_row) {
    std::sort(pending_.begin(), pending_.end(), [](const Pending& a, const Pending& b) {
        if (a.slot.cell != b.slot.cell) return a.slot.cell < b.slot.cell;
        if (a.slot.time_bucket != b.slot.time_bucket) return a.slot.time_bucket < b.slot.time_bucket;
        return a.entry.rid < b.entry.rid;
    });
    BucketBuilder row;
    for (std::size_t k = 0; k < pending_.size(); ++k) {
        Pending& pe = pending_[k];
        pe.entry.wkb = std::string_view(wkb_).substr(pe.wkb_offset, pe.wkb_size);
        row.add(pe.entry);
        if (row.size() == kBucketCapacity || k + 1 == pending_.size() || !(pending_[k + 1].slot == pe.slot)) {
            write_row(pe.slot, row);
            row.clear();
        }
    }
    clear();
}

void EntryBatch::clear() {
    pending_.clear();
    pending_.shrink_to_fit();
    wkb_.clear();
    wkb_.shrink_to_fit();
}

}  // namespace creodias::detail::grid
