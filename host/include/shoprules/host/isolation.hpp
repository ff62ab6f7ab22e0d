// Isolated plugins (SPEC section 9): a plugin's rules run in a worker process the host supervises.
#pragma once

#include <cstdint>
#include <exception>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shoprules/event.hpp"

namespace shoprules::host {

struct ConfigSnapshot;
struct StoreConfig;
struct Decision;
enum class Tracing : std::uint8_t;  // evaluate.hpp

/// A plugin's `isolation`, `timeout_ms`, `memory_mb` and `max_restarts` config keys.
struct IsolationSettings {
  bool process = false;           ///< "isolation": "process" (else "none", the default)
  std::int64_t timeout_ms = 100;  ///< one run of the plugin's rules on one event
  std::int64_t memory_mb = 512;   ///< the worker's address space (RLIMIT_AS)
  std::int64_t max_restarts = 5;  ///< within 60 s, then the plugin is quarantined
};

/// Reads those keys of `plugin` (a plugin's config object at `path`) into `out`. Throws ConfigError
/// naming `origin`, the path and what was expected.
void read_isolation_settings(const nlohmann::json& plugin, const std::string& origin,
                             const std::string& path, IsolationSettings& out);

/// The config keys read_isolation_settings knows.
inline constexpr const char* kIsolationKeys[] = {"isolation", "timeout_ms", "memory_mb",
                                                 "max_restarts"};

class IsolatedPlugin;

/// Starts a worker template for every plugin of `snap` whose config isolates it, and points the
/// plugin's slots (in every store) at it. Throws PluginLoadError when a worker cannot start.
void start_isolation(ConfigSnapshot& snap);

/// Runs `rules` (consecutive rules of one isolated plugin, indices into store.rules) on `event` in
/// that plugin's worker, as evaluate_event would in process. A worker fault gives each rule that
/// was to run an `error` outcome; with on_error "fail" it throws RuleFailure.
void run_isolated(IsolatedPlugin& plugin, const StoreConfig& store,
                  std::span<const std::uint32_t> rules, const Event& event, Decision& out);

/// One event's run of an isolated plugin's rules, in a batch of them.
struct IsolatedRun {
  const StoreConfig* store = nullptr;
  std::span<const std::uint32_t> rules;
  const Event* event = nullptr;
  Decision* out = nullptr;
  bool done = false;         ///< set when its outcome is in `out` (or `error`)
  std::exception_ptr error;  ///< RuleFailure, with on_error "fail"
};

/// Runs a batch of runs of one plugin's rules in one round trip to its worker (more when they do
/// not fit). A run its worker did not reach because an earlier one in the batch crashed it stays
/// not `done`: send it again. Never throws for a run; each gets `done` or stays pending.
void run_isolated_batch(IsolatedPlugin& plugin, std::span<IsolatedRun*> runs);

/// Evaluates events[i] into out[i] for each i of `which` (decisions with their snapshot and store
/// set), sending the runs of every isolated plugin's rules to its worker in batches: one round
/// trip for many events, traced as `tracing` says. `failed(i, error)` gets each event whose
/// evaluation threw.
void evaluate_batch(const std::vector<Event>& events, std::vector<Decision>& out,
                    std::span<const std::size_t> which, std::int64_t time_budget_ns,
                    Tracing tracing,
                    const std::function<void(std::size_t, std::exception_ptr)>& failed);

/// Per isolated plugin: crashes, timeouts, out_of_memory, restarts, quarantined (and why).
nlohmann::json isolation_stats_json(const ConfigSnapshot& snap);

/// Lets a caller that holds a lock (Python's GIL) drop it while this thread waits for a worker:
/// while one lives on a thread, every wait on that thread calls release() before and reacquire()
/// after.
class ReleaseWhileWaiting {
 public:
  using Fn = void (*)(void* arg);
  ReleaseWhileWaiting(Fn release, Fn reacquire, void* arg);
  ~ReleaseWhileWaiting();
  ReleaseWhileWaiting(const ReleaseWhileWaiting&) = delete;
  ReleaseWhileWaiting& operator=(const ReleaseWhileWaiting&) = delete;

  /// Calls release() now and reacquire() when it ends, if a ReleaseWhileWaiting lives here.
  class Scope {
   public:
    Scope();
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;

   private:
    const ReleaseWhileWaiting* hooks_;
  };

 private:
  Fn release_, reacquire_;
  void* arg_;
  const ReleaseWhileWaiting* previous_;
};

}  // namespace shoprules::host
