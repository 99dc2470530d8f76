#include "generate/orbits.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace creodias::detail::gen {

namespace {

Timestamp at(int y, int mo, int d, int h = 0, int mi = 0, int s = 0, int us = 0) {
    return Timestamp::from_civil(y, mo, d, h, mi, s, us);
}

const Timestamp kForever{std::numeric_limits<std::int64_t>::max() / 2};

}  // namespace

// Sentinel-1: 175 orbits in 12 days; Sentinel-2: 143 in 10 days; Sentinel-3: 385 in 27 days;
// Landsat-8/9: 233 in 16 days.
const OrbitModel kS1Orbit{175.0 / 12.0, 175, 98.18, 98.6};
const OrbitModel kS2Orbit{143.0 / 10.0, 143, 98.57, 100.6};
const OrbitModel kS3Orbit{385.0 / 27.0, 385, 98.65, 100.99};
const OrbitModel kLandsatOrbit{233.0 / 16.0, 233, 98.2, 16.0 * 1440.0 / 233.0};

const std::vector<Satellite>& sentinel(char mission) {
    // Anchors: S1A 036201 (2021-01-19), S1B 026300 (2021-04-03), S1C 000638 (2025-01-18);
    // S2A 038944 (2022-12-06), S2B 026649 (2022-04-13), S2C 002952 (2025-03-30); S3A cycle 077
    // track 334 (2021-10-21), S3B cycle 056 track 242 (2021-08-31).
    static const std::vector<Satellite> s1 = {
        {'A', "SENTINEL-1A", "2014-016A", at(2014, 10, 3), kForever,
         at(2021, 1, 19, 3, 16, 53, 799379), 36201, -73, 278224},
        {'B', "SENTINEL-1B", "2016-025A", at(2016, 9, 26), at(2021, 12, 23),
         at(2021, 4, 3, 8, 30, 25), 26300, -27, 205712},
        {'C', "SENTINEL-1C", "2024-235A", at(2025, 1, 1), kForever, at(2025, 1, 18, 17, 14, 4), 638,
         -99, 1336},
    };
    static const std::vector<Satellite> s2 = {
        {'A', "SENTINEL-2A", "2015-028A", at(2015, 6, 23), kForever,
         at(2022, 12, 6, 10, 54, 31, 24000), 38944, 2},
        {'B', "SENTINEL-2B", "2017-013A", at(2017, 3, 7), kForever,
         at(2022, 4, 13, 15, 7, 59, 24000), 26649, -27},
        {'C', "SENTINEL-2C", "2024-157A", at(2025, 1, 21), kForever,
         at(2025, 3, 30, 10, 0, 51, 24000), 2952, 29},
    };
    // Sentinel-3: the anchor orbit is expressed as (cycle - 1) * 385 + track, which is what
    // the product names carry; the absolute orbit itself is not in the names.
    static const std::vector<Satellite> s3 = {
        {'A', "SENTINEL-3A", "2016-011A", at(2016, 2, 16), kForever, at(2021, 10, 21, 7, 38, 27),
         76 * 385 + 334, -1},
        {'B', "SENTINEL-3B", "2018-039A", at(2018, 4, 25), kForever, at(2021, 8, 31, 20, 1, 48),
         55 * 385 + 242, -1},
    };
    return mission == '1' ? s1 : mission == '2' ? s2 : s3;
}

std::vector<const Satellite*> in_orbit(char mission, Timestamp t) {
    std::vector<const Satellite*> out;
    for (const auto& s : sentinel(mission))
        if (s.from <= t && t < s.to) out.push_back(&s);
    return out;
}

std::int64_t absolute_orbit(const Satellite& s, const OrbitModel& m, Timestamp t) {
    // Rounded rather than floored: the anchor sits mid-orbit, and products of one orbit lie
    // within half an orbit of the anchor's phase.
    return s.anchor_orbit + std::llround(days_between(s.anchor, t) * m.orbits_per_day);
}

int relative_orbit(const Satellite& s, const OrbitModel& m, std::int64_t absolute) {
    const std::int64_t c = m.cycle_orbits;
    return static_cast<int>((((absolute + s.track_offset) % c) + c) % c) + 1;
}

std::int64_t s1_datatake(const Satellite& s, Timestamp t) {
    return std::max<std::int64_t>(
        1, s.anchor_datatake + std::llround(days_between(s.anchor, t) * 125.0));
}

