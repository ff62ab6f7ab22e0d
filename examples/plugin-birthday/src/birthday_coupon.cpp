#include <string>

#include "birthday/rules.hpp"

namespace birthday {

void birthday_coupon(const shoprules::RuleContext& ctx, shoprules::RuleOutput& out) {
  const shoprules::Event& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  const std::string& tag = ctx.params.string("tag");
  bool birthday = false;
  for (shoprules::Text t : ev.customer.tags) birthday = birthday || t == tag;
  if (!birthday) return out.skip("not the customer's birthday week");
  const std::int64_t percent = ctx.params.integer("percent");
  const std::int64_t days = ctx.params.integer("expires_in_days");
  out.emit("coupon.issue")
      .because("Happy birthday! A ", percent, "% coupon for ", days, " days")
      .set("percent", percent)
      .set("expires_in_days", days);
}

}  // namespace birthday
