// Every query feature of the embedded catalogue checked against a brute-force oracle on
// random data: the oracle filters an in-memory list with GDAL/OGR geometry predicates (an
// implementation independent of the store's grid + GEOS plan) and plain comparisons,
// then sorts. Pages are followed through cursors and must reproduce the oracle's order.

#include <boost/test/unit_test.hpp>

#include <creodias/catalogue_store.hpp>
#include <creodias/error.hpp>
#include <creodias/query.hpp>

#include "support/fixtures.hpp"

#include <ogr_geometry.h>

#include <algorithm>
#include <functional>
#include <cmath>
#include <map>
#include <memory>
#include <random>
#include <set>

using namespace creodias;

namespace {

struct OgrDeleter {
    void operator()(OGRGeometry* g) const { OGRGeometryFactory::destroyGeometry(g); }
};
using OgrPtr = std::unique_ptr<OGRGeometry, OgrDeleter>;

OgrPtr ogr(const Geometry& g) {
    OGRGeometry* out = nullptr;
    std::string wkt = g.to_wkt();
    const char* p = wkt.c_str();
    BOOST_REQUIRE(OGRGeometryFactory::createFromWkt(&p, nullptr, &out) == OGRERR_NONE);
    return OgrPtr(out);
}

// Sensing starts spread over about 3.4 years from 2020-01-01, in whole hours.
constexpr std::uint64_t kSpanHours = 30000;

const std::vector<std::string> kCollections = {"SENTINEL-1", "SENTINEL-2", "SENTINEL-3", "LANDSAT-8"};
const std::vector<std::string> kTypes = {"S2MSI1C", "S2MSI2A", "IW_GRDH_1S", "OL_1_EFR___", "L2SP"};
const std::vector<std::string> kTiles = {"31UFS", "33TUM", "01KAB", "T60", "198024"};

Geometry quad(double lon, double lat, double w, double h, double skew) {
    Geometry::Ring r{{lon, lat}, {lon + w, lat + skew}, {lon + w + skew, lat + h}, {lon + skew, lat + h - skew}, {lon, lat}};
    return Geometry(GeometryType::polygon, {{r}});
}

Product random_product(std::mt19937_64& rng, int i) {
    std::uniform_real_distribution<double> u(0, 1);
    Product p;
    p.name = "SYN_" + std::to_string(i) + "_PRODUCT.SAFE";
    p.id = "id-" + std::to_string(i);
    p.collection = kCollections[rng() % kCollections.size()];
    p.product_type = kTypes[rng() % kTypes.size()];
    p.platform = p.collection + (rng() % 2 ? "A" : "B");
    p.instrument = rng() % 2 ? "MSI" : "SAR";
    double kind = u(rng);
    Geometry raw;
    if (kind < 0.1) {
        // Crosses the antimeridian.
        double lat = -60 + 120 * u(rng);
        raw = quad(178 + u(rng) * 1.5, lat, 1 + 3 * u(rng), 1 + 3 * u(rng), u(rng) * 0.3);
    } else if (kind < 0.14) {
        // Encircles the north or south pole: a ring of latitude.
        double lat = 75 + 10 * u(rng);
        if (rng() % 2) lat = -lat;
        Geometry::Ring r;
        for (int k = 0; k <= 12; ++k) r.push_back({-180.0 + 30.0 * (k % 12) + 0.5, lat + u(rng)});
        r.back() = r.front();
        raw = Geometry(GeometryType::polygon, {{r}});
    } else {
        double lon = -170 + 335 * u(rng), lat = -70 + 135 * u(rng);
        if (kind < 0.7) lon = -10 + 40 * u(rng), lat = 35 + 30 * u(rng);  // dense region
        raw = quad(lon, lat, 0.2 + 4 * u(rng), 0.2 + 4 * u(rng), u(rng) * 0.5);
    }
    try {
        p.footprint = normalize_footprint(raw);
    } catch (const Error& e) {
        BOOST_FAIL("normalize_footprint(" << raw.to_wkt() << "): " << e.what());
    }
    std::int64_t t0 = Timestamp::from_civil(2020, 1, 1).us;
    // Coarse times so ties in the sort key occur and the tie-break is exercised.
    std::int64_t start = t0 + static_cast<std::int64_t>(rng() % kSpanHours) * 3600LL * 1000000LL;
    p.sensing_start = Timestamp{start};
    // Mostly seconds to minutes; one in 30 lasts up to 400 days (mosaics, composites), so
    // time-bounded searches must reach products that started long before the window,
    // across the index's yearly time buckets.
    p.sensing_end = Timestamp{start + (rng() % 30 == 0 ? static_cast<std::int64_t>(rng() % 400) * 86400LL * 1000000LL
                                                       : static_cast<std::int64_t>(rng() % 120) * 1000000LL)};
    if (rng() % 5) p.published = Timestamp{start + static_cast<std::int64_t>(rng() % 72) * 3600LL * 1000000LL};
    if (rng() % 3) p.updated = Timestamp{start + static_cast<std::int64_t>(rng() % 500) * 3600LL * 1000000LL};
    p.processing_level = rng() % 2 ? "LEVEL1" : "LEVEL2A";
    p.sensor_mode = rng() % 3 == 0 ? "IW" : "";
    if (rng() % 6) p.cloud_cover = static_cast<double>(rng() % 21) * 5.0;  // 0,5,...,100 (ties)
    if (rng() % 4) p.orbit_number = static_cast<std::int64_t>(rng() % 50000);
    if (rng() % 4) p.relative_orbit = static_cast<std::int64_t>(1 + rng() % 20);
    p.orbit_direction = static_cast<OrbitDirection>(rng() % 3);
    p.tile_id = kTiles[rng() % kTiles.size()];
    if (p.collection == "SENTINEL-1") p.polarisations = rng() % 2 ? std::vector<std::string>{"VV", "VH"} : std::vector<std::string>{"HH"};
    p.online = rng() % 5 != 0;
    return p;
}

struct RandomQuery {
    Query q;
    std::string text;  // for failure messages
};

RandomQuery random_query(std::mt19937_64& rng) {
    std::uniform_real_distribution<double> u(0, 1);
    RandomQuery r;
    Query& q = r.q;
    const std::int64_t t0 = Timestamp::from_civil(2020, 1, 1).us;
    auto maybe = [&](double prob) { return u(rng) < prob; };
    if (maybe(0.7)) {
        double kind = u(rng);
        if (kind < 0.15) {
            double w = 170 + 9 * u(rng), e = -180 + 9 * u(rng);  // crosses the antimeridian
            q.aoi = Geometry::from_bbox(BBox{w, -50 + 40 * u(rng), e, 10 + 40 * u(rng)});
            r.text += "aoi=crossing-bbox ";
        } else if (kind < 0.3) {
            q.aoi = Geometry::point(-10 + 40 * u(rng), 35 + 30 * u(rng));
            r.text += "aoi=point ";
        } else if (kind < 0.4) {
            q.aoi = Geometry::from_bbox(BBox{-180, 70, 180, 90});  // polar cap
            r.text += "aoi=polar ";
        } else if (kind < 0.55) {
            double lon = -10 + 30 * u(rng), lat = 35 + 25 * u(rng);
            Geometry::Ring tri{{lon, lat}, {lon + 8 * u(rng) + 1, lat + 1}, {lon + 2, lat + 6 * u(rng) + 1}, {lon, lat}};
            q.aoi = Geometry(GeometryType::polygon, {{tri}});
            r.text += "aoi=triangle ";
        } else {
            double lon = -15 + 45 * u(rng), lat = 30 + 30 * u(rng), s = 0.5 + 15 * u(rng);
            q.aoi = Geometry::from_bbox(BBox{lon, lat, std::min(180.0, lon + s), std::min(90.0, lat + s)});
            r.text += "aoi=bbox ";
        }
        double rel = u(rng);
        q.relation = rel < 0.7 ? SpatialRelation::intersects : rel < 0.85 ? SpatialRelation::within : SpatialRelation::contains;
        r.text += "rel=" + std::string(to_string(q.relation)) + " ";
    }
    if (maybe(0.5)) {
        std::int64_t a = t0 + static_cast<std::int64_t>(rng() % kSpanHours) * 3600LL * 1000000LL;
        std::int64_t b = a + static_cast<std::int64_t>(rng() % 800) * 3600LL * 1000000LL;
        if (maybe(0.8)) q.sensing.start = Timestamp{a};
        if (maybe(0.8)) q.sensing.end = Timestamp{b};
        q.sensing.start_inclusive = maybe(0.5);
        q.sensing.end_inclusive = maybe(0.5);
        r.text += "time ";
    }
    if (maybe(0.2)) {
        std::int64_t a = t0 + static_cast<std::int64_t>(rng() % kSpanHours) * 3600LL * 1000000LL;
        q.published.start = Timestamp{a};
        q.published.start_inclusive = maybe(0.5);
        r.text += "published ";
    }
    if (maybe(0.4)) {
        q.collections = {kCollections[rng() % kCollections.size()]};
        if (maybe(0.3)) q.collections.push_back(kCollections[rng() % kCollections.size()]);
        if (maybe(0.1)) q.collections = {"sentinel2"};  // alias form
        r.text += "collection ";
    }
    if (maybe(0.2)) q.product_types = {kTypes[rng() % kTypes.size()]}, r.text += "type ";
    if (maybe(0.1)) q.platforms = {kCollections[rng() % kCollections.size()] + "A"}, r.text += "platform ";
    if (maybe(0.1)) q.instruments = {rng() % 2 ? "msi" : "SAR"}, r.text += "instrument ";
    if (maybe(0.1)) q.processing_levels = {"level2a"}, r.text += "level ";
    if (maybe(0.05)) q.sensor_modes = {"IW"}, r.text += "mode ";
    if (maybe(0.05)) q.ids = {"id-" + std::to_string(rng() % 3000), "SYN_" + std::to_string(rng() % 3000) + "_PRODUCT.SAFE"}, r.text += "ids ";
    if (maybe(0.15)) {
        std::int64_t a = t0 + static_cast<std::int64_t>(rng() % kSpanHours) * 3600LL * 1000000LL;
        q.updated.start = Timestamp{a};
        if (maybe(0.5)) q.updated.end = Timestamp{a + static_cast<std::int64_t>(rng() % 1000) * 3600LL * 1000000LL};
        r.text += "updated ";
    }
    if (maybe(0.3)) q.cloud_max = static_cast<double>(rng() % 101), r.text += "cloudmax ";
    if (maybe(0.15)) q.cloud_min = static_cast<double>(rng() % 50), r.text += "cloudmin ";
    if (q.cloud_min && q.cloud_max && *q.cloud_min > *q.cloud_max) std::swap(*q.cloud_min, *q.cloud_max);
    if (maybe(0.1)) q.orbit_min = static_cast<std::int64_t>(rng() % 25000), q.orbit_max = *q.orbit_min + 20000, r.text += "orbit ";
    if (maybe(0.1)) q.relative_orbits = {static_cast<std::int64_t>(1 + rng() % 20)}, r.text += "relorbit ";
    if (maybe(0.1)) q.orbit_direction = rng() % 2 ? OrbitDirection::ascending : OrbitDirection::descending, r.text += "dir ";
    if (maybe(0.1)) q.tile_ids = {kTiles[rng() % kTiles.size()]}, r.text += "tile ";
    if (maybe(0.1)) q.polarisations = {"VH"}, r.text += "pol ";
    if (maybe(0.1)) q.online = maybe(0.5), r.text += "online ";
    if (maybe(0.1)) q.name_pattern = "SYN_1*", r.text += "name ";
    double s = u(rng);
    q.sort = s < 0.6 ? SortField::sensing_time : s < 0.8 ? SortField::publication_time : SortField::cloud_cover;
    q.order = maybe(0.5) ? SortOrder::ascending : SortOrder::descending;
    q.limit = 1 + rng() % 40;
    q.count = true;
    r.text += "sort=" + std::string(to_string(q.sort)) + (q.order == SortOrder::ascending ? "+" : "-");
    return r;
}

bool overlaps(const TimeRange& r, std::int64_t a, std::int64_t b) {
    if (r.start && (r.start_inclusive ? b < r.start->us : b <= r.start->us)) return false;
    if (r.end && (r.end_inclusive ? a > r.end->us : a >= r.end->us)) return false;
    return true;
}
bool in_range(const TimeRange& r, const std::optional<Timestamp>& t) {
    if (r.empty()) return true;
    if (!t) return false;
    return overlaps(r, t->us, t->us);
}

bool glob_match(const std::string& pat, const std::string& s) {
    // '*' only (what the random queries use), case-insensitive.
    auto star = pat.find('*');
    std::string prefix = pat.substr(0, star);
    return s.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), s.begin(),
                                                   [](char a, char b) { return std::toupper(a) == std::toupper(b); });
}

