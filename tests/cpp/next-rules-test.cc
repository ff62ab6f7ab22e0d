// The SDK and host pieces the next rules need: map and day-of-year params, the store currency,
// the new event fields, and the checks and merge policy of points.expire and exchange.ship.
#include <gtest/gtest.h>

#include "shoprules/calendar.hpp"
#include "shoprules/host/action_check.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/merge.hpp"
#include "shoprules/testing.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

std::string config_error(const json& config) {
  try {
    make_host(config);
  } catch (const host::ConfigError& e) {
    return e.what();
  }
  return "";
}

json with_rule(const std::string& plugin, const std::string& rule, json params) {
  params["enabled"] = true;
  return {{"plugins", {{plugin, {{"rules", {{rule, params}}}}}}}};
}

TEST(NextRules, ParsesMonthDays) {
  MonthDay md;
  EXPECT_TRUE(parse_month_day("11-01", md));
  EXPECT_EQ(md.key(), 1101);
  EXPECT_TRUE(parse_month_day("02-29", md));
  for (const char* bad :
       {"13-01", "00-10", "04-31", "1-01", "11/01", "11-1", "", "ab-cd", "11-01x"})
    EXPECT_FALSE(parse_month_day(bad, md)) << bad;
}

TEST(NextRules, CalendarDatesRoundTrip) {
  const Timestamp t = start_of_day(2026, 11, 23);
  EXPECT_EQ(t.seconds, testing::at("2026-11-23T00:00:00Z").seconds);
  const CivilDate d = civil_date(testing::at("2024-02-29T23:59:59Z"));
  EXPECT_EQ(d.year, 2024);
  EXPECT_EQ(d.month, 2);
  EXPECT_EQ(d.day, 29);
  EXPECT_EQ(civil_date(testing::at("1969-12-31T12:00:00Z")).year, 1969);
}

TEST(NextRules, MapParamsAreCheckedPerEntry) {
  EXPECT_EQ(
      config_error(with_rule("loyalty", "category_multiplier", {{"multipliers", {{"shoes", -2}}}})),
      "test.json: plugins.loyalty.rules.category_multiplier.multipliers.shoes: expected a "
      "number in 0..100, got -2");
  EXPECT_EQ(
      config_error(with_rule("returns", "category_window", {{"days", {{"electronics", 1.5}}}})),
      "test.json: plugins.returns.rules.category_window.days.electronics: expected an integer in "
      "0..3650, got 1.5");
  EXPECT_EQ(config_error(with_rule("returns", "category_window", {{"days", 30}})),
            "test.json: plugins.returns.rules.category_window.days: expected an object of names to "
            "integers such as {\"shoes\": 2}, got 30");
  EXPECT_EQ(config_error(with_rule("returns", "category_window", {{"days", {{"", 3}}}})),
            "test.json: plugins.returns.rules.category_window.days: expected entry names of "
            "1..1024 bytes, got one of 0");
}

TEST(NextRules, AHugeMapIsRefusedBeforeItsEntriesAreRead) {
  json days = json::object();
  for (int i = 0; i < 100000; ++i) days["c" + std::to_string(i)] = -1;  // every entry also bad
  EXPECT_EQ(config_error(with_rule("returns", "category_window", {{"days", days}})),
            "test.json: plugins.returns.rules.category_window.days: expected at most 1000 entries, "
            "got 100000");
}

TEST(NextRules, MapsAndDaysShowInThePluginsSchema) {
  auto h = make_host(with_rule("returns", "category_window", {{"days", {{"electronics", 30}}}}));
  json rules = plugin_entry(h, "returns")["rules"];
  ASSERT_EQ(rules[1]["id"], "category_window");
  EXPECT_EQ(rules[1]["params"]["days"], json::parse(R"({"electronics": 30})"));
  EXPECT_EQ(rules[1]["defaults"]["days"], json::object());
  EXPECT_EQ(rules[1]["schema"]["days"]["type"], "map");
  EXPECT_EQ(rules[1]["schema"]["days"]["values"], "int");
  EXPECT_EQ(rules[1]["schema"]["days"]["max_entries"], 1000);
  ASSERT_EQ(rules[2]["id"], "holiday_window");
  EXPECT_EQ(rules[2]["defaults"]["from"], "11-01");
  EXPECT_EQ(rules[2]["schema"]["until"]["type"], "day_of_year");
  EXPECT_EQ(rules[2]["schema"]["until"]["format"], "MM-DD");
}

