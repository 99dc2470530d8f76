#pragma once
// Private: orbit bookkeeping of the missions the generators imitate. Each mission flies a
// sun-synchronous repeat orbit, so the absolute orbit grows linearly with time and the
// relative orbit (track) is the absolute orbit modulo the cycle, with a per-satellite
// offset. Anchors are absolute orbits read from real products (see the fixtures), which
// keeps generated names, orbit numbers and local times mutually consistent.

#include "generate/common.hpp"

#include <creodias/time.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace creodias::detail::gen {

/// One satellite of a constellation.
struct Satellite {
    char unit;                         // 'A', 'B', 'C'
    const char* platform;              // "SENTINEL-2A"
    const char* nssdc;                 // international designator, "2015-028A"
    Timestamp from, to;                // operational period used by the generators
    Timestamp anchor;                  // time of the anchor orbit
    std::int64_t anchor_orbit;         // absolute orbit then
    int track_offset;                  // relative = (absolute + offset) mod cycle + 1
    std::int64_t anchor_datatake = 0;  // Sentinel-1 mission datatake id at the anchor
};

/// Orbits per day and orbits per cycle.
struct OrbitModel {
    double orbits_per_day;
    int cycle_orbits;
    double inclination_deg;
    double period_min;
};

extern const OrbitModel kS1Orbit, kS2Orbit, kS3Orbit, kLandsatOrbit;

/// The satellites of a mission ('1', '2' or '3' for Sentinel-1/2/3), in service order.
const std::vector<Satellite>& sentinel(char mission);
/// Satellites of `mission` operational at t.
std::vector<const Satellite*> in_orbit(char mission, Timestamp t);

std::int64_t absolute_orbit(const Satellite& s, const OrbitModel& m, Timestamp t);
int relative_orbit(const Satellite& s, const OrbitModel& m, std::int64_t absolute);
/// Sentinel-1 mission datatake identifier (about 125 per day).
std::int64_t s1_datatake(const Satellite& s, Timestamp t);

/// Direction of motion (degrees clockwise from north) of a sun-synchronous ground track at a
/// latitude, on the ascending or the descending half of the orbit, including the Earth's
/// rotation under the orbit.
double track_heading(const OrbitModel& m, double lat, bool ascending);

/// UTC time of day (hours, 0..24) at which a sun-synchronous satellite whose node crossing is
/// at local solar time `node_hours` (descending node for a descending pass, ascending node
/// otherwise) flies over (lat, lon).
double overpass_utc_hours(const OrbitModel& m, double node_hours, double lat, double lon,
                          bool ascending);

/// Landsat WRS-2: 233 paths, 248 rows (row 60 on the equator of the descending pass).
struct WrsScene {
    int path = 0, row = 0;
    double lat = 0, lon = 0;  // scene centre
    double heading = 0;       // ground-track direction at the centre
    double minutes_from_node = 0;
};
WrsScene wrs_scene(int path, int row);
/// The daytime (descending) scene whose centre is nearest to (lat, lon).
WrsScene wrs_locate(double lat, double lon);
/// Scene-centre time of Landsat `satellite` (8 or 9) over (path, row) on the overpass
/// nearest to `desired` (the 16-day repeat cycle fixes which days a path is imaged).
Timestamp wrs_overpass(int satellite, int path, int row, Timestamp desired);

}  // namespace creodias::detail::gen
