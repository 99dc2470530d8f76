// The VFS without S3: the local backend (root confinement, lexical and through symbolic links;
// S3-like listing; ranges; atomic writes), the memory backend, the scheme registry, and the
// HTTP backend against a real nginx (tests/servers/http.sh) — with curl as the independent
// client for metadata, and GDAL reading the bearer-protected files through /vsicurl/.

#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/vfs.hpp>

#include "support/fixtures.hpp"
#include "support/servers.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gdal_version.h>

#include <strings.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

using namespace creodias;
namespace fs = std::filesystem;

namespace {

using test::random_bytes;

void write_file(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out.write(data.data(), static_cast<std::streamsize>(data.size()));
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " << p.string());
}

std::vector<std::string> keys_of(const std::vector<ObjectInfo>& objects) {
    std::vector<std::string> keys;
    for (const auto& o : objects) keys.push_back(o.key);
    return keys;
}

#define CHECK_KEYS(objects, ...)                                           \
    do {                                                                   \
        const std::vector<std::string> want_ = __VA_ARGS__;                \
        const auto got_ = keys_of(objects);                                \
        BOOST_CHECK_EQUAL_COLLECTIONS(got_.begin(), got_.end(), want_.begin(), want_.end()); \
    } while (0)

// Runs `f`, which must throw E; returns its message (empty when it did not throw E).
template <typename E, typename F>
std::string message_of(F&& f) {
    try {
        f();
    } catch (const E& e) {
        return e.what();
    } catch (const std::exception& e) {
        BOOST_ERROR("threw another exception: " << e.what());
        return {};
    }
    BOOST_ERROR("did not throw");
    return {};
}

template <typename F>
Errc code_of(F&& f) {
    try {
        f();
    } catch (const Error& e) {
        return e.code();
    }
    BOOST_ERROR("did not throw");
    return Errc{};
}

// Every name under `dir`, hidden ones included (temporary files would show here).
std::set<std::string> entries(const fs::path& dir) {
    std::set<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(dir)) out.insert(e.path().lexically_relative(dir).string());
    return out;
}

// A local tree:
//   root/.hidden  root/a.txt (3000 B)  root/empty  root/subway.txt
//   root/sub/b.bin  root/sub/deeper/c.bin  root/sub/file1  root/sub/fixtures/x
//   rootx/f (a sibling whose name starts like the root's)   outside/secret.txt
struct LocalTree {
    test::TempDir tmp;
    fs::path root = tmp / "root";
    fs::path outside = tmp / "outside";
    std::string a = random_bytes(3000, 1);
    LocalTree() {
        write_file(root / "a.txt", a);
        write_file(root / ".hidden", "h");
        write_file(root / "empty", "");
        write_file(root / "subway.txt", "subway");
        write_file(root / "sub" / "b.bin", random_bytes(10, 2));
        write_file(root / "sub" / "deeper" / "c.bin", random_bytes(20, 3));
        write_file(root / "sub" / "file1", random_bytes(30, 4));
        write_file(root / "sub" / "fixtures" / "x", random_bytes(40, 5));
        write_file(tmp / "rootx" / "f", "sibling");
        write_file(outside / "secret.txt", "secret");
    }
};

}  // namespace

// ---- local backend --------------------------------------------------------------------

BOOST_FIXTURE_TEST_SUITE(vfs_local, LocalTree)

BOOST_AUTO_TEST_CASE(stat_and_ranged_reads) {
    auto fs_ = make_local_filesystem(root.string());
    BOOST_CHECK_EQUAL(fs_->scheme(), "file");
    const auto info = fs_->stat("a.txt");
    BOOST_CHECK_EQUAL(info.key, "a.txt");
    BOOST_CHECK_EQUAL(info.size, 3000u);
    BOOST_CHECK(info.etag.empty());
    BOOST_REQUIRE(info.last_modified.has_value());
    const auto [st, secs] = test::shell("stat -c %Y '" + (root / "a.txt").string() + "'");
    BOOST_REQUIRE_EQUAL(st, 0);
    BOOST_CHECK_EQUAL(info.last_modified->us / 1000000, std::stoll(secs));
    BOOST_CHECK_EQUAL(fs_->stat("empty").size, 0u);
    BOOST_CHECK_EQUAL(fs_->stat("sub/deeper/c.bin").size, 20u);
    BOOST_CHECK_THROW(fs_->stat("sub"), InvalidArgument);  // a directory is not a file

    BOOST_CHECK(fs_->read("a.txt") == a);
    BOOST_CHECK(fs_->read("a.txt", ByteRange{0, 0}) == a.substr(0, 1));
    BOOST_CHECK(fs_->read("a.txt", ByteRange{100, 199}) == a.substr(100, 100));
    BOOST_CHECK(fs_->read("a.txt", ByteRange{2990, std::nullopt}) == a.substr(2990));
    BOOST_CHECK(fs_->read("a.txt", ByteRange{0, std::nullopt}) == a);
    BOOST_CHECK(fs_->read("a.txt", ByteRange{2999, 5000}) == a.substr(2999));  // clipped to the end
    BOOST_CHECK_THROW(fs_->read("a.txt", ByteRange{3000, std::nullopt}), InvalidArgument);
    BOOST_CHECK_THROW(fs_->read("a.txt", ByteRange{5000, 6000}), InvalidArgument);
    BOOST_CHECK(fs_->read("empty").empty());
    BOOST_CHECK_THROW(fs_->read("sub"), InvalidArgument);

    // A range spanning several internal buffers arrives whole and in order.
    const std::string big = random_bytes((3u << 20) + 11, 9);
    write_file(root / "big.bin", big);
    std::string got;
    int calls = 0;
    fs_->read("big.bin", ByteRange{1000, (5u << 19) + 17},
              [&](const char* p, std::size_t n) { got.append(p, n), ++calls; }, CancelToken());
    BOOST_CHECK(got == big.substr(1000, (5u << 19) + 17 - 1000 + 1));
    BOOST_CHECK_GT(calls, 1);
    BOOST_CHECK(fs_->read("big.bin") == big);
}

