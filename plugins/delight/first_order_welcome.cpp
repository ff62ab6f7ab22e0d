// delight.first_order_welcome: the first order is where a customer decides whether to come back;
// a thank-you card, and for a real first basket a coupon for the next one.
#include <string>

#include "rules.hpp"

namespace delight {

void first_order_welcome(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.customer.orders != 0) return out.skip("not the customer's first order");
  out.emit("gift.send", "A first order: a thank-you card")
      .set("kind", "card")
      .set("message", "Thank you for your first order")
      .set("value", std::int64_t{0});
  const std::int64_t min = ctx.params.integer("min_subtotal");
  const std::int64_t amount = ctx.params.integer("amount");
  if (amount == 0 || ev.order.subtotal < min) return;
  out.emit("coupon.issue")
      .because("A first order of ", shoprules::money(ev.order.subtotal, ev.order.currency),
               " (at least ", shoprules::money(min, ev.order.currency), "): a coupon of ",
               shoprules::money(amount, ev.order.currency), " for the next order")
      .set("amount", amount)
      .set("currency", ev.order.currency)
      .set("expires_in_days", ctx.params.integer("expires_in_days"));
}

}  // namespace delight
