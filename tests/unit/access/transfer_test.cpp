// Downloads and uploads against a real Ceph RGW (tests/servers/rgw.sh), with the AWS CLI as
// the independent client, and the nginx proxy (tests/servers/s3proxy.sh) for faults.

#include <boost/test/unit_test.hpp>

#include <creodias/access.hpp>
#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/transfer.hpp>

#include "support/fixtures.hpp"
#include "support/servers.hpp"

#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

using namespace creodias;
namespace fs = std::filesystem;

namespace {

S3Options options_for(const std::string& endpoint, const test::Rgw& rgw) {
    S3Options o;
    o.endpoint = endpoint;
    o.region = "us-east-1";
    o.credentials = {rgw.access_key(), rgw.secret_key(), ""};
    o.max_attempts = 3;
    o.retry_base = std::chrono::milliseconds(50);
    return o;
}
S3Options options_for(const test::Rgw& rgw) { return options_for(rgw.endpoint(), rgw); }

std::string quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

std::string aws(const test::Rgw& rgw, const std::string& args) { return test::aws_cli(rgw, args); }

using test::random_bytes;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
}

void write_file(const fs::path& p, const std::string& data) {
    fs::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << data;
}

fs::path fresh_dir(const std::string& name) {
    const char* env = std::getenv("CREODIAS_TEST_TMP");
    const fs::path d = (env && *env ? fs::path(env) : fs::temp_directory_path()) / "transfer" / name;
    fs::remove_all(d);
    fs::create_directories(d);
    return d;
}

// A bucket per test, created once.
std::string bucket(const S3Client& s3, const std::string& name) {
    try {
        s3.create_bucket(name);
    } catch (const Error&) {
        // exists already (a re-run against the same server)
    }
    return name;
}

