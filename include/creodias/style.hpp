#pragma once
/// @file
/// Styles: how band values become colours. A style is a band-math Expression with one
/// output (grey, or a colormap) or three/four outputs (RGB/RGBA), per-output linear
/// rescaling, gamma, and an optional colormap. Named presets cover the layers EO users
/// look at most (TRUE_COLOR, FALSE_COLOR, NDVI, NDWI, SWIR, MOISTURE_INDEX, Sentinel-1
/// backscatter in dB, Landsat true colour and NDVI...).
///
/// Band values are physical: Sentinel-2 and Landsat bands are surface or top-of-atmosphere
/// reflectance (0..1, radiometric offsets of baselines 04.00+ applied), Sentinel-1 bands are
/// calibrated sigma nought (linear), SCL is the class number.
///
/// Thread safety: Style and Colormap are immutable values.

#include <creodias/export.hpp>
#include <creodias/expression.hpp>

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace creodias {

struct Rgba {
    std::uint8_t r = 0, g = 0, b = 0, a = 255;
    bool operator==(const Rgba& o) const noexcept { return r == o.r && g == o.g && b == o.b && a == o.a; }
};

/// A colour ramp: colours at increasing stop values, linearly interpolated (or stepped when
/// `discrete`). Named colormaps have stops in 0..1 and are applied after rescaling; a custom
/// ramp ("-0.2:#a50026,0:#ffffbf,0.8:#006837") has stops in data values.
class CREODIAS_EXPORT Colormap {
public:
    /// A named colormap, case-insensitively (see names()); a trailing "_r" reverses it.
    /// @throws NotFoundError naming the known colormaps.
    static Colormap named(std::string_view name);
    /// A named colormap, or a custom ramp "VALUE:COLOR,VALUE:COLOR,..." with colours as
    /// #rrggbb, #rrggbbaa or rrggbb; "discrete:" before the stops makes it stepped.
    /// @throws InvalidArgument.
    static Colormap parse(std::string_view text);
    static std::vector<std::string> names();

    Colormap() = default;
    Colormap(std::vector<std::pair<double, Rgba>> stops, bool in_data_units, bool discrete = false);

    Rgba at(double v) const noexcept;
    /// Whether stops are data values (custom ramps) rather than rescaled 0..1 values.
    bool in_data_units() const noexcept { return data_units_; }
    const std::vector<std::pair<double, Rgba>>& stops() const noexcept { return stops_; }
    /// A 256-entry lookup table over [lo, hi].
    std::array<Rgba, 256> table(double lo, double hi) const;

private:
    std::vector<std::pair<double, Rgba>> stops_;
    bool data_units_ = false;
    bool discrete_ = false;
};

struct CREODIAS_EXPORT Style {
    std::string id;           ///< "TRUE_COLOR"; "" for a per-request style
    std::string title;
    std::string description;
    /// Collections the style applies to ("SENTINEL-2", ...); empty: any whose bands fit.
    std::vector<std::string> collections;
    Expression expression;    ///< 1, 3 or 4 outputs
    /// Per output (one entry applies to all); default [0, 1]. Ignored for one output with a
    /// colormap in data units.
    std::vector<std::pair<double, double>> rescale;
    double gamma = 1.0;       ///< applied to rescaled 0..1 values: v^(1/gamma)
    std::optional<Colormap> colormap;  ///< for one-output styles
    /// Extra bands the style needs besides those of the expression (e.g. "SCL").
    std::vector<std::string> extra_bands;

    /// Bands to read: expression bands then extra bands.
    std::vector<std::string> bands() const;
    /// Whether a product of `collection` can be rendered with this style.
    bool applies_to(std::string_view collection) const;
};

/// The named presets, in a stable order.
CREODIAS_EXPORT const std::vector<Style>& style_presets();
/// A preset by id (case-insensitive). @throws NotFoundError naming the known ids.
CREODIAS_EXPORT const Style& style_preset(std::string_view id);
/// The presets that apply to a collection.
CREODIAS_EXPORT std::vector<const Style*> styles_for_collection(std::string_view collection);

/// A per-request style from an expression ("B04;B03;B02" or "(B08-B04)/(B08+B04)"), rescale
/// ranges ("0,0.3" per output, ';'-separated or repeated), a colormap name or ramp, and
/// gamma. @throws InvalidArgument with the faulty part.
CREODIAS_EXPORT Style custom_style(std::string_view expression, const std::vector<std::string>& rescale = {},
                                   std::string_view colormap = {}, double gamma = 1.0);

/// Parses "MIN,MAX". @throws InvalidArgument.
CREODIAS_EXPORT std::pair<double, double> parse_rescale(std::string_view text);

}  // namespace creodias
