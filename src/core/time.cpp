#include <creodias/error.hpp>
#include <creodias/time.hpp>

#include "core/civil.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cstdint>

namespace creodias {

namespace detail {

// Era-based computation: 400-year eras of 146097 days make leap years a closed formula.
std::int64_t days_from_civil(std::int64_t y, int m, int d) {
    y -= m <= 2;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t yoe = y - era * 400;
    const std::int64_t mp = (m + 9) % 12;
    const std::int64_t doy = (153 * mp + 2) / 5 + d - 1;
    const std::int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void civil_from_days(std::int64_t z, int& y, int& m, int& d) {
    z += 719468;
    const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    const std::int64_t doe = z - era * 146097;
    const std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    const std::int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    const std::int64_t mp = (5 * doy + 2) / 153;
    d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
    m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
    y = static_cast<int>(yoe + era * 400 + (m <= 2));
}

}  // namespace detail

namespace {

using detail::civil_from_days;
using detail::days_from_civil;

constexpr std::int64_t kUsPerSecond = 1'000'000;
constexpr std::int64_t kUsPerDay = 86'400 * kUsPerSecond;

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : dm[m - 1];
}

[[noreturn]] void bad(std::string_view text, std::string_view why) {
    throw InvalidArgument("time", fmt::format("invalid date-time '{}': {}", text, why));
}

class Cursor {
public:
    explicit Cursor(std::string_view s) : s_(s) {}
    bool done() const { return i_ >= s_.size(); }
    char peek() const { return done() ? '\0' : s_[i_]; }
    void skip() { ++i_; }
    size_t pos() const { return i_; }
    // Reads exactly n digits.
    bool digits(int n, int& out) {
        out = 0;
        for (int k = 0; k < n; ++k) {
            if (done() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
            out = out * 10 + (s_[i_++] - '0');
        }
        return true;
    }

private:
    std::string_view s_;
    size_t i_ = 0;
};

struct Parsed {
    Timestamp t;
    bool date_only = false;
};

Parsed parse_impl(std::string_view text) {
    // Trim surrounding blanks; anything else stray is an error.
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.front()))) text.remove_prefix(1);
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.remove_suffix(1);
    if (text.empty()) bad(text, "empty");
    Cursor c(text);
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, us = 0;
    if (!c.digits(4, y)) bad(text, "expected a 4-digit year");
    bool compact = c.peek() != '-';
    if (!compact) c.skip();
    if (!c.digits(2, mo)) bad(text, "expected a 2-digit month");
    if (!compact) {
        if (c.peek() != '-') bad(text, "expected '-' after the month");
        c.skip();
    }
    if (!c.digits(2, d)) bad(text, "expected a 2-digit day");
    if (mo < 1 || mo > 12) bad(text, "month out of range");
    if (d < 1 || d > days_in_month(y, mo)) bad(text, "day out of range");
    Parsed out;
    std::int64_t offset_s = 0;
    if (c.done()) {
        out.date_only = true;
    } else {
        char sep = c.peek();
        if (sep != 'T' && sep != 't' && sep != ' ') bad(text, "expected 'T' between date and time");
        c.skip();
        if (!c.digits(2, h)) bad(text, "expected a 2-digit hour");
        if (!compact && c.peek() == ':') c.skip();
        if (!c.digits(2, mi)) bad(text, "expected 2-digit minutes");
        if (c.peek() == ':' || (compact && std::isdigit(static_cast<unsigned char>(c.peek())))) {
            if (c.peek() == ':') c.skip();
            if (!c.digits(2, s)) bad(text, "expected 2-digit seconds");
            if (c.peek() == '.' || c.peek() == ',') {
                c.skip();
                int ndig = 0;
                while (std::isdigit(static_cast<unsigned char>(c.peek()))) {
                    int digit = c.peek() - '0';
                    if (ndig < 6) us = us * 10 + digit;
                    ++ndig;
                    c.skip();
                }
                if (ndig == 0) bad(text, "expected digits after the decimal point");
                if (ndig > 9) bad(text, "too many fractional digits");
                for (int k = ndig; k < 6; ++k) us *= 10;
            }
        }
        if (h > 24 || mi > 59 || s > 60) bad(text, "time field out of range");
        if (h == 24 && (mi != 0 || s != 0 || us != 0)) bad(text, "hour 24 only allowed as 24:00:00");
        if (s == 60) s = 59, us = 999999;  // leap second: clamp (UTC arithmetic has none)
        if (c.peek() == 'Z' || c.peek() == 'z') {
            c.skip();
        } else if (c.peek() == '+' || c.peek() == '-') {
            int sign = c.peek() == '-' ? -1 : 1;
            c.skip();
            int oh = 0, om = 0;
            if (!c.digits(2, oh)) bad(text, "expected a 2-digit offset hour");
            if (c.peek() == ':') c.skip();
            if (!c.done() && !c.digits(2, om)) bad(text, "expected 2-digit offset minutes");
            if (oh > 23 || om > 59) bad(text, "offset out of range");
            offset_s = sign * (oh * 3600 + om * 60);
        }
    }
    if (!c.done()) bad(text, fmt::format("unexpected character at position {}", c.pos() + 1));
    std::int64_t days = days_from_civil(y, mo, d);
    out.t.us = days * kUsPerDay + (static_cast<std::int64_t>(h) * 3600 + mi * 60 + s - offset_s) * kUsPerSecond + us;
    return out;
}

}  // namespace

Timestamp Timestamp::from_civil(int year, int month, int day, int hour, int minute, int second,
                                int microsecond) {
    if (month < 1 || month > 12 || day < 1 || day > days_in_month(year, month) || hour < 0 ||
        hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59 || microsecond < 0 ||
        microsecond > 999999)
        throw InvalidArgument("time", fmt::format("invalid civil time {:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
                                                  year, month, day, hour, minute, second));
    return Timestamp{days_from_civil(year, month, day) * kUsPerDay +
                     (static_cast<std::int64_t>(hour) * 3600 + minute * 60 + second) * kUsPerSecond +
                     microsecond};
}

Timestamp parse_datetime(std::string_view text) { return parse_impl(text).t; }

Timestamp parse_datetime_end(std::string_view text) {
    Parsed p = parse_impl(text);
    if (p.date_only) p.t.us += kUsPerDay - 1;
    return p.t;
}

std::string format_datetime(Timestamp t) {
    std::int64_t days = t.us / kUsPerDay;
    std::int64_t rem = t.us % kUsPerDay;
    if (rem < 0) {
        rem += kUsPerDay;
        --days;
    }
    int y, m, d;
    civil_from_days(days, y, m, d);
    std::int64_t secs = rem / kUsPerSecond;
    int frac = static_cast<int>(rem % kUsPerSecond);
    int hh = static_cast<int>(secs / 3600), mm = static_cast<int>((secs / 60) % 60), ss = static_cast<int>(secs % 60);
    if (frac == 0) return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", y, m, d, hh, mm, ss);
    if (frac % 1000 == 0)
        return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z", y, m, d, hh, mm, ss, frac / 1000);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z", y, m, d, hh, mm, ss, frac);
}

}  // namespace creodias
