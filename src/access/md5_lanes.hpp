#pragma once
// Private: MD5 of up to eight independent byte ranges at once. MD5 is a serial chain of
// dependent steps, so one stream cannot go faster than about 650 MB/s on this class of CPU;
// eight streams computed in the eight 32-bit lanes of AVX2 registers go several times faster
// in total. Used for the per-part MD5s of multipart ETags (many parts, many files). Without
// AVX2 the lanes are computed one after the other with the same portable code.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace creodias::detail {

// Reads `size` bytes at `offset` of source `lane` into `out`; throws on failure.
using LaneReader = std::function<void(std::size_t lane, std::uint64_t offset, std::size_t size, unsigned char* out)>;

// Binary (16-byte) MD5 of each source, sources[i] = its length. Sources are processed eight
// at a time.
std::vector<std::string> md5_lanes(const std::vector<std::uint64_t>& lengths, const LaneReader& read);

bool md5_lanes_use_avx2();

}  // namespace creodias::detail