std::size_t files_under(const fs::path& d) {
    std::size_t n = 0;
    for (const auto& e : fs::recursive_directory_iterator(d))
        if (e.is_regular_file()) ++n;
    return n;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(transfer)

BOOST_AUTO_TEST_CASE(product_tree_matches_the_aws_cli_copy) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-tree");
    // A SAFE-like tree with awkward names and more than 1,000 files (listing pagination).
    const std::string root = "Sentinel-2/MSI/L2A/2024/01/01/S2B_MSIL2A_TEST.SAFE";
    std::map<std::string, std::string> objects;
    objects[root + "/manifest.safe"] = "<xfdu/>";
    objects[root + "/GRANULE/a b+c/IMG_DATA/R10m/T31UFS_B04_10m.jp2"] = random_bytes(300000, 1);
    objects[root + "/GRANULE/a b+c/Zürich é.xml"] = "<x>ü</x>";
    objects[root + "/empty.txt"] = "";
    for (int k = 0; k < 1010; ++k) objects[root + "/QI_DATA/q" + std::to_string(k) + ".gml"] = std::to_string(k * 7);
    for (const auto& [k, v] : objects) s3.put(b, k, v);
    // A sibling sharing the prefix must not be taken.
    s3.put(b, root + ".zip", "not part of it");

    auto fsys = make_s3_filesystem(options_for(rgw));
    const auto items = plan_download(*fsys, b + "/" + root);
    BOOST_TEST(items.size() == objects.size());
    const fs::path dest = fresh_dir("dl-tree");
    DownloadOptions opt;
    opt.jobs = 8;
    std::atomic<int> calls{0};
    TransferProgress last;
    opt.progress = [&](const TransferProgress& p) {
        ++calls;
        last = p;
    };
    opt.progress_interval = std::chrono::milliseconds(20);
    const DownloadReport r = download(*fsys, items, dest.string(), opt);
    BOOST_TEST(r.downloaded == objects.size());
    BOOST_TEST(r.failed == 0u);
    BOOST_TEST(r.verified == objects.size());  // every single-part ETag is an MD5
    BOOST_TEST(calls.load() >= 1);
    BOOST_TEST(last.files_done == objects.size());
    BOOST_TEST(last.bytes_done == last.bytes_total);

    // The AWS CLI copies the same prefix; both trees must be identical.
    const fs::path oracle = fresh_dir("dl-tree-aws");
    aws(rgw, "s3 cp --recursive s3://" + b + "/" + root + " " + quote((oracle / "S2B_MSIL2A_TEST.SAFE").string()));
    auto [status, diff] = test::shell("diff -r " + quote((dest / "S2B_MSIL2A_TEST.SAFE").string()) + " " +
                                      quote((oracle / "S2B_MSIL2A_TEST.SAFE").string()) + " 2>&1");
    BOOST_TEST(status == 0, diff);
    BOOST_TEST(files_under(dest) == objects.size());  // no journal or partial file left

    // Files selected by glob: names, and paths below the product.
    const auto jp2 = plan_download(*fsys, b + "/" + root, {"*.jp2"});
    BOOST_REQUIRE(jp2.size() == 1u);
    BOOST_TEST(jp2[0].dest == "S2B_MSIL2A_TEST.SAFE/GRANULE/a b+c/IMG_DATA/R10m/T31UFS_B04_10m.jp2");
    BOOST_TEST(plan_download(*fsys, b + "/" + root, {"GRANULE/*.xml"}).size() == 1u);
    BOOST_CHECK_THROW(plan_download(*fsys, b + "/" + root, {"*.tif"}), NotFoundError);
    BOOST_CHECK_THROW(plan_download(*fsys, b + "/" + root, {"../*"}), InvalidArgument);
    BOOST_CHECK_THROW(plan_download(*fsys, b + "/" + root, {"/etc/*"}), InvalidArgument);
    BOOST_CHECK_THROW(plan_download(*fsys, b + "/no/such/prefix"), NotFoundError);

    // A re-run downloads nothing: every file is present and was verified.
    const DownloadReport again = download(*fsys, items, dest.string(), opt);
    BOOST_TEST(again.skipped == objects.size());
    BOOST_TEST(again.bytes_transferred == 0u);

    // A file changed locally (same size, other bytes) is fetched again.
    const fs::path jp2_path = dest / jp2[0].dest;
    std::string changed = objects[root + "/GRANULE/a b+c/IMG_DATA/R10m/T31UFS_B04_10m.jp2"];
    changed[1000] = static_cast<char>(changed[1000] ^ 0x55);
    write_file(jp2_path, changed);
    const DownloadReport third = download(*fsys, jp2, dest.string(), opt);
    BOOST_TEST(third.downloaded == 1u);
    BOOST_TEST(slurp(jp2_path) == objects[root + "/GRANULE/a b+c/IMG_DATA/R10m/T31UFS_B04_10m.jp2"]);
}

