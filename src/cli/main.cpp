// The `creodias` command-line tool. One executable, subcommands:
//   index, search, info, stats, generate, demo, ls, cat, get, put, serve, version.
// Exit codes: 0 success, 1 runtime failure, 2 invalid usage or input. Errors are one line
// on stderr: "creodias: error: <message>".

#include <creodias/catalogue.hpp>
#include <creodias/error.hpp>
#include <creodias/formats.hpp>
#include <creodias/version.hpp>

#include "cli/args.hpp"
#include "cli/commands.hpp"

#include <fmt/format.h>

#include <cstdio>
#include <exception>
#include <string>
#include <vector>

namespace {

const char* kUsage = R"(usage: creodias <command> [options]

commands:
  index PATH...        index products (SAFE dirs, zips, MTL, netCDF, ...) and catalogue
                       documents (STAC, resto, OData JSON) into the embedded catalogue
  search [filters]     search the catalogue (table on a terminal, GeoJSON otherwise)
  info ID|NAME         show one product
  stats                summarise the catalogue
  generate DIR         write a synthetic CREODIAS-style /eodata archive
  demo                 generate a sample archive, index it and run example searches
  ls URI               list s3://BUCKET/PREFIX (S3 endpoint from the AWS settings) or a path
  cat URI              write an object (or a byte range of it) or a file to standard output
  get ID|NAME|URI      download a product or files (parallel, resumable, verified)
  put FILE s3://B/K    upload a file (multipart above 16 MiB)
  serve                serve tiles, WMTS/WMS/WCS and a map viewer over the catalogue
  version              print the library version

Run `creodias <command> --help` for the options of a command.
The catalogue defaults to $CREODIAS_DB or ~/.local/share/creodias/catalogue.db.
)";

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        std::fputs(kUsage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    const std::string cmd = args[0];
    args.erase(args.begin());
    try {
        if (cmd == "version" || cmd == "--version") {
            fmt::print("creodias {}\n", creodias::version());
            return 0;
        }
        if (cmd == "index" || cmd == "import") return creodias::cli::cmd_index(args);
        if (cmd == "search") return creodias::cli::cmd_search(args);
        if (cmd == "info") return creodias::cli::cmd_info(args);
        if (cmd == "stats") return creodias::cli::cmd_stats(args);
        if (cmd == "generate") return creodias::cli::cmd_generate(args);
        if (cmd == "demo") return creodias::cli::cmd_demo(args);
        if (cmd == "ls") return creodias::cli::cmd_ls(args);
        if (cmd == "cat") return creodias::cli::cmd_cat(args);
        if (cmd == "get") return creodias::cli::cmd_get(args);
        if (cmd == "put") return creodias::cli::cmd_put(args);
        if (cmd == "serve") return creodias::cli::cmd_serve(args);
        fmt::print(stderr, "creodias: error: unknown command '{}' (see creodias --help)\n", cmd);
        return 2;
    } catch (const creodias::cli::HelpRequested& h) {
        std::fputs(h.text.c_str(), stdout);
        return 0;
    } catch (const creodias::InvalidArgument& e) {
        fmt::print(stderr, "creodias: error: {}\n", e.what());
        return 2;
    } catch (const creodias::NotFoundError& e) {
        fmt::print(stderr, "creodias: error: {}\n", e.what());
        return 1;
    } catch (const creodias::Error& e) {
        fmt::print(stderr, "creodias: error: {}\n", e.what());
        return e.code() == creodias::Errc::cancelled ? 130 : 1;
    } catch (const std::exception& e) {
        fmt::print(stderr, "creodias: error: {}\n", e.what());
        return 1;
    }
}
