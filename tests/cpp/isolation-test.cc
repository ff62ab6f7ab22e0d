// Isolated plugins: faults in a worker become error outcomes; the host, and other plugins, go on.
#include <gtest/gtest.h>

#include <dirent.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <thread>

#include "../../host/src/isolation/wire.hpp"
#include "shoprules/host/errors.hpp"
#include "test-support.hpp"

namespace shoprules::test {
namespace {

json crashy_config(json extra = json::object()) {
  json c = {{"plugins", {{"crashy", {{"isolation", "process"}, {"timeout_ms", 200}}}}}};
  for (auto& [k, v] : extra.items()) c["plugins"]["crashy"][k] = v;
  return c;
}

host::Host crashy_host(json extra = json::object()) {
  return make_host(crashy_config(std::move(extra)), {"crashy"});
}

/// The pids whose parent is `parent`, from /proc.
std::vector<pid_t> children_of(pid_t parent) {
  std::vector<pid_t> out;
  DIR* d = opendir("/proc");
  while (dirent* e = readdir(d)) {
    const pid_t pid = std::atoi(e->d_name);
    if (pid <= 0) continue;
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) continue;
    // pid (comm) state ppid ...: comm may hold spaces, so read after the last ')'.
    std::istringstream rest(line.substr(line.rfind(')') + 2));
    char state;
    pid_t ppid;
    rest >> state >> ppid;
    if (ppid == parent) out.push_back(pid);
  }
  closedir(d);
  return out;
}

void expect_fault(const std::string& event_id, const std::string& message,
                  json extra = json::object()) {
  auto h = crashy_host(std::move(extra));
  json out = decide(h, order_event(event_id));
  EXPECT_EQ(trace_of(out, "crashy", "fault")["outcome"], "error");
  EXPECT_EQ(trace_of(out, "crashy", "fault")["why"], message);
  // Every rule of the plugin that ran in that evaluation shares the fault.
  EXPECT_EQ(trace_of(out, "crashy", "ok")["why"], message);
  ASSERT_EQ(out["errors"].size(), 2u);
  // The other plugins' rules ran.
  EXPECT_EQ(trace_of(out, "loyalty", "points")["outcome"], "fired");
  EXPECT_EQ(action_types(out)[0], "points.award");
  // The next evaluation is served by a new worker.
  json next = decide(h, order_event("fine"));
  EXPECT_EQ(trace_of(next, "crashy", "fault")["outcome"], "fired");
  EXPECT_EQ(trace_of(next, "crashy", "ok")["outcome"], "fired");
  const json stats = host::stats_json(*h.snapshot())["isolation"]["crashy"];
  EXPECT_EQ(stats["restarts"], 1);
}

TEST(Isolation, SegfaultIsAnErrorAndTheNextEvaluationWorks) {
  expect_fault("crash-1", "worker crashed: SIGSEGV");
}

TEST(Isolation, AbortIsAnError) {
  expect_fault("abort-1", "worker crashed: SIGABRT");
}

TEST(Isolation, HangIsKilledAtTheTimeout) {
  expect_fault("hang-1", "timed out after 50 ms", {{"timeout_ms", 50}});
}

TEST(Isolation, MemoryPastTheLimitIsOutOfMemory) {
  expect_fault("eat-1", "out of memory (256 MiB)", {{"memory_mb", 256}});
}

TEST(Isolation, StatsCountFaultsByKind) {
  auto h = crashy_host({{"timeout_ms", 50}});
  for (const char* id : {"crash-1", "abort-1", "hang-1", "fine"}) decide(h, order_event(id));
  const json s = host::stats_json(*h.snapshot())["isolation"]["crashy"];
  EXPECT_EQ(s["crashes"], 2);
  EXPECT_EQ(s["timeouts"], 1);
  EXPECT_EQ(s["restarts"], 3);
  EXPECT_EQ(s["quarantined"], false);
  EXPECT_EQ(host::stats_json(*h.snapshot())["stores"]["default"]["crashy.fault"]["errors"], 3);
}

bool emitted(const json& decision, const std::string& type) {
  const auto types = action_types(decision);
  return std::find(types.begin(), types.end(), type) != types.end();
}

TEST(Isolation, WritingToStdoutAndForkingAreHarmless) {
  auto h = crashy_host();
  EXPECT_TRUE(emitted(decide(h, order_event("print-1")), "test.wrote"));
  EXPECT_TRUE(emitted(decide(h, order_event("fork-1")), "test.forked"));
  EXPECT_TRUE(emitted(decide(h, order_event("fine")), "test.survived"));
}

TEST(Isolation, OnErrorFailRaisesRuleFailure) {
  auto h = crashy_host({{"on_error", "fail"}});
  try {
    decide(h, order_event("crash-1"));
    FAIL() << "expected RuleFailure";
  } catch (const host::RuleFailure& e) {
    EXPECT_EQ(e.plugin(), "crashy");
    EXPECT_EQ(std::string(e.what()), "crashy.ok: worker crashed: SIGSEGV");
  }
  EXPECT_TRUE(emitted(decide(h, order_event("fine")), "test.survived"));
}

TEST(Isolation, CrashLoopIsQuarantinedUntilReload) {
  auto h = crashy_host({{"max_restarts", 2}});
  for (int i = 0; i < 3; ++i) decide(h, order_event("crash-" + std::to_string(i)));
  json out = decide(h, order_event("fine"));
  const json t = trace_of(out, "crashy", "fault");
  EXPECT_EQ(t["outcome"], "disabled");
  EXPECT_EQ(t["why"],
            "quarantined: its worker failed 3 times within 60 s (last: worker crashed: SIGSEGV); "
            "it stays off until the config changes");
  EXPECT_EQ(host::stats_json(*h.snapshot())["isolation"]["crashy"]["quarantined"], true);
  EXPECT_EQ(trace_of(out, "loyalty", "points")["outcome"], "fired");
  h.reload();
  EXPECT_EQ(trace_of(decide(h, order_event("fine")), "crashy", "fault")["outcome"], "fired");
}

TEST(Isolation, WireCarriesTheProfileAndExchangeFields) {
  Event ev;
  ev.id = "e1";
  ev.has_customer = ev.has_return = true;
  ev.customer.last_order_at = Timestamp{1780000000, true};
  ev.customer.spend_12m = 123456;
  ev.customer.has_spend_12m = true;
  ReturnLine& exchange = ev.ret.lines.emplace_back();
  exchange.sku = "SHOE-1";
  exchange.exchange_for = ExchangeFor{"SHOE-1", "10", true};
  ev.ret.lines.emplace_back().sku = "BAG-2";  // a plain return: no exchange
  std::vector<char> area(4096);
  host::wire::Writer w(area.data(), area.size());
  host::wire::write_event(w, ev);
  ASSERT_TRUE(w.ok());

  Event got;
  host::wire::Reader r(area.data(), w.size());
  ASSERT_TRUE(host::wire::read_event(r, got));
  EXPECT_EQ(got.customer.last_order_at.seconds, 1780000000);
  EXPECT_TRUE(got.customer.last_order_at.present);
  EXPECT_EQ(got.customer.spend_12m, 123456);
  EXPECT_TRUE(got.customer.has_spend_12m);
  ASSERT_EQ(got.ret.lines.size(), 2u);
  EXPECT_TRUE(got.ret.lines[0].exchange_for.present);
  EXPECT_EQ(got.ret.lines[0].exchange_for.sku, "SHOE-1");
  EXPECT_EQ(got.ret.lines[0].exchange_for.size, "10");
  EXPECT_FALSE(got.ret.lines[1].exchange_for.present);
  EXPECT_EQ(got.ret.lines[1].sku, "BAG-2");

  // Cut short anywhere, the event is refused, never read past its end.
  for (std::size_t size = 0; size < w.size(); size += 7) {
    host::wire::Reader cut(area.data(), size);
    EXPECT_FALSE(host::wire::read_event(cut, got)) << size;
  }
}

/// Each event decided in process and isolated gives the same decision, but for config_version.
void expect_same_decisions(const host::Host& in_process, const host::Host& out_of_process,
                           const std::vector<json>& events) {
  for (const json& e : events) {
    json a = decide(in_process, e);
    json b = decide(out_of_process, e);
    a.erase("config_version");
    b.erase("config_version");
    EXPECT_EQ(a.dump(), b.dump()) << e.dump();
  }
}

TEST(Isolation, NextRulesDecideExactlyAsInProcess) {
  // The rules that ship off, on, with map and day-of-year params, in a store whose currency is
  // not the default: all of it must reach the worker.
  json rules = {
      {"loyalty",
       {{"rules",
         {{"category_multiplier",
           {{"enabled", true}, {"multipliers", {{"shoes", 2}, {"bags", 1.5}}}}},
          {"tier_terms", {{"enabled", true}}},
          {"pending_points", {{"enabled", true}}}}}}},
      {"returns",
       {{"rules",
         {{"instant_refund", {{"enabled", true}}},
          {"category_window", {{"enabled", true}, {"days", {{"electronics", 30}, {"bags", 400}}}}},
          {"holiday_window",
           {{"enabled", true}, {"from", "06-01"}, {"to", "12-31"}, {"until", "12-31"}}}}}}},
      {"delight", {{"rules", {{"first_order_welcome", {{"enabled", true}}}}}}}};
  json config = {{"seed", "s"}, {"currency", "EUR"}, {"plugins", rules}};
  auto in_process = make_host(config);
  for (const char* p : {"loyalty", "returns", "delight"})
    config["plugins"][p]["isolation"] = "process";
  auto out_of_process = make_host(config);
  std::vector<json> events = {order_event("a"), order_event("b", 25000, 3),
                              return_event("2026-06-01", "2026-06-10", false, "store_credit"),
                              return_event("2025-12-01", "2026-01-20", true)};
  json regular = order_event("r");
  regular["customer"]["orders"] = 4;
  regular["customer"]["last_order_at"] = "2026-05-01T10:00:00Z";
  regular["customer"]["spend_12m"] = 90000;
  events.push_back(regular);
  expect_same_decisions(in_process, out_of_process, events);
}

TEST(Isolation, DecidesExactlyAsInProcess) {
  json isolated = {{"plugins",
                    {{"loyalty", {{"isolation", "process"}}},
                     {"returns", {{"isolation", "process"}}},
                     {"delight", {{"isolation", "process"}}}}}};
  auto in_process = make_host({{"seed", "s"}});
  isolated["seed"] = "s";
  auto out_of_process = make_host(isolated);
  std::vector<json> events = {order_event("a"), order_event("b", 25000, 3),
                              return_event("2026-06-01", "2026-06-10", false, "store_credit"),
                              return_event("2025-01-01", "2026-06-10", true)};
  json vip = order_event("v");
  vip["customer"]["vip"] = true;
  vip["customer"]["orders"] = 9;
  events.push_back(vip);
  expect_same_decisions(in_process, out_of_process, events);
}

TEST(Isolation, ManyThreadsShareThePlugin) {
  auto in_process = make_host(json::object(), {"crashy"});
  auto isolated = crashy_host();
  std::vector<json> docs;
  for (int i = 0; i < 300; ++i) docs.push_back(order_event("e" + std::to_string(i), 100 + i));
  std::vector<Event> events(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) host::read_event(docs[i], events[i]);
  std::vector<host::Decision> a, b;
  in_process.evaluate_many(events, a, 4);
  isolated.evaluate_many(events, b, 4);
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    json x = a[i].to_json(), y = b[i].to_json();
    x.erase("config_version");
    y.erase("config_version");
    EXPECT_EQ(x.dump(), y.dump());
  }
}

