// `creodias ls`, `cat`, `get` and `put`: object-store and local listings, reads, downloads
// and uploads.

#include <creodias/access.hpp>
#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>
#include <creodias/s3.hpp>
#include <creodias/transfer.hpp>

#include "cli/commands.hpp"
#include "cli/output.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
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
    specs.push_back({"max-connections", true, "requests in flight at most (default: 4 for cdse, else no cap)", "N"});
    specs.push_back({"help", false, "show this help", ""});
    return specs;
}

S3Settings settings_for(const Args& a) {
    S3Settings s;
    s.endpoint = a.get("endpoint");
    s.region = a.get("region");
    s.profile = a.get("profile");
    if (a.flag("no-sign-request")) s.credentials = S3Credentials{};
    if (auto n = a.integer("max-connections")) {
        if (*n < 1 || *n > 1024) throw InvalidArgument("cli", "--max-connections must be between 1 and 1024");
        s.max_connections = static_cast<int>(*n);
    }
    return s;
}

S3Client client_for(const Args& a) { return S3Client(resolve_s3_options(settings_for(a))); }

// Ctrl-C cancels the running transfer (partial data stays for resuming); a second one kills.
std::atomic<const CancelToken*> g_cancel{nullptr};
extern "C" void on_sigint(int sig) {
    const CancelToken* t = g_cancel.load();
    if (t && !t->cancelled()) {
        t->cancel();
    } else {
        std::signal(sig, SIG_DFL);
        std::raise(sig);
    }
}

struct CancelOnSigint {
    CancelToken token;
    explicit CancelOnSigint() {
        g_cancel = &token;
        std::signal(SIGINT, on_sigint);
        std::signal(SIGTERM, on_sigint);
    }
    ~CancelOnSigint() {
        std::signal(SIGINT, SIG_DFL);
        std::signal(SIGTERM, SIG_DFL);
        g_cancel = nullptr;
    }
};

