#pragma once
// Test support: where the shared, real-data fixtures live, and scratch directories.
//
// Fixtures are read in place from $CREODIAS_FIXTURES (default ../shared/fixtures, set by
// CTest). When a fixture is missing the test fails if $CI is set, and is skipped with a
// message otherwise.

#include <boost/test/unit_test.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <utility>

namespace creodias::test {

inline std::filesystem::path fixtures_dir() {
    if (const char* env = std::getenv("CREODIAS_FIXTURES"); env && *env) return env;
    return std::filesystem::path("..") / "shared" / "fixtures";
}

inline bool in_ci() {
    const char* ci = std::getenv("CI");
    return ci && *ci && std::string(ci) != "0" && std::string(ci) != "false";
}

/// Full path of a fixture, or empty when it is missing (after failing in CI / logging a skip).
inline std::filesystem::path fixture(const std::string& rel) {
    auto p = fixtures_dir() / rel;
    if (std::filesystem::exists(p)) return p;
    if (in_ci()) {
        BOOST_FAIL("missing fixture " << p.string() << " (CI is set: fixtures are required)");
    }
    BOOST_TEST_MESSAGE("SKIPPED: missing fixture " << p.string());
    return {};
}

/// Skips the current test (returns) when the fixture is absent outside CI.
#define CREODIAS_FIXTURE(var, rel)                        \
    auto var = ::creodias::test::fixture(rel);            \
    if (var.empty()) return

/// Standard output of a shell command, and its exit status (as pclose returns it).
inline std::pair<int, std::string> shell(const std::string& command) {
    std::string out;
    FILE* pipe = popen(command.c_str(), "r");
    if (!pipe) return {-1, out};
    char buf[4096];
    std::size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, pipe)) > 0) out.append(buf, n);
    return {pclose(pipe), out};
}

/// `n` pseudo-random bytes, the same for the same seed.
inline std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 rng(seed);
    std::string s(n, '\0');
    for (auto& c : s) c = static_cast<char>(rng() & 0xff);
    return s;
}

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/// A fresh scratch directory, removed at scope exit.
class TempDir {
public:
    TempDir() {
        static std::atomic<int> counter{0};
        std::filesystem::path base;
        if (const char* env = std::getenv("CREODIAS_TEST_TMP"); env && *env) base = env;
        else base = std::filesystem::temp_directory_path();
        std::random_device rd;
        path_ = base / ("creodias-test-" + std::to_string(rd()) + "-" + std::to_string(counter++));
        std::filesystem::create_directories(path_);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& rel) const { return path_ / rel; }

private:
    std::filesystem::path path_;
};

}  // namespace creodias::test
