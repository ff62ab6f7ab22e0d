// Money in reasons: minor units rendered for people, and integer percentages without floats.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "shoprules/text.hpp"

namespace shoprules {

/// "49.95 USD" for 4995 minor units; "500 JPY" for a zero-decimal currency. Currencies with three
/// decimals are shown with two: reasons are for people, params carry the exact amount.
inline std::string format_money(std::int64_t minor, std::string_view currency) {
  // The result ("49.95 USD") fits the string's own storage, so nothing is allocated.
  std::string out;
  append(out, MoneyText{minor, currency});
  return out;
}

/// The same amount as a piece of a reason, written only when the reason is: `because(points, "
/// points for an order of ", money(subtotal, currency))` formats nothing in a replay, which keeps
/// no reasons, and in an evaluation writes the digits straight into the reason.
inline MoneyText money(std::int64_t minor, std::string_view currency) {
  return {minor, currency};
}

/// `percent`% of `amount`, rounded half up to the minor unit. Both must be non-negative. Exact for
/// any amount while percent is at most 100: amount x percent is never formed, so it cannot
/// overflow (with amount = 100q + r, the result is q x percent + (r x percent + 50) / 100).
inline std::int64_t percent_of(std::int64_t amount, std::int64_t percent) {
  return amount / 100 * percent + (amount % 100 * percent + 50) / 100;
}

}  // namespace shoprules
