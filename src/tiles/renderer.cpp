// The renderer: a pool of open datasets (each with its cached transformers to target CRSs),
// overview selection per zoom level, GDAL's warper with the approximate transformer into a
// padded MEM grid, value conversion, mosaicking, and styling.
#include <creodias/error.hpp>
#include <creodias/render.hpp>

#include "core/strings.hpp"
#include "tiles/gdal_util.hpp"

#include <fmt/format.h>

#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdalwarper.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <limits>
#include <list>
#include <map>
#include <mutex>
#include <unordered_map>

namespace creodias {
namespace {

constexpr const char* kOrigin = "render";
using Clock = std::chrono::steady_clock;

GDALResampleAlg to_gdal(Resampling r) {
    switch (r) {
        case Resampling::nearest: return GRA_NearestNeighbour;
        case Resampling::bilinear: return GRA_Bilinear;
        case Resampling::cubic: return GRA_Cubic;
        case Resampling::cubic_spline: return GRA_CubicSpline;
        case Resampling::lanczos: return GRA_Lanczos;
        case Resampling::average: return GRA_Average;
        case Resampling::mode: return GRA_Mode;
    }
    return GRA_Bilinear;
}

// One open file: the base dataset, overview datasets opened on demand, and transformers to
// target CRSs (keyed by overview level and CRS WKT) reused with a new destination
// geotransform per request.
struct OpenFile {
    std::string path;
    detail::DatasetPtr base;
    std::map<int, detail::DatasetPtr> overviews;
    std::map<std::pair<int, std::string>, void*> transformers;
    std::map<std::string, double> native_cell;  // source pixel size in target CRS units, by WKT
    std::vector<double> factors;                // downsampling factor of each overview of band 1

    ~OpenFile() {
        for (auto& [_, t] : transformers)
            if (t) GDALDestroyGenImgProjTransformer(t);
    }

    GDALDatasetH level(int ovr) {
        if (ovr < 0) return base.get();
        auto it = overviews.find(ovr);
        if (it != overviews.end()) return it->second.get();
        detail::GdalErrorCapture capture;
        std::string opt = fmt::format("OVERVIEW_LEVEL={}", ovr);
        const char* oo[] = {opt.c_str(), nullptr};
        GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY, nullptr, oo, nullptr);
        if (!ds) throw capture.error(fmt::format("cannot open overview {} of {}", ovr, path));
        return overviews.emplace(ovr, detail::DatasetPtr(ds)).first->second.get();
    }

    void* transformer(int ovr, const std::string& dst_wkt) {
        auto key = std::make_pair(ovr, dst_wkt);
        auto it = transformers.find(key);
        if (it != transformers.end()) return it->second;
        detail::GdalErrorCapture capture;
        std::string dst = "DST_SRS=" + dst_wkt;
        const char* opts[] = {dst.c_str(), nullptr};
        void* t = GDALCreateGenImgProjTransformer2(level(ovr), nullptr, const_cast<char**>(opts));
        if (!t) throw capture.error(fmt::format("cannot transform {} to the target CRS", path), Errc::invalid_argument);
        transformers.emplace(key, t);
        return t;
    }
};

class DatasetPool {
public:
    explicit DatasetPool(std::size_t max_open) : max_open_(std::max<std::size_t>(max_open, 4)) {}

    struct Lease {
        DatasetPool* pool = nullptr;
        std::unique_ptr<OpenFile> file;
        Lease() = default;
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) noexcept = default;
        ~Lease() {
            if (pool && file) pool->give_back(std::move(file));
        }
        OpenFile* operator->() const { return file.get(); }
    };

    Lease take(const std::string& path) {
        {
            std::lock_guard<std::mutex> lock(mu_);
            auto it = idle_.find(path);
            if (it != idle_.end() && !it->second.empty()) {
                Lease l;
                l.pool = this;
                l.file = std::move(it->second.back());
                it->second.pop_back();
                lru_.remove(l.file.get());
                --idle_count_;
                ++in_use_;
                return l;
            }
            ++in_use_;
        }
        Lease l;
        l.pool = this;
        try {
            l.file = open(path);
        } catch (...) {
            std::lock_guard<std::mutex> lock(mu_);
            --in_use_;
            l.pool = nullptr;
            throw;
        }
        return l;
    }

