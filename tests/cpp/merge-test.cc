// The merge policy of SPEC section 3, driven by pairs of real rules from the testkit plugin.
#include <gtest/gtest.h>

#include "test-support.hpp"

namespace shoprules::test {
namespace {

json decide_with(json rules, json event = order_event()) {
  json config = {{"plugins", {{"testkit", {{"rules", rules}}}}}};
  return decide(make_host(config, {"testkit"}, /*bundled=*/false), event);
}

TEST(Merge, ShippingUpgradeKeepsTheFastest) {
  json out = decide_with({{"upgrade_a", {{"enabled", true}, {"to", "expedited"}}},
                          {"upgrade_b", {{"enabled", true}, {"to", "overnight"}}}});
  ASSERT_EQ(out["actions"].size(), 1u);
  EXPECT_EQ(out["actions"][0]["params"]["to"], "overnight");
  EXPECT_EQ(out["actions"][0]["rule"], "upgrade_b");
  json merged = trace_of(out, "testkit", "upgrade_a")["merged"];
  ASSERT_EQ(merged.size(), 1u);
  EXPECT_EQ(merged[0], "shipping.upgrade: replaced by the faster upgrade from testkit.upgrade_b");
}

TEST(Merge, EqualUpgradesKeepTheFirst) {
  json out = decide_with({{"upgrade_a", {{"enabled", true}, {"to", "overnight"}}},
                          {"upgrade_b", {{"enabled", true}, {"to", "overnight"}}}});
  ASSERT_EQ(out["actions"].size(), 1u);
  EXPECT_EQ(out["actions"][0]["rule"], "upgrade_a");
}

TEST(Merge, PointsAreSummed) {
  json out = decide_with({{"points_a", {{"enabled", true}, {"points", 50}}},
                          {"points_b", {{"enabled", true}, {"points", 7}}}});
  ASSERT_EQ(out["actions"].size(), 1u);
  EXPECT_EQ(out["actions"][0]["params"]["points"], 57);
  EXPECT_EQ(out["actions"][0]["reason"], "50 points; 7 points");
  EXPECT_EQ(trace_of(out, "testkit", "points_b")["merged"][0],
            "points.award: combined into the one from testkit.points_a");
}

TEST(Merge, RefundKeepsTheLargest) {
  json out = decide_with({{"refund_a", {{"enabled", true}, {"amount", 100}}},
                          {"refund_b", {{"enabled", true}, {"amount", 4995}}}});
  ASSERT_EQ(out["actions"].size(), 1u);
  EXPECT_EQ(out["actions"][0]["params"]["amount"], 4995);
  EXPECT_EQ(trace_of(out, "testkit", "refund_a")["merged"][0],
            "refund.issue: replaced by the larger refund from testkit.refund_b");
}

TEST(Merge, VipGrantsUnionTheirCustomersAndBenefits) {
  json out =
      decide_with({{"vip_a", {{"enabled", true}}},
                   {"vip_b", {{"enabled", true}, {"household", true}, {"benefit", "gift"}}}});
  ASSERT_EQ(out["actions"].size(), 1u);
  EXPECT_EQ(out["actions"][0]["params"]["customers"], json({"c-42", "c-43", "c-44"}));
  EXPECT_EQ(out["actions"][0]["params"]["benefits"], json({"free_expedited_shipping", "gift"}));
}

TEST(Merge, CouponKeepsTheMostValuable) {
  // 10% of 49.95 is worth less than 5.00; 10% of 499.50 is worth more.
  json rules = {{"coupon_a", {{"enabled", true}, {"percent", 10}}},
                {"coupon_b", {{"enabled", true}, {"amount", 500}}}};
  json small = decide_with(rules, order_event("e", 4995));
  ASSERT_EQ(small["actions"].size(), 1u);
  EXPECT_EQ(small["actions"][0]["params"]["amount"], 500);
  json big = decide_with(rules, order_event("e", 49950));
  ASSERT_EQ(big["actions"].size(), 1u);
  EXPECT_EQ(big["actions"][0]["params"]["percent"], 10);
}

TEST(Merge, OtherTypesAreKeptAsEmitted) {
  json out = decide_with({{"upgrade_a", {{"enabled", true}}},
                          {"points_a", {{"enabled", true}}},
                          {"refund_a", {{"enabled", true}}}});
  EXPECT_EQ(action_types(out),
            (std::vector<std::string>{"shipping.upgrade", "points.award", "refund.issue"}));
}

TEST(Merge, ReviewRulesSeeMergedActionsAndMayDropThem) {
  json out = decide_with({{"coupon_a", {{"enabled", true}}},
                          {"coupon_b", {{"enabled", true}, {"amount", 500}}},
                          {"points_a", {{"enabled", true}}},
                          {"drop_coupons", {{"enabled", true}}}});
  EXPECT_EQ(action_types(out), std::vector<std::string>{"points.award"});
  EXPECT_EQ(trace_of(out, "testkit", "coupon_b")["merged"][0], "coupon.issue: coupons are paused");
  // The review rule runs last in the trace, after every decide rule.
  EXPECT_EQ(out["trace"].back()["rule"], "drop_coupons");
}

}  // namespace
}  // namespace shoprules::test
