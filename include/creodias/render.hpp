#pragma once
/// @file
/// On-the-fly rendering: the bands of products (or of loose raster files) are read at the
/// coarsest sufficient resolution (JPEG 2000 resolution level or GeoTIFF overview),
/// reprojected into a target grid (a tile of a TileMatrixSet, or any CRS/extent/size),
/// converted to physical values, mosaicked over several products in a given order until the
/// grid is filled, and styled into RGBA.
///
/// Typical usage:
///
///     creodias::Renderer renderer;
///     creodias::ProductAccess access;
///     auto sources = creodias::product_sources(product, access);
///     creodias::RenderRequest req;
///     req.target = creodias::RenderTarget::tile(creodias::TileMatrixSet::get("WebMercatorQuad"), {12, 2130, 1459});
///     req.style = creodias::style_preset("NDVI");
///     creodias::Image img = renderer.render({sources}, req);
///     std::string png = creodias::encode(img, creodias::ImageFormat::png);
///
/// Thread safety: a Renderer may be shared by any number of threads; it keeps a pool of
/// open datasets (one thread uses an open dataset at a time) and GDAL's block cache holds
/// decoded blocks across requests within its memory cap.

#include <creodias/export.hpp>
#include <creodias/image.hpp>
#include <creodias/product.hpp>
#include <creodias/style.hpp>
#include <creodias/tile_matrix_set.hpp>
#include <creodias/time.hpp>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

class ProductAccess;

enum class Resampling { nearest, bilinear, cubic, cubic_spline, lanczos, average, mode };
/// "nearest" (also "near"), "bilinear", "cubic", "cubicspline", "lanczos", "average", "mode";
/// case-insensitive. @throws InvalidArgument.
CREODIAS_EXPORT Resampling parse_resampling(std::string_view text);
CREODIAS_EXPORT std::string_view to_string(Resampling r) noexcept;

/// The grid to render into.
struct CREODIAS_EXPORT RenderTarget {
    std::string crs = "EPSG:3857";  ///< anything PROJ knows ("EPSG:32633", "OGC:CRS84", WKT)
    Extent extent;                  ///< x = easting/longitude whatever the CRS axis order
    int width = 256, height = 256;

    /// The grid of one tile of a tile matrix set. @throws InvalidArgument when out of range.
    static RenderTarget tile(const TileMatrixSet& tms, const TileIndex& t);
    /// Target pixel size in CRS units (x).
    double cell_size() const noexcept { return width > 0 ? extent.width() / width : 0; }
};

/// One band of a raster file, and how its samples become physical values:
/// value = DN^power × scale + offset, no data where DN equals `nodata`.
struct BandSource {
    std::string band;        ///< upper-case band name ("B04", "SCL", "VV", "SR_B4")
    std::string path;        ///< a path GDAL opens (local, /vsis3/, /vsicurl/, /vsizip/)
    int index = 1;           ///< 1-based band in the file
    double resolution = 0;   ///< nominal metres per pixel (chooses among variants); 0 unknown
    double scale = 1, offset = 0;
    int power = 1;           ///< 2 for amplitude → intensity (Sentinel-1)
    std::optional<double> nodata;  ///< overrides the file's nodata value
    bool categorical = false;      ///< class values: always resampled with nearest
};

/// The bands of one product (or of loose files) a renderer can read.
struct CREODIAS_EXPORT SourceSet {
    std::string name;        ///< product name (or a label)
    std::string collection;  ///< canonical collection ("SENTINEL-2"), "" unknown
    Timestamp time;          ///< sensing start
    std::optional<double> cloud_cover;
    std::vector<BandSource> bands;

    /// The variant of `band` to read for a target of `resolution` metres per pixel: the
    /// coarsest variant not coarser than the target, else the finest; nullptr when absent.
    const BandSource* find(std::string_view band, double resolution = 0) const noexcept;
    /// Band names available, upper-case, without duplicates.
    std::vector<std::string> band_names() const;
};

