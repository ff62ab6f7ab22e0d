// returns.keep_item: a return worth less than its postage is refunded and the item stays put.
#include "rules.hpp"

namespace returns {

void keep_item(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  shoprules::Action* approve = approval(ctx, out);
  if (!approve) return;
  const std::int64_t worth = lines_worth(ev.order, *approve);
  if (worth > ctx.params.integer("max_value"))
    return out.skip("the return is worth too much to keep");
  approve->set("label", "none").set("pickup", false).set("keep", true);
  describe_approval(*approve);
  out.note("keep the item on return.approve: worth ", shoprules::money(worth, ev.order.currency));
}

}  // namespace returns
