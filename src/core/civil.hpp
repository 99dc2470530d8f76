#pragma once
// Private: proleptic Gregorian calendar arithmetic shared by time parsing and the generators.

#include <cstdint>

namespace creodias::detail {

/// Days since 1970-01-01 of a calendar date (month 1..12, day 1..31; not validated).
std::int64_t days_from_civil(std::int64_t y, int m, int d);
/// The calendar date of a day count since 1970-01-01.
void civil_from_days(std::int64_t z, int& y, int& m, int& d);

}  // namespace creodias::detail
