#pragma once
// Private: building blocks shared by the synthetic archive and record generators — a
// portable random source, calendar formatting, spherical geodesy, an analytic UTM/MGRS
// grid, a small XML writer, digests and file output.

#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace creodias::detail::gen {

constexpr const char* kOrigin = "generate";
constexpr std::int64_t kUsPerSecond = 1000000;
constexpr std::int64_t kUsPerDay = 86400 * kUsPerSecond;
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
constexpr double kEarthRadiusKm = 6371.0088;

// ---- random numbers ------------------------------------------------------------------------

/// Random source with distributions computed here rather than by <random>'s distribution
/// classes, whose algorithms differ between standard libraries: the output for a seed is
/// then the same on every platform, not only the same engine state.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    std::uint64_t next() { return engine_(); }
    /// Uniform in [0, 1), 53 random bits.
    double uniform() { return static_cast<double>(engine_() >> 11) * 0x1.0p-53; }
    double uniform(double lo, double hi) { return lo + (hi - lo) * uniform(); }
    /// Uniform integer in [0, n), n > 0.
    std::uint64_t below(std::uint64_t n) { return engine_() % n; }  // bias < n / 2^64
    std::int64_t between(std::int64_t lo, std::int64_t hi) {        // inclusive
        return lo + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(hi - lo) + 1));
    }
    bool chance(double p) { return uniform() < p; }
    /// Standard normal (Box-Muller).
    double normal() {
        double u1 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * uniform());
    }
    /// A seed for an independent child stream.
    std::uint64_t fork() { return engine_() ^ 0x9E3779B97F4A7C15ULL; }

private:
    std::mt19937_64 engine_;
};

/// A well-mixed 64-bit hash (splitmix64 finaliser), for stateless per-pixel noise.
inline std::uint64_t mix64(std::uint64_t x) {
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}
inline double hash_unit(std::uint64_t seed, std::int64_t a, std::int64_t b) {
    std::uint64_t h = mix64(seed ^ mix64(static_cast<std::uint64_t>(a) * 0x632BE59BD9B4E019ULL +
                                         static_cast<std::uint64_t>(b)));
    return static_cast<double>(h >> 11) * 0x1.0p-53;
}

/// Fractal value noise in about [0, 1]: smooth at scale 1/frequency, with `octaves`
/// finer layers of halving amplitude. Stateless, so any raster resolution samples the same
/// continuous field.
double fbm(std::uint64_t seed, double x, double y, int octaves);

// ---- time ----------------------------------------------------------------------------------

struct Civil {
    int year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, micro = 0;
};
Civil to_civil(Timestamp t);
/// Day of the year, 1..366.
int day_of_year(Timestamp t);
/// "20230615T103631" (product names).
std::string compact(Timestamp t);
/// "20230615".
std::string compact_date(Timestamp t);
/// "2023-06-15".
std::string iso_date(Timestamp t);
/// "2023/06/15" (the /eodata date folders).
std::string date_path(Timestamp t);
/// "2023-06-15T10:36:31.024Z" (milliseconds; Sentinel-2 metadata).
std::string iso_ms_z(Timestamp t);
/// "2023-06-15T10:36:31.024000" (microseconds, no zone; Sentinel-1 metadata).
std::string iso_us(Timestamp t);
/// "2023-06-15T10:36:31.024000Z".
std::string iso_us_z(Timestamp t);
/// "2023-06-15T10:36:31Z".
std::string iso_s_z(Timestamp t);
/// Midnight UTC of the day holding t.
Timestamp day_start(Timestamp t);
inline Timestamp plus_seconds(Timestamp t, double s) {
    return Timestamp{t.us + static_cast<std::int64_t>(std::llround(s * 1e6))};
}
inline double days_between(Timestamp a, Timestamp b) {
    return static_cast<double>(b.us - a.us) / static_cast<double>(kUsPerDay);
}

/// Solar zenith and azimuth (degrees, azimuth clockwise from north) at a place and time;
/// the usual low-precision almanac formulas (about 0.01 degree), plenty for metadata.
void sun_angles(Timestamp t, double lat, double lon, double& zenith, double& azimuth);
/// Earth-Sun distance in astronomical units on that day.
double sun_distance_au(Timestamp t);

