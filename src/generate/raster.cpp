#include "generate/raster.hpp"

#include "generate/common.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>
#include <gdal_priv.h>
#include <ogr_spatialref.h>

#include <mutex>

namespace fs = std::filesystem;

namespace creodias::detail::gen {

namespace {

// Silences GDAL for the current thread (the handler stack is thread-local) and keeps the
// last error, so failures can be reported with GDAL's own explanation.
class ScopedGdalErrors {
public:
    ScopedGdalErrors() { CPLPushErrorHandlerEx(&ScopedGdalErrors::handler, this); }
    ~ScopedGdalErrors() { CPLPopErrorHandler(); }
    ScopedGdalErrors(const ScopedGdalErrors&) = delete;
    ScopedGdalErrors& operator=(const ScopedGdalErrors&) = delete;
    const std::string& last() const { return last_; }
    CPLErrorNum number() const { return number_; }

private:
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum num, const char* msg) {
        auto* self = static_cast<ScopedGdalErrors*>(CPLGetErrorHandlerUserData());
        if (self && cls >= CE_Failure && msg) {
            self->last_ = msg;
            self->number_ = num;
        }
    }
    std::string last_;
    CPLErrorNum number_ = CPLE_None;
};

struct DatasetCloser {
    void operator()(GDALDataset* ds) const {
        if (ds) GDALClose(GDALDataset::ToHandle(ds));
    }
};
using DatasetPtr = std::unique_ptr<GDALDataset, DatasetCloser>;

[[noreturn]] void gdal_fail(const ScopedGdalErrors& errors, const fs::path& path,
                            const char* what) {
    const std::string msg =
        fmt::format("{}: {}: {}", path.string(), what,
                    errors.last().empty() ? "unknown GDAL error" : errors.last());
    if (errors.number() == CPLE_OpenFailed || errors.number() == CPLE_FileIO)
        throw StorageError(Errc::io, "gdal", msg);
    throw Error(Errc::internal, "gdal", msg);
}

OGRSpatialReference srs_of(int epsg) {
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    // lon/lat (x/y) order everywhere, whatever the EPSG axis order says.
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return srs;
}

}  // namespace

void register_gdal() {
    static std::once_flag once;
    std::call_once(once, [] { GDALAllRegister(); });
}

void write_raster(const fs::path& path, const char* driver, const RasterSpec& spec) {
    register_gdal();
    ScopedGdalErrors errors;
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* out_driver = GetGDALDriverManager()->GetDriverByName(driver);
    if (!mem || !out_driver)
        throw Error(Errc::internal, "gdal",
                    fmt::format("GDAL driver {} is not available", mem ? driver : "MEM"));
    const GDALDataType type = spec.type == PixelType::u8 ? GDT_Byte : GDT_UInt16;
    DatasetPtr ds(mem->Create("", spec.width, spec.height, spec.bands, type, nullptr));
    if (!ds) gdal_fail(errors, path, "cannot create an in-memory raster");

    if (spec.grid && spec.grid->epsg != 0) {
        double gt[6] = {spec.grid->x0, spec.grid->dx, 0, spec.grid->y0, 0, spec.grid->dy};
        ds->SetGeoTransform(gt);
        OGRSpatialReference srs = srs_of(spec.grid->epsg);
        ds->SetSpatialRef(&srs);
    }
    if (spec.gcps && !spec.gcps->empty()) {
        std::vector<GDAL_GCP> gcps(spec.gcps->size());
        std::vector<std::string> ids(spec.gcps->size());
        GDALInitGCPs(static_cast<int>(gcps.size()), gcps.data());
        for (size_t i = 0; i < gcps.size(); ++i) {
            const Gcp& g = (*spec.gcps)[i];
            ids[i] = std::to_string(i + 1);
            CPLFree(gcps[i].pszId);
            gcps[i].pszId = CPLStrdup(ids[i].c_str());
            gcps[i].dfGCPPixel = g.pixel;
            gcps[i].dfGCPLine = g.line;
            gcps[i].dfGCPX = g.lon;
            gcps[i].dfGCPY = g.lat;
            gcps[i].dfGCPZ = g.height;
        }
        OGRSpatialReference wgs84 = srs_of(4326);
        ds->SetGCPs(static_cast<int>(gcps.size()), gcps.data(), &wgs84);
        GDALDeinitGCPs(static_cast<int>(gcps.size()), gcps.data());
    }
    const size_t plane = static_cast<size_t>(spec.width) * static_cast<size_t>(spec.height);
    const size_t sample = spec.type == PixelType::u8 ? 1 : 2;
    for (int b = 0; b < spec.bands; ++b) {
        auto* data =
            static_cast<const unsigned char*>(spec.data) + plane * sample * static_cast<size_t>(b);
        GDALRasterBand* band = ds->GetRasterBand(b + 1);
        if (band->RasterIO(GF_Write, 0, 0, spec.width, spec.height,
                           const_cast<unsigned char*>(data), spec.width, spec.height, type, 0, 0,
                           nullptr) != CE_None)
            gdal_fail(errors, path, "cannot fill the in-memory raster");
        if (spec.nodata >= 0) band->SetNoDataValue(spec.nodata);
    }
    for (const auto& [k, v] : spec.metadata) ds->SetMetadataItem(k.c_str(), v.c_str());

    std::vector<const char*> options;
    for (const auto& o : spec.creation_options) options.push_back(o.c_str());
    options.push_back(nullptr);
    DatasetPtr out(out_driver->CreateCopy(path.string().c_str(), ds.get(), FALSE,
                                          const_cast<char**>(options.data()), nullptr, nullptr));
    if (!out) gdal_fail(errors, path, "cannot encode the raster");
    out.reset();  // closing flushes the file; a failure there is reported too
    if (!errors.last().empty()) gdal_fail(errors, path, "cannot encode the raster");
}