BOOST_AUTO_TEST_CASE(multipart_etags_are_verified_for_uploads_of_other_clients_and_ours) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-multipart");
    const fs::path src = fresh_dir("mp-src");
    const std::string data = random_bytes(21u << 20, 2);  // 21 MiB: 3 parts of 8 MiB for aws-cli
    write_file(src / "aws.bin", data);
    aws(rgw, "s3 cp " + quote((src / "aws.bin").string()) + " s3://" + b + "/aws.bin");
    const ObjectInfo by_aws = s3.head(b, "aws.bin");
    BOOST_TEST(by_aws.etag.find("-3") != std::string::npos, by_aws.etag);
    // Servers that support HEAD ?partNumber=1 name the part size (AWS, recent RGW); Ceph 16
    // answers 400, and the ETag check falls back to the usual part sizes.
    if (auto ps = s3.first_part_size(b, "aws.bin")) BOOST_TEST(*ps == 8u << 20);

    // Our multipart upload (5 MiB parts): the server assembles the same bytes.
    UploadOptions up;
    up.part_size = 5u << 20;
    up.multipart_threshold = 1u << 20;
    const std::string etag = upload_file(s3, (src / "aws.bin").string(), b, "ours.bin", up);
    BOOST_TEST(etag == s3.head(b, "ours.bin").etag);
    BOOST_TEST(etag.find("-5") != std::string::npos, etag);
    BOOST_TEST(s3.list_multipart_uploads(b).empty());

    auto fsys = make_s3_filesystem(options_for(rgw));
    const fs::path dest = fresh_dir("mp-dest");
    DownloadOptions opt;
    opt.part_size = 4u << 20;  // our parts differ from the upload's: the ETag is still rebuilt
    const auto r = download(*fsys, plan_download(*fsys, b + "/aws.bin"), dest.string(), opt);
    BOOST_TEST(r.files.at(0).verified_by == "etag-multipart");
    BOOST_TEST(slurp(dest / "aws.bin") == data);
    const auto r2 = download(*fsys, plan_download(*fsys, b + "/ours.bin"), dest.string(), opt);
    BOOST_TEST(r2.files.at(0).verified_by == "etag-multipart");
    BOOST_TEST(slurp(dest / "ours.bin") == data);
    // Requests spanning several upload parts (2 jobs, 8 MiB requests: 10 MiB = two 5 MiB parts
    // each, the last request a single part of 1 MiB), interrupted and resumed.
    DownloadOptions wide;
    wide.jobs = 2;
    wide.progress_interval = std::chrono::milliseconds(5);
    wide.progress = [&](const TransferProgress& p) {
        if (p.bytes_done > (9u << 20)) wide.cancel.cancel();
    };
    const fs::path wide_dest = fresh_dir("mp-wide");
    BOOST_CHECK_THROW(download(*fsys, plan_download(*fsys, b + "/ours.bin"), wide_dest.string(), wide), Error);
    DownloadOptions wide2;
    wide2.jobs = 2;
    const auto r3 = download(*fsys, plan_download(*fsys, b + "/ours.bin"), wide_dest.string(), wide2);
    BOOST_TEST(r3.files.at(0).verified_by == "etag-multipart");
    BOOST_TEST(slurp(wide_dest / "ours.bin") == data);
    // The AWS CLI reads back what we uploaded.
    aws(rgw, "s3 cp s3://" + b + "/ours.bin " + quote((dest / "ours-by-aws.bin").string()));
    BOOST_TEST(slurp(dest / "ours-by-aws.bin") == data);
}

BOOST_AUTO_TEST_CASE(an_interrupted_download_resumes_and_a_corrupt_part_is_quarantined) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-resume");
    const std::string data = random_bytes(40u << 20, 3);
    s3.put(b, "big.bin", data);
    auto fsys = make_s3_filesystem(options_for(rgw));
    const auto items = plan_download(*fsys, b + "/big.bin");
    const fs::path dest = fresh_dir("resume");

    // Cancel once 12 MiB are in.
    DownloadOptions opt;
    opt.jobs = 2;
    opt.part_size = 4u << 20;
    opt.progress_interval = std::chrono::milliseconds(5);
    opt.progress = [&](const TransferProgress& p) {
        if (p.bytes_done > (12u << 20)) opt.cancel.cancel();
    };
    try {
        download(*fsys, items, dest.string(), opt);
        BOOST_FAIL("the download was not cancelled");
    } catch (const Error& e) {
        BOOST_TEST((e.code() == Errc::cancelled), e.what());
    }
    BOOST_TEST(!fs::exists(dest / "big.bin"));  // never a partial file under the final name
    BOOST_REQUIRE(fs::exists(dest / "big.bin.creodias-part"));
    const std::string journal = slurp(dest / "big.bin.creodias-journal");
    BOOST_TEST(journal.find("done ") != std::string::npos, journal);

    // Resume: only the missing parts travel.
    DownloadOptions again;
    again.part_size = 4u << 20;
    const auto r = download(*fsys, items, dest.string(), again);
    BOOST_TEST(r.resumed == 1u);
    BOOST_TEST(r.bytes_transferred < data.size());
    BOOST_TEST(r.bytes_transferred > 0u);
    BOOST_TEST(slurp(dest / "big.bin") == data);
    BOOST_TEST(!fs::exists(dest / "big.bin.creodias-part"));
    BOOST_TEST(!fs::exists(dest / "big.bin.creodias-journal"));

    // Interrupt again, then damage a part the journal calls complete: the MD5 (ETag) check
    // catches it, the copy goes to quarantine and the file is fetched once more.
    fs::remove(dest / "big.bin");
    DownloadOptions third = opt;
    third.cancel = CancelToken();
    third.progress = [&](const TransferProgress& p) {
        if (p.bytes_done > (12u << 20)) third.cancel.cancel();
    };
    BOOST_CHECK_THROW(download(*fsys, items, dest.string(), third), Error);
    {
        std::fstream part(dest / "big.bin.creodias-part", std::ios::in | std::ios::out | std::ios::binary);
        const std::string j = slurp(dest / "big.bin.creodias-journal");
        const auto at = j.find("done ");
        BOOST_REQUIRE(at != std::string::npos);
        const int idx = std::stoi(j.substr(at + 5));
        part.seekp(static_cast<std::streamoff>(idx) * (4 << 20) + 1234);
        part.write("CORRUPT", 7);
    }
    const auto fixed = download(*fsys, items, dest.string(), again);
    BOOST_TEST(fixed.files.at(0).quarantined == 1u);
    BOOST_TEST(fixed.files.at(0).verified_by == "etag-md5");
    BOOST_TEST(slurp(dest / "big.bin") == data);
    BOOST_TEST(fs::exists(dest / ".creodias-quarantine"));
}

