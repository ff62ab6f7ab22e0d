// delight.sympathy: circumstances matter more than policy. Flowers after a death or an illness,
// and after an illness the customer and their household become VIPs.
#include "rules.hpp"

namespace delight {

void sympathy(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  const bool bereavement = ev.has_circumstance("bereavement");
  const bool medical = ev.has_circumstance("medical");
  if (!bereavement && !medical) return out.skip("no bereavement or medical circumstances");
  if (!ev.has_customer) return out.skip("no customer to send flowers to");
  const char* message = bereavement ? "With our deepest sympathy" : "Wishing you a swift recovery";
  out.emit("gift.send",
           std::string(bereavement ? "A bereavement" : "An illness") + ": flowers with a note")
      .set("kind", "flowers")
      .set("message", message)
      .set("value", ctx.params.integer("value"))
      .set("currency", ctx.currency());
  if (!medical || !ctx.params.boolean("vip_for_medical")) return;
  shoprules::Value customers = shoprules::Value::list().push(ev.customer.id);
  for (shoprules::Text member : ev.customer.household) customers.push(member);
  out.emit("vip.grant",
           "An illness in the family: VIP with free expedited shipping for the "
           "customer and household")
      .set("customers", std::move(customers))
      .set("benefits", shoprules::Value::list().push("free_expedited_shipping"));
}

}  // namespace delight
