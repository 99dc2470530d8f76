#pragma once
// Helpers shared by the reader tests: independent ways to look at a product (zip members
// through libzip, digests through command-line tools, vertex boxes computed by hand) and
// the robustness loop every document parser goes through.

#include <boost/test/unit_test.hpp>

#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/geometry.hpp>

#include <zip.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace creodias::test {

inline std::string upper(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return s;
}

inline std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

/// First word a shell command prints (e.g. the digest of `openssl dgst -r`).
inline std::string first_word_of(const std::string& command) {
    const auto [status, out] = shell(command);
    BOOST_REQUIRE_MESSAGE(status == 0, command << " failed");
    return out.substr(0, out.find_first_of(" \n"));
}

/// One member of a zip file, read with libzip.
inline std::string zip_member(const std::filesystem::path& zip, const std::string& name) {
    int err = 0;
    zip_t* za = zip_open(zip.string().c_str(), ZIP_RDONLY, &err);
    BOOST_REQUIRE(za);
    zip_stat_t st;
    BOOST_REQUIRE(zip_stat(za, name.c_str(), 0, &st) == 0);
    std::string data(st.size, '\0');
    zip_file_t* f = zip_fopen(za, name.c_str(), 0);
    BOOST_REQUIRE(f);
    BOOST_REQUIRE(zip_fread(f, data.data(), st.size) == static_cast<zip_int64_t>(st.size));
    zip_fclose(f);
    zip_discard(za);
    return data;
}

/// The file members of a zip (directories left out), read with libzip.
inline std::vector<std::string> zip_files(const std::filesystem::path& zip) {
    std::vector<std::string> out;
    int err = 0;
    zip_t* za = zip_open(zip.string().c_str(), ZIP_RDONLY, &err);
    BOOST_REQUIRE(za);
    for (zip_int64_t i = 0; i < zip_get_num_entries(za, 0); ++i) {
        std::string n = zip_get_name(za, static_cast<zip_uint64_t>(i), 0);
        if (!n.empty() && n.back() != '/') out.push_back(n);
    }
    zip_discard(za);
    return out;
}

/// Bounding box of every vertex, computed here rather than with Geometry::bbox().
struct Box {
    double west = 1e9, south = 1e9, east = -1e9, north = -1e9;
    void add(double lon, double lat) {
        west = std::min(west, lon);
        east = std::max(east, lon);
        south = std::min(south, lat);
        north = std::max(north, lat);
    }
};

inline Box vertex_box(const Geometry& g) {
    Box b;
    for (const auto& part : g.parts())
        for (const auto& ring : part)
            for (const auto& v : ring) b.add(v.lon, v.lat);
    return b;
}

/// Feeds `parse` every truncation of `doc` (every `stride` bytes) and 300 copies with 4
/// random bytes changed: each must parse or throw InvalidArgument, nothing else.
template <typename Parse>
void check_truncations_and_mutations(const std::string& doc, std::size_t stride, std::uint32_t seed, Parse parse) {
    auto robust = [&](const std::string& text) {
        try {
            parse(text);
        } catch (const InvalidArgument&) {
        }
    };
    for (std::size_t n = 0; n < doc.size(); n += stride) BOOST_CHECK_NO_THROW(robust(doc.substr(0, n)));
    std::uint32_t x = seed;
    auto next = [&] {  // xorshift32
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        return x;
    };
    for (int i = 0; i < 300; ++i) {
        std::string mutated = doc;
        for (int k = 0; k < 4; ++k) mutated[next() % mutated.size()] = static_cast<char>(next() & 0xff);
        BOOST_CHECK_NO_THROW(robust(mutated));
    }
}

}  // namespace creodias::test
