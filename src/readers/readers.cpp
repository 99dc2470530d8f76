#include <creodias/error.hpp>
#include <creodias/access.hpp>
#include <creodias/readers.hpp>

#include "core/strings.hpp"
#include "readers/readers_internal.hpp"
#include "readers/source.hpp"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <system_error>

namespace fs = std::filesystem;

namespace creodias {

using detail::iends_with;
using detail::starts_with;

std::string_view to_string(ProductFormat f) noexcept {
    switch (f) {
        case ProductFormat::sentinel1_safe: return "sentinel1_safe";
        case ProductFormat::sentinel2_safe: return "sentinel2_safe";
        case ProductFormat::sentinel3_sen3: return "sentinel3_sen3";
        case ProductFormat::sentinel5p_netcdf: return "sentinel5p_netcdf";
        case ProductFormat::landsat_mtl: return "landsat_mtl";
        case ProductFormat::envisat: return "envisat";
        case ProductFormat::smos_hdr: return "smos_hdr";
        case ProductFormat::stac_item: return "stac_item";
        case ProductFormat::unknown: break;
    }
    return "unknown";
}

namespace {

// Classifies a product by the base name of its directory/zip (without container suffix).
ProductFormat from_name(const std::string& stem) {
    if (stem.size() < 10) return ProductFormat::unknown;
    if ((starts_with(stem, "S2A_MSI") || starts_with(stem, "S2B_MSI") || starts_with(stem, "S2C_MSI") ||
         starts_with(stem, "S2D_MSI")))
        return ProductFormat::sentinel2_safe;
    if (starts_with(stem, "S1A_") || starts_with(stem, "S1B_") || starts_with(stem, "S1C_") ||
        starts_with(stem, "S1D_"))
        return ProductFormat::sentinel1_safe;
    if (starts_with(stem, "S3A_") || starts_with(stem, "S3B_") || starts_with(stem, "S3C_"))
        return ProductFormat::sentinel3_sen3;
    return ProductFormat::unknown;
}

ProductFormat detect_directory(const fs::path& dir) {
    std::error_code ec;
    auto has = [&](const char* f) { return fs::is_regular_file(dir / f, ec); };
    if (has("MTD_MSIL1C.xml") || has("MTD_MSIL2A.xml")) return ProductFormat::sentinel2_safe;
    if (has("xfdumanifest.xml")) return ProductFormat::sentinel3_sen3;
    if (has("manifest.safe")) {
        auto f = from_name(detail::product_name_key_dir(dir));
        if (f == ProductFormat::sentinel2_safe) return f;
        return ProductFormat::sentinel1_safe;
    }
    // AWS sentinel-s1-l1c product folders may hold only the bucket's productInfo.json.
    if (has("productInfo.json") &&
        from_name(detail::product_name_key_dir(dir)) == ProductFormat::sentinel1_safe)
        return ProductFormat::sentinel1_safe;
    // /eodata keeps S5P and SMOS products as directories named after the product, holding the
    // .nc or the .HDR/.DBL pair; a Landsat scene directory holds its MTL.
    const std::string dir_name = detail::product_name_key_dir(dir);
    if (starts_with(dir_name, "S5P_") && has((dir_name + ".nc").c_str()))
        return ProductFormat::sentinel5p_netcdf;
    if (starts_with(dir_name, "SM_") && has((dir_name + ".HDR").c_str()))
        return ProductFormat::smos_hdr;
    if (!detail::find_landsat_mtl(dir).empty()) return ProductFormat::landsat_mtl;
    return ProductFormat::unknown;
}

ProductFormat detect_zip(const fs::path& file) {
    int err = 0;
    zip_t* za = zip_open(file.string().c_str(), ZIP_RDONLY, &err);
    if (!za) return ProductFormat::unknown;
    ProductFormat out = ProductFormat::unknown;
    zip_int64_t n = zip_get_num_entries(za, 0);
    for (zip_int64_t i = 0; i < n && i < 100000; ++i) {
        const char* name = zip_get_name(za, static_cast<zip_uint64_t>(i), 0);
        if (!name) continue;
        std::string_view nm(name);
        auto base = nm.substr(nm.find_last_of('/') == std::string_view::npos ? 0 : nm.find_last_of('/') + 1);
        // Only the product root's metadata counts (depth 0 or 1).
        size_t depth = static_cast<size_t>(std::count(nm.begin(), nm.end(), '/'));
        if (depth > 1) continue;
        if (base == "MTD_MSIL1C.xml" || base == "MTD_MSIL2A.xml") { out = ProductFormat::sentinel2_safe; break; }
        if (base == "xfdumanifest.xml") { out = ProductFormat::sentinel3_sen3; break; }
        if (base == "manifest.safe") {
            out = ProductFormat::sentinel1_safe;  // keep looking for S2 MTD
            // An S2 product shipped with its manifest but without MTD is still S2: decide
            // by the folder (or archive) name, as for directories.
            auto folder = nm.substr(0, nm.size() - base.size());
            auto stem = product_name_key(folder.empty()
                                             ? file.filename().string()
                                             : std::string(folder.substr(0, folder.size() - 1)));
            if (from_name(stem) == ProductFormat::sentinel2_safe)
                out = ProductFormat::sentinel2_safe;
        }
    }
    zip_discard(za);
    return out;
}

}  // namespace

namespace detail {
std::string product_name_key_dir(const fs::path& dir) {
    auto name = dir.filename().string();
    if (name.empty()) name = dir.parent_path().filename().string();
    return product_name_key(name);
}
}  // namespace detail

ProductFormat detect_product(const fs::path& path) {
    std::error_code ec;
    auto st = fs::status(path, ec);
    if (ec || !fs::exists(st)) return ProductFormat::unknown;
    const std::string name = path.filename().string();
    if (fs::is_directory(st)) return detect_directory(path);
    if (!fs::is_regular_file(st)) return ProductFormat::unknown;
    if (iends_with(name, ".zip")) return detect_zip(path);
    if (iends_with(name, "_MTL.txt") || iends_with(name, "_MTL.json") || iends_with(name, "_MTL.xml"))
        return ProductFormat::landsat_mtl;
    if (starts_with(name, "S5P_") && (iends_with(name, ".nc") || iends_with(name, ".json")))
        return ProductFormat::sentinel5p_netcdf;  // .json: the attribute dump of an S5P file
    if (iends_with(name, ".N1") || iends_with(name, ".E1") || iends_with(name, ".E2"))
        return ProductFormat::envisat;
    if (starts_with(name, "SM_") && iends_with(name, ".HDR")) return ProductFormat::smos_hdr;
    return ProductFormat::unknown;
}

Product read_product(const fs::path& path, const ReadOptions& options) {
    std::error_code ec;
    if (!fs::exists(path, ec))
        throw NotFoundError("readers", fmt::format("{}: no such file or directory", path.string()));
    ProductFormat f = detect_product(path);
    if (f == ProductFormat::unknown && iends_with(path.string(), ".json")) f = ProductFormat::stac_item;
    switch (f) {
        case ProductFormat::sentinel1_safe: {
            auto src = detail::open_product_source(path, options);
            return detail::read_sentinel1_safe(*src, options);
        }
        case ProductFormat::sentinel2_safe: {
            auto src = detail::open_product_source(path, options);
            return detail::read_sentinel2_safe(*src, options);
        }
        case ProductFormat::sentinel3_sen3: {
            auto src = detail::open_product_source(path, options);
            return detail::read_sentinel3_sen3(*src, options);
        }
        case ProductFormat::sentinel5p_netcdf: return detail::read_sentinel5p(path, options);
        case ProductFormat::landsat_mtl: return detail::read_landsat_mtl(path, options);
        case ProductFormat::envisat: return detail::read_envisat(path, options);
        case ProductFormat::smos_hdr: return detail::read_smos_hdr(path, options);
        case ProductFormat::stac_item: {
            auto text = detail::read_file_capped(path, options.max_metadata_bytes);
            Product p = product_from_stac_item(text);
            if (p.path.empty()) detail::adopt_local_assets(p, path);
            return p;
        }
        case ProductFormat::unknown: break;
    }
    throw InvalidArgument("readers", fmt::format("{}: not a recognised product (expected a Sentinel-1/2/3 SAFE "
                                                 "directory or zip, a Landsat MTL, an S5P netCDF, an Envisat/ERS "
                                                 "file, a SMOS HDR or a STAC item)",
                                                 path.string()));
}

namespace detail {

void adopt_local_assets(Product& p, const std::filesystem::path& item_path) {
    std::error_code ec;
    const auto dir = item_path.parent_path();
    bool local = false;
    for (auto& file : p.files) {
        const auto name = std::filesystem::path(file.path).filename();
        if (name.empty() || !std::filesystem::is_regular_file(dir / name, ec)) continue;
        file.path = name.string();
        // Band names as the files carry them ("B04"), not STAC common names ("red").
        if (auto b = band_of_file(file.path); !b.empty()) file.band = b;
        local = true;
    }
    p.path = local ? dir.string() : item_path.string();
}

}  // namespace detail
}  // namespace creodias