    std::size_t open_count() const {
        std::lock_guard<std::mutex> lock(mu_);
        return idle_count_ + in_use_;
    }

private:
    static std::unique_ptr<OpenFile> open(const std::string& path) {
        detail::GdalErrorCapture capture;
        GDALDatasetH ds = GDALOpenEx(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY | GDAL_OF_VERBOSE_ERROR, nullptr,
                                     nullptr, nullptr);
        if (!ds) throw capture.error(fmt::format("cannot open {}", path));
        auto f = std::make_unique<OpenFile>();
        f->path = path;
        f->base.reset(ds);
        if (GDALGetRasterCount(ds) > 0) {
            GDALRasterBandH b = GDALGetRasterBand(ds, 1);
            const int n = GDALGetOverviewCount(b);
            for (int i = 0; i < n; ++i) {
                GDALRasterBandH o = GDALGetOverview(b, i);
                f->factors.push_back(o && GDALGetRasterBandXSize(o) > 0
                                         ? static_cast<double>(GDALGetRasterXSize(ds)) / GDALGetRasterBandXSize(o)
                                         : 0);
            }
        }
        return f;
    }

    void give_back(std::unique_ptr<OpenFile> f) {
        std::vector<std::unique_ptr<OpenFile>> closing;
        {
            std::lock_guard<std::mutex> lock(mu_);
            --in_use_;
            lru_.push_front(f.get());
            idle_[f->path].push_back(std::move(f));
            ++idle_count_;
            while (idle_count_ + in_use_ > max_open_ && !lru_.empty()) {
                OpenFile* victim = lru_.back();
                lru_.pop_back();
                auto& vec = idle_[victim->path];
                auto it = std::find_if(vec.begin(), vec.end(), [&](const auto& p) { return p.get() == victim; });
                closing.push_back(std::move(*it));
                vec.erase(it);
                if (vec.empty()) idle_.erase(victim->path);
                --idle_count_;
            }
        }
        // Closed outside the lock.
    }

    mutable std::mutex mu_;
    std::size_t max_open_;
    std::unordered_map<std::string, std::vector<std::unique_ptr<OpenFile>>> idle_;
    std::list<OpenFile*> lru_;
    std::size_t idle_count_ = 0, in_use_ = 0;
};

struct Deadline {
    Clock::time_point at;
    bool passed() const { return Clock::now() > at; }
};

int CPL_STDCALL warp_progress(double, const char*, void* arg) {
    return static_cast<const Deadline*>(arg)->passed() ? FALSE : TRUE;
}

// Source pixels per target pixel on the target grid's axis, from the file's native cell size
// in target units (computed once per file and CRS at the file's centre), so that every tile
// of a zoom level reads the same overview.
double native_cell_size(OpenFile& f, const std::string& dst_wkt) {
    auto it = f.native_cell.find(dst_wkt);
    if (it != f.native_cell.end()) return it->second;
    void* t = f.transformer(-1, dst_wkt);
    GDALDatasetH ds = f.base.get();
    const double cx = GDALGetRasterXSize(ds) / 2.0, cy = GDALGetRasterYSize(ds) / 2.0;
    double x[3] = {cx, cx + 1, cx}, y[3] = {cy, cy, cy + 1}, z[3] = {0, 0, 0};
    int ok[3] = {0, 0, 0};
    // Forward (source pixel -> target georeferenced) with an identity destination geotransform.
    const double identity[6] = {0, 1, 0, 0, 0, 1};
    GDALSetGenImgProjTransformerDstGeoTransform(t, identity);
    double cell = 0;
    if (GDALGenImgProjTransform(t, FALSE, 3, x, y, z, ok) && ok[0] && ok[1] && ok[2]) {
        const double dx = std::hypot(x[1] - x[0], y[1] - y[0]), dy = std::hypot(x[2] - x[0], y[2] - y[0]);
        cell = std::sqrt(dx * dy);
    }
    f.native_cell.emplace(dst_wkt, cell);
    return cell;
}

