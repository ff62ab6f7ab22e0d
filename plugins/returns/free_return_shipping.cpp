// returns.free_return_shipping: the shop pays the postage of every approved return.
#include "rules.hpp"

namespace returns {

void free_return_shipping(const RuleContext& ctx, RuleOutput& out) {
  shoprules::Action* approve = approval(ctx, out);
  if (!approve) return;
  approve->set("label", "prepaid");
  describe_approval(*approve);
  out.note("prepaid label on return.approve");
}

}  // namespace returns
