#pragma once
/// @file
/// Product access: where a catalogue Product lives (the /eodata mount when present, else the
/// S3 `eodata` store), its files, file selection by glob or band, GDAL paths for reading in
/// place, window reads, and downloads.

#include <creodias/export.hpp>
#include <creodias/product.hpp>
#include <creodias/s3.hpp>
#include <creodias/transfer.hpp>
#include <creodias/vfs.hpp>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

struct AccessOptions {
    /// The mount holding the archive; "" disables local access.  DEFAULT: "/eodata"
    std::string eodata_root = "/eodata";
    /// Bucket of the S3 store mirroring the mount (/eodata/X is s3://BUCKET/X).
    std::string bucket = "eodata";
    /// S3 endpoint and credentials (unset fields: AWS variables and files, see
    /// resolve_s3_options).
    S3Settings s3;
    HttpOptions http;
};

/// Where a product's files are read from.
struct ProductLocation {
    std::shared_ptr<FileSystem> fs;
    std::string path;     ///< the product's root in `fs` ("eodata/Sentinel-2/..." for S3)
    bool mounted = false; ///< local files (the mount, or where the product was indexed from)
    std::string uri() const { return fs ? fs->uri(path) : std::string(); }
};

/// One file of a product, as found in its location.
struct ProductFileEntry {
    std::string path;    ///< relative to the product root: "GRANULE/L2A_.../IMG_DATA/R10m/..._B04_10m.jp2"
    std::string source;  ///< path in the location's FileSystem
    std::uint64_t size = 0;
    std::string etag;
    std::string band;    ///< band name when the file is a band: "B04", "SCL", "VV", "SR_B4"...
    std::vector<Checksum> checksums;  ///< from the catalogue record or the product manifest
};

enum class SampleType { uint8, int8, uint16, int16, uint32, int32, float32, float64 };
/// Bytes per sample.
CREODIAS_EXPORT int sample_size(SampleType t) noexcept;
CREODIAS_EXPORT std::string_view to_string(SampleType t) noexcept;

/// A pixel window: columns [x, x + width), rows [y, y + height).
struct PixelWindow {
    int x = 0, y = 0, width = 0, height = 0;
};

/// Samples of one band over a window, row-major.
struct WindowData {
    int width = 0, height = 0;
    SampleType type = SampleType::uint8;
    std::vector<unsigned char> data;  ///< width × height × sample_size(type) bytes, native order
    std::optional<double> nodata;
    std::array<double, 6> geotransform{};  ///< of the window (GDAL convention)
    std::string crs_wkt;
};

/// The band name a file carries in its name ("..._B04_10m.jp2" → "B04", "...-vv-...tiff" → "VV",
/// "..._SR_B4.TIF" → "SR_B4"); empty for files that are not bands.
CREODIAS_EXPORT std::string band_of_file(std::string_view file_name);

/// Whether `band` ("B04", "b4", "B04_20m", "vv") names `entry`'s band.
CREODIAS_EXPORT bool band_matches(std::string_view band, const ProductFileEntry& entry);

/// Product access over the mount and the S3 store. Thread safe.
class CREODIAS_EXPORT ProductAccess {
public:
    explicit ProductAccess(AccessOptions options = {});
    ~ProductAccess();
    ProductAccess(ProductAccess&&) noexcept;
    ProductAccess& operator=(ProductAccess&&) noexcept;

    const AccessOptions& options() const noexcept;

    /// The mount when the product's path exists there (or where it was indexed from), else
    /// its S3 location (/eodata/X → s3://BUCKET/X).
    /// @throws NotFoundError when the product records no path.
    ProductLocation locate(const Product& product) const;

    /// Every file of the product, sorted by path, with band names and the checksums of the
    /// catalogue record or, for SAFE products, of manifest.safe.
    std::vector<ProductFileEntry> files(const Product& product) const;

    /// The files matching any of `patterns` (globs, see match_file_patterns) or `bands`.
    /// Both empty: all. @throws NotFoundError when nothing matches.
    static std::vector<ProductFileEntry> select(const std::vector<ProductFileEntry>& files,
                                                const std::vector<std::string>& patterns,
                                                const std::vector<std::string>& bands = {});

    /// A path GDAL opens in place: the local file, or /vsis3/ with the endpoint and
    /// credentials set for the bucket's prefix. `file_or_band` is a relative path, a glob or
    /// a band name; the first match (the finest resolution for Sentinel-2 bands) is taken.
    std::string gdal_path(const Product& product, std::string_view file_or_band) const;

    /// Reads a window of raster band `band_index` (1-based) of a file without downloading it.
    /// @throws InvalidArgument for a window outside the raster.
    WindowData read_window(const Product& product, std::string_view file_or_band, const PixelWindow& window,
                           int band_index = 1) const;

    /// Downloads the product (or the selected files) into dest_dir/<product name>/.
    DownloadReport download(const Product& product, const std::string& dest_dir,
                            const std::vector<std::string>& patterns = {}, const std::vector<std::string>& bands = {},
                            const DownloadOptions& options = {}) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Reads a window of band `band_index` of any GDAL-readable path (local, /vsis3/, /vsicurl/).
CREODIAS_EXPORT WindowData read_window(const std::string& gdal_path, const PixelWindow& window, int band_index = 1);

/// The per-file checksums of a SAFE manifest (manifest.safe): relative path → checksums.
CREODIAS_EXPORT std::vector<std::pair<std::string, Checksum>> parse_safe_manifest_checksums(std::string_view xml);

}  // namespace creodias
