// ProductSource: a product's file tree read the same way from a directory or a zip, and the
// limits that keep hostile archives (bombs, oversized or corrupt members) from hurting us.

#include <boost/test/unit_test.hpp>

#include "readers/source.hpp"
#include "support/fixtures.hpp"

#include <creodias/error.hpp>
#include <creodias/readers.hpp>

#include <zip.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace fs = std::filesystem;
using creodias::InvalidArgument;
using creodias::NotFoundError;
using creodias::ReadOptions;
using creodias::detail::open_product_source;
using creodias::test::TempDir;

namespace {

struct Member {
    std::string name;  // a trailing '/' makes a directory entry
    std::string data;
    bool store = false;  // ZIP_CM_STORE instead of deflate
};

// Builds archives with libzip itself so the test needs no external tool.
void write_zip(const fs::path& file, const std::vector<Member>& members) {
    int err = 0;
    zip_t* za = zip_open(file.string().c_str(), ZIP_CREATE | ZIP_TRUNCATE, &err);
    BOOST_REQUIRE_MESSAGE(za, "cannot create " << file);
    for (const auto& m : members) {
        if (!m.name.empty() && m.name.back() == '/') {
            BOOST_REQUIRE(zip_dir_add(za, m.name.c_str(), ZIP_FL_ENC_UTF_8) >= 0);
            continue;
        }
        zip_source_t* src = zip_source_buffer(za, m.data.data(), m.data.size(), 0);
        BOOST_REQUIRE(src);
        zip_int64_t idx =
            zip_file_add(za, m.name.c_str(), src, ZIP_FL_ENC_UTF_8 | ZIP_FL_OVERWRITE);
        BOOST_REQUIRE_MESSAGE(idx >= 0, zip_strerror(za));
        if (m.store)
            BOOST_REQUIRE(
                zip_set_file_compression(za, static_cast<zip_uint64_t>(idx), ZIP_CM_STORE, 0) == 0);
    }
    BOOST_REQUIRE_MESSAGE(zip_close(za) == 0, zip_strerror(za));
}

void write_file(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

std::vector<std::string> paths_of(const creodias::detail::ProductSource& src) {
    std::vector<std::string> out;
    for (const auto& e : src.entries()) out.push_back(e.path);
    return out;
}

// Incompressible filler, so that compression ratios stay near 1.
std::string noise(size_t n) {
    std::string s(n, '\0');
    std::uint32_t x = 2463534242u;
    for (auto& c : s) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        c = static_cast<char>(x & 0xff);
    }
    return s;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(source_test)

BOOST_AUTO_TEST_CASE(directory_lists_regular_files_sorted_with_relative_paths) {
    TempDir tmp;
    auto root = tmp / "P.SAFE";
    write_file(root / "manifest.safe", "<m/>");
    write_file(root / "b" / "z.xml", "zz");
    write_file(root / "a.txt", "hello");
    fs::create_directories(root / "empty");
    auto src = open_product_source(root, {});
    BOOST_TEST(src->root_name() == "P.SAFE");
    BOOST_TEST(src->location() == root);
    const std::vector<std::string> expected = {"a.txt", "b/z.xml", "manifest.safe"};
    BOOST_TEST(paths_of(*src) == expected, boost::test_tools::per_element());
    BOOST_TEST(src->entries()[0].size == 5u);
    BOOST_TEST(src->read("b/z.xml") == "zz");
    BOOST_TEST(src->exists("manifest.safe"));
    BOOST_TEST(!src->exists("missing.xml"));
    BOOST_CHECK_THROW(src->read("missing.xml"), NotFoundError);
    BOOST_CHECK_THROW(src->read("../P.SAFE/a.txt"), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(zip_with_a_top_folder_is_stripped) {
    TempDir tmp;
    auto file = tmp / "P.SAFE.zip";
    write_zip(file, {{"P.SAFE/", ""},
                     {"P.SAFE/manifest.safe", "<manifest/>"},
                     {"P.SAFE/measurement/", ""},
                     {"P.SAFE/measurement/x-vv.tiff", noise(1000)},
                     {"P.SAFE/annotation/a.xml", std::string(5000, 'a')}});
    auto src = open_product_source(file, {});
    BOOST_TEST(src->root_name() == "P.SAFE");
    BOOST_TEST(src->location() == file);
    // Same relative paths as the unpacked directory would give; directory entries dropped.
    const std::vector<std::string> expected = {"annotation/a.xml", "manifest.safe",
                                               "measurement/x-vv.tiff"};
    BOOST_TEST(paths_of(*src) == expected, boost::test_tools::per_element());
    BOOST_TEST(src->entries()[0].size == 5000u);  // uncompressed size
    BOOST_TEST(src->read("manifest.safe") == "<manifest/>");
    BOOST_TEST(src->read("annotation/a.xml") == std::string(5000, 'a'));
    BOOST_CHECK_THROW(src->read("P.SAFE/manifest.safe"), NotFoundError);
}

BOOST_AUTO_TEST_CASE(zip_without_a_single_top_folder_is_named_after_the_file) {
    TempDir tmp;
    auto flat = tmp / "S3B_X.zip";
    write_zip(flat, {{"xfdumanifest.xml", "<x/>"}, {"measurement.nc", "nc"}});
    auto src = open_product_source(flat, {});
    BOOST_TEST(src->root_name() == "S3B_X");
    BOOST_TEST(paths_of(*src) == (std::vector<std::string>{"measurement.nc", "xfdumanifest.xml"}),
               boost::test_tools::per_element());

    auto two = tmp / "two.zip";
    write_zip(two, {{"A/x.xml", "1"}, {"B/y.xml", "2"}});
    auto src2 = open_product_source(two, {});
    BOOST_TEST(src2->root_name() == "two");
    BOOST_TEST(paths_of(*src2) == (std::vector<std::string>{"A/x.xml", "B/y.xml"}),
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(real_sentinel1_zip_is_read_like_a_directory) {
    CREODIAS_FIXTURE(zip,
                     "products/sentinel1/"
                     "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255.zip");
    auto src = open_product_source(zip, {});
    BOOST_TEST(src->root_name() ==
               "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255.SAFE");
    BOOST_TEST(src->exists("manifest.safe"));
    BOOST_TEST(src->exists(
        "annotation/s1a-iw-grd-vv-20210119t031653-20210119t031718-036201-043ed0-001.xml"));
    // 20 files in the archive (unzip -l lists 27 entries of which 7 are directories).
    BOOST_TEST(src->entries().size() == 20u);
    auto manifest = src->read("manifest.safe");
    BOOST_TEST(manifest.size() == 21738u);
    BOOST_TEST(manifest.find("<xfdu:XFDU") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(truncated_zip_is_invalid_argument) {
    CREODIAS_FIXTURE(zip,
                     "products/sentinel1/"
                     "S1A_IW_GRDH_1SDV_20210119T031653_20210119T031718_036201_043ED0_8255.zip");
    TempDir tmp;
    const std::string bytes = creodias::test::slurp(zip);
    for (size_t keep :
         {bytes.size() * 6 / 10, bytes.size() - 10, size_t{100}, size_t{3}, size_t{0}}) {
        auto cut = tmp / ("cut" + std::to_string(keep) + ".zip");
        write_file(cut, bytes.substr(0, keep));
        BOOST_TEST_CONTEXT("kept " << keep << " of " << bytes.size() << " bytes") {
            // An empty file is an empty archive for libzip; either way nothing can be read.
            try {
                auto src = open_product_source(cut, {});
                BOOST_TEST(src->entries().empty());
            } catch (const InvalidArgument& e) {
                BOOST_TEST(std::string(e.what()).find(cut.string()) != std::string::npos);
            }
        }
    }
    // Losing the tail (central directory) of a real archive must be reported as bad input.
    auto cut = tmp / "cut_tail.zip";
    write_file(cut, bytes.substr(0, bytes.size() / 2));
    BOOST_CHECK_THROW(open_product_source(cut, {}), InvalidArgument);
    BOOST_CHECK_THROW(creodias::read_product(cut), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(corrupt_member_data_is_invalid_argument) {
    TempDir tmp;
    const std::string payload = std::string(4000, 'A') + "MARKER" + std::string(4000, 'B');
    for (bool store : {true, false}) {
        BOOST_TEST_CONTEXT((store ? "stored" : "deflated") << " member") {
            auto file = tmp / (store ? "stored.zip" : "deflated.zip");
            write_zip(file, {{"P/a.xml", payload, store}, {"P/b.xml", "fine", store}});
            std::string bytes = creodias::test::slurp(file);
            // Flip bytes inside the first member's data; its header and the central
            // directory stay intact so the archive still opens.
            // First local file header: data starts after 30 bytes + name + extra field.
            const auto u16 = [&](size_t o) {
                return static_cast<size_t>(static_cast<unsigned char>(bytes[o])) |
                       static_cast<size_t>(static_cast<unsigned char>(bytes[o + 1])) << 8;
            };
            const size_t data = 30 + u16(26) + u16(28);
            size_t at = store ? bytes.find("MARKER") : data + 10;
            BOOST_REQUIRE(at != std::string::npos && at + 8 < bytes.size());
            for (size_t k = 0; k < 6; ++k) bytes[at + k] = static_cast<char>(bytes[at + k] ^ 0x5a);
            write_file(file, bytes);
            auto src = open_product_source(file, {});
            BOOST_CHECK_THROW(src->read("a.xml"), InvalidArgument);
            BOOST_TEST(src->read("b.xml") == "fine");
        }
    }
}

BOOST_AUTO_TEST_CASE(zip_bomb_member_is_refused) {
    TempDir tmp;
    auto file = tmp / "bomb.zip";
    // 16 MiB of zeros deflate to ~16 KiB: a ratio near 1000, far above the default 200.
    write_zip(file,
              {{"P.SAFE/manifest.safe", std::string(16u << 20, '\0')}, {"P.SAFE/ok.xml", "<ok/>"}});
    BOOST_TEST(fs::file_size(file) < (1u << 20));
    auto src = open_product_source(file, {});
    try {
        src->read("manifest.safe");
        BOOST_FAIL("a zip bomb member was read");
    } catch (const InvalidArgument& e) {
        BOOST_TEST(std::string(e.what()).find("compression ratio") != std::string::npos, e.what());
    }
    BOOST_TEST(src->read("ok.xml") == "<ok/>");
    // The same archive through the public API.
    BOOST_CHECK_THROW(creodias::read_product(file), InvalidArgument);

    // Raising the ratio limit is the caller's explicit choice.
    ReadOptions lax;
    lax.max_zip_ratio = 1e6;
    auto src2 = open_product_source(file, lax);
    BOOST_TEST(src2->read("manifest.safe").size() == (16u << 20));
}

BOOST_AUTO_TEST_CASE(oversized_member_is_refused) {
    TempDir tmp;
    auto file = tmp / "big.zip";
    write_zip(file, {{"P/manifest.safe", noise(300 * 1024)}, {"P/small.xml", noise(1000)}});
    ReadOptions opt;
    opt.max_metadata_bytes = 100 * 1024;
    auto src = open_product_source(file, opt);
    try {
        src->read("manifest.safe");
        BOOST_FAIL("an oversized member was read");
    } catch (const InvalidArgument& e) {
        BOOST_TEST(std::string(e.what()).find("manifest.safe") != std::string::npos, e.what());
    }
    BOOST_TEST(src->read("small.xml").size() == 1000u);

    // Same limit for directories.
    write_file(tmp / "D" / "manifest.safe", noise(300 * 1024));
    BOOST_CHECK_THROW(open_product_source(tmp / "D", opt)->read("manifest.safe"), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(total_uncompressed_read_budget_per_zip) {
    TempDir tmp;
    auto file = tmp / "budget.zip";
    write_zip(file, {{"P/a.xml", noise(100 * 1024)}, {"P/b.xml", noise(100 * 1024)}});
    ReadOptions opt;
    opt.max_zip_read_bytes = 150 * 1024;
    auto src = open_product_source(file, opt);
    BOOST_TEST(src->read("a.xml").size() == 100u * 1024);
    BOOST_CHECK_THROW(src->read("b.xml"), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(entry_count_limit) {
    TempDir tmp;
    auto file = tmp / "many.zip";
    write_zip(file, {{"P/a", "1"}, {"P/b", "2"}, {"P/c", "3"}});
    write_file(tmp / "D" / "a", "1");
    write_file(tmp / "D" / "b", "2");
    write_file(tmp / "D" / "c", "3");
    ReadOptions opt;
    opt.max_entries = 2;
    BOOST_CHECK_THROW(open_product_source(file, opt), InvalidArgument);
    BOOST_CHECK_THROW(open_product_source(tmp / "D", opt), InvalidArgument);
    opt.max_entries = 3;
    BOOST_TEST(open_product_source(file, opt)->entries().size() == 3u);
}

BOOST_AUTO_TEST_CASE(members_escaping_the_root_are_not_listed) {
    TempDir tmp;
    auto file = tmp / "evil.zip";
    write_zip(
        file,
        {{"P.SAFE/a.xml", "a"}, {"P.SAFE/../../evil.txt", "x"}, {"P.SAFE/sub/../../up.txt", "y"}});
    auto src = open_product_source(file, {});
    BOOST_TEST(paths_of(*src) == std::vector<std::string>{"a.xml"},
               boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(what_is_not_a_product_container) {
    TempDir tmp;
    write_file(tmp / "fake.zip", "this is not a zip archive at all, just text");
    BOOST_CHECK_THROW(open_product_source(tmp / "fake.zip", {}), InvalidArgument);
    write_file(tmp / "notes.txt", "text");
    BOOST_CHECK_THROW(open_product_source(tmp / "notes.txt", {}), InvalidArgument);
    BOOST_CHECK_THROW(open_product_source(tmp / "missing.zip", {}), NotFoundError);
    BOOST_CHECK_THROW(open_product_source(tmp / "missing_dir", {}), NotFoundError);
}

BOOST_AUTO_TEST_SUITE_END()