TEST(Isolation, ABatchLosesOnlyTheEventsThatFault) {
  // evaluate_many sends a chunk of events in one round trip: the events before a fault keep their
  // answers, the faulting one gets the error, the ones after go to the next worker.
  auto h = crashy_host({{"timeout_ms", 50}, {"max_restarts", 10}});
  std::vector<json> docs;
  for (int i = 0; i < 100; ++i)
    docs.push_back(order_event(i == 10   ? "crash-10"
                               : i == 50 ? "hang-50"
                                         : "e" + std::to_string(i)));
  std::vector<Event> events(docs.size());
  for (std::size_t i = 0; i < docs.size(); ++i) host::read_event(docs[i], events[i]);
  std::vector<host::Decision> out;
  h.evaluate_many(events, out, 1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    const json t = trace_of(out[i].to_json(), "crashy", "fault");
    if (i == 10)
      EXPECT_EQ(t["why"], "worker crashed: SIGSEGV");
    else if (i == 50)
      EXPECT_EQ(t["why"], "timed out after 50 ms");
    else
      EXPECT_EQ(t["outcome"], "fired") << i << t.dump();
  }
  const json s = host::stats_json(*h.snapshot())["isolation"]["crashy"];
  EXPECT_EQ(s["crashes"], 1);
  EXPECT_EQ(s["timeouts"], 1);
}

