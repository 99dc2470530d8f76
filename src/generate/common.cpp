#include "generate/common.hpp"

#include "core/civil.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <fstream>
#include <sstream>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias::detail::gen {

// ---- noise -----------------------------------------------------------------------------------

namespace {

double value_noise(std::uint64_t seed, double x, double y) {
    const double fx = std::floor(x), fy = std::floor(y);
    const auto ix = static_cast<std::int64_t>(fx), iy = static_cast<std::int64_t>(fy);
    const double tx = x - fx, ty = y - fy;
    // Smoothstep weights: continuous first derivative, so no grid lines show in the field.
    const double sx = tx * tx * (3 - 2 * tx), sy = ty * ty * (3 - 2 * ty);
    const double v00 = hash_unit(seed, ix, iy), v10 = hash_unit(seed, ix + 1, iy);
    const double v01 = hash_unit(seed, ix, iy + 1), v11 = hash_unit(seed, ix + 1, iy + 1);
    const double a = v00 + (v10 - v00) * sx, b = v01 + (v11 - v01) * sx;
    return a + (b - a) * sy;
}

}  // namespace

double fbm(std::uint64_t seed, double x, double y, int octaves) {
    double sum = 0, total = 0, amp = 1, freq = 1;
    for (int o = 0; o < octaves; ++o) {
        sum += amp * value_noise(mix64(seed + static_cast<std::uint64_t>(o)), x * freq, y * freq);
        total += amp;
        amp *= 0.5;
        freq *= 2;
    }
    return sum / total;
}

// ---- time ------------------------------------------------------------------------------------

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
    std::int64_t q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
    return q;
}

}  // namespace

Civil to_civil(Timestamp t) {
    Civil c;
    const std::int64_t days = floor_div(t.us, kUsPerDay);
    std::int64_t rem = t.us - days * kUsPerDay;
    civil_from_days(days, c.year, c.month, c.day);
    c.micro = static_cast<int>(rem % kUsPerSecond);
    rem /= kUsPerSecond;
    c.second = static_cast<int>(rem % 60);
    c.minute = static_cast<int>((rem / 60) % 60);
    c.hour = static_cast<int>(rem / 3600);
    return c;
}

int day_of_year(Timestamp t) {
    const Civil c = to_civil(t);
    return static_cast<int>(days_from_civil(c.year, c.month, c.day) -
                            days_from_civil(c.year, 1, 1)) +
           1;
}

Timestamp day_start(Timestamp t) { return Timestamp{floor_div(t.us, kUsPerDay) * kUsPerDay}; }

std::string compact(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}{:02d}{:02d}T{:02d}{:02d}{:02d}", c.year, c.month, c.day, c.hour,
                       c.minute, c.second);
}

std::string compact_date(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}{:02d}{:02d}", c.year, c.month, c.day);
}

std::string iso_date(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}-{:02d}-{:02d}", c.year, c.month, c.day);
}

std::string date_path(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}/{:02d}/{:02d}", c.year, c.month, c.day);
}

std::string iso_ms_z(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:03d}Z", c.year, c.month, c.day,
                       c.hour, c.minute, c.second, c.micro / 1000);
}

std::string iso_us(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}.{:06d}", c.year, c.month, c.day,
                       c.hour, c.minute, c.second, c.micro);
}

std::string iso_us_z(Timestamp t) { return iso_us(t) + "Z"; }

std::string iso_s_z(Timestamp t) {
    const Civil c = to_civil(t);
    return fmt::format("{:04d}-{:02d}-{:02d}T{:02d}:{:02d}:{:02d}Z", c.year, c.month, c.day, c.hour,
                       c.minute, c.second);
}

void sun_angles(Timestamp t, double lat, double lon, double& zenith, double& azimuth) {
    // Days since J2000.0 and the Sun's ecliptic longitude, then equatorial coordinates and
    // the local hour angle from Greenwich mean sidereal time.
    const double n = static_cast<double>(t.us) / 86400e6 + 2440587.5 - 2451545.0;
    const double L = 280.460 + 0.9856474 * n;
    const double g = (357.528 + 0.9856003 * n) * kDeg;
    const double lambda = (L + 1.915 * std::sin(g) + 0.020 * std::sin(2 * g)) * kDeg;
    const double eps = (23.439 - 0.0000004 * n) * kDeg;
    const double ra = std::atan2(std::cos(eps) * std::sin(lambda), std::cos(lambda));
    const double dec = std::asin(std::sin(eps) * std::sin(lambda));
    const double gmst_h = 18.697374558 + 24.06570982441908 * n;
    const double h = (gmst_h * 15.0 + lon) * kDeg - ra;
    const double phi = lat * kDeg;
    const double cos_z =
        std::sin(phi) * std::sin(dec) + std::cos(phi) * std::cos(dec) * std::cos(h);
    zenith = std::acos(std::clamp(cos_z, -1.0, 1.0)) / kDeg;
    double az =
        std::atan2(-std::sin(h), std::tan(dec) * std::cos(phi) - std::sin(phi) * std::cos(h)) /
        kDeg;
    if (az < 0) az += 360;
    azimuth = az;
}

