// The pipeline: determinism, deterministic sampling, fault containment, batches.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <thread>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

TEST(Evaluate, SameEventSameConfigSameDecision) {
  auto h = make_host({{"seed", "s"}});
  json event = return_event("2026-06-01", "2026-06-10", false, "store_credit");
  std::string first = decide(h, event).dump();
  for (int i = 0; i < 50; ++i) EXPECT_EQ(decide(h, event).dump(), first);
  EXPECT_EQ(decide(make_host({{"seed", "s"}}), event).dump(), first);
}

TEST(Evaluate, EveryRuleIsTraced) {
  auto h = make_host(json::object(), {"testkit"});
  json out = decide(h, order_event());
  EXPECT_EQ(out["trace"].size(), h.snapshot()->main().rules.size());
  EXPECT_EQ(trace_of(out, "returns", "window")["outcome"], "skipped");
  EXPECT_EQ(trace_of(out, "testkit", "points_a")["outcome"], "disabled");
  EXPECT_EQ(trace_of(out, "testkit", "points_a")["why"],
            "off by default (enable it in the config)");
  EXPECT_EQ(out["config_version"], h.config_version());
  EXPECT_EQ(out["event_id"], "evt-1");
}

json sampled_config(double rate, std::string seed) {
  return {
      {"seed", seed},
      {"plugins", {{"testkit", {{"rules", {{"sampled", {{"enabled", true}, {"rate", rate}}}}}}}}}};
}

TEST(Evaluate, SamplingIsStableAndHitsItsRate) {
  auto h = make_host(sampled_config(0.1, "2026-q4"), {"testkit"}, false);
  int hits = 0;
  const int n = 10000;
  for (int i = 0; i < n; ++i) {
    json out = decide(h, order_event("e" + std::to_string(i)));
    hits += !out["actions"].empty();
  }
  EXPECT_NEAR(hits / double(n), 0.1, 0.015);
  // The same order gets the same answer, whatever the event id and however often it is asked.
  json a = order_event("first");
  json b = order_event("second");
  b["order"]["id"] = a["order"]["id"];
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(decide(h, a)["actions"].size(), decide(h, b)["actions"].size());
}

TEST(Evaluate, SamplingDependsOnTheSeed) {
  auto one = make_host(sampled_config(0.5, "one"), {"testkit"}, false);
  auto two = make_host(sampled_config(0.5, "two"), {"testkit"}, false);
  int differ = 0;
  for (int i = 0; i < 200; ++i) {
    json e = order_event("e" + std::to_string(i));
    differ += decide(one, e)["actions"].size() != decide(two, e)["actions"].size();
  }
  EXPECT_GT(differ, 50);
}

TEST(Evaluate, FaultsAreContainedPerRule) {
  auto h = make_host(json::object(), {"faulty"});
  json out = decide(h, order_event());
  std::vector<std::string> from_faulty;
  for (const auto& a : out["actions"])
    if (a["plugin"] == "faulty") from_faulty.push_back(a["type"]);
  EXPECT_EQ(from_faulty, (std::vector<std::string>{"test.before", "test.after"}));
  std::map<std::string, std::string> errors;
  for (const auto& e : out["errors"]) errors[e["rule"]] = e["message"];
  EXPECT_EQ(errors["throws_std"], "inventory service unreachable");
  EXPECT_EQ(errors["throws_other"], "threw an exception that is not a std::exception");
  EXPECT_EQ(errors["untyped"], "emitted an action with no type");
  EXPECT_EQ(errors["bad_param"], "rule has no param named no_such_param");
  EXPECT_EQ(errors["negative_refund"],
            "emitted refund.issue with amount -5: expected a non-negative integer (minor units)");
  EXPECT_EQ(
      errors["drone_upgrade"],
      "emitted shipping.upgrade with to \"drone\": expected standard, expedited or overnight");
  EXPECT_EQ(errors["breaks_points"],
            "amended points.award with points -1: expected a non-negative integer");
  EXPECT_EQ(errors.size(), 7u);
  // The action it broke is out of the decision, and the trace says why.
  EXPECT_EQ(
      trace_of(out, "faulty", "points_ok")["merged"][0],
      "points.award: dropped after faulty.breaks_points amended it: emitted points.award with "
      "points -1: expected a non-negative integer");
  EXPECT_EQ(trace_of(out, "faulty", "throws_std")["outcome"], "error");
  EXPECT_EQ(trace_of(out, "faulty", "after")["outcome"], "fired");
  // The other plugins still ran, before and after it.
  EXPECT_EQ(trace_of(out, "delight", "surprise_upgrade")["outcome"], "skipped");
  EXPECT_EQ(trace_of(out, "loyalty", "points")["outcome"], "fired");
}