/// The bands of a catalogue product, with the value conventions of its mission:
///  - Sentinel-2 L1C/L2A (SAFE JPEG 2000 or COG sets): reflectance = (DN + offset) /
///    quantification, offsets of baselines 04.00+ from the product record, no data at DN 0;
///    L2A's R10m/R20m/R60m files are variants; SCL is categorical;
///  - Landsat Collection 2 Level-2: SR_B* reflectance = DN × 2.75e-5 − 0.2, ST_B10 kelvin =
///    DN × 0.00341802 + 149, QA_PIXEL categorical, no data at 0;
///  - Sentinel-1 GRD: VV/VH/HH/HV sigma nought = DN² / K², K the mean sigma nought
///    calibration constant of the product's calibration annotation (a typical 500 when absent);
///  - anything else: raw samples.
/// Files come from `access.files(product)` (the mount or S3).
/// @throws NotFoundError when the product has no raster band.
CREODIAS_EXPORT SourceSet product_sources(const Product& product, const ProductAccess& access);

/// A source set from loose files: each spec is "BAND=PATH" or "BAND=PATH#INDEX"; a PATH
/// alone adds every band of the file as B1, B2, ... @throws InvalidArgument.
CREODIAS_EXPORT SourceSet file_sources(const std::vector<std::string>& specs, std::string name = {});

enum class MosaicOrder { most_recent, least_recent, least_cc };
/// "mostRecent", "leastRecent", "leastCC" (case-insensitive). @throws InvalidArgument.
CREODIAS_EXPORT MosaicOrder parse_mosaic_order(std::string_view text);
CREODIAS_EXPORT std::string_view to_string(MosaicOrder o) noexcept;

struct RenderRequest {
    RenderTarget target;
    Style style;
    Resampling resampling = Resampling::bilinear;
    /// Pixels rendered around the target and cut off (so neighbouring tiles see the same
    /// resampling context).  DEFAULT: -1 (0 for nearest, 2 otherwise)
    int padding = -1;
    /// Mask Sentinel-2 L2A cloud, cloud shadow and cirrus pixels (SCL 3, 8, 9, 10) and read
    /// the next product there.  DEFAULT: false
    bool cloud_mask = false;
    /// Products combined at most (in the order given).  DEFAULT: 16
    std::size_t max_sources = 16;
    /// Deadline of the whole render in seconds; past it, a mosaic stops adding products
    /// (RenderStats::partial) and a single read fails with Errc::timeout.  DEFAULT: 20
    double timeout_seconds = 20;
};

struct RenderStats {
    std::size_t sources_read = 0;     ///< products whose bands were read
    std::size_t sources_skipped = 0;  ///< products outside the grid or without the bands
    double coverage = 0;              ///< fraction of pixels with data
    bool partial = false;             ///< stopped early by the deadline or max_sources
    double seconds = 0;
};

struct RendererOptions {
    /// GDAL block cache (decoded blocks shared by requests), MiB.  DEFAULT: 512
    std::size_t block_cache_mb = 512;
    /// Open datasets kept for reuse.  DEFAULT: 256
    std::size_t max_open_datasets = 256;
    /// Error threshold of the approximate transformer, pixels. gdalwarp's 0.125 leaves
    /// visible steps (tens of DN on textured 16-bit bands) where neighbouring tiles meet;
    /// 0.03 makes them sub-DN for a few more exact transforms per row.  DEFAULT: 0.03
    double transform_error = 0.03;
};

class CREODIAS_EXPORT Renderer {
public:
    explicit Renderer(RendererOptions options = {});
    ~Renderer();
    Renderer(const Renderer&) = delete;
    Renderer& operator=(const Renderer&) = delete;

    /// Physical values of the style's bands on the target grid, mosaicked over `sources` in
    /// order: each pixel takes the first source with data there; stops when every pixel has
    /// data. @throws Error(Errc::io) when a file cannot be read, Error(Errc::timeout).
    RasterBlock read(const std::vector<SourceSet>& sources, const RenderRequest& request,
                     RenderStats* stats = nullptr) const;
    /// read() styled into RGBA (transparent where there is no data or the style gives NaN).
    Image render(const std::vector<SourceSet>& sources, const RenderRequest& request,
                 RenderStats* stats = nullptr) const;
    /// Open datasets and GDAL block-cache usage.
    struct CacheStats {
        std::size_t open_datasets = 0;
        std::size_t block_cache_bytes = 0;
        std::size_t block_cache_max_bytes = 0;
    };
    CacheStats cache_stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

/// Applies a style to raw bands: RGBA, transparent where the block has no data or an output
/// is NaN. @throws InvalidArgument when a band of the style is missing from the block.
CREODIAS_EXPORT Image apply_style(const Style& style, const RasterBlock& block);

}  // namespace creodias
