// The Host: loaded plugins plus the current config snapshot, swapped atomically on reload.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
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

}  // namespace shoprules::host