// A replay traces only errors and runs only the rules for the event's type: the same actions,
// in the same order with the same notes, and the same errors as a fully traced evaluation.
TEST(Evaluate, ErrorsOnlyTracingDecidesTheSame) {
  json config = sampled_config(0.5, "s");
  config["plugins"]["returns"]["rules"]["window"]["enabled"] = false;  // a disabled rule too
  config["plugins"]["testkit"]["rules"]["drop_coupons"]["enabled"] =
      true;  // a review rule that acts
  auto h = make_host(config, {"testkit", "faulty"});
  const auto snap = h.snapshot();
  std::vector<json> events = {order_event("a"), order_event("b", 25000, 3),
                              return_event("2026-06-01", "2026-06-10", true, "store_credit"),
                              return_event("2026-06-01", "2026-09-10")};
  for (const auto& file :
       fs::directory_iterator(fs::path(SHOPRULES_SOURCE_DIR) / "examples/events"))
    events.push_back(json::parse(std::ifstream(file.path())));
  events.push_back({{"id", "u-1"}, {"type", "something.else"}, {"at", "2026-11-23T10:00:00Z"}});
  std::size_t errors = 0, dropped = 0;
  for (const json& source : events) {
    Event ev;
    host::read_event(source, ev);
    host::Decision full, lean;
    for (host::Decision* d : {&full, &lean}) {
      d->snapshot = snap;
      d->store = &snap->main();
    }
    host::evaluate_event(snap->main(), ev, full, 0, host::Tracing::Full);
    host::evaluate_event(snap->main(), ev, lean, 0, host::Tracing::ErrorsOnly);
    EXPECT_EQ(full.trace.size(), snap->main().rules.size());
    EXPECT_EQ(lean.actions_json().dump(), full.actions_json().dump()) << source.dump();
    EXPECT_EQ(lean.errors_json().dump(), full.errors_json().dump()) << source.dump();
    ASSERT_EQ(lean.actions.size(), full.actions.size());
    for (std::size_t i = 0; i < full.actions.size(); ++i) {
      EXPECT_EQ(lean.actions[i].status, full.actions[i].status);
      EXPECT_EQ(lean.actions[i].status_note, full.actions[i].status_note);
      EXPECT_EQ(lean.actions[i].origin, full.actions[i].origin);
    }
    for (const host::TraceEntry& t : lean.trace) EXPECT_EQ(t.outcome, host::Outcome::Error);
    errors += lean.trace.size();
    for (const Action& a : lean.actions) dropped += a.status == Action::Status::Dropped;
  }
  EXPECT_GT(errors, 0u);   // the faulty plugin's errors came through
  EXPECT_GT(dropped, 0u);  // and the review rule dropped coupons
}

TEST(Evaluate, OnErrorFailRaises) {
  auto h = make_host({{"plugins", {{"faulty", {{"on_error", "fail"}}}}}}, {"faulty"});
  try {
    decide(h, order_event());
    FAIL() << "no exception";
  } catch (const host::RuleFailure& e) {
    EXPECT_EQ(e.plugin(), "faulty");
    EXPECT_EQ(e.rule(), "throws_std");
    EXPECT_STREQ(e.what(), "faulty.throws_std: inventory service unreachable");
  }
}

