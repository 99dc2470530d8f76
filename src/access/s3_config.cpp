// Where S3 options come from: explicit settings, the AWS environment variables and the
// AWS shared credentials/config files (profiles), in the order the AWS CLI uses.

#include "access/s3_config.hpp"

#include <creodias/error.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <initializer_list>
#include <sstream>

namespace creodias {

namespace detail {

namespace {

constexpr const char* kOrigin = "s3";

std::optional<std::string> read_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) return std::nullopt;
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::optional<std::string> non_empty(const std::optional<std::string>& v) {
    if (v && !v->empty()) return v;
    return std::nullopt;
}

std::string endpoint_alias(const std::string& e) {
    const std::string l = to_lower(e);
    if (l == "creodias") return kCreodiasEodataEndpoint;
    if (l == "cdse") return kCdseEodataEndpoint;
    return e;
}

}  // namespace

std::map<std::string, std::map<std::string, std::string>> parse_aws_ini(const std::string& text) {
    std::map<std::string, std::map<std::string, std::string>> out;
    std::string section, parent;  // parent: a key with an empty value opening a nested block
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        const bool indented = !line.empty() && (line[0] == ' ' || line[0] == '\t');
        const std::string t(trim(line));
        if (t.empty() || t[0] == '#' || t[0] == ';') continue;
        if (t.front() == '[' && t.back() == ']') {
            section = std::string(trim(std::string_view(t).substr(1, t.size() - 2)));
            parent.clear();
            out[section];
            continue;
        }
        const auto eq = t.find('=');
        if (eq == std::string::npos || section.empty()) continue;
        std::string key = to_lower(std::string(trim(std::string_view(t).substr(0, eq))));
        std::string value(trim(std::string_view(t).substr(eq + 1)));
        if (indented && !parent.empty()) {
            out[section][parent + "." + key] = value;
            continue;
        }
        parent = value.empty() ? key : std::string();
        out[section][key] = value;
    }
    return out;
}

S3Options resolve_s3_options(const S3Settings& given, const EnvLookup& env) {
    S3Options o;
    auto e = [&](const char* name) { return non_empty(env(name)); };

    const std::optional<std::string> asked_profile = given.profile ? given.profile : e("AWS_PROFILE");
    const std::string profile = asked_profile.value_or("default");

    const auto home = e("HOME");
    const std::filesystem::path cred_path =
        e("AWS_SHARED_CREDENTIALS_FILE").value_or(home ? *home + "/.aws/credentials" : std::string());
    const std::filesystem::path conf_path =
        e("AWS_CONFIG_FILE").value_or(home ? *home + "/.aws/config" : std::string());
    std::map<std::string, std::string> cred_section, conf_section;
    bool found = false;
    if (!cred_path.empty()) {
        if (auto text = read_file(cred_path)) {
            auto ini = parse_aws_ini(*text);
            if (auto it = ini.find(profile); it != ini.end()) cred_section = it->second, found = true;
        }
    }
    if (!conf_path.empty()) {
        if (auto text = read_file(conf_path)) {
            auto ini = parse_aws_ini(*text);
            // The config file names profiles "profile NAME", except "default".
            auto it = ini.find(profile == "default" ? std::string("default") : "profile " + profile);
            if (it == ini.end()) it = ini.find(profile);
            if (it != ini.end()) conf_section = it->second, found = true;
        }
    }
    if (asked_profile && !found)
        throw InvalidArgument(kOrigin, fmt::format("AWS profile '{}' is in neither {} nor {}", profile,
                                                   cred_path.string(), conf_path.string()));
    auto from_files = [&](const std::string& key) -> std::optional<std::string> {
        if (auto it = cred_section.find(key); it != cred_section.end() && !it->second.empty()) return it->second;
        if (auto it = conf_section.find(key); it != conf_section.end() && !it->second.empty()) return it->second;
        return std::nullopt;
    };

    auto first = [](std::initializer_list<std::optional<std::string>> candidates) -> std::optional<std::string> {
        for (const auto& c : candidates)
            if (c) return c;
        return std::nullopt;
    };
    o.endpoint = given.endpoint ? endpoint_alias(*given.endpoint)
                                : first({e("AWS_ENDPOINT_URL_S3"), e("AWS_ENDPOINT_URL"),
                                         from_files("s3.endpoint_url"), from_files("endpoint_url")})
                                      .value_or(kCreodiasEodataEndpoint);
    o.region = first({given.region, e("AWS_REGION"), e("AWS_DEFAULT_REGION"), from_files("region")})
                   .value_or("default");

    // Credentials: a source counts only when it gives both halves.
    const auto env_id = e("AWS_ACCESS_KEY_ID");
    const auto file_id = from_files("aws_access_key_id");
    if (given.credentials) {
        o.credentials = *given.credentials;
    } else if (env_id) {
        auto secret = e("AWS_SECRET_ACCESS_KEY");
        if (!secret)
            throw InvalidArgument(kOrigin,
                                  fmt::format("AWS_ACCESS_KEY_ID ({}) is set but AWS_SECRET_ACCESS_KEY is not", *env_id));
        o.credentials = {*env_id, *secret, e("AWS_SESSION_TOKEN").value_or("")};
    } else if (file_id) {
        auto secret = from_files("aws_secret_access_key");
        if (!secret)
            throw InvalidArgument(kOrigin, fmt::format("AWS profile '{}' has aws_access_key_id ({}) but no "
                                                       "aws_secret_access_key",
                                                       profile, *file_id));
        o.credentials = {*file_id, *secret, from_files("aws_session_token").value_or("")};
    }

    // Addressing: explicit, else the config file's s3.addressing_style, else path style
    // (what the CREODIAS and CDSE stores expect).
    const auto style = from_files("s3.addressing_style");
    if (given.path_style) o.path_style = *given.path_style;
    else if (style) o.path_style = to_lower(*style) != "virtual";
    o.ca_file = first({e("AWS_CA_BUNDLE"), from_files("ca_bundle")}).value_or("");
    // CDSE allows 4 connections per user: stay under that unless told otherwise.
    if (given.max_connections) o.max_connections = std::max(0, *given.max_connections);
    else if (o.endpoint == kCdseEodataEndpoint) o.max_connections = 4;
    return o;
}

}  // namespace detail

S3Options resolve_s3_options(const S3Settings& given) {
    return detail::resolve_s3_options(given, [](const std::string& name) -> std::optional<std::string> {
        if (const char* v = std::getenv(name.c_str())) return std::string(v);
        return std::nullopt;
    });
}

}  // namespace creodias