double sun_distance_au(Timestamp t) {
    return 1.0 - 0.01672 * std::cos(0.0172 * (day_of_year(t) - 4));
}

// ---- geodesy ---------------------------------------------------------------------------------

double wrap_lon(double lon) {
    lon = std::fmod(lon + 180.0, 360.0);
    if (lon < 0) lon += 360.0;
    return lon - 180.0;
}

LonLat destination(double lat, double lon, double bearing_deg, double km) {
    const double d = km / kEarthRadiusKm, th = bearing_deg * kDeg;
    const double p1 = lat * kDeg, l1 = lon * kDeg;
    const double p2 = std::asin(std::clamp(
        std::sin(p1) * std::cos(d) + std::cos(p1) * std::sin(d) * std::cos(th), -1.0, 1.0));
    const double l2 = l1 + std::atan2(std::sin(th) * std::sin(d) * std::cos(p1),
                                      std::cos(d) - std::sin(p1) * std::sin(p2));
    return {wrap_lon(l2 / kDeg), p2 / kDeg};
}

double bearing(const LonLat& a, const LonLat& b) {
    const double p1 = a.lat * kDeg, p2 = b.lat * kDeg, dl = (b.lon - a.lon) * kDeg;
    const double th =
        std::atan2(std::sin(dl) * std::cos(p2),
                   std::cos(p1) * std::sin(p2) - std::sin(p1) * std::cos(p2) * std::cos(dl));
    return std::fmod(th / kDeg + 360.0, 360.0);
}

