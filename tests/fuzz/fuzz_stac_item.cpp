// libFuzzer target: stac_item. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        creodias::product_from_stac_item(in);
    } catch (const creodias::Error&) {
    }
    return 0;
}
