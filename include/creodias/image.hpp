#pragma once
/// @file
/// Rendered images and raw rasters, and their encoders: RGBA8 images to PNG (libspng, fast
/// deflate), JPEG (libjpeg-turbo) and WebP (libwebp); float rasters to GeoTIFF.
///
/// Thread safety: free functions are reentrant.

#include <creodias/export.hpp>
#include <creodias/tile_matrix_set.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

enum class ImageFormat { png, jpeg, webp, geotiff };

/// "png", "jpg"/"jpeg", "webp", "tif"/"tiff"/"geotiff" or a media type ("image/png",
/// "image/jpeg", "image/webp", "image/tiff", "image/tiff; application=geotiff").
/// @throws InvalidArgument.
CREODIAS_EXPORT ImageFormat parse_image_format(std::string_view text);
CREODIAS_EXPORT std::string_view media_type(ImageFormat f) noexcept;
CREODIAS_EXPORT std::string_view extension(ImageFormat f) noexcept;

/// An 8-bit RGBA image, rows top to bottom.
struct CREODIAS_EXPORT Image {
    int width = 0, height = 0;
    std::vector<std::uint8_t> rgba;  ///< width × height × 4

    Image() = default;
    Image(int w, int h) : width(w), height(h), rgba(static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4, 0) {}
    /// Whether every pixel has alpha 255.
    bool opaque() const noexcept;
    /// Whether every pixel has alpha 0.
    bool empty() const noexcept;
};

/// Float bands on a georeferenced grid (raw values for WCS and band math), with a validity
/// mask (255 = data, 0 = none).
struct CREODIAS_EXPORT RasterBlock {
    int width = 0, height = 0;
    std::vector<std::string> names;           ///< band names, upper-case
    std::vector<std::vector<float>> bands;    ///< width × height each; NaN where no data
    std::vector<std::uint8_t> mask;           ///< width × height
    std::string crs;                          ///< as given in the request ("EPSG:3857", WKT...)
    Extent extent;                            ///< x = easting/longitude
    /// The band by name (case-insensitive), or nullptr.
    const std::vector<float>* band(std::string_view name) const noexcept;
    /// Fraction of pixels with data.
    double coverage() const noexcept;
};

struct EncodeOptions {
    /// JPEG and lossy WebP quality, 1..100.  DEFAULT: 85
    int quality = 85;
    /// PNG deflate level 0..9; 1 is 5-10x faster than 6 on noisy imagery for ~15 % more
    /// bytes.  DEFAULT: 1
    int png_level = 1;
    /// Lossless WebP.  DEFAULT: false
    bool webp_lossless = false;
    /// JPEG has no alpha: pixels with alpha < 255 are blended onto this colour.
    /// DEFAULT: black
    std::uint8_t background[3] = {0, 0, 0};
};

/// Encodes an image. PNG keeps alpha (written as RGB when the image is opaque); JPEG drops
/// it. @throws InvalidArgument for GeoTIFF (use encode_geotiff) or an empty image.
CREODIAS_EXPORT std::string encode(const Image& image, ImageFormat format, const EncodeOptions& options = {});

/// Encodes float bands as a tiled, DEFLATE-compressed Float32 GeoTIFF with nodata NaN,
/// georeferenced by the block's extent and CRS.
CREODIAS_EXPORT std::string encode_geotiff(const RasterBlock& block);

/// Decodes a PNG into RGBA (for tests and tools). @throws InvalidArgument.
CREODIAS_EXPORT Image decode_png(std::string_view data);

}  // namespace creodias
