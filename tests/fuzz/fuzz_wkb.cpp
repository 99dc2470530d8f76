// libFuzzer target: wkb. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include <creodias/geometry.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        auto g = creodias::Geometry::from_wkb(in); (void)g.to_wkt(); (void)creodias::normalize_footprint(g);
    } catch (const creodias::Error&) {
    }
    return 0;
}
