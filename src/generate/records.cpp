// generate_records(): synthetic catalogue records for scale tests, written straight into a
// store. Built for throughput: footprints come from closed-form geodesy (analytic UTM,
// spherical destinations) and only footprints that cross the antimeridian or reach the poles
// go through GEOS-based normalisation; the next batch is generated on a second thread while
// the store writes the current one.

#include <creodias/error.hpp>
#include <creodias/generate.hpp>
#include <creodias/product.hpp>

#include "generate/common.hpp"
#include "generate/orbits.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <future>
#include <unordered_set>

namespace creodias {

namespace {

using namespace detail::gen;

constexpr std::size_t kBatch = 20000;
const Timestamp kFirst = Timestamp::from_civil(2015, 1, 1);
const Timestamp kEnd = Timestamp::from_civil(2026, 1, 1);  // exclusive

enum class Kind { s2_l1c, s2_l2a, s1, s3, landsat };

/// Processing baseline of Sentinel-2 products sensed at t (the baseline in force then).
const char* s2_baseline(Timestamp t) {
    static const std::pair<Timestamp, const char*> kBaselines[] = {
        {Timestamp::from_civil(2016, 12, 6), "02.04"},
        {Timestamp::from_civil(2018, 5, 23), "02.06"},
        {Timestamp::from_civil(2019, 7, 8), "02.07"},
        {Timestamp::from_civil(2019, 11, 4), "02.08"},
        {Timestamp::from_civil(2021, 3, 30), "02.09"},
        {Timestamp::from_civil(2022, 1, 25), "03.01"},
        {Timestamp::from_civil(2022, 12, 6), "04.00"},
        {Timestamp::from_civil(2024, 7, 23), "05.09"},
        {Timestamp::from_civil(2025, 6, 3), "05.10"},
    };
    for (const auto& [until, baseline] : kBaselines)
        if (t < until) return baseline;
    return "05.11";
}

/// Sentinel-1 IPF version in force at t.
const char* s1_ipf(Timestamp t) {
    if (t < Timestamp::from_civil(2018, 1, 1)) return "002.82";
    if (t < Timestamp::from_civil(2020, 1, 1)) return "002.91";
    if (t < Timestamp::from_civil(2022, 1, 1)) return "003.31";
    if (t < Timestamp::from_civil(2024, 1, 1)) return "003.52";
    return "003.80";
}

std::string baseline_code(const char* baseline) {  // "05.09" -> "N0509"
    return fmt::format("N{}{}{}{}", baseline[0], baseline[1], baseline[3], baseline[4]);
}

class RecordGenerator {
public:
    RecordGenerator(std::uint64_t count, std::uint64_t seed) : count_(count), rng_(seed) {
        const auto span = static_cast<std::uint64_t>((kEnd.us - kFirst.us) / kUsPerSecond);
        if (count > span)
            throw InvalidArgument(kOrigin,
                                  fmt::format("count {} exceeds the {} distinct sensing seconds of "
                                              "2015-2025",
                                              count, span));
        // One slot of span / count seconds per record, in time order (the order in which a
        // harvester appends an archive); a record's second is drawn inside its slot, so every
        // record has its own sensing second.
        slot_ = count ? static_cast<double>(span) / static_cast<double>(count) : 1.0;
        landsat_seen_.reserve(
            static_cast<size_t>(std::min<std::uint64_t>(count / 5 + 16, 1u << 22)));
    }

    std::vector<Product> next(std::size_t n) {
        std::vector<Product> out;
        out.reserve(n);
        for (std::size_t k = 0; k < n && index_ < count_; ++k, ++index_)
            out.push_back(make(index_));
        return out;
    }

private:
    Timestamp sensing_time(std::uint64_t slot) {
        const auto lo = static_cast<std::int64_t>(std::floor(static_cast<double>(slot) * slot_));
        const auto hi =
            static_cast<std::int64_t>(std::floor(static_cast<double>(slot + 1) * slot_));
        const auto width = static_cast<std::uint64_t>(std::max<std::int64_t>(1, hi - lo));
        const std::int64_t second = lo + static_cast<std::int64_t>(rng_.below(width));
        return Timestamp{kFirst.us + second * kUsPerSecond +
                         static_cast<std::int64_t>(rng_.below(1000000))};
    }

