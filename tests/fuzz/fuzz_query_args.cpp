// libFuzzer target: command-line query parsing (the same path as `creodias search`).
// Input lines become argv entries.
#include <creodias/error.hpp>

#include "cli/args.hpp"
#include "cli/commands.hpp"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::vector<std::string> argv;
    std::string cur;
    for (std::size_t i = 0; i < size && argv.size() < 64; ++i) {
        char c = static_cast<char>(data[i]);
        if (c == '\n') {
            argv.push_back(cur);
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) argv.push_back(cur);
    try {
        creodias::cli::Args a(argv, creodias::cli::query_options());
        (void)creodias::cli::build_query(a);
    } catch (const creodias::Error&) {
    }
    return 0;
}
