// Calendar dates of event times (UTC), for rules with yearly windows such as a holiday season.
#pragma once

#include <cstdint>
#include <string>

#include "shoprules/event.hpp"
#include "shoprules/rule.hpp"

namespace shoprules {

/// A date in the proleptic Gregorian calendar.
struct CivilDate {
  std::int64_t year = 1970;
  int month = 1;
  int day = 1;

  constexpr MonthDay month_day() const { return MonthDay{month, day}; }
};

/// The UTC date of a time (civil_from_days, H. Hinnant).
constexpr CivilDate civil_date(Timestamp t) {
  std::int64_t days = t.seconds / kSecondsPerDay;
  if (t.seconds % kSecondsPerDay < 0) --days;
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const auto d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const auto m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2), m, d};
}

/// Midnight UTC at the start of a date (days_from_civil, H. Hinnant). A day past the month's end
/// rolls over ("02-29" of a common year is 1 March).
constexpr Timestamp start_of_day(std::int64_t year, int month, int day) {
  year -= month <= 2;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const auto yoe = static_cast<unsigned>(year - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(month + (month > 2 ? -3 : 9)) + 2) / 5 +
                       static_cast<unsigned>(day) - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return Timestamp{(era * 146097 + static_cast<std::int64_t>(doe) - 719468) * kSecondsPerDay, true};
}

namespace detail {
inline void two_digits(std::string& out, int v) {
  out += static_cast<char>('0' + v / 10 % 10);
  out += static_cast<char>('0' + v % 10);
}
}  // namespace detail

/// "MM-DD", for reasons.
inline std::string format_month_day(MonthDay md) {
  std::string out;
  detail::two_digits(out, md.month);
  out += '-';
  detail::two_digits(out, md.day);
  return out;
}

/// "YYYY-MM-DD", for reasons: what printf("%04lld-%02d-%02d") writes, without printf's cost (a
/// rule may run on every event). A year outside 0..9999 is written as its number.
inline std::string format_date(const CivilDate& d) {
  std::string out;
  if (d.year >= 0 && d.year <= 9999) {
    detail::two_digits(out, static_cast<int>(d.year / 100));
    detail::two_digits(out, static_cast<int>(d.year % 100));
  } else {
    out = std::to_string(d.year);
  }
  out += '-';
  out += format_month_day(d.month_day());
  return out;
}

}  // namespace shoprules
