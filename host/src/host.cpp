// Host: building snapshots from config plus plugin folders, and running evaluations on them.
#include "shoprules/host/host.hpp"

#include <algorithm>
#include <atomic>
#include <exception>
#include <system_error>
#include <thread>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/evaluate.hpp"
#include "shoprules/host/threads.hpp"

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
  Batch batch(*this, events, out, threads);
  batch.ready(events.size());
  batch.finish();
}

Host::Batch::Batch(const Host& host, const std::vector<Event>& events, std::vector<Decision>& out,
                   unsigned threads)
    : events_(events), out_(out), snap_(host.snapshot()) {
  threads = worker_threads(threads);
  // With isolated plugins, larger chunks (fewer round trips to their workers per event), but
  // no larger than to give each thread one.
  if (!snap_->isolated.empty())
    chunk_ =
        std::clamp<std::size_t>((events.size() + threads - 1) / threads, kChunk, kIsolatedChunk);
  threads =
      static_cast<unsigned>(std::min<std::size_t>(threads, (events.size() + chunk_ - 1) / chunk_));
  try {
    for (unsigned t = 1; t < threads; ++t) workers_.emplace_back([this] { work(); });
  } catch (const std::system_error& e) {  // the threads started must end before they are freed
    stop();
    throw thread_refused(workers_.size(), threads - 1, e.what());
  }
}

Host::Batch::~Batch() {
  stop();
}

void Host::Batch::ready(std::size_t count) {
  {
    std::lock_guard lock(mutex_);
    ready_ = count;
  }
  more_.notify_all();
}

void Host::Batch::finish() {
  ready(events_.size());
  work();
  stop();
  if (error_) std::rethrow_exception(error_);
}

void Host::Batch::stop() {
  {
    std::lock_guard lock(mutex_);
    stopped_ = true;
  }
  more_.notify_all();
  for (auto& t : workers_)
    if (t.joinable()) t.join();
}

void Host::Batch::work() {
  const std::size_t n = events_.size();
  for (;;) {
    const std::size_t begin = next_.fetch_add(chunk_);
    if (begin >= n) return;
    const std::size_t end = std::min(begin + chunk_, n);
    {
      std::unique_lock lock(mutex_);
      more_.wait(lock, [&] { return ready_ >= end || stopped_; });
      if (ready_ < end) return;  // stopped before these were filled in
    }
    if (!snap_->isolated.empty()) {
      work_isolated(begin, end);
      continue;
    }
    for (std::size_t i = begin; i < end; ++i) {
      try {
        Decision& d = out_[i];
        d.snapshot = snap_;
        d.store = snap_->find(events_[i].store);
        if (!d.store) unknown_store(*snap_, events_[i], "events[" + std::to_string(i) + "].store");
        evaluate_event(*d.store, events_[i], d, snap_->time_budget_ns);
      } catch (...) {
        std::lock_guard lock(mutex_);
        if (i < error_at_) {
          error_at_ = i;
          error_ = std::current_exception();
        }
      }
    }
  }
}

}  // namespace shoprules::host

namespace shoprules::host {

void Host::Batch::work_isolated(std::size_t begin, std::size_t end) {
  auto failed = [this](std::size_t i, std::exception_ptr error) {
    std::lock_guard lock(mutex_);
    if (i < error_at_) {
      error_at_ = i;
      error_ = std::move(error);
    }
  };
  std::vector<std::size_t> which;
  for (std::size_t i = begin; i < end; ++i) {
    Decision& d = out_[i];
    d.snapshot = snap_;
    d.store = snap_->find(events_[i].store);
    if (d.store) {
      which.push_back(i);
      continue;
    }
    try {
      unknown_store(*snap_, events_[i], "events[" + std::to_string(i) + "].store");
    } catch (...) {
      failed(i, std::current_exception());
    }
  }
  evaluate_batch(events_, out_, which, snap_->time_budget_ns, Tracing::Full, failed);
}

}  // namespace shoprules::host
