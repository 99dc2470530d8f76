// S3Client against a real Ceph RGW (tests/servers/rgw.sh), with the AWS CLI as the
// independent client: what one writes, the other reads.

#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>
#include <creodias/s3.hpp>

#include "support/fixtures.hpp"
#include "support/servers.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <atomic>
#include <thread>
#include <fstream>
#include <random>
#include <set>
#include <string>

using namespace creodias;

namespace {

S3Options options_for(const test::Rgw& rgw) {
    S3Options o;
    o.endpoint = rgw.endpoint();
    o.region = "us-east-1";
    o.credentials = {rgw.access_key(), rgw.secret_key(), ""};
    o.max_attempts = 2;
    return o;
}

std::string aws(const test::Rgw& rgw, const std::string& args) { return test::aws_cli(rgw, args); }

using test::random_bytes;

std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_client)

BOOST_AUTO_TEST_CASE(objects_round_trip_with_awkward_keys) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    s3.create_bucket("roundtrip");
    const std::vector<std::string> keys = {"plain/a.bin", "with space/b c.txt", "plus+sign/x+y=z.txt",
                                           "non-ascii/Zürich_Ωmega.txt", "tilde~/semi;colon,comma.txt"};
    for (std::size_t k = 0; k < keys.size(); ++k) {
        const std::string data = random_bytes(10000 + k * 777, static_cast<unsigned>(k));
        const std::string etag = s3.put("roundtrip", keys[k], data);
        BOOST_TEST_CONTEXT("key " << keys[k]) {
            BOOST_CHECK_EQUAL(s3.get("roundtrip", keys[k]), data);
            // The AWS CLI sees the same object: size and ETag.
            auto head = nlohmann::json::parse(
                aws(rgw, "s3api head-object --bucket roundtrip --key " + shell_quote(keys[k])));
            BOOST_CHECK_EQUAL(head["ContentLength"].get<std::uint64_t>(), data.size());
            BOOST_CHECK_EQUAL(head["ETag"].get<std::string>(), "\"" + etag + "\"");
            const auto info = s3.head("roundtrip", keys[k]);
            BOOST_CHECK_EQUAL(info.size, data.size());
            BOOST_CHECK_EQUAL(info.etag, etag);
            BOOST_CHECK(info.last_modified.has_value());
            // Ranges: inside, to the end, a single byte.
            BOOST_CHECK_EQUAL(s3.get("roundtrip", keys[k], ByteRange{1000, 1999}), data.substr(1000, 1000));
            BOOST_CHECK_EQUAL(s3.get("roundtrip", keys[k], ByteRange{9000, std::nullopt}), data.substr(9000));
            BOOST_CHECK_EQUAL(s3.get("roundtrip", keys[k], ByteRange{5, 5}), data.substr(5, 1));
            BOOST_CHECK_THROW(s3.get("roundtrip", keys[k], ByteRange{data.size() + 10, std::nullopt}),
                              InvalidArgument);
        }
    }
    // What the AWS CLI uploads, we read.
    test::TempDir dir;
    const std::string theirs = random_bytes(123456, 99);
    {
        std::ofstream(dir / "theirs.bin", std::ios::binary) << theirs;
    }
    aws(rgw, "s3 cp " + shell_quote((dir / "theirs.bin").string()) + " 's3://roundtrip/from aws/t+1 é.bin'");
    BOOST_CHECK_EQUAL(s3.get("roundtrip", "from aws/t+1 é.bin"), theirs);
    // Streaming to a sink gives the same bytes; a sink that throws stops the transfer.
    std::string streamed;
    s3.get("roundtrip", "from aws/t+1 é.bin", std::nullopt,
           [&](const char* p, std::size_t n) { streamed.append(p, n); });
    BOOST_CHECK_EQUAL(streamed, theirs);
    BOOST_CHECK_THROW(s3.get("roundtrip", "from aws/t+1 é.bin", std::nullopt,
                             [](const char*, std::size_t) { throw std::runtime_error("disk full"); }),
                      std::runtime_error);
    s3.remove("roundtrip", "plain/a.bin");
    BOOST_CHECK_THROW(s3.head("roundtrip", "plain/a.bin"), NotFoundError);
}