BOOST_AUTO_TEST_CASE(a_second_download_into_the_same_place_is_refused_while_the_first_runs) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-twice");
    const std::string data = random_bytes(12u << 20, 9);
    s3.put(b, "same.bin", data);
    BOOST_TEST(!s3.first_part_size(b, "same.bin"));  // a single-part object has no parts
    test::S3Proxy::Limits slow;
    slow.rate = "2m";
    slow.requests = 1000;
    slow.burst = 1000;
    test::S3Proxy proxy(rgw.endpoint(), slow, 7485);
    auto fsys = make_s3_filesystem(options_for(proxy.endpoint(), rgw));
    const auto items = plan_download(*fsys, b + "/same.bin");
    const fs::path dest = fresh_dir("twice");
    std::exception_ptr first_error;
    std::thread first([&] {
        try {
            download(*fsys, items, dest.string());
        } catch (...) {
            first_error = std::current_exception();
        }
    });
    // Wait (bounded) until the first download holds the partial file.
    for (int k = 0; k < 200 && !fs::exists(dest / "same.bin.creodias-journal"); ++k)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    try {
        download(*fsys, items, dest.string());
        BOOST_ERROR("a second download of the same file ran alongside the first");
    } catch (const StorageError& e) {
        BOOST_TEST((e.code() == Errc::busy), e.what());
    }
    first.join();
    BOOST_TEST(!first_error);
    BOOST_TEST(slurp(dest / "same.bin") == data);
}

BOOST_AUTO_TEST_CASE(a_persistent_checksum_mismatch_fails_naming_both_checksums) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-mismatch");
    s3.put(b, "x.xml", "<x>content</x>");
    auto fsys = make_s3_filesystem(options_for(rgw));
    auto items = plan_download(*fsys, b + "/x.xml");
    const std::string wrong(64, 'a');
    items[0].checksums = {{"SHA256", wrong}};
    const fs::path dest = fresh_dir("mismatch");
    try {
        download(*fsys, items, dest.string());
        BOOST_FAIL("a wrong checksum was accepted");
    } catch (const Error& e) {
        const std::string msg = e.what();
        BOOST_TEST(msg.find(wrong) != std::string::npos, msg);
        // the actual SHA-256 of the content, computed by sha256sum
        auto [st, out] = test::shell("printf '%s' '<x>content</x>' | sha256sum | cut -c1-64");
        BOOST_TEST(msg.find(out.substr(0, 64)) != std::string::npos, msg);
    }
    BOOST_TEST(!fs::exists(dest / "x.xml"));
    std::size_t quarantined = 0;
    for (const auto& e : fs::recursive_directory_iterator(dest / ".creodias-quarantine"))
        quarantined += e.is_regular_file();
    BOOST_TEST(quarantined == 2u);

    // The right checksum (and an algorithm we cannot compute is not a failure).
    auto [st, sum] = test::shell("printf '%s' '<x>content</x>' | sha256sum | cut -c1-64");
    items[0].checksums = {{"SHA-256", sum.substr(0, 64)}, {"CRC32", "deadbeef"}};
    const auto r = download(*fsys, items, dest.string());
    BOOST_TEST(r.files.at(0).verified_by == "etag-md5,SHA256");
}

