#pragma once
// Private: the viewer's files, compiled into the library (generated at build time by
// cmake/EmbedFiles.cmake from viewer/src and Leaflet's dist files in viewer/node_modules).

#include <cstddef>

namespace creodias::detail {

struct ViewerAsset {
    const char* path;  ///< relative to /viewer/: "index.html", "leaflet/leaflet.js"...
    const char* data;
    std::size_t size;
};

extern const ViewerAsset kViewerAssets[];
extern const std::size_t kViewerAssetCount;
/// Whether Leaflet was found at build time (scripts/viewer.sh installs it from npm).
extern const bool kViewerHasLeaflet;

}  // namespace creodias::detail
