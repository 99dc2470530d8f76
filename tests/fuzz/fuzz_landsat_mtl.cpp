// libFuzzer target: landsat_mtl. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include "readers/readers_internal.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        creodias::detail::parse_landsat_mtl(in, size % 3 == 0 ? "X_MTL.txt" : size % 3 == 1 ? "X_MTL.json" : "X_MTL.xml");
    } catch (const creodias::Error&) {
    }
    return 0;
}
