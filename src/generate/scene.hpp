#pragma once
// Private: the synthetic landscape behind every generated raster. A scene is a set of smooth
// noise fields over the unit square (u east, v south): a land/water field, a vegetation field,
// a cloud field and a shadow cast by the clouds. Fields are continuous, so every band
// resolution samples the same landscape, and thresholds are fitted so that water and cloud
// take the requested share of the scene.

#include "generate/common.hpp"

#include <array>
#include <cstdint>

namespace creodias::detail::gen {

struct Scene {
    std::uint64_t seed = 0;
    double water_level = 0;               // land field below this is water
    double cloud_threshold = 2;           // cloud field above this is cloud (2: never)
    double shadow_du = 0, shadow_dv = 0;  // where the clouds' shadows fall, in scene units
};

/// What covers one point of a scene.
/// Stored as floats: a layer holds one per pixel.
struct Surface {
    float water = 0;      // 0..1 (soft shore)
    float veg = 0;        // vegetated share of the land, 0..1
    float alpha = 0;      // cloud opacity, 0..1; >= 0.5 counts as cloud
    float thick = 0;      // how far inside a cloud (0 at its edge, 1 deep inside)
    float texture = 0;    // fine variation, about -1..1
    bool shadow = false;  // in a cloud's shadow (and not itself cloudy)
    bool cloudy() const { return alpha >= 0.5; }
};

/// A scene with about `water_share` of water and `cloud_share` of cloud (both 0..1).
Scene make_scene(std::uint64_t seed, double water_share, double cloud_share);
Surface sample(const Scene& s, double u, double v);

/// The 13 Sentinel-2 bands in bandId order (B01..B8A..B12).
enum S2Band { B01, B02, B03, B04, B05, B06, B07, B08, B8A, B09, B10, B11, B12, kS2Bands };
/// Reflectance (0..~1) of a surface in a Sentinel-2 band, at the top of the atmosphere
/// (Level-1C) or at the surface (Level-2A).
double s2_reflectance(const Surface& s, int band, bool toa);
/// Sentinel-2 L2A scene classification (SCL) class of a surface.
std::uint8_t s2_scene_class(const Surface& s);

/// Radar backscatter (sigma nought, linear) in VV or VH before speckle; `incidence` in
/// degrees.
double sar_sigma0(const Surface& s, bool vh, double incidence);

/// Surface temperature in kelvin (Landsat ST_B10).
double surface_temperature(const Surface& s, double base_k);

}  // namespace creodias::detail::gen
