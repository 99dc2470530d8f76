// Where S3 options come from: explicit settings, then the AWS environment variables, then the
// shared credentials and config files, as the AWS CLI orders them.

#include <boost/test/unit_test.hpp>

#include <creodias/error.hpp>
#include <creodias/s3.hpp>

#include "access/s3_config.hpp"
#include "support/fixtures.hpp"

#include <fstream>
#include <map>

using namespace creodias;

namespace {

struct Env {
    std::map<std::string, std::string> vars;
    detail::EnvLookup lookup() const {
        return [this](const std::string& n) -> std::optional<std::string> {
            auto it = vars.find(n);
            if (it == vars.end()) return std::nullopt;
            return it->second;
        };
    }
};

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; }

}  // namespace

BOOST_AUTO_TEST_SUITE(s3_config)

BOOST_AUTO_TEST_CASE(defaults_are_the_creodias_store_anonymous) {
    Env env;  // nothing set, no HOME: no files
    const auto o = detail::resolve_s3_options({}, env.lookup());
    BOOST_CHECK_EQUAL(o.endpoint, kCreodiasEodataEndpoint);
    BOOST_CHECK_EQUAL(o.region, "default");
    BOOST_CHECK(o.credentials.anonymous());
    BOOST_CHECK(o.path_style);
    S3Settings cdse;
    cdse.endpoint = "CDSE";
    BOOST_CHECK_EQUAL(detail::resolve_s3_options(cdse, env.lookup()).endpoint, kCdseEodataEndpoint);
}

BOOST_AUTO_TEST_CASE(precedence_explicit_environment_files) {
    test::TempDir dir;
    write(dir / "credentials",
          "# comment\n[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n\n"
          "[work]\naws_access_key_id=WORKKEY\r\naws_secret_access_key=worksecret\naws_session_token = tok\n");
    write(dir / "config",
          "[default]\nregion = eu-central-1\nendpoint_url = http://127.0.0.1:7480\n"
          "[profile work]\nregion = WAW3-1\ns3 =\n  endpoint_url = https://s3.waw3-1.example\n"
          "  addressing_style = virtual\n");
    Env env;
    env.vars = {{"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
                {"AWS_CONFIG_FILE", (dir / "config").string()}};
    // Files only: the default profile.
    auto o = detail::resolve_s3_options({}, env.lookup());
    BOOST_CHECK_EQUAL(o.credentials.access_key_id, "FILEKEY");
    BOOST_CHECK_EQUAL(o.credentials.secret_access_key, "filesecret");
    BOOST_CHECK_EQUAL(o.region, "eu-central-1");
    BOOST_CHECK_EQUAL(o.endpoint, "http://127.0.0.1:7480");
    BOOST_CHECK(o.path_style);
    // AWS_PROFILE picks another profile, its nested s3 block included.
    env.vars["AWS_PROFILE"] = "work";
    o = detail::resolve_s3_options({}, env.lookup());
    BOOST_CHECK_EQUAL(o.credentials.access_key_id, "WORKKEY");
    BOOST_CHECK_EQUAL(o.credentials.session_token, "tok");
    BOOST_CHECK_EQUAL(o.region, "WAW3-1");
    BOOST_CHECK_EQUAL(o.endpoint, "https://s3.waw3-1.example");
    BOOST_CHECK(!o.path_style);
    // The environment beats the files.
    env.vars["AWS_ACCESS_KEY_ID"] = "ENVKEY";
    env.vars["AWS_SECRET_ACCESS_KEY"] = "envsecret";
    env.vars["AWS_ENDPOINT_URL"] = "http://generic";
    env.vars["AWS_ENDPOINT_URL_S3"] = "http://s3-specific";
    env.vars["AWS_DEFAULT_REGION"] = "r1";
    env.vars["AWS_REGION"] = "r2";
    o = detail::resolve_s3_options({}, env.lookup());
    BOOST_CHECK_EQUAL(o.credentials.access_key_id, "ENVKEY");
    BOOST_CHECK_EQUAL(o.credentials.session_token, "");
    BOOST_CHECK_EQUAL(o.endpoint, "http://s3-specific");
    BOOST_CHECK_EQUAL(o.region, "r2");
    // Explicit settings beat everything.
    S3Settings given;
    given.endpoint = "creodias";
    given.region = "default";
    given.credentials = S3Credentials{"GIVEN", "givensecret", ""};
    given.path_style = true;
    o = detail::resolve_s3_options(given, env.lookup());
    BOOST_CHECK_EQUAL(o.endpoint, kCreodiasEodataEndpoint);
    BOOST_CHECK_EQUAL(o.region, "default");
    BOOST_CHECK_EQUAL(o.credentials.access_key_id, "GIVEN");
    BOOST_CHECK(o.path_style);
}

BOOST_AUTO_TEST_CASE(incomplete_or_missing_sources_are_clear_errors_without_secrets) {
    test::TempDir dir;
    write(dir / "credentials", "[half]\naws_access_key_id = HALFKEY\n[default]\naws_secret_access_key = lonely-secret\n");
    Env env;
    env.vars = {{"AWS_SHARED_CREDENTIALS_FILE", (dir / "credentials").string()},
                {"AWS_CONFIG_FILE", (dir / "none").string()}};
    S3Settings missing;
    missing.profile = "nope";
    try {
        detail::resolve_s3_options(missing, env.lookup());
        BOOST_ERROR("an unknown profile was accepted");
    } catch (const InvalidArgument& e) {
        BOOST_CHECK(std::string(e.what()).find("'nope'") != std::string::npos);
    }
    S3Settings half;
    half.profile = "half";
    BOOST_CHECK_THROW(detail::resolve_s3_options(half, env.lookup()), InvalidArgument);
    // A secret without a key id is no credential: anonymous, and the secret is not echoed.
    BOOST_CHECK(detail::resolve_s3_options({}, env.lookup()).credentials.anonymous());
    env.vars["AWS_ACCESS_KEY_ID"] = "ONLYID";
    try {
        detail::resolve_s3_options({}, env.lookup());
        BOOST_ERROR("a key id without a secret was accepted");
    } catch (const InvalidArgument& e) {
        BOOST_CHECK(std::string(e.what()).find("ONLYID") != std::string::npos);
        BOOST_CHECK(std::string(e.what()).find("lonely-secret") == std::string::npos);
    }
}

BOOST_AUTO_TEST_CASE(ini_parsing) {
    const auto ini = detail::parse_aws_ini(
        "[a]\nKey = v1\n; c\n#c\nnested =\n  inner = x\nafter = y\n[b]\nno-equals line\nk=\n");
    BOOST_CHECK_EQUAL(ini.at("a").at("key"), "v1");
    BOOST_CHECK_EQUAL(ini.at("a").at("nested.inner"), "x");
    BOOST_CHECK_EQUAL(ini.at("a").at("after"), "y");
    BOOST_CHECK_EQUAL(ini.at("b").count("no-equals line"), 0u);
    BOOST_CHECK_EQUAL(ini.at("b").at("k"), "");
}

BOOST_AUTO_TEST_SUITE_END()
