// libFuzzer target: band-math expressions and colormaps. Any input may be rejected with
// creodias::Error; a parsed expression must evaluate (vectorised and scalar) without
// crashing, hanging or leaking, on any band values including NaN and infinities.
#include <creodias/error.hpp>
#include <creodias/expression.hpp>
#include <creodias/style.hpp>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view in(reinterpret_cast<const char*>(data), size);
    try {
        auto e = creodias::Expression::parse(in);
        const std::size_t n = 300;
        std::vector<std::vector<float>> bands(e.bands().size(), std::vector<float>(n));
        for (std::size_t b = 0; b < bands.size(); ++b)
            for (std::size_t i = 0; i < n; ++i)
                bands[b][i] = i % 7 == 0 ? std::numeric_limits<float>::quiet_NaN()
                              : i % 11 == 0 ? std::numeric_limits<float>::infinity()
                                            : static_cast<float>(i) / 97.0f - 1.0f + static_cast<float>(b);
        std::vector<const float*> ptrs;
        for (const auto& b : bands) ptrs.push_back(b.data());
        std::vector<float> out(n);
        std::vector<double> one(e.bands().size(), 0.5);
        for (std::size_t o = 0; o < e.outputs(); ++o) {
            e.evaluate(o, ptrs.data(), n, out.data());
            (void)e.evaluate_at(o, one.data());
        }
    } catch (const creodias::Error&) {
    }
    try {
        auto c = creodias::Colormap::parse(in);
        (void)c.at(0.5);
        (void)c.table(-1, 1);
    } catch (const creodias::Error&) {
    }
    return 0;
}
