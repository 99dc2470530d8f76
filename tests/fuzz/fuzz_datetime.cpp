// libFuzzer target: datetime. Any input may be rejected with creodias::Error; nothing else may
// escape, crash, hang or leak.
#include <creodias/error.hpp>
#include <creodias/time.hpp>
#include <creodias/geometry.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        (void)creodias::format_datetime(creodias::parse_datetime(in)); (void)creodias::BBox::parse(in);
    } catch (const creodias::Error&) {
    }
    return 0;
}