BOOST_AUTO_TEST_CASE(absolute_paths_under_the_root) {
    // The root given with a trailing slash and through a symbolic link is the same root.
    fs::create_directory_symlink(root, tmp / "root-link");
    for (const std::string& r : {root.string(), root.string() + "/", (tmp / "root-link").string()}) {
        BOOST_TEST_CONTEXT("root " << r) {
            auto fs_ = make_local_filesystem(r);
            const std::string abs = (fs::path(r) / "a.txt").lexically_normal().string();
            BOOST_CHECK_EQUAL(fs_->stat(abs).key, abs);
            BOOST_CHECK_EQUAL(fs_->stat(abs).size, 3000u);
            BOOST_CHECK(fs_->read(abs, ByteRange{10, 19}) == a.substr(10, 10));
            BOOST_CHECK_EQUAL(fs_->stat("a.txt").key, "a.txt");
            BOOST_CHECK_EQUAL(fs_->gdal_path("a.txt"), abs);
        }
    }
}

BOOST_AUTO_TEST_CASE(dot_dot_and_paths_outside_the_root_are_refused) {
    auto fs_ = make_local_filesystem(root.string());
    const std::vector<std::string> bad = {
        "..",
        "../outside/secret.txt",
        "sub/../a.txt",
        "sub/../../outside/secret.txt",
        (root / ".." / "outside" / "secret.txt").string(),
        (outside / "secret.txt").string(),
        (tmp / "rootx" / "f").string(),  // a sibling sharing the root's name as a prefix
        "/etc/hostname",
    };
    for (const auto& p : bad) {
        BOOST_TEST_CONTEXT("path '" << p << "'") {
            BOOST_CHECK_THROW(fs_->stat(p), InvalidArgument);
            BOOST_CHECK_THROW(fs_->read(p), InvalidArgument);
            BOOST_CHECK_THROW(fs_->list(p), InvalidArgument);
            BOOST_CHECK_THROW(fs_->write(p + "/planted", "x"), InvalidArgument);
            BOOST_CHECK_THROW(fs_->remove(p), InvalidArgument);
            BOOST_CHECK_THROW(fs_->gdal_path(p), InvalidArgument);
        }
    }
    // Nothing was written or removed outside the root.
    BOOST_CHECK(entries(outside) == std::set<std::string>{"secret.txt"});
    BOOST_CHECK(entries(tmp / "rootx") == std::set<std::string>{"f"});
    BOOST_CHECK_EQUAL(test::slurp(outside / "secret.txt"), "secret");
}

BOOST_AUTO_TEST_CASE(symbolic_links_leaving_the_root_are_refused) {
    fs::path links = tmp / "links";  // a root of its own: listing it meets the links
    write_file(links / "plain.txt", "plain");
    fs::create_symlink(outside / "secret.txt", links / "file-out");
    fs::create_directory_symlink(outside, links / "dir-out");
    fs::create_directories(links / "nested");
    fs::create_symlink("../../outside/secret.txt", links / "nested" / "rel-out");  // relative target
    auto fs_ = make_local_filesystem(links.string());

    for (const auto& [path, link] : std::vector<std::pair<std::string, std::string>>{
             {"file-out", "file-out"},
             {"dir-out/secret.txt", "dir-out"},
             {"nested/rel-out", "rel-out"},
             {(links / "file-out").string(), "file-out"}}) {
        BOOST_TEST_CONTEXT("path '" << path << "'") {
            for (const auto& msg : {message_of<InvalidArgument>([&, p = path] { fs_->stat(p); }),
                                    message_of<InvalidArgument>([&, p = path] { fs_->read(p); }),
                                    message_of<InvalidArgument>([&, p = path] { fs_->list(p); })})
                BOOST_CHECK_MESSAGE(msg.find(link) != std::string::npos, "'" << msg << "' does not name " << link);
        }
    }
    // The directory link itself, and listings that meet a link on the way.
    for (const std::string prefix : {"dir-out", "", "nested", "d", "file"}) {
        BOOST_TEST_CONTEXT("list '" << prefix << "'") {
            const auto msg = message_of<InvalidArgument>([&] { fs_->list(prefix); });
            BOOST_CHECK_MESSAGE(msg.find("-out") != std::string::npos, "'" << msg << "' does not name the link");
        }
    }
    // Writing through the directory link, or removing through it, does not reach outside;
    // neither does writing below a dangling link whose target directory does not exist yet.
    BOOST_CHECK_THROW(fs_->write("dir-out/planted.txt", "x"), InvalidArgument);
    BOOST_CHECK_THROW(fs_->remove("dir-out/secret.txt"), InvalidArgument);
    fs::create_directory_symlink(outside / "made-later", links / "dangling-out");
    BOOST_CHECK_THROW(fs_->write("dangling-out/planted.txt", "x"), Error);
    BOOST_CHECK_THROW(fs_->read("dangling-out"), NotFoundError);
    BOOST_CHECK(entries(outside) == std::set<std::string>{"secret.txt"});
    fs::remove(links / "dangling-out");
    // A listing that meets no link still works.
    CHECK_KEYS(fs_->list("plain"), {"plain.txt"});
}

