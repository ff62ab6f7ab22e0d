// delight.goodwill_cap: generosity with a budget. Money given as goodwill (refunds beyond what was
// returned, store-credit bonuses, coupons, gifts) is capped per customer per 90 days, counting
// what the profile says was given already. Runs in the review phase, after merging.
#include <string>
#include <vector>

#include "rules.hpp"

namespace delight {
namespace {

/// The param that holds an action's goodwill, when it can be reduced; "" when it can only be
/// dropped (a percentage coupon, a gift).
const char* reducible_param(const shoprules::Action& a, const shoprules::Event& ev) {
  if (shoprules::same_text(a.type, "refund.issue"))
    return ev.kind == shoprules::EventType::ReturnRequested ? "bonus" : "amount";
  if (shoprules::same_text(a.type, "coupon.issue") && a.param("amount")) return "amount";
  return "";
}

}  // namespace

void goodwill_cap(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (!ev.has_customer) return out.skip("no customer");
  const std::string_view currency = ctx.currency();
  std::int64_t left = ctx.params.integer("cap") - ev.customer.goodwill_last_90d;
  bool capped = false;
  // Read with seen(): only an action over the cap is taken to change, so the host checks earlier
  // actions again only after a cap.
  const shoprules::ActionList& seen = out.seen();
  for (std::size_t i = 0; i < seen.size(); ++i) {
    if (!seen[i].is_kept()) continue;
    const std::int64_t value = shoprules::goodwill_value(seen[i], ev);
    if (value <= 0) continue;
    if (value <= left) {
      left -= value;
      continue;
    }
    capped = true;
    shoprules::Action& a = out.actions()[i];
    const shoprules::MoneyText budget = shoprules::money(left < 0 ? 0 : left, currency);
    constexpr const char* kOver = "over the goodwill cap (";
    constexpr const char* kLeft = " left of the 90-day budget)";
    const char* param = reducible_param(a, ev);
    if (left > 0 && *param) {
      a.set(param, left);
      a.append_reason(" (reduced to ", shoprules::money(left, currency), ": goodwill cap)");
      out.note(a.type, " ", param, " reduced from ", value, " to ", left, ", ", kOver, budget,
               kLeft);
      left = 0;
    } else {
      out.drop(a, shoprules::cat("dropped by delight.goodwill_cap: ", kOver, budget, kLeft));
      out.note(a.type, " dropped, ", kOver, budget, kLeft);
    }
  }
  if (!capped) return out.skip("goodwill is within the cap");
}

}  // namespace delight