TEST(Evaluate, ManyMatchesOneByOne) {
  auto h = make_host(sampled_config(0.5, "s"), {"testkit"});  // with every bundled plugin
  std::vector<json> source;
  for (int i = 0; i < 1000; ++i) source.push_back(order_event("e" + std::to_string(i)));
  std::vector<Event> events(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) host::read_event(source[i], events[i]);
  std::vector<host::Decision> out;
  h.evaluate_many(events, out, 2);
  ASSERT_EQ(out.size(), source.size());
  for (std::size_t i = 0; i < source.size(); ++i)
    ASSERT_EQ(out[i].to_json().dump(), decide(h, source[i]).dump()) << i;
}

// The streamed batch evaluate_many from Python uses: events handed over chunk by chunk while
// workers run, an abandoned batch, and the error of the lowest-numbered failing event.
TEST(Evaluate, BatchTakesEventsAsTheyAreReady) {
  auto h = make_host(sampled_config(0.5, "s"), {"testkit"});
  std::vector<json> source;
  for (int i = 0; i < 700; ++i) source.push_back(order_event("e" + std::to_string(i)));
  std::vector<Event> events(source.size());
  std::vector<host::Decision> out(source.size());
  {
    host::Host::Batch batch(h, events, out, 2);
    for (std::size_t i = 0; i < source.size(); ++i) {
      host::read_event(source[i], events[i]);
      if (i % 50 == 49) batch.ready(i + 1);
    }
    batch.finish();
  }
  for (std::size_t i = 0; i < source.size(); ++i)
    ASSERT_EQ(out[i].to_json().dump(), decide(h, source[i]).dump()) << i;
}

TEST(Evaluate, AnAbandonedBatchStopsItsWorkers) {
  auto h = make_host(json::object());
  std::vector<json> source(300, order_event());
  std::vector<Event> events(source.size());
  std::vector<host::Decision> out(source.size());
  {
    host::Host::Batch batch(h, events, out, 2);
    for (std::size_t i = 0; i < 100; ++i) host::read_event(source[i], events[i]);
    batch.ready(100);
  }  // destroyed without finish(), as when reading an event fails: joins, never reads the rest
  SUCCEED();
}

TEST(Evaluate, ABatchReportsTheFirstFailingEvent) {
  auto h = make_host(json::object());
  std::vector<json> source(400, order_event());
  source[130]["store"] = "nowhere";
  source[370]["store"] = "elsewhere";
  std::vector<Event> events(source.size());
  for (std::size_t i = 0; i < source.size(); ++i) host::read_event(source[i], events[i]);
  std::vector<host::Decision> out;
  try {
    h.evaluate_many(events, out, 2);
    FAIL() << "no exception";
  } catch (const host::InvalidEventError& e) {
    EXPECT_EQ(e.path(), "events[130].store");
  }
}

json window_config(int days) {
  return {{"seed", "a"}, {"plugins", {{"returns", {{"rules", {{"window", {{"days", days}}}}}}}}}};
}

TEST(Evaluate, ReloadWhileEvaluatingOnManyThreads) {
  // Two configs that decide differently; every decision must match the snapshot it names.
  const std::string v30 = make_host(window_config(30)).config_version();
  const std::string v365 = make_host(window_config(365)).config_version();
  ASSERT_NE(v30, v365);
  auto h = make_host(window_config(365));
  const std::size_t rules = h.snapshot()->main().rules.size();
  json event = return_event("2026-06-01", "2026-06-10");
  std::atomic<bool> stop{false};
  std::atomic<int> checked{0}, mismatched{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; ++t)
    readers.emplace_back([&] {
      while (!stop) {
        json out = decide(h, event);
        std::string reason = out["actions"][0]["reason"];
        std::string expected = out["config_version"] == v30 ? "30-day" : "365-day";
        if (reason.find(expected) == std::string::npos || out["trace"].size() != rules)
          ++mismatched;
        ++checked;
      }
    });
  for (int i = 0; i < 300; ++i) {
    host::ConfigSource src;
    src.origin = "reload.json";
    src.json = window_config(i % 2 ? 30 : 365);
    h.reload(src, std::nullopt);
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(checked.load(), 0);
  EXPECT_EQ(mismatched.load(), 0);
}

}  // namespace
}  // namespace shoprules::test
