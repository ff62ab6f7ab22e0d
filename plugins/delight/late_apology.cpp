// delight.late_apology: a late parcel earns an apology and something to make up for it.
#include <string>

#include "rules.hpp"

namespace delight {

void late_apology(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ShipmentException)
    return out.skip("not a shipment.exception event");
  const std::int64_t late = ev.shipment.days_late;
  if (late < ctx.params.integer("days")) return out.skip("not late enough for an apology");
  out.emit("apology.send")
      .because("The order is ", late, " days late: we apologise")
      .set("channel", reply_channel(ev))
      .set("within_minutes", ctx.params.integer("within_minutes"));
  const std::int64_t amount = ctx.params.integer("coupon_amount");
  if (amount == 0) return;
  out.emit("coupon.issue")
      .because("The order is ", late, " days late: a coupon of ",
               shoprules::money(amount, ev.order.currency), " to make up for it")
      .set("amount", amount)
      .set("currency", ev.order.currency)
      .set("expires_in_days", ctx.params.integer("expires_in_days"));
}

}  // namespace delight
