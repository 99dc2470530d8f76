#pragma once
/// @file product.hpp
/// The Product record: everything the catalogue knows about one EO product.

#include <creodias/export.hpp>
#include <creodias/geometry.hpp>
#include <creodias/time.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// A checksum as published by the provider ("MD5", "SHA256", "BLAKE3", "SHA3-256"...),
/// value in lower-case hexadecimal.
struct Checksum {
    std::string algorithm;
    std::string value;
    bool operator==(const Checksum& o) const { return algorithm == o.algorithm && value == o.value; }
};

/// One file (asset) of a product.
struct ProductFile {
    std::string path;                 ///< relative to the product root, '/'-separated
    std::optional<std::uint64_t> size;
    std::vector<Checksum> checksums;
    std::string band;                 ///< band name when the file is a band ("B04", "VV")
    std::string media_type;           ///< e.g. "image/jp2", "application/xml"
    std::string role;                 ///< "data", "metadata", "thumbnail", "overview"...
};

enum class OrbitDirection { unknown, ascending, descending };

/// Short upper-case name: "ASCENDING", "DESCENDING" or "" for unknown.
CREODIAS_EXPORT std::string_view to_string(OrbitDirection d) noexcept;
/// Parses "ascending"/"ASCENDING"/"asc"/"A" (case-insensitive). @throws InvalidArgument.
CREODIAS_EXPORT OrbitDirection parse_orbit_direction(std::string_view text);

/// Metadata of one product. A plain value type: all fields public.
///
/// Naming follows the CDSE catalogue: `collection` is a canonical collection name
/// ("SENTINEL-2", "SENTINEL-1", "LANDSAT-8", "SENTINEL-5P", "ENVISAT", "SMOS"...),
/// `product_type` the provider's product type ("S2MSI2A", "IW_GRDH_1S", "OL_1_EFR___",
/// "L2__NO2___", "L2SP"...).
struct CREODIAS_EXPORT Product {
    std::string id;                ///< catalogue identifier (UUID on CREODIAS; name stem otherwise)
    std::string name;              ///< product name as on /eodata ("S2A_MSIL2A_..._T31UFS_....SAFE")
    std::string collection;
    std::string product_type;
    std::string processing_level;  ///< "LEVEL1C", "LEVEL2A", "LEVEL1", "L2SP"...
    std::string platform;          ///< "SENTINEL-2A", "LANDSAT-8", "ENVISAT"...
    std::string instrument;        ///< "MSI", "SAR-C", "OLCI", "OLI_TIRS", "TROPOMI"...
    std::string sensor_mode;       ///< SAR mode ("IW", "EW", "SM", "WV", "S1".."S6")

    Timestamp sensing_start;
    Timestamp sensing_end;
    std::optional<Timestamp> published;  ///< first publication in a catalogue
    std::optional<Timestamp> updated;    ///< last modification in a catalogue

    Geometry footprint;                  ///< WGS84, antimeridian-safe (see normalize_footprint)

    std::optional<double> cloud_cover;   ///< percent, 0..100
    std::optional<std::int64_t> orbit_number;     ///< absolute orbit
    std::optional<std::int64_t> relative_orbit;   ///< relative orbit / track
    OrbitDirection orbit_direction = OrbitDirection::unknown;
    std::string tile_id;                 ///< MGRS tile ("31UFS") or WRS-2 path/row ("199024")
    std::vector<std::string> polarisations;   ///< "VV", "VH", "HH", "HV"
    std::string processing_baseline;     ///< "05.09", IPF version "003.51", "02" for Landsat C2
    std::optional<std::uint64_t> size;   ///< bytes of the whole product
    std::vector<Checksum> checksums;     ///< of the whole product (its archive) when known
    bool online = true;                  ///< false: must be ordered before download
    std::string path;                    ///< /eodata/... path, or where it was indexed from
    std::vector<ProductFile> files;

    /// Further properties that have no field above, as a JSON object text
    /// (e.g. Sentinel-2 radiometric offsets "s2:boa_add_offset"). Empty means {}.
    std::string extra_json;

    /// Product name without its container suffix (.SAFE, .SEN3, .zip, .SAFE.zip, .nc...).
    /// Used as the natural key: indexing a product from disk and importing the same product
    /// from a catalogue response yield the same record.
    std::string name_key() const;
};

/// The product-name stem used by Product::name_key().
CREODIAS_EXPORT std::string product_name_key(std::string_view name);

/// Canonical collection name for an alias: "Sentinel2", "sentinel-2", "S2" → "SENTINEL-2";
/// "Landsat8" → "LANDSAT-8". Unknown names are upper-cased and returned as given.
CREODIAS_EXPORT std::string canonical_collection(std::string_view name);

}  // namespace creodias
