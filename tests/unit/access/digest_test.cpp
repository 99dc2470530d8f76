// detail::Digest, hex_digest, canonical_digest_name and MultipartEtag against independent
// oracles: the coreutils digests (md5sum, sha1sum, sha256sum, sha512sum), `openssl dgst
// -sha3-256` and `b3sum` (the BLAKE3 reference implementation) run on files written here, and
// for multipart ETags the definition itself — the parts cut with `split`, their MD5s taken
// with md5sum, the concatenation of the binary MD5s digested again with md5sum.

#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>

#include "access/digest.hpp"
#include "support/fixtures.hpp"

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

using namespace creodias;
using creodias::detail::Digest;

namespace {

using test::random_bytes;

void write_file(const std::filesystem::path& p, const std::string& data) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << p.string());
}

// Runs `command` (which must succeed) and maps each file name it prints to the digest printed
// first on that line: "<hex>  <name>" (coreutils, b3sum) or "<hex> *<name>" (openssl -r).
std::map<std::string, std::string> digests_by_file(const std::string& command) {
    const auto [status, out] = test::shell(command);
    BOOST_REQUIRE_MESSAGE(status == 0, command << " failed (" << status << "): " << out);
    std::map<std::string, std::string> result;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        const auto sp = line.find(' ');
        if (sp == std::string::npos) continue;
        std::string name = line.substr(line.find_first_not_of(" *", sp));
        result[name] = line.substr(0, sp);
    }
    return result;
}

// The digest command per canonical algorithm name; each prints "<hex> ... <file>" per file.
const std::vector<std::pair<std::string, std::string>>& oracles() {
    static const std::vector<std::pair<std::string, std::string>> o = {
        {"MD5", "md5sum"},       {"SHA1", "sha1sum"},
        {"SHA256", "sha256sum"}, {"SHA512", "sha512sum"},
        {"SHA3-256", "openssl dgst -sha3-256 -r"}, {"BLAKE3", "b3sum"},
    };
    return o;
}

// Feeds `data` to `d` in irregular slices (including empty ones) drawn from `seed`.
void update_in_slices(Digest& d, const std::string& data, std::uint32_t seed, std::size_t max_slice) {
    std::mt19937 rng(seed);
    std::size_t pos = 0;
    while (pos < data.size()) {
        std::size_t n = rng() % (max_slice + 1);
        if (rng() % 8 == 0) n = 0;
        n = std::min(n, data.size() - pos);
        d.update(data.data() + pos, n);
        pos += n;
    }
}

std::string hex_to_binary(const std::string& hex) {
    BOOST_REQUIRE_MESSAGE(hex.size() == 32, "not an MD5 in hex: '" << hex << "'");
    std::string out;
    for (std::size_t k = 0; k < hex.size(); k += 2)
        out += static_cast<char>(std::stoi(hex.substr(k, 2), nullptr, 16));
    return out;
}

// The multipart ETag by its definition, with md5sum doing every MD5: the file cut into parts
// of `part_size` bytes by `split`, md5sum of each part, md5sum of the concatenated binary
// MD5s, "-" and the number of parts. An empty file is one empty part.
std::string oracle_multipart_etag(const test::TempDir& tmp, const std::string& data, std::uint64_t part_size) {
    const auto dir = tmp / ("etag-" + std::to_string(data.size()) + "-" + std::to_string(part_size));
    std::filesystem::create_directories(dir);
    write_file(dir / "object", data);
    std::string parts_glob = "part.*";
    if (data.empty()) {
        write_file(dir / "part.empty", "");
    } else {
        const auto [status, out] = test::shell("cd '" + dir.string() + "' && split -a 6 -d -b " +
                                               std::to_string(part_size) + " object part. 2>&1");
        BOOST_REQUIRE_MESSAGE(status == 0, "split failed: " << out);
    }
    const auto part_md5s = digests_by_file("cd '" + dir.string() + "' && md5sum " + parts_glob);
    std::string concat;  // std::map iterates part.000000, part.000001, ... in order
    for (const auto& [name, hex] : part_md5s) concat += hex_to_binary(hex);
    write_file(dir / "md5s", concat);
    const auto outer = digests_by_file("cd '" + dir.string() + "' && md5sum md5s");
    BOOST_REQUIRE(outer.count("md5s"));
    std::filesystem::remove_all(dir);
    return outer.at("md5s") + "-" + std::to_string(part_md5s.size());
}

