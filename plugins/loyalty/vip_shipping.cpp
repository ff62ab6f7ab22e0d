// loyalty.vip_shipping: VIPs never wait for standard shipping.
#include "rules.hpp"

namespace loyalty {

void vip_shipping(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  if (!ev.customer.vip) return out.skip("the customer is not a VIP");
  if (ev.order.shipping != shoprules::Shipping::Standard)
    return out.skip("the order already ships faster than standard");
  out.emit("shipping.upgrade", "VIP: standard shipping upgraded to expedited")
      .set("from", "standard")
      .set("to", "expedited");
}

}  // namespace loyalty
