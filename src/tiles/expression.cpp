// Band-math expressions: a recursive-descent parser to a syntax tree, constant folding,
// then a flat register program evaluated over blocks of pixels (one tight loop per
// instruction, which the compiler vectorises).
#include <creodias/error.hpp>
#include <creodias/expression.hpp>

#include "core/strings.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

namespace creodias {
namespace {

constexpr const char* kOrigin = "expression";

enum class Op : std::uint8_t {
    constant, band,
    neg, lnot,
    add, sub, mul, div, mod, pow,
    lt, le, gt, ge, eq, ne, land, lor,
    cond,
    // functions
    abs, sqrt, exp, log, log10, log2, db, floor, ceil, round, sin, cos, tan, asin, acos, atan, sign, isnan,
    atan2, min, max, fpow, clamp,
};

struct Function {
    const char* name;
    Op op;
    int arity;  // -1: two or more (min, max)
};

constexpr std::array<Function, 24> kFunctions{{
    {"abs", Op::abs, 1},     {"sqrt", Op::sqrt, 1},   {"exp", Op::exp, 1},     {"log", Op::log, 1},
    {"ln", Op::log, 1},      {"log10", Op::log10, 1}, {"log2", Op::log2, 1},   {"db", Op::db, 1},
    {"floor", Op::floor, 1}, {"ceil", Op::ceil, 1},   {"round", Op::round, 1}, {"sin", Op::sin, 1},
    {"cos", Op::cos, 1},     {"tan", Op::tan, 1},     {"asin", Op::asin, 1},   {"acos", Op::acos, 1},
    {"atan", Op::atan, 1},   {"sign", Op::sign, 1},   {"isnan", Op::isnan, 1}, {"atan2", Op::atan2, 2},
    {"min", Op::min, -1},    {"max", Op::max, -1},    {"pow", Op::fpow, 2},    {"clamp", Op::clamp, 3},
}};

struct Node {
    Op op = Op::constant;
    double value = 0;      // constant
    int band = -1;         // band index
    std::size_t pos = 0;   // 1-based position in the text, for messages
    std::vector<int> args; // child node indices
};

double apply(Op op, double a, double b = 0, double c = 0) {
    switch (op) {
        case Op::neg: return -a;
        case Op::lnot: return a == 0 ? 1 : 0;
        case Op::add: return a + b;
        case Op::sub: return a - b;
        case Op::mul: return a * b;
        case Op::div: return a / b;
        case Op::mod: return std::fmod(a, b);
        case Op::pow: case Op::fpow: return std::pow(a, b);
        case Op::lt: return a < b;
        case Op::le: return a <= b;
        case Op::gt: return a > b;
        case Op::ge: return a >= b;
        case Op::eq: return a == b;
        case Op::ne: return a != b;
        case Op::land: return (a != 0 && b != 0) ? 1 : 0;
        case Op::lor: return (a != 0 || b != 0) ? 1 : 0;
        case Op::cond: return a != 0 ? b : c;
        case Op::abs: return std::fabs(a);
        case Op::sqrt: return std::sqrt(a);
        case Op::exp: return std::exp(a);
        case Op::log: return std::log(a);
        case Op::log10: return std::log10(a);
        case Op::log2: return std::log2(a);
        case Op::db: return 10 * std::log10(a);
        case Op::floor: return std::floor(a);
        case Op::ceil: return std::ceil(a);
        case Op::round: return std::round(a);
        case Op::sin: return std::sin(a);
        case Op::cos: return std::cos(a);
        case Op::tan: return std::tan(a);
        case Op::asin: return std::asin(a);
        case Op::acos: return std::acos(a);
        case Op::atan: return std::atan(a);
        case Op::sign: return std::isnan(a) ? a : (a > 0) - (a < 0);
        case Op::isnan: return std::isnan(a) ? 1 : 0;
        case Op::atan2: return std::atan2(a, b);
        case Op::min: return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::min(a, b);
        case Op::max: return std::isnan(a) || std::isnan(b) ? std::numeric_limits<double>::quiet_NaN() : std::max(a, b);
        case Op::clamp: return std::isnan(a) ? a : std::min(std::max(a, b), c);
        case Op::constant: case Op::band: break;
    }
    return std::numeric_limits<double>::quiet_NaN();
}

class Parser {
public:
    Parser(std::string_view text, std::size_t base, const ExpressionLimits& limits, std::vector<Node>& nodes,
           std::vector<std::string>& bands)
        : s_(text), base_(base), limits_(limits), nodes_(nodes), bands_(bands) {}