BOOST_AUTO_TEST_CASE(listings_follow_pages_and_delimiters) {
    CREODIAS_RGW(rgw);
    S3Client s3(options_for(rgw));
    s3.create_bucket("listing");
    // 1,100 keys: more than one page of 1,000.
    std::set<std::string> want;
    for (int i = 0; i < 1100; ++i) {
        const std::string key = "many/" + std::string(i % 2 ? "odd dir/" : "even+dir/") + "k" + std::to_string(i);
        s3.put("listing", key, std::to_string(i));
        want.insert(key);
    }
    s3.put("listing", "other/x", "x");
    const auto all = s3.list_all("listing", "many/");
    std::set<std::string> got;
    for (const auto& o : all) got.insert(o.key);
    BOOST_CHECK_EQUAL(all.size(), 1100u);
    BOOST_CHECK(got == want);
    const auto first = s3.list("listing", "many/");
    BOOST_CHECK_EQUAL(first.objects.size(), 1000u);
    BOOST_CHECK(!first.next_token.empty());
    const auto second = s3.list("listing", "many/", "", first.next_token);
    BOOST_CHECK_EQUAL(second.objects.size(), 100u);
    BOOST_CHECK(second.next_token.empty());
    // The AWS CLI counts the same objects.
    auto listed = nlohmann::json::parse(aws(rgw, "s3api list-objects-v2 --bucket listing --prefix many/"));
    BOOST_CHECK_EQUAL(listed["Contents"].size(), 1100u);
    // Delimiter: the two "directories".
    const auto dirs = s3.list("listing", "many/", "/");
    BOOST_CHECK(dirs.objects.empty());
    BOOST_CHECK((std::set<std::string>(dirs.common_prefixes.begin(), dirs.common_prefixes.end()) ==
                 std::set<std::string>{"many/even+dir/", "many/odd dir/"}));
    // Sizes come through.
    const auto one = s3.list("listing", "other/");
    BOOST_REQUIRE_EQUAL(one.objects.size(), 1u);
    BOOST_CHECK_EQUAL(one.objects[0].size, 1u);
}

BOOST_AUTO_TEST_CASE(bad_credentials_and_missing_objects_are_typed_errors) {
    CREODIAS_RGW(rgw);
    S3Client good(options_for(rgw));
    good.create_bucket("errors");
    good.put("errors", "k", "v");

    auto wrong = options_for(rgw);
    wrong.credentials.secret_access_key = "not-the-secret-0123456789";
    S3Client bad(wrong);
    try {
        bad.get("errors", "k");
        BOOST_ERROR("a wrong secret was accepted");
    } catch (const AuthError& e) {
        const std::string what = e.what();
        BOOST_CHECK(e.code() == Errc::unauthenticated);
        BOOST_CHECK(what.find(rgw.access_key()) != std::string::npos);   // names the key id
        BOOST_CHECK(what.find(rgw.endpoint()) != std::string::npos);     // and the endpoint
        BOOST_CHECK(what.find("not-the-secret") == std::string::npos);   // never the secret
        BOOST_CHECK(what.find(rgw.secret_key()) == std::string::npos);
    }
    auto unknown = options_for(rgw);
    unknown.credentials.access_key_id = "NOSUCHKEY00000000000";
    BOOST_CHECK_THROW(S3Client(unknown).head("errors", "k"), AuthError);

    auto anon = options_for(rgw);
    anon.credentials = {};
    try {
        S3Client(anon).get("errors", "k");
        BOOST_ERROR("anonymous read of a private object");
    } catch (const AuthError& e) {
        BOOST_CHECK(e.code() == Errc::permission_denied);
        BOOST_CHECK(std::string(e.what()).find("anonymous") != std::string::npos);
    }

    BOOST_CHECK_THROW(good.get("errors", "no/such/key"), NotFoundError);
    BOOST_CHECK_THROW(good.head("errors", "no/such/key"), NotFoundError);
    BOOST_CHECK_THROW(good.list("no-such-bucket", ""), NotFoundError);
}

