// Colormaps and the named style presets.
#include <creodias/error.hpp>
#include <creodias/product.hpp>
#include <creodias/style.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace creodias {
namespace {

constexpr const char* kOrigin = "style";

std::optional<Rgba> parse_colour(std::string_view s) {
    s = detail::trim(s);
    if (!s.empty() && s[0] == '#') s.remove_prefix(1);
    if (s.size() != 6 && s.size() != 8) return std::nullopt;
    auto hex = [&](std::size_t i) -> int {
        int v = 0;
        for (std::size_t k = i; k < i + 2; ++k) {
            char c = s[k];
            int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
            if (d < 0) return -1;
            v = v * 16 + d;
        }
        return v;
    };
    int r = hex(0), g = hex(2), b = hex(4), a = s.size() == 8 ? hex(6) : 255;
    if (r < 0 || g < 0 || b < 0 || a < 0) return std::nullopt;
    return Rgba{static_cast<std::uint8_t>(r), static_cast<std::uint8_t>(g), static_cast<std::uint8_t>(b),
                static_cast<std::uint8_t>(a)};
}

// Evenly spaced colours over 0..1.
Colormap even(std::initializer_list<const char*> colours) {
    std::vector<std::pair<double, Rgba>> stops;
    const double n = static_cast<double>(colours.size() - 1);
    double i = 0;
    for (const char* c : colours) stops.emplace_back(i++ / n, *parse_colour(c));
    return Colormap(std::move(stops), false);
}

Colormap ramp(std::initializer_list<std::pair<double, const char*>> s, bool discrete = false) {
    std::vector<std::pair<double, Rgba>> stops;
    for (const auto& [v, c] : s) stops.emplace_back(v, *parse_colour(c));
    return Colormap(std::move(stops), true, discrete);
}

const std::map<std::string, Colormap>& named_colormaps() {
    static const std::map<std::string, Colormap> maps = {
        {"viridis", even({"#440154", "#482878", "#3e4a89", "#31688e", "#26828e", "#1f9e89", "#35b779", "#6ece58",
                          "#b5de2b", "#fde725"})},
        {"magma", even({"#000004", "#180f3d", "#440f76", "#721f81", "#9e2f7f", "#cd4071", "#f1605d", "#fd9668",
                        "#feca8d", "#fcfdbf"})},
        {"inferno", even({"#000004", "#1b0c41", "#4a0c6b", "#781c6d", "#a52c60", "#cf4446", "#ed6925", "#fb9b06",
                          "#f7d13d", "#fcffa4"})},
        {"plasma", even({"#0d0887", "#46039f", "#7201a8", "#9c179e", "#bd3786", "#d8576b", "#ed7953", "#fb9f3a",
                         "#fdca26", "#f0f921"})},
        {"greys", even({"#000000", "#ffffff"})},
        {"rdylgn", even({"#a50026", "#d73027", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#d9ef8b", "#a6d96a",
                         "#66bd63", "#1a9850", "#006837"})},
        {"rdbu", even({"#67001f", "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f7f7f7", "#d1e5f0", "#92c5de",
                       "#4393c3", "#2166ac", "#053061"})},
        {"blues", even({"#f7fbff", "#c6dbef", "#6baed6", "#2171b5", "#08306b"})},
        {"terrain", even({"#333399", "#0099cc", "#33cc66", "#ccff99", "#cc9966", "#996633", "#ffffff"})},
        {"spectral", even({"#9e0142", "#d53e4f", "#f46d43", "#fdae61", "#fee08b", "#ffffbf", "#e6f598", "#abdda4",
                           "#66c2a5", "#3288bd", "#5e4fa2"})},
        // Vegetation, water and moisture ramps of the presets, in index units (-1..1).
        {"ndvi", ramp({{-0.5, "#0c2c84"}, {-0.2, "#6b8fc7"}, {0.0, "#d9c89a"}, {0.2, "#c9e27f"}, {0.4, "#7fbc41"},
                       {0.6, "#2f8f2f"}, {0.8, "#0b5d1e"}, {1.0, "#003b10"}})},
        {"ndwi", ramp({{-0.8, "#3d2b1a"}, {-0.3, "#c8b68a"}, {0.0, "#e9f2f7"}, {0.2, "#9ecae1"}, {0.5, "#2171b5"},
                       {1.0, "#08306b"}})},
        {"moisture", ramp({{-0.6, "#8c2d04"}, {-0.2, "#f16913"}, {0.0, "#fee391"}, {0.2, "#74c476"}, {0.4, "#2171b5"},
                           {0.8, "#08306b"}})},
        // Sentinel-2 L2A scene classification, one colour per class 0..11.
        {"scl", ramp({{0, "#000000"}, {1, "#ff0000"}, {2, "#2f2f2f"}, {3, "#643200"}, {4, "#00a000"}, {5, "#ffe65a"},
                      {6, "#0000ff"}, {7, "#808080"}, {8, "#c0c0c0"}, {9, "#ffffff"}, {10, "#64c8ff"}, {11, "#ff96ff"}},
                     true)},
    };
    return maps;
}

Style preset(const char* id, const char* title, const char* description, std::vector<std::string> collections,
             const char* expression, std::vector<std::pair<double, double>> rescale, const char* colormap = nullptr) {
    Style s;
    s.id = id;
    s.title = title;
    s.description = description;
    s.collections = std::move(collections);
    s.expression = Expression::parse(expression);
    s.rescale = std::move(rescale);
    if (colormap) s.colormap = Colormap::named(colormap);
    return s;
}

std::vector<Style> make_presets() {
    const std::vector<std::string> s2 = {"SENTINEL-2"}, s1 = {"SENTINEL-1"}, ls = {"LANDSAT-8", "LANDSAT-9"};
    std::vector<Style> v;
    v.push_back(preset("TRUE_COLOR", "True colour", "B04, B03, B02 reflectance 0-0.4", s2, "B04;B03;B02", {{0, 0.4}}));
    v.push_back(preset("FALSE_COLOR", "False colour (vegetation)", "B08, B04, B03 reflectance 0-0.4", s2,
                       "B08;B04;B03", {{0, 0.4}}));
    v.push_back(preset("FALSE_COLOR_URBAN", "False colour (urban)", "B12, B11, B04 reflectance 0-0.4", s2,
                       "B12;B11;B04", {{0, 0.4}}));
    v.push_back(preset("NDVI", "NDVI", "(B08 - B04) / (B08 + B04) on a vegetation ramp", s2, "(B08-B04)/(B08+B04)",
                       {}, "ndvi"));
    v.push_back(preset("NDWI", "NDWI", "(B03 - B08) / (B03 + B08) on a water ramp", s2, "(B03-B08)/(B03+B08)", {},
                       "ndwi"));
    v.push_back(preset("SWIR", "Short-wave infrared", "B12, B8A, B04 reflectance 0-0.4", s2, "B12;B8A;B04",
                       {{0, 0.4}}));
    v.push_back(preset("MOISTURE_INDEX", "Moisture index", "(B8A - B11) / (B8A + B11) on a moisture ramp", s2,
                       "(B8A-B11)/(B8A+B11)", {}, "moisture"));
    v.push_back(preset("AGRICULTURE", "Agriculture", "B11, B08, B02 reflectance 0-0.4", s2, "B11;B08;B02",
                       {{0, 0.4}}));
    v.push_back(preset("SCENE_CLASSIFICATION", "Scene classification (L2A)", "SCL classes 0-11", s2, "SCL", {},
                       "scl"));
    v.push_back(preset("VV_DB", "VV backscatter (dB)", "sigma nought VV, -25 to 0 dB", s1, "db(VV)", {{-25, 0}},
                       "greys"));
    v.push_back(preset("VH_DB", "VH backscatter (dB)", "sigma nought VH, -30 to -5 dB", s1, "db(VH)", {{-30, -5}},
                       "greys"));
    v.push_back(preset("DUAL_POL", "Dual polarisation false colour", "VV dB, VH dB, VV/VH ratio in dB", s1,
                       "db(VV);db(VH);db(VV)-db(VH)", {{-20, 0}, {-25, -5}, {0, 15}}));
    v.push_back(preset("LANDSAT_TRUE_COLOR", "Landsat true colour", "SR_B4, SR_B3, SR_B2 reflectance 0-0.3", ls,
                       "SR_B4;SR_B3;SR_B2", {{0, 0.3}}));
    v.push_back(preset("LANDSAT_FALSE_COLOR", "Landsat false colour", "SR_B5, SR_B4, SR_B3 reflectance 0-0.4", ls,
                       "SR_B5;SR_B4;SR_B3", {{0, 0.4}}));
    v.push_back(preset("LANDSAT_NDVI", "Landsat NDVI", "(SR_B5 - SR_B4) / (SR_B5 + SR_B4)", ls,
                       "(SR_B5-SR_B4)/(SR_B5+SR_B4)", {}, "ndvi"));
    return v;
}

}  // namespace