BOOST_AUTO_TEST_CASE(symbolic_links_inside_the_root_work) {
    fs::create_symlink("a.txt", root / "a-link");
    fs::create_directory_symlink("sub/deeper", root / "deeper-link");
    auto fs_ = make_local_filesystem(root.string());
    BOOST_CHECK_EQUAL(fs_->stat("a-link").size, 3000u);
    BOOST_CHECK(fs_->read("a-link", ByteRange{5, 9}) == a.substr(5, 5));
    BOOST_CHECK_EQUAL(fs_->stat("deeper-link/c.bin").size, 20u);
    CHECK_KEYS(fs_->list("deeper-link"), {"deeper-link/c.bin"});
    CHECK_KEYS(fs_->list("a-"), {"a-link"});
}

BOOST_AUTO_TEST_CASE(listing_is_recursive_sorted_and_prefix_based) {
    auto fs_ = make_local_filesystem(root.string());
    const auto all = fs_->list("");
    CHECK_KEYS(all, {".hidden", "a.txt", "empty", "sub/b.bin", "sub/deeper/c.bin", "sub/file1", "sub/fixtures/x",
                     "subway.txt"});
    for (const auto& o : all) {
        BOOST_TEST_CONTEXT(o.key) {
            BOOST_CHECK_EQUAL(o.size, fs::file_size(root / o.key));
            BOOST_CHECK(o.last_modified.has_value());
        }
    }
    // A directory lists its content (not its siblings sharing the name as a prefix).
    CHECK_KEYS(fs_->list("sub"), {"sub/b.bin", "sub/deeper/c.bin", "sub/file1", "sub/fixtures/x"});
    CHECK_KEYS(fs_->list("sub/"), {"sub/b.bin", "sub/deeper/c.bin", "sub/file1", "sub/fixtures/x"});
    // A name prefix that is no file or directory works like an S3 prefix.
    CHECK_KEYS(fs_->list("su"), {"sub/b.bin", "sub/deeper/c.bin", "sub/file1", "sub/fixtures/x", "subway.txt"});
    CHECK_KEYS(fs_->list("sub/fi"), {"sub/file1", "sub/fixtures/x"});
    CHECK_KEYS(fs_->list("sub/d"), {"sub/deeper/c.bin"});
    CHECK_KEYS(fs_->list("a.txt"), {"a.txt"});  // a file lists itself
    CHECK_KEYS(fs_->list("e"), {"empty"});
    BOOST_CHECK(fs_->list("nothing").empty());
    BOOST_CHECK(fs_->list("no/such/dir/x").empty());
    BOOST_CHECK(fs_->list("a.txt/x").empty());
    // Absolute prefixes give absolute keys.
    const std::string r = root.string();
    CHECK_KEYS(fs_->list(r + "/sub/fi"), {r + "/sub/file1", r + "/sub/fixtures/x"});
    CHECK_KEYS(fs_->list(r + "/sub"),
               {r + "/sub/b.bin", r + "/sub/deeper/c.bin", r + "/sub/file1", r + "/sub/fixtures/x"});
    CHECK_KEYS(fs_->list(r + "/a.txt"), {r + "/a.txt"});
    BOOST_CHECK_EQUAL(fs_->list(r).size(), all.size());
    BOOST_CHECK_EQUAL(fs_->list(r).front().key, r + "/.hidden");

    // Sorted by key bytes, whatever order the directory returns: upper case, '_', a byte > 0x7f.
    for (const std::string n : {"order/b", "order/B", "order/_", "order/\xc3\xa9", "order/a/z", "order/a0"})
        write_file(root / n, "o");
    CHECK_KEYS(fs_->list("order"), {"order/B", "order/_", "order/a/z", "order/a0", "order/b", "order/\xc3\xa9"});
}

