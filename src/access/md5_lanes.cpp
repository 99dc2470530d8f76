// Multi-lane MD5 (RFC 1321): the same 64 steps per 64-byte block, written once for a scalar
// state and once for eight states held in AVX2 registers. Sources are read in 64 KiB chunks;
// while every active lane has a full chunk, the chunks go through the 8-lane code together;
// a lane with less left finishes alone with the scalar code (and the padding).

#include "access/md5_lanes.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#define CREODIAS_MD5_X86 1
#endif

namespace creodias::detail {

namespace {

constexpr std::size_t kChunk = 64 * 1024;

constexpr int kShift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                            5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                            4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                            6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};

// K[i] = floor(|sin(i + 1)| * 2^32), as RFC 1321 defines it.
const std::array<std::uint32_t, 64>& table() {
    static const std::array<std::uint32_t, 64> k = [] {
        std::array<std::uint32_t, 64> t{};
        for (int i = 0; i < 64; ++i)
            t[i] = static_cast<std::uint32_t>(std::floor(std::fabs(std::sin(i + 1.0)) * 4294967296.0));
        return t;
    }();
    return k;
}

inline int word_index(int i) {
    if (i < 16) return i;
    if (i < 32) return (5 * i + 1) & 15;
    if (i < 48) return (3 * i + 5) & 15;
    return (7 * i) & 15;
}

inline std::uint32_t rotl(std::uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }

inline std::uint32_t load_le(const unsigned char* p) {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

void block_scalar(std::uint32_t h[4], const unsigned char* block) {
    const auto& K = table();
    std::uint32_t m[16];
    for (int w = 0; w < 16; ++w) m[w] = load_le(block + 4 * w);
    std::uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
    for (int i = 0; i < 64; ++i) {
        std::uint32_t f;
        if (i < 16) f = (b & c) | (~b & d);
        else if (i < 32) f = (d & b) | (~d & c);
        else if (i < 48) f = b ^ c ^ d;
        else f = c ^ (b | ~d);
        f = f + a + K[i] + m[word_index(i)];
        a = d;
        d = c;
        c = b;
        b = b + rotl(f, kShift[i]);
    }
    h[0] += a;
    h[1] += b;
    h[2] += c;
    h[3] += d;
}

// One lane's running hash.
struct Lane {
    std::uint32_t h[4] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476};
    std::uint64_t done = 0;  // bytes consumed (multiple of 64 until the tail)

    void blocks(const unsigned char* p, std::size_t n) {  // n: a multiple of 64
        for (std::size_t k = 0; k < n; k += 64) block_scalar(h, p + k);
        done += n;
    }
    std::string finish(const unsigned char* tail, std::size_t n) {  // n < 64 or any; pads
        std::size_t full = n / 64 * 64;
        blocks(tail, full);
        unsigned char last[128] = {};
        const std::size_t rest = n - full;
        std::memcpy(last, tail + full, rest);
        last[rest] = 0x80;
        const std::size_t len = rest < 56 ? 64 : 128;
        const std::uint64_t bits = (done + rest) * 8;
        for (int k = 0; k < 8; ++k) last[len - 8 + k] = static_cast<unsigned char>(bits >> (8 * k));
        for (std::size_t k = 0; k < len; k += 64) block_scalar(h, last + k);
        std::string out(16, '\0');
        for (int w = 0; w < 4; ++w)
            for (int k = 0; k < 4; ++k) out[4 * w + k] = static_cast<char>(h[w] >> (8 * k));
        return out;
    }
};

#ifdef CREODIAS_MD5_X86

#define CREODIAS_AVX2 __attribute__((target("avx2")))

template <int S>
CREODIAS_AVX2 inline __m256i rotl8(__m256i x) {
    return _mm256_or_si256(_mm256_slli_epi32(x, S), _mm256_srli_epi32(x, 32 - S));
}

template <int I>
CREODIAS_AVX2 inline void step8(__m256i& a, __m256i& b, __m256i& c, __m256i& d, const __m256i* m,
                                const std::uint32_t* K) {
    __m256i f;
    if constexpr (I < 16) {
        f = _mm256_or_si256(_mm256_and_si256(b, c), _mm256_andnot_si256(b, d));
    } else if constexpr (I < 32) {
        f = _mm256_or_si256(_mm256_and_si256(d, b), _mm256_andnot_si256(d, c));
    } else if constexpr (I < 48) {
        f = _mm256_xor_si256(_mm256_xor_si256(b, c), d);
    } else {
        f = _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, _mm256_set1_epi32(-1))));
    }
    constexpr int g = I < 16 ? I : I < 32 ? (5 * I + 1) & 15 : I < 48 ? (3 * I + 5) & 15 : (7 * I) & 15;
    f = _mm256_add_epi32(_mm256_add_epi32(f, a),
                         _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(K[I])), m[g]));
    a = d;
    d = c;
    c = b;
    b = _mm256_add_epi32(b, rotl8<kShift[I]>(f));
}

