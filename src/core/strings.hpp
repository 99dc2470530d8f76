#pragma once
// Private: small string utilities shared across modules.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace creodias::detail {

std::string_view trim(std::string_view s);
std::string to_upper(std::string_view s);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);
bool starts_with(std::string_view s, std::string_view prefix);
bool ends_with(std::string_view s, std::string_view suffix);
bool iends_with(std::string_view s, std::string_view suffix);
std::vector<std::string> split(std::string_view s, char sep, bool skip_empty = false);
/// Splits on any run of whitespace.
std::vector<std::string> split_ws(std::string_view s);

/// Strict number parsing: the whole (trimmed) text must be a number. nullopt otherwise.
std::optional<double> parse_double(std::string_view s);
std::optional<long long> parse_int(std::string_view s);

}  // namespace creodias::detail