BOOST_AUTO_TEST_CASE(writes_are_atomic_and_create_directories) {
    auto fs_ = make_local_filesystem(root.string());
    const std::string data = random_bytes(100000, 11);
    fs_->write("new/dir/x.bin", data);
    BOOST_CHECK(test::slurp(root / "new" / "dir" / "x.bin") == data);
    BOOST_CHECK(entries(root / "new") == (std::set<std::string>{"dir", "dir/x.bin"}));  // no temporary left
    BOOST_CHECK_EQUAL(fs_->stat("new/dir/x.bin").size, data.size());

    // Replacing: a reader that opened the old file keeps reading the old content whole
    // (the new file is renamed into place, not rewritten in place).
    std::ifstream old_reader(root / "a.txt", std::ios::binary);
    BOOST_REQUIRE(old_reader.good());
    struct stat before {};
    BOOST_REQUIRE_EQUAL(::stat((root / "a.txt").c_str(), &before), 0);
    fs_->write("a.txt", "short");
    std::ostringstream old_content;
    old_content << old_reader.rdbuf();
    BOOST_CHECK(old_content.str() == a);
    BOOST_CHECK_EQUAL(test::slurp(root / "a.txt"), "short");
    struct stat after {};
    BOOST_REQUIRE_EQUAL(::stat((root / "a.txt").c_str(), &after), 0);
    BOOST_CHECK_NE(before.st_ino, after.st_ino);
    fs_->write((root / "abs.txt").string(), "absolute");
    BOOST_CHECK_EQUAL(test::slurp(root / "abs.txt"), "absolute");
    fs_->write("zero", "");
    BOOST_CHECK(fs::exists(root / "zero"));
    BOOST_CHECK_EQUAL(fs::file_size(root / "zero"), 0u);

    // Failures leave nothing behind.
    BOOST_CHECK_THROW(fs_->write("", "x"), InvalidArgument);
    BOOST_CHECK_THROW(fs_->write("sub", "x"), StorageError);  // a directory is in the way
    BOOST_CHECK_THROW(fs_->write("a.txt/child", "x"), Error);  // a file is in the way
    for (const auto& name : entries(root))
        BOOST_CHECK_MESSAGE(name.find(".tmp") == std::string::npos, "temporary file left: " << name);
    BOOST_CHECK(fs::is_directory(root / "sub"));
}

BOOST_AUTO_TEST_CASE(remove_and_missing_files) {
    auto fs_ = make_local_filesystem(root.string());
    fs_->remove("sub/file1");
    BOOST_CHECK(!fs::exists(root / "sub" / "file1"));
    BOOST_CHECK(fs::exists(root / "sub" / "fixtures" / "x"));
    BOOST_CHECK_THROW(fs_->remove("sub/file1"), NotFoundError);
    BOOST_CHECK_THROW(fs_->stat("sub/file1"), NotFoundError);
    BOOST_CHECK_THROW(fs_->read("sub/file1"), NotFoundError);
    BOOST_CHECK_THROW(fs_->stat("no/such/file"), NotFoundError);
    BOOST_CHECK_THROW(fs_->read("a.txt/below"), NotFoundError);  // ENOTDIR: not found either
    CHECK_KEYS(fs_->list("sub/fi"), {"sub/fixtures/x"});
    // A dangling link inside the root is no file.
    fs::create_symlink("gone", root / "dangling");
    BOOST_CHECK_THROW(fs_->stat("dangling"), NotFoundError);
    BOOST_CHECK(fs_->list("dangling").empty());
}

