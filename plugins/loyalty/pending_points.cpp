// loyalty.pending_points: an order's points can't be spent until its return window has passed,
// so points on something sent back are never spent first. Runs in the review phase, on the
// award the points rules settled on (after merging).
#include "rules.hpp"

namespace loyalty {

void pending_points(const RuleContext& ctx, RuleOutput& out) {
  shoprules::Action* award = out.find("points.award");
  if (!award) return out.skip("no points awarded");
  const std::int64_t days = ctx.params.integer("days");
  if (days == 0) return out.skip("points are available at once (days is 0)");
  award->set("available_after_days", days);
  award->append_reason("; pending for ", days, " days, until the return window closes");
  out.note(award->int_param("points"), " points on points.award pending for ", days, " days");
}

}  // namespace loyalty
