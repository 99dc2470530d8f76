#include "cli/args.hpp"

#include "core/strings.hpp"

#include <creodias/error.hpp>

#include <fmt/format.h>

namespace creodias::cli {

Args::Args(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs) {
    auto find = [&](const std::string& n) -> const OptionSpec* {
        for (const auto& s : specs)
            if (s.name == n) return &s;
        return nullptr;
    };
    bool only_positional = false;
    for (size_t i = 0; i < argv.size(); ++i) {
        const std::string& a = argv[i];
        if (only_positional || a.size() < 3 || a.compare(0, 2, "--") != 0) {
            if (a == "--") {
                only_positional = true;
                continue;
            }
            if (!only_positional && a.size() >= 2 && a[0] == '-' && !std::isdigit(static_cast<unsigned char>(a[1])) &&
                a[1] != '.')
                throw InvalidArgument("cli", fmt::format("unknown option '{}' (options are --name or --name=value)", a));
            positional_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), value;
        bool has_value = false;
        auto eq = name.find('=');
        if (eq != std::string::npos) {
            value = name.substr(eq + 1);
            name = name.substr(0, eq);
            has_value = true;
        }
        const OptionSpec* spec = find(name);
        if (!spec) throw InvalidArgument("cli", fmt::format("unknown option '--{}'", name));
        if (!spec->takes_value) {
            if (has_value) throw InvalidArgument("cli", fmt::format("option '--{}' takes no value", name));
            flags_.insert(name);
            continue;
        }
        if (!has_value) {
            if (i + 1 >= argv.size()) throw InvalidArgument("cli", fmt::format("option '--{}' needs a value", name));
            value = argv[++i];
        }
        values_[name].push_back(value);
    }
}

std::optional<std::string> Args::get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end() || it->second.empty()) return std::nullopt;
    return it->second.back();
}

std::vector<std::string> Args::all(const std::string& name) const {
    auto it = values_.find(name);
    return it == values_.end() ? std::vector<std::string>{} : it->second;
}

std::vector<std::string> Args::list(const std::string& name) const {
    std::vector<std::string> out;
    for (const auto& v : all(name))
        for (auto& piece : detail::split(v, ',', true)) out.push_back(std::string(detail::trim(piece)));
    return out;
}

std::optional<double> Args::number(const std::string& name) const {
    auto v = get(name);
    if (!v) return std::nullopt;
    auto d = detail::parse_double(*v);
    if (!d) throw InvalidArgument("cli", fmt::format("option '--{}' expects a number, got '{}'", name, *v));
    return d;
}

std::optional<long long> Args::integer(const std::string& name) const {
    auto v = get(name);
    if (!v) return std::nullopt;
    auto d = detail::parse_int(*v);
    if (!d) throw InvalidArgument("cli", fmt::format("option '--{}' expects an integer, got '{}'", name, *v));
    return d;
}

std::string format_options(const std::vector<OptionSpec>& specs) {
    std::string out;
    for (const auto& s : specs) {
        std::string left = "  --" + s.name;
        if (s.takes_value) left += " " + (s.metavar.empty() ? std::string("VALUE") : s.metavar);
        out += fmt::format("{:<34} {}\n", left, s.help);
    }
    return out;
}

}  // namespace creodias::cli
