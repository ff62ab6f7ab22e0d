// A plugin of small configurable rules, off by default, to drive merging, sampling and config.
#include <shoprules/sdk.hpp>

#include <chrono>
#include <string>
#include <thread>

namespace {

using shoprules::RuleContext;
using shoprules::RuleOutput;
using shoprules::Value;

void upgrade(const RuleContext& ctx, RuleOutput& out) {
  const std::string& to = ctx.params.string("to");
  out.emit("shipping.upgrade", "upgrade to " + to).set("from", "standard").set("to", to);
}

void points(const RuleContext& ctx, RuleOutput& out) {
  auto n = ctx.params.integer("points");
  out.emit("points.award", std::to_string(n) + " points").set("points", n);
}

void refund(const RuleContext& ctx, RuleOutput& out) {
  auto amount = ctx.params.integer("amount");
  out.emit("refund.issue", "refund " + std::to_string(amount))
      .set("amount", amount)
      .set("method", "original");
}

void vip(const RuleContext& ctx, RuleOutput& out) {
  Value customers = Value::list().push(ctx.event.customer.id);
  if (ctx.params.boolean("household"))
    for (auto id : ctx.event.customer.household) customers.push(id);
  out.emit("vip.grant", "VIP")
      .set("customers", std::move(customers))
      .set("benefits", Value::list().push(ctx.params.string("benefit")));
}

void coupon(const RuleContext& ctx, RuleOutput& out) {
  auto& a = out.emit("coupon.issue", "coupon");
  if (ctx.params.integer("amount") > 0)
    a.set("amount", ctx.params.integer("amount"));
  else
    a.set("percent", ctx.params.integer("percent"));
  a.set("expires_in_days", 60);
}

void sampled(const RuleContext& ctx, RuleOutput& out) {
  if (!ctx.chance(ctx.params.number("rate"))) return out.skip("not sampled");
  out.emit("test.sampled", "sampled");
}

void slow(const RuleContext& ctx, RuleOutput& out) {
  std::this_thread::sleep_for(std::chrono::milliseconds(ctx.params.integer("ms")));
  out.skip("slept");
}

void drop_coupons(const RuleContext&, RuleOutput& out) {
  for (auto& a : out.actions())
    if (a.is_kept() && a.type == "coupon.issue") out.drop(a, "coupons are paused");
}

// A probe, which decides by what the plugin guide says no rule may: whether reasons are kept.
void reasons(const RuleContext&, RuleOutput& out) {
  if (out.reasons())
    out.emit("test.explained").because("reasons are kept");
  else
    out.emit("test.unexplained").because("never written");
}

constexpr shoprules::ParamSpec kUpgrade[] = {
    shoprules::string_param("to", "expedited", "standard|expedited|overnight", "Speed"),
};
constexpr shoprules::ParamSpec kPoints[] = {
    shoprules::int_param("points", 10, 0, 1000, "Points"),
};
constexpr shoprules::ParamSpec kRefund[] = {
    shoprules::int_param("amount", 100, 0, 1000000, "Amount"),
};
constexpr shoprules::ParamSpec kVip[] = {
    shoprules::bool_param("household", false, "Household too"),
    shoprules::string_param("benefit", "free_expedited_shipping", nullptr, "Benefit"),
};
constexpr shoprules::ParamSpec kCoupon[] = {
    shoprules::int_param("amount", 0, 0, 100000, "Fixed amount, 0 for a percentage"),
    shoprules::int_param("percent", 10, 0, 100, "Percentage"),
};
constexpr shoprules::ParamSpec kSampled[] = {
    shoprules::number_param("rate", 0.1, 0.0, 1.0, "Share of orders"),
};

constexpr shoprules::ParamSpec kSlow[] = {
    shoprules::int_param("ms", 5, 0, 1000, "How long to sleep"),
};

constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("upgrade_a", "Upgrade shipping", &upgrade, kUpgrade).off(),
    shoprules::rule("upgrade_b", "Upgrade shipping", &upgrade, kUpgrade).off(),
    shoprules::rule("points_a", "Award points", &points, kPoints).off(),
    shoprules::rule("points_b", "Award points", &points, kPoints).off(),
    shoprules::rule("refund_a", "Refund", &refund, kRefund).off(),
    shoprules::rule("refund_b", "Refund", &refund, kRefund).off(),
    shoprules::rule("vip_a", "VIP", &vip, kVip).off(),
    shoprules::rule("vip_b", "VIP", &vip, kVip).off(),
    shoprules::rule("coupon_a", "Coupon", &coupon, kCoupon).off(),
    shoprules::rule("coupon_b", "Coupon", &coupon, kCoupon).off(),
    shoprules::rule("sampled", "Sampled", &sampled, kSampled).off(),
    shoprules::rule("drop_coupons", "Drops every coupon", &drop_coupons).off().review(),
    shoprules::rule("slow", "Sleeps", &slow, kSlow).off(),
    shoprules::rule("reasons", "Says whether reasons are kept", &reasons).off(),
};

}  // namespace

SHOPRULES_PLUGIN("testkit", "0.0.1", "test", "Configurable rules for tests", kRules);
