// delight.surprise_upgrade: the favourite delight, an upgrade nobody asked for. Who gets it is a
// stable hash of the seed, the rule and the order id: the same order always gets the same answer.
#include "rules.hpp"

namespace delight {

void surprise_upgrade(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  if (ev.order.shipping != shoprules::Shipping::Standard)
    return out.skip("the order already ships faster than standard");
  if (!ctx.chance(ctx.params.number("rate")))
    return out.skip("not picked for a surprise this time");
  out.emit("shipping.upgrade", "A surprise: standard shipping upgraded to overnight, on us")
      .set("from", "standard")
      .set("to", "overnight");
}

}  // namespace delight