int choose_overview(const OpenFile& f, double ratio) {
    // The most reduced overview whose factor does not exceed the ratio (GDAL's AUTO rule).
    int best = -1;
    double best_factor = 1;
    for (std::size_t i = 0; i < f.factors.size(); ++i)
        if (f.factors[i] > best_factor && f.factors[i] <= ratio * 1.0001) {
            best = static_cast<int>(i);
            best_factor = f.factors[i];
        }
    return best;
}

struct Warped {
    std::vector<std::vector<float>> values;  // per requested band, target size (padding cut)
    std::vector<std::uint8_t> valid;
};

Warped warp_file(DatasetPool& pool, const std::string& path, const std::vector<int>& bands,
                 std::optional<double> nodata, const RenderTarget& target, const std::string& dst_wkt,
                 Resampling resampling, int padding, double max_error, const Deadline& deadline) {
    auto file = pool.take(path);
    GDALDatasetH base = file->base.get();
    const int nfile = GDALGetRasterCount(base);
    for (int b : bands)
        if (b < 1 || b > nfile)
            throw Error(Errc::io, "gdal", fmt::format("{} has {} band(s), band {} requested", path, nfile, b));
    const int pw = target.width + 2 * padding, ph = target.height + 2 * padding;
    const double cx = target.extent.width() / target.width, cy = target.extent.height() / target.height;
    const double gt[6] = {target.extent.min_x - padding * cx, cx, 0, target.extent.max_y + padding * cy, 0, -cy};

    int ovr = -1;
    if (const double native = native_cell_size(*file.file, dst_wkt); native > 0)
        ovr = choose_overview(*file.file, cx / native);
    GDALDatasetH src = file->level(ovr);
    void* gen = file->transformer(ovr, dst_wkt);
    GDALSetGenImgProjTransformerDstGeoTransform(gen, gt);

    detail::GdalErrorCapture capture;
    const int n = static_cast<int>(bands.size());
    detail::DatasetPtr dst(GDALCreate(GDALGetDriverByName("MEM"), "", pw, ph, n + 1, GDT_Float32, nullptr));
    if (!dst) throw capture.error("MEM dataset", Errc::internal);
    GDALSetGeoTransform(dst.get(), const_cast<double*>(gt));

    void* approx = max_error > 0 ? GDALCreateApproxTransformer(GDALGenImgProjTransform, gen, max_error) : nullptr;
    GDALWarpOptions* wo = GDALCreateWarpOptions();
    wo->hSrcDS = src;
    wo->hDstDS = dst.get();
    wo->eResampleAlg = to_gdal(resampling);
    wo->eWorkingDataType = GDT_Float32;
    wo->nBandCount = n;
    wo->panSrcBands = static_cast<int*>(CPLMalloc(sizeof(int) * static_cast<std::size_t>(n)));
    wo->panDstBands = static_cast<int*>(CPLMalloc(sizeof(int) * static_cast<std::size_t>(n)));
    for (int i = 0; i < n; ++i) {
        wo->panSrcBands[i] = bands[static_cast<std::size_t>(i)];
        wo->panDstBands[i] = i + 1;
    }
    wo->nDstAlphaBand = n + 1;
    if (nodata) {
        wo->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double) * static_cast<std::size_t>(n)));
        for (int i = 0; i < n; ++i) wo->padfSrcNoDataReal[i] = *nodata;
    } else {
        int has = 0;
        double nd = GDALGetRasterNoDataValue(GDALGetRasterBand(src, bands[0]), &has);
        if (has) {
            wo->padfSrcNoDataReal = static_cast<double*>(CPLMalloc(sizeof(double) * static_cast<std::size_t>(n)));
            for (int i = 0; i < n; ++i) wo->padfSrcNoDataReal[i] = nd;
        } else if (GDALGetRasterColorInterpretation(GDALGetRasterBand(src, nfile)) == GCI_AlphaBand &&
                   std::find(bands.begin(), bands.end(), nfile) == bands.end()) {
            wo->nSrcAlphaBand = nfile;
        }
    }
    wo->pfnTransformer = approx ? GDALApproxTransform : GDALGenImgProjTransform;
    wo->pTransformerArg = approx ? approx : gen;
    wo->pfnProgress = warp_progress;
    wo->pProgressArg = const_cast<Deadline*>(&deadline);
    wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "INIT_DEST", "0");
    wo->papszWarpOptions = CSLSetNameValue(wo->papszWarpOptions, "UNIFIED_SRC_NODATA", "NO");
    wo->dfWarpMemoryLimit = 64.0 * 1024 * 1024;

    GDALWarpOperationH op = GDALCreateWarpOperation(wo);
    CPLErr err = op ? GDALChunkAndWarpImage(op, 0, 0, pw, ph) : CE_Failure;
    if (op) GDALDestroyWarpOperation(op);
    wo->hSrcDS = nullptr;
    wo->hDstDS = nullptr;
    wo->pTransformerArg = nullptr;
    GDALDestroyWarpOptions(wo);
    if (approx) GDALDestroyApproxTransformer(approx);
    if (err != CE_None) {
        if (deadline.passed()) throw Error(Errc::timeout, kOrigin, fmt::format("reading {} took too long", path));
        throw capture.error(fmt::format("cannot read {}", path));
    }

    Warped out;
    const std::size_t npx = static_cast<std::size_t>(target.width) * static_cast<std::size_t>(target.height);
    std::vector<float> alpha(npx);
    auto read = [&](int band, float* buf) {
        if (GDALRasterIO(GDALGetRasterBand(dst.get(), band), GF_Read, padding, padding, target.width, target.height, buf,
                         target.width, target.height, GDT_Float32, 0, 0) != CE_None)
            throw capture.error("MEM read", Errc::internal);
    };
    read(n + 1, alpha.data());
    out.valid.resize(npx);
    for (std::size_t i = 0; i < npx; ++i) out.valid[i] = alpha[i] > 127.5f ? 255 : 0;
    out.values.resize(bands.size());
    for (int i = 0; i < n; ++i) {
        out.values[static_cast<std::size_t>(i)].resize(npx);
        read(i + 1, out.values[static_cast<std::size_t>(i)].data());
    }
    return out;
}

}  // namespace