    Kind pick_kind(Timestamp t) {
        // Shares: S2 L1C 25 %, S2 L2A 25 %, S1 25 %, S3 10 %, Landsat 15 %, among the missions
        // flying at t.
        const bool s2 = !in_orbit('2', t).empty(), s3 = !in_orbit('3', t).empty();
        const double w[5] = {s2 ? 25.0 : 0.0, s2 ? 25.0 : 0.0, 25.0, s3 ? 10.0 : 0.0, 15.0};
        double r = rng_.uniform() * (w[0] + w[1] + w[2] + w[3] + w[4]);
        for (int k = 0; k < 5; ++k) {
            if (r < w[k]) return static_cast<Kind>(k);
            r -= w[k];
        }
        return Kind::landsat;
    }

    /// A scene centre: 60 % over Europe; otherwise anywhere on the globe (uniform by area up to
    /// +-80 degrees), with extra weight on the antimeridian and the polar caps.
    LonLat place(double max_lat) {
        const double r = rng_.uniform();
        LonLat p;
        if (r < 0.60) {
            p = {rng_.uniform(-25.0, 45.0), rng_.uniform(34.0, 72.0)};
        } else if (r < 0.63) {
            p = {wrap_lon(rng_.uniform(176.0, 184.0)), std::asin(rng_.uniform(-0.95, 0.95)) / kDeg};
        } else if (r < 0.66) {
            p = {rng_.uniform(-180.0, 180.0),
                 (rng_.chance(0.7) ? 1 : -1) * rng_.uniform(74.0, 89.0)};
        } else {
            p = {rng_.uniform(-180.0, 180.0), std::asin(rng_.uniform(-0.985, 0.985)) / kDeg};
        }
        p.lat = std::clamp(p.lat, -max_lat, max_lat);
        return p;
    }

    /// Cloud cover skewed towards clear and overcast scenes, as in optical archives.
    double cloud() {
        const double r = rng_.uniform();
        double c;
        if (r < 0.40)
            c = 10.0 * std::pow(rng_.uniform(), 2.0);
        else if (r < 0.75)
            c = rng_.uniform(10.0, 90.0);
        else
            c = 100.0 - 10.0 * std::pow(rng_.uniform(), 2.0);
        return std::round(c * 1e4) / 1e4;
    }

    /// A ring of four corners as a footprint; normalised only when it needs to be.
    static Geometry footprint(std::vector<LonLat> ring) {
        double lo = 180, hi = -180, lat_max = 0;
        for (const auto& p : ring) {
            lo = std::min(lo, p.lon);
            hi = std::max(hi, p.lon);
            lat_max = std::max(lat_max, std::fabs(p.lat));
        }
        ring.push_back(ring.front());
        if (hi - lo > 180.0 || lat_max > 88.0)
            return normalize_footprint(Geometry(GeometryType::polygon, {{std::move(ring)}}));
        return Geometry(GeometryType::multi_polygon, {{std::move(ring)}});
    }

    /// A rectangle of `across` x `along` km centred on (lat, lon), its long axis along
    /// `heading`.
    static std::vector<LonLat> swath(double lat, double lon, double heading, double across,
                                     double along) {
        const LonLat fwd = destination(lat, lon, heading, along / 2),
                     back = destination(lat, lon, heading + 180, along / 2);
        return {destination(back.lat, back.lon, heading - 90, across / 2),
                destination(back.lat, back.lon, heading + 90, across / 2),
                destination(fwd.lat, fwd.lon, heading + 90, across / 2),
                destination(fwd.lat, fwd.lon, heading - 90, across / 2)};
    }

    static void common(Product& p, std::string path_prefix, Timestamp t) {
        p.id = product_name_key(p.name);
        p.path = fmt::format("/eodata/{}/{}/{}", path_prefix, date_path(t), p.name);
        p.online = true;
    }