    int parse_all() {
        skip();
        if (i_ >= s_.size()) fail("empty expression");
        int root = ternary(0);
        skip();
        if (i_ < s_.size()) fail(fmt::format("unexpected '{}'", s_[i_]));
        return root;
    }

private:
    [[noreturn]] void fail(const std::string& what, std::optional<std::size_t> at = std::nullopt) const {
        throw InvalidArgument(kOrigin, fmt::format("{} at position {}", what, base_ + (at ? *at : i_) + 1));
    }
    void skip() {
        while (i_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    bool accept(std::string_view tok) {
        skip();
        if (s_.substr(i_, tok.size()) == tok) {
            i_ += tok.size();
            return true;
        }
        return false;
    }
    void expect(char c, const char* what) {
        skip();
        if (i_ >= s_.size()) fail(fmt::format("expected '{}' {} but the expression ends", c, what));
        if (s_[i_] != c) fail(fmt::format("expected '{}' {}, found '{}'", c, what, s_[i_]));
        ++i_;
    }
    void depth_check(std::size_t depth) const {
        if (depth > limits_.max_depth) fail(fmt::format("nesting deeper than {}", limits_.max_depth));
    }
    int add(Node n) {
        nodes_.push_back(std::move(n));
        return static_cast<int>(nodes_.size()) - 1;
    }
    int make(Op op, std::size_t pos, std::vector<int> args) {
        Node n;
        n.op = op;
        n.pos = base_ + pos + 1;
        n.args = std::move(args);
        return fold(add(std::move(n)));
    }
    // Constant folding, and refusal of a division by a constant zero.
    int fold(int id) {
        Node& n = nodes_[static_cast<std::size_t>(id)];
        if ((n.op == Op::div || n.op == Op::mod) && nodes_[static_cast<std::size_t>(n.args[1])].op == Op::constant &&
            nodes_[static_cast<std::size_t>(n.args[1])].value == 0)
            throw InvalidArgument(kOrigin, fmt::format("division by zero at position {}", n.pos));
        for (int a : n.args)
            if (nodes_[static_cast<std::size_t>(a)].op != Op::constant) return id;
        double v[3] = {0, 0, 0};
        for (std::size_t k = 0; k < n.args.size() && k < 3; ++k) v[k] = nodes_[static_cast<std::size_t>(n.args[k])].value;
        double r = apply(n.op, v[0], v[1], v[2]);
        n.op = Op::constant;
        n.value = r;
        n.args.clear();
        return id;
    }

    int ternary(std::size_t d) {
        depth_check(d);
        skip();
        std::size_t pos = i_;
        int c = logical_or(d + 1);
        if (accept("?")) {
            int a = ternary(d + 1);
            expect(':', "in 'c ? a : b'");
            int b = ternary(d + 1);
            return make(Op::cond, pos, {c, a, b});
        }
        return c;
    }
    int logical_or(std::size_t d) {
        int l = logical_and(d + 1);
        for (;;) {
            skip();
            std::size_t pos = i_;
            if (!accept("||")) return l;
            l = make(Op::lor, pos, {l, logical_and(d + 1)});
        }
    }
    int logical_and(std::size_t d) {
        int l = comparison(d + 1);
        for (;;) {
            skip();
            std::size_t pos = i_;
            if (!accept("&&")) return l;
            l = make(Op::land, pos, {l, comparison(d + 1)});
        }
    }
    int comparison(std::size_t d) {
        int l = additive(d + 1);
        skip();
        std::size_t pos = i_;
        Op op;
        if (accept("<=")) op = Op::le;
        else if (accept(">=")) op = Op::ge;
        else if (accept("==")) op = Op::eq;
        else if (accept("!=")) op = Op::ne;
        else if (accept("<")) op = Op::lt;
        else if (accept(">")) op = Op::gt;
        else return l;
        return make(op, pos, {l, additive(d + 1)});
    }
    int additive(std::size_t d) {
        int l = multiplicative(d + 1);
        for (;;) {
            skip();
            std::size_t pos = i_;
            if (accept("+")) l = make(Op::add, pos, {l, multiplicative(d + 1)});
            else if (accept("-")) l = make(Op::sub, pos, {l, multiplicative(d + 1)});
            else return l;
        }
    }
    int multiplicative(std::size_t d) {
        int l = unary(d + 1);
        for (;;) {
            skip();
            std::size_t pos = i_;
            if (s_.substr(i_, 2) == "**") return l;  // power, handled below unary
            if (accept("*")) l = make(Op::mul, pos, {l, unary(d + 1)});
            else if (accept("/")) l = make(Op::div, pos, {l, unary(d + 1)});
            else if (accept("%")) l = make(Op::mod, pos, {l, unary(d + 1)});
            else return l;
        }
    }
    int unary(std::size_t d) {
        depth_check(d);
        skip();
        std::size_t pos = i_;
        if (accept("-")) return make(Op::neg, pos, {unary(d + 1)});
        if (accept("+")) return unary(d + 1);
        if (s_.substr(i_, 2) != "!=" && accept("!")) return make(Op::lnot, pos, {unary(d + 1)});
        return power(d + 1);
    }
    int power(std::size_t d) {
        int base = primary(d + 1);
        skip();
        std::size_t pos = i_;
        if (accept("^") || accept("**")) return make(Op::pow, pos, {base, unary(d + 1)});  // right-associative
        return base;
    }
    int primary(std::size_t d) {
        depth_check(d);
        skip();
        if (i_ >= s_.size()) fail("unexpected end of expression");
        const std::size_t pos = i_;
        const char c = s_[i_];
        if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') return number();
        if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
            std::size_t j = i_;
            while (j < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[j])) || s_[j] == '_')) ++j;
            std::string name(s_.substr(i_, j - i_));
            i_ = j;
            skip();
            if (i_ < s_.size() && s_[i_] == '(') return call(name, pos, d);
            std::string lower = detail::to_lower(name);
            Node n;
            n.pos = base_ + pos + 1;
            if (lower == "pi") {
                n.value = M_PI;
                return add(std::move(n));
            }
            if (lower == "e") {
                n.value = M_E;
                return add(std::move(n));
            }
            std::string upper = detail::to_upper(name);
            auto it = std::find(bands_.begin(), bands_.end(), upper);
            n.op = Op::band;
            n.band = static_cast<int>(it - bands_.begin());
            if (it == bands_.end()) bands_.push_back(upper);
            return add(std::move(n));
        }
        if (c == '(') {
            ++i_;
            int inner = ternary(d + 1);
            expect(')', "to close '('");
            return inner;
        }
        fail(fmt::format("unexpected '{}'", c));
    }
    int number() {
        std::size_t j = i_;
        while (j < s_.size() && (std::isdigit(static_cast<unsigned char>(s_[j])) || s_[j] == '.')) ++j;
        if (j < s_.size() && (s_[j] == 'e' || s_[j] == 'E')) {
            std::size_t k = j + 1;
            if (k < s_.size() && (s_[k] == '+' || s_[k] == '-')) ++k;
            if (k < s_.size() && std::isdigit(static_cast<unsigned char>(s_[k]))) {
                j = k;
                while (j < s_.size() && std::isdigit(static_cast<unsigned char>(s_[j]))) ++j;
            }
        }
        auto v = detail::parse_double(s_.substr(i_, j - i_));
        if (!v) fail(fmt::format("malformed number '{}'", s_.substr(i_, j - i_)));
        Node n;
        n.value = *v;
        n.pos = base_ + i_ + 1;
        i_ = j;
        return add(std::move(n));
    }
    int call(const std::string& name, std::size_t pos, std::size_t d) {
        std::string lower = detail::to_lower(name);
        const Function* f = nullptr;
        for (const auto& fn : kFunctions)
            if (lower == fn.name) f = &fn;
        if (!f) fail(fmt::format("unknown function '{}'", name), pos);
        expect('(', "after the function name");
        std::vector<int> args;
        skip();
        if (!accept(")")) {
            for (;;) {
                args.push_back(ternary(d + 1));
                if (accept(")")) break;
                expect(',', "between arguments");
            }
        }
        const int n = static_cast<int>(args.size());
        if (f->arity >= 0 && n != f->arity)
            fail(fmt::format("{}() takes {} argument{}, got {}", f->name, f->arity, f->arity == 1 ? "" : "s", n), pos);
        if (f->arity < 0 && n < 2) fail(fmt::format("{}() takes at least 2 arguments, got {}", f->name, n), pos);
        if (f->arity < 0) {  // min/max of many: a left fold of binary nodes
            int acc = args[0];
            for (int k = 1; k < n; ++k) acc = make(f->op, pos, {acc, args[static_cast<std::size_t>(k)]});
            return acc;
        }
        return make(f->op, pos, std::move(args));
    }