const std::vector<std::size_t> kLengths = {0,    1,    63,   64,   65,   1023,  1024,  1025,  2047,
                                           2048, 2049, 3072, 4095, 4096, 4097,  5120,  7169,  8192,
                                           9217, 16384 + 1024 + 1, 31 * 1024 + 5, (1u << 20) + 7,
                                           5 * (1u << 20) + 321};

}  // namespace

BOOST_AUTO_TEST_SUITE(digest)

BOOST_AUTO_TEST_CASE(canonical_names_accept_provider_spellings) {
    using detail::canonical_digest_name;
    const std::vector<std::pair<std::string, std::string>> accepted = {
        {"md5", "MD5"},         {"MD5", "MD5"},           {"sha1", "SHA1"},        {"SHA-1", "SHA1"},
        {"sha-256", "SHA256"},  {"SHA256", "SHA256"},     {"sha256", "SHA256"},    {"SHA_512", "SHA512"},
        {"sha512", "SHA512"},   {"SHA3_256", "SHA3-256"}, {"sha3-256", "SHA3-256"}, {"SHA3-256", "SHA3-256"},
        {"Blake3", "BLAKE3"},   {"BLAKE3", "BLAKE3"},     {"blake3", "BLAKE3"},
    };
    for (const auto& [spelling, canonical] : accepted) {
        BOOST_TEST_CONTEXT("'" << spelling << "'") {
            const auto name = canonical_digest_name(spelling);
            BOOST_REQUIRE(name.has_value());
            BOOST_CHECK_EQUAL(*name, canonical);
            BOOST_CHECK_EQUAL(Digest(spelling).name(), canonical);
        }
    }
    for (const std::string rejected : {"CRC32", "crc32c", "", "SHA", "SHA3-512", "sha224", "MD4", "blake2b"}) {
        BOOST_TEST_CONTEXT("'" << rejected << "'") {
            BOOST_CHECK(!canonical_digest_name(rejected).has_value());
            BOOST_CHECK_THROW(Digest{rejected}, InvalidArgument);
            BOOST_CHECK_THROW(detail::hex_digest(rejected, "abc"), InvalidArgument);
        }
    }
}

