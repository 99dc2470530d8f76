#pragma once
// Private: S3 option resolution with an injectable environment (for tests).

#include <creodias/s3.hpp>

#include <functional>
#include <map>
#include <optional>
#include <string>

namespace creodias::detail {

using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

/// resolve_s3_options() reading the environment through `env`.
S3Options resolve_s3_options(const S3Settings& given, const EnvLookup& env);

/// Sections of an AWS shared file (INI): section name -> key -> value. Keys are lower-cased;
/// comments (# ;) and blank lines are skipped; nested blocks (an indented line under a key
/// with an empty value, as `s3 =` blocks) are read as "key.subkey".
std::map<std::string, std::map<std::string, std::string>> parse_aws_ini(const std::string& text);

}  // namespace creodias::detail
