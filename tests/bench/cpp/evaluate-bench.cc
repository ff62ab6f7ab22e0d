// One evaluation in C++ (no Python): the engine's own cost, as time (Google Benchmark) and as
// instructions (tests/bench/callgrind.sh counts what `evaluate_once` executes).
#include <benchmark/benchmark.h>

#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "shoprules/host/event_json.hpp"
#include "shoprules/host/host.hpp"

namespace {

using shoprules::Event;
using shoprules::host::Decision;
using shoprules::host::Host;

nlohmann::json order_event(int lines) {
  nlohmann::json ls = nlohmann::json::array();
  for (int i = 0; i < lines; ++i)
    ls.push_back({{"sku", "SH-" + std::to_string(i)},
                  {"price", 4995},
                  {"qty", 1},
                  {"category", "shoes"},
                  {"size", "9"}});
  return {{"id", "evt-1"},
          {"type", "order.placed"},
          {"at", "2026-11-23T10:00:00Z"},
          {"customer",
           {{"id", "c-1"}, {"orders", 3}, {"lifetime_spend", 1000}, {"household", {"a", "b"}}}},
          {"order",
           {{"id", "o-1"},
            {"currency", "USD"},
            {"placed_at", "2026-11-23T09:58:00Z"},
            {"shipping", "standard"},
            {"lines", ls}}}};
}

nlohmann::json return_event() {
  return nlohmann::json::parse(R"({
    "id": "evt-2", "type": "return.requested", "at": "2026-11-23T11:30:00Z",
    "customer": {"id": "c-77", "orders": 2, "lifetime_spend": 12000},
    "order": {"id": "o-31", "currency": "USD", "delivered_at": "2026-11-02T12:00:00Z",
              "lines": [{"sku": "JK-5", "category": "jackets", "price": 12900, "qty": 1}]},
    "return": {"lines": [{"sku": "JK-5", "qty": 1, "reason": "changed_mind"}],
               "refund_to": "store_credit"}})");
}

const Host& bundled_host() {
  static const Host host([] {
    shoprules::host::HostOptions options;
    options.bundled = true;
    options.bundled_dir = SHOPRULES_BUILD_PLUGIN_DIR;
    return options;
  }());
  return host;
}

// Kept out of line so callgrind can count exactly one evaluation's instructions.
__attribute__((noinline)) void evaluate_once(const Host& host, const Event& event, Decision& out) {
  host.evaluate(event, out);
  benchmark::DoNotOptimize(out.actions.data());
}

void run(benchmark::State& state, const nlohmann::json& j) {
  Event event;
  shoprules::host::read_event(j, event);
  Decision decision;
  const Host& host = bundled_host();
  for (auto _ : state) evaluate_once(host, event, decision);
}

void BM_OrderPlaced(benchmark::State& state) {
  const auto j = order_event(static_cast<int>(state.range(0)));
  run(state, j);
}
BENCHMARK(BM_OrderPlaced)->Arg(1)->Arg(3)->Arg(30);

void BM_ReturnRequested(benchmark::State& state) {
  const auto j = return_event();
  run(state, j);
}
BENCHMARK(BM_ReturnRequested);

// Reading the event too (from nlohmann JSON), as the C++ and JSONL paths do.
void BM_ReadAndEvaluateOrder3(benchmark::State& state) {
  const auto j = order_event(3);
  Event event;
  Decision decision;
  const Host& host = bundled_host();
  for (auto _ : state) {
    event.reset();
    shoprules::host::read_event(j, event);
    evaluate_once(host, event, decision);
  }
}
BENCHMARK(BM_ReadAndEvaluateOrder3);

// `evaluate-bench --count CASE N`: evaluate CASE (order1, order3, order30, return) N times and
// exit, for callgrind: a fixed number of calls, so instructions per evaluation are exact.
int count_mode(const std::string& name, long n) {
  nlohmann::json j;
  if (name == "order1")
    j = order_event(1);
  else if (name == "order3")
    j = order_event(3);
  else if (name == "order30")
    j = order_event(30);
  else if (name == "return")
    j = return_event();
  else
    return 2;
  Event event;
  shoprules::host::read_event(j, event);
  Decision decision;
  const Host& host = bundled_host();
  for (long i = 0; i < n; ++i) evaluate_once(host, event, decision);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "--count")
    return count_mode(argv[2], std::atol(argv[3]));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
