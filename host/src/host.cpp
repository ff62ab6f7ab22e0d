// Host: building snapshots from config plus plugin folders, and running evaluations on them.
#include "shoprules/host/host.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <thread>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"

namespace shoprules::host {
namespace fs = std::filesystem;

Host::Host(HostOptions options) : options_(std::move(options)) {
  publish(build(options_.config, options_.config_file));
}

std::shared_ptr<const ConfigSnapshot> Host::build(const std::optional<ConfigSource>& config,
                                                  const std::optional<fs::path>& file) {
  ConfigSource source;
  if (file) {
    source = read_config_file(*file);
  } else if (config) {
    source = *config;
  } else {
    source.json = nlohmann::json::object();
    source.origin = "config";
    source.base_dir = fs::current_path();
  }
  std::vector<fs::path> dirs;
  if (options_.bundled) dirs.push_back(options_.bundled_dir);
  dirs.insert(dirs.end(), options_.plugin_dirs.begin(), options_.plugin_dirs.end());
  auto from_config = config_plugin_dirs(source);
  dirs.insert(dirs.end(), from_config.begin(), from_config.end());
  return build_snapshot(source, load_plugin_dirs(dirs, config_load_policy(source)));
}

std::string Host::reload() {
  std::lock_guard lock(reload_mutex_);
  auto next = build(options_.config, options_.config_file);
  publish(next);
  return next->version;
}

std::string Host::reload(std::optional<ConfigSource> config, std::optional<fs::path> file) {
  std::lock_guard lock(reload_mutex_);
  auto next = build(config, file);
  // Only a config that built cleanly replaces the one in force.
  options_.config = std::move(config);
  options_.config_file = std::move(file);
  publish(next);
  return next->version;
}

namespace {

[[noreturn]] void unknown_store(const ConfigSnapshot& snap, const Event& event, std::string path) {
  throw InvalidEventError(std::move(path), "no store named '" + std::string(event.store) +
                                               "' in the config (stores: " + snap.store_names() +
                                               ")");
}

}  // namespace

void Host::evaluate(const Event& event, Decision& out) const {
  out.clear();
  out.snapshot = snapshot();
  out.store = out.snapshot->find(event.store);
  if (!out.store) unknown_store(*out.snapshot, event, "store");
  evaluate_event(*out.store, event, out, out.snapshot->time_budget_ns);
}

void Host::evaluate_many(const std::vector<Event>& events, std::vector<Decision>& out,
                         unsigned threads) const {
  out.clear();
  out.resize(events.size());
  auto snap = snapshot();  // one snapshot for the whole batch
  // Every event's store is resolved before any rule runs, so a bad one fails the batch cleanly.
  for (std::size_t i = 0; i < events.size(); ++i) {
    out[i].store = snap->find(events[i].store);
    if (!out[i].store) unknown_store(*snap, events[i], "events[" + std::to_string(i) + "].store");
  }
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  constexpr std::size_t kChunk = 64;
  threads =
      static_cast<unsigned>(std::min<std::size_t>(threads, (events.size() + kChunk - 1) / kChunk));

  std::atomic<std::size_t> next{0};
  std::mutex error_mutex;
  std::exception_ptr error;
  auto work = [&] {
    try {
      for (;;) {
        std::size_t begin = next.fetch_add(kChunk);
        if (begin >= events.size()) return;
        std::size_t end = std::min(begin + kChunk, events.size());
        for (std::size_t i = begin; i < end; ++i) {
          out[i].snapshot = snap;
          evaluate_event(*out[i].store, events[i], out[i], snap->time_budget_ns);
        }
      }
    } catch (...) {
      std::lock_guard lock(error_mutex);
      if (!error) error = std::current_exception();
      next.store(events.size());
    }
  };
  if (threads <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (unsigned t = 1; t < threads; ++t) pool.emplace_back(work);
    work();
    for (auto& th : pool) th.join();
  }
  if (error) std::rethrow_exception(error);
}

}  // namespace shoprules::host
