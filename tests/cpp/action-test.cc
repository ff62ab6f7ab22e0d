// The checks the host puts on every action a rule emits.
#include <gtest/gtest.h>

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "shoprules/calendar.hpp"
#include "shoprules/host/action_check.hpp"
#include "shoprules/host/decision.hpp"
#include "shoprules/host/output_caps.hpp"
#include "shoprules/money.hpp"
#include "shoprules/rule.hpp"
#include "shoprules/same_text.hpp"
#include "shoprules/text.hpp"

namespace shoprules::test {
namespace {

Action make(std::string type) {
  Action a;
  a.type = std::move(type);
  return a;
}

TEST(ActionCheck, AcceptsWellFormedActions) {
  EXPECT_EQ(host::check_action(make("refund.issue").set("amount", 0).set("method", "original")),
            "");
  EXPECT_EQ(host::check_action(make("coupon.issue").set("percent", 10)), "");
  EXPECT_EQ(host::check_action(make("coupon.issue").set("amount", 500)), "");
  EXPECT_EQ(host::check_action(make("shipping.upgrade").set("to", "overnight")), "");
  EXPECT_EQ(host::check_action(make("acme.loyalty_v2.stamp").set("anything", -1)), "");
}

TEST(ActionCheck, RefusesBadTypes) {
  EXPECT_EQ(host::check_action(make("")), "emitted an action with no type");
  EXPECT_EQ(host::check_action(make("Refund")),
            "emitted an action of type \"Refund\": expected a dotted lowercase name such as "
            "gift.send");
  EXPECT_NE(host::check_action(make("refund.")), "");
  EXPECT_NE(host::check_action(make("gift send.x")), "");
}

TEST(ActionCheck, RefusesBadParamsOfKnownTypes) {
  EXPECT_EQ(host::check_action(make("refund.issue")), "emitted refund.issue without amount");
  EXPECT_EQ(host::check_action(make("refund.issue").set("amount", 5).set("method", "cash")),
            "emitted refund.issue with method \"cash\": expected one of original|store_credit");
  EXPECT_EQ(host::check_action(make("coupon.issue").set("percent", 150)),
            "emitted coupon.issue with percent 150: expected a number in 0..100");
  EXPECT_EQ(host::check_action(make("coupon.issue").set("expires_in_days", 60)),
            "emitted coupon.issue without amount or percent");
  EXPECT_EQ(host::check_action(make("points.award").set("points", "ten")),
            "emitted points.award with points \"ten\": expected a non-negative integer");
  EXPECT_EQ(host::check_action(make("return.approve").set("label", "free")),
            "emitted return.approve with label \"free\": expected one of "
            "prepaid|customer_paid|none");
  EXPECT_EQ(
      host::check_action(make("gift.send").set("value", 12.5)),
      "emitted gift.send with value 12.500000: expected a non-negative integer (minor units)");
}

// The evaluation asks the quick checks first and builds a message only when they fail: they must
// say yes exactly when the full checks would find nothing (and never when they would).
TEST(ActionCheck, TheQuickChecksAgreeWithTheFullOnes) {
  Value nested = Value::list();
  nested.push(Value::object());
  nested.items()[0].set("sku", "S-1");
  const std::vector<Action> actions = {
      make("refund.issue").set("amount", 0).set("method", "original"),
      make("refund.issue"),
      make("refund.issue").set("amount", 5).set("method", "cash"),
      make("refund.issue").set("amount", -1),
      make("refund.issue").set("amount", 5).set("instant", true).set("bonus", 2).set("fee", 1),
      make("coupon.issue").set("percent", 10),
      make("coupon.issue").set("percent", 150),
      make("coupon.issue").set("expires_in_days", 60),
      make("coupon.issue").set("amount", 500).set("expires_in_days", 30),
      make("points.award").set("points", "ten"),
      make("points.award").set("points", 5).set("available_after_days", -3),
      make("shipping.upgrade").set("to", "overnight"),
      make("shipping.upgrade").set("to", "drone"),
      make("return.approve").set("label", "free"),
      make("return.approve").set("skus", nested),
      make("exchange.ship").set("sku", "S").set("qty", 2),
      make("exchange.ship").set("size", "10"),
      make("acme.loyalty_v2.stamp").set("anything", -1),
      make("tier.change").set("from", "member").set("to", "silver"),
      make(""),
      make("Refund"),
      make("refund."),
      make("gift send.x"),
      make("gift.send").set("value", 12.5),
      make(std::string(129, 'x') + ".y"),
      make("gift.send").because(std::string(host::kMaxReasonBytes + 1, 'r')),
      make("gift.send").set(std::string(host::kMaxParamStringBytes + 1, 'k'), 1),
      make("gift.send").set("note", std::string(host::kMaxParamStringBytes + 1, 'n')),
      make("gift.send").set("note", std::string(host::kMaxParamStringBytes, 'n')),
      make("shipping.upgrade").set("from", "standard").set("to", "expedited"),
      make("shipping.upgrade").set("from", "standar").set("to", "expedited"),
      make("shipping.upgrade").set("from", "expedited"),
      make("replacement.ship").set("shipping", "overnight").set("charge", 0),
      make("return.approve").set("label", "customer_paid"),
      make("return.approve").set("label", "customer_paid "),
      make("exchange.ship").set("sku", 7),
      make("refund.issue").set("instant", 1).set("amount", 3),
      make("coupon.issue").set("amount", 0),
      make("a.b"),
      make("a..b"),
      make("x.y-z"),
  };
  // A param set twice by pushing to `params`: only the first counts, as Action::param reads it.
  std::vector<Action> twice = {make("refund.issue").set("amount", 5), make("refund.issue")};
  twice[0].params.push_back({"amount", -5});
  twice[1].params.push_back({"method", "cash"});
  twice[1].params.push_back({"amount", 5});
  twice[1].params.push_back({"method", "original"});
  for (const Action& a : twice) {
    EXPECT_EQ(host::action_ok(a), host::check_action(a).empty());
  }
  EXPECT_TRUE(host::action_ok(twice[0]));
  EXPECT_FALSE(host::action_ok(twice[1]));
  for (const Action& a : actions) {
    SCOPED_TRACE(a.type.substr(0, 40));
    EXPECT_EQ(host::action_ok(a), host::check_action(a).empty());
    EXPECT_EQ(host::within_output_caps(a), host::check_output_caps(a).empty());
    if (host::surely_within_output_caps(a)) {
      EXPECT_EQ(host::check_output_caps(a), "");
    }
  }
  EXPECT_TRUE(host::surely_within_output_caps(actions[0]));
  EXPECT_FALSE(host::surely_within_output_caps(actions[14]));  // nested: the full check decides
  EXPECT_EQ(host::check_output_caps(actions[14]), "");
  for (std::size_t i : {24u, 25u, 26u, 27u}) {
    EXPECT_FALSE(host::surely_within_output_caps(actions[i]));
    EXPECT_NE(host::check_output_caps(actions[i]), "");
  }
  EXPECT_TRUE(host::surely_within_output_caps(actions[28]));
}

// A rule reads a param by the literal that declared it (found by its address) or by any other
// text of the same name; nothing else is taken for it.
TEST(Params, AreFoundByName) {
  static const char* const kDays = "days";
  const ParamSpec specs[] = {int_param(kDays, 30, 0, 365, "d"),
                             string_param("days_label", "x", nullptr, "l"),
                             bool_param("on", true, "o")};
  std::vector<ParamValue> values(3);
  values[0].i = 45;
  values[1].s = "forty-five";
  values[2].b = true;
  const Params params(specs, values.data(), values.size());
  EXPECT_EQ(params.integer(kDays), 45);
  EXPECT_EQ(params.integer(std::string("days")), 45);
  EXPECT_EQ(params.string(std::string_view(specs[1].name)), "forty-five");
  EXPECT_EQ(params.string("days_label"), "forty-five");
  EXPECT_TRUE(params.boolean("on"));
  // A prefix of a declared name, at that name's own address, is not that param.
  EXPECT_EQ(params.integer(std::string_view(specs[1].name, 4)), 45);  // "days": the first param
  EXPECT_THROW(params.integer(std::string_view(specs[1].name, 5)), std::out_of_range);  // "days_"
  EXPECT_THROW(params.integer(std::string_view(kDays, 3)), std::out_of_range);          // "day"
  EXPECT_THROW(params.string(kDays), std::logic_error);  // declared an int
}

TEST(Money, FormatsMinorUnitsForPeople) {
  EXPECT_EQ(format_money(4995, "USD"), "49.95 USD");
  EXPECT_EQ(format_money(5, "EUR"), "0.05 EUR");
  EXPECT_EQ(format_money(1230, "EUR"), "12.30 EUR");
  EXPECT_EQ(format_money(0, "USD"), "0.00 USD");
  EXPECT_EQ(format_money(-250, "USD"), "-2.50 USD");
  EXPECT_EQ(format_money(500, "JPY"), "500 JPY");
  EXPECT_EQ(format_money(-7, "JPY"), "-7 JPY");
  EXPECT_EQ(format_money(4995, ""), "49.95");
  EXPECT_EQ(format_money(INT64_MIN, "USD"), "-92233720368547758.08 USD");
  EXPECT_EQ(format_money(INT64_MAX, "KRW"), "9223372036854775807 KRW");
}

TEST(Money, PercentOfRoundsHalfUpAndNeverOverflows) {
  EXPECT_EQ(percent_of(4995, 10), 500);  // 499.5 rounds up
  EXPECT_EQ(percent_of(4994, 10), 499);
  EXPECT_EQ(percent_of(0, 100), 0);
  EXPECT_EQ(percent_of(149, 1), 1);  // 1.49
  EXPECT_EQ(percent_of(150, 1), 2);  // 1.5
  for (std::int64_t amount = 0; amount < 1000; ++amount)
    for (std::int64_t percent = 0; percent <= 100; ++percent)
      ASSERT_EQ(percent_of(amount, percent), (amount * percent + 50) / 100)
          << amount << " " << percent;
  // Past 92 trillion minor units amount x percent would not fit in 64 bits; the result does.
  EXPECT_EQ(percent_of(INT64_MAX, 100), INT64_MAX);
  EXPECT_EQ(percent_of(INT64_MAX, 50), 4611686018427387904);  // 4611686018427387903.5 rounds up
  EXPECT_EQ(percent_of(4000000000000000000, 15), 600000000000000000);
}

TEST(Calendar, FormatsDatesAsPrintfWould) {
  EXPECT_EQ(format_date(CivilDate{2026, 3, 7}), "2026-03-07");
  EXPECT_EQ(format_date(CivilDate{987, 12, 31}), "0987-12-31");
  EXPECT_EQ(format_date(CivilDate{0, 1, 1}), "0000-01-01");
  EXPECT_EQ(format_date(civil_date(Timestamp{0, true})), "1970-01-01");
  EXPECT_EQ(format_date(civil_date(start_of_day(2024, 2, 29))), "2024-02-29");
  EXPECT_EQ(format_date(CivilDate{12026, 1, 2}), "12026-01-02");
  EXPECT_EQ(format_month_day(MonthDay{11, 1}), "11-01");
  EXPECT_EQ(format_month_day(MonthDay{1, 15}), "01-15");
}

TEST(Text, CatJoinsAsPlusAndToStringWould) {
  const std::string money = format_money(4995, "USD");
  const std::string_view tier = "silver";
  EXPECT_EQ(cat(65, " points for an order of ", money),
            std::to_string(65) + " points for an order of " + money);
  EXPECT_EQ(cat("member -> ", tier, ", ", std::int64_t{-7}, " ", INT64_MIN, " ", UINT64_MAX),
            "member -> silver, -7 " + std::to_string(INT64_MIN) + " " + std::to_string(UINT64_MAX));
  EXPECT_EQ(cat(), "");
  EXPECT_EQ(cat(std::string(100, 'x'), 1).size(), 101u);
}

TEST(Action, SetReplacesAKeyAndKeepsTheOrder) {
  Action a = make("gift.send");
  a.set("value", 1).set("a_rather_long_param_name", "x").set("value", 2);
  ASSERT_EQ(a.params.size(), 2u);
  EXPECT_EQ(a.params[0].key, "value");
  EXPECT_EQ(a.int_param("value"), 2);
  EXPECT_EQ(a.params[1].key, "a_rather_long_param_name");
  EXPECT_EQ(a.param("a_rather_long_param_name")->as_string(), "x");
}

TEST(Action, ResetMakesItANewActionAndKeepsItsStorage) {
  Action a = make("a.very.long.action.type.indeed");
  a.set("n", 1).set("text", "a value long enough to be stored apart");
  a.reason = std::string(200, 'x');
  a.origin = 7;
  a.status = Action::Status::Merged;
  a.wants_reason = false;
  a.status_note = "merged into an earlier action";
  const char* reason_storage = a.reason.data();
  const Member* params_storage = a.params.data();
  a.reset();
  const Action fresh;
  EXPECT_EQ(a.type, fresh.type);
  EXPECT_EQ(a.params.size(), fresh.params.size());
  EXPECT_EQ(a.reason, fresh.reason);
  EXPECT_EQ(a.origin, fresh.origin);
  EXPECT_EQ(a.status, fresh.status);
  EXPECT_EQ(a.wants_reason, fresh.wants_reason);
  EXPECT_EQ(a.status_note, fresh.status_note);
  EXPECT_EQ(a.reason.data(), reason_storage);
  EXPECT_EQ(a.params.data(), params_storage);
}

TEST(Value, HoldsOneKindAndReadsOthersAsEmpty) {
  static_assert(sizeof(Value) <= 40, "a param value stays small: rules move many");
  const Value number(2.5);
  EXPECT_EQ(number.as_int(), 0);  // not the double's bits
  EXPECT_FALSE(number.as_bool());
  EXPECT_EQ(number.as_number(), 2.5);
  EXPECT_EQ(number.as_string(), "");
  EXPECT_TRUE(number.items().empty());
  EXPECT_TRUE(number.members().empty());
  EXPECT_EQ(number.find("x"), nullptr);
  const Value text("overnight");
  EXPECT_EQ(text.as_int(), 0);
  EXPECT_EQ(text.as_number(), 0);
  EXPECT_FALSE(text.as_bool());
  EXPECT_EQ(Value(true).as_int(), 1);
  EXPECT_TRUE(Value(true).as_bool());
  EXPECT_EQ(Value(std::int64_t{-7}).as_number(), -7.0);
  EXPECT_TRUE(Value().is_null());
  EXPECT_EQ(Value().as_int(), 0);
}

TEST(Value, CopiesMovesAndAssignsEveryKind) {
  Value lines = Value::list();
  lines.push(Value::object().set("sku", "A-1").set("qty", 2));
  lines.push(Value::object().set("sku", std::string(40, 's')).set("qty", 1));
  const std::vector<Value> all{Value(),        Value(false),
                               Value(3),       Value(0.25),
                               Value("short"), Value(std::string(64, 'x')),
                               lines,          Value::object().set("nested", lines)};
  for (const Value& a : all)
    for (const Value& b : all) {
      Value copy = a;
      EXPECT_EQ(copy, a);
      copy = b;  // copy assignment over each kind
      EXPECT_EQ(copy, b);
      Value moved = std::move(copy);
      EXPECT_EQ(moved, b);
      EXPECT_TRUE(copy.is_null());  // NOLINT(bugprone-use-after-move): moved from is null
      moved = Value(a);             // move assignment over each kind
      EXPECT_EQ(moved, a);
    }
  Value tree = Value::object().set("lines", lines);
  tree = *tree.find("lines");  // assigning a part of itself copies it first
  EXPECT_EQ(tree, lines);
  EXPECT_NE(Value(1), Value(true));
  EXPECT_NE(Value(1), Value(1.0));
}

TEST(Value, ChangingAListOrObjectOfAnotherKindThrows) {
  Value text("x");
  EXPECT_THROW(text.items(), std::logic_error);
  EXPECT_THROW(text.push(1), std::logic_error);
  EXPECT_THROW(text.members(), std::logic_error);
  EXPECT_THROW(text.set("a", 1), std::logic_error);
  EXPECT_EQ(text, Value("x"));
  Value list = Value::list();
  list.items().emplace_back(1);
  EXPECT_EQ(list.items().size(), 1u);
  EXPECT_THROW(list.members(), std::logic_error);
}

// A note from pieces reads as one written from a string; notes are joined with "; ".
TEST(RuleOutput, NotesFromPiecesReadAsNotesFromStrings) {
  ActionList actions;
  std::string pieces, strings;
  RuleOutput by_pieces(actions, pieces);
  RuleOutput by_strings(actions, strings);
  EXPECT_FALSE(by_pieces.noted());
  by_pieces.note("prepaid label on return.approve");
  by_strings.note(std::string("prepaid label on return.approve"));
  const std::string type = "refund.issue";
  by_pieces.note(type, " bonus reduced from ", std::int64_t{1500}, " to ", 0, ", over the cap (",
                 money(-250, "EUR"), " left)");
  by_strings.note(type + " bonus reduced from " + std::to_string(1500) + " to " +
                  std::to_string(0) + ", over the cap (" + format_money(-250, "EUR") + " left)");
  EXPECT_TRUE(by_pieces.noted());
  EXPECT_EQ(pieces, strings);
  EXPECT_EQ(pieces,
            "prepaid label on return.approve; refund.issue bonus reduced from 1500 to 0, over the "
            "cap (-2.50 EUR left)");
}

TEST(RuleOutput, SeenReadsEarlierActionsWithoutReachingBack) {
  ActionList actions;
  actions.push_back(make("return.approve"));
  actions.push_back(make("refund.issue"));
  actions[0].status = Action::Status::Dropped;
  actions.push_back(make("return.approve"));
  std::string note;
  RuleOutput out(actions, note);
  out.emit("gift.send", "own");
  EXPECT_EQ(out.seen().size(), 4u);  // earlier ones, dropped included, and the rule's own
  EXPECT_EQ(out.seen("return.approve"), &actions[2]);  // the first kept one
  EXPECT_EQ(out.seen("gift.send"), &actions[3]);
  EXPECT_EQ(out.seen("coupon.issue"), nullptr);
  EXPECT_FALSE(out.reached_back());  // the host checks only the rule's own action
  EXPECT_EQ(out.find("return.approve"), &actions[2]);
  EXPECT_TRUE(out.reached_back());  // find() may change one: the host checks them all again
}

TEST(RuleOutput, EmitsIntoKeptActionsAsIfTheyWereNew) {
  ActionList actions;
  Action& old = actions.emplace_back();
  old.type = "a.very.long.action.type.indeed";
  old.set("stale", "a value kept from an earlier evaluation").set("n", 1);
  old.reason = std::string(200, 'x');
  old.origin = 7;
  old.status = Action::Status::Dropped;
  old.status_note = "dropped by an earlier rule";
  const char* reason_storage = old.reason.data();
  const Member* params_storage = old.params.data();
  actions.clear();  // as between two evaluations: the action is kept for its storage
  EXPECT_TRUE(actions.empty());
  EXPECT_EQ(actions.capacity(), 1u);

  std::string note;
  RuleOutput out(actions, note);
  Action& a = out.emit("points.award").because(12, " points for an order of ", "12.00 USD");
  ASSERT_EQ(actions.size(), 1u);
  EXPECT_EQ(&a, &actions[0]);
  EXPECT_EQ(a.type, "points.award");
  EXPECT_EQ(a.reason, "12 points for an order of 12.00 USD");
  EXPECT_EQ(a.reason.data(), reason_storage);  // written where the old reason was
  EXPECT_TRUE(a.params.empty());               // nothing of the old params is left
  EXPECT_EQ(a.params.data(), params_storage);  // but their storage is
  EXPECT_EQ(a.origin, 0u);
  EXPECT_TRUE(a.is_kept());
  EXPECT_TRUE(a.wants_reason);
  EXPECT_EQ(a.status_note, "");
  a.set("points", 12);
  EXPECT_EQ(a.params.size(), 1u);
  EXPECT_EQ(a.param("stale"), nullptr);

  // With no kept action left, emit makes a new one; a literal reason and a moved string both work.
  out.emit("gift.send", "A card").set("value", 0);
  out.emit("coupon.issue", std::string("A coupon of ") + "5.00 USD");
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_EQ(actions[1].reason, "A card");
  EXPECT_EQ(actions[2].reason, "A coupon of 5.00 USD");
  EXPECT_EQ(out.emitted(), 3u);
}

TEST(ActionList, ReadsAsAVectorAndKeepsWhatItDropsForReuse) {
  ActionList list;
  list.push_back(make("gift.send").set("value", 1));
  list.push_back(make("coupon.issue").set("amount", 500));
  list.push_back(make("points.award").set("points", 3));
  ASSERT_EQ(list.size(), 3u);
  EXPECT_EQ(list.end() - list.begin(), 3);
  EXPECT_EQ(list.back().type, "points.award");
  list.resize(1);  // as the host takes back what a failed rule emitted
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list.capacity(), 3u);
  EXPECT_EQ(list[0].type, "gift.send");
  Action& fresh = list.emplace_back();  // a kept one, reset to what a new action is
  EXPECT_EQ(&fresh, &list[1]);
  EXPECT_EQ(fresh.type, "");
  EXPECT_TRUE(fresh.params.empty());
  list.resize(3);  // grows with default actions
  EXPECT_EQ(list[2].type, "");
  EXPECT_TRUE(list[2].params.empty());