void write_jp2(const fs::path& path, const Grid& grid, const std::vector<std::uint16_t>& data) {
    RasterSpec spec;
    spec.width = grid.width;
    spec.height = grid.height;
    spec.type = PixelType::u16;
    spec.data = data.data();
    spec.grid = &grid;
    // Lossless like the real products; no YCbCr so that three-band images keep exact values.
    spec.creation_options = {"QUALITY=100", "REVERSIBLE=YES", "YCC=NO"};
    write_raster(path, "JP2OpenJPEG", spec);
}

void write_jp2(const fs::path& path, const Grid& grid, const std::vector<std::uint8_t>& data,
               int bands) {
    RasterSpec spec;
    spec.width = grid.width;
    spec.height = grid.height;
    spec.bands = bands;
    spec.type = PixelType::u8;
    spec.data = data.data();
    spec.grid = &grid;
    spec.creation_options = {"QUALITY=100", "REVERSIBLE=YES", "YCC=NO"};
    write_raster(path, "JP2OpenJPEG", spec);
}

struct Projector::Impl {
    OGRSpatialReference src, wgs84;
    std::unique_ptr<OGRCoordinateTransformation> to, from;
};

Projector::Projector(int epsg) : impl_(std::make_unique<Impl>()) {
    register_gdal();
    ScopedGdalErrors errors;
    impl_->src = srs_of(epsg);
    impl_->wgs84 = srs_of(4326);
    impl_->to.reset(OGRCreateCoordinateTransformation(&impl_->src, &impl_->wgs84));
    impl_->from.reset(OGRCreateCoordinateTransformation(&impl_->wgs84, &impl_->src));
    if (!impl_->to || !impl_->from)
        throw Error(Errc::internal, "gdal",
                    fmt::format("no coordinate transformation EPSG:{} <-> EPSG:4326: {}", epsg,
                                errors.last()));
}

Projector::~Projector() = default;

LonLat Projector::to_wgs84(double x, double y) const {
    if (!impl_->to->Transform(1, &x, &y))
        throw Error(Errc::internal, "gdal",
                    fmt::format("cannot transform ({}, {}) to WGS84", x, y));
    return {x, y};
}

void Projector::from_wgs84(double lon, double lat, double& x, double& y) const {
    x = lon;
    y = lat;
    if (!impl_->from->Transform(1, &x, &y))
        throw Error(Errc::internal, "gdal",
                    fmt::format("cannot transform ({}, {}) from WGS84", lon, lat));
}

}  // namespace creodias::detail::gen
