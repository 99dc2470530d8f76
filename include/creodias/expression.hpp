#pragma once
/// @file
/// Band math: a small, safe expression language evaluated per pixel over float bands.
///
///     (B08 - B04) / (B08 + B04)              NDVI
///     10 * log10(VV); 10 * log10(VH)          two output bands, separated by ';'
///     B04 > 0.3 ? 1 : clamp(B04 * 3, 0, 1)   comparisons, ternary, functions
///
/// Grammar: numbers, band names (identifiers such as B04, B8A, SR_B4, VV, SCL; compared
/// case-insensitively), the constants `pi` and `e`, operators `+ - * / % ^` (also `**`),
/// comparisons `< <= > >= == !=`, `&&`, `||`, `!`, `c ? a : b`, parentheses, and the
/// functions abs, sqrt, exp, log (natural), log10, log2, db (10·log10), pow, min, max,
/// clamp(x, lo, hi), floor, ceil, round, sin, cos, tan, asin, acos, atan, atan2, sign,
/// isnan. Nothing else exists: there is no assignment, no loop and no call into anything but
/// these functions, so evaluation cannot run code. Comparisons give 1 or 0; `&&`, `||` and
/// `!` treat non-zero as true.
///
/// A parse error is an InvalidArgument whose message gives the 1-based character position
/// ("expression: unexpected ')' at position 9"). A division by a constant zero is refused at
/// parse time; per pixel, 0/0, log(-1) and the like give NaN, which renderers treat as no
/// data.
///
/// Thread safety: an Expression is immutable after parsing; evaluate() may run concurrently.

#include <creodias/export.hpp>

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace creodias {

/// Limits of what parse() accepts.
struct ExpressionLimits {
    /// Characters of the whole text.  DEFAULT: 4096
    std::size_t max_length = 4096;
    /// Output bands (';'-separated parts).  DEFAULT: 8
    std::size_t max_outputs = 8;
    /// Nesting depth of the syntax tree.  DEFAULT: 64
    std::size_t max_depth = 64;
};

class CREODIAS_EXPORT Expression {
public:
    /// Parses `text`. @throws InvalidArgument with the position of the error.
    static Expression parse(std::string_view text, const ExpressionLimits& limits = {});

    Expression();
    ~Expression();
    Expression(const Expression&);
    Expression& operator=(const Expression&);
    Expression(Expression&&) noexcept;
    Expression& operator=(Expression&&) noexcept;

    /// The text as given.
    const std::string& text() const noexcept;
    /// Number of output bands.
    std::size_t outputs() const noexcept;
    /// The band names the expression reads, upper-case, in order of first use.
    const std::vector<std::string>& bands() const noexcept;

    /// Evaluates output `output` for `n` pixels. `inputs[i]` points to `n` floats of band
    /// bands()[i]; `out` receives `n` floats.
    void evaluate(std::size_t output, const float* const* inputs, std::size_t n, float* out) const;
    /// Evaluates output `output` at one pixel (`inputs[i]` the value of bands()[i]).
    double evaluate_at(std::size_t output, const double* inputs) const;

private:
    struct Impl;
    std::shared_ptr<const Impl> impl_;
};

}  // namespace creodias
