#pragma once
// Private: the GDAL side of the generators — encoding rasters (JPEG 2000, GeoTIFF, PNG) from
// memory and transforming coordinates with PROJ through OGR. GDAL failures become
// creodias errors here.

#include <creodias/geometry.hpp>

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace creodias::detail::gen {

/// Registers GDAL's drivers once per process.
void register_gdal();

/// A north-up grid in a projected or geographic CRS.
struct Grid {
    int width = 0, height = 0;
    double x0 = 0, y0 = 0;  // upper-left corner
    double dx = 0, dy = 0;  // pixel size; dy negative for north-up
    int epsg = 0;           // 0: no georeferencing
};

/// A ground control point: raster position (pixel, line) and WGS84 position.
struct Gcp {
    double pixel = 0, line = 0;
    double lon = 0, lat = 0, height = 0;
};

enum class PixelType { u8, u16 };

/// One raster to encode: `bands` planes of width * height samples, band after band.
struct RasterSpec {
    int width = 0, height = 0, bands = 1;
    PixelType type = PixelType::u16;
    const void* data = nullptr;
    const Grid* grid = nullptr;                                 // geotransform + EPSG, or
    const std::vector<Gcp>* gcps = nullptr;                     // GCPs in EPSG:4326
    std::vector<std::pair<std::string, std::string>> metadata;  // dataset metadata items
    std::vector<std::string> creation_options;
    int nodata = -1;  // < 0: none
};

/// Encodes with a GDAL driver ("JP2OpenJPEG", "GTiff", "PNG") through CreateCopy() from an
/// in-memory dataset. Throws StorageError(io) when the file cannot be written and
/// Error(internal) for any other GDAL failure.
void write_raster(const std::filesystem::path& path, const char* driver, const RasterSpec& spec);

/// Lossless JPEG 2000 as in Sentinel-2 products.
void write_jp2(const std::filesystem::path& path, const Grid& grid,
               const std::vector<std::uint16_t>& data);
void write_jp2(const std::filesystem::path& path, const Grid& grid,
               const std::vector<std::uint8_t>& data, int bands);

/// Coordinate transformation between an EPSG CRS and WGS84 (lon/lat order).
class Projector {
public:
    explicit Projector(int epsg);
    ~Projector();
    Projector(const Projector&) = delete;
    Projector& operator=(const Projector&) = delete;
    LonLat to_wgs84(double x, double y) const;
    void from_wgs84(double lon, double lat, double& x, double& y) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace creodias::detail::gen
