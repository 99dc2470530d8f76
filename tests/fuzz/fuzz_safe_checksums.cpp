// libFuzzer target: the per-file checksums of a SAFE manifest (download verification) and
// band names from file names. Any input may be rejected with creodias::Error; nothing else
// may escape, crash, hang or leak.
#include <creodias/access.hpp>
#include <creodias/error.hpp>

#include <cstddef>
#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        for (const auto& [path, sum] : creodias::parse_safe_manifest_checksums(in))
            (void)creodias::band_of_file(path);
    } catch (const creodias::Error&) {
    }
    (void)creodias::band_of_file(in.substr(0, 256));
    return 0;
}