bool oracle_match(const Query& q, const Product& p, const OGRGeometry* aoi) {
    if (!q.collections.empty()) {
        bool ok = false;
        for (const auto& c : q.collections) ok |= canonical_collection(c) == p.collection;
        if (!ok) return false;
    }
    if (!q.product_types.empty() && std::find(q.product_types.begin(), q.product_types.end(), p.product_type) == q.product_types.end())
        return false;
    auto ieq_any = [](const std::vector<std::string>& vals, const std::string& v) {
        if (vals.empty()) return true;
        for (const auto& x : vals)
            if (x.size() == v.size() && std::equal(x.begin(), x.end(), v.begin(),
                                                   [](char a, char b) { return std::toupper(a) == std::toupper(b); }))
                return true;
        return false;
    };
    if (!ieq_any(q.platforms, p.platform) || !ieq_any(q.instruments, p.instrument) ||
        !ieq_any(q.processing_levels, p.processing_level) || !ieq_any(q.sensor_modes, p.sensor_mode))
        return false;
    if (!q.ids.empty()) {
        bool hit = false;
        for (const auto& i : q.ids) hit |= i == p.id || product_name_key(i) == p.name_key();
        if (!hit) return false;
    }
    if (!in_range(q.updated, p.updated)) return false;
    if (!overlaps(q.sensing, p.sensing_start.us, p.sensing_end.us)) return false;
    if (!in_range(q.published, p.published)) return false;
    if (q.cloud_min && (!p.cloud_cover || *p.cloud_cover < *q.cloud_min)) return false;
    if (q.cloud_max && (!p.cloud_cover || *p.cloud_cover > *q.cloud_max)) return false;
    if (q.orbit_min && (!p.orbit_number || *p.orbit_number < *q.orbit_min)) return false;
    if (q.orbit_max && (!p.orbit_number || *p.orbit_number > *q.orbit_max)) return false;
    if (!q.relative_orbits.empty() && (!p.relative_orbit ||
        std::find(q.relative_orbits.begin(), q.relative_orbits.end(), *p.relative_orbit) == q.relative_orbits.end()))
        return false;
    if (q.orbit_direction && p.orbit_direction != *q.orbit_direction) return false;
    if (!q.tile_ids.empty() && std::find(q.tile_ids.begin(), q.tile_ids.end(), p.tile_id) == q.tile_ids.end()) return false;
    for (const auto& pol : q.polarisations)
        if (std::find(p.polarisations.begin(), p.polarisations.end(), pol) == p.polarisations.end()) return false;
    if (q.online && p.online != *q.online) return false;
    if (!q.name_pattern.empty() && !glob_match(q.name_pattern, p.name)) return false;
    if (aoi) {
        auto f = ogr(p.footprint);
        switch (q.relation) {
            case SpatialRelation::intersects: return f->Intersects(aoi);
            case SpatialRelation::within: return f->Within(aoi);
            case SpatialRelation::contains: return f->Contains(aoi);
        }
    }
    return true;
}