Resampling parse_resampling(std::string_view text) {
    std::string t = detail::to_lower(detail::trim(text));
    if (t == "nearest" || t == "near") return Resampling::nearest;
    if (t == "bilinear") return Resampling::bilinear;
    if (t == "cubic" || t == "bicubic") return Resampling::cubic;
    if (t == "cubicspline" || t == "cubic_spline") return Resampling::cubic_spline;
    if (t == "lanczos") return Resampling::lanczos;
    if (t == "average") return Resampling::average;
    if (t == "mode") return Resampling::mode;
    throw InvalidArgument(kOrigin, fmt::format("unknown resampling '{}' (nearest, bilinear, cubic, cubicspline, "
                                               "lanczos, average, mode)",
                                               detail::trim(text)));
}

std::string_view to_string(Resampling r) noexcept {
    switch (r) {
        case Resampling::nearest: return "nearest";
        case Resampling::bilinear: return "bilinear";
        case Resampling::cubic: return "cubic";
        case Resampling::cubic_spline: return "cubicspline";
        case Resampling::lanczos: return "lanczos";
        case Resampling::average: return "average";
        case Resampling::mode: return "mode";
    }
    return "bilinear";
}

MosaicOrder parse_mosaic_order(std::string_view text) {
    std::string t = detail::to_lower(detail::trim(text));
    if (t == "mostrecent" || t == "most_recent") return MosaicOrder::most_recent;
    if (t == "leastrecent" || t == "least_recent") return MosaicOrder::least_recent;
    if (t == "leastcc" || t == "least_cc") return MosaicOrder::least_cc;
    throw InvalidArgument(kOrigin, fmt::format("unknown mosaic priority '{}' (mostRecent, leastRecent, leastCC)",
                                               detail::trim(text)));
}