    Product make(std::uint64_t i) {
        const Timestamp t = sensing_time(i);
        switch (pick_kind(t)) {
            case Kind::s2_l1c:
                return sentinel2(t, false);
            case Kind::s2_l2a:
                return sentinel2(t, true);
            case Kind::s1:
                return sentinel1(t);
            case Kind::s3:
                return sentinel3(t);
            case Kind::landsat:
                return landsat(t);
        }
        return landsat(t);
    }

    Product sentinel2(Timestamp t, bool l2a) {
        MgrsTile tile;
        LonLat c;
        do c = place(83.0);
        while (!mgrs_tile_at(c.lat, c.lon, tile));
        std::vector<LonLat> ring(4);
        const double xs[4] = {tile.ulx, tile.ulx + kTileSize, tile.ulx + kTileSize, tile.ulx};
        const double ys[4] = {tile.uly, tile.uly, tile.uly - kTileSize, tile.uly - kTileSize};
        for (int k = 0; k < 4; ++k)
            utm_inverse(xs[k], ys[k], tile.zone, tile.north, ring[k].lat, ring[k].lon);
        auto sats = in_orbit('2', t);
        const Satellite& sat = *sats[rng_.below(sats.size())];
        Product p;
        p.collection = "SENTINEL-2";
        p.product_type = l2a ? "S2MSI2A" : "S2MSI1C";
        p.processing_level = l2a ? "LEVEL2A" : "LEVEL1C";
        p.platform = sat.platform;
        p.instrument = "MSI";
        p.sensing_start = p.sensing_end = t;
        p.orbit_number = absolute_orbit(sat, kS2Orbit, t);
        p.relative_orbit = relative_orbit(sat, kS2Orbit, *p.orbit_number);
        p.orbit_direction = OrbitDirection::descending;
        p.tile_id = tile.id;
        p.processing_baseline = s2_baseline(t);
        p.cloud_cover = cloud();
        const Timestamp generated = plus_seconds(t, rng_.uniform(1.5, l2a ? 8.0 : 5.0) * 3600.0);
        p.published = plus_seconds(generated, rng_.uniform(0.2, 3.0) * 3600.0);
        p.updated = p.published;
        p.size =
            static_cast<std::uint64_t>(rng_.uniform(l2a ? 0.7e9 : 0.5e9, l2a ? 1.2e9 : 0.85e9));
        p.footprint = footprint(std::move(ring));
        p.name = fmt::format("S2{}_MSI{}_{}_{}_R{:03d}_T{}_{}.SAFE", sat.unit, l2a ? "L2A" : "L1C",
                             compact(t), baseline_code(p.processing_baseline.c_str()),
                             *p.relative_orbit, tile.id, compact(generated));
        common(p, l2a ? "Sentinel-2/MSI/L2A" : "Sentinel-2/MSI/L1C", t);
        return p;
    }

