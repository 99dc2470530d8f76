// `creodias ls URI` and `creodias cat URI`: object-store and local listings and reads.

#include <creodias/error.hpp>
#include <creodias/s3.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;

namespace creodias::cli {

namespace {

struct S3Uri {
    std::string bucket, key;
};

std::optional<S3Uri> parse_s3_uri(const std::string& uri) {
    if (uri.rfind("s3://", 0) != 0) return std::nullopt;
    const std::string rest = uri.substr(5);
    const auto slash = rest.find('/');
    S3Uri u{rest.substr(0, slash), slash == std::string::npos ? std::string() : rest.substr(slash + 1)};
    if (u.bucket.empty()) throw InvalidArgument("cli", fmt::format("'{}' has no bucket (s3://BUCKET/KEY)", uri));
    return u;
}

std::vector<OptionSpec> s3_options(std::vector<OptionSpec> specs) {
    specs.push_back({"endpoint", true,
                     "S3 endpoint URL, or creodias / cdse (default: $AWS_ENDPOINT_URL_S3, $AWS_ENDPOINT_URL, "
                     "the profile, else creodias)",
                     "URL"});
    specs.push_back({"region", true, "signing region (default: $AWS_REGION, the profile, else 'default')", "NAME"});
    specs.push_back({"profile", true, "AWS shared-file profile (default: $AWS_PROFILE, else 'default')", "NAME"});
    specs.push_back({"no-sign-request", false, "anonymous requests", ""});
    specs.push_back({"help", false, "show this help", ""});
    return specs;
}

S3Client client_for(const Args& a) {
    S3Settings s;
    s.endpoint = a.get("endpoint");
    s.region = a.get("region");
    s.profile = a.get("profile");
    if (a.flag("no-sign-request")) s.credentials = S3Credentials{};
    return S3Client(resolve_s3_options(s));
}

std::string one_uri(const Args& a, const char* command) {
    if (a.positional().size() != 1)
        throw InvalidArgument("cli", fmt::format("{} takes exactly one URI (s3://BUCKET/KEY or a path)", command));
    return a.positional()[0];
}

std::string iso(const std::optional<Timestamp>& t) { return t ? format_datetime(*t) : std::string(); }

}  // namespace

int cmd_ls(const std::vector<std::string>& argv) {
    const auto specs = s3_options({{"recursive", false, "every object under the prefix, not one level", ""},
                                   {"json", false, "JSON even on a terminal", ""}});
    Args a(argv, specs);
    maybe_help(a, "usage: creodias ls s3://BUCKET/[PREFIX] | PATH [options]\n", specs);
    const std::string uri = one_uri(a, "ls");
    const bool table = stdout_is_tty() && !a.flag("json");
    nlohmann::json out = nlohmann::json::array();
    std::vector<std::vector<std::string>> rows;
    if (auto s3uri = parse_s3_uri(uri)) {
        S3Client s3 = client_for(a);
        std::string token;
        do {
            ListPage page = s3.list(s3uri->bucket, s3uri->key, a.flag("recursive") ? "" : "/", token);
            for (const auto& p : page.common_prefixes) {
                out.push_back({{"prefix", p}});
                rows.push_back({"", "", "PRE " + p});
            }
            for (const auto& o : page.objects) {
                out.push_back({{"key", o.key}, {"size", o.size}, {"etag", o.etag}, {"last_modified", iso(o.last_modified)}});
                rows.push_back({std::to_string(o.size), iso(o.last_modified), o.key});
            }
            token = page.next_token;
        } while (!token.empty());
    } else {
        std::error_code ec;
        const fs::path root(uri);
        if (!fs::exists(root, ec)) throw NotFoundError("cli", fmt::format("{}: no such file or directory", uri));
        auto add = [&](const fs::directory_entry& e) {
            const bool dir = e.is_directory(ec);
            const std::string name = e.path().string();
            if (dir) {
                out.push_back({{"prefix", name + "/"}});
                rows.push_back({"", "", "DIR " + name + "/"});
            } else {
                const auto size = e.file_size(ec);
                out.push_back({{"key", name}, {"size", size}});
                rows.push_back({std::to_string(size), "", name});
            }
        };
        if (!fs::is_directory(root, ec)) {
            add(fs::directory_entry(root));
        } else if (a.flag("recursive")) {
            for (const auto& e : fs::recursive_directory_iterator(root, ec)) add(e);
        } else {
            for (const auto& e : fs::directory_iterator(root, ec)) add(e);
        }
        if (ec) throw Error(Errc::io, "cli", fmt::format("{}: {}", uri, ec.message()));
    }
    if (table) {
        for (const auto& r : rows) fmt::print("{:>12}  {:<27}  {}\n", r[0], r[1], r[2]);
    } else {
        fmt::print("{}\n", out.dump(2));
    }
    return 0;
}

int cmd_cat(const std::vector<std::string>& argv) {
    const auto specs = s3_options({{"range", true, "bytes FIRST-LAST (inclusive; LAST may be left out)", "A-B"}});
    Args a(argv, specs);
    maybe_help(a, "usage: creodias cat s3://BUCKET/KEY | PATH [--range A-B] [options]\n", specs);
    const std::string uri = one_uri(a, "cat");
    std::optional<ByteRange> range;
    if (auto r = a.get("range")) {
        const auto dash = r->find('-');
        auto first = dash == std::string::npos ? std::nullopt : std::optional<std::string>(r->substr(0, dash));
        auto last = dash == std::string::npos ? std::string() : r->substr(dash + 1);
        char* end = nullptr;
        if (!first || first->empty()) throw InvalidArgument("cli", fmt::format("--range '{}' is not FIRST-LAST", *r));
        range = ByteRange{std::strtoull(first->c_str(), &end, 10), std::nullopt};
        if (*end) throw InvalidArgument("cli", fmt::format("--range '{}' is not FIRST-LAST", *r));
        if (!last.empty()) {
            range->last = std::strtoull(last.c_str(), &end, 10);
            if (*end || *range->last < range->first)
                throw InvalidArgument("cli", fmt::format("--range '{}' is not FIRST-LAST", *r));
        }
    }
    auto write = [](const char* p, std::size_t n) {
        if (std::fwrite(p, 1, n, stdout) != n) throw Error(Errc::io, "cli", "cannot write to standard output");
    };
    if (auto s3uri = parse_s3_uri(uri)) {
        if (s3uri->key.empty()) throw InvalidArgument("cli", fmt::format("'{}' names no object", uri));
        client_for(a).get(s3uri->bucket, s3uri->key, range, write);
    } else {
        std::ifstream in(uri, std::ios::binary);
        if (!in) throw NotFoundError("cli", fmt::format("{}: cannot open", uri));
        std::error_code ec;
        const auto size = fs::file_size(uri, ec);
        if (range && !ec && range->first >= size && size > 0)
            throw InvalidArgument("cli", fmt::format("{}: the range starts after the end ({} bytes)", uri, size));
        std::uint64_t pos = range ? range->first : 0;
        in.seekg(static_cast<std::streamoff>(pos));
        char buf[1 << 16];
        while (in && (!range || !range->last || pos <= *range->last)) {
            std::size_t want = sizeof buf;
            if (range && range->last) want = static_cast<std::size_t>(std::min<std::uint64_t>(want, *range->last - pos + 1));
            in.read(buf, static_cast<std::streamsize>(want));
            const auto got = static_cast<std::size_t>(in.gcount());
            if (!got) break;
            write(buf, got);
            pos += got;
        }
    }
    std::fflush(stdout);
    return 0;
}

}  // namespace creodias::cli
