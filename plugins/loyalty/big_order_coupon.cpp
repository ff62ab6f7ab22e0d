// loyalty.big_order_coupon: a big order earns a coupon for the next one.
#include <string>

#include "rules.hpp"

namespace loyalty {

void big_order_coupon(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  const std::int64_t threshold = ctx.params.integer("threshold");
  if (ev.order.subtotal < threshold) return out.skip("the order is below the coupon threshold");
  const std::int64_t percent = ctx.params.integer("percent");
  const std::int64_t days = ctx.params.integer("expires_in_days");
  out.emit("coupon.issue")
      .because("An order of ", shoprules::money(ev.order.subtotal, ev.order.currency),
               " (at least ", shoprules::money(threshold, ev.order.currency), ") earns a ", percent,
               "% coupon for ", days, " days")
      .set("percent", percent)
      .set("expires_in_days", days);
}

}  // namespace loyalty
