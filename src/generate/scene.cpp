#include "generate/scene.hpp"

#include <algorithm>
#include <vector>

namespace creodias::detail::gen {

namespace {

// Spatial frequencies in cycles per scene: coastlines and fields vary over a few tens of
// kilometres on a 110 km tile; cloud systems are larger.
constexpr double kLandFreq = 3.0, kVegFreq = 7.0, kCloudFreq = 2.5, kTextureFreq = 48.0;
constexpr std::uint64_t kLand = 0x11, kVeg = 0x22, kCloud = 0x33, kTexture = 0x44;

double land_field(const Scene& s, double u, double v) {
    return fbm(s.seed ^ kLand, u * kLandFreq, v * kLandFreq, 5);
}
double cloud_field(const Scene& s, double u, double v) {
    return fbm(s.seed ^ kCloud, u * kCloudFreq + 17.0, v * kCloudFreq + 5.0, 6);
}

double smoothstep(double e0, double e1, double x) {
    const double t = std::clamp((x - e0) / (e1 - e0), 0.0, 1.0);
    return t * t * (3 - 2 * t);
}

// The value below which `share` of the field's samples lie, over a grid of the scene.
template <typename F>
double quantile(F field, double share) {
    constexpr int n = 80;
    std::vector<double> v;
    v.reserve(n * n);
    for (int j = 0; j < n; ++j)
        for (int i = 0; i < n; ++i) v.push_back(field((i + 0.5) / n, (j + 0.5) / n));
    std::sort(v.begin(), v.end());
    if (share <= 0) return v.front() - 1e-3;
    if (share >= 1) return v.back() + 1e-3;
    return v[static_cast<size_t>(share * static_cast<double>(v.size() - 1))];
}

constexpr double kCloudEdge = 0.02;  // half-width of the cloud edges in field units

}  // namespace

Scene make_scene(std::uint64_t seed, double water_share, double cloud_share) {
    Scene s;
    s.seed = mix64(seed);
    s.water_level = quantile([&](double u, double v) { return land_field(s, u, v); }, water_share);
    // A pixel is cloud when the cloud field exceeds the threshold; the (1 - share) quantile
    // leaves `share` of the scene above it.
    s.cloud_threshold =
        cloud_share <= 0 ? 2.0
        : cloud_share >= 1
            ? -1.0
            : quantile([&](double u, double v) { return cloud_field(s, u, v); }, 1.0 - cloud_share);
    // Shadows fall away from the sun; a few kilometres at a 110 km scale.
    const double dir = hash_unit(s.seed, 7, 7) * 2 * kPi;
    s.shadow_du = 0.03 * std::cos(dir);
    s.shadow_dv = 0.03 * std::sin(dir);
    return s;
}

Surface sample(const Scene& s, double u, double v) {
    Surface out;
    const double land = land_field(s, u, v);
    out.water = static_cast<float>(smoothstep(s.water_level + 0.004, s.water_level - 0.004, land));
    out.veg = static_cast<float>(
        smoothstep(0.38, 0.62, fbm(s.seed ^ kVeg, u * kVegFreq, v * kVegFreq, 4)));
    out.texture = static_cast<float>(
        2.0 * fbm(s.seed ^ kTexture, u * kTextureFreq, v * kTextureFreq, 2) - 1.0);
    if (s.cloud_threshold <= 1.5) {
        const double c = cloud_field(s, u, v);
        // Exactly 0.5 opacity at the threshold, so "cloudy" and "field >= threshold" agree.
        out.alpha =
            c >= s.cloud_threshold
                ? std::max(0.5f, static_cast<float>(smoothstep(s.cloud_threshold - kCloudEdge,
                                                               s.cloud_threshold + kCloudEdge, c)))
                : std::min(0.49f,
                           static_cast<float>(smoothstep(s.cloud_threshold - kCloudEdge,
                                                         s.cloud_threshold + kCloudEdge, c)));
        out.thick = static_cast<float>(smoothstep(s.cloud_threshold, s.cloud_threshold + 0.12, c));
        if (!out.cloudy()) {
            const double cs = cloud_field(s, u - s.shadow_du, v - s.shadow_dv);
            out.shadow = cs >= s.cloud_threshold;
        }
    }
    return out;
}

namespace {

// Typical reflectances (bandId order B01..B12) of clear water, green vegetation, bare soil
// and thick cloud, and the atmospheric path reflectance added at the top of the atmosphere.
constexpr double kWater[kS2Bands] = {0.060, 0.050, 0.045, 0.030, 0.025, 0.020, 0.018,
                                     0.015, 0.012, 0.008, 0.002, 0.005, 0.003};
constexpr double kVegetation[kS2Bands] = {0.040, 0.035, 0.065, 0.035, 0.100, 0.250, 0.300,
                                          0.340, 0.350, 0.120, 0.004, 0.180, 0.090};
constexpr double kSoil[kS2Bands] = {0.090, 0.100, 0.130, 0.160, 0.190, 0.220, 0.240,
                                    0.260, 0.270, 0.100, 0.008, 0.320, 0.260};
constexpr double kCloudRefl[kS2Bands] = {0.580, 0.590, 0.590, 0.600, 0.600, 0.610, 0.610,
                                         0.620, 0.620, 0.360, 0.300, 0.430, 0.300};
constexpr double kPath[kS2Bands] = {0.080, 0.060, 0.035, 0.020, 0.015, 0.012, 0.010,
                                    0.008, 0.007, 0.004, 0.000, 0.002, 0.001};

}  // namespace

double s2_reflectance(const Surface& s, int band, bool toa) {
    const auto b = static_cast<size_t>(band);
    double ground =
        s.water * kWater[b] + (1 - s.water) * (s.veg * kVegetation[b] + (1 - s.veg) * kSoil[b]);
    ground *= 1.0 + 0.08 * s.texture;
    if (s.shadow) ground *= 0.35;
    if (toa) ground += kPath[b];
    const double cloud = kCloudRefl[b] * (0.85 + 0.15 * s.thick) * (1.0 + 0.03 * s.texture);
    return (1 - s.alpha) * ground + s.alpha * cloud;
}

std::uint8_t s2_scene_class(const Surface& s) {
    if (s.cloudy()) return s.thick > 0.5 ? 9 : 8;  // high / medium cloud probability
    if (s.shadow) return 3;
    if (s.water >= 0.5) return 6;
    return s.veg >= 0.5 ? 4 : 5;
}

double sar_sigma0(const Surface& s, bool vh, double incidence) {
    // Calm-ish water reflects away from the sensor; vegetation scatters in volume (strong VH);
    // bare ground and built-up areas are bright in VV. Backscatter falls with incidence.
    const double water = vh ? 0.0009 : 0.012, veg = vh ? 0.028 : 0.11, soil = vh ? 0.022 : 0.16;
    double v = s.water * water + (1 - s.water) * (s.veg * veg + (1 - s.veg) * soil);
    v *= 1.0 + 0.35 * s.texture;
    const double c = std::cos(incidence * kDeg) / std::cos(38.0 * kDeg);
    return v * c * c;
}

double surface_temperature(const Surface& s, double base_k) {
    const double ground = base_k + s.water * -4.0 +
                          (1 - s.water) * (s.veg * -2.0 + (1 - s.veg) * 3.0) + 1.5 * s.texture;
    const double t = s.shadow ? ground - 3.0 : ground;
    return (1 - s.alpha) * t + s.alpha * (base_k - 35.0);
}

}  // namespace creodias::detail::gen