BOOST_AUTO_TEST_CASE(bad_destinations_and_credentials_are_refused) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-bad");
    s3.put(b, "a.txt", "a");
    auto fsys = make_s3_filesystem(options_for(rgw));
    const fs::path dest = fresh_dir("bad");
    for (const std::string d : {"../escape.txt", "/etc/passwd", "a/../../b", "", ".creodias-quarantine/x"}) {
        BOOST_CHECK_THROW(download(*fsys, {DownloadItem{b + "/a.txt", d, 1, "", {}}}, dest.string()), InvalidArgument);
    }
    BOOST_TEST(!fs::exists(dest.parent_path() / "escape.txt"));
    // A symbolic link under the final name is not followed.
    fs::create_symlink("/etc/hostname", dest / "link.txt");
    BOOST_CHECK_THROW(download(*fsys, {DownloadItem{b + "/a.txt", "link.txt", std::nullopt, "", {}}}, dest.string()),
                      InvalidArgument);
    // Keys with ".." cannot become destination paths.
    s3.put(b, "p/../evil.txt", "x");
    BOOST_CHECK_THROW(plan_download(*fsys, b + "/p"), InvalidArgument);
    // Unknown key and bucket.
    BOOST_CHECK_THROW(download(*fsys, {DownloadItem{b + "/missing.txt", "m.txt", std::nullopt, "", {}}}, dest.string()),
                      NotFoundError);
    BOOST_CHECK_THROW(plan_download(*fsys, "no-such-bucket-xyz/a"), NotFoundError);
    // A wrong secret: an authentication error naming the key id, never the secret.
    S3Options bad = options_for(rgw);
    bad.credentials.secret_access_key = "wrong-secret-value-123";
    auto badfs = make_s3_filesystem(bad);
    try {
        download(*badfs, {DownloadItem{b + "/a.txt", "a.txt", std::nullopt, "", {}}}, dest.string());
        BOOST_FAIL("a wrong secret was accepted");
    } catch (const AuthError& e) {
        const std::string msg = e.what();
        BOOST_TEST(msg.find(rgw.access_key()) != std::string::npos, msg);
        BOOST_TEST(msg.find("wrong-secret-value-123") == std::string::npos, msg);
        BOOST_TEST(msg.find(rgw.secret_key()) == std::string::npos, msg);
    }
}

BOOST_AUTO_TEST_CASE(the_server_dying_mid_transfer_keeps_the_partial_data_for_resuming) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-dying");
    const std::string data = random_bytes(24u << 20, 4);
    s3.put(b, "slow.bin", data);
    const fs::path dest = fresh_dir("dying");
    test::S3Proxy::Limits slow;
    slow.rate = "3m";  // per connection
    slow.requests = 100;
    slow.burst = 100;
    auto proxy = std::make_unique<test::S3Proxy>(rgw.endpoint(), slow, 7482);
    S3Options through = options_for(proxy->endpoint(), rgw);
    through.max_attempts = 2;
    through.connect_timeout = std::chrono::milliseconds(500);
    auto fsys = make_s3_filesystem(through);
    const auto items = plan_download(*fsys, b + "/slow.bin");
    DownloadOptions opt;
    opt.jobs = 2;
    opt.part_size = 4u << 20;
    opt.max_attempts = 2;
    std::atomic<bool> killed{false};
    opt.progress_interval = std::chrono::milliseconds(10);
    opt.progress = [&](const TransferProgress& p) {
        if (!killed && p.bytes_done > (6u << 20)) {
            killed = true;
            proxy->kill();
        }
    };
    try {
        download(*fsys, items, dest.string(), opt);
        BOOST_FAIL("the download survived the server's death");
    } catch (const Error& e) {
        BOOST_TEST((e.code() == Errc::network || e.code() == Errc::timeout), e.what());
    }
    BOOST_TEST(killed.load());
    BOOST_TEST(!fs::exists(dest / "slow.bin"));
    BOOST_TEST(fs::exists(dest / "slow.bin.creodias-part"));
    proxy.reset();
    // The server is back (no rate limit now): the download continues.
    test::S3Proxy::Limits fast;
    fast.rate = "0";
    fast.requests = 1000;
    fast.burst = 1000;
    test::S3Proxy again(rgw.endpoint(), fast, 7482);
    DownloadOptions resume;
    resume.part_size = 4u << 20;
    const auto r = download(*fsys, items, dest.string(), resume);
    BOOST_TEST(r.resumed == 1u);
    BOOST_TEST(r.bytes_transferred < data.size());
    BOOST_TEST(slurp(dest / "slow.bin") == data);
}

