// shoprules-pgo-train: the training run of a profile-guided build (SHOPRULES_PGO, see
// cmake/pgo.cmake). Built instrumented, it does what the optimized build will mostly do: it asks
// for decisions one event at a time, as a storefront does, and replays a JSON-lines log, as
// `simulate` does, with the bundled plugins at their defaults and under the example store's
// config (against the defaults, too). The events are the examples' (examples/events), which
// reach every bundled rule. It checks nothing: the tests do; its counts only steer the compiler.
//
//   shoprules-pgo-train EXAMPLES_DIR PLUGIN_DIR WORK_DIR
#include <algorithm>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shoprules/host/decision.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/host.hpp"
#include "shoprules/host/simulate.hpp"

namespace fs = std::filesystem;
using nlohmann::json;
using namespace shoprules;

namespace {

constexpr int kEvaluateRounds = 200;  // each example evaluated this many times per config
constexpr int kLogRounds = 1000;      // and written this many times into the replayed log

std::vector<json> read_examples(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());  // the same order on every run: the same counts
  std::vector<json> events;
  for (const auto& file : files) {
    std::ifstream in(file);
    events.push_back(json::parse(in));
  }
  if (events.empty()) throw std::runtime_error("no example events in " + dir.string());
  return events;
}

std::unique_ptr<host::Host> make_host(const fs::path& plugins, const json& config) {
  host::HostOptions options;
  options.bundled_dir = plugins;
  host::ConfigSource source;
  source.json = config;
  source.origin = "training config";
  source.base_dir = fs::current_path();
  options.config = std::move(source);
  return std::make_unique<host::Host>(std::move(options));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: shoprules-pgo-train EXAMPLES_DIR PLUGIN_DIR WORK_DIR\n");
    return 2;
  }
  try {
    const fs::path examples = argv[1], plugins = argv[2], work = argv[3];
    const std::vector<json> events = read_examples(examples / "events");
    json store;
    {
      std::ifstream in(examples / "configs" / "store.json");
      store = json::parse(in);
    }

    fs::create_directories(work);
    const fs::path log = work / "train.jsonl";
    {
      std::ofstream out(log);
      for (int i = 0; i < kLogRounds; ++i)
        for (const json& e : events) out << e.dump() << '\n';
    }

    const auto defaults = make_host(plugins, json::object());
    const auto shop = make_host(plugins, store);
    host::Decision decision;
    for (const host::Host* h : {defaults.get(), shop.get()}) {
      for (int i = 0; i < kEvaluateRounds; ++i)
        for (const json& e : events) {
          Event ev;
          host::read_event(e, ev);
          h->evaluate(ev, decision);
        }
    }
    host::SimulationOptions options;
    options.threads = 1;  // one worker: the same work in the same order on every run
    host::simulate(log, *defaults->snapshot(), nullptr, options);
    host::simulate(log, *shop->snapshot(), defaults->snapshot().get(), options);
    fs::remove(log);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "shoprules-pgo-train: %s\n", e.what());
    return 1;
  }
  return 0;
}