template <int... I>
CREODIAS_AVX2 inline void all_steps(__m256i& a, __m256i& b, __m256i& c, __m256i& d, const __m256i* m,
                                    const std::uint32_t* K, std::integer_sequence<int, I...>) {
    (step8<I>(a, b, c, d, m, K), ...);
}

// `n` blocks of 64 bytes from each of the 8 pointers; state: h[word][lane].
CREODIAS_AVX2 void blocks_x8(std::uint32_t h[4][8], const unsigned char* const p[8], std::size_t n) {
    const std::uint32_t* K = table().data();
    __m256i A = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h[0]));
    __m256i B = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h[1]));
    __m256i C = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h[2]));
    __m256i D = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(h[3]));
    for (std::size_t blk = 0; blk < n; ++blk) {
        __m256i m[16];
        const std::size_t off = blk * 64;
        for (int half = 0; half < 2; ++half) {  // words 0-7, then 8-15: an 8x8 transpose each
            __m256i r[8];
            for (int l = 0; l < 8; ++l)
                r[l] = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p[l] + off + 32 * half));
            const __m256i t0 = _mm256_unpacklo_epi32(r[0], r[1]), t1 = _mm256_unpackhi_epi32(r[0], r[1]);
            const __m256i t2 = _mm256_unpacklo_epi32(r[2], r[3]), t3 = _mm256_unpackhi_epi32(r[2], r[3]);
            const __m256i t4 = _mm256_unpacklo_epi32(r[4], r[5]), t5 = _mm256_unpackhi_epi32(r[4], r[5]);
            const __m256i t6 = _mm256_unpacklo_epi32(r[6], r[7]), t7 = _mm256_unpackhi_epi32(r[6], r[7]);
            const __m256i u0 = _mm256_unpacklo_epi64(t0, t2), u1 = _mm256_unpackhi_epi64(t0, t2);
            const __m256i u2 = _mm256_unpacklo_epi64(t1, t3), u3 = _mm256_unpackhi_epi64(t1, t3);
            const __m256i u4 = _mm256_unpacklo_epi64(t4, t6), u5 = _mm256_unpackhi_epi64(t4, t6);
            const __m256i u6 = _mm256_unpacklo_epi64(t5, t7), u7 = _mm256_unpackhi_epi64(t5, t7);
            __m256i* out = m + 8 * half;  // little-endian words, as MD5 wants them
            out[0] = _mm256_permute2x128_si256(u0, u4, 0x20);
            out[1] = _mm256_permute2x128_si256(u1, u5, 0x20);
            out[2] = _mm256_permute2x128_si256(u2, u6, 0x20);
            out[3] = _mm256_permute2x128_si256(u3, u7, 0x20);
            out[4] = _mm256_permute2x128_si256(u0, u4, 0x31);
            out[5] = _mm256_permute2x128_si256(u1, u5, 0x31);
            out[6] = _mm256_permute2x128_si256(u2, u6, 0x31);
            out[7] = _mm256_permute2x128_si256(u3, u7, 0x31);
        }
        __m256i a = A, b = B, c = C, d = D;
        all_steps(a, b, c, d, m, K, std::make_integer_sequence<int, 64>{});
        A = _mm256_add_epi32(A, a);
        B = _mm256_add_epi32(B, b);
        C = _mm256_add_epi32(C, c);
        D = _mm256_add_epi32(D, d);
    }
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(h[0]), A);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(h[1]), B);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(h[2]), C);
    _mm256_storeu_si256(reinterpret_cast<__m256i*>(h[3]), D);
}

