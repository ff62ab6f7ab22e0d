// returns.store_credit_bonus: store credit is worth more to the shop than cash, so it earns more.
#include "rules.hpp"

namespace returns {

void store_credit_bonus(const RuleContext& ctx, RuleOutput& out) {
  if (ctx.event.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  // Read first, taken to change only once there is a bonus to add (see returns::approved).
  const shoprules::Action* seen = out.seen("refund.issue");
  if (!seen) return out.skip("no refund to add a bonus to");
  const shoprules::Value* method = seen->param("method");
  if (!method || method->as_string() != "store_credit")
    return out.skip("the refund goes to the original payment method");
  shoprules::Action* refund = out.find("refund.issue");
  const std::int64_t percent = ctx.params.integer("percent");
  const std::int64_t bonus = shoprules::percent_of(refund->int_param("amount"), percent);
  refund->set("bonus", bonus);
  refund->append_reason(", plus a ", percent, "% store-credit bonus of ",
                        shoprules::money(bonus, ctx.event.order.currency));
  out.note("bonus of ", bonus, " on refund.issue");
}

}  // namespace returns
