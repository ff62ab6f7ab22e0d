// A plugin whose rules fail in every way a rule can, between two that work.
#include <shoprules/sdk.hpp>

#include <stdexcept>

namespace {

using shoprules::RuleContext;
using shoprules::RuleOutput;

void before(const RuleContext&, RuleOutput& out) {
  out.emit("test.before", "ran before the faults");
}

void throws_std(const RuleContext&, RuleOutput& out) {
  out.emit("test.partial", "emitted before throwing; must not survive");
  throw std::runtime_error("inventory service unreachable");
}

void throws_other(const RuleContext&, RuleOutput&) {
  throw 42;
}

void untyped(const RuleContext&, RuleOutput& out) {
  out.emit("", "an action with no type");
}

void bad_param(const RuleContext& ctx, RuleOutput&) {
  (void)ctx.params.integer("no_such_param");
}

void negative_refund(const RuleContext&, RuleOutput& out) {
  out.emit("refund.issue", "a refund the customer would pay").set("amount", -5);
}

void drone_upgrade(const RuleContext&, RuleOutput& out) {
  out.emit("shipping.upgrade", "no such speed").set("from", "standard").set("to", "drone");
}

void points_ok(const RuleContext&, RuleOutput& out) {
  out.emit("points.award", "valid when emitted").set("points", 5);
}

void breaks_points(const RuleContext&, RuleOutput& out) {
  if (auto* award = out.find("points.award")) award->set("points", -1);
}

void after(const RuleContext&, RuleOutput& out) {
  out.emit("test.after", "ran after the faults");
}

constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("before", "Works", &before),
    shoprules::rule("throws_std", "Throws a std::runtime_error", &throws_std),
    shoprules::rule("throws_other", "Throws an int", &throws_other),
    shoprules::rule("untyped", "Emits an action without a type", &untyped),
    shoprules::rule("bad_param", "Reads a param it never declared", &bad_param),
    shoprules::rule("negative_refund", "Emits a negative refund", &negative_refund),
    shoprules::rule("drone_upgrade", "Emits an unknown shipping speed", &drone_upgrade),
    shoprules::rule("points_ok", "Emits valid points", &points_ok),
    shoprules::rule("breaks_points", "Amends the points into a negative number", &breaks_points),
    shoprules::rule("after", "Works", &after),
};

}  // namespace

SHOPRULES_PLUGIN("faulty", "0.0.1", "test", "Rules that fail", kRules);
