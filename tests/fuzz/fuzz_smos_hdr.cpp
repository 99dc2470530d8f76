// libFuzzer target: smos_hdr. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include "readers/readers_internal.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        creodias::detail::parse_smos_hdr(in, "SM_TEST_MIR_SMUDP2_20150721T102717_20150721T112036_650_001_9.HDR");
    } catch (const creodias::Error&) {
    }
    return 0;
}
