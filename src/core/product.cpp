#include <creodias/error.hpp>
#include <creodias/product.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>

#include <array>
#include <utility>

namespace creodias {

using detail::iends_with;
using detail::iequals;

std::string_view to_string(OrbitDirection d) noexcept {
    switch (d) {
        case OrbitDirection::ascending: return "ASCENDING";
        case OrbitDirection::descending: return "DESCENDING";
        case OrbitDirection::unknown: break;
    }
    return "";
}

OrbitDirection parse_orbit_direction(std::string_view text) {
    auto t = detail::trim(text);
    if (iequals(t, "ascending") || iequals(t, "asc") || iequals(t, "a")) return OrbitDirection::ascending;
    if (iequals(t, "descending") || iequals(t, "desc") || iequals(t, "d")) return OrbitDirection::descending;
    throw InvalidArgument("product",
                          fmt::format("invalid orbit direction '{}' (expected ascending or descending)", text));
}

std::string product_name_key(std::string_view name) {
    // Strip directory components, then container suffixes, longest first.
    auto slash = name.find_last_of('/');
    if (slash != std::string_view::npos) name = name.substr(slash + 1);
    static const std::array<std::string_view, 9> suffixes = {
        ".SAFE.zip", ".SEN3.zip", ".zip", ".SAFE", ".SEN3", ".nc", ".tar", ".tar.gz", ".json"};
    bool again = true;
    while (again) {
        again = false;
        for (auto suf : suffixes) {
            if (name.size() > suf.size() && iends_with(name, suf)) {
                name.remove_suffix(suf.size());
                again = true;
                break;
            }
        }
    }
    return std::string(name);
}

std::string Product::name_key() const { return product_name_key(name.empty() ? id : name); }

std::string canonical_collection(std::string_view name) {
    std::string up = detail::to_upper(detail::trim(name));
    // Remove separators so "Sentinel2", "SENTINEL-2", "sentinel_2" all compare equal.
    std::string compact;
    for (char c : up)
        if (c != '-' && c != '_' && c != ' ') compact += c;
    static const std::array<std::pair<std::string_view, std::string_view>, 24> aliases = {{
        {"SENTINEL1", "SENTINEL-1"}, {"S1", "SENTINEL-1"},
        {"SENTINEL2", "SENTINEL-2"}, {"S2", "SENTINEL-2"},
        {"SENTINEL3", "SENTINEL-3"}, {"S3", "SENTINEL-3"},
        {"SENTINEL5P", "SENTINEL-5P"}, {"S5P", "SENTINEL-5P"},
        {"SENTINEL6", "SENTINEL-6"},
        {"SENTINEL1RTC", "SENTINEL-1-RTC"},
        {"LANDSAT1", "LANDSAT-1"}, {"LANDSAT2", "LANDSAT-2"}, {"LANDSAT3", "LANDSAT-3"},
        {"LANDSAT4", "LANDSAT-4"}, {"LANDSAT5", "LANDSAT-5"}, {"LANDSAT7", "LANDSAT-7"},
        {"LANDSAT8", "LANDSAT-8"}, {"LANDSAT9", "LANDSAT-9"},
        {"ENVISAT", "ENVISAT"}, {"ERS", "ERS"}, {"SMOS", "SMOS"},
        {"COPDEM", "COP-DEM"}, {"GLOBALMOSAICS", "GLOBAL-MOSAICS"}, {"TERRAAQUA", "TERRAAQUA"},
    }};
    for (const auto& [alias, canon] : aliases)
        if (compact == alias) return std::string(canon);
    return up;
}

}  // namespace creodias
