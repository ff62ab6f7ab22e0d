// ISO-8601 parsing: a strict subset, enough for dates and UTC or offset times.
#include "shoprules/host/time.hpp"

namespace shoprules::host {

std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

namespace {

bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

bool is_leap(int y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

/// The form almost every log writes, "YYYY-MM-DDTHH:MM:SSZ", read in one pass with no bounds
/// checks beyond its length. False for anything else, which the general parser then reads.
bool parse_utc_seconds(std::string_view s, std::int64_t& seconds) {
  if (s.size() != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
      s[16] != ':' || s[19] != 'Z')
    return false;
  static constexpr int kDigits[] = {0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18};
  unsigned bad = 0;
  for (int i : kDigits) bad |= static_cast<unsigned>(s[i] - '0') > 9;
  if (bad) return false;
  const auto two = [&](int at) { return (s[at] - '0') * 10 + (s[at + 1] - '0'); };
  const int y = two(0) * 100 + two(2), mo = two(5), d = two(8);
  const int h = two(11), mi = two(14), sec = two(17);
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || sec > 60)
    return false;
  seconds = days_from_civil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d)) * 86400 +
            h * 3600 + mi * 60 + sec;
  return true;
}

}  // namespace

bool parse_time(std::string_view s, std::int64_t& seconds) {
  if (parse_utc_seconds(s, seconds)) return true;
  int y, mo, d;
  if (!digits(s, 0, 4, y) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' ||
      !digits(s, 8, 2, d))
    return false;
  if (mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo)) return false;
  std::int64_t t = days_from_civil(y, mo, d) * 86400;
  if (s.size() == 10) {
    seconds = t;
    return true;
  }
  if (s[10] != 'T' && s[10] != 't' && s[10] != ' ') return false;
  int h, mi, sec = 0;
  if (!digits(s, 11, 2, h) || s.size() < 16 || s[13] != ':' || !digits(s, 14, 2, mi)) return false;
  std::size_t pos = 16;
  if (pos < s.size() && s[pos] == ':') {
    if (!digits(s, pos + 1, 2, sec)) return false;
    pos += 3;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      std::size_t start = ++pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == start) return false;  // fractions of a second are accepted and dropped
    }
  }
  if (h > 23 || mi > 59 || sec > 60) return false;
  t += h * 3600 + mi * 60 + sec;
  if (pos == s.size()) {
    seconds = t;
    return true;
  }
  if ((s[pos] == 'Z' || s[pos] == 'z') && pos + 1 == s.size()) {
    seconds = t;
    return true;
  }
  if (s[pos] != '+' && s[pos] != '-') return false;
  int sign = s[pos] == '-' ? -1 : 1, oh, om = 0;
  if (!digits(s, pos + 1, 2, oh)) return false;
  std::size_t rest = pos + 3;
  if (rest < s.size() && s[rest] == ':') ++rest;
  if (rest < s.size()) {
    if (!digits(s, rest, 2, om)) return false;
    rest += 2;
  }
  if (rest != s.size() || oh > 23 || om > 59) return false;
  seconds = t - sign * (oh * 3600 + om * 60);
  return true;
}

}  // namespace shoprules::host