    std::string_view s_;
    std::size_t base_;
    const ExpressionLimits& limits_;
    std::vector<Node>& nodes_;
    std::vector<std::string>& bands_;
    std::size_t i_ = 0;
};

// A flat program: instruction k writes register k (registers are blocks of kBlock floats).
struct Instr {
    Op op;
    int a = -1, b = -1, c = -1;
    float value = 0;
    int band = -1;
};
constexpr std::size_t kBlock = 256;

}  // namespace

struct Expression::Impl {
    std::string text;
    std::vector<std::string> bands;
    std::vector<Node> nodes;
    std::vector<int> roots;                   // one per output
    std::vector<std::vector<Instr>> programs; // one per output

    double eval_node(int id, const double* in) const {
        const Node& n = nodes[static_cast<std::size_t>(id)];
        switch (n.op) {
            case Op::constant: return n.value;
            case Op::band: return in[n.band];
            default: break;
        }
        double v[3] = {0, 0, 0};
        for (std::size_t k = 0; k < n.args.size() && k < 3; ++k) v[k] = eval_node(n.args[k], in);
        return apply(n.op, v[0], v[1], v[2]);
    }

    void compile(int root, std::vector<Instr>& prog, std::vector<int>& reg_of) const {
        // Post-order; shared subtrees do not occur (the parser builds a tree).
        const Node& n = nodes[static_cast<std::size_t>(root)];
        Instr in;
        in.op = n.op;
        int regs[3] = {-1, -1, -1};
        for (std::size_t k = 0; k < n.args.size() && k < 3; ++k) {
            compile(n.args[k], prog, reg_of);
            regs[k] = reg_of[static_cast<std::size_t>(n.args[k])];
        }
        in.a = regs[0];
        in.b = regs[1];
        in.c = regs[2];
        in.value = static_cast<float>(n.value);
        in.band = n.band;
        prog.push_back(in);
        reg_of[static_cast<std::size_t>(root)] = static_cast<int>(prog.size()) - 1;
    }
};

