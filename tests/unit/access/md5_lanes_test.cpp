// Multi-lane MD5 against OpenSSL's MD5 (through hex_digest), for lane counts 1..19 and
// lengths that put lanes in and out of step (chunk and block boundaries, empty inputs).

#include <boost/test/unit_test.hpp>

#include "access/digest.hpp"
#include "access/md5_lanes.hpp"

#include <cstring>
#include <random>
#include <string>
#include <vector>

using namespace creodias;

namespace {

std::string bytes(std::size_t n, unsigned seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng());
    return s;
}

std::string hex(const std::string& bin) {
    static const char* d = "0123456789abcdef";
    std::string out;
    for (unsigned char c : bin) {
        out += d[c >> 4];
        out += d[c & 15];
    }
    return out;
}

void check(const std::vector<std::string>& messages) {
    std::vector<std::uint64_t> lengths;
    for (const auto& m : messages) lengths.push_back(m.size());
    const auto got = detail::md5_lanes(lengths, [&](std::size_t lane, std::uint64_t off, std::size_t n,
                                                    unsigned char* out) {
        BOOST_REQUIRE(off + n <= messages[lane].size());
        std::memcpy(out, messages[lane].data() + off, n);
    });
    BOOST_REQUIRE(got.size() == messages.size());
    for (std::size_t k = 0; k < messages.size(); ++k)
        BOOST_TEST(hex(got[k]) == detail::hex_digest("MD5", messages[k]), "lane " << k << ", " << messages[k].size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(md5_lanes)

BOOST_AUTO_TEST_CASE(equal_lengths_in_step) {
    BOOST_TEST_MESSAGE("AVX2 lanes: " << detail::md5_lanes_use_avx2());
    for (std::size_t n : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 65536u, 65537u, 3u * 65536u, (8u << 20)}) {
        std::vector<std::string> m;
        for (unsigned l = 0; l < 8; ++l) m.push_back(bytes(n, 100 + l));
        check(m);
    }
}

BOOST_AUTO_TEST_CASE(unequal_lengths_and_lane_counts) {
    std::mt19937 rng(7);
    for (int round = 0; round < 12; ++round) {
        std::vector<std::string> m;
        const int count = 1 + round * 3 % 19;
        for (int l = 0; l < count; ++l) {
            const std::size_t chunks = rng() % 6;
            const std::size_t n = chunks * 65536 + (rng() % 3 == 0 ? 0 : rng() % 70000);
            m.push_back(bytes(n, 1000 + static_cast<unsigned>(round * 31 + l)));
        }
        check(m);
    }
}

BOOST_AUTO_TEST_SUITE_END()