TEST(Isolation, NoProcessOutlivesTheHost) {
  {
    auto h = crashy_host();
    decide(h, order_event("fork-1"));
    EXPECT_EQ(children_of(getpid()).size(), 1u);  // the template
  }
  EXPECT_TRUE(children_of(getpid()).empty());
}

TEST(Isolation, WorkersExitWhenTheHostIsKilled) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const pid_t child = fork();
  if (child == 0) {
    close(fds[0]);
    auto h = crashy_host();
    decide(h, order_event("fine"));
    std::vector<pid_t> pids;
    for (pid_t t : children_of(getpid())) {
      pids.push_back(t);
      for (pid_t w : children_of(t)) pids.push_back(w);
    }
    [[maybe_unused]] auto n = write(fds[1], pids.data(), pids.size() * sizeof(pid_t));
    close(fds[1]);
    kill(getpid(), SIGKILL);
  }
  close(fds[1]);
  std::vector<pid_t> pids(16);
  const ssize_t n = read(fds[0], pids.data(), pids.size() * sizeof(pid_t));
  close(fds[0]);
  int status;
  waitpid(child, &status, 0);
  pids.resize(static_cast<std::size_t>(std::max<ssize_t>(n, 0)) / sizeof(pid_t));
  ASSERT_GE(pids.size(), 2u);  // a template and its worker
  for (pid_t pid : pids) {
    bool gone = false;
    for (int i = 0; i < 300 && !gone; ++i) {
      gone = kill(pid, 0) != 0;
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    EXPECT_TRUE(gone) << "pid " << pid << " outlived its host";
  }
}