Expression::Expression() : impl_(std::make_shared<Impl>()) {}
Expression::~Expression() = default;
Expression::Expression(const Expression&) = default;
Expression& Expression::operator=(const Expression&) = default;
Expression::Expression(Expression&&) noexcept = default;
Expression& Expression::operator=(Expression&&) noexcept = default;

Expression Expression::parse(std::string_view text, const ExpressionLimits& limits) {
    if (text.size() > limits.max_length)
        throw InvalidArgument(kOrigin, fmt::format("longer than {} characters ({})", limits.max_length, text.size()));
    auto impl = std::make_shared<Impl>();
    impl->text = std::string(text);
    std::size_t start = 0;
    for (;;) {
        std::size_t end = text.find(';', start);
        std::string_view part = text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start);
        if (impl->roots.size() == limits.max_outputs)
            throw InvalidArgument(kOrigin, fmt::format("more than {} output bands", limits.max_outputs));
        Parser p(part, start, limits, impl->nodes, impl->bands);
        impl->roots.push_back(p.parse_all());
        if (end == std::string_view::npos) break;
        start = end + 1;
        if (start == text.size()) break;  // a trailing ';' is allowed
    }
    std::vector<int> reg_of(impl->nodes.size(), -1);
    for (int root : impl->roots) {
        std::vector<Instr> prog;
        std::fill(reg_of.begin(), reg_of.end(), -1);
        impl->compile(root, prog, reg_of);
        impl->programs.push_back(std::move(prog));
    }
    Expression e;
    e.impl_ = std::move(impl);
    return e;
}

const std::string& Expression::text() const noexcept { return impl_->text; }
std::size_t Expression::outputs() const noexcept { return impl_->roots.size(); }
const std::vector<std::string>& Expression::bands() const noexcept { return impl_->bands; }

