// loyalty.tiers: member -> silver -> gold by lifetime spend, counting the order being placed.
#include <string>

#include "rules.hpp"

namespace loyalty {

int tier_rank(std::string_view tier) {
  if (shoprules::same_text(tier, "member")) return 0;
  if (shoprules::same_text(tier, "silver")) return 1;
  if (shoprules::same_text(tier, "gold")) return 2;
  return -1;
}

void tiers(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  const int current = tier_rank(ev.customer.tier);
  if (current < 0) return out.skip("the customer's tier is not one this rule manages");
  // The profile is as it was before this order: the order's subtotal is added to it.
  std::int64_t spend;
  if (__builtin_add_overflow(ev.customer.lifetime_spend, ev.order.subtotal, &spend))
    spend = INT64_MAX;
  const char* next = spend >= ctx.params.integer("gold")     ? "gold"
                     : spend >= ctx.params.integer("silver") ? "silver"
                                                             : "member";
  if (tier_rank(next) <= current) return out.skip("no new tier reached");
  out.emit("tier.change")
      .because("Lifetime spend reaches ", shoprules::money(spend, ev.order.currency),
               " with this order: ", ev.customer.tier, " -> ", next)
      .set("from", ev.customer.tier)
      .set("to", next);
}

}  // namespace loyalty