BOOST_AUTO_TEST_CASE(throttling_is_retried_and_never_surfaces) {
    CREODIAS_RGW(rgw);
    S3Client direct(options_for(rgw));
    direct.create_bucket("throttled");
    const std::string data = random_bytes(1 << 20, 7);
    direct.put("throttled", "obj", data);

    // 10 requests/s with a burst of 2, at most 2 connections: bursts get 503 SlowDown and
    // extra connections 429, as S3 XML error documents.
    test::S3Proxy proxy(rgw.endpoint(), {2, "50m", 10, 2});
    auto via = options_for(rgw);
    via.endpoint = proxy.endpoint();
    via.max_attempts = 8;
    via.retry_base = std::chrono::milliseconds(50);
    via.retry_cap = std::chrono::milliseconds(2000);
    S3Client s3(via);
    for (int i = 0; i < 30; ++i) BOOST_CHECK_EQUAL(s3.head("throttled", "obj").size, data.size());
    const int slowdowns = proxy.count(503);
    BOOST_TEST_MESSAGE(slowdowns << " SlowDown answers retried");
    BOOST_CHECK_GT(slowdowns, 0);  // the proxy did throttle: the retries were exercised

    // Six threads on two allowed connections of 2 MB/s (a GET lasts about 0.5 s): the extra
    // connections get 429, all retried, every byte intact.
    {
        test::S3Proxy narrow(rgw.endpoint(), {2, "2m", 1000, 1000}, 7482);
        auto o = via;
        o.endpoint = narrow.endpoint();
        S3Client s3n(o);
        std::vector<std::thread> threads;
        std::atomic<int> ok{0}, failed{0};
        for (int t = 0; t < 6; ++t)
            threads.emplace_back([&] {
                for (int k = 0; k < 2; ++k) {
                    try {
                        if (s3n.get("throttled", "obj") == data) ++ok;
                        else ++failed;
                    } catch (const std::exception&) {
                        ++failed;
                    }
                }
            });
        for (auto& th : threads) th.join();
        BOOST_CHECK_EQUAL(ok.load(), 12);
        BOOST_CHECK_EQUAL(failed.load(), 0);
        BOOST_TEST_MESSAGE(narrow.count(429) << " TooManyRequests answers retried");
        BOOST_CHECK_GT(narrow.count(429), 0);
    }

    // Without retries the throttling is a NetworkError flagged retryable, with the S3 error
    // code from the body (GET: HEAD answers have none).
    via.max_attempts = 1;
    S3Client impatient(via);
    bool saw = false;
    for (int i = 0; i < 60 && !saw; ++i) {
        try {
            impatient.get("throttled", "obj", ByteRange{0, 0});
        } catch (const NetworkError& e) {
            saw = true;
            BOOST_CHECK(e.http_status() == 503 || e.http_status() == 429);
            BOOST_CHECK(e.retryable());
            BOOST_CHECK(std::string(e.what()).find("SlowDown") != std::string::npos ||
                        std::string(e.what()).find("TooManyRequests") != std::string::npos);
        }
    }
    BOOST_CHECK(saw);
}

BOOST_AUTO_TEST_CASE(unreachable_endpoints_fail_after_bounded_retries) {
    // Nothing listens on this port: connection refused, retried, then a NetworkError.
    S3Options o;
    o.endpoint = "http://127.0.0.1:9";
    o.max_attempts = 3;
    o.retry_base = std::chrono::milliseconds(10);
    S3Client s3(o);
    const auto t0 = std::chrono::steady_clock::now();
    BOOST_CHECK_THROW(s3.head("b", "k"), NetworkError);
    BOOST_CHECK_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(), 5.0);
    S3Options bad;
    bad.endpoint = "ftp://example";
    BOOST_CHECK_THROW(S3Client{bad}, InvalidArgument);
    bad.endpoint = "no-scheme";
    BOOST_CHECK_THROW(S3Client{bad}, InvalidArgument);
}

BOOST_AUTO_TEST_CASE(keys_are_percent_encoded) {
    BOOST_CHECK_EQUAL(s3_encode_key("a/b c+d"), "a/b%20c%2Bd");
    BOOST_CHECK_EQUAL(s3_encode_key("Zürich"), "Z%C3%BCrich");
    BOOST_CHECK_EQUAL(s3_encode_key("~_.-"), "~_.-");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(s3_addressing)

// Virtual-hosted addressing (http://BUCKET.localhost:PORT/KEY; the test RGW has
// rgw_dns_name = localhost): what one style writes, the other reads.
BOOST_AUTO_TEST_CASE(virtual_hosted_and_path_style_see_the_same_objects) {
    CREODIAS_RGW(rgw);
    S3Options path = options_for(rgw);
    S3Client by_path(path);
    try {
        by_path.create_bucket("vhost-bucket");
    } catch (const Error&) {
    }
    S3Options vh = path;
    vh.endpoint = "http://localhost:" + rgw.endpoint().substr(rgw.endpoint().rfind(':') + 1);
    vh.path_style = false;
    S3Client virt(vh);
    const std::string data = random_bytes(100000, 77);
    const std::string key = "dir/a b+c/é.bin";
    virt.put("vhost-bucket", key, data);
    BOOST_TEST(by_path.get("vhost-bucket", key) == data);
    BOOST_TEST(virt.get("vhost-bucket", key, ByteRange{10, 19}) == data.substr(10, 10));
    BOOST_TEST(virt.head("vhost-bucket", key).size == data.size());
    const auto listed = virt.list_all("vhost-bucket", "dir/");
    BOOST_REQUIRE(listed.size() == 1u);
    BOOST_TEST(listed[0].key == key);
    // A wrong secret is refused in this style too.
    S3Options bad = vh;
    bad.credentials.secret_access_key = "not-it";
    BOOST_CHECK_THROW(S3Client(bad).get("vhost-bucket", key), AuthError);
}

BOOST_AUTO_TEST_SUITE_END()
