// loyalty.points_expiry: points don't live for ever; a customer inactive for a year loses the
// balance on their next event, and the reason says since when they were inactive.
#include <string>

#include "rules.hpp"

namespace loyalty {

void points_expiry(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (!ev.has_customer) return out.skip("no customer");
  if (!ev.customer.last_order_at) return out.skip("the profile has no last_order_at");
  if (ev.customer.points <= 0) return out.skip("no points to expire");
  const std::int64_t idle = shoprules::days_between(ev.customer.last_order_at, ev.at);
  const std::int64_t days = ctx.params.integer("days");
  if (idle < days) return out.skip("the customer ordered within the expiry period");
  shoprules::Action& expire = out.emit("points.expire");
  if (out.reasons())  // the date is worked out only to be written (a replay writes no reasons)
    expire.because("No order since ",
                   shoprules::format_date(shoprules::civil_date(ev.customer.last_order_at)), " (",
                   idle, " days, the limit is ", days, "): ", ev.customer.points, " points expire");
  expire.set("points", ev.customer.points);
}

}  // namespace loyalty
