// Band-math expressions: values against direct C++ arithmetic, operator precedence, the
// vectorised path against the scalar reference, and errors with positions.
#include <creodias/error.hpp>
#include <creodias/expression.hpp>

#include <boost/test/unit_test.hpp>

#include <cmath>
#include <random>
#include <vector>

using namespace creodias;

namespace {

double eval1(const std::string& text, std::vector<double> in = {}) {
    auto e = Expression::parse(text);
    return e.evaluate_at(0, in.data());
}

std::string error_of(const std::string& text) {
    try {
        Expression::parse(text);
    } catch (const InvalidArgument& e) {
        return e.what();
    }
    return "";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(expression)

BOOST_AUTO_TEST_CASE(arithmetic_precedence_and_functions) {
    BOOST_TEST(eval1("1 + 2 * 3") == 7.0);
    BOOST_TEST(eval1("(1 + 2) * 3") == 9.0);
    BOOST_TEST(eval1("2 ^ 3 ^ 2") == 512.0);  // right-associative
    BOOST_TEST(eval1("-2 ** 2") == -4.0);     // power binds tighter than unary minus (as in Python)
    BOOST_TEST(eval1("2 ** -1") == 0.5);
    BOOST_TEST(eval1("10 % 4") == 2.0);
    BOOST_TEST(eval1("1 < 2 && 3 >= 3") == 1.0);
    BOOST_TEST(eval1("!(1 == 1) || 0") == 0.0);
    BOOST_TEST(eval1("1 != 2 ? 5 : 6") == 5.0);
    BOOST_TEST(eval1("max(1, 7, 3) + min(4, 2)") == 9.0);
    BOOST_TEST(eval1("clamp(5, 0, 1)") == 1.0);
    BOOST_TEST(std::fabs(eval1("db(100)") - 20.0) < 1e-12);
    BOOST_TEST(std::fabs(eval1("atan2(1, 1) * 4") - M_PI) < 1e-12);
    BOOST_TEST(eval1("1.5e2 + .5") == 150.5);
}

BOOST_AUTO_TEST_CASE(bands_are_case_insensitive_and_ordered_by_first_use) {
    auto e = Expression::parse("(b08 - B04) / (B08 + b04)");
    BOOST_TEST(e.bands().size() == 2u);
    BOOST_TEST(e.bands()[0] == "B08");
    BOOST_TEST(e.bands()[1] == "B04");
    double in[2] = {0.5, 0.1};
    BOOST_TEST(std::fabs(e.evaluate_at(0, in) - (0.4 / 0.6)) < 1e-12);
}

BOOST_AUTO_TEST_CASE(several_outputs) {
    auto e = Expression::parse("B04;B03*2; B02 + 1;");
    BOOST_TEST(e.outputs() == 3u);
    double in[3] = {1, 2, 3};
    BOOST_TEST(e.evaluate_at(1, in) == 4.0);
    BOOST_TEST(e.evaluate_at(2, in) == 4.0);
}

BOOST_AUTO_TEST_CASE(vectorised_evaluation_matches_the_scalar_reference) {
    const char* texts[] = {"(B08-B04)/(B08+B04)", "B08 > 0.3 ? sqrt(B04) : -B04 * 2", "db(B04) + log(B08) - exp(B04)",
                           "clamp(B04 * 3, 0, 1) ^ 0.5", "abs(B04 - B08) % 0.3 + floor(B08 * 10)"};
    std::mt19937 rng(7);
    std::uniform_real_distribution<float> u(0.f, 1.f);
    const std::size_t n = 1000;  // not a multiple of the block size
    std::vector<float> b04(n), b08(n);
    for (std::size_t i = 0; i < n; ++i) {
        b04[i] = u(rng);
        b08[i] = u(rng);
    }
    b04[5] = 0;
    b08[5] = 0;  // 0/0: NaN
    for (const char* t : texts) {
        auto e = Expression::parse(t);
        std::vector<const float*> in;
        for (const auto& b : e.bands()) in.push_back(b == "B04" ? b04.data() : b08.data());
        std::vector<float> out(n);
        e.evaluate(0, in.data(), n, out.data());
        for (std::size_t i = 0; i < n; ++i) {
            double sc[2];
            for (std::size_t k = 0; k < e.bands().size(); ++k) sc[k] = e.bands()[k] == "B04" ? b04[i] : b08[i];
            const double ref = e.evaluate_at(0, sc);
            if (std::isinf(ref)) {
                BOOST_TEST(out[i] == static_cast<float>(ref), t << " at " << i);
            } else if (std::isnan(ref)) {
                BOOST_TEST(std::isnan(out[i]), t << " at " << i);
            } else {
                BOOST_TEST(std::fabs(out[i] - ref) <= 1e-4 * std::max(1.0, std::fabs(ref)), t << " at " << i);
            }
        }
    }
}

BOOST_AUTO_TEST_CASE(parse_errors_give_the_position) {
    BOOST_TEST(error_of("(B08 - B04") == "expected ')' to close '(' but the expression ends at position 11");
    BOOST_TEST(error_of("B08 - ) ") == "unexpected ')' at position 7");
    BOOST_TEST(error_of("B08 $ 2") == "unexpected '$' at position 5");
    BOOST_TEST(error_of("foo(B04)") == "unknown function 'foo' at position 1");
    BOOST_TEST(error_of("sqrt(1, 2)") == "sqrt() takes 1 argument, got 2 at position 1");
    BOOST_TEST(error_of("B04 / 0") == "division by zero at position 5");
    BOOST_TEST(error_of("B04 / (2 - 2)") == "division by zero at position 5");
    BOOST_TEST(error_of("B04;;B03") == "empty expression at position 5");
    BOOST_TEST(error_of("") == "empty expression at position 1");
    BOOST_TEST(error_of("1 ? 2") == "expected ':' in 'c ? a : b' but the expression ends at position 6");
    BOOST_TEST(error_of("__import__('os')") != "");
    BOOST_TEST(error_of("B04 = 1") != "");
}

BOOST_AUTO_TEST_CASE(limits_are_enforced) {
    std::string deep(100, '(');
    deep += "1" + std::string(100, ')');
    BOOST_TEST(error_of(deep).find("nesting deeper than 64") != std::string::npos);
    BOOST_CHECK_THROW(Expression::parse(std::string(5000, '1')), InvalidArgument);
    BOOST_CHECK_THROW(Expression::parse("1;2;3;4;5;6;7;8;9"), InvalidArgument);
}

BOOST_AUTO_TEST_SUITE_END()