std::string_view to_string(MosaicOrder o) noexcept {
    switch (o) {
        case MosaicOrder::most_recent: return "mostRecent";
        case MosaicOrder::least_recent: return "leastRecent";
        case MosaicOrder::least_cc: return "leastCC";
    }
    return "mostRecent";
}

RenderTarget RenderTarget::tile(const TileMatrixSet& tms, const TileIndex& t) {
    RenderTarget r;
    r.crs = tms.crs();
    r.extent = tms.tile_extent(t);
    const auto& m = tms.matrix(t.z);
    r.width = m.tile_width;
    r.height = m.tile_height;
    return r;
}

namespace {
// "B04" and "B4" name the same band.
std::string band_key(std::string_view b) {
    std::string u = detail::to_upper(b);
    if (u.size() == 3 && u[0] == 'B' && u[1] == '0') u.erase(1, 1);
    return u;
}
}  // namespace

const BandSource* SourceSet::find(std::string_view band, double resolution) const noexcept {
    const BandSource* best = nullptr;
    const std::string key = band_key(band);
    for (const auto& b : bands) {
        if (band_key(b.band) != key) continue;
        if (!best) {
            best = &b;
            continue;
        }
        // Prefer the coarsest variant not coarser than the target; among coarser ones, the finest.
        const bool b_ok = resolution > 0 && b.resolution <= resolution * 1.0001;
        const bool best_ok = resolution > 0 && best->resolution <= resolution * 1.0001;
        if (b_ok && (!best_ok || b.resolution > best->resolution)) best = &b;
        else if (!b_ok && !best_ok && b.resolution < best->resolution) best = &b;
    }
    return best;
}

std::vector<std::string> SourceSet::band_names() const {
    std::vector<std::string> out;
    for (const auto& b : bands)
        if (std::find(out.begin(), out.end(), b.band) == out.end()) out.push_back(b.band);
    return out;
}

struct Renderer::Impl {
    RendererOptions options;
    mutable DatasetPool pool;
    explicit Impl(RendererOptions o) : options(o), pool(o.max_open_datasets) {}

    // Reads `names` of one source onto the target; returns false when the source lacks a band.
    bool read_source(const SourceSet& s, const std::vector<std::string>& names, const RenderRequest& req,
                     const std::string& dst_wkt, double target_metres, const Deadline& deadline,
                     std::vector<std::vector<float>>& values, std::vector<std::uint8_t>& valid) const {
        std::vector<const BandSource*> chosen;
        for (const auto& n : names) {
            const BandSource* b = s.find(n, target_metres);
            if (!b) return false;
            chosen.push_back(b);
        }
        const std::size_t npx = static_cast<std::size_t>(req.target.width) * static_cast<std::size_t>(req.target.height);
        values.assign(names.size(), std::vector<float>(npx, std::numeric_limits<float>::quiet_NaN()));
        valid.assign(npx, 255);
        // Group bands by file (and categorical/nodata), one warp per group.
        std::vector<bool> done(names.size(), false);
        for (std::size_t i = 0; i < names.size(); ++i) {
            if (done[i]) continue;
            std::vector<std::size_t> group;
            for (std::size_t j = i; j < names.size(); ++j)
                if (!done[j] && chosen[j]->path == chosen[i]->path && chosen[j]->categorical == chosen[i]->categorical &&
                    chosen[j]->nodata == chosen[i]->nodata) {
                    group.push_back(j);
                    done[j] = true;
                }
            std::vector<int> idx;
            for (auto j : group) idx.push_back(chosen[j]->index);
            const Resampling rs = chosen[i]->categorical ? Resampling::nearest : req.resampling;
            const int padding = req.padding >= 0 ? req.padding : (rs == Resampling::nearest ? 0 : 2);
            Warped w = warp_file(pool, chosen[i]->path, idx, chosen[i]->nodata, req.target, dst_wkt, rs, padding,
                                 options.transform_error, deadline);
            for (std::size_t k = 0; k < group.size(); ++k) {
                const BandSource& b = *chosen[group[k]];
                auto& out = values[group[k]];
                const auto& in = w.values[k];
                const float scale = static_cast<float>(b.scale), offset = static_cast<float>(b.offset);
                for (std::size_t p = 0; p < npx; ++p) {
                    if (!w.valid[p]) continue;
                    float v = in[p];
                    if (b.power == 2) v *= v;
                    out[p] = v * scale + offset;
                }
            }
            for (std::size_t p = 0; p < npx; ++p) valid[p] &= w.valid[p];
        }
        for (std::size_t p = 0; p < npx; ++p)
            if (!valid[p])
                for (auto& v : values) v[p] = std::numeric_limits<float>::quiet_NaN();
        return true;
    }
};