namespace {

// Latitudes on the orbit are geocentric; maps and products use geodetic (WGS84) latitudes,
// up to 0.19 degree larger in magnitude at mid-latitudes.
constexpr double kE2 = 6.69437999014e-3;
double geodetic(double geocentric_deg) {
    return std::atan(std::tan(geocentric_deg * kDeg) / (1 - kE2)) / kDeg;
}
double geocentric(double geodetic_deg) {
    return std::atan(std::tan(geodetic_deg * kDeg) * (1 - kE2)) / kDeg;
}

// Ground position of a sun-synchronous satellite at argument of latitude u (degrees from the
// ascending node), relative to the node's longitude.
void track_point(const OrbitModel& m, double u, double& lat, double& dlon) {
    const double i = m.inclination_deg * kDeg, ur = u * kDeg;
    lat = geodetic(std::asin(std::sin(i) * std::sin(ur)) / kDeg);
    const double inertial = std::atan2(std::cos(i) * std::sin(ur), std::cos(ur)) / kDeg;
    const double minutes = u / 360.0 * m.period_min;
    dlon = inertial - minutes * (360.0 / 1436.068);  // the Earth turns under the orbit
}

// Argument of latitude at which the track reaches `lat` on the chosen half of the orbit.
double argument_at(const OrbitModel& m, double lat, bool ascending) {
    const double s = std::clamp(
        std::sin(geocentric(lat) * kDeg) / std::sin(m.inclination_deg * kDeg), -1.0, 1.0);
    const double u = std::asin(s) / kDeg;
    return ascending ? u : 180.0 - u;
}

}  // namespace

double track_heading(const OrbitModel& m, double lat, bool ascending) {
    const double u = argument_at(m, lat, ascending);
    double lat0, lon0, lat1, lon1;
    track_point(m, u - 0.05, lat0, lon0);
    track_point(m, u + 0.05, lat1, lon1);
    return bearing({lon0, lat0}, {lon1, lat1});
}

double overpass_utc_hours(const OrbitModel& m, double node_hours, double lat, double lon,
                          bool ascending) {
    const double u = argument_at(m, lat, ascending), u_node = ascending ? 0.0 : 180.0;
    double la, dlon_u, ln, dlon_node;
    track_point(m, u, la, dlon_u);
    track_point(m, u_node, ln, dlon_node);
    const double node_lon = lon - (dlon_u - dlon_node);
    const double minutes = (u - u_node) / 360.0 * m.period_min;
    const double h = node_hours - node_lon / 15.0 + minutes / 60.0;
    return std::fmod(std::fmod(h, 24.0) + 24.0, 24.0);
}

namespace {

constexpr double kRowStep = 360.0 / 248.0;
constexpr double kPathStep = 360.0 / 233.0;
// Longitude of the descending node of path 1 (calibrated on real WRS-2 scene centres).
constexpr double kPath1Node = -64.6;

double row_argument(int row) { return 180.0 + (row - 60) * kRowStep; }

}  // namespace

WrsScene wrs_scene(int path, int row) {
    WrsScene s;
    s.path = path;
    s.row = row;
    const double u = row_argument(row);
    double lat, dlon_u, lat180, dlon_180;
    track_point(kLandsatOrbit, u, lat, dlon_u);
    track_point(kLandsatOrbit, 180.0, lat180, dlon_180);
    const double node = kPath1Node - (path - 1) * kPathStep;
    s.lat = lat;
    s.lon = wrap_lon(node + (dlon_u - dlon_180));
    s.minutes_from_node = (u - 180.0) / 360.0 * kLandsatOrbit.period_min;
    double la, lo, lb, lob;
    track_point(kLandsatOrbit, u - 0.05, la, lo);
    track_point(kLandsatOrbit, u + 0.05, lb, lob);
    s.heading = bearing({lo, la}, {lob, lb});
    return s;
}

WrsScene wrs_locate(double lat, double lon) {
    const double u = argument_at(kLandsatOrbit, lat, false);
    const int row = std::clamp(static_cast<int>(std::lround(60 + (u - 180.0) / kRowStep)), 1, 248);
    double la, dlon_u, l180, dlon_180;
    track_point(kLandsatOrbit, row_argument(row), la, dlon_u);
    track_point(kLandsatOrbit, 180.0, l180, dlon_180);
    const double node = lon - (dlon_u - dlon_180);
    const long k = std::lround(wrap_lon(kPath1Node - node) / kPathStep);
    const int path = static_cast<int>(((k % 233) + 233) % 233) + 1;
    return wrs_scene(path, row);
}

Timestamp wrs_overpass(int satellite, int path, int row, Timestamp desired) {
    // Orbit N after the anchor (a descending node of path 1) flies path 1 + 16 N (mod 233):
    // consecutive orbits are 16 paths apart. 102 is the inverse of 16 modulo 233.
    static const Timestamp kAnchor =
        Timestamp::from_civil(2020, 10, 31, 14, 31, 0);  // LC08 001/062
    const double period_days = kLandsatOrbit.period_min / 1440.0;
    Timestamp anchor = kAnchor;
    if (satellite == 9) anchor.us += 8 * kUsPerDay;  // Landsat-9 flies 8 days behind Landsat-8
    const std::int64_t n0 = (static_cast<std::int64_t>(path - 1) * 102) % 233;
    const double orbits = days_between(anchor, desired) / period_days;
    const double m = std::round((orbits - static_cast<double>(n0)) / 233.0);
    const double n = static_cast<double>(n0) + 233.0 * m;
    const WrsScene s = wrs_scene(path, row);
    return plus_seconds(anchor, n * period_days * 86400.0 + s.minutes_from_node * 60.0);
}

}  // namespace creodias::detail::gen
