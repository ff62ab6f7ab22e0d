// Money in reasons: minor units rendered for people, and integer percentages without floats.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

namespace shoprules {

/// Currencies whose minor unit is the major unit (ISO 4217 exponent 0).
inline constexpr std::string_view kZeroDecimalCurrencies[] = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"};

inline bool zero_decimal_currency(std::string_view code) {
  // Called for every amount a rule formats: compare the three letters in place, not by memcmp.
  if (code.size() != 3) return false;
  for (std::string_view c : kZeroDecimalCurrencies)
    if (c[0] == code[0] && c[1] == code[1] && c[2] == code[2]) return true;
  return false;
}

/// "49.95 USD" for 4995 minor units; "500 JPY" for a zero-decimal currency. Currencies with three
/// decimals are shown with two: reasons are for people, params carry the exact amount.
inline std::string format_money(std::int64_t minor, std::string_view currency) {
  // Digits written backwards into a buffer, then one string: rules format an amount on most
  // events, and the result ("49.95 USD") fits the string's own storage, so nothing is allocated.
  char buf[32];  // a sign, 20 digits, a point and 2 decimals
  char* const end = buf + sizeof buf;
  char* p = end;
  std::uint64_t v = minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : minor;
  if (!zero_decimal_currency(currency)) {
    const auto cents = static_cast<unsigned>(v % 100);
    v /= 100;
    *--p = static_cast<char>('0' + cents % 10);
    *--p = static_cast<char>('0' + cents / 10);
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + v % 10);
    v /= 10;
  } while (v);
  if (minor < 0) *--p = '-';
  std::string out;
  out.reserve(static_cast<std::size_t>(end - p) + (currency.empty() ? 0 : 1 + currency.size()));
  out.append(p, end);
  if (!currency.empty()) {
    out += ' ';
    out += currency;
  }
  return out;
}

/// `percent`% of `amount`, rounded half up to the minor unit. Both must be non-negative. Exact for
/// any amount while percent is at most 100: amount x percent is never formed, so it cannot
/// overflow (with amount = 100q + r, the result is q x percent + (r x percent + 50) / 100).
inline std::int64_t percent_of(std::int64_t amount, std::int64_t percent) {
  return amount / 100 * percent + (amount % 100 * percent + 50) / 100;
}

}  // namespace shoprules