TEST(Isolation, ConfigKeysAreChecked) {
  auto bad = [](json plugin) {
    try {
      make_host({{"plugins", {{"loyalty", plugin}}}});
    } catch (const host::ConfigError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  EXPECT_EQ(bad({{"isolation", "thread"}}),
            "test.json: plugins.loyalty.isolation: expected \"process\" or \"none\", got "
            "\"thread\"");
  EXPECT_EQ(bad({{"isolation", "process"}, {"timeout_ms", 0}}),
            "test.json: plugins.loyalty.timeout_ms: expected an integer in 1..60000 "
            "(milliseconds), got 0");
  EXPECT_EQ(bad({{"isolation", "process"}, {"memory_mb", 64}}),
            "test.json: plugins.loyalty.memory_mb: expected an integer in 128..1048576 (MiB), "
            "got 64");
  EXPECT_EQ(bad({{"timeout_ms", 100}}),
            "test.json: plugins.loyalty.timeout_ms: applies only with \"isolation\": \"process\"");
  try {
    make_host({{"stores", {{"eu", {{"plugins", {{"loyalty", {{"isolation", "process"}}}}}}}}}});
    FAIL() << "a store overlay may not isolate";
  } catch (const host::ConfigError&) {
  }
}

}  // namespace
}  // namespace shoprules::test
