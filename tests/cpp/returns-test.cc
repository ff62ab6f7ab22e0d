// The bundled returns plugin: window boundaries, labels, refunds and the store-credit bonus.
#include <gtest/gtest.h>

#include "test-support.hpp"

namespace shoprules::test {
namespace {

const json& action(const json& out, const std::string& type) {
  for (const auto& a : out["actions"])
    if (a["type"] == type) return a;
  static const json none;
  ADD_FAILURE() << "no " << type << " in " << out.dump(1);
  return none;
}

TEST(Returns, ApprovesOnTheWindowsLastDay) {
  // Delivered 2025-11-23, requested 365 days later (2026 is not a leap year).
  json out = decide(make_host(only_plugin("returns")),
                    return_event("2025-11-23T09:00:00Z", "2026-11-23T10:00:00Z"));
  EXPECT_EQ(action_types(out), (std::vector<std::string>{"return.approve", "refund.issue"}));
  const json& approve = action(out, "return.approve");
  EXPECT_EQ(approve["params"]["label"], "prepaid");
  EXPECT_EQ(approve["params"]["lines"], json::parse(R"([{"sku": "SH-1", "qty": 1}])"));
  EXPECT_EQ(approve["reason"],
            "Returned 365 days after delivery, within the 365-day return window: approved, with a "
            "prepaid return label");
}

TEST(Returns, DeniesTheDayAfterAndSaysWhy) {
  json out = decide(make_host(only_plugin("returns")),
                    return_event("2025-11-22T09:00:00Z", "2026-11-23T10:00:00Z"));
  EXPECT_EQ(action_types(out), std::vector<std::string>{"return.deny"});
  EXPECT_EQ(action(out, "return.deny")["reason"],
            "Returned 366 days after delivery, past the 365-day return window");
  EXPECT_EQ(trace_of(out, "returns", "refund")["why"], "no returned line is due a refund");
}

TEST(Returns, AVipPastTheWindowGoesToAPerson) {
  json out =
      decide(make_host(only_plugin("returns")), return_event("2025-01-01", "2026-11-23", true));
  EXPECT_EQ(action_types(out), std::vector<std::string>{"return.review"});
  EXPECT_EQ(action(out, "return.review")["params"]["reason"], "past_window");
}

TEST(Returns, WindowIsTunable) {
  json config = {{"plugins", {{"returns", {{"rules", {{"window", {{"days", 30}}}}}}}}}};
  json out =
      decide(make_host(only_plugin("returns", config)), return_event("2026-10-01", "2026-11-23"));
  EXPECT_EQ(action_types(out), std::vector<std::string>{"return.deny"});
}

TEST(Returns, WithoutFreeShippingTheCustomerPaysButTheReturnIsAccepted) {
  json config = {
      {"plugins", {{"returns", {{"rules", {{"free_return_shipping", {{"enabled", false}}}}}}}}}};
  json out =
      decide(make_host(only_plugin("returns", config)), return_event("2026-11-01", "2026-11-23"));
  EXPECT_EQ(action(out, "return.approve")["params"]["label"], "customer_paid");
  EXPECT_EQ(trace_of(out, "returns", "free_return_shipping")["outcome"], "disabled");
}

TEST(Returns, RefundsThePricePaidToTheOriginalMethod) {
  json out = decide(make_host(only_plugin("returns")), return_event("2026-11-01", "2026-11-23"));
  const json& refund = action(out, "refund.issue");
  EXPECT_EQ(refund["params"]["amount"], 4995);
  EXPECT_EQ(refund["params"]["method"], "original");
  EXPECT_EQ(refund["params"]["bonus"], 0);
  EXPECT_EQ(refund["reason"], "Refund of 49.95 USD to the original payment method");
  EXPECT_EQ(trace_of(out, "returns", "store_credit_bonus")["why"],
            "the refund goes to the original payment method");
}

TEST(Returns, NeverRefundsMoreItemsThanWereBought) {
  json event = return_event("2026-11-01", "2026-11-23");
  event["return"]["lines"] = {{{"sku", "SH-2"}, {"qty", 5}}, {{"sku", "XX-9"}, {"qty", 1}}};
  json out = decide(make_host(only_plugin("returns")), event);
  const json& refund = action(out, "refund.issue");
  EXPECT_EQ(refund["params"]["amount"], 4000);  // 2 bought at 20.00
  EXPECT_EQ(refund["reason"],
            "Refund of 40.00 USD to the original payment method (not on the order, not refunded: "
            "XX-9)");
}

TEST(Returns, StoreCreditEarnsABonusRoundedHalfUp) {
  json event = return_event("2026-11-01", "2026-11-23", false, "store_credit");
  json out = decide(make_host(only_plugin("returns")), event);
  const json& refund = action(out, "refund.issue");
  EXPECT_EQ(refund["params"]["method"], "store_credit");
  EXPECT_EQ(refund["params"]["bonus"], 500);  // 10% of 4995 is 499.5: rounded half up
  EXPECT_EQ(refund["reason"],
            "Refund of 49.95 USD as store credit, plus a 10% store-credit bonus of 5.00 USD");

  json config = {
      {"plugins", {{"returns", {{"rules", {{"store_credit_bonus", {{"percent", 15}}}}}}}}}};
  json tuned_out = decide(make_host(only_plugin("returns", config)), event);
  const json& tuned = action(tuned_out, "refund.issue");
  EXPECT_EQ(tuned["params"]["bonus"], 749);  // 749.25
}

TEST(Returns, IgnoresOtherEvents) {
  json out = decide(make_host(only_plugin("returns")), order_event());
  EXPECT_TRUE(out["actions"].empty());
  for (const auto& t : out["trace"]) {
    if (t["plugin"] != "returns" || t["outcome"] == "disabled") continue;
    EXPECT_EQ(t["why"], "not a return.requested event") << t;
  }
}

}  // namespace
}  // namespace shoprules::test
