#include <gtest/gtest.h>
#include <shoprules/testing.hpp>

#include "birthday/rules.hpp"

namespace {

using shoprules::testing::RuleRunner;

shoprules::Event birthday_order() {
  shoprules::Event ev = shoprules::testing::order_placed();
  shoprules::testing::add_line(ev, "SH-1", 4995);
  ev.customer.tags = {"birthday"};
  return ev;
}

TEST(BirthdayCoupon, BirthdayWeekOrderEarnsTheDefaultCoupon) {
  RuleRunner run(birthday::kRules, "birthday_coupon");
  auto result = run(birthday_order());
  auto emitted = result.emitted();
  ASSERT_EQ(emitted.size(), 1u) << result.error;
  EXPECT_EQ(emitted[0].type, "coupon.issue");
  EXPECT_EQ(emitted[0].int_param("percent"), 15);
  EXPECT_EQ(emitted[0].int_param("expires_in_days"), 30);
  EXPECT_EQ(emitted[0].reason, "Happy birthday! A 15% coupon for 30 days");
}

TEST(BirthdayCoupon, ParamsAsTheConfigSetsThem) {
  RuleRunner run(birthday::kRules, "birthday_coupon");
  run.set("percent", 25).set("tag", "bday");
  shoprules::Event ev = birthday_order();
  EXPECT_TRUE(run(ev).emitted().empty());  // the default tag no longer matches
  ev.customer.tags = {"vip", "bday"};
  auto emitted = run(ev).emitted();
  ASSERT_EQ(emitted.size(), 1u);
  EXPECT_EQ(emitted[0].int_param("percent"), 25);
}

TEST(BirthdayCoupon, OtherDaysAndOtherEventsSaySo) {
  RuleRunner run(birthday::kRules, "birthday_coupon");
  shoprules::Event ev = birthday_order();
  ev.customer.tags.clear();
  auto result = run(ev);
  EXPECT_TRUE(result.emitted().empty());
  EXPECT_EQ(result.skipped, "not the customer's birthday week");
  // .on(OrderPlaced): the harness, like the host, skips other events without calling the rule.
  EXPECT_EQ(run(shoprules::testing::contact_received()).skipped, "not an order.placed event");
}

TEST(BirthdayCoupon, OutOfRangeParamsAreRefusedAsTheHostWould) {
  RuleRunner run(birthday::kRules, "birthday_coupon");
  EXPECT_THROW(run.set("percent", 80), std::out_of_range);
  EXPECT_THROW(run.set("percent", true), std::invalid_argument);
  EXPECT_THROW(run.set("no_such_param", 1), std::invalid_argument);
}

}  // namespace
