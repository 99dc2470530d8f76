// ProductAccess: product → location (mount or S3), file listing with bands and manifest
// checksums, selection, GDAL paths, window reads, downloads.

#include <creodias/access.hpp>
#include <creodias/error.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>
#include <gdal.h>
#include <pugixml.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <cctype>
#include <map>
#include <mutex>

namespace creodias {

namespace {

constexpr const char* kOrigin = "access";

bool under(std::string_view path, std::string_view root) {
    if (root.empty()) return false;
    while (root.size() > 1 && root.back() == '/') root.remove_suffix(1);
    return path.size() > root.size() && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

bool exists(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0;
}

// "B4" and "B04" are the same band; compare upper-case with leading zeros of numbers dropped.
std::string band_key(std::string_view b) {
    std::string out;
    for (std::size_t k = 0; k < b.size(); ++k) {
        const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(b[k])));
        const bool digit_start = std::isdigit(static_cast<unsigned char>(c)) &&
                                 (k == 0 || !std::isdigit(static_cast<unsigned char>(b[k - 1])));
        if (digit_start && c == '0' && k + 1 < b.size() && std::isdigit(static_cast<unsigned char>(b[k + 1])))
            continue;
        out += c;
    }
    return out;
}

}  // namespace

int sample_size(SampleType t) noexcept {
    switch (t) {
        case SampleType::uint8:
        case SampleType::int8: return 1;
        case SampleType::uint16:
        case SampleType::int16: return 2;
        case SampleType::uint32:
        case SampleType::int32:
        case SampleType::float32: return 4;
        case SampleType::float64: return 8;
    }
    return 1;
}

std::string_view to_string(SampleType t) noexcept {
    switch (t) {
        case SampleType::uint8: return "uint8";
        case SampleType::int8: return "int8";
        case SampleType::uint16: return "uint16";
        case SampleType::int16: return "int16";
        case SampleType::uint32: return "uint32";
        case SampleType::int32: return "int32";
        case SampleType::float32: return "float32";
        case SampleType::float64: return "float64";
    }
    return "uint8";
}

std::string band_of_file(std::string_view file_name) {
    const auto slash = file_name.rfind('/');
    if (slash != std::string_view::npos) file_name.remove_prefix(slash + 1);
    const std::string upper = detail::to_upper(file_name);
    const auto dot = upper.rfind('.');
    const std::string stem = dot == std::string::npos ? upper : upper.substr(0, dot);
    const std::string ext = dot == std::string::npos ? std::string() : upper.substr(dot + 1);
    const bool raster = ext == "JP2" || ext == "TIF" || ext == "TIFF" || ext == "NC" || ext == "IMG";
    if (!raster) return {};
    const auto parts = detail::split(stem, '_');
    // Sentinel-1 measurement: s1a-iw-grd-vv-...-001.tiff
    if (stem.rfind("S1", 0) == 0 && stem.find('-') != std::string::npos) {
        for (const auto& p : detail::split(stem, '-'))
            if (p == "VV" || p == "VH" || p == "HH" || p == "HV") return p;
    }
    // Sentinel-2: T31UFS_20221206T105431_B04[_10m], TCI, SCL, AOT, WVP
    for (std::size_t k = parts.size(); k-- > 0;) {
        const std::string& p = parts[k];
        if (p.size() == 3 && p[0] == 'B' && (std::isdigit(static_cast<unsigned char>(p[1])) ) &&
            (std::isalnum(static_cast<unsigned char>(p[2]))))
            return p;  // B01..B12, B8A
        if (p == "TCI" || p == "SCL" || p == "AOT" || p == "WVP") return p;
    }
    // Landsat Collection 2: LC08_..._SR_B4.TIF, _ST_B10.TIF, _QA_PIXEL.TIF, _B4.TIF
    if (parts.size() >= 2) {
        const std::string& last = parts.back();
        const std::string& prev = parts[parts.size() - 2];
        if ((prev == "SR" || prev == "ST" || prev == "QA") && !last.empty()) return prev + "_" + last;
        if (last.size() >= 2 && last[0] == 'B' && std::isdigit(static_cast<unsigned char>(last[1]))) return last;
    }
    return {};
}

