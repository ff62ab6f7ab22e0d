// returns.serial_returner_guard: customers who return most of what they buy pay the postage back.
// The return is still accepted; only the label changes.
#include "rules.hpp"

namespace returns {

void serial_returner_guard(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  shoprules::Action* approve = approval(ctx, out);
  if (!approve) return;
  const auto& c = ev.customer;
  const double rate = c.orders > 0 ? static_cast<double>(c.returns) / c.orders : 0.0;
  if (rate <= ctx.params.number("rate")) return out.skip("return rate is not above the threshold");
  if (c.returned_value <= ctx.params.integer("value"))
    return out.skip("returned value is not above the threshold");
  approve->set("label", "customer_paid");
  describe_approval(*approve);
  out.note("customer-paid label on return.approve: ", c.returns, " returns on ", c.orders,
           " orders, ", shoprules::money(c.returned_value, ev.order.currency), " returned");
}

}  // namespace returns
