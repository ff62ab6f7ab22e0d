// returns.hardship_pickup: after a death or an illness, nobody should have to queue at a post
// office: a courier collects the return, at no cost.
#include "rules.hpp"

namespace returns {

void hardship_pickup(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (!approved(ctx, out)) return;
  if (!ev.has_circumstance("bereavement") && !ev.has_circumstance("medical"))
    return out.skip("no bereavement or medical circumstances");
  shoprules::Action* approve = approval(ctx, out);
  approve->set("pickup", true).set("label", "prepaid");
  describe_approval(*approve);
  out.note("courier pickup at no cost on return.approve");
}

}  // namespace returns
