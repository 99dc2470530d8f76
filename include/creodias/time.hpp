#pragma once
/// @file time.hpp
/// UTC timestamps with microsecond resolution, and time ranges with open or closed ends.

#include <creodias/export.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace creodias {

/// A UTC instant, stored as microseconds since 1970-01-01T00:00:00Z.
///
/// EO metadata carries sub-second times (Sentinel-1 to the microsecond); a 64-bit count of
/// microseconds covers ±292,000 years, so no precision is lost anywhere in the library.
struct CREODIAS_EXPORT Timestamp {
    std::int64_t us = 0;  ///< microseconds since the Unix epoch, UTC

    constexpr bool operator==(const Timestamp& o) const noexcept { return us == o.us; }
    constexpr bool operator!=(const Timestamp& o) const noexcept { return us != o.us; }
    constexpr bool operator<(const Timestamp& o) const noexcept { return us < o.us; }
    constexpr bool operator<=(const Timestamp& o) const noexcept { return us <= o.us; }
    constexpr bool operator>(const Timestamp& o) const noexcept { return us > o.us; }
    constexpr bool operator>=(const Timestamp& o) const noexcept { return us >= o.us; }

    /// Builds a timestamp from calendar fields (UTC). Throws InvalidArgument on a field out
    /// of range (month 13, February 30, second 61...).
    static Timestamp from_civil(int year, int month, int day, int hour = 0, int minute = 0,
                                int second = 0, int microsecond = 0);
};

/// Parses an ISO 8601 date or date-time.
///
/// Accepted: `2021-04-06`, `2021-04-06T10:20:30`, `2021-04-06T10:20:30.123456Z`,
/// `2021-04-06 10:20:30+02:00`, `20210406T102030` (the compact form of product names), and
/// up to 9 fractional digits (truncated to microseconds). A time without an offset is UTC.
/// @throws InvalidArgument naming the text when it is not a valid date-time.
CREODIAS_EXPORT Timestamp parse_datetime(std::string_view text);

/// Like parse_datetime, but a date-only value means the *end* of that day
/// (`2021-04-06` → `2021-04-06T23:59:59.999999Z`), for inclusive upper bounds.
CREODIAS_EXPORT Timestamp parse_datetime_end(std::string_view text);

/// Formats as ISO 8601 in UTC with a `Z` suffix. Sub-second digits are written only when
/// present: 3 digits for whole milliseconds, 6 otherwise (`2021-01-19T03:16:53.123456Z`).
CREODIAS_EXPORT std::string format_datetime(Timestamp t);

/// A time interval whose ends may be open (absent), inclusive or exclusive.
struct TimeRange {
    std::optional<Timestamp> start;  ///< lower bound; absent = unbounded
    std::optional<Timestamp> end;    ///< upper bound; absent = unbounded
    bool start_inclusive = true;     ///< DEFAULT: true
    bool end_inclusive = true;       ///< DEFAULT: true

    bool empty() const noexcept { return !start && !end; }
};

}  // namespace creodias