TEST(NextRules, DaysOfTheYearAreChecked) {
  EXPECT_EQ(config_error(with_rule("returns", "holiday_window", {{"until", "02-30"}})),
            "test.json: plugins.returns.rules.holiday_window.until: expected a day of the year as "
            "\"MM-DD\" (such as \"11-01\"), got \"02-30\"");
  EXPECT_EQ(config_error(with_rule("returns", "holiday_window", {{"from", 1101}})),
            "test.json: plugins.returns.rules.holiday_window.from: expected a day of the year as "
            "\"MM-DD\" (such as \"11-01\"), got 1101");
}

TEST(NextRules, TheStoreCurrencyIsChecked) {
  EXPECT_EQ(make_host().snapshot()->main().currency, "USD");
  EXPECT_EQ(make_host({{"currency", "EUR"}}).snapshot()->main().currency, "EUR");
  auto h = make_host(
      {{"currency", "EUR"}, {"stores", {{"jp", {{"currency", "JPY"}}}, {"de", json::object()}}}});
  EXPECT_EQ(h.snapshot()->find("jp")->currency, "JPY");
  EXPECT_EQ(h.snapshot()->find("de")->currency, "EUR");
  EXPECT_EQ(config_error({{"currency", "usd"}}),
            "test.json: currency: expected a currency code of three capital letters such as USD, "
            "got \"usd\"");
}

TEST(NextRules, MoneyOnAContactIsInTheStoreCurrency) {
  json contact = {{"id", "evt-c"},
                  {"type", "contact.received"},
                  {"at", "2026-11-23T10:00:00Z"},
                  {"customer", {{"id", "c-1"}}},
                  {"contact", {{"channel", "phone"}, {"circumstances", {"bereavement"}}}}};
  json out = decide(make_host({{"currency", "GBP"}}), contact);
  bool found = false;
  for (const auto& a : out["actions"])
    if (a["type"] == "gift.send") {
      found = true;
      EXPECT_EQ(a["params"]["currency"], "GBP");
    }
  EXPECT_TRUE(found);
}

TEST(NextRules, ReadsTheNewEventFields) {
  json ev = return_event("2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z");
  ev["customer"]["last_order_at"] = "2025-01-10T08:00:00Z";
  ev["customer"]["spend_12m"] = 12000;
  ev["return"]["lines"][0]["exchange_for"] = {{"sku", "SH-1"}, {"size", "10"}};
  Event e;
  host::read_event(ev, e);
  EXPECT_TRUE(e.customer.last_order_at);
  EXPECT_TRUE(e.customer.has_spend_12m);
  EXPECT_EQ(e.customer.spend_12m, 12000);
  ASSERT_TRUE(e.ret.lines[0].exchange_for);
  EXPECT_EQ(e.ret.lines[0].exchange_for.size, "10");
}

std::string event_error(const json& ev) {
  Event e;
  try {
    host::read_event(ev, e);
  } catch (const host::InvalidEventError& err) {
    return err.what();
  }
  return "";
}

TEST(NextRules, RefusesBadNewFields) {
  json ev = return_event("2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z");
  ev["return"]["lines"][0]["sku"] = "NOT-BOUGHT";
  ev["return"]["lines"][0]["exchange_for"] = {{"sku", "SH-1"}, {"size", "10"}};
  EXPECT_EQ(event_error(ev),
            "return.lines[0].exchange_for: an exchange needs the returned line on the order, and "
            "sku \"NOT-BOUGHT\" is not on it");
  ev = return_event("2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z");
  ev["return"]["lines"][0]["exchange_for"] = "SH-1";
  EXPECT_NE(event_error(ev).find("return.lines[0].exchange_for: expected an object"),
            std::string::npos);
  ev["return"]["lines"][0]["exchange_for"] = {{"size", "10"}};
  EXPECT_EQ(event_error(ev), "return.lines[0].exchange_for.sku: is required");
  ev = return_event("2026-11-01T00:00:00Z", "2026-11-10T00:00:00Z");
  ev["customer"]["spend_12m"] = -5;
  EXPECT_EQ(event_error(ev),
            "customer.spend_12m: expected a non-negative integer (minor units), got -5");
  ev["customer"]["spend_12m"] = 0;
  ev["customer"]["last_order_at"] = "last year";
  EXPECT_NE(event_error(ev).find("customer.last_order_at: expected an ISO-8601 time"),
            std::string::npos);
}

Action make(std::string type) {
  Action a;
  a.type = std::move(type);
  return a;
}

