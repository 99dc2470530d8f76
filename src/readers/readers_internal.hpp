#pragma once
// Private: one entry point per metadata format. Each reader fills a Product from a
// ProductSource (a directory or a zip) or from a single file's bytes, and throws
// InvalidArgument (origin = the format name) on malformed content.

#include "readers/source.hpp"

#include <creodias/product.hpp>
#include <creodias/readers.hpp>

#include <filesystem>
#include <string>
#include <string_view>

namespace creodias::detail {

Product read_sentinel1_safe(ProductSource& src, const ReadOptions& opt);
Product read_sentinel2_safe(ProductSource& src, const ReadOptions& opt);
Product read_sentinel3_sen3(ProductSource& src, const ReadOptions& opt);
/// S5P: netCDF-4 global attributes, read through GDAL's netCDF driver.
Product read_sentinel5p(const std::filesystem::path& file, const ReadOptions& opt);
/// Landsat MTL in any of its three forms; `file` is the MTL itself or the scene directory.
Product read_landsat_mtl(const std::filesystem::path& file, const ReadOptions& opt);
/// The MTL of a Landsat scene directory (the .txt, else .json, else .xml form); empty if none.
std::filesystem::path find_landsat_mtl(const std::filesystem::path& dir);
/// Landsat MTL from text already in memory (`file_name` decides txt/json/xml and is used
/// in messages).
Product parse_landsat_mtl(std::string_view content, std::string_view file_name);
Product read_envisat(const std::filesystem::path& file, const ReadOptions& opt);
/// Envisat/ERS MPH+SPH headers from bytes already in memory.
Product parse_envisat_header(std::string_view bytes, std::string_view file_name);
Product read_smos_hdr(const std::filesystem::path& file, const ReadOptions& opt);
Product parse_smos_hdr(std::string_view xml, std::string_view file_name);

/// Parsers over in-memory documents, shared by the readers and the fuzz targets.
Product parse_sentinel2_mtd(std::string_view mtd_xml, std::string_view product_name);
Product parse_sentinel1_manifest(std::string_view manifest_xml, std::string_view product_name);
Product parse_sentinel3_manifest(std::string_view manifest_xml, std::string_view product_name);

/// Name key of a product directory (its base name without .SAFE/.SEN3).
std::string product_name_key_dir(const std::filesystem::path& dir);

/// A STAC item read from a local file whose assets lie beside it (a downloaded COG set):
/// the product becomes that directory and its files the assets found there; otherwise the
/// product's path is the item file.
void adopt_local_assets(Product& p, const std::filesystem::path& item_path);

}  // namespace creodias::detail