double Expression::evaluate_at(std::size_t output, const double* inputs) const {
    if (output >= impl_->roots.size())
        throw InvalidArgument(kOrigin, fmt::format("output {} of {}", output, impl_->roots.size()));
    return impl_->eval_node(impl_->roots[output], inputs);
}

namespace {

template <class F>
inline void unary_loop(float* r, const float* a, std::size_t n, F f) {
    for (std::size_t i = 0; i < n; ++i) r[i] = f(a[i]);
}
template <class F>
inline void binary_loop(float* r, const float* a, const float* b, std::size_t n, F f) {
    for (std::size_t i = 0; i < n; ++i) r[i] = f(a[i], b[i]);
}

}  // namespace

void Expression::evaluate(std::size_t output, const float* const* inputs, std::size_t n, float* out) const {
    if (output >= impl_->programs.size())
        throw InvalidArgument(kOrigin, fmt::format("output {} of {}", output, impl_->programs.size()));
    const auto& prog = impl_->programs[output];
    std::vector<float> regs(prog.size() * kBlock);
    const float nan = std::numeric_limits<float>::quiet_NaN();
    for (std::size_t off = 0; off < n; off += kBlock) {
        const std::size_t m = std::min(kBlock, n - off);
        for (std::size_t k = 0; k < prog.size(); ++k) {
            const Instr& in = prog[k];
            float* r = regs.data() + k * kBlock;
            const float* a = in.a >= 0 ? regs.data() + static_cast<std::size_t>(in.a) * kBlock : nullptr;
            const float* b = in.b >= 0 ? regs.data() + static_cast<std::size_t>(in.b) * kBlock : nullptr;
            const float* c = in.c >= 0 ? regs.data() + static_cast<std::size_t>(in.c) * kBlock : nullptr;
            switch (in.op) {
                case Op::constant: std::fill(r, r + m, in.value); break;
                case Op::band: std::memcpy(r, inputs[in.band] + off, m * sizeof(float)); break;
                case Op::neg: unary_loop(r, a, m, [](float x) { return -x; }); break;
                case Op::add: binary_loop(r, a, b, m, [](float x, float y) { return x + y; }); break;
                case Op::sub: binary_loop(r, a, b, m, [](float x, float y) { return x - y; }); break;
                case Op::mul: binary_loop(r, a, b, m, [](float x, float y) { return x * y; }); break;
                case Op::div: binary_loop(r, a, b, m, [](float x, float y) { return x / y; }); break;
                case Op::lt: binary_loop(r, a, b, m, [](float x, float y) { return x < y ? 1.f : 0.f; }); break;
                case Op::le: binary_loop(r, a, b, m, [](float x, float y) { return x <= y ? 1.f : 0.f; }); break;
                case Op::gt: binary_loop(r, a, b, m, [](float x, float y) { return x > y ? 1.f : 0.f; }); break;
                case Op::ge: binary_loop(r, a, b, m, [](float x, float y) { return x >= y ? 1.f : 0.f; }); break;
                case Op::eq: binary_loop(r, a, b, m, [](float x, float y) { return x == y ? 1.f : 0.f; }); break;
                case Op::ne: binary_loop(r, a, b, m, [](float x, float y) { return x != y ? 1.f : 0.f; }); break;
                case Op::abs: unary_loop(r, a, m, [](float x) { return std::fabs(x); }); break;
                case Op::sqrt: unary_loop(r, a, m, [](float x) { return std::sqrt(x); }); break;
                case Op::cond:
                    for (std::size_t i = 0; i < m; ++i) r[i] = a[i] != 0 ? b[i] : c[i];
                    break;
                case Op::clamp:
                    for (std::size_t i = 0; i < m; ++i) r[i] = std::isnan(a[i]) ? nan : std::min(std::max(a[i], b[i]), c[i]);
                    break;
                default:
                    // The rarer operations go through the double-precision reference.
                    for (std::size_t i = 0; i < m; ++i)
                        r[i] = static_cast<float>(apply(in.op, a ? a[i] : 0.0, b ? b[i] : 0.0, c ? c[i] : 0.0));
                    break;
            }
        }
        std::memcpy(out + off, regs.data() + (prog.size() - 1) * kBlock, m * sizeof(float));
    }
}

}  // namespace creodias