    Product sentinel1(Timestamp t) {
        const LonLat c = place(85.0);
        const bool polar = std::fabs(c.lat) > 60.0;
        const bool ew = polar ? rng_.chance(0.6) : rng_.chance(0.05);
        const bool ascending = rng_.chance(0.5);
        auto sats = in_orbit('1', t);
        const Satellite& sat =
            sats.empty() ? sentinel('1').front() : *sats[rng_.below(sats.size())];
        const double heading = track_heading(kS1Orbit, c.lat, ascending);
        Product p;
        p.collection = "SENTINEL-1";
        p.product_type = ew ? "EW_GRDM_1S" : "IW_GRDH_1S";
        p.processing_level = "LEVEL1";
        p.platform = sat.platform;
        p.instrument = "SAR";
        p.sensor_mode = ew ? "EW" : "IW";
        p.sensing_start = t;
        p.sensing_end = plus_seconds(t, ew ? rng_.uniform(55.0, 65.0) : rng_.uniform(24.0, 27.0));
        p.orbit_number = absolute_orbit(sat, kS1Orbit, t);
        p.relative_orbit = relative_orbit(sat, kS1Orbit, *p.orbit_number);
        p.orbit_direction = ascending ? OrbitDirection::ascending : OrbitDirection::descending;
        // Polar seas and ice are imaged in HH+HV, land in VV+VH (a few single-pol VV).
        const std::string pol_code = polar ? "DH" : rng_.chance(0.92) ? "DV" : "SV";
        if (pol_code == "DH")
            p.polarisations = {"HH", "HV"};
        else if (pol_code == "DV")
            p.polarisations = {"VV", "VH"};
        else
            p.polarisations = {"VV"};
        p.processing_baseline = s1_ipf(t);
        p.published = plus_seconds(p.sensing_end, rng_.uniform(1.0, 4.0) * 3600.0);
        p.updated = p.published;
        p.size = static_cast<std::uint64_t>(ew ? rng_.uniform(0.2e9, 0.4e9)
                                               : rng_.uniform(0.8e9, 1.9e9));
        p.footprint =
            footprint(swath(c.lat, c.lon, heading, ew ? 410.0 : 250.0, ew ? 400.0 : 170.0));
        p.name = fmt::format("S1{}_{}_{}_1S{}_{}_{}_{:06d}_{:06X}_{:04X}.SAFE", sat.unit,
                             p.sensor_mode, ew ? "GRDM" : "GRDH", pol_code,
                             compact(p.sensing_start), compact(p.sensing_end), *p.orbit_number,
                             s1_datatake(sat, t) & 0xFFFFFF, rng_.below(0x10000));
        common(p, "Sentinel-1/SAR/GRD", t);
        return p;
    }

    Product sentinel3(Timestamp t) {
        // OLCI images the day side on the descending pass; the ground track never passes
        // 81.4 degrees, the swath edges reach further.
        const LonLat c = place(80.0);
        auto sats = in_orbit('3', t);
        const Satellite& sat = *sats[rng_.below(sats.size())];
        const bool l2 = rng_.chance(0.4);
        const std::int64_t abs = absolute_orbit(sat, kS3Orbit, t);
        const int track = relative_orbit(sat, kS3Orbit, abs);
        const auto cycle = (abs - 1) / 385 + 1;
        Product p;
        p.collection = "SENTINEL-3";
        p.product_type = l2 ? "OL_2_LFR___" : "OL_1_EFR___";
        p.processing_level = l2 ? "LEVEL2" : "LEVEL1";
        p.platform = sat.platform;
        p.instrument = "OLCI";
        p.sensing_start = t;
        p.sensing_end = plus_seconds(t, 180.0);
        p.orbit_number = abs;
        p.relative_orbit = track;
        p.orbit_direction = OrbitDirection::descending;
        p.processing_baseline = l2 ? "003" : "002";
        const bool nrt = rng_.chance(0.5);
        const Timestamp created =
            plus_seconds(p.sensing_end,
                         nrt ? rng_.uniform(1.5, 3.0) * 3600.0 : rng_.uniform(1.0, 2.5) * 86400.0);
        p.published = plus_seconds(created, rng_.uniform(0.2, 2.0) * 3600.0);
        p.updated = p.published;
        p.size = static_cast<std::uint64_t>(l2 ? rng_.uniform(0.15e9, 0.3e9)
                                               : rng_.uniform(0.5e9, 0.75e9));
        p.footprint =
            footprint(swath(c.lat, c.lon, track_heading(kS3Orbit, c.lat, false), 1270.0, 1220.0));
        // Frame: position along the orbit, in seconds after the ascending node.
        const double u =
            180.0 -
            std::asin(std::clamp(std::sin(c.lat * kDeg) / std::sin(kS3Orbit.inclination_deg * kDeg),
                                 -1.0, 1.0)) /
                kDeg;
        const int frame = static_cast<int>(std::lround(u / 360.0 * kS3Orbit.period_min * 60.0));
        p.name = fmt::format("S3{}_{}_{}_{}_{}_0180_{:03d}_{:03d}_{:04d}_LN1_O_{}_{}.SEN3",
                             sat.unit, l2 ? "OL_2_LFR___" : "OL_1_EFR___", compact(p.sensing_start),
                             compact(p.sensing_end), compact(created), cycle, track, frame,
                             nrt ? "NR" : "NT", l2 ? "003" : "002");
        common(p, l2 ? "Sentinel-3/OLCI/OL_2_LFR" : "Sentinel-3/OLCI/OL_1_EFR", t);
        return p;
    }

