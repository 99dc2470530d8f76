#include <creodias/error.hpp>
#include <creodias/query.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>

#include <cmath>

namespace creodias {

using detail::iequals;

std::string_view to_string(SpatialRelation r) noexcept {
    switch (r) {
        case SpatialRelation::intersects: return "intersects";
        case SpatialRelation::within: return "within";
        case SpatialRelation::contains: return "contains";
    }
    return "";
}

std::string_view to_string(SortField f) noexcept {
    switch (f) {
        case SortField::sensing_time: return "sensing";
        case SortField::publication_time: return "published";
        case SortField::cloud_cover: return "cloud";
    }
    return "";
}

SpatialRelation parse_spatial_relation(std::string_view text) {
    auto t = detail::trim(text);
    if (iequals(t, "intersects")) return SpatialRelation::intersects;
    if (iequals(t, "within") || iequals(t, "iswithin")) return SpatialRelation::within;
    if (iequals(t, "contains")) return SpatialRelation::contains;
    throw InvalidArgument("query", fmt::format("invalid spatial relation '{}' (expected intersects, within or "
                                               "contains)", text));
}

std::pair<SortField, SortOrder> parse_sort(std::string_view text) {
    auto t = detail::trim(text);
    SortOrder order = SortOrder::descending;
    if (!t.empty() && (t.front() == '-' || t.front() == '+')) {
        order = t.front() == '-' ? SortOrder::descending : SortOrder::ascending;
        t.remove_prefix(1);
    }
    // "field:asc" / "field:desc" also accepted.
    auto colon = t.find(':');
    if (colon != std::string_view::npos) {
        auto dir = t.substr(colon + 1);
        if (iequals(dir, "asc") || iequals(dir, "ascending")) order = SortOrder::ascending;
        else if (iequals(dir, "desc") || iequals(dir, "descending")) order = SortOrder::descending;
        else throw InvalidArgument("query", fmt::format("invalid sort direction '{}'", dir));
        t = t.substr(0, colon);
    }
    SortField f;
    if (iequals(t, "sensing") || iequals(t, "datetime") || iequals(t, "startDate") || iequals(t, "time") ||
        iequals(t, "sensing_time"))
        f = SortField::sensing_time;
    else if (iequals(t, "published") || iequals(t, "publication") || iequals(t, "publication_time"))
        f = SortField::publication_time;
    else if (iequals(t, "cloud") || iequals(t, "cloudCover") || iequals(t, "cloud_cover") ||
             iequals(t, "eo:cloud_cover"))
        f = SortField::cloud_cover;
    else
        throw InvalidArgument("query", fmt::format("invalid sort key '{}' (expected sensing, published or cloud)",
                                                   text));
    return {f, order};
}

namespace {
void check_range(const TimeRange& r, const char* name) {
    if (r.start && r.end) {
        bool bad = r.start_inclusive && r.end_inclusive ? *r.start > *r.end : *r.start >= *r.end;
        if (bad)
            throw InvalidArgument("query", fmt::format("{} start {} is after its end {}", name,
                                                       format_datetime(*r.start), format_datetime(*r.end)));
    }
}
void check_text_list(const std::vector<std::string>& v, const char* name) {
    for (const auto& s : v) {
        if (s.empty() || s.size() > 256)
            throw InvalidArgument("query", fmt::format("{} values must be 1..256 characters", name));
        for (unsigned char c : s)
            if (c < 0x20) throw InvalidArgument("query", fmt::format("{} contains a control character", name));
    }
}
}  // namespace

void Query::validate() const {
    check_text_list(ids, "id");
    check_text_list(collections, "collection");
    check_text_list(product_types, "product type");
    check_text_list(processing_levels, "processing level");
    check_text_list(platforms, "platform");
    check_text_list(instruments, "instrument");
    check_text_list(sensor_modes, "sensor mode");
    check_text_list(tile_ids, "tile id");
    check_text_list(polarisations, "polarisation");
    check_range(sensing, "sensing time");
    check_range(published, "publication time");
    check_range(updated, "modification time");
    auto cloud_ok = [](double v) { return std::isfinite(v) && v >= 0 && v <= 100; };
    if (cloud_min && !cloud_ok(*cloud_min))
        throw InvalidArgument("query", fmt::format("cloud cover minimum {} is outside 0..100", *cloud_min));
    if (cloud_max && !cloud_ok(*cloud_max))
        throw InvalidArgument("query", fmt::format("cloud cover maximum {} is outside 0..100", *cloud_max));
    if (cloud_min && cloud_max && *cloud_min > *cloud_max)
        throw InvalidArgument("query", fmt::format("cloud cover minimum {} is greater than the maximum {}",
                                                   *cloud_min, *cloud_max));
    if (orbit_min && orbit_max && *orbit_min > *orbit_max)
        throw InvalidArgument("query", "orbit minimum is greater than the maximum");
    if ((orbit_min && *orbit_min < 0) || (orbit_max && *orbit_max < 0))
        throw InvalidArgument("query", "orbit numbers must not be negative");
    for (auto r : relative_orbits)
        if (r < 0) throw InvalidArgument("query", "relative orbits must not be negative");
    if (limit < 1 || limit > 10000)
        throw InvalidArgument("query", fmt::format("limit {} is outside 1..10000", limit));
    if (name_pattern.size() > 512) throw InvalidArgument("query", "name pattern longer than 512 characters");
    if (aoi) creodias::validate(*aoi);
}

std::string Query::fingerprint() const {
    // FNV-1a over a canonical text rendering of every filter and the sort.
    std::string s;
    auto add = [&](std::string_view k, std::string_view v) {
        s += k;
        s += '=';
        s += v;
        s += '\x1f';
    };
    auto list = [&](std::string_view k, const std::vector<std::string>& v) {
        for (const auto& x : v) add(k, detail::to_upper(x));
    };
    auto range = [&](std::string_view k, const TimeRange& r) {
        if (r.start) add(k, fmt::format("{}{}", r.start_inclusive ? '[' : '(', r.start->us));
        if (r.end) add(k, fmt::format("{}{}", r.end->us, r.end_inclusive ? ']' : ')'));
    };
    list("id", ids);
    for (const auto& c : collections) add("c", canonical_collection(c));
    list("pt", product_types);
    list("pl", processing_levels);
    list("pf", platforms);
    list("in", instruments);
    list("sm", sensor_modes);
    if (aoi) add("aoi", aoi->to_wkt());
    add("rel", to_string(relation));
    range("s", sensing);
    range("p", published);
    range("u", updated);
    if (cloud_min) add("cmin", fmt::format("{}", *cloud_min));
    if (cloud_max) add("cmax", fmt::format("{}", *cloud_max));
    if (orbit_min) add("omin", fmt::format("{}", *orbit_min));
    if (orbit_max) add("omax", fmt::format("{}", *orbit_max));
    for (auto r : relative_orbits) add("ro", fmt::format("{}", r));
    if (orbit_direction) add("od", to_string(*orbit_direction));
    list("tile", tile_ids);
    list("pol", polarisations);
    if (online) add("on", *online ? "1" : "0");
    add("name", name_pattern);
    add("sort", to_string(sort));
    add("order", order == SortOrder::ascending ? "asc" : "desc");
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : s) {
        h ^= c;
        h *= 1099511628211ull;
    }
    return fmt::format("{:016x}", h);
}

}  // namespace creodias
