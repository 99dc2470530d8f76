// generate_archive(): plans every product from the seeded random stream, then writes them in
// parallel through a staging directory and moves each finished product into the /eodata tree.

#include <creodias/error.hpp>
#include <creodias/generate.hpp>

#include "generate/common.hpp"
#include "generate/orbits.hpp"
#include "generate/products.hpp"
#include "generate/raster.hpp"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace fs = std::filesystem;

namespace creodias {

namespace {

using namespace detail::gen;

void validate(const GenerateOptions& o) {
    if (o.raster_size < 24 || o.raster_size > 4096)
        throw InvalidArgument(kOrigin,
                              fmt::format("raster_size {} outside 24..4096", o.raster_size));
    if (o.end < o.start) throw InvalidArgument(kOrigin, "end is before start");
    const BBox& r = o.region;
    auto bad = [](double v, double lim) { return !std::isfinite(v) || v < -lim || v > lim; };
    if (bad(r.west, 180) || bad(r.east, 180) || bad(r.south, 90) || bad(r.north, 90) ||
        r.south > r.north)
        throw InvalidArgument(
            kOrigin, fmt::format("invalid region {},{},{},{}", r.west, r.south, r.east, r.north));
}

// ---- planning ----------------------------------------------------------------------------------

LonLat random_point(Rng& rng, const BBox& r) {
    double east = r.east;
    if (r.west > r.east) east += 360.0;
    return {wrap_lon(rng.uniform(r.west, east)), rng.uniform(r.south, r.north)};
}

/// Cloud share of an optical scene: clear, broken and overcast scenes in the proportions of a
/// mid-latitude archive.
double random_cloud_share(Rng& rng) {
    const double r = rng.uniform();
    if (r < 0.35) return rng.uniform(0.0, 0.08);
    if (r < 0.75) return rng.uniform(0.08, 0.6);
    return rng.uniform(0.6, 0.97);
}

/// A time on a random day of [start, end] at the given UTC time of day, kept inside the range.
Timestamp random_time_of_day(Rng& rng, const GenerateOptions& o, double utc_hours) {
    const auto span = static_cast<std::uint64_t>(o.end.us - o.start.us);
    const Timestamp day = day_start(Timestamp{
        o.start.us + static_cast<std::int64_t>(rng.uniform() * static_cast<double>(span))});
    Timestamp t = plus_seconds(day, utc_hours * 3600.0);
    if (t < o.start) t = plus_seconds(t, 86400.0);
    if (t > o.end) t = plus_seconds(t, -86400.0);
    if (t < o.start) t = o.start;
    return t;
}

const Satellite& pick_satellite(Rng& rng, char mission, Timestamp t) {
    auto sats = in_orbit(mission, t);
    if (sats.empty()) return sentinel(mission).front();  // before launch: the first unit
    return *sats[rng.below(sats.size())];
}

Timestamp truncate_to_second(Timestamp t) {
    return Timestamp{t.us - (t.us % kUsPerSecond + kUsPerSecond) % kUsPerSecond};
}

S2Acquisition plan_s2(Rng& rng, const GenerateOptions& o) {
    S2Acquisition a;
    LonLat p;
    for (int attempt = 0;; ++attempt) {
        if (attempt == 1000)
            throw InvalidArgument(
                kOrigin, "region has no place on the Sentinel-2 tiling grid (latitudes -80..84)");
        p = random_point(rng, o.region);
        if (p.lat > -80 && p.lat < 84 && mgrs_tile_at(p.lat, p.lon, a.tile)) break;
    }
    // The tile centre is what the satellite images at tile_time.
    double clat, clon;
    utm_inverse(a.tile.ulx + kTileSize / 2, a.tile.uly - kTileSize / 2, a.tile.zone, a.tile.north,
                clat, clon);
    a.tile_time = random_time_of_day(rng, o, overpass_utc_hours(kS2Orbit, 10.5, clat, clon, false));
    // A datatake starts up to a few minutes upstream (north) of the tile; its start carries the
    // .024 s fraction of all Sentinel-2 datatakes.
    a.datatake = Timestamp{
        truncate_to_second(plus_seconds(a.tile_time, -rng.uniform(20.0, 240.0))).us + 24000};
    if (a.datatake < o.start) a.datatake = o.start;
    a.sat = &pick_satellite(rng, '2', a.datatake);
    a.abs_orbit = absolute_orbit(*a.sat, kS2Orbit, a.datatake);
    a.rel_orbit = relative_orbit(*a.sat, kS2Orbit, a.abs_orbit);
    a.seed = rng.fork();
    const double water = rng.uniform(0.02, 0.35);
    a.scene = make_scene(rng.fork(), water, random_cloud_share(rng));
    a.l1c_generation = truncate_to_second(plus_seconds(a.datatake, rng.uniform(1.2, 2.5) * 3600.0));
    a.l2a_generation =
        truncate_to_second(plus_seconds(a.l1c_generation, rng.uniform(0.5, 2.0) * 3600.0));
    return a;
}

S1Acquisition plan_s1(Rng& rng, const GenerateOptions& o) {
    S1Acquisition a;
    LonLat p = random_point(rng, o.region);
    a.center_lat = std::clamp(p.lat, -85.0, 85.0);
    a.center_lon = p.lon;
    a.ascending = rng.chance(0.5);
    // Dawn-dusk orbit: ascending node at 18:00 local solar time, descending at 06:00.
    const double hours = overpass_utc_hours(kS1Orbit, a.ascending ? 18.0 : 6.0, a.center_lat,
                                            a.center_lon, a.ascending);
    a.start = plus_seconds(random_time_of_day(rng, o, hours), -12.5 + rng.uniform(0, 1e-3));
    if (a.start < o.start) a.start = o.start;
    a.stop = plus_seconds(a.start, 25.0 + rng.uniform(0.0, 2.0));
    a.sat = &pick_satellite(rng, '1', a.start);
    a.abs_orbit = absolute_orbit(*a.sat, kS1Orbit, a.start);
    a.rel_orbit = relative_orbit(*a.sat, kS1Orbit, a.abs_orbit);
    a.datatake = s1_datatake(*a.sat, a.start);
    a.crc = static_cast<unsigned>(rng.below(0x10000));
    a.heading = track_heading(kS1Orbit, a.center_lat, a.ascending);
    a.total_slices = static_cast<int>(rng.between(6, 20));
    a.slice = static_cast<int>(rng.between(1, a.total_slices));
    a.seed = rng.fork();
    a.scene = make_scene(rng.fork(), rng.uniform(0.02, 0.35), 0.0);
    a.processing_start = plus_seconds(a.stop, rng.uniform(1.0, 3.0) * 3600.0);
    a.processing_stop = plus_seconds(a.processing_start, rng.uniform(300.0, 900.0));
    return a;
}

LandsatAcquisition plan_landsat(Rng& rng, const GenerateOptions& o) {
    LandsatAcquisition a;
    LonLat p;
    for (int attempt = 0;; ++attempt) {
        if (attempt == 1000)
            throw InvalidArgument(kOrigin, "region has no daytime WRS-2 scene (latitudes -81..81)");
        p = random_point(rng, o.region);
        if (std::fabs(p.lat) < 81) break;
    }
    a.wrs = wrs_locate(p.lat, p.lon);
    const Timestamp desired = random_time_of_day(rng, o, 10.0);
    a.acquired = wrs_overpass(a.satellite, a.wrs.path, a.wrs.row, desired);
    // The 16-day cycle may put the nearest overpass just outside a short range.
    for (int k = 0; k < 2 && a.acquired < o.start; ++k)
        a.acquired = plus_seconds(a.acquired, 16 * 86400.0);
    for (int k = 0; k < 2 && a.acquired > o.end; ++k)
        a.acquired = plus_seconds(a.acquired, -16 * 86400.0);
    a.acquired = std::clamp(a.acquired, o.start, o.end);
    a.l1_generated = truncate_to_second(plus_seconds(a.acquired, rng.uniform(4.0, 20.0) * 3600.0));
    a.l2_generated = truncate_to_second(plus_seconds(a.acquired, rng.uniform(2.0, 10.0) * 86400.0));
    a.seed = rng.fork();
    a.scene = make_scene(rng.fork(), rng.uniform(0.02, 0.3), random_cloud_share(rng));
    return a;
}

// ---- writing -----------------------------------------------------------------------------------

/// Zips `dir` as `<top>/...` into `out`, entries in sorted order with a fixed time stamp, so
/// that the archive is reproducible. Rasters are stored, metadata deflated.
void zip_directory(const fs::path& dir, const std::string& top, const fs::path& out,
                   Timestamp mtime) {
    std::vector<std::pair<std::string, bool>> entries;  // relative path, is directory
    std::error_code ec;
    for (fs::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        entries.emplace_back(fs::relative(it->path(), dir).generic_string(), it->is_directory());
    if (ec)
        throw StorageError(Errc::io, kOrigin, fmt::format("{}: {}", dir.string(), ec.message()));
    std::sort(entries.begin(), entries.end());

    int err = 0;
    zip_t* za = zip_open(out.string().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    if (!za)
        throw StorageError(
            Errc::io, kOrigin,
            fmt::format("{}: cannot create zip (libzip error {})", out.string(), err));
    const auto when = static_cast<time_t>(mtime.us / kUsPerSecond);
    auto fail = [&](const std::string& what) {
        const std::string msg = fmt::format("{}: {}: {}", out.string(), what, zip_strerror(za));
        zip_discard(za);
        throw StorageError(Errc::io, kOrigin, msg);
    };
    auto stamp = [&](zip_int64_t idx) {
        if (idx < 0 || zip_file_set_mtime(za, static_cast<zip_uint64_t>(idx), when, 0) != 0)
            fail("cannot add an entry");
    };
    stamp(zip_dir_add(za, top.c_str(), ZIP_FL_ENC_UTF_8));
    for (const auto& [rel, is_dir] : entries) {
        const std::string name = top + "/" + rel;
        if (is_dir) {
            stamp(zip_dir_add(za, name.c_str(), ZIP_FL_ENC_UTF_8));
            continue;
        }
        zip_source_t* src = zip_source_file(za, (dir / rel).string().c_str(), 0, -1);
        if (!src) fail("cannot read " + rel);
        const zip_int64_t idx = zip_file_add(za, name.c_str(), src, ZIP_FL_ENC_UTF_8);
        if (idx < 0) {
            zip_source_free(src);
            fail("cannot add " + rel);
        }
        const bool compressed = rel.size() > 4 && (rel.substr(rel.size() - 4) == ".jp2" ||
                                                   rel.substr(rel.size() - 4) == ".png" ||
                                                   rel.substr(rel.size() - 5) == ".tiff");
        zip_set_file_compression(za, static_cast<zip_uint64_t>(idx),
                                 compressed ? ZIP_CM_STORE : ZIP_CM_DEFLATE, 0);
        stamp(idx);
    }
    if (zip_close(za) != 0) fail("cannot write the zip");
}

/// Moves a finished product from the staging area into place, replacing an older copy.
void install(const fs::path& staged, const fs::path& target) {
    std::error_code ec;
    make_dirs(target.parent_path());
    fs::remove_all(target, ec);
    fs::rename(staged, target, ec);
    if (ec)
        throw StorageError(
            Errc::io, kOrigin,
            fmt::format("{}: cannot move into place: {}", target.string(), ec.message()));
}

struct Task {
    std::function<fs::path(const fs::path& staging)> run;  // returns the reported path
    fs::path reported;
    std::uint64_t bytes = 0;
};

}  // namespace

GenerateReport generate_archive(const fs::path& eodata_root, const GenerateOptions& o) {
    validate(o);
    const auto t0 = std::chrono::steady_clock::now();
    register_gdal();

    Rng rng(o.seed);
    const unsigned n_s2 = std::max(o.sentinel2_l1c, o.sentinel2_l2a);
    std::vector<S2Acquisition> s2(n_s2);
    for (auto& a : s2) a = plan_s2(rng, o);
    std::vector<S1Acquisition> s1(o.sentinel1_grd);
    for (auto& a : s1) a = plan_s1(rng, o);
    std::vector<LandsatAcquisition> ls(o.landsat_c2);
    for (auto& a : ls) a = plan_landsat(rng, o);

    const int rs = o.raster_size;
    const bool zip = o.zip;
    std::vector<Task> tasks;
    auto sentinel_task = [&](std::string safe_name, fs::path dir, Timestamp mtime,
                             std::function<void(const fs::path&)> write) {
        Task t;
        t.run = [=](const fs::path& staging) {
            const fs::path staged = staging / safe_name;
            write(staged);
            if (!zip) {
                install(staged, dir / safe_name);
                return dir / safe_name;
            }
            const std::string stem = safe_name.substr(0, safe_name.size() - 5);  // no ".SAFE"
            const fs::path part = staging / (stem + ".zip.part");
            zip_directory(staged, safe_name, part, mtime);
            install(part, dir / (stem + ".zip"));
            std::error_code ec;
            fs::remove_all(staged, ec);
            return dir / (stem + ".zip");
        };
        tasks.push_back(std::move(t));
    };
    for (unsigned i = 0; i < o.sentinel2_l1c; ++i) {
        const S2Acquisition& a = s2[i];
        sentinel_task(s2_product_name(a, false),
                      eodata_root / "Sentinel-2/MSI/L1C" / date_path(a.datatake), a.l1c_generation,
                      [&a, rs](const fs::path& p) { write_sentinel2(p, a, false, rs); });
    }
    for (unsigned i = 0; i < o.sentinel2_l2a; ++i) {
        const S2Acquisition& a = s2[i];
        sentinel_task(s2_product_name(a, true),
                      eodata_root / "Sentinel-2/MSI/L2A" / date_path(a.datatake), a.l2a_generation,
                      [&a, rs](const fs::path& p) { write_sentinel2(p, a, true, rs); });
    }
    for (const auto& a : s1)
        sentinel_task(s1_product_name(a), eodata_root / "Sentinel-1/SAR/GRD" / date_path(a.start),
                      a.processing_stop,
                      [&a, rs](const fs::path& p) { write_sentinel1(p, a, rs); });
    for (const auto& a : ls) {
        Task t;
        const fs::path dir = eodata_root / "Landsat-8-ESA/OLI_TIRS/L2SP" / date_path(a.acquired);
        t.run = [&a, dir, rs](const fs::path& staging) {
            const std::string id = landsat_product_id(a);
            const fs::path mtl = write_landsat(staging / id, a, rs);
            install(staging / id, dir / id);
            return dir / id / mtl.filename();
        };
        tasks.push_back(std::move(t));
    }

    // A private staging directory under the root keeps the final move a rename on one file
    // system; its leading dot keeps indexers that skip hidden entries away from it.
    make_dirs(eodata_root);
    const fs::path staging =
        eodata_root /
        fmt::format(".creodias-generate-{:016x}",
                    mix64(static_cast<std::uint64_t>(
                        std::chrono::steady_clock::now().time_since_epoch().count())));
    make_dirs(staging);

    std::mutex mu;
    std::condition_variable cv;
    size_t next = 0, done = 0;
    std::exception_ptr error;
    auto worker = [&] {
        for (;;) {
            size_t i;
            {
                std::lock_guard lock(mu);
                if (error || next == tasks.size()) return;
                i = next++;
            }
            try {
                Task& t = tasks[i];
                t.reported = t.run(staging);
                t.bytes = tree_size(t.reported.extension() == ".txt" ? t.reported.parent_path()
                                                                     : t.reported);
            } catch (...) {
                std::lock_guard lock(mu);
                if (!error) error = std::current_exception();
            }
            {
                std::lock_guard lock(mu);
                ++done;
            }
            cv.notify_all();
        }
    };
    const unsigned threads = std::max(1u, std::min<unsigned>(std::thread::hardware_concurrency(),
                                                             static_cast<unsigned>(tasks.size())));
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < threads; ++k) pool.emplace_back(worker);
    {
        // Progress is reported from the calling thread, as the rest of the library does.
        size_t reported = 0;
        std::unique_lock lock(mu);
        while (reported < tasks.size()) {
            cv.wait(lock, [&] { return done != reported || (error && done == next); });
            if (error && done == next) break;
            reported = done;
            if (o.progress && !error) {
                lock.unlock();
                std::exception_ptr callback_error;
                try {
                    o.progress(reported, tasks.size());
                } catch (...) {
                    callback_error = std::current_exception();  // stops the workers too
                }
                lock.lock();
                if (callback_error && !error) error = callback_error;
            }
        }
    }
    for (auto& th : pool) th.join();
    std::error_code ec;
    fs::remove_all(staging, ec);
    if (error) std::rethrow_exception(error);

    GenerateReport report;
    for (const auto& t : tasks) {
        report.products.push_back(t.reported);
        report.bytes += t.bytes;
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return report;
}

}  // namespace creodias