// Sort key with "missing sorts last" in both directions, as documented in query.hpp.
std::optional<double> key_of(const Query& q, const Product& p) {
    switch (q.sort) {
        case SortField::sensing_time: return static_cast<double>(p.sensing_start.us);
        case SortField::publication_time:
            return p.published ? std::optional<double>(static_cast<double>(p.published->us)) : std::nullopt;
        case SortField::cloud_cover: return p.cloud_cover;
    }
    return std::nullopt;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(search_oracle)

// The same checks on a catalogue written product by product and on one bulk-loaded (its
// spatial index written at the end from entries kept in memory). They use only the
// CatalogueStore interface: another backend passes them with its own factory.
using StoreFactory = std::function<std::unique_ptr<CatalogueStore>(const std::filesystem::path& dir)>;

void check_random_queries(const StoreFactory& open_store, bool bulk) {
    test::TempDir dir;
    auto store = open_store(dir.path());
    std::mt19937_64 rng(20261124);
    std::vector<Product> products;
    for (int i = 0; i < 3000; ++i) products.push_back(random_product(rng, i));
    if (bulk) {
        store->begin_bulk();
        store->upsert(std::vector<Product>(products.begin(), products.begin() + 1700));
        store->upsert(std::vector<Product>(products.begin() + 1700, products.end()));
        store->end_bulk();
    } else {
        store->upsert(products);
    }
    std::map<std::string, const Product*> by_id;
    for (const auto& p : products) by_id[p.id] = &p;

    int checked = 0, nonempty = 0;
    for (int iter = 0; iter < 400; ++iter) {
        RandomQuery rq = random_query(rng);
        const Query& q = rq.q;
        OgrPtr aoi;
        if (q.aoi) aoi = ogr(normalize_aoi(*q.aoi));
        std::vector<const Product*> expected;
        for (const auto& p : products)
            if (oracle_match(q, p, aoi.get())) expected.push_back(&p);

        // Follow cursors through every page.
        std::vector<std::string> got;
        Query page_q = q;
        std::optional<Count> first_count;
        for (int pages = 0; pages < 2000; ++pages) {
            Page page = store->search(page_q);
            if (pages == 0) first_count = page.count;
            BOOST_REQUIRE_LE(page.products.size(), q.limit);
            for (const auto& p : page.products) got.push_back(p.id);
            if (page.next_cursor.empty()) break;
            BOOST_REQUIRE_MESSAGE(page.products.size() == q.limit, "a non-final page must be full: " << rq.text);
            page_q.cursor = page.next_cursor;
            page_q.count = false;
        }
        BOOST_REQUIRE(first_count);
        BOOST_CHECK_MESSAGE(first_count->exact, rq.text);
        BOOST_CHECK_MESSAGE(first_count->value == expected.size(),
                            "count " << first_count->value << " != oracle " << expected.size() << " for " << rq.text);
        std::set<std::string> want_ids, got_ids(got.begin(), got.end());
        for (auto* p : expected) want_ids.insert(p->id);
        BOOST_CHECK_MESSAGE(got.size() == got_ids.size(), "duplicates across pages for " << rq.text);
        BOOST_CHECK_MESSAGE(got_ids == want_ids, "result set differs from oracle for " << rq.text << " (got "
                                                  << got_ids.size() << ", want " << want_ids.size() << ")");
        // Order: keys must be monotonic with missing keys last.
        const bool desc = q.order == SortOrder::descending;
        for (size_t k = 1; k < got.size(); ++k) {
            auto a = key_of(q, *by_id[got[k - 1]]), b = key_of(q, *by_id[got[k]]);
            bool ok = !a ? !b : (!b || (desc ? *a >= *b : *a <= *b));
            BOOST_CHECK_MESSAGE(ok, "order broken at " << k << " for " << rq.text);
            if (!ok) break;
        }
        ++checked;
        if (!expected.empty()) ++nonempty;
    }
    BOOST_TEST_MESSAGE(checked << " random queries checked, " << nonempty << " with results"
                               << (bulk ? " (bulk-loaded catalogue)" : ""));
    BOOST_CHECK_GT(nonempty, 100);  // the generator must produce meaningful queries
}

const StoreFactory kSqlite = [](const std::filesystem::path& dir) { return open_sqlite_store(dir / "oracle.db"); };

BOOST_AUTO_TEST_CASE(random_queries_match_brute_force) { check_random_queries(kSqlite, false); }

BOOST_AUTO_TEST_CASE(random_queries_match_brute_force_after_a_bulk_load) { check_random_queries(kSqlite, true); }

BOOST_AUTO_TEST_SUITE_END()