TEST(NextRules, ChecksTheNewActionTypes) {
  EXPECT_EQ(host::check_action(make("points.expire").set("points", 10)), "");
  EXPECT_EQ(host::check_action(make("points.expire")), "emitted points.expire without points");
  EXPECT_EQ(host::check_action(make("points.expire").set("points", -1)),
            "emitted points.expire with points -1: expected a non-negative integer");
  EXPECT_EQ(host::check_action(make("exchange.ship")
                                   .set("sku", "SH-1")
                                   .set("size", "10")
                                   .set("shipping", "standard")
                                   .set("charge", 0)),
            "");
  EXPECT_EQ(host::check_action(make("exchange.ship").set("size", "10")),
            "emitted exchange.ship without sku");
  EXPECT_EQ(host::check_action(make("exchange.ship").set("sku", "S").set("shipping", "drone")),
            "emitted exchange.ship with shipping \"drone\": expected standard, expedited or "
            "overnight");
  EXPECT_EQ(host::check_action(make("exchange.ship").set("sku", "S").set("charge", -1)),
            "emitted exchange.ship with charge -1: expected a non-negative integer (minor units)");
  EXPECT_EQ(host::check_action(make("refund.issue").set("amount", 5).set("instant", 1)),
            "emitted refund.issue with instant 1: expected true or false");
  EXPECT_EQ(
      host::check_action(make("points.award").set("points", 5).set("available_after_days", -3)),
      "emitted points.award with available_after_days -3: expected a non-negative integer");
}

TEST(NextRules, MergesExpiriesAndExchanges) {
  auto h = make_host();
  const host::StoreConfig& store = h.snapshot()->main();
  ActionList actions;
  actions.push_back(make("points.expire").set("points", 10));
  actions.push_back(make("points.expire").set("points", 30));
  actions.push_back(make("exchange.ship").set("sku", "A").set("returned_sku", "SH-1"));
  actions.push_back(make("exchange.ship").set("sku", "B").set("returned_sku", "SH-1"));
  actions.push_back(make("exchange.ship").set("sku", "C").set("returned_sku", "SH-2"));
  host::merge_actions(actions, store, 0);
  EXPECT_FALSE(actions[0].is_kept());
  EXPECT_NE(actions[0].status_note.find("replaced by the larger expiry"), std::string::npos);
  EXPECT_TRUE(actions[1].is_kept());
  EXPECT_TRUE(actions[2].is_kept());
  EXPECT_FALSE(actions[3].is_kept());
  EXPECT_NE(actions[3].status_note.find("the same line is already exchanged"), std::string::npos);
  EXPECT_TRUE(actions[4].is_kept());
}

constexpr ParamSpec kTestParams[] = {
    number_map_param("weights", 0.0, 10.0, 2, "weights"),
    day_of_year_param("from", "11-01", "from"),
};
void read_params(const RuleContext& ctx, RuleOutput& out) {
  const MapEntry* shoes = ctx.params.map("weights").find("shoes");
  out.emit("test.read", "read")
      .set("shoes", shoes ? shoes->d : -1.0)
      .set("from", std::int64_t{ctx.params.day_of_year("from").key()})
      .set("currency", ctx.currency());
}
constexpr RuleSpec kTestRules[] = {rule("read", "reads params", &read_params, kTestParams)};

TEST(NextRules, TheTestHarnessSetsMapsAndDays) {
  testing::RuleRunner run(kTestRules, "read");
  auto first = run(testing::contact_received()).emitted();
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0].param("shoes")->as_number(), -1.0);
  EXPECT_EQ(first[0].int_param("from"), 1101);
  EXPECT_EQ(first[0].param("currency")->as_string(), "USD");
  run.set("weights", {{"shoes", 2.5}, {"bags", 1}}).set("from", "12-24").currency("EUR");
  auto second = run(testing::contact_received()).emitted();
  EXPECT_EQ(second[0].param("shoes")->as_number(), 2.5);
  EXPECT_EQ(second[0].int_param("from"), 1224);
  EXPECT_EQ(second[0].param("currency")->as_string(), "EUR");
  EXPECT_THROW(run.set("weights", {{"shoes", 11}}), std::out_of_range);
  EXPECT_THROW(run.set("weights", {{"a", 1}, {"b", 1}, {"c", 1}}), std::out_of_range);
  EXPECT_THROW(run.set("from", "13-01"), std::out_of_range);
}

}  // namespace
}  // namespace shoprules::test
