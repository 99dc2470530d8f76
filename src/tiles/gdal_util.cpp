#include "tiles/gdal_util.hpp"

#include "core/strings.hpp"

#include <fmt/format.h>

#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_srs_api.h>

#include <map>
#include <mutex>

namespace creodias::detail {

void ensure_gdal() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // A remote or mounted product is opened without listing its directory.
        if (!CPLGetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", nullptr))
            CPLSetConfigOption("GDAL_DISABLE_READDIR_ON_OPEN", "EMPTY_DIR");
    });
}

GdalErrorCapture::GdalErrorCapture() { CPLPushErrorHandlerEx(&GdalErrorCapture::handler, this); }
GdalErrorCapture::~GdalErrorCapture() { CPLPopErrorHandler(); }

void CPL_STDCALL GdalErrorCapture::handler(CPLErr cls, CPLErrorNum, const char* msg) {
    auto* self = static_cast<GdalErrorCapture*>(CPLGetErrorHandlerUserData());
    if (self && cls >= CE_Failure && msg) self->last_ = msg;
}

Error GdalErrorCapture::error(std::string_view what, Errc code) const {
    return Error(code, "gdal", last_.empty() ? std::string(what) : fmt::format("{}: {}", what, last_));
}

namespace {

struct CrsInfo {
    std::string wkt;
    bool geographic = false;
    bool yx = false;
};

CrsInfo crs_info(std::string_view crs) {
    static std::mutex mu;
    static std::map<std::string, CrsInfo, std::less<>> cache;
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache.find(crs); it != cache.end()) return it->second;
    if (cache.size() > 1024) cache.clear();
    std::string text(trim(crs));
    std::string lower = to_lower(text);
    if (lower == "crs:84" || lower == "ogc:crs84" || lower == "urn:ogc:def:crs:ogc:1.3:crs84" ||
        lower == "http://www.opengis.net/def/crs/ogc/1.3/crs84" || lower == "epsg:4326:lonlat")
        text = "OGC:CRS84";
    if (lower == "epsg:900913") text = "EPSG:3857";
    OGRSpatialReferenceH srs = OSRNewSpatialReference(nullptr);
    GdalErrorCapture capture;
    if (text.empty() || text.size() > 20000 || OSRSetFromUserInput(srs, text.c_str()) != OGRERR_NONE) {
        OSRDestroySpatialReference(srs);
        throw InvalidArgument("crs", fmt::format("unknown CRS '{}'", trim(crs).substr(0, 200)));
    }
    CrsInfo info;
    info.geographic = OSRIsGeographic(srs) != 0;
    info.yx = OSREPSGTreatsAsLatLong(srs) || OSREPSGTreatsAsNorthingEasting(srs);
    char* wkt = nullptr;
    const char* opts[] = {"FORMAT=WKT2_2018", nullptr};
    OSRExportToWktEx(srs, &wkt, opts);
    info.wkt = wkt ? wkt : "";
    CPLFree(wkt);
    OSRDestroySpatialReference(srs);
    return cache.emplace(std::string(crs), std::move(info)).first->second;
}

}  // namespace

std::string crs_to_wkt(std::string_view crs) { return crs_info(crs).wkt; }
bool crs_is_geographic(std::string_view crs) { return crs_info(crs).geographic; }
bool crs_axis_order_yx(std::string_view crs) { return crs_info(crs).yx; }

}  // namespace creodias::detail
