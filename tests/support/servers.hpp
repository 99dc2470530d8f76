#pragma once
// Test support: real servers started by the tests (tests/servers/*.sh) and stopped by PID.
//
// The scripts' directory comes from $CREODIAS_TEST_SERVERS (set by CTest). When a server
// cannot be started, the test fails if $CI is set and is skipped with a message otherwise.

#include "support/fixtures.hpp"

#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <string>
#include <tuple>

namespace creodias::test {

inline std::filesystem::path servers_dir() {
    if (const char* env = std::getenv("CREODIAS_TEST_SERVERS"); env && *env) return env;
    return std::filesystem::path("tests") / "servers";
}

/// A single-node Ceph RGW (tests/servers/rgw.sh) for the whole test module: started on first
/// use, stopped when the module ends.
class Rgw {
public:
    static Rgw& instance() {
        static Rgw rgw;
        return rgw;
    }
    bool available() const { return !dir_.empty(); }
    const std::string& endpoint() const { return env_.at("RGW_ENDPOINT"); }
    const std::string& access_key() const { return env_.at("RGW_ACCESS_KEY"); }
    const std::string& secret_key() const { return env_.at("RGW_SECRET_KEY"); }
    const std::string& failure() const { return failure_; }
    ~Rgw() {
        if (!dir_.empty()) shell("bash '" + (servers_dir() / "rgw.sh").string() + "' stop '" + dir_ + "' 2>&1");
    }

private:
    Rgw() {
        auto [status, out] = shell("bash '" + (servers_dir() / "rgw.sh").string() + "' start 2>&1");
        if (status != 0) {
            failure_ = out;
            return;
        }
        while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
        dir_ = out.substr(out.find_last_of('\n') + 1);
        std::ifstream env(std::filesystem::path(dir_) / "env");
        std::string line;
        while (std::getline(env, line))
            if (auto eq = line.find('='); eq != std::string::npos) env_[line.substr(0, eq)] = line.substr(eq + 1);
    }
    std::string dir_, failure_;
    std::map<std::string, std::string> env_;
};

/// The nginx quota/fault proxy (tests/servers/s3proxy.sh) in front of the test RGW, for one
/// test: started by the constructor with the given limits, stopped by the destructor.
class S3Proxy {
public:
    struct Limits {
        int connections = 4;
        std::string rate = "20m";  // bytes/s per connection (nginx syntax)
        int requests = 20;         // per second
        int burst = 5;
        bool html_trap = false;  // keys containing /html-trap/ get a 200 HTML page
    };
    S3Proxy(const std::string& upstream_endpoint, const Limits& limits, int port = 7481) {
        const std::string upstream_port = upstream_endpoint.substr(upstream_endpoint.rfind(':') + 1);
        const std::string cmd = "PROXY_CONNECTIONS=" + std::to_string(limits.connections) +
                                " PROXY_RATE=" + limits.rate + " PROXY_REQUESTS=" + std::to_string(limits.requests) +
                                " PROXY_BURST=" + std::to_string(limits.burst) +
                                (limits.html_trap ? " PROXY_HTML_TRAP=1" : "") + " bash '" +
                                (servers_dir() / "s3proxy.sh").string() + "' start " + upstream_port + " " +
                                std::to_string(port) + " 2>&1";
        auto [status, out] = shell(cmd);
        BOOST_REQUIRE_MESSAGE(status == 0, "cannot start the nginx proxy: " << out);
        while (!out.empty() && out.back() == '\n') out.pop_back();
        dir_ = out.substr(out.find_last_of('\n') + 1);
        endpoint_ = "http://127.0.0.1:" + std::to_string(port);
    }
    ~S3Proxy() { shell("bash '" + (servers_dir() / "s3proxy.sh").string() + "' stop '" + dir_ + "' 2>&1"); }
    S3Proxy(const S3Proxy&) = delete;
    S3Proxy& operator=(const S3Proxy&) = delete;
    const std::string& endpoint() const { return endpoint_; }
    /// Kills nginx at once (SIGKILL): transfers in progress break off mid-body.
    void kill() { shell("bash '" + (servers_dir() / "s3proxy.sh").string() + "' kill '" + dir_ + "' 2>&1"); }
    /// How many requests the proxy answered with `status` so far.
    int count(int status) const {
        std::ifstream log(std::filesystem::path(dir_) / "access.log");
        std::string line;
        int n = 0;
        const std::string prefix = std::to_string(status) + " ";
        while (std::getline(log, line)) n += line.rfind(prefix, 0) == 0;
        return n;
    }

private:
    std::string dir_, endpoint_;
};

/// The static file server (tests/servers/http.sh) for one test: serves `dir`/www on
/// 127.0.0.1 (anything under /private/ needs "Authorization: Bearer `token`"; /norange/
/// ignores Range headers), started by the constructor, stopped by PID in the destructor.
/// A taken port is skipped for the next one (at most 20 tries).
class HttpServer {
public:
    /// `tls`: HTTPS with HTTP/2 and a self-signed certificate (ca_file()).
    HttpServer(const std::filesystem::path& dir, const std::string& token, int port = 7490, bool tls = false)
        : dir_(dir) {
        std::string out;
        for (int tries = 0; tries < 20; ++tries, ++port) {
            int status = 0;
            std::tie(status, out) = shell(std::string(tls ? "HTTP_TLS=1 " : "") + "HTTP_BEARER_TOKEN='" + token + "' bash '" +
                                          (servers_dir() / "http.sh").string() + "' start '" + dir.string() + "' " +
                                          std::to_string(port) + " 2>&1");
            if (status == 0) {
                while (!out.empty() && out.back() == '\n') out.pop_back();
                base_url_ = out.substr(out.find_last_of('\n') + 1);
                return;
            }
            if (out.find("is taken") == std::string::npos) break;
        }
        BOOST_FAIL("cannot start the nginx file server: " << out);
    }
    ~HttpServer() {
        if (!base_url_.empty())
            shell("bash '" + (servers_dir() / "http.sh").string() + "' stop '" + dir_.string() + "' 2>&1");
    }
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;
    /// "http://127.0.0.1:PORT", no trailing slash.
    const std::string& base_url() const { return base_url_; }
    /// The access log so far: one line per request, "<status> <method> <uri> \"<Range>\" <protocol>".
    std::string access_log() const { return slurp(dir_ / "nginx" / "access.log"); }
    /// The server's self-signed certificate (TLS servers).
    std::string ca_file() const { return (dir_ / "nginx" / "cert.pem").string(); }

private:
    std::filesystem::path dir_;
    std::string base_url_;
};

/// The AWS CLI against the test RGW, as an independent client; returns stdout and fails the
/// test on a non-zero exit. (`s3` transfer commands get --only-show-errors, which `s3api`
/// does not take.)
inline std::string aws_cli(const Rgw& rgw, const std::string& args) {
    const bool transfer = args.rfind("s3 ", 0) == 0;
    const std::string cmd = "AWS_ACCESS_KEY_ID='" + rgw.access_key() + "' AWS_SECRET_ACCESS_KEY='" +
                            rgw.secret_key() + "' AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null " +
                            "aws --endpoint-url " + rgw.endpoint() + " " + args +
                            (transfer ? " --only-show-errors" : "") + " 2>/dev/null";
    auto [status, out] = shell(cmd);
    BOOST_REQUIRE_MESSAGE(status == 0, "aws " << args << ": " << out);
    return out;
}

/// Skips the current test (returns) when RGW cannot run here, outside CI.
#define CREODIAS_RGW(var)                                                                         \
    auto& var = ::creodias::test::Rgw::instance();                                                \
    if (!var.available()) {                                                                       \
        if (::creodias::test::in_ci()) BOOST_FAIL("cannot start Ceph RGW: " << var.failure());    \
        BOOST_TEST_MESSAGE("SKIPPED: cannot start Ceph RGW: " << var.failure());                  \
        return;                                                                                   \
    }

}  // namespace creodias::test
