#pragma once
// Private: the GDAL boundary of the tiles module. A scoped error capture (GDAL's handler
// stack is per thread) that turns the last CPLError into a creodias::Error, owning dataset
// handles, and CRS text to WKT with lon/lat (traditional GIS) axis order.

#include <creodias/error.hpp>

#include <gdal.h>

#include <memory>
#include <string>
#include <string_view>

namespace creodias::detail {

/// Registers GDAL's drivers once and applies the process-wide settings the renderer wants.
void ensure_gdal();

class GdalErrorCapture {
public:
    GdalErrorCapture();
    ~GdalErrorCapture();
    GdalErrorCapture(const GdalErrorCapture&) = delete;
    GdalErrorCapture& operator=(const GdalErrorCapture&) = delete;
    /// The last failure message ("" when none).
    const std::string& last() const noexcept { return last_; }
    /// An Error(code) "WHAT: <GDAL's message>".
    Error error(std::string_view what, Errc code = Errc::io) const;

private:
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum num, const char* msg);
    std::string last_;
};

struct DatasetCloser {
    void operator()(GDALDatasetH ds) const noexcept {
        if (ds) GDALClose(ds);
    }
};
using DatasetPtr = std::unique_ptr<void, DatasetCloser>;

/// WKT of a CRS given as "EPSG:n", "OGC:CRS84", "CRS:84", a URN/URI or WKT. Results are
/// cached. @throws InvalidArgument naming the CRS when PROJ does not know it.
std::string crs_to_wkt(std::string_view crs);

/// Whether the CRS (as above) is geographic.
bool crs_is_geographic(std::string_view crs);

/// Whether the CRS's authority axis order is northing/latitude first (EPSG:4326, EPSG:3035...),
/// which WMS 1.3.0 and WCS 2.0 follow in their BBOX/SUBSET coordinates.
bool crs_axis_order_yx(std::string_view crs);

}  // namespace creodias::detail
