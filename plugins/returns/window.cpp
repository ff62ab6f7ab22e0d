// returns.window: the return window, counted in whole days from delivery to the request.
#include <string>

#include "rules.hpp"

namespace returns {

void window(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  const std::int64_t limit = ctx.params.integer("days");
  const std::int64_t age = shoprules::days_between(ev.order.delivered_at, ev.at);
  const std::int64_t days = age < 0 ? 0 : age;
  if (age <= limit) {
    auto& approve = out.emit("return.approve")
                        .because("Returned ", days, " days after delivery, within the ", limit,
                                 "-day return window: approved")
                        .set("lines", lines_value(ev.ret.lines))
                        .set("label", "customer_paid")
                        .set("pickup", false)
                        .set("keep", false);
    describe_approval(approve);
  } else if (ev.customer.vip) {
    out.emit("return.review")
        .because("Returned ", days, " days after delivery, past the ", limit,
                 "-day return window; a VIP's late return goes to a person")
        .set("lines", lines_value(ev.ret.lines))
        .set("reason", "past_window");
  } else {
    out.emit("return.deny")
        .because("Returned ", days, " days after delivery, past the ", limit, "-day return window")
        .set("lines", lines_value(ev.ret.lines))
        .set("reason", "past_window");
  }
}

}  // namespace returns
