#include "catalogue/rtree_bulk.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

namespace creodias::detail {

namespace {

constexpr int kDims = 3;
constexpr int kCellBytes = 8 + kDims * 2 * 4;

// SQLite stores R*Tree coordinates as 32-bit floats rounded outwards (lower bounds down,
// upper bounds up), so the stored box always contains the true one.
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

void put_be16(unsigned char* p, unsigned v) {
    p[0] = static_cast<unsigned char>(v >> 8);
    p[1] = static_cast<unsigned char>(v);
}
void put_be64(unsigned char* p, std::uint64_t v) {
    for (int k = 7; k >= 0; --k, v >>= 8) p[k] = static_cast<unsigned char>(v);
}
void put_bef(unsigned char* p, float f) {
    std::uint32_t v;
    std::memcpy(&v, &f, 4);
    p[0] = static_cast<unsigned char>(v >> 24);
    p[1] = static_cast<unsigned char>(v >> 16);
    p[2] = static_cast<unsigned char>(v >> 8);
    p[3] = static_cast<unsigned char>(v);
}

struct Cell {
    std::int64_t id;  // entry id (leaf) or child node number (internal)
    float box[kDims * 2];
};

double center(const Cell& c, int d) { return (static_cast<double>(c.box[2 * d]) + c.box[2 * d + 1]) * 0.5; }

// Sort-Tile-Recursive: orders cells so that consecutive runs of `fanout` form compact nodes.
void str_order(std::vector<Cell>::iterator first, std::vector<Cell>::iterator last, int dim, std::size_t fanout) {
    const std::size_t n = static_cast<std::size_t>(last - first);
    if (dim >= kDims || n <= fanout) return;
    std::sort(first, last, [dim](const Cell& a, const Cell& b) { return center(a, dim) < center(b, dim); });
    const double pages = std::ceil(static_cast<double>(n) / static_cast<double>(fanout));
    const double slabs = std::ceil(std::pow(pages, 1.0 / (kDims - dim)));
    std::size_t per_slab = static_cast<std::size_t>(std::ceil(pages / slabs)) * fanout;
    for (std::size_t s = 0; s < n; s += per_slab)
        str_order(first + static_cast<std::ptrdiff_t>(s), first + static_cast<std::ptrdiff_t>(std::min(n, s + per_slab)),
                  dim + 1, fanout);
}

}  // namespace

void rtree_bulk_load(Database& db, const std::string& table, std::vector<RtreeEntry>& entries) {
    // Node size is fixed when the table is created: the length of the root node's blob.
    auto ns = db.prepare(fmt::format("SELECT length(data) FROM \"{}_node\" WHERE nodeno = 1", table));
    if (!ns.step()) throw StorageError(Errc::database, "sqlite", "R*Tree " + table + " has no root node");
    const int node_bytes = static_cast<int>(ns.i64(0));
    ns = Statement();
    const int capacity = (node_bytes - 4) / kCellBytes;
    if (capacity < 4) throw StorageError(Errc::database, "sqlite", "unexpected R*Tree node size");
    // Leave some room in every node so that later single inserts rarely split at once.
    const std::size_t fanout = static_cast<std::size_t>(std::max(4, capacity * 9 / 10));

    db.exec(fmt::format("DELETE FROM \"{0}_node\"; DELETE FROM \"{0}_rowid\"; DELETE FROM \"{0}_parent\";", table));
    auto put_node = db.prepare(fmt::format("INSERT INTO \"{}_node\"(nodeno, data) VALUES(?, ?)", table));
    auto put_rowid = db.prepare(fmt::format("INSERT INTO \"{}_rowid\"(rowid, nodeno, a0) VALUES(?, ?, ?)", table));
    auto put_parent = db.prepare(fmt::format("INSERT INTO \"{}_parent\"(nodeno, parentnode) VALUES(?, ?)", table));

    std::vector<unsigned char> blob(static_cast<std::size_t>(node_bytes));
    auto write_node = [&](std::int64_t nodeno, const Cell* cells, std::size_t n, int depth) {
        std::fill(blob.begin(), blob.end(), 0);
        put_be16(blob.data(), static_cast<unsigned>(depth));  // meaningful for the root only
        put_be16(blob.data() + 2, static_cast<unsigned>(n));
        unsigned char* p = blob.data() + 4;
        for (std::size_t k = 0; k < n; ++k, p += kCellBytes) {
            put_be64(p, static_cast<std::uint64_t>(cells[k].id));
            for (int d = 0; d < kDims * 2; ++d) put_bef(p + 8 + 4 * d, cells[k].box[d]);
        }
        put_node.reset();
        put_node.bind(1, nodeno).bind_blob(2, std::string_view(reinterpret_cast<const char*>(blob.data()), blob.size()));
        put_node.step();
        put_node.reset();
    };

    if (entries.empty()) {
        write_node(1, nullptr, 0, 0);
        return;
    }

    std::vector<Cell> level;
    level.reserve(entries.size());
    for (const auto& e : entries) {
        Cell c{e.id, {}};
        for (int d = 0; d < kDims; ++d) {
            c.box[2 * d] = round_down(e.box[2 * d]);
            c.box[2 * d + 1] = round_up(e.box[2 * d + 1]);
        }
        level.push_back(c);
    }
    // Entry id -> aux value, looked up when the leaf of each entry is known.
    std::sort(entries.begin(), entries.end(), [](const RtreeEntry& a, const RtreeEntry& b) { return a.id < b.id; });
    auto aux_of = [&](std::int64_t id) {
        auto it = std::lower_bound(entries.begin(), entries.end(), id,
                                   [](const RtreeEntry& e, std::int64_t v) { return e.id < v; });
        return it != entries.end() && it->id == id ? it->aux : 0;
    };

    // Count levels first: the root must be node 1 and carry the depth.
    std::size_t n = level.size();
    int depth = 0;
    while (n > static_cast<std::size_t>(capacity)) {
        n = (n + fanout - 1) / fanout;
        ++depth;
    }
    // Leaf locations are written at the end in id order: sequential appends to the %_rowid
    // B-tree instead of one random insert per entry.
    std::vector<std::pair<std::int64_t, std::int64_t>> rowids;
    rowids.reserve(entries.size());
    std::int64_t next_nodeno = 2;
    bool leaves = true;
    while (true) {
        const bool root_level = level.size() <= static_cast<std::size_t>(capacity);
        if (root_level) {
            write_node(1, level.data(), level.size(), depth);
            for (const auto& c : level) {
                if (leaves) {
                    rowids.emplace_back(c.id, 1);
                } else {
                    put_parent.reset();
                    put_parent.bind(1, c.id).bind(2, std::int64_t{1});
                    put_parent.step();
                }
            }
            break;
        }
        str_order(level.begin(), level.end(), 0, fanout);
        std::vector<Cell> parents;
        parents.reserve(level.size() / fanout + 1);
        for (std::size_t s = 0; s < level.size(); s += fanout) {
            const std::size_t cnt = std::min(fanout, level.size() - s);
            const std::int64_t nodeno = next_nodeno++;
            write_node(nodeno, &level[s], cnt, 0);
            Cell parent{nodeno, {}};
            for (int d = 0; d < kDims; ++d) {
                parent.box[2 * d] = std::numeric_limits<float>::infinity();
                parent.box[2 * d + 1] = -std::numeric_limits<float>::infinity();
            }
            for (std::size_t k = s; k < s + cnt; ++k) {
                for (int d = 0; d < kDims; ++d) {
                    parent.box[2 * d] = std::min(parent.box[2 * d], level[k].box[2 * d]);
                    parent.box[2 * d + 1] = std::max(parent.box[2 * d + 1], level[k].box[2 * d + 1]);
                }
                if (leaves) {
                    rowids.emplace_back(level[k].id, nodeno);
                } else {
                    put_parent.reset();
                    put_parent.bind(1, level[k].id).bind(2, nodeno);
                    put_parent.step();
                }
            }
            parents.push_back(parent);
        }
        // The parent links of this level's nodes are written when their parents are.
        level = std::move(parents);
        leaves = false;
    }
    std::sort(rowids.begin(), rowids.end());
    for (const auto& [id, nodeno] : rowids) {
        put_rowid.reset();
        put_rowid.bind(1, id).bind(2, nodeno).bind(3, aux_of(id));
        put_rowid.step();
    }
}

}  // namespace creodias::detail