namespace {

constexpr double kA = 6378137.0;
constexpr double kF = 1.0 / 298.257223563;
constexpr double kE2 = kF * (2 - kF);
constexpr double kEp2 = kE2 / (1 - kE2);
constexpr double kK0 = 0.9996;

double meridian_arc(double phi) {
    const double e4 = kE2 * kE2, e6 = e4 * kE2;
    return kA * ((1 - kE2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi -
                 (3 * kE2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * std::sin(2 * phi) +
                 (15 * e4 / 256 + 45 * e6 / 1024) * std::sin(4 * phi) -
                 (35 * e6 / 3072) * std::sin(6 * phi));
}

double central_meridian(int zone) { return (zone - 1) * 6.0 - 180.0 + 3.0; }

}  // namespace

int utm_zone(double lon) {
    int z = static_cast<int>(std::floor((wrap_lon(lon) + 180.0) / 6.0)) + 1;
    return std::clamp(z, 1, 60);
}

void utm_forward(double lat, double lon, int zone, bool north, double& easting, double& northing) {
    const double phi = lat * kDeg;
    const double dl = wrap_lon(lon - central_meridian(zone)) * kDeg;
    const double s = std::sin(phi), c = std::cos(phi), t = std::tan(phi);
    const double N = kA / std::sqrt(1 - kE2 * s * s);
    const double T = t * t, C = kEp2 * c * c, A = c * dl;
    const double A2 = A * A, A3 = A2 * A, A4 = A3 * A, A5 = A4 * A, A6 = A5 * A;
    easting =
        kK0 * N *
            (A + (1 - T + C) * A3 / 6 + (5 - 18 * T + T * T + 72 * C - 58 * kEp2) * A5 / 120) +
        500000.0;
    northing =
        kK0 * (meridian_arc(phi) + N * t *
                                       (A2 / 2 + (5 - T + 9 * C + 4 * C * C) * A4 / 24 +
                                        (61 - 58 * T + T * T + 600 * C - 330 * kEp2) * A6 / 720));
    if (!north) northing += 10000000.0;
}

void utm_inverse(double easting, double northing, int zone, bool north, double& lat, double& lon) {
    const double x = easting - 500000.0;
    const double y = north ? northing : northing - 10000000.0;
    const double e4 = kE2 * kE2, e6 = e4 * kE2;
    const double mu = (y / kK0) / (kA * (1 - kE2 / 4 - 3 * e4 / 64 - 5 * e6 / 256));
    const double e1 = (1 - std::sqrt(1 - kE2)) / (1 + std::sqrt(1 - kE2));
    const double phi1 = mu + (3 * e1 / 2 - 27 * std::pow(e1, 3) / 32) * std::sin(2 * mu) +
                        (21 * e1 * e1 / 16 - 55 * std::pow(e1, 4) / 32) * std::sin(4 * mu) +
                        (151 * std::pow(e1, 3) / 96) * std::sin(6 * mu) +
                        (1097 * std::pow(e1, 4) / 512) * std::sin(8 * mu);
    const double s = std::sin(phi1), c = std::cos(phi1), t = std::tan(phi1);
    const double C1 = kEp2 * c * c, T1 = t * t;
    const double N1 = kA / std::sqrt(1 - kE2 * s * s);
    const double R1 = kA * (1 - kE2) / std::pow(1 - kE2 * s * s, 1.5);
    const double D = x / (N1 * kK0);
    const double D2 = D * D, D3 = D2 * D, D4 = D3 * D, D5 = D4 * D, D6 = D5 * D;
    const double phi =
        phi1 - (N1 * t / R1) *
                   (D2 / 2 - (5 + 3 * T1 + 10 * C1 - 4 * C1 * C1 - 9 * kEp2) * D4 / 24 +
                    (61 + 90 * T1 + 298 * C1 + 45 * T1 * T1 - 252 * kEp2 - 3 * C1 * C1) * D6 / 720);
    const double dl = (D - (1 + 2 * T1 + C1) * D3 / 6 +
                       (5 - 2 * C1 + 28 * T1 - 3 * C1 * C1 + 8 * kEp2 + 24 * T1 * T1) * D5 / 120) /
                      c;
    lat = phi / kDeg;
    lon = wrap_lon(central_meridian(zone) + dl / kDeg);
}

char mgrs_band(double lat) {
    static const char* kBands = "CDEFGHJKLMNPQRSTUVWX";
    int i = static_cast<int>(std::floor((lat + 80.0) / 8.0));
    return kBands[std::clamp(i, 0, 19)];
}

std::string mgrs_square(int zone, double easting, double northing) {
    static const char* kCols[3] = {"STUVWXYZ", "ABCDEFGH", "JKLMNPQR"};
    static const char* kRows = "ABCDEFGHJKLMNPQRSTUV";
    const int e = std::clamp(static_cast<int>(std::floor(easting / 100000.0)), 1, 8);
    const auto n = static_cast<std::int64_t>(std::floor(northing / 100000.0));
    // Even zones start their row letters five squares further (the "AA" lettering scheme).
    const std::int64_t r = ((n + (zone % 2 == 0 ? 5 : 0)) % 20 + 20) % 20;
    return {kCols[zone % 3][e - 1], kRows[r]};
}

bool mgrs_tile_at(double lat, double lon, MgrsTile& tile) {
    tile.zone = utm_zone(lon);
    tile.north = lat >= 0;
    double e = 0, n = 0;
    utm_forward(lat, lon, tile.zone, tile.north, e, n);
    const double col = std::floor(e / 100000.0);
    if (col < 1 || col > 8) return false;
    const double row = std::floor(n / 100000.0);
    tile.ulx = col * 100000.0;
    tile.uly = (row + 1) * 100000.0;
    tile.id = fmt::format("{:02d}{}{}", tile.zone, mgrs_band(lat),
                          mgrs_square(tile.zone, tile.ulx, row * 100000.0));
    return true;
}

// ---- XML -------------------------------------------------------------------------------------

std::string xml_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

XmlWriter::XmlWriter(bool declaration, bool standalone_no) {
    if (declaration)
        out_ = standalone_no ? "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
                             : "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
}

void XmlWriter::indent() { out_.append(stack_.size() * 2, ' '); }

void XmlWriter::attrs(std::initializer_list<std::pair<std::string_view, std::string>> a) {
    for (const auto& [k, v] : a) {
        out_ += ' ';
        out_ += k;
        out_ += "=\"";
        out_ += xml_escape(v);
        out_ += '"';
    }
}

XmlWriter& XmlWriter::open(std::string_view name,
                           std::initializer_list<std::pair<std::string_view, std::string>> a) {
    indent();
    out_ += '<';
    out_ += name;
    attrs(a);
    out_ += ">\n";
    stack_.emplace_back(name);
    return *this;
}

XmlWriter& XmlWriter::close() {
    std::string name = std::move(stack_.back());
    stack_.pop_back();
    indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
    return *this;
}

XmlWriter& XmlWriter::leaf(std::string_view name, const std::string& value,
                           std::initializer_list<std::pair<std::string_view, std::string>> a) {
    indent();
    out_ += '<';
    out_ += name;
    attrs(a);
    out_ += '>';
    out_ += xml_escape(value);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
    return *this;
}

XmlWriter& XmlWriter::empty(std::string_view name,
                            std::initializer_list<std::pair<std::string_view, std::string>> a) {
    indent();
    out_ += '<';
    out_ += name;
    attrs(a);
    out_ += "/>\n";
    return *this;
}

XmlWriter& XmlWriter::comment(std::string_view text) {
    indent();
    out_ += "<!-- ";
    out_ += text;
    out_ += " -->\n";
    return *this;
}

std::string XmlWriter::str() const { return out_; }

// ---- numbers ---------------------------------------------------------------------------------

std::string num(double v) { return fmt::format("{}", v); }
std::string fixed(double v, int decimals) { return fmt::format("{:.{}f}", v, decimals); }

// ---- digests ---------------------------------------------------------------------------------

namespace {

std::string to_hex(const unsigned char* p, size_t n) {
    static const char* kHex = "0123456789abcdef";
    std::string s(n * 2, '0');
    for (size_t i = 0; i < n; ++i) {
        s[2 * i] = kHex[p[i] >> 4];
        s[2 * i + 1] = kHex[p[i] & 15];
    }
    return s;
}

inline std::uint32_t rotl32(std::uint32_t x, int c) { return (x << c) | (x >> (32 - c)); }
inline std::uint64_t rotl64(std::uint64_t x, int c) {
    return c == 0 ? x : (x << c) | (x >> (64 - c));
}

}  // namespace

std::string md5_hex(std::string_view data) {
    // RFC 1321. The sine-derived constants are computed once; |sin(i+1)| * 2^32 is far enough
    // from an integer for double precision to give the exact floor.
    static const std::array<std::uint32_t, 64> K = [] {
        std::array<std::uint32_t, 64> k{};
        for (int i = 0; i < 64; ++i)
            k[static_cast<size_t>(i)] =
                static_cast<std::uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
        return k;
    }();
    static const int S[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                              5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                              4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                              6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
    std::uint32_t h[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};
    std::string msg(data);
    const std::uint64_t bits = static_cast<std::uint64_t>(data.size()) * 8;
    msg += static_cast<char>(0x80);
    while (msg.size() % 64 != 56) msg += '\0';
    for (int i = 0; i < 8; ++i) msg += static_cast<char>((bits >> (8 * i)) & 0xff);
    for (size_t off = 0; off < msg.size(); off += 64) {
        std::uint32_t m[16];
        for (int i = 0; i < 16; ++i) {
            const auto* p = reinterpret_cast<const unsigned char*>(msg.data() + off +
                                                                   4 * static_cast<size_t>(i));
            m[i] = static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
                   (static_cast<std::uint32_t>(p[2]) << 16) |
                   (static_cast<std::uint32_t>(p[3]) << 24);
        }
        std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        for (int i = 0; i < 64; ++i) {
            std::uint32_t f;
            int g;
            if (i < 16) {
                f = (b & c) | (~b & d);
                g = i;
            } else if (i < 32) {
                f = (d & b) | (~d & c);
                g = (5 * i + 1) % 16;
            } else if (i < 48) {
                f = b ^ c ^ d;
                g = (3 * i + 5) % 16;
            } else {
                f = c ^ (b | ~d);
                g = (7 * i) % 16;
            }
            const std::uint32_t tmp = d;
            d = c;
            c = b;
            b = b + rotl32(a + f + K[static_cast<size_t>(i)] + m[g], S[i]);
            a = tmp;
        }
        h[0] += a;
        h[1] += b;
        h[2] += c;
        h[3] += d;
    }
    unsigned char out[16];
    for (int i = 0; i < 4; ++i)
        for (int j = 0; j < 4; ++j)
            out[4 * i + j] = static_cast<unsigned char>((h[i] >> (8 * j)) & 0xff);
    return to_hex(out, 16);
}

namespace {

// Keccak-f[1600] (FIPS 202). The round constants and rotation offsets are derived from their
// definitions (the rc() LFSR and the (x, y) -> (y, 2x + 3y) walk) rather than tabulated.
struct KeccakTables {
    std::uint64_t rc[24]{};
    int rot[25]{};
    KeccakTables() {
        // Bit-exact LFSR over GF(2) with polynomial x^8 + x^6 + x^5 + x^4 + 1.
        auto rc_bit = [](int t) -> int {
            if (t % 255 == 0) return 1;
            int R[9] = {1, 0, 0, 0, 0, 0, 0, 0, 0};
            for (int i = 1; i <= t % 255; ++i) {
                for (int k = 8; k > 0; --k) R[k] = R[k - 1];
                R[0] = 0;
                R[0] ^= R[8];
                R[4] ^= R[8];
                R[5] ^= R[8];
                R[6] ^= R[8];
            }
            return R[0];
        };
        for (int ir = 0; ir < 24; ++ir) {
            std::uint64_t c = 0;
            for (int j = 0; j <= 6; ++j)
                if (rc_bit(j + 7 * ir)) c |= std::uint64_t{1} << ((1 << j) - 1);
            this->rc[ir] = c;
        }
        int x = 1, y = 0;
        rot[0] = 0;
        for (int t = 0; t < 24; ++t) {
            rot[x + 5 * y] = ((t + 1) * (t + 2) / 2) % 64;
            const int nx = y, ny = (2 * x + 3 * y) % 5;
            x = nx;
            y = ny;
        }
    }
};

void keccak_f(std::uint64_t A[25]) {
    static const KeccakTables T;
    for (int round = 0; round < 24; ++round) {
        std::uint64_t C[5], D[5], B[25];
        for (int x = 0; x < 5; ++x) C[x] = A[x] ^ A[x + 5] ^ A[x + 10] ^ A[x + 15] ^ A[x + 20];
        for (int x = 0; x < 5; ++x) D[x] = C[(x + 4) % 5] ^ rotl64(C[(x + 1) % 5], 1);
        for (int i = 0; i < 25; ++i) A[i] ^= D[i % 5];
        for (int x = 0; x < 5; ++x)
            for (int y = 0; y < 5; ++y)
                B[y + 5 * ((2 * x + 3 * y) % 5)] = rotl64(A[x + 5 * y], T.rot[x + 5 * y]);
        for (int x = 0; x < 5; ++x)
            for (int y = 0; y < 5; ++y)
                A[x + 5 * y] = B[x + 5 * y] ^ (~B[(x + 1) % 5 + 5 * y] & B[(x + 2) % 5 + 5 * y]);
        A[0] ^= T.rc[round];
    }
}

}  // namespace

std::string sha3_256_hex(std::string_view data) {
    constexpr size_t kRate = 136;  // 1600 - 2 * 256 bits
    std::uint64_t A[25] = {};
    auto absorb = [&](const unsigned char* block) {
        for (size_t i = 0; i < kRate / 8; ++i) {
            std::uint64_t lane = 0;
            for (int b = 7; b >= 0; --b) lane = (lane << 8) | block[8 * i + static_cast<size_t>(b)];
            A[i] ^= lane;
        }
        keccak_f(A);
    };
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    size_t n = data.size();
    while (n >= kRate) {
        absorb(p);
        p += kRate;
        n -= kRate;
    }
    unsigned char last[kRate] = {};
    std::memcpy(last, p, n);
    last[n] ^= 0x06;  // SHA-3 domain suffix 01 then the first pad bit
    last[kRate - 1] ^= 0x80;
    absorb(last);
    unsigned char out[32];
    for (size_t i = 0; i < 4; ++i)
        for (size_t b = 0; b < 8; ++b)
            out[8 * i + b] = static_cast<unsigned char>((A[i] >> (8 * b)) & 0xff);
    return to_hex(out, 32);
}

// ---- files -----------------------------------------------------------------------------------

void make_dirs(const fs::path& p) {
    std::error_code ec;
    fs::create_directories(p, ec);
    if (ec)
        throw StorageError(
            Errc::io, kOrigin,
            fmt::format("{}: cannot create directory: {}", p.string(), ec.message()));
}

void write_file(const fs::path& p, std::string_view content) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    if (out) out.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!out)
        throw StorageError(Errc::io, kOrigin, fmt::format("{}: cannot write file", p.string()));
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) throw StorageError(Errc::io, kOrigin, fmt::format("{}: cannot read file", p.string()));
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::uint64_t tree_size(const fs::path& p) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return fs::file_size(p, ec);
    std::uint64_t total = 0;
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
        if (it->is_regular_file(ec)) total += it->file_size(ec);
    return total;
}

}  // namespace creodias::detail::gen