BOOST_AUTO_TEST_CASE(cancellation) {
    auto fs_ = make_local_filesystem(root.string());
    CancelToken cancelled;
    cancelled.cancel();
    bool called = false;
    BOOST_CHECK(code_of([&] {
                    fs_->read("a.txt", std::nullopt, [&](const char*, std::size_t) { called = true; }, cancelled);
                }) == Errc::cancelled);
    BOOST_CHECK(!called);

    // Cancelled by the sink after the first buffer: the rest is not read.
    write_file(root / "big.bin", random_bytes(4u << 20, 3));
    CancelToken token;
    std::size_t got = 0;
    BOOST_CHECK(code_of([&] {
                    fs_->read("big.bin", std::nullopt,
                              [&](const char*, std::size_t n) {
                                  got += n;
                                  token.cancel();  // a copy of the token shares the flag
                              },
                              CancelToken(token));
                }) == Errc::cancelled);
    BOOST_CHECK_GT(got, 0u);
    BOOST_CHECK_LT(got, 4u << 20);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- memory backend -------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(vfs_memory)

BOOST_AUTO_TEST_CASE(write_stat_list_read_remove) {
    auto m = make_memory_filesystem();
    BOOST_CHECK_EQUAL(m->scheme(), "mem");
    BOOST_CHECK_EQUAL(m->uri("a/b"), "mem://a/b");
    const std::string data = random_bytes(5000, 21);
    m->write("a/b", data);
    m->write("a/c/d", "d");
    m->write("ab", "ab");
    m->write("b", "");
    BOOST_CHECK_EQUAL(m->stat("a/b").size, 5000u);
    BOOST_CHECK_EQUAL(m->stat("a/b").key, "a/b");
    BOOST_CHECK_EQUAL(m->stat("b").size, 0u);
    CHECK_KEYS(m->list(""), {"a/b", "a/c/d", "ab", "b"});
    CHECK_KEYS(m->list("a/"), {"a/b", "a/c/d"});
    CHECK_KEYS(m->list("a"), {"a/b", "a/c/d", "ab"});
    CHECK_KEYS(m->list("a/c"), {"a/c/d"});
    BOOST_CHECK(m->list("c").empty());
    BOOST_CHECK_EQUAL(m->list("a/").front().size, 5000u);

    BOOST_CHECK(m->read("a/b") == data);
    BOOST_CHECK(m->read("a/b", ByteRange{0, 0}) == data.substr(0, 1));
    BOOST_CHECK(m->read("a/b", ByteRange{1000, 1999}) == data.substr(1000, 1000));
    BOOST_CHECK(m->read("a/b", ByteRange{4990, std::nullopt}) == data.substr(4990));
    BOOST_CHECK(m->read("a/b", ByteRange{4999, 10000}) == data.substr(4999));
    BOOST_CHECK_THROW(m->read("a/b", ByteRange{5000, std::nullopt}), InvalidArgument);
    BOOST_CHECK(m->read("b").empty());

    m->write("a/b", "replaced");
    BOOST_CHECK_EQUAL(m->read("a/b"), "replaced");
    BOOST_CHECK_EQUAL(m->stat("a/b").size, 8u);
    m->remove("a/b");
    BOOST_CHECK_THROW(m->stat("a/b"), NotFoundError);
    BOOST_CHECK_THROW(m->read("a/b"), NotFoundError);
    BOOST_CHECK_THROW(m->remove("a/b"), NotFoundError);
    CHECK_KEYS(m->list("a"), {"a/c/d", "ab"});
    BOOST_CHECK_THROW(m->write("", "x"), InvalidArgument);
    BOOST_CHECK_THROW(m->gdal_path("ab"), Unsupported);

    CancelToken cancelled;
    cancelled.cancel();
    BOOST_CHECK(code_of([&] { m->read("ab", std::nullopt, [](const char*, std::size_t) {}, cancelled); }) ==
                Errc::cancelled);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- the registry ---------------------------------------------------------------------

BOOST_AUTO_TEST_SUITE(vfs_registry)

BOOST_AUTO_TEST_CASE(backends_are_there_only_when_added) {
    Vfs empty;
    BOOST_CHECK_THROW(empty.resolve("/some/file"), NotFoundError);
    BOOST_CHECK_THROW(empty.resolve("file:///some/file"), NotFoundError);
    BOOST_CHECK_THROW(empty.resolve("mem://a/b"), NotFoundError);
    BOOST_CHECK_THROW(empty.get("file"), NotFoundError);
    BOOST_CHECK_THROW(empty.add(nullptr), InvalidArgument);
    BOOST_CHECK_THROW(empty.add("mem", nullptr), InvalidArgument);
    BOOST_CHECK_THROW(empty.add("", make_memory_filesystem()), InvalidArgument);
    BOOST_CHECK_THROW(empty.get("file"), NotFoundError);  // the failed adds registered nothing
}

BOOST_AUTO_TEST_CASE(resolve_splits_scheme_and_path) {
    test::TempDir tmp;
    Vfs v;
    auto local = make_local_filesystem(tmp.path().string());
    auto mem = make_memory_filesystem();
    S3Options o;
    o.endpoint = "http://127.0.0.1:9";  // never contacted: resolve only
    auto s3 = make_s3_filesystem(o);
    v.add(local);
    v.add(mem);
    v.add(s3);

    auto check = [&](const std::string& uri, const std::shared_ptr<FileSystem>& fs, const std::string& path) {
        BOOST_TEST_CONTEXT("'" << uri << "'") {
            const auto [got_fs, got_path] = v.resolve(uri);
            BOOST_CHECK(got_fs == fs);
            BOOST_CHECK_EQUAL(got_path, path);
        }
    };
    check("s3://b/k", s3, "b/k");
    check("s3://bucket/dir/with space/k.SAFE", s3, "bucket/dir/with space/k.SAFE");
    check("mem://a/b", mem, "a/b");
    check("/abs/path", local, "/abs/path");
    check("rel/path", local, "rel/path");
    check("file:///abs/path", local, "/abs/path");
    check("odd name://x", local, "odd name://x");  // not a scheme: a local name

    BOOST_CHECK_THROW(v.resolve("ftp://host/x"), NotFoundError);
    BOOST_CHECK_THROW(v.resolve("http://host/x"), NotFoundError);  // no http backend added
    BOOST_CHECK_THROW(v.resolve(""), InvalidArgument);
    BOOST_CHECK_THROW(v.resolve("s3://"), InvalidArgument);
    BOOST_CHECK_THROW(v.resolve("mem://"), InvalidArgument);

    // http(s) backends get the whole URL; a backend can serve under another scheme name.
    auto web = make_http_filesystem("");
    v.add("http", web);
    check("http://host/x/y?z=1", web, "http://host/x/y?z=1");
    BOOST_CHECK_THROW(v.resolve("https://host/x"), NotFoundError);
    v.add("scratch", mem);
    check("scratch://p/q", mem, "p/q");
    BOOST_CHECK(v.get("scratch") == mem);

    // Replacing a backend.
    auto mem2 = make_memory_filesystem();
    v.add(mem2);
    check("mem://a/b", mem2, "a/b");

    // Through the registry to the backend and back.
    auto [fs_, path] = v.resolve("mem://dir/file");
    fs_->write(path, "through the registry");
    BOOST_CHECK_EQUAL(mem2->read("dir/file"), "through the registry");
    BOOST_CHECK_THROW(mem->stat("dir/file"), NotFoundError);
}

BOOST_AUTO_TEST_SUITE_END()

// ---- HTTP backend against nginx -------------------------------------------------------

namespace {

const std::string kToken = "t0k3n-Test_123.abc";

// DIR/www with public, bearer-protected and Range-ignoring files, served by nginx.
struct HttpTree {
    test::TempDir tmp;
    std::string data = random_bytes(300 * 1024 + 13, 31);
    std::string secret = random_bytes(70001, 32);
    std::unique_ptr<test::HttpServer> server;
    HttpTree() {
        write_file(tmp / "www" / "data.bin", data);
        write_file(tmp / "www" / "empty.bin", "");
        write_file(tmp / "www" / "private" / "secret.bin", secret);
        write_file(tmp / "www" / "private" / "other.bin", secret.substr(0, 1000));
        write_file(tmp / "www" / "norange" / "data.bin", data);
        server = std::make_unique<test::HttpServer>(tmp.path(), kToken);
    }
    ~HttpTree() { server.reset(); }  // nginx stops before the directory goes
    const std::string& base() const { return server->base_url(); }
    // Response headers from curl, the independent client.
    std::string curl_head(const std::string& path, const std::string& token = "") const {
        const auto [status, out] = test::shell("curl -sS -I " +
                                               (token.empty() ? "" : "-H 'Authorization: Bearer " + token + "' ") +
                                               "'" + base() + "/" + path + "' 2>&1");
        BOOST_REQUIRE_MESSAGE(status == 0, "curl failed: " << out);
        return out;
    }
};

std::string header_value(const std::string& headers, const std::string& name) {
    std::istringstream in(headers);
    std::string line;
    while (std::getline(in, line)) {
        if (line.size() > name.size() && strncasecmp(line.c_str(), (name + ":").c_str(), name.size() + 1) == 0) {
            std::string v = line.substr(name.size() + 1);
            while (!v.empty() && (v.back() == '\r' || v.back() == ' ')) v.pop_back();
            return v.substr(v.find_first_not_of(' '));
        }
    }
    return {};
}

HttpOptions quick(std::string token = "") {
    HttpOptions o;
    o.bearer_token = std::move(token);
    o.max_attempts = 2;
    o.connect_timeout = std::chrono::milliseconds(3000);
    return o;
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(vfs_http, HttpTree)

BOOST_AUTO_TEST_CASE(stat_and_reads) {
    auto web = make_http_filesystem(base(), quick());
    BOOST_CHECK_EQUAL(web->scheme(), "http");
    BOOST_CHECK_EQUAL(web->uri("data.bin"), base() + "/data.bin");

    const auto info = web->stat("data.bin");
    const std::string head = curl_head("data.bin");
    BOOST_CHECK_EQUAL(info.key, "data.bin");
    BOOST_CHECK_EQUAL(info.size, data.size());
    BOOST_CHECK_EQUAL(std::to_string(info.size), header_value(head, "Content-Length"));
    std::string etag = header_value(head, "ETag");
    BOOST_REQUIRE_GE(etag.size(), 3u);
    BOOST_CHECK_EQUAL(info.etag, etag.substr(1, etag.size() - 2));  // without the quotes
    BOOST_CHECK_EQUAL(web->stat("empty.bin").size, 0u);

    BOOST_CHECK(web->read("data.bin") == data);
    BOOST_CHECK(web->read("empty.bin").empty());
    BOOST_CHECK(web->read("data.bin", ByteRange{0, 0}) == data.substr(0, 1));
    BOOST_CHECK(web->read("data.bin", ByteRange{0, 99}) == data.substr(0, 100));
    BOOST_CHECK(web->read("data.bin", ByteRange{1000, 1999}) == data.substr(1000, 1000));
    BOOST_CHECK(web->read("data.bin", ByteRange{200000, std::nullopt}) == data.substr(200000));
    BOOST_CHECK(web->read("data.bin", ByteRange{data.size() - 1, data.size() + 100}) == data.substr(data.size() - 1));
    BOOST_CHECK_THROW(web->read("data.bin", ByteRange{data.size(), std::nullopt}), InvalidArgument);
    // The server really answered those with 206 Partial Content.
    BOOST_CHECK_NE(server->access_log().find("206 GET /data.bin \"bytes=1000-1999\""), std::string::npos);

    // An empty base: paths are whole URLs.
    auto any = make_http_filesystem("", quick());
    BOOST_CHECK(any->read(base() + "/data.bin", ByteRange{5, 14}) == data.substr(5, 10));
    BOOST_CHECK_EQUAL(any->stat(base() + "/data.bin").size, data.size());
    BOOST_CHECK_THROW(any->read("data.bin"), InvalidArgument);
    BOOST_CHECK_THROW(make_http_filesystem("ftp://host/"), InvalidArgument);
}

BOOST_AUTO_TEST_CASE(a_server_ignoring_range_still_gives_the_requested_bytes) {
    auto web = make_http_filesystem(base() + "/norange", quick());
    const std::vector<std::pair<ByteRange, std::string>> cases = {
        {ByteRange{0, 0}, data.substr(0, 1)},
        {ByteRange{0, 99}, data.substr(0, 100)},
        {ByteRange{1, 1}, data.substr(1, 1)},
        {ByteRange{1000, 1999}, data.substr(1000, 1000)},
        {ByteRange{100000, 250000}, data.substr(100000, 150001)},
        {ByteRange{200000, std::nullopt}, data.substr(200000)},
        {ByteRange{0, std::nullopt}, data},
        {ByteRange{data.size() - 1, data.size() + 100}, data.substr(data.size() - 1)},
    };
    for (const auto& [range, want] : cases) {
        BOOST_TEST_CONTEXT("range " << range.first << "-" << (range.last ? std::to_string(*range.last) : "")) {
            const std::string got = web->read("data.bin", range);
            BOOST_CHECK_EQUAL(got.size(), want.size());
            BOOST_CHECK(got == want);
        }
    }
    // Past the end: the same error as from a server honouring Range (416).
    BOOST_CHECK_THROW(web->read("data.bin", ByteRange{data.size(), std::nullopt}), InvalidArgument);
    BOOST_CHECK_THROW(web->read("data.bin", ByteRange{data.size() + 10, data.size() + 20}), InvalidArgument);
    // The server did ignore the Range headers: 200 and the whole file.
    BOOST_CHECK_NE(server->access_log().find("200 GET /norange/data.bin \"bytes=0-99\""), std::string::npos);
    BOOST_CHECK_NE(server->access_log().find("200 GET /norange/data.bin \"bytes=1000-1999\""), std::string::npos);
}

BOOST_AUTO_TEST_CASE(bearer_token_and_errors) {
    auto anonymous = make_http_filesystem(base(), quick());
    auto wrong = make_http_filesystem(base(), quick("not-the-token"));
    auto with_token = make_http_filesystem(base(), quick(kToken));

    BOOST_CHECK(code_of([&] { anonymous->read("private/secret.bin"); }) == Errc::unauthenticated);
    BOOST_CHECK_THROW(anonymous->read("private/secret.bin"), AuthError);
    BOOST_CHECK_THROW(anonymous->stat("private/secret.bin"), AuthError);
    BOOST_CHECK(code_of([&] { wrong->read("private/secret.bin"); }) == Errc::unauthenticated);
    BOOST_CHECK(with_token->read("private/secret.bin") == secret);
    BOOST_CHECK(with_token->read("private/secret.bin", ByteRange{60000, 60099}) == secret.substr(60000, 100));
    BOOST_CHECK_EQUAL(with_token->stat("private/secret.bin").size, secret.size());
    // curl agrees on the protection.
    BOOST_CHECK_EQUAL(curl_head("private/secret.bin").rfind("HTTP/1.1 401", 0), 0u);
    BOOST_CHECK_EQUAL(curl_head("private/secret.bin", kToken).rfind("HTTP/1.1 200", 0), 0u);

    BOOST_CHECK_THROW(with_token->stat("missing.bin"), NotFoundError);
    BOOST_CHECK_THROW(with_token->read("missing.bin"), NotFoundError);
    BOOST_CHECK_THROW(anonymous->read("no/such/dir/x"), NotFoundError);
    BOOST_CHECK_THROW(with_token->list(""), Unsupported);
    BOOST_CHECK_THROW(with_token->list("private/"), Unsupported);
    BOOST_CHECK_THROW(with_token->write("new.bin", "x"), Unsupported);
    BOOST_CHECK_THROW(with_token->remove("data.bin"), Unsupported);
    BOOST_CHECK_THROW(with_token->read("private/../data.bin"), InvalidArgument);

    CancelToken cancelled;
    cancelled.cancel();
    BOOST_CHECK(code_of([&] {
                    with_token->read("data.bin", std::nullopt, [](const char*, std::size_t) {}, cancelled);
                }) == Errc::cancelled);
}

BOOST_AUTO_TEST_CASE(gdal_reads_through_vsicurl_with_the_token) {
    VSIClearPathSpecificOptions(nullptr);
    VSICurlClearCache();
    CPLPushErrorHandler(CPLQuietErrorHandler);  // the refusals below are expected
    struct Pop {
        ~Pop() { CPLPopErrorHandler(); }
    } pop;
    // Without the header GDAL is refused (checked first: the option set below stays set).
    VSIStatBufL st{};
    const std::string other = "/vsicurl/" + base() + "/private/other.bin";
    BOOST_CHECK_NE(VSIStatL(other.c_str(), &st), 0);

    // Without a token: the plain /vsicurl/ name.
    BOOST_CHECK_EQUAL(make_http_filesystem(base(), quick())->gdal_path("data.bin"), "/vsicurl/" + base() + "/data.bin");
    BOOST_CHECK_THROW(make_http_filesystem(base(), quick())->gdal_path("../x"), InvalidArgument);

    auto web = make_http_filesystem(base(), quick(kToken));
    const std::string path = web->gdal_path("private/secret.bin");
    BOOST_TEST_MESSAGE("GDAL path with a token: " << path);
    BOOST_CHECK_EQUAL(path.find(kToken), std::string::npos);  // the token never shows in the name
#if GDAL_VERSION_NUM >= GDAL_COMPUTE_VERSION(3, 7, 0)
    BOOST_CHECK_EQUAL(path, "/vsicurl/" + base() + "/private/secret.bin");
#else
    // GDAL 3.6 has no per-prefix HTTP options for /vsicurl/: the header travels in a /vsimem/
    // file named by the /vsicurl? options.
    BOOST_CHECK_EQUAL(path.rfind("/vsicurl?", 0), 0u);
    BOOST_CHECK_NE(path.find("&url=http%3A%2F%2F127.0.0.1%3A"), std::string::npos);
#endif

    VSICurlClearCache();
    BOOST_REQUIRE_EQUAL(VSIStatL(path.c_str(), &st), 0);
    BOOST_CHECK_EQUAL(static_cast<std::uint64_t>(st.st_size), secret.size());
    VSILFILE* f = VSIFOpenL(path.c_str(), "rb");
    BOOST_REQUIRE(f);
    std::string buf(1000, '\0');
    BOOST_CHECK_EQUAL(VSIFSeekL(f, 12345, SEEK_SET), 0);
    BOOST_CHECK_EQUAL(VSIFReadL(buf.data(), 1, buf.size(), f), buf.size());
    BOOST_CHECK(buf == secret.substr(12345, 1000));
    std::string tail(100, '\0');
    BOOST_CHECK_EQUAL(VSIFSeekL(f, secret.size() - 100, SEEK_SET), 0);
    BOOST_CHECK_EQUAL(VSIFReadL(tail.data(), 1, tail.size(), f), tail.size());
    BOOST_CHECK(tail == secret.substr(secret.size() - 100));
    VSIFCloseL(f);
    BOOST_CHECK_NE(server->access_log().find("GET /private/secret.bin \"bytes="), std::string::npos);

    // The token is not global configuration: another prefix for the same server (localhost
    // instead of 127.0.0.1) is still refused.
    VSICurlClearCache();
    std::string via_localhost = other;
    via_localhost.replace(via_localhost.find("127.0.0.1"), 9, "localhost");
    BOOST_CHECK_NE(VSIStatL(via_localhost.c_str(), &st), 0);
    BOOST_CHECK(CPLGetConfigOption("GDAL_HTTP_HEADERS", nullptr) == nullptr);
    VSIClearPathSpecificOptions(nullptr);
    VSICurlClearCache();
}

BOOST_AUTO_TEST_SUITE_END()

// Its own server: not under the HttpTree fixture, which would start a second one.
BOOST_AUTO_TEST_SUITE(vfs_https)

// HTTPS with HTTP/2 (nginx, self-signed certificate): the shared transport negotiates
// HTTP/2 when the server offers it, and verifies the certificate against the given CA file.
BOOST_AUTO_TEST_CASE(https_with_http2_and_a_private_ca) {
    test::TempDir tmp;
    const std::string data = random_bytes(200000, 41);
    write_file(tmp / "www" / "f.bin", data);
    write_file(tmp / "www" / "private" / "s.bin", data.substr(0, 5000));
    test::HttpServer server(tmp.path(), kToken, 7510, /*tls=*/true);
    BOOST_REQUIRE(server.base_url().rfind("https://", 0) == 0);

    // Unknown CA: refused, nothing read.
    auto untrusted = make_http_filesystem(server.base_url(), quick());
    BOOST_CHECK_THROW(untrusted->read("f.bin"), NetworkError);

    HttpOptions o = quick(kToken);
    o.ca_file = server.ca_file();
    auto web = make_http_filesystem(server.base_url(), o);
    BOOST_TEST(web->scheme() == "https");
    BOOST_TEST(web->stat("f.bin").size == data.size());
    BOOST_TEST(web->read("f.bin") == data);
    BOOST_TEST(web->read("f.bin", ByteRange{1000, 1999}) == data.substr(1000, 1000));
    BOOST_TEST(web->read("private/s.bin") == data.substr(0, 5000));
    const std::string log = server.access_log();
    BOOST_TEST(log.find("206 GET /f.bin \"bytes=1000-1999\" HTTP/2.0") != std::string::npos, log);
    BOOST_TEST(log.find("200 GET /private/s.bin \"-\" HTTP/2.0") != std::string::npos, log);
    BOOST_TEST(log.find("HTTP/1.1") == std::string::npos, log);
}

BOOST_AUTO_TEST_SUITE_END()