Renderer::Renderer(RendererOptions options) : impl_(std::make_unique<Impl>(options)) {
    detail::ensure_gdal();
    if (options.block_cache_mb > 0) GDALSetCacheMax64(static_cast<GIntBig>(options.block_cache_mb) * 1024 * 1024);
}
Renderer::~Renderer() = default;

RasterBlock Renderer::read(const std::vector<SourceSet>& sources, const RenderRequest& req, RenderStats* stats) const {
    const auto t0 = Clock::now();
    const RenderTarget& t = req.target;
    if (t.width < 1 || t.height < 1 || t.width > 8192 || t.height > 8192)
        throw InvalidArgument(kOrigin, fmt::format("size {}x{} is outside 1..8192", t.width, t.height));
    if (t.extent.empty()) throw InvalidArgument(kOrigin, "empty target extent");
    const std::string wkt = detail::crs_to_wkt(t.crs);
    const bool geographic = detail::crs_is_geographic(t.crs);
    const double metres = t.cell_size() * (geographic ? 111319.49 : 1.0);
    Deadline deadline{t0 + std::chrono::microseconds(static_cast<long long>(req.timeout_seconds * 1e6))};

    std::vector<std::string> names = req.style.bands();
    const bool mask_clouds = req.cloud_mask;
    RasterBlock block;
    block.width = t.width;
    block.height = t.height;
    block.crs = t.crs;
    block.extent = t.extent;
    block.names = names;
    const std::size_t npx = static_cast<std::size_t>(t.width) * static_cast<std::size_t>(t.height);
    block.bands.assign(names.size(), std::vector<float>(npx, std::numeric_limits<float>::quiet_NaN()));
    block.mask.assign(npx, 0);
    RenderStats st;
    std::size_t filled = 0;
    for (const auto& s : sources) {
        if (filled == npx) break;
        if (st.sources_read >= req.max_sources || deadline.passed()) {
            st.partial = true;
            break;
        }
        std::vector<std::string> want = names;
        const bool use_scl = mask_clouds && s.find("SCL");
        if (use_scl && std::find(want.begin(), want.end(), "SCL") == want.end()) want.push_back("SCL");
        std::vector<std::vector<float>> values;
        std::vector<std::uint8_t> valid;
        bool ok;
        try {
            ok = impl_->read_source(s, want, req, wkt, metres, deadline, values, valid);
        } catch (const Error& e) {
            // A deadline hit while later products were being added leaves a partial mosaic.
            if (e.code() == Errc::timeout && filled > 0) {
                st.partial = true;
                break;
            }
            throw;
        }
        if (!ok) {
            ++st.sources_skipped;
            continue;
        }
        ++st.sources_read;
        if (use_scl) {
            const auto& scl = values.back();
            for (std::size_t p = 0; p < npx; ++p) {
                const float c = scl[p];
                if (c == 3 || c == 8 || c == 9 || c == 10) valid[p] = 0;
            }
        }
        for (std::size_t p = 0; p < npx; ++p) {
            if (block.mask[p] || !valid[p]) continue;
            for (std::size_t b = 0; b < names.size(); ++b) block.bands[b][p] = values[b][p];
            block.mask[p] = 255;
            ++filled;
        }
    }
    st.coverage = npx ? static_cast<double>(filled) / static_cast<double>(npx) : 0;
    st.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
    if (stats) *stats = st;
    return block;
}