  list.push_back(list[0]);  // its own action, although adding one may move them all
  list.push_back(std::move(list[1]));
  ASSERT_EQ(list.size(), 5u);
  EXPECT_EQ(list[3].type, "gift.send");
  EXPECT_EQ(list[3].int_param("value"), 1);
  EXPECT_EQ(list[0].int_param("value"), 1);
  list.resize(3);

  ActionList copy = list;  // copies what the list holds, not what it keeps
  EXPECT_EQ(copy.size(), 3u);
  EXPECT_EQ(copy.capacity(), 3u);
  EXPECT_EQ(list.capacity(), 5u);
  EXPECT_EQ(copy[0].int_param("value"), 1);
  ActionList moved = std::move(copy);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_TRUE(copy.empty());  // NOLINT(bugprone-use-after-move): a moved-from list is empty
  copy.push_back(make("gift.send"));
  EXPECT_EQ(copy.size(), 1u);
  ActionList& same = moved;  // moved into itself, it stays as it was
  moved = std::move(same);
  EXPECT_EQ(moved.size(), 3u);
  EXPECT_EQ(moved[0].int_param("value"), 1);
}

TEST(Text, AppendAndBecauseWriteWhatCatWrites) {
  std::string s = "Refund of 5.00 USD";
  append(s, " (not refunded: ", "SKU-1", ", ", 42, ")");
  EXPECT_EQ(s, "Refund of 5.00 USD (not refunded: SKU-1, 42)");
  EXPECT_EQ(cat(-7, " days, ", std::string("late")), "-7 days, late");
  Action a;
  a.reason = "an old reason";
  a.because("No order since ", "2026-01-02", " (", std::int64_t{400}, " days)");
  EXPECT_EQ(a.reason, "No order since 2026-01-02 (400 days)");
  a.because("Still ", a.reason, "; ", std::string_view(a.reason).substr(0, 8));  // its own text
  EXPECT_EQ(a.reason, "Still No order since 2026-01-02 (400 days); No order");
  std::string twice = "ab";
  append(twice, twice, std::string_view(twice).substr(1));
  EXPECT_EQ(twice, "ababb");
  a.because();
  EXPECT_EQ(a.reason, "");
}

// The amount as std::to_string and `+` would write it: another way to the same text.
std::string reference_money(std::int64_t minor, std::string_view currency) {
  const std::uint64_t v = minor < 0 ? 0 - static_cast<std::uint64_t>(minor) : minor;
  std::string out = minor < 0 ? "-" : "";
  if (zero_decimal_currency(currency)) {
    out += std::to_string(v);
  } else {
    const std::string cents = std::to_string(v % 100);
    out += std::to_string(v / 100) + "." + (cents.size() == 1 ? "0" : "") + cents;
  }
  return currency.empty() ? out : out + " " + std::string(currency);
}

TEST(Text, AMoneyPieceWritesWhatFormatMoneyWrites) {
  const std::int64_t amounts[] = {0,    5,    -5,        99,        100,      4995,
                                  -250, 1230, 100000000, INT64_MAX, INT64_MIN};
  const std::string_view currencies[] = {"USD", "JPY", "KRW", "", "EUR", "XBT-LONG-CODE"};
  for (std::int64_t amount : amounts)
    for (std::string_view currency : currencies) {
      SCOPED_TRACE(std::to_string(amount) + " " + std::string(currency));
      EXPECT_EQ(cat(money(amount, currency)), reference_money(amount, currency));
      EXPECT_EQ(format_money(amount, currency), reference_money(amount, currency));
      EXPECT_EQ(cat("of ", money(amount, currency), "."),
                "of " + reference_money(amount, currency) + ".");
    }
  EXPECT_EQ(cat(money(4995, "USD")), "49.95 USD");
  EXPECT_EQ(cat(money(500, "JPY")), "500 JPY");
  Action a;
  a.reason = "USD";  // a currency quoted from the reason being written
  a.because("Refund of ", money(1250, a.reason));
  EXPECT_EQ(a.reason, "Refund of 12.50 USD");
  a.append_reason(", plus ", money(125, "USD"), " as a bonus");
  EXPECT_EQ(a.reason, "Refund of 12.50 USD, plus 1.25 USD as a bonus");
}

// A replay keeps no reasons: the rules emit, set params and amend as in an evaluation, but every
// way of writing a reason writes nothing (so the pieces are never formatted), and an action
// kept from an earlier evaluation is marked as well as a new one.
TEST(RuleOutput, AReplayWritesNoReasons) {
  ActionList actions;
  actions.emplace_back().reason = std::string(40, 'x');
  actions.clear();
  std::string note;
  RuleOutput quiet(actions, note, false);
  EXPECT_FALSE(quiet.reasons());
  Action& a = quiet.emit("points.award").because(12, " points for ", money(1200, "USD"));
  EXPECT_FALSE(a.wants_reason);
  EXPECT_EQ(a.reason, "");
  a.set("points", 12).append_reason(" (x2 for a VIP)");
  EXPECT_EQ(a.reason, "");
  EXPECT_EQ(a.int_param("points"), 12);
  quiet.emit("gift.send", "A card");
  quiet.emit("coupon.issue", std::string("A coupon of ") + "5.00 USD");
  ASSERT_EQ(actions.size(), 3u);
  for (const Action& made : actions) {
    EXPECT_FALSE(made.wants_reason) << made.type;
    EXPECT_EQ(made.reason, "") << made.type;
  }
  EXPECT_EQ(quiet.emitted(), 3u);

  // An evaluation writes them, also into a kept action a replay marked.
  actions.clear();
  RuleOutput loud(actions, note);
  EXPECT_TRUE(loud.reasons());
  Action& b = loud.emit("points.award").because(12, " points for ", money(1200, "USD"));
  EXPECT_TRUE(b.wants_reason);
  EXPECT_EQ(b.reason, "12 points for 12.00 USD");
  EXPECT_TRUE(loud.emit("gift.send").wants_reason);  // another the replay marked
  loud.emit("gift.send");
  EXPECT_TRUE(loud.emit("gift.send").wants_reason);  // a new one
}

TEST(Text, SameTextComparesEveryByte) {
  const std::string long_text = "a.type.of.twenty-three";
  for (std::size_t n = 0; n <= long_text.size(); ++n) {
    const std::string a = long_text.substr(0, n);
    EXPECT_TRUE(same_text(a, std::string(a)));
    EXPECT_FALSE(same_text(a, a + "x"));
    for (std::size_t i = 0; i < n; ++i) {  // a difference at any byte is seen
      std::string b = a;
      b[i] = '#';
      EXPECT_FALSE(same_text(a, b)) << a << " vs " << b;
    }
  }
}

TEST(Decision, ClearKeepsABoundedNumberOfActionsForTheirStorage) {
  host::Decision d;
  for (std::size_t i = 0; i < host::kKeptActions + 10; ++i)
    d.actions.push_back(make("gift.send").set("value", 1));
  d.actions[0].reason = std::string(host::kKeptReasonBytes + 1, 'x');  // too big to keep
  d.clear();
  EXPECT_TRUE(d.actions.empty());
  ASSERT_EQ(d.actions.capacity(), host::kKeptActions);
  for (std::size_t i = 0; i < d.actions.capacity(); ++i) {
    const Action& a = d.actions.data()[i];
    EXPECT_LE(a.reason.capacity(), host::kKeptReasonBytes);
    EXPECT_TRUE(a.params.empty());  // what the params held is freed at once
  }
  d.actions.push_back(make("gift.send"));
  d.clear();
  EXPECT_EQ(d.actions.capacity(), host::kKeptActions);  // never more than the bound

  // An action taken back (a rule that failed after emitting it) is bounded as well when the
  // decision is cleared, although it is no longer in the list.
  d.actions.push_back(make("gift.send"));
  Action& big = d.actions.emplace_back();
  big.type = "gift.send";
  for (std::size_t i = 0; i <= host::kKeptParams; ++i) big.set("p" + std::to_string(i), 1);
  big.reason = std::string(4 * host::kKeptReasonBytes, 'x');
  d.actions.resize(1);
  d.clear();
  EXPECT_LE(d.actions.data()[1].reason.capacity(), host::kKeptReasonBytes);
  EXPECT_LE(d.actions.data()[1].params.capacity(), host::kKeptParams);
  EXPECT_TRUE(d.actions.data()[0].params.empty());
}

}  // namespace
}  // namespace shoprules::test
