// returns.restocking_fee: a share is kept on lines returned because the customer changed their
// mind; never on lines that were defective, damaged or the wrong item.
#include "rules.hpp"

namespace returns {

void restocking_fee(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  shoprules::Action* refund = out.find("refund.issue");
  if (!refund) return out.skip("no refund to take a fee from");
  std::int64_t changed_mind = 0;
  for (const auto& line : ev.ret.lines)
    if (line.reason == "changed_mind" && !held_back(out, line.sku))
      changed_mind += line_value(ev.order, line.sku, line.qty);
  if (changed_mind == 0) return out.skip("no line was returned for a change of mind");
  const std::int64_t percent = ctx.params.integer("percent");
  const std::int64_t fee = shoprules::percent_of(changed_mind, percent);
  if (fee == 0) return out.skip("the fee rounds to nothing");
  refund->set("amount", refund->int_param("amount") - fee).set("fee", fee);
  refund->append_reason(", less a ", percent, "% restocking fee of ",
                        shoprules::money(fee, ev.order.currency), " on changed-mind items");
  out.note("fee of ", fee, " on refund.issue");
}

}  // namespace returns
