// Output caps: a rule that emits too much gets an error outcome naming the cap; the rest still run.
#include <gtest/gtest.h>

#include "shoprules/host/output_caps.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

const json& greedy_decision() {
  static const json out = [] {
    auto h = make_host(json::object(), {"greedy"}, false);
    return decide(h, order_event());
  }();
  return out;
}

void expect_error(const std::string& rule, const std::string& message) {
  json t = trace_of(greedy_decision(), "greedy", rule);
  EXPECT_EQ(t["outcome"], "error") << rule;
  EXPECT_EQ(t["why"], message) << rule;
}

TEST(Caps, HugeReasonIsAnError) {
  expect_error("huge_reason",
               "emitted test.huge_reason with a reason of 10485760 bytes: over the cap of 4096 "
               "bytes per reason");
}

TEST(Caps, HugeParamIsAnError) {
  expect_error("huge_param",
               "emitted test.huge_param with param text of 10485760 bytes: over the cap of 4096 "
               "bytes per param string");
}

TEST(Caps, TooManyActionsIsAnError) {
  expect_error("too_many", "emitted 101 actions: over the cap of 100 actions per rule");
}

TEST(Caps, DeepParamsAreAnError) {
  expect_error("deep_params",
               "emitted test.deep with param tree nested deeper than 8 levels: over the cap of 8 "
               "levels of nesting in params");
}

TEST(Caps, WideParamsAreAnError) {
  expect_error("wide_params",
               "emitted test.wide with more than 10000 param values: over the cap of 10000 values "
               "per action");
}

TEST(Caps, LongNoteIsAnError) {
  expect_error("long_note", "noted 5000 bytes: over the cap of 4096 bytes per note");
}

TEST(Caps, AmendingPastACapDropsTheAmendedAction) {
  expect_error("grows_earlier",
               "amended test.before with a reason of 1048603 bytes: over the cap of 4096 bytes "
               "per reason");
  json before = trace_of(greedy_decision(), "greedy", "before");
  ASSERT_EQ(before["merged"].size(), 1u);
  EXPECT_EQ(before["merged"][0].get<std::string>().rfind(
                "test.before: dropped after greedy.grows_earlier amended it: emitted test.before "
                "with a reason of 1048603 bytes",
                0),
            0u);
}

TEST(Caps, ALongTypeIsQuotedCutBetweenCharacters) {
  Action a;
  a.type = std::string(39, 'x') + "\u00e9" + std::string(200, 'y');  // a 2-byte letter at the cut
  EXPECT_EQ(host::check_output_caps(a), "emitted " + std::string(39, 'x') +
                                            "... with a type of 241 bytes: over the cap of 128 "
                                            "bytes per action type");
  a.type = std::string(40, 'x') + std::string(200, 'y');
  EXPECT_EQ(host::check_output_caps(a).substr(0, 51), "emitted " + std::string(40, 'x') + "...");
}

// Items of a list and members of an object are counted and checked where they are, nested or not.
TEST(Caps, NestedItemsAreCountedAndChecked) {
  const auto with = [](Value v) {
    Action a;
    a.type = "test.nested";
    a.set("lines", std::move(v));
    return a;
  };
  // The full check's message, once the quick walk has agreed with it.
  const auto caps = [](const Action& a) {
    std::string problem = host::check_output_caps(a);
    EXPECT_EQ(host::within_output_caps(a), problem.empty()) << problem;
    return problem;
  };
  Value at_cap = Value::list();
  for (std::size_t i = 1; i < host::kMaxParamValues; ++i) at_cap.push(std::int64_t(1));
  EXPECT_EQ(caps(with(at_cap)), "");  // the list and its items: 10000 values
  at_cap.push("one more");
  EXPECT_EQ(caps(with(at_cap)),
            "emitted test.nested with more than 10000 param values: over the cap of 10000 values "
            "per action");
  Value line = Value::object();
  line.set("sku", std::string(host::kMaxParamStringBytes, 's'));
  Value lines = Value::list();
  lines.push(line);
  EXPECT_EQ(caps(with(lines)), "");
  lines.push(Value::object().set("sku", std::string(host::kMaxParamStringBytes + 1, 's')));
  EXPECT_EQ(caps(with(lines)),
            "emitted test.nested with param lines of 4097 bytes: over the cap of 4096 bytes per "
            "param string");
  Value deep = Value::list();
  for (int level = 0; level < 7; ++level) deep = Value::list().push(std::move(deep));
  EXPECT_EQ(caps(with(deep)), "");  // 8 levels
  deep = Value::list().push(std::move(deep));
  EXPECT_EQ(caps(with(deep)),
            "emitted test.nested with param lines nested deeper than 8 levels: over the cap of 8 "
            "levels of nesting in params");
  Value keyed = Value::list();
  keyed.push(Value::object().set(std::string(host::kMaxParamStringBytes + 1, 'k'), 1));
  EXPECT_EQ(caps(with(keyed)),
            "emitted test.nested with a param key of 4097 bytes: over the cap of 4096 bytes per "
            "param string");
  Value texts = Value::list();
  texts.push("a").push(std::string(host::kMaxParamStringBytes + 1, 't'));
  EXPECT_EQ(caps(with(texts)),
            "emitted test.nested with param lines of 4097 bytes: over the cap of 4096 bytes per "
            "param string");
}

TEST(Caps, OutputAtTheCapsPasses) {
  json t = trace_of(greedy_decision(), "greedy", "at_the_caps");
  EXPECT_EQ(t["outcome"], "fired")
      << t.dump().substr(0, 300) << t.dump().substr(t.dump().size() - 300);
  std::size_t at_caps = 0;
  for (const auto& a : greedy_decision()["actions"]) at_caps += a["type"] == "test.at_caps";
  EXPECT_EQ(at_caps, host::kMaxActionsPerRule)
      << greedy_decision()["actions"].dump().substr(0, 500);
}

TEST(Caps, OtherRulesStillRunAndNoOversizedTextLeaves) {
  EXPECT_EQ(trace_of(greedy_decision(), "greedy", "after")["outcome"], "fired");
  for (const auto& a : greedy_decision()["actions"]) {
    EXPECT_LE(a["reason"].get<std::string>().size(), host::kMaxReasonBytes);
    EXPECT_NE(a["type"], "test.huge_reason");
    EXPECT_NE(a["type"], "test.many");
  }
  EXPECT_LT(greedy_decision().dump().size(), std::size_t{1} << 20);
}

}  // namespace
}  // namespace shoprules::test
