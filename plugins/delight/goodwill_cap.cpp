// delight.goodwill_cap: generosity with a budget. Money given as goodwill (refunds beyond what was
// returned, store-credit bonuses, coupons, gifts) is capped per customer per 90 days, counting
// what the profile says was given already. Runs in the review phase, after merging.
#include <string>

#include "rules.hpp"

namespace delight {
namespace {

/// The goodwill an action gives and the param that holds it ("" when it can't be reduced).
struct Goodwill {
  std::int64_t value = 0;
  const char* param = "";
};

Goodwill goodwill_of(const shoprules::Action& a, const shoprules::Event& ev) {
  if (a.type == "refund.issue") {
    // A refund for returned goods gives nothing away; its bonus does.
    if (ev.kind == shoprules::EventType::ReturnRequested) return {a.int_param("bonus"), "bonus"};
    return {a.int_param("amount"), "amount"};
  }
  if (a.type == "coupon.issue") {
    if (a.param("amount")) return {a.int_param("amount"), "amount"};
    const std::int64_t subtotal = ev.has_order ? ev.order.subtotal : 0;
    return {shoprules::percent_of(subtotal, a.int_param("percent")), ""};
  }
  if (a.type == "gift.send") return {a.int_param("value"), ""};
  return {};
}

}  // namespace

void goodwill_cap(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (!ev.has_customer) return out.skip("no customer");
  const std::string currency = ev.has_order ? std::string(ev.order.currency) : "";
  std::int64_t left = ctx.params.integer("cap") - ev.customer.goodwill_last_90d;
  bool capped = false;
  for (auto& a : out.actions()) {
    if (!a.is_kept()) continue;
    Goodwill g = goodwill_of(a, ev);
    if (g.value <= 0) continue;
    if (g.value <= left) {
      left -= g.value;
      continue;
    }
    capped = true;
    const std::string over = "over the goodwill cap (" +
                             shoprules::format_money(left < 0 ? 0 : left, currency) +
                             " left of the 90-day budget)";
    if (left > 0 && *g.param) {
      a.set(g.param, left);
      a.reason += " (reduced to " + shoprules::format_money(left, currency) + ": goodwill cap)";
      out.note(a.type + " " + g.param + " reduced from " + std::to_string(g.value) + " to " +
               std::to_string(left) + ", " + over);
      left = 0;
    } else {
      out.drop(a, "dropped by delight.goodwill_cap: " + over);
      out.note(a.type + " dropped, " + over);
    }
  }
  if (!capped) return out.skip("goodwill is within the cap");
}

}  // namespace delight