    Product landsat(Timestamp t) {
        const LonLat c = place(80.5);
        const WrsScene s = wrs_locate(c.lat, c.lon);
        const int sat = t >= Timestamp::from_civil(2021, 10, 31) && rng_.chance(0.5) ? 9 : 8;
        const bool l2 = rng_.chance(0.7);
        const bool tier1 = rng_.chance(0.8);
        const std::int64_t day = (t.us - kFirst.us) / kUsPerDay;
        std::int64_t processed = day + (l2 ? rng_.between(2, 12) : rng_.between(0, 1));
        // The name only holds dates: bump the processing date (a reprocessing) until unique.
        auto key = [&](std::int64_t proc) {
            return (static_cast<std::uint64_t>(sat) << 62) ^
                   (static_cast<std::uint64_t>(l2) << 61) ^
                   (static_cast<std::uint64_t>(tier1) << 60) ^
                   (static_cast<std::uint64_t>(s.path) << 48) ^
                   (static_cast<std::uint64_t>(s.row) << 36) ^
                   (static_cast<std::uint64_t>(day) << 18) ^ static_cast<std::uint64_t>(proc - day);
        };
        while (!landsat_seen_.insert(key(processed)).second) ++processed;
        const Timestamp proc_time{kFirst.us + processed * kUsPerDay};
        Product p;
        p.collection = fmt::format("LANDSAT-{}", sat);
        p.platform = p.collection;
        p.instrument = "OLI_TIRS";
        p.product_type = l2 ? "L2SP" : "L1TP";
        p.processing_level = l2 ? "LEVEL2" : "LEVEL1";
        p.sensing_start = p.sensing_end = t;
        p.orbit_direction = OrbitDirection::descending;
        p.tile_id = fmt::format("{:03d}{:03d}", s.path, s.row);
        p.cloud_cover = cloud();
        p.processing_baseline = "02";
        p.published = plus_seconds(proc_time, rng_.uniform(2.0, 20.0) * 3600.0);
        p.updated = p.published;
        p.size = static_cast<std::uint64_t>(rng_.uniform(0.7e9, 1.1e9));
        p.footprint = footprint(swath(s.lat, s.lon, s.heading, 185.0, 180.0));
        p.name = fmt::format("LC0{}_{}_{}_{}_{}_02_{}", sat, p.product_type, p.tile_id,
                             compact_date(t), compact_date(proc_time), tier1 ? "T1" : "T2");
        common(p, fmt::format("Landsat-{}/OLI_TIRS/{}", sat, p.product_type), t);
        return p;
    }

    std::uint64_t count_;
    Rng rng_;
    double slot_ = 1.0;
    std::uint64_t index_ = 0;
    std::unordered_set<std::uint64_t> landsat_seen_;
};

}  // namespace

std::uint64_t generate_records(CatalogueStore& store, std::uint64_t count, std::uint64_t seed,
                               const std::function<void(std::uint64_t)>& progress) {
    RecordGenerator gen(count, seed);
    std::uint64_t written = 0;
    // Bulk mode: indexes are built once at the end (the spatial grid in one sorted pass)
    // instead of entry by entry; a failure still leaves a consistent catalogue (see
    // CatalogueStore).
    store.begin_bulk();
    struct EndBulk {
        CatalogueStore& s;
        bool done = false;
        ~EndBulk() {
            if (!done) try { s.end_bulk(); } catch (...) {}
        }
    } end_bulk{store};
    std::vector<Product> batch = gen.next(kBatch);
    while (!batch.empty()) {
        // Generate the next batch while the store writes this one.
        std::future<std::vector<Product>> upcoming =
            std::async(std::launch::async, [&gen] { return gen.next(kBatch); });
        store.upsert(batch);
        written += batch.size();
        if (progress) progress(written);
        batch = upcoming.get();
    }
    end_bulk.done = true;
    store.end_bulk();
    return written;
}

}  // namespace creodias