// ---- geodesy -------------------------------------------------------------------------------

/// Wraps a longitude into [-180, 180).
double wrap_lon(double lon);
/// The point `km` away from (lat, lon) along the initial bearing `bearing_deg`, on a
/// sphere. Longitude wrapped into [-180, 180).
LonLat destination(double lat, double lon, double bearing_deg, double km);
/// Initial bearing (degrees clockwise from north) from a to b on a sphere.
double bearing(const LonLat& a, const LonLat& b);

/// Analytic transverse Mercator on WGS84 with the UTM parameters (Snyder's series, well
/// below a metre inside a zone). Used where calling PROJ per point would dominate.
int utm_zone(double lon);
void utm_forward(double lat, double lon, int zone, bool north, double& easting, double& northing);
void utm_inverse(double easting, double northing, int zone, bool north, double& lat, double& lon);

/// MGRS latitude band letter (C..X) of a latitude in [-80, 84].
char mgrs_band(double lat);
/// The two letters of the 100 km square whose south-west corner is at (easting, northing)
/// (northing including the 10,000 km false northing in the south), in the AA scheme used by
/// the Sentinel-2 tiling grid.
std::string mgrs_square(int zone, double easting, double northing);

/// A Sentinel-2 tile: the MGRS 100 km square, extended to 109.8 km east and south from the
/// square's north-west corner, as the real grid does.
struct MgrsTile {
    int zone = 31;
    bool north = true;
    double ulx = 0, uly = 0;  // metres in the zone's UTM projection
    std::string id;           // "31UFS"
    int epsg() const { return (north ? 32600 : 32700) + zone; }
};
constexpr double kTileSize = 109800.0;
/// The tile whose 100 km square holds (lat, lon); false when the point's easting falls
/// outside the squares A..H / J..R / S..Z of its zone (possible only near the poles).
bool mgrs_tile_at(double lat, double lon, MgrsTile& tile);

// ---- XML -----------------------------------------------------------------------------------

/// Writes indented XML text element by element. Values are escaped; names are trusted.
class XmlWriter {
public:
    explicit XmlWriter(bool declaration = true, bool standalone_no = false);
    /// <name attrs...>, attributes as (name, value) pairs.
    XmlWriter& open(std::string_view name,
                    std::initializer_list<std::pair<std::string_view, std::string>> attrs = {});
    XmlWriter& close();
    XmlWriter& leaf(std::string_view name, const std::string& value,
                    std::initializer_list<std::pair<std::string_view, std::string>> attrs = {});
    /// An empty element <name attrs/>.
    XmlWriter& empty(std::string_view name,
                     std::initializer_list<std::pair<std::string_view, std::string>> attrs = {});
    XmlWriter& comment(std::string_view text);
    /// The document; all elements must have been closed.
    std::string str() const;

private:
    void indent();
    void attrs(std::initializer_list<std::pair<std::string_view, std::string>> a);
    std::string out_;
    std::vector<std::string> stack_;
};
std::string xml_escape(std::string_view s);

// ---- numbers ---------------------------------------------------------------------------------

/// Shortest text that reads back to the same double ("0.1", "428.90625", "51.44235231685392").
std::string num(double v);
/// Fixed decimals.
std::string fixed(double v, int decimals);

// ---- digests -----------------------------------------------------------------------------------

/// Lower-case hexadecimal digests (RFC 1321 MD5; FIPS 202 SHA3-256).
std::string md5_hex(std::string_view data);
std::string sha3_256_hex(std::string_view data);

// ---- files -------------------------------------------------------------------------------------

void write_file(const std::filesystem::path& p, std::string_view content);
std::string read_file(const std::filesystem::path& p);
void make_dirs(const std::filesystem::path& p);
/// Sum of the sizes of the regular files under a directory (or the size of a file).
std::uint64_t tree_size(const std::filesystem::path& p);

}  // namespace creodias::detail::gen
