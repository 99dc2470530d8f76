// libFuzzer target: envisat_header. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include "readers/readers_internal.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        creodias::detail::parse_envisat_header(in, "ASA_IMS_1PNESA20040703_205338_000000182028_00172_12250_00001672562030318361237.N1");
    } catch (const creodias::Error&) {
    }
    return 0;
}