Image Renderer::render(const std::vector<SourceSet>& sources, const RenderRequest& req, RenderStats* stats) const {
    return apply_style(req.style, read(sources, req, stats));
}

Renderer::CacheStats Renderer::cache_stats() const {
    CacheStats s;
    s.open_datasets = impl_->pool.open_count();
    s.block_cache_bytes = static_cast<std::size_t>(GDALGetCacheUsed64());
    s.block_cache_max_bytes = static_cast<std::size_t>(GDALGetCacheMax64());
    return s;
}

Image apply_style(const Style& style, const RasterBlock& block) {
    const auto& names = style.expression.bands();
    std::vector<const float*> inputs;
    for (const auto& n : names) {
        const auto* b = block.band(n);
        if (!b) throw InvalidArgument(kOrigin, fmt::format("band {} is not available", n));
        inputs.push_back(b->data());
    }
    const std::size_t npx = static_cast<std::size_t>(block.width) * static_cast<std::size_t>(block.height);
    const std::size_t nout = style.expression.outputs();
    std::vector<std::vector<float>> out(nout, std::vector<float>(npx));
    for (std::size_t o = 0; o < nout; ++o) style.expression.evaluate(o, inputs.data(), npx, out[o].data());

    Image img(block.width, block.height);
    auto range = [&](std::size_t o) {
        if (style.rescale.empty()) return std::pair<double, double>{0, 1};
        return style.rescale.size() == 1 ? style.rescale[0] : style.rescale[std::min(o, style.rescale.size() - 1)];
    };
    // 8-bit conversion per output: rescale, clamp, gamma, through a 4096-step table.
    auto to_byte_table = [&](std::size_t o) {
        (void)o;
        std::vector<std::uint8_t> lut(4097);
        for (int i = 0; i <= 4096; ++i) {
            double t = i / 4096.0;
            if (style.gamma != 1.0) t = std::pow(t, 1.0 / style.gamma);
            lut[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(std::lround(t * 255));
        }
        return lut;
    };
    const auto lut = to_byte_table(0);
    auto byte = [&](float v, double lo, double hi) -> std::uint8_t {
        double t = (v - lo) / (hi - lo);
        t = std::clamp(t, 0.0, 1.0);
        return lut[static_cast<std::size_t>(t * 4096 + 0.5)];
    };
    if (nout == 1 && style.colormap) {
        const auto& cm = *style.colormap;
        auto [lo, hi] = range(0);
        for (std::size_t p = 0; p < npx; ++p) {
            const float v = out[0][p];
            if (!block.mask[p] || !std::isfinite(v)) continue;
            double x = cm.in_data_units() ? v : std::clamp((v - lo) / (hi - lo), 0.0, 1.0);
            if (!cm.in_data_units() && style.gamma != 1.0) x = std::pow(x, 1.0 / style.gamma);
            Rgba c = cm.at(x);
            std::uint8_t* px = &img.rgba[p * 4];
            px[0] = c.r;
            px[1] = c.g;
            px[2] = c.b;
            px[3] = c.a;
        }
        return img;
    }
    std::pair<double, double> r[4];
    for (std::size_t o = 0; o < nout && o < 4; ++o) r[o] = range(o);
    for (std::size_t p = 0; p < npx; ++p) {
        if (!block.mask[p]) continue;
        std::uint8_t* px = &img.rgba[p * 4];
        bool finite = true;
        for (std::size_t o = 0; o < nout; ++o) finite = finite && std::isfinite(out[o][p]);
        if (!finite) continue;
        if (nout == 1) {
            px[0] = px[1] = px[2] = byte(out[0][p], r[0].first, r[0].second);
            px[3] = 255;
        } else {
            for (std::size_t o = 0; o < 3; ++o) px[o] = byte(out[o][p], r[o].first, r[o].second);
            px[3] = nout == 4 ? byte(out[3][p], r[3].first, r[3].second) : 255;
        }
    }
    return img;
}

}  // namespace creodias
