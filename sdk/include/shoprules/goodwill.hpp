// What an action gives away: the one reading of "goodwill" that rules and reports share.
#pragma once

#include <cstdint>

#include "shoprules/action.hpp"
#include "shoprules/event.hpp"
#include "shoprules/money.hpp"

namespace shoprules {

/// A coupon's worth: its fixed `amount`, or its `percent` of the order subtotal.
inline std::int64_t coupon_value(const Action& coupon, const Event& ev) {
  if (coupon.param("amount")) return coupon.int_param("amount");
  return ev.has_order ? percent_of(ev.order.subtotal, coupon.int_param("percent")) : 0;
}

/// Money an action gives beyond what was bought or returned, in minor units of the order's
/// currency: a refund on any event but a return (on a return, only its store-credit bonus), a
/// coupon's worth, a gift's `value`. 0 for anything else.
inline std::int64_t goodwill_value(const Action& a, const Event& ev) {
  if (same_text(a.type, "refund.issue"))
    return ev.kind == EventType::ReturnRequested ? a.int_param("bonus") : a.int_param("amount");
  if (same_text(a.type, "coupon.issue")) return coupon_value(a, ev);
  if (same_text(a.type, "gift.send")) return a.int_param("value");
  return 0;
}

}  // namespace shoprules
