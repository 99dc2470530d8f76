// libFuzzer target: sentinel2_mtd. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include "readers/readers_internal.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        creodias::detail::parse_sentinel2_mtd(in, "S2A_MSIL2A_20230821T221941_N0509_R029_T01KAB_20230822T021825.SAFE");
    } catch (const creodias::Error&) {
    }
    return 0;
}