Colormap::Colormap(std::vector<std::pair<double, Rgba>> stops, bool in_data_units, bool discrete)
    : stops_(std::move(stops)), data_units_(in_data_units), discrete_(discrete) {
    std::stable_sort(stops_.begin(), stops_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
}

Colormap Colormap::named(std::string_view name) {
    std::string key = detail::to_lower(detail::trim(name));
    bool reverse = detail::ends_with(key, "_r");
    if (reverse) key.resize(key.size() - 2);
    const auto& maps = named_colormaps();
    auto it = maps.find(key);
    if (it == maps.end()) {
        std::string known;
        for (const auto& [k, _] : maps) known += (known.empty() ? "" : ", ") + k;
        throw NotFoundError(kOrigin, fmt::format("unknown colormap '{}' (known: {})", detail::trim(name), known));
    }
    Colormap c = it->second;
    if (reverse) {
        auto stops = c.stops_;
        const double lo = stops.front().first, hi = stops.back().first;
        for (auto& [v, _] : stops) v = lo + hi - v;
        c = Colormap(std::move(stops), c.data_units_, c.discrete_);
    }
    return c;
}

Colormap Colormap::parse(std::string_view text) {
    std::string_view t = detail::trim(text);
    bool discrete = false;
    if (detail::starts_with(t, "discrete:")) {
        discrete = true;
        t.remove_prefix(9);
    }
    if (t.find(':') == std::string_view::npos && !discrete) return named(t);
    std::vector<std::pair<double, Rgba>> stops;
    for (const auto& item : detail::split(t, ',', true)) {
        auto colon = item.find(':');
        if (colon == std::string::npos)
            throw InvalidArgument(kOrigin, fmt::format("colormap stop '{}' is not VALUE:COLOR", item));
        auto v = detail::parse_double(detail::trim(std::string_view(item).substr(0, colon)));
        auto c = parse_colour(std::string_view(item).substr(colon + 1));
        if (!v || !std::isfinite(*v)) throw InvalidArgument(kOrigin, fmt::format("colormap stop '{}': bad value", item));
        if (!c) throw InvalidArgument(kOrigin, fmt::format("colormap stop '{}': bad colour (#rrggbb)", item));
        stops.emplace_back(*v, *c);
    }
    if (stops.size() < 2) throw InvalidArgument(kOrigin, "a colormap needs at least two VALUE:COLOR stops");
    if (stops.size() > 256) throw InvalidArgument(kOrigin, "a colormap has at most 256 stops");
    return Colormap(std::move(stops), true, discrete);
}

std::vector<std::string> Colormap::names() {
    std::vector<std::string> out;
    for (const auto& [k, _] : named_colormaps()) out.push_back(k);
    return out;
}

Rgba Colormap::at(double v) const noexcept {
    if (stops_.empty() || std::isnan(v)) return Rgba{0, 0, 0, 0};
    if (v <= stops_.front().first) return stops_.front().second;
    if (v >= stops_.back().first) return stops_.back().second;
    auto it = std::upper_bound(stops_.begin(), stops_.end(), v, [](double x, const auto& s) { return x < s.first; });
    const auto& hi = *it;
    const auto& lo = *(it - 1);
    if (discrete_) return lo.second;
    const double t = (v - lo.first) / (hi.first - lo.first);
    auto mix = [t](std::uint8_t a, std::uint8_t b) {
        return static_cast<std::uint8_t>(std::lround(a + (static_cast<double>(b) - a) * t));
    };
    return Rgba{mix(lo.second.r, hi.second.r), mix(lo.second.g, hi.second.g), mix(lo.second.b, hi.second.b),
                mix(lo.second.a, hi.second.a)};
}

std::array<Rgba, 256> Colormap::table(double lo, double hi) const {
    std::array<Rgba, 256> t{};
    for (int i = 0; i < 256; ++i) t[static_cast<std::size_t>(i)] = at(lo + (hi - lo) * i / 255.0);
    return t;
}

std::vector<std::string> Style::bands() const {
    std::vector<std::string> b = expression.bands();
    for (const auto& e : extra_bands) {
        std::string u = detail::to_upper(e);
        if (std::find(b.begin(), b.end(), u) == b.end()) b.push_back(u);
    }
    return b;
}

bool Style::applies_to(std::string_view collection) const {
    if (collections.empty()) return true;
    const std::string c = canonical_collection(collection);
    return std::find(collections.begin(), collections.end(), c) != collections.end();
}

const std::vector<Style>& style_presets() {
    static const std::vector<Style> presets = make_presets();
    return presets;
}

const Style& style_preset(std::string_view id) {
    for (const auto& s : style_presets())
        if (detail::iequals(s.id, detail::trim(id))) return s;
    std::string known;
    for (const auto& s : style_presets()) known += (known.empty() ? "" : ", ") + s.id;
    throw NotFoundError(kOrigin, fmt::format("unknown style '{}' (known: {})", detail::trim(id), known));
}

std::vector<const Style*> styles_for_collection(std::string_view collection) {
    std::vector<const Style*> out;
    for (const auto& s : style_presets())
        if (s.applies_to(collection)) out.push_back(&s);
    return out;
}

std::pair<double, double> parse_rescale(std::string_view text) {
    auto parts = detail::split(detail::trim(text), ',');
    if (parts.size() != 2) throw InvalidArgument(kOrigin, fmt::format("rescale '{}' is not MIN,MAX", text));
    auto lo = detail::parse_double(detail::trim(parts[0])), hi = detail::parse_double(detail::trim(parts[1]));
    if (!lo || !hi || !std::isfinite(*lo) || !std::isfinite(*hi))
        throw InvalidArgument(kOrigin, fmt::format("rescale '{}': MIN and MAX must be numbers", text));
    if (*lo == *hi) throw InvalidArgument(kOrigin, fmt::format("rescale '{}': MIN equals MAX", text));
    return {*lo, *hi};
}

Style custom_style(std::string_view expression, const std::vector<std::string>& rescale, std::string_view colormap,
                   double gamma) {
    Style s;
    s.title = "custom";
    s.expression = Expression::parse(expression);
    const std::size_t n = s.expression.outputs();
    if (n != 1 && n != 3 && n != 4)
        throw InvalidArgument(kOrigin, fmt::format("an expression needs 1, 3 or 4 output bands, got {}", n));
    for (const auto& r : rescale)
        for (const auto& part : detail::split(r, ';', true)) s.rescale.push_back(parse_rescale(part));
    if (s.rescale.size() > 1 && s.rescale.size() != n)
        throw InvalidArgument(kOrigin, fmt::format("{} rescale ranges for {} output bands", s.rescale.size(), n));
    if (!detail::trim(colormap).empty()) {
        if (n != 1) throw InvalidArgument(kOrigin, "a colormap needs a one-band expression");
        s.colormap = Colormap::parse(colormap);
    }
    if (!(gamma > 0.01 && gamma < 100)) throw InvalidArgument(kOrigin, fmt::format("gamma {} is outside 0.01..100", gamma));
    s.gamma = gamma;
    return s;
}

}  // namespace creodias
