// The Host: loaded plugins plus the current config snapshot, swapped atomically on reload.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "shoprules/event.hpp"
#include "shoprules/host/config.hpp"
#include "shoprules/host/decision.hpp"

namespace shoprules::host {

struct HostOptions {
  std::optional<ConfigSource> config;                ///< an in-memory config, or
  std::optional<std::filesystem::path> config_file;  ///< a config file, re-read on reload()
  std::vector<std::filesystem::path> plugin_dirs;    ///< folders besides the bundled one
  bool bundled = true;                               ///< load the bundled plugins
  std::filesystem::path bundled_dir = bundled_plugin_dir();
};

/// Thread-safe: evaluate from any number of threads while another reloads. Each evaluation reads
/// exactly one snapshot; a failed reload leaves the current one serving.
class Host {
 public:
  explicit Host(HostOptions options);

  std::shared_ptr<const ConfigSnapshot> snapshot() const {
    std::lock_guard lock(snapshot_mutex_);
    return snapshot_;
  }
  std::string config_version() const { return snapshot()->version; }

  /// Re-reads the config file (or rebuilds from the in-memory config); returns the new version.
  std::string reload();
  /// Takes a new config: an in-memory one, or a file (which later reloads re-read).
  std::string reload(std::optional<ConfigSource> config,
                     std::optional<std::filesystem::path> config_file);

  /// Evaluates into `out`, which is cleared first.
  void evaluate(const Event& event, Decision& out) const;
  /// Evaluates every event on up to `threads` threads (0: every core); same order as the input.
  void evaluate_many(const std::vector<Event>& events, std::vector<Decision>& out,
                     unsigned threads) const;

  class Batch;

 private:
  std::shared_ptr<const ConfigSnapshot> build(const std::optional<ConfigSource>& config,
                                              const std::optional<std::filesystem::path>& file);

  // `next` ends up holding the old snapshot, released when this returns: after the lock.
  void publish(std::shared_ptr<const ConfigSnapshot> next) {
    std::lock_guard lock(snapshot_mutex_);
    snapshot_.swap(next);
  }

  HostOptions options_;
  std::mutex reload_mutex_;  ///< one reload at a time
  // Held only to copy or swap the pointer. libstdc++ 12's std::atomic<std::shared_ptr> guards
  // its pointer with a spin bit ThreadSanitizer cannot see; a mutex keeps the TSan run honest.
  mutable std::mutex snapshot_mutex_;
  std::shared_ptr<const ConfigSnapshot> snapshot_;
};

/// A batch whose events are still being filled in: workers start at once and evaluate each chunk
/// of events as soon as the caller says it is ready, so reading events (e.g. from Python, which
/// only one thread can do) overlaps with evaluating them. One snapshot for the whole batch.
///
///   Host::Batch batch(host, events, out, threads);   // events and out sized already
///   for (...) { fill events[i]; batch.ready(i + 1); }
///   batch.finish();                                 // helps, waits, rethrows the first error
class Host::Batch {
 public:
  Batch(const Host& host, const std::vector<Event>& events, std::vector<Decision>& out,
        unsigned threads);
  ~Batch();  // stops and joins the workers if finish() was not reached
  Batch(const Batch&) = delete;
  Batch& operator=(const Batch&) = delete;

  /// events[0, count) are filled in and will not change.
  void ready(std::size_t count);
  /// Every event is ready: evaluates alongside the workers, waits for them, and rethrows the
  /// error of the lowest-numbered event that failed (an unknown store, or a rule failure).
  void finish();

  static constexpr std::size_t kChunk = 64;
  /// The most events a thread takes at once when the snapshot isolates a plugin: their runs of
  /// each isolated plugin's rules go to its worker in slices, pipelined (the worker runs one
  /// slice while this thread runs the in-process rules of the next), not one request per event.
  static constexpr std::size_t kIsolatedChunk = 512;

 private:
  void work();
  /// work() for a snapshot with isolated plugins: the chunk's runs of each go to its worker at
  /// once.
  void work_isolated(std::size_t begin, std::size_t end);
  void stop();

  const std::vector<Event>& events_;
  std::vector<Decision>& out_;
  std::shared_ptr<const ConfigSnapshot> snap_;
  std::size_t chunk_ = kChunk;  ///< the events a thread takes at once
  std::atomic<std::size_t> next_{0};
  std::mutex mutex_;
  std::condition_variable more_;
  std::size_t ready_ = 0;  // guarded by mutex_
  bool stopped_ = false;   // guarded by mutex_
  std::size_t error_at_ = SIZE_MAX;
  std::exception_ptr error_;  // guarded by mutex_
  std::vector<std::thread> workers_;
};

}  // namespace shoprules::host