bool band_matches(std::string_view band, const ProductFileEntry& entry) {
    if (band.empty() || entry.band.empty()) return false;
    const std::string want = band_key(band);
    if (band_key(entry.band) == want) return true;
    // "B04_20m": the band plus the resolution suffix of Sentinel-2 L2A file names.
    const auto us = want.find('_');
    if (us != std::string::npos && band_key(entry.band) == want.substr(0, us)) {
        const std::string name = detail::to_upper(entry.path);
        return name.find(want.substr(us)) != std::string::npos;
    }
    return false;
}

std::vector<std::pair<std::string, Checksum>> parse_safe_manifest_checksums(std::string_view xml) {
    std::vector<std::pair<std::string, Checksum>> out;
    pugi::xml_document doc;
    if (!doc.load_buffer(xml.data(), xml.size()))
        throw InvalidArgument("manifest", "manifest.safe is not well-formed XML");
    for (auto bs : doc.select_nodes("//*[local-name()='dataObject']/*[local-name()='byteStream']")) {
        const pugi::xml_node b = bs.node();
        pugi::xml_node loc, sum;
        for (auto c : b.children()) {
            const std::string_view n = c.name();
            const auto colon = n.find(':');
            const std::string_view local = colon == std::string_view::npos ? n : n.substr(colon + 1);
            if (local == "fileLocation") loc = c;
            if (local == "checksum") sum = c;
        }
        if (!loc || !sum) continue;
        std::string href = loc.attribute("href").value();
        if (href.rfind("./", 0) == 0) href = href.substr(2);
        const std::string value = detail::to_lower(detail::trim(sum.child_value()));
        const std::string algo = sum.attribute("checksumName").value();
        if (href.empty() || value.empty() || algo.empty()) continue;
        out.push_back({href, {detail::to_upper(algo), value}});
    }
    return out;
}

struct ProductAccess::Impl {
    AccessOptions opt;
    std::mutex mu;
    std::shared_ptr<FileSystem> s3;  // created on first use (resolving the AWS settings)
    std::shared_ptr<FileSystem> mount;

    std::shared_ptr<FileSystem> s3fs() {
        std::lock_guard lock(mu);
        if (!s3) s3 = make_s3_filesystem(resolve_s3_options(opt.s3));
        return s3;
    }
};

ProductAccess::ProductAccess(AccessOptions options) : impl_(std::make_unique<Impl>()) {
    impl_->opt = std::move(options);
    if (!impl_->opt.eodata_root.empty()) {
        std::error_code ec;
        impl_->opt.eodata_root = std::filesystem::absolute(impl_->opt.eodata_root, ec).lexically_normal().string();
    }
    while (impl_->opt.eodata_root.size() > 1 && impl_->opt.eodata_root.back() == '/')
        impl_->opt.eodata_root.pop_back();
    if (!impl_->opt.eodata_root.empty()) impl_->mount = make_local_filesystem(impl_->opt.eodata_root);
}
ProductAccess::~ProductAccess() = default;
ProductAccess::ProductAccess(ProductAccess&&) noexcept = default;
ProductAccess& ProductAccess::operator=(ProductAccess&&) noexcept = default;

const AccessOptions& ProductAccess::options() const noexcept { return impl_->opt; }

ProductLocation ProductAccess::locate(const Product& product) const {
    std::string path = product.path;
    if (!path.empty() && path.front() == '/') path = std::filesystem::path(path).lexically_normal().string();
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (path.empty())
        throw NotFoundError(kOrigin, fmt::format("product {} records no path (/eodata/... or s3://...)",
                                                 product.name.empty() ? product.id : product.name));
    const auto& o = impl_->opt;
    if (path.rfind("s3://", 0) == 0) {
        auto fs = impl_->s3fs();
        return {fs, path.substr(5), false};
    }
    // "/eodata/X" names X in the archive, wherever the mount is.
    std::string archive_rel;
    if (under(path, "/eodata")) archive_rel = path.substr(8);
    if (!o.eodata_root.empty()) {
        const std::string local = archive_rel.empty() ? path : o.eodata_root + "/" + archive_rel;
        if (under(local, o.eodata_root) && exists(local)) return {impl_->mount, local, true};
    }
    if (archive_rel.empty() && path.front() == '/' && exists(path)) {
        // Where the product was indexed from (outside the archive): confined to its directory.
        const auto slash = path.rfind('/');
        auto fs = make_local_filesystem(slash == 0 ? "/" : path.substr(0, slash));
        return {fs, path, true};
    }
    if (!archive_rel.empty()) return {impl_->s3fs(), o.bucket + "/" + archive_rel, false};
    throw NotFoundError(kOrigin, fmt::format("product {}: {} is neither on the mount nor an /eodata path",
                                             product.name, path));
}