int positive_int(const Args& a, const char* name, int fallback) {
    auto v = a.integer(name);
    if (!v) return fallback;
    if (*v < 1 || *v > 1024) throw InvalidArgument("cli", fmt::format("--{} must be between 1 and 1024", name));
    return static_cast<int>(*v);
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

int cmd_get(const std::vector<std::string>& argv) {
    const auto specs = s3_options(
        {{"dest", true, "destination directory (default: the current directory)", "DIR"},
         {"files", true, "only files matching GLOB (a name, or a path below the product with '/'); repeatable",
          "GLOB"},
         {"band", true, "only the files of band NAME (B04, SCL, VV, SR_B4...); repeatable", "NAME"},
         {"jobs", true, "requests in flight (default 8)", "N"},
         {"part-size", true, "size of the ranged requests for large files, in MiB (default 8)", "MIB"},
         {"no-verify", false, "skip checksum verification", ""},
         {"durable", false, "sync every file to disk before renaming it into place", ""},
         {"eodata-root", true, "the /eodata mount (default $CREODIAS_EODATA_ROOT, else /eodata)", "DIR"},
         {"bucket", true, "S3 bucket mirroring the mount (default eodata)", "NAME"},
         {"bearer-token", true, "token for https:// sources (default $CREODIAS_BEARER_TOKEN)", "TOKEN"},
         {"db", true, "catalogue for ID|NAME (default $CREODIAS_DB or ~/.local/share/creodias/catalogue.db)", "PATH"},
         {"json", false, "print the report as JSON", ""}});
    Args a(argv, specs);
    maybe_help(a,
               "usage: creodias get ID|NAME|s3://BUCKET/PREFIX|/eodata/PATH|https://URL [options]\n"
               "Downloads a product (every file, keeping its tree) or the selected files, in parallel, resuming\n"
               "interrupted downloads and verifying checksums.\n",
               specs);
    const std::string target = one_uri(a, "get");
    if (target.empty()) throw InvalidArgument("cli", "get needs a product id or name, an s3:// URI or a path");
    AccessOptions ao;
    if (auto r = a.get("eodata-root")) {
        ao.eodata_root = *r;
    } else if (const char* env = std::getenv("CREODIAS_EODATA_ROOT")) {
        ao.eodata_root = env;
    }
    if (auto b = a.get("bucket")) ao.bucket = *b;
    ao.s3 = settings_for(a);
    if (auto t = a.get("bearer-token")) {
        ao.http.bearer_token = *t;
    } else if (const char* env = std::getenv("CREODIAS_BEARER_TOKEN")) {
        ao.http.bearer_token = env;
    }
    DownloadOptions opt;
    opt.jobs = positive_int(a, "jobs", 8);
    if (auto mib = a.integer("part-size")) {
        if (*mib < 1 || *mib > 1024) throw InvalidArgument("cli", "--part-size must be between 1 and 1024 MiB");
        opt.part_size = static_cast<std::uint64_t>(*mib) << 20;
    }
    opt.verify = !a.flag("no-verify");
    opt.durable = a.flag("durable");
    const std::string dest = a.get("dest").value_or(".");
    const auto patterns = a.all("files");
    const auto bands = a.list("band");

    CancelOnSigint sigint;
    opt.cancel = sigint.token;
    TransferBar bar("get");
    opt.progress = [&](const TransferProgress& p) { bar.update(p); };

    DownloadReport report;
    const bool is_url = target.rfind("http://", 0) == 0 || target.rfind("https://", 0) == 0;
    if (is_url) {
        if (!patterns.empty() || !bands.empty())
            throw InvalidArgument("cli", "--files and --band need a product or a prefix, not a single URL");
        auto web = make_http_filesystem("", ao.http);
        std::string name = target.substr(target.find("://") + 3);
        if (auto q = name.find_first_of("?#"); q != std::string::npos) name = name.substr(0, q);
        const auto slash = name.rfind('/');
        name = slash == std::string::npos ? std::string() : name.substr(slash + 1);
        if (name.empty()) throw InvalidArgument("cli", fmt::format("'{}' names no file", target));
        report = download(*web, {DownloadItem{target, name, std::nullopt, {}, {}}}, dest, opt);
    } else {
        Product product;
        const bool is_path = target.rfind("s3://", 0) == 0 || target.front() == '/' || target.rfind("./", 0) == 0 ||
                             target.rfind("../", 0) == 0;
        if (is_path) {
            product.path = target;
            if (target.front() != '/' && target.rfind("s3://", 0) != 0)
                product.path = fs::absolute(target).lexically_normal().string();
            product.name = target;
        } else {
            fs::path db = a.get("db") ? fs::path(*a.get("db")) : Catalogue::default_path();
            std::error_code ec;
            if (!fs::exists(db, ec))
                throw NotFoundError("cli", fmt::format("catalogue {} does not exist; give an s3:// URI or a path, or "
                                                       "--db",
                                                       db.string()));
            CatalogueOptions co;
            co.store.create = false;
            Catalogue cat(db, co);
            auto p = cat.get(target);
            if (!p) throw NotFoundError("cli", fmt::format("no product '{}' in {}", target, db.string()));
            product = std::move(*p);
        }
        report = ProductAccess(ao).download(product, dest, patterns, bands, opt);
    }
    bar.finish();
    if (a.flag("json") || !stdout_is_tty()) {
        nlohmann::json files = nlohmann::json::array();
        for (const auto& f : report.files) {
            static const char* names[] = {"downloaded", "resumed", "skipped", "failed"};
            files.push_back({{"path", f.dest},
                             {"size", f.size},
                             {"status", names[static_cast<int>(f.status)]},
                             {"verified_by", f.verified_by},
                             {"quarantined", f.quarantined}});
        }
        nlohmann::json out = {{"files", files},
                              {"bytes_total", report.bytes_total},
                              {"bytes_transferred", report.bytes_transferred},
                              {"seconds", report.seconds},
                              {"downloaded", report.downloaded},
                              {"resumed", report.resumed},
                              {"skipped", report.skipped},
                              {"verified", report.verified}};
        fmt::print("{}\n", out.dump(2));
    } else {
        const double rate = report.seconds > 0 ? static_cast<double>(report.bytes_transferred) / report.seconds : 0;
        fmt::print("{} files, {} in {:.1f} s ({}/s): {} downloaded, {} resumed, {} already present; {} verified\n",
                   report.files.size(), human_bytes(static_cast<double>(report.bytes_total)), report.seconds,
                   human_bytes(rate), report.downloaded, report.resumed, report.skipped, report.verified);
    }
    return 0;
}

int cmd_put(const std::vector<std::string>& argv) {
    const auto specs = s3_options({{"jobs", true, "parts in flight (default 4)", "N"},
                                   {"part-size", true, "multipart part size in MiB (default 8, at least 5)", "MIB"},
                                   {"json", false, "print the result as JSON", ""}});
    Args a(argv, specs);
    maybe_help(a, "usage: creodias put FILE s3://BUCKET/KEY [options]\n(a KEY ending in '/' takes the file name)\n",
               specs);
    if (a.positional().size() != 2) throw InvalidArgument("cli", "put takes FILE and s3://BUCKET/KEY");
    const std::string file = a.positional()[0];
    auto uri = parse_s3_uri(a.positional()[1]);
    if (!uri) throw InvalidArgument("cli", fmt::format("'{}' is not an s3:// URI", a.positional()[1]));
    if (uri->key.empty() || uri->key.back() == '/') uri->key += fs::path(file).filename().string();
    UploadOptions opt;
    opt.jobs = positive_int(a, "jobs", 4);
    if (auto mib = a.integer("part-size")) {
        if (*mib < 5 || *mib > 5120) throw InvalidArgument("cli", "--part-size must be between 5 and 5120 MiB");
        opt.part_size = static_cast<std::uint64_t>(*mib) << 20;
    }
    CancelOnSigint sigint;
    opt.cancel = sigint.token;
    TransferBar bar("put");
    opt.progress = [&](const TransferProgress& p) { bar.update(p); };
    S3Client s3 = client_for(a);
    const auto t0 = std::chrono::steady_clock::now();
    const std::string etag = upload_file(s3, file, uri->bucket, uri->key, opt);
    bar.finish();
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::error_code ec;
    const auto size = fs::file_size(file, ec);
    if (a.flag("json") || !stdout_is_tty()) {
        fmt::print("{}\n", nlohmann::json({{"key", uri->key}, {"bucket", uri->bucket}, {"size", size}, {"etag", etag},
                                           {"seconds", secs}})
                               .dump(2));
    } else {
        fmt::print("s3://{}/{}  {}  etag {}  {:.1f} s\n", uri->bucket, uri->key, human_bytes(static_cast<double>(size)),
                   etag, secs);
    }
    return 0;
}

}  // namespace creodias::cli
