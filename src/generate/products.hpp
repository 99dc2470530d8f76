#pragma once
// Private: the products generate_archive() writes. The planner (archive.cpp) draws every
// parameter from the seeded random stream first; the writers below then only turn a fully
// described product into files, so they can run in parallel without touching the stream.

#include "generate/common.hpp"
#include "generate/orbits.hpp"
#include "generate/scene.hpp"

#include <creodias/time.hpp>

#include <cstdint>
#include <filesystem>
#include <string>

namespace creodias::detail::gen {

/// One Sentinel-2 datatake over one MGRS tile, from which an L1C and an L2A product derive.
struct S2Acquisition {
    const Satellite* sat = nullptr;
    Timestamp datatake;   // datatake sensing start: product name, PRODUCT_START_TIME
    Timestamp tile_time;  // when the tile itself was imaged (MTD_TL SENSING_TIME)
    std::int64_t abs_orbit = 0;
    int rel_orbit = 0;
    MgrsTile tile;
    Scene scene;
    std::uint64_t seed = 0;    // for everything else (aerosols, angles...)
    Timestamp l1c_generation;  // processing times, in the names
    Timestamp l2a_generation;
};

/// "S2A_MSIL1C_20230615T103631_N0509_R008_T31UFS_20230615T124711.SAFE".
std::string s2_product_name(const S2Acquisition& a, bool l2a);
/// Writes the product's SAFE directory `safe_dir` (which must not exist).
void write_sentinel2(const std::filesystem::path& safe_dir, const S2Acquisition& a, bool l2a,
                     int raster_size);

/// One Sentinel-1 IW GRDH slice.
struct S1Acquisition {
    const Satellite* sat = nullptr;
    Timestamp start, stop;
    bool ascending = false;
    std::int64_t abs_orbit = 0;
    int rel_orbit = 0;
    std::int64_t datatake = 0;
    unsigned crc = 0;  // the 4-hex-digit product unique identifier
    double center_lat = 0, center_lon = 0, heading = 0;
    int slice = 1, total_slices = 1;
    Scene scene;
    std::uint64_t seed = 0;
    Timestamp processing_start, processing_stop;
};

/// "S1A_IW_GRDH_1SDV_20230601T172102_20230601T172127_048795_05DE4C_1A2B.SAFE".
std::string s1_product_name(const S1Acquisition& a);
void write_sentinel1(const std::filesystem::path& safe_dir, const S1Acquisition& a,
                     int raster_size);

/// One Landsat Collection 2 Level-2 scene.
struct LandsatAcquisition {
    int satellite = 8;
    WrsScene wrs;
    Timestamp acquired;  // scene centre time
    Timestamp l1_generated, l2_generated;
    Scene scene;
    std::uint64_t seed = 0;
};

/// "LC08_L2SP_199024_20230615_20230623_02_T1".
std::string landsat_product_id(const LandsatAcquisition& a);
/// Writes the product directory `dir`; returns the path of its _MTL.txt.
std::filesystem::path write_landsat(const std::filesystem::path& dir, const LandsatAcquisition& a,
                                    int raster_size);

}  // namespace creodias::detail::gen