std::vector<ProductFileEntry> ProductAccess::files(const Product& product) const {
    const ProductLocation loc = locate(product);
    std::vector<ProductFileEntry> out;
    std::map<std::string, const ProductFile*> known;
    for (const auto& f : product.files) known[f.path] = &f;
    std::string base = loc.path;
    for (const auto& o : loc.fs->list(loc.path)) {
        if (!o.key.empty() && o.key.back() == '/') continue;  // S3 "directory" marker objects
        ProductFileEntry e;
        e.source = o.key;
        if (o.key == base) {
            const auto slash = base.rfind('/');
            e.path = slash == std::string::npos ? base : base.substr(slash + 1);
        } else if (o.key.compare(0, base.size() + 1, base + "/") == 0) {
            e.path = o.key.substr(base.size() + 1);
        } else {
            continue;  // a sibling sharing the prefix ("X.SAFE" vs "X.SAFE.zip")
        }
        e.size = o.size;
        e.etag = o.etag;
        e.band = band_of_file(e.path);
        if (auto it = known.find(e.path); it != known.end()) {
            e.checksums = it->second->checksums;
            if (!it->second->band.empty()) e.band = it->second->band;
        }
        out.push_back(std::move(e));
    }
    if (out.empty()) throw NotFoundError(kOrigin, fmt::format("no file under {}", loc.uri()));
    // Checksums from the SAFE manifest, for files the catalogue gave none.
    auto manifest = std::find_if(out.begin(), out.end(), [](const auto& e) { return e.path == "manifest.safe"; });
    if (manifest != out.end() && manifest->size < (64u << 20)) {
        std::map<std::string, std::vector<Checksum>> sums;
        try {
            for (auto& [path, c] : parse_safe_manifest_checksums(loc.fs->read(manifest->source)))
                sums[path].push_back(c);
        } catch (const InvalidArgument&) {
            // a broken manifest only costs the extra verification
        }
        for (auto& e : out)
            if (e.checksums.empty())
                if (auto it = sums.find(e.path); it != sums.end()) e.checksums = it->second;
    }
    return out;
}

std::vector<ProductFileEntry> ProductAccess::select(const std::vector<ProductFileEntry>& files,
                                                    const std::vector<std::string>& patterns,
                                                    const std::vector<std::string>& bands) {
    for (const auto& p : patterns)
        for (const auto& part : detail::split(p, '/'))
            if (part == ".." || (!p.empty() && p.front() == '/'))
                throw InvalidArgument(kOrigin, fmt::format("file pattern '{}' must be relative, without '..'", p));
    if (patterns.empty() && bands.empty()) return files;
    std::vector<ProductFileEntry> out;
    for (const auto& f : files) {
        bool keep = !patterns.empty() && match_file_patterns(patterns, f.path);
        for (const auto& b : bands) keep = keep || band_matches(b, f);
        if (keep) out.push_back(f);
    }
    if (out.empty()) {
        std::vector<std::string> asked = patterns;
        asked.insert(asked.end(), bands.begin(), bands.end());
        throw NotFoundError(kOrigin, fmt::format("no file matches {}", fmt::join(asked, ", ")));
    }
    return out;
}

namespace {

// One file for "a path, a glob or a band".
ProductFileEntry pick(const std::vector<ProductFileEntry>& files, std::string_view what) {
    for (const auto& f : files)
        if (f.path == what) return f;
    const std::string w(what);
    const bool glob = w.find_first_of("*?[") != std::string::npos;
    for (const auto& f : files)
        if (band_matches(w, f) && !glob) return f;
    for (const auto& f : files)
        if (match_file_patterns({glob ? w : "*" + w + "*"}, f.path)) return f;
    throw NotFoundError(kOrigin, fmt::format("no file or band '{}' in the product", w));
}

}  // namespace

std::string ProductAccess::gdal_path(const Product& product, std::string_view file_or_band) const {
    const ProductLocation loc = locate(product);
    const auto all = files(product);
    return loc.fs->gdal_path(pick(all, file_or_band).source);
}