#endif

}  // namespace

bool md5_lanes_use_avx2() {
#ifdef CREODIAS_MD5_X86
    static const bool yes = __builtin_cpu_supports("avx2");
    return yes;
#else
    return false;
#endif
}

std::vector<std::string> md5_lanes(const std::vector<std::uint64_t>& lengths, const LaneReader& read) {
    std::vector<std::string> out(lengths.size());
    std::vector<unsigned char> buffers(8 * kChunk);
    static const std::vector<unsigned char> zeros(kChunk, 0);
    for (std::size_t first = 0; first < lengths.size(); first += 8) {
        const std::size_t count = std::min<std::size_t>(8, lengths.size() - first);
        Lane lanes[8];
        bool active[8] = {};
        for (std::size_t l = 0; l < count; ++l) active[l] = true;
        for (;;) {
            bool any = false, all_full = true;
            for (std::size_t l = 0; l < count; ++l) {
                if (!active[l]) continue;
                any = true;
                if (lengths[first + l] - lanes[l].done < kChunk) all_full = false;
            }
            if (!any) break;
            int active_count = 0;
            for (std::size_t l = 0; l < count; ++l) active_count += active[l];
#ifdef CREODIAS_MD5_X86
            if (all_full && active_count > 1 && md5_lanes_use_avx2()) {
                const unsigned char* ptr[8];
                std::uint32_t h[4][8];
                for (std::size_t l = 0; l < 8; ++l) {
                    if (l < count && active[l]) {
                        unsigned char* buf = buffers.data() + l * kChunk;
                        read(first + l, lanes[l].done, kChunk, buf);
                        ptr[l] = buf;
                        for (int w = 0; w < 4; ++w) h[w][l] = lanes[l].h[w];
                    } else {
                        ptr[l] = zeros.data();
                        for (int w = 0; w < 4; ++w) h[w][l] = 0;
                    }
                }
                blocks_x8(h, ptr, kChunk / 64);
                for (std::size_t l = 0; l < count; ++l) {
                    if (!active[l]) continue;
                    for (int w = 0; w < 4; ++w) lanes[l].h[w] = h[w][l];
                    lanes[l].done += kChunk;
                }
                continue;
            }
#endif
            // One lane alone: the shortest remaining one first, to its end, chunk by chunk.
            std::size_t pick = count;
            for (std::size_t l = 0; l < count; ++l)
                if (active[l] && (pick == count || lengths[first + l] - lanes[l].done <
                                                       lengths[first + pick] - lanes[pick].done))
                    pick = l;
            Lane& lane = lanes[pick];
            unsigned char* buf = buffers.data() + pick * kChunk;
            const std::uint64_t total = lengths[first + pick];
            // Alone (no AVX2, or the last lane): to its end. Otherwise this lane has less
            // than a chunk left (it kept the lanes from running together): just its tail.
            while (total - lane.done > kChunk) {
                read(first + pick, lane.done, kChunk, buf);
                lane.blocks(buf, kChunk);
            }
            const auto rest = static_cast<std::size_t>(total - lane.done);
            if (rest) read(first + pick, lane.done, rest, buf);
            out[first + pick] = lane.finish(buf, rest);
            active[pick] = false;
        }
    }
    return out;
}

}  // namespace creodias::detail
