#pragma once
// Private: the subcommands of the creodias tool.

#include <creodias/query.hpp>

#include "cli/args.hpp"

#include <string>
#include <vector>

namespace creodias::cli {

/// Thrown by a command when --help was given; main prints the text and exits 0.
struct HelpRequested {
    std::string text;
};

int cmd_index(const std::vector<std::string>& args);
int cmd_search(const std::vector<std::string>& args);
int cmd_info(const std::vector<std::string>& args);
int cmd_stats(const std::vector<std::string>& args);
int cmd_generate(const std::vector<std::string>& args);
int cmd_demo(const std::vector<std::string>& args);
int cmd_ls(const std::vector<std::string>& args);
int cmd_cat(const std::vector<std::string>& args);
int cmd_get(const std::vector<std::string>& args);
int cmd_put(const std::vector<std::string>& args);
int cmd_serve(const std::vector<std::string>& args);

/// Throws HelpRequested (usage + the options) when --help was given.
void maybe_help(const Args& a, const std::string& usage, const std::vector<OptionSpec>& specs);

/// The search filter options shared by commands that take a query.
std::vector<OptionSpec> query_options();
/// Builds and validates a Query from parsed options. Throws InvalidArgument.
Query build_query(const Args& a);

bool stdout_is_tty();
bool stderr_is_tty();

}  // namespace creodias::cli