BOOST_AUTO_TEST_CASE(an_html_page_instead_of_the_object_is_an_error_not_a_file) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-html");
    s3.put(b, "html-trap/band.jp2", random_bytes(100000, 5));
    test::S3Proxy::Limits trap;
    trap.rate = "0";
    trap.requests = 1000;
    trap.burst = 1000;
    trap.html_trap = true;
    test::S3Proxy proxy(rgw.endpoint(), trap, 7483);
    auto fsys = make_s3_filesystem(options_for(proxy.endpoint(), rgw));
    const auto items = plan_download(*fsys, b + "/html-trap/band.jp2");  // the listing passes
    const fs::path dest = fresh_dir("html");
    DownloadOptions opt;
    opt.max_attempts = 2;
    try {
        download(*fsys, items, dest.string(), opt);
        BOOST_FAIL("an HTML page was accepted as the object");
    } catch (const NetworkError& e) {
        // Either the 200 answer to a ranged request or the length gives the page away.
        const std::string msg = e.what();
        BOOST_TEST((msg.find("ignored the Range header") != std::string::npos ||
                    msg.find("100000") != std::string::npos),
                   msg);
    }
    BOOST_TEST(!fs::exists(dest / "band.jp2"));
}

BOOST_AUTO_TEST_CASE(a_connection_cap_keeps_a_quota_proxy_from_refusing_anything) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-cap");
    for (int k = 0; k < 24; ++k) s3.put(b, "f/" + std::to_string(k) + ".bin", random_bytes(256 * 1024, 10 + k));
    test::S3Proxy::Limits quota;  // 4 connections, as CDSE allows
    quota.connections = 4;
    quota.rate = "0";
    quota.requests = 1000;
    quota.burst = 1000;
    test::S3Proxy proxy(rgw.endpoint(), quota, 7484);
    S3Options capped = options_for(proxy.endpoint(), rgw);
    capped.max_connections = 4;
    capped.max_attempts = 1;  // a refusal would surface at once
    auto fsys = make_s3_filesystem(capped);
    const fs::path dest = fresh_dir("cap");
    DownloadOptions opt;
    opt.jobs = 16;  // more workers than connections
    const auto r = download(*fsys, plan_download(*fsys, b + "/f"), dest.string(), opt);
    BOOST_TEST(r.downloaded == 24u);
    BOOST_TEST(proxy.count(429) == 0);
    BOOST_TEST(proxy.count(200) + proxy.count(206) >= 24);
}

BOOST_AUTO_TEST_CASE(a_failed_multipart_upload_leaves_no_parts_behind) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "up-abort");
    const fs::path src = fresh_dir("up-abort");
    write_file(src / "big.bin", random_bytes(30u << 20, 6));
    UploadOptions up;
    up.part_size = 5u << 20;
    up.jobs = 2;
    up.progress_interval = std::chrono::milliseconds(5);
    up.progress = [&](const TransferProgress& p) {
        if (p.bytes_done >= (10u << 20)) up.cancel.cancel();
    };
    try {
        upload_file(s3, (src / "big.bin").string(), b, "big.bin", up);
        BOOST_FAIL("the upload was not cancelled");
    } catch (const Error& e) {
        BOOST_TEST((e.code() == Errc::cancelled), e.what());
    }
    BOOST_TEST(s3.list_multipart_uploads(b).empty());
    BOOST_CHECK_THROW(s3.head(b, "big.bin"), NotFoundError);
    // The AWS CLI agrees: no upload in progress.
    const std::string listing = aws(rgw, "s3api list-multipart-uploads --bucket " + b);
    BOOST_TEST(listing.find("UploadId") == std::string::npos, listing);
    BOOST_CHECK_THROW(upload_file(s3, (src / "missing.bin").string(), b, "m.bin"), NotFoundError);
}

