// returns.free_return_shipping: the shop pays the postage of every approved return.
#include "rules.hpp"

namespace returns {

void free_return_shipping(const RuleContext& ctx, RuleOutput& out) {
  if (ctx.event.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  shoprules::Action* approve = out.find("return.approve");
  if (!approve) return out.skip("no approved return to label");
  approve->set("label", "prepaid");
  describe_approval(*approve);
  out.note("prepaid label on return.approve");
}

}  // namespace returns
