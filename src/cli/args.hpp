#pragma once
// Private: command-line parsing for the creodias tool. Options are `--name value` or
// `--name=value` (so negative numbers work: --bbox=-10,35,5,45); flags take no value;
// repeatable options accumulate; a value for a list option may also be comma-separated.

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace creodias::cli {

struct OptionSpec {
    std::string name;         // without the leading dashes
    bool takes_value = true;
    std::string help;
    std::string metavar;
};

class Args {
public:
    /// Parses argv against the specs. Throws InvalidArgument("cli", ...) on an unknown
    /// option or a missing value.
    Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs);

    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    std::optional<std::string> get(const std::string& name) const;
    std::vector<std::string> all(const std::string& name) const;
    /// All values of a list option, with comma-separated values split.
    std::vector<std::string> list(const std::string& name) const;
    const std::vector<std::string>& positional() const { return positional_; }

    std::optional<double> number(const std::string& name) const;
    std::optional<long long> integer(const std::string& name) const;

private:
    std::map<std::string, std::vector<std::string>> values_;
    std::set<std::string> flags_;
    std::vector<std::string> positional_;
};

/// "  --name VALUE   help" lines for a usage message.
std::string format_options(const std::vector<OptionSpec>& specs);

}  // namespace creodias::cli
