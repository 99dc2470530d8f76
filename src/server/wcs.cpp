// WCS 2.0.1 (filled in below).
#include "server/service.hpp"

namespace creodias::detail {

HttpResponse TileService::wcs(const HttpRequest&) {
    throw ServiceError{400, "OperationNotSupported", "REQUEST", "WCS is not available yet"};
}

}  // namespace creodias::detail
