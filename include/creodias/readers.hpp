#pragma once
/// @file readers.hpp
/// Product metadata readers: turn a product on disk (a SAFE directory, a zip, a Landsat MTL,
/// a netCDF file...) or a catalogue document (STAC Item, resto/OData response) into Products.

#include <creodias/export.hpp>
#include <creodias/product.hpp>

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// Product container formats recognised by detect_product().
enum class ProductFormat {
    unknown,
    sentinel1_safe,     ///< S1 SAFE (manifest.safe), directory or zip
    sentinel2_safe,     ///< S2 L1C/L2A SAFE (MTD_MSIL1C.xml / MTD_MSIL2A.xml), directory or zip
    sentinel3_sen3,     ///< S3 SEN3 (xfdumanifest.xml), directory or zip
    sentinel5p_netcdf,  ///< S5P L1B/L2 netCDF-4 file
    landsat_mtl,        ///< Landsat MTL (.txt, .json or .xml) or a Landsat product directory
    envisat,            ///< Envisat/ERS product with MPH/SPH headers (.N1, .E1, .E2)
    smos_hdr,           ///< SMOS Earth Explorer header (.HDR)
    stac_item,          ///< a STAC Item JSON file
};

CREODIAS_EXPORT std::string_view to_string(ProductFormat f) noexcept;

/// Limits that protect readers against hostile or broken input.
struct ReadOptions {
    /// Largest metadata file read into memory.  DEFAULT: 64 MiB
    std::uint64_t max_metadata_bytes = 64ull << 20;
    /// Largest total of uncompressed bytes read from one zip.  DEFAULT: 256 MiB
    std::uint64_t max_zip_read_bytes = 256ull << 20;
    /// Largest compression ratio accepted for a zip member (zip-bomb guard).  DEFAULT: 200
    double max_zip_ratio = 200.0;
    /// Largest number of entries listed in one zip or product directory.  DEFAULT: 200000
    std::size_t max_entries = 200000;
    /// Fill Product::files with the product's files (sizes and checksums when known).
    /// DEFAULT: true
    bool list_files = true;
};

/// Recognises a product by its name and, for directories and zips, by the metadata files
/// it contains. Cheap: opens at most a zip's central directory. Never throws for a path that
/// is simply not a product (returns ProductFormat::unknown).
CREODIAS_EXPORT ProductFormat detect_product(const std::filesystem::path& path);

/// Reads one product's metadata.
/// @throws NotFoundError if the path does not exist; InvalidArgument when the metadata is
///         malformed, truncated, oversized, or the format is not recognised.
CREODIAS_EXPORT Product read_product(const std::filesystem::path& path,
                                     const ReadOptions& options = {});

/// Reads a STAC Item (JSON text), including CDSE STAC 1.1 items.
/// @throws InvalidArgument.
CREODIAS_EXPORT Product product_from_stac_item(std::string_view json);

/// Reads every product of a catalogue document: a STAC ItemCollection or Item, a GeoJSON
/// FeatureCollection from resto OpenSearch (CREODIAS Finder / CDSE), or an OData
/// `/Products` response (`value` array). Each entry is validated; the first bad entry
/// raises InvalidArgument naming its index.
CREODIAS_EXPORT std::vector<Product> read_feature_collection(std::string_view json);

}  // namespace creodias
