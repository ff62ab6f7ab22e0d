// returns.instant_refund: a trusted customer's small return is refunded at approval, before the
// item is back: the shop takes the risk where its history says it is small.
#include <cmath>
#include <cstdio>
#include <string>

#include "rules.hpp"

namespace returns {

void instant_refund(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  shoprules::Action* refund = out.find("refund.issue");
  if (!refund) return out.skip("no refund to pay early");
  const std::int64_t orders = ev.customer.orders;
  if (orders < ctx.params.integer("min_orders"))
    return out.skip("too few orders to refund before the item arrives");
  // With no order yet (min_orders 0), any return makes the rate unbounded; none makes it 0.
  const double returns = static_cast<double>(ev.customer.returns);
  const double rate = orders > 0    ? returns / static_cast<double>(orders)
                      : returns > 0 ? HUGE_VAL
                                    : 0;
  const double max_rate = ctx.params.number("max_return_rate");
  if (!(rate < max_rate))
    return out.skip("the customer's return rate is too high for an instant refund");
  const std::int64_t amount = refund->int_param("amount");
  const std::int64_t max_value = ctx.params.integer("max_value");
  if (amount > max_value) return out.skip("the refund is too large to pay before the item arrives");
  char share[32];
  std::snprintf(share, sizeof share, "%.0f%%", rate * 100);
  refund->set("instant", true);
  refund->append_reason(", paid now, before the item arrives (a trusted customer: ", orders,
                        " orders, ", share, " returned)");
  out.note("instant refund of ", shoprules::money(amount, ev.order.currency), ": ", orders,
           " orders, ", share, " returned, at most ",
           shoprules::money(max_value, ev.order.currency));
}

}  // namespace returns
