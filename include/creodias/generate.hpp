#pragma once
/// @file generate.hpp
/// Synthetic data for demos, tests and scale benchmarks:
///  - generate_archive() writes a small CREODIAS-style `/eodata` tree of real-looking
///    Sentinel-2, Sentinel-1 and Landsat products (metadata files and georeferenced
///    rasters) that the library's readers index like real ones;
///  - generate_records() writes synthetic Product records straight into a catalogue store,
///    without any file, to fill a catalogue with millions of products.
///
/// Everything is deterministic: the same options (seed included) give the same files, byte
/// for byte, and the same records.

#include <creodias/catalogue_store.hpp>
#include <creodias/export.hpp>
#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <vector>

namespace creodias {

/// What generate_archive() writes.
///
/// Rasters are kept small (see raster_size) so that the default archive is written in a
/// few seconds; metadata files have the structure and the naming of the real products.
struct GenerateOptions {
    /// Seed of every random choice (places, dates, clouds, pixel values).  DEFAULT: 42
    std::uint64_t seed = 42;
    /// Number of Sentinel-2 MSI Level-1C products (S2MSI1C).  DEFAULT: 4
    unsigned sentinel2_l1c = 4;
    /// Number of Sentinel-2 MSI Level-2A products (S2MSI2A). The i-th L2A is derived from the
    /// same acquisition as the i-th L1C (same tile, datatake and scene), as on CREODIAS.
    /// DEFAULT: 4
    unsigned sentinel2_l2a = 4;
    /// Number of Sentinel-1 IW GRD high-resolution dual-polarisation products
    /// (IW_GRDH_1S, VV+VH).  DEFAULT: 4
    unsigned sentinel1_grd = 4;
    /// Number of Landsat-8 OLI/TIRS Collection 2 Level-2 science products (L2SP).  DEFAULT: 2
    unsigned landsat_c2 = 2;
    /// Width and height in pixels of a Sentinel-2 10 m band, which covers the whole
    /// 109.8 km MGRS tile (so a pixel is 109800 / raster_size metres). The 20 m and 60 m
    /// bands have raster_size / 2 and raster_size / 6 pixels over the same extent. The other
    /// products scale with it: a Landsat scene has raster_size * 7611 / 10980 samples (its
    /// real 30 m grid reduced in the same ratio), a Sentinel-1 GRD raster_size lines and
    /// about 1.47 * raster_size samples. Must be in 24..4096 (memory and time grow with its
    /// square: 1024 takes about 1.5 s and 160 MB per Sentinel-2 product).  DEFAULT: 256
    int raster_size = 256;
    /// Where products are placed: scene centres are drawn uniformly in this box (a box with
    /// west > east crosses the antimeridian). DEFAULT: western Europe, -5,42,15,55
    BBox region{-5.0, 42.0, 15.0, 55.0};
    /// Earliest sensing time.  DEFAULT: 2023-01-01T00:00:00Z
    Timestamp start{1672531200LL * 1000000LL};
    /// Latest sensing time.  DEFAULT: 2023-12-31T23:59:59Z
    Timestamp end{1704067199LL * 1000000LL};
    /// Write Sentinel-1 and Sentinel-2 products as `<name>.zip` (holding `<name>.SAFE/`, as
    /// downloaded from the data hubs) instead of `.SAFE` directories. Landsat products stay
    /// directories.  DEFAULT: false
    bool zip = false;
    /// Called from the calling thread with (products written, products to write) as products
    /// are finished; products finishing together are reported in one call, and the last
    /// call has done == total. An exception thrown here stops the generation and is
    /// rethrown.  DEFAULT: none
    std::function<void(std::size_t done, std::size_t total)> progress;
};

/// Outcome of generate_archive().
struct GenerateReport {
    /// One entry per product, in generation order: the `.SAFE` directory or `.zip` of a
    /// Sentinel product, the `_MTL.txt` file of a Landsat product (what read_product()
    /// takes).
    std::vector<std::filesystem::path> products;
    /// Total size of the files written.
    std::uint64_t bytes = 0;
    /// Wall-clock duration.
    double seconds = 0;
};

/// Writes a CREODIAS-style archive under `eodata_root` (created if needed):
///
///   Sentinel-2/MSI/L1C/YYYY/MM/DD/S2A_MSIL1C_<datatake>_N0509_Rxxx_T<tile>_<generation>.SAFE
///   Sentinel-2/MSI/L2A/YYYY/MM/DD/S2B_MSIL2A_..._T<tile>_....SAFE
///   Sentinel-1/SAR/GRD/YYYY/MM/DD/S1A_IW_GRDH_1SDV_<start>_<stop>_<orbit>_<datatake>_<crc>.SAFE
///   Landsat-8-ESA/OLI_TIRS/L2SP/YYYY/MM/DD/LC08_L2SP_<path><row>_<acquired>_<processed>_02_T1/
///
/// dated by sensing start. Sentinel-2 products carry manifest.safe (with SHA3-256
/// checksums), MTD_MSIL1C.xml / MTD_MSIL2A.xml (processing baseline 05.09 with its -1000
/// radiometric offsets), GRANULE/<granule>/MTD_TL.xml and JPEG 2000 bands on the MGRS tile's
/// UTM grid (L2A: IMG_DATA/R10m|R20m|R60m, with the SCL scene classification); Sentinel-1
/// GRDs carry manifest.safe (MD5 checksums), annotation XML and VV/VH GeoTIFF measurements
/// georeferenced by WGS84 ground control points; Landsat scenes carry the Collection 2
/// `_MTL.txt` / `_MTL.xml` and SR_B1..SR_B7, ST_B10 and QA_PIXEL GeoTIFFs in UTM. Pixel
/// values follow one smooth synthetic landscape per scene (water, vegetation, bare soil,
/// clouds and their shadows); every published cloud cover equals the cloudy fraction of the
/// pixels. Footprints are the raster extents reprojected to WGS84.
///
/// Products that already exist are overwritten. Products are written in parallel (one per
/// hardware thread) through a staging directory, so an interrupted run never leaves a
/// half-written product in the tree.
///
/// @throws InvalidArgument for inconsistent options (raster_size out of range, start after
///         end, an invalid region); StorageError(io) when a file cannot be written;
///         Error(internal) when GDAL cannot encode a raster.
CREODIAS_EXPORT GenerateReport generate_archive(const std::filesystem::path& eodata_root,
                                                const GenerateOptions& options = {});

/// Writes `count` synthetic product records into `store` (metadata only, no files), in
/// transactions of 5000, and returns the number written.
///
/// The mix: about 25 % Sentinel-2 L1C and 25 % L2A (MGRS tiles of 109.8 km, cloud cover
/// skewed towards clear and overcast scenes), 25 % Sentinel-1 GRD (IW 250 x 170 km frames
/// rotated along the ground track, EW near the poles; orbit direction, relative orbits
/// 1..175, polarisations), 10 % Sentinel-3 OLCI (1270 km swath segments), 15 % Landsat-8/9
/// Collection 2 (WRS-2 path/row scenes, cloud cover), each restricted to the platforms in
/// orbit at the sensing time. 60 % of footprints lie over Europe (lon -25..45,
/// lat 34..72), the rest anywhere, including footprints across the antimeridian and near
/// the poles (normalised with normalize_footprint()). Sensing times are spread uniformly
/// over 2015-01-01..2025-12-31 and records are written in sensing-time order, the order in
/// which a harvester appends an archive; publication follows sensing by hours. Names follow
/// the real naming conventions and never collide (each record has its own sensing second,
/// Landsat processing dates are bumped on a clash); ids are the name stems. The same seed
/// and count give the same records. Records already in the store with the same names are
/// replaced.
///
/// @param progress called after each transaction with the number of records written.
/// @throws InvalidArgument when count exceeds the number of seconds in the time span
///         (about 3.4e8); whatever the store throws.
CREODIAS_EXPORT std::uint64_t generate_records(
    CatalogueStore& store, std::uint64_t count, std::uint64_t seed,
    const std::function<void(std::uint64_t)>& progress = {});

}  // namespace creodias
