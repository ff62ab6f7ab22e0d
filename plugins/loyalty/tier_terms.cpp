// loyalty.tier_terms: tiers earned by the last 12 months' spend, not a lifetime's, and lost
// gently: a customer below their tier drops one tier per event, never straight to the bottom.
#include <string>
#include <vector>

#include "rules.hpp"

namespace loyalty {
namespace {

const char* tier_name(int rank) {
  return rank >= 2 ? "gold" : rank == 1 ? "silver" : "member";
}

}  // namespace

void tier_terms(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (!ev.has_customer) return out.skip("no customer");
  // Without the 12 months' spend, loyalty.tiers' reading of lifetime spend stands.
  if (!ev.customer.has_spend_12m) return out.skip("the profile has no spend_12m");
  // loyalty.tiers counts lifetime spend; under these terms its change does not stand.
  const shoprules::ActionList& seen = out.seen();
  for (std::size_t i = 0; i < seen.size(); ++i)
    if (seen[i].is_kept() && shoprules::same_text(seen[i].type, "tier.change")) {
      out.drop(out.actions()[i],
               "replaced by loyalty.tier_terms: tiers count the last 12 months' spend");
      out.note("tier.change by lifetime spend dropped: tiers count the last 12 months' spend");
    }
  const int current = tier_rank(ev.customer.tier);
  if (current < 0) return out.skip("the customer's tier is not one this rule manages");
  // The profile is as it was before this event: an order being placed counts too.
  std::int64_t spend = ev.customer.spend_12m;
  const bool order = ev.kind == shoprules::EventType::OrderPlaced;
  if (order && __builtin_add_overflow(spend, ev.order.subtotal, &spend)) spend = INT64_MAX;
  const std::int64_t silver = ctx.params.integer("silver");
  const std::int64_t gold = ctx.params.integer("gold");
  const int earned = spend >= gold ? 2 : spend >= silver ? 1 : 0;
  if (earned == current) return out.skip("the tier matches the last 12 months' spend");
  const std::string spent = "Spend over the last 12 months is " +
                            shoprules::format_money(spend, ctx.currency()) +
                            (order ? " with this order" : "");
  if (earned > current) {
    out.emit("tier.change",
             spent + ": " + std::string(ev.customer.tier) + " -> " + tier_name(earned))
        .set("from", ev.customer.tier)
        .set("to", tier_name(earned));
    return;
  }
  const int next = current - 1;  // at most one tier down per event
  const std::int64_t threshold = current == 2 ? gold : silver;
  out.emit("tier.change", spent + ", below " + tier_name(current) + "'s " +
                              shoprules::format_money(threshold, ctx.currency()) + ": " +
                              tier_name(current) + " -> " + tier_name(next))
      .set("from", ev.customer.tier)
      .set("to", tier_name(next));
}

}  // namespace loyalty