BOOST_AUTO_TEST_CASE(digests_match_command_line_tools_whole_and_streamed) {
    test::TempDir tmp;
    std::vector<std::string> data;
    for (std::size_t k = 0; k < kLengths.size(); ++k) {
        data.push_back(random_bytes(kLengths[k], static_cast<std::uint32_t>(1000 + k)));
        write_file(tmp / ("f" + std::to_string(k)), data.back());
    }
    std::string files;
    for (std::size_t k = 0; k < kLengths.size(); ++k) files += " f" + std::to_string(k);

    for (const auto& [algorithm, tool] : oracles()) {
        const auto expected = digests_by_file("cd '" + tmp.path().string() + "' && " + tool + files);
        BOOST_REQUIRE_EQUAL(expected.size(), kLengths.size());
        Digest reused(algorithm);  // one object for every message: hex_final resets it
        for (std::size_t k = 0; k < kLengths.size(); ++k) {
            BOOST_TEST_CONTEXT(algorithm << " of " << kLengths[k] << " bytes") {
                const std::string& want = expected.at("f" + std::to_string(k));
                BOOST_CHECK_EQUAL(detail::hex_digest(algorithm, data[k]), want);

                if (data[k].size() <= 200000) {  // slices of 0..70 bytes: every block/chunk offset
                    Digest small(algorithm);
                    update_in_slices(small, data[k], static_cast<std::uint32_t>(k), 70);
                    BOOST_CHECK_EQUAL(small.hex_final(), want);
                }

                update_in_slices(reused, data[k], static_cast<std::uint32_t>(7 * k + 1), 5000);
                BOOST_CHECK_EQUAL(reused.hex_final(), want);

                Digest big(algorithm);  // slices up to 300 KiB, several chunks at once
                update_in_slices(big, data[k], static_cast<std::uint32_t>(13 * k + 5), 300 * 1024);
                Digest moved = std::move(big);
                BOOST_CHECK_EQUAL(moved.hex_final(), want);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(blake3_byte_by_byte_across_chunk_boundaries) {
    // Every length from 0 to 4200 fed one byte at a time would be slow to check with b3sum one
    // process each; take the lengths around every 64-byte block and 1 KiB chunk edge instead.
    test::TempDir tmp;
    std::vector<std::size_t> lengths;
    for (std::size_t edge = 0; edge <= 9 * 1024; edge += 64)
        for (std::size_t d : {edge, edge + 1}) lengths.push_back(d);
    const std::string all = random_bytes(9 * 1024 + 1, 77);
    std::string files;
    for (std::size_t k = 0; k < lengths.size(); ++k) {
        write_file(tmp / ("b" + std::to_string(k)), all.substr(0, lengths[k]));
        files += " b" + std::to_string(k);
    }
    const auto expected = digests_by_file("cd '" + tmp.path().string() + "' && b3sum" + files);
    BOOST_REQUIRE_EQUAL(expected.size(), lengths.size());
    Digest d("blake3");
    for (std::size_t k = 0; k < lengths.size(); ++k) {
        for (std::size_t i = 0; i < lengths[k]; ++i) d.update(all.data() + i, 1);
        BOOST_TEST_CONTEXT("BLAKE3 of " << lengths[k] << " bytes, byte by byte") {
            BOOST_CHECK_EQUAL(d.hex_final(), expected.at("b" + std::to_string(k)));
        }
    }
}

BOOST_AUTO_TEST_CASE(multipart_etag_matches_its_definition) {
    test::TempDir tmp;
    struct Case {
        std::size_t size;
        std::uint64_t part;
    };
    const std::vector<Case> cases = {
        {0, 5 << 20},          {1, 5 << 20},       {100, 1},          {100, 7},          {4096, 4096},
        {4097, 4096},          {4095, 4096},       {3 * 4096, 4096},  {3 * 4096 + 1, 4096}, {(1u << 20) + 7, 65536},
        {(5u << 20) + 321, 1u << 20}, {(5u << 20) + 321, 5u << 20}, {(5u << 20), 1u << 20},
    };
    for (std::size_t k = 0; k < cases.size(); ++k) {
        const auto& c = cases[k];
        const std::string data = random_bytes(c.size, static_cast<std::uint32_t>(500 + k));
        const std::string want = oracle_multipart_etag(tmp, data, c.part);
        BOOST_TEST_CONTEXT(c.size << " bytes in parts of " << c.part) {
            detail::MultipartEtag whole(c.part);
            BOOST_CHECK_EQUAL(whole.part_size(), c.part);
            whole.update(data.data(), data.size());
            BOOST_CHECK_EQUAL(whole.final(), want);

            // Irregular slices that straddle the part boundaries.
            detail::MultipartEtag sliced(c.part);
            std::mt19937 rng(static_cast<std::uint32_t>(k));
            for (std::size_t pos = 0; pos < data.size();) {
                const std::size_t n = std::min<std::size_t>(data.size() - pos, rng() % (c.part * 2 + 3));
                sliced.update(data.data() + pos, n);
                pos += n;
            }
            BOOST_CHECK_EQUAL(sliced.final(), want);
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
