// loyalty.points: points for what the order is worth, double for VIPs.
#include <string>

#include "rules.hpp"

namespace loyalty {

void points(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  const std::int64_t multiplier = ev.customer.vip ? ctx.params.integer("vip_multiplier") : 1;
  const std::int64_t earned =
      points_for(ev.order.subtotal, ev.order.currency, ctx.params.integer("per_unit"), multiplier);
  if (earned <= 0) return out.skip("the order is too small to earn a point");
  const shoprules::MoneyText spent = shoprules::money(ev.order.subtotal, ev.order.currency);
  shoprules::Action& award = out.emit("points.award");
  if (multiplier > 1)
    award.because(earned, " points for an order of ", spent, " (x", multiplier, " for a VIP)");
  else
    award.because(earned, " points for an order of ", spent);
  award.set("points", earned);
}

}  // namespace loyalty