BOOST_AUTO_TEST_CASE(a_full_disk_is_a_clean_error) {
    CREODIAS_RGW(rgw);
    if (::geteuid() != 0) {
        BOOST_TEST_MESSAGE("SKIPPED: mounting a small tmpfs needs root");
        return;
    }
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "dl-full");
    s3.put(b, "p/a.bin", random_bytes(3u << 20, 7));
    s3.put(b, "p/b.bin", random_bytes(3u << 20, 8));
    const fs::path dest = fresh_dir("full");
    if (::mount("tmpfs", dest.c_str(), "tmpfs", 0, "size=4m") != 0) {
        BOOST_TEST_MESSAGE("SKIPPED: cannot mount a tmpfs here: " << std::strerror(errno));
        return;
    }
    struct Unmount {
        fs::path p;
        ~Unmount() { ::umount2(p.c_str(), MNT_DETACH); }
    } unmount{dest};
    auto fsys = make_s3_filesystem(options_for(rgw));
    DownloadOptions opt;
    opt.jobs = 1;
    download(*fsys, plan_download(*fsys, b + "/p", {"a.bin"}), dest.string(), opt);  // 3 of 4 MiB
    try {
        download(*fsys, plan_download(*fsys, b + "/p"), dest.string(), opt);
        BOOST_FAIL("4 MiB held 6 MiB");
    } catch (const StorageError& e) {
        BOOST_TEST(std::string(e.what()).find("disk is full") != std::string::npos, e.what());
    }
    // The first file stays, the second is not under its final name.
    BOOST_TEST(fs::file_size(dest / "p" / "a.bin") == 3u << 20);
    BOOST_TEST(!fs::exists(dest / "p" / "b.bin"));
}

BOOST_AUTO_TEST_CASE(a_real_creodias_safe_is_verified_against_its_manifest) {
    CREODIAS_RGW(rgw);
    CREODIAS_FIXTURE(safe, "products/creodias/eodata/Sentinel-2/MSI/L1C/2022/12/06/"
                           "S2A_MSIL1C_20221206T105431_N0509_R051_T31UFS_20221206T125331.SAFE");
    S3Client s3(options_for(rgw));
    const std::string b = bucket(s3, "eodata-manifest");
    const std::string key = "Sentinel-2/MSI/L1C/2022/12/06/" + safe.filename().string();
    aws(rgw, "s3 cp --recursive " + quote(safe.string()) + " s3://" + b + "/" + key);
    AccessOptions ao;
    ao.eodata_root = "";  // no mount: the S3 store
    ao.bucket = b;
    ao.s3.endpoint = rgw.endpoint();
    ao.s3.region = "us-east-1";
    ao.s3.credentials = S3Credentials{rgw.access_key(), rgw.secret_key(), ""};
    ProductAccess access(ao);
    Product p;
    p.name = safe.filename().string();
    p.path = "/eodata/" + key;
    const auto loc = access.locate(p);
    BOOST_TEST(!loc.mounted);
    BOOST_TEST(loc.uri() == "s3://" + b + "/" + key);
    const auto files = access.files(p);
    BOOST_REQUIRE(files.size() == 3u);
    // manifest.safe gives SHA3-256 for the two metadata files
    std::size_t with_sums = 0;
    for (const auto& f : files) with_sums += !f.checksums.empty();
    BOOST_TEST(with_sums == 2u);
    const fs::path dest = fresh_dir("manifest");
    const auto r = access.download(p, dest.string(), {"MTD_*.xml"});
    BOOST_REQUIRE(r.files.size() == 2u);
    for (const auto& f : r.files) BOOST_TEST(f.verified_by == "etag-md5,SHA3-256", f.dest);
    auto [st, diff] = test::shell("diff " + quote((safe / "MTD_MSIL1C.xml").string()) + " " +
                                  quote((dest / safe.filename() / "MTD_MSIL1C.xml").string()));
    BOOST_TEST(st == 0, diff);
    // The mount, when present, wins over S3.
    AccessOptions mounted = ao;
    mounted.eodata_root = (test::fixtures_dir() / "products/creodias/eodata").string();
    const auto local = ProductAccess(mounted).locate(p);
    BOOST_TEST(local.mounted);
    BOOST_TEST(ProductAccess(mounted).files(p).size() == 3u);
}

BOOST_AUTO_TEST_SUITE_END()