WindowData ProductAccess::read_window(const Product& product, std::string_view file_or_band,
                                      const PixelWindow& window, int band_index) const {
    return creodias::read_window(gdal_path(product, file_or_band), window, band_index);
}

DownloadReport ProductAccess::download(const Product& product, const std::string& dest_dir,
                                       const std::vector<std::string>& patterns, const std::vector<std::string>& bands,
                                       const DownloadOptions& options) const {
    const ProductLocation loc = locate(product);
    const auto chosen = select(files(product), patterns, bands);
    const auto slash = loc.path.rfind('/');
    const std::string root_name = slash == std::string::npos ? loc.path : loc.path.substr(slash + 1);
    std::vector<DownloadItem> items;
    for (const auto& f : chosen) {
        DownloadItem i;
        i.source = f.source;
        i.dest = f.source == loc.path ? root_name : root_name + "/" + f.path;
        i.size = f.size;
        i.etag = f.etag;
        i.checksums = f.checksums;
        items.push_back(std::move(i));
    }
    return creodias::download(*loc.fs, items, dest_dir, options);
}

WindowData read_window(const std::string& gdal_path, const PixelWindow& w, int band_index) {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
    GDALDatasetH ds = GDALOpenEx(gdal_path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
                                 nullptr, nullptr);
    if (!ds) {
        const std::string why = CPLGetLastErrorMsg();
        if (why.find("404") != std::string::npos || why.find("No such file") != std::string::npos ||
            why.find("does not exist") != std::string::npos)
            throw NotFoundError("gdal", fmt::format("{}: {}", gdal_path, why));
        throw InvalidArgument("gdal", fmt::format("{}: GDAL cannot open it as a raster: {}", gdal_path, why));
    }
    struct Close {
        GDALDatasetH ds;
        ~Close() { GDALClose(ds); }
    } close{ds};
    const int nx = GDALGetRasterXSize(ds), ny = GDALGetRasterYSize(ds);
    if (band_index < 1 || band_index > GDALGetRasterCount(ds))
        throw InvalidArgument("gdal", fmt::format("{}: band {} does not exist ({} bands)", gdal_path, band_index,
                                                  GDALGetRasterCount(ds)));
    if (w.width <= 0 || w.height <= 0 || w.x < 0 || w.y < 0 || w.x > nx - w.width || w.y > ny - w.height)
        throw InvalidArgument("gdal", fmt::format("{}: window {},{} {}x{} is outside the {}x{} raster", gdal_path, w.x,
                                                  w.y, w.width, w.height, nx, ny));
    GDALRasterBandH band = GDALGetRasterBand(ds, band_index);
    WindowData out;
    out.width = w.width;
    out.height = w.height;
    GDALDataType gt = GDALGetRasterDataType(band);
    switch (gt) {
        case GDT_Byte: out.type = SampleType::uint8; break;
        case GDT_UInt16: out.type = SampleType::uint16; break;
        case GDT_Int16: out.type = SampleType::int16; break;
        case GDT_UInt32: out.type = SampleType::uint32; break;
        case GDT_Int32: out.type = SampleType::int32; break;
        case GDT_Float32: out.type = SampleType::float32; break;
        default:
            out.type = SampleType::float64;
            gt = GDT_Float64;
            break;
    }
    out.data.resize(static_cast<std::size_t>(w.width) * static_cast<std::size_t>(w.height) *
                    static_cast<std::size_t>(sample_size(out.type)));
    if (GDALRasterIO(band, GF_Read, w.x, w.y, w.width, w.height, out.data.data(), w.width, w.height, gt, 0, 0) !=
        CE_None)
        throw NetworkError("gdal", fmt::format("{}: reading the window failed: {}", gdal_path, CPLGetLastErrorMsg()));
    int has_nodata = 0;
    const double nd = GDALGetRasterNoDataValue(band, &has_nodata);
    if (has_nodata) out.nodata = nd;
    double gt6[6];
    if (GDALGetGeoTransform(ds, gt6) == CE_None) {
        out.geotransform = {gt6[0] + w.x * gt6[1] + w.y * gt6[2], gt6[1], gt6[2],
                            gt6[3] + w.x * gt6[4] + w.y * gt6[5], gt6[4], gt6[5]};
    }
    if (const char* wkt = GDALGetProjectionRef(ds)) out.crs_wkt = wkt;
    return out;
}

}  // namespace creodias
