// The evaluation pipeline: decide rules, merge, review rules; faults contained per rule.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

#include "shoprules/event.hpp"
#include "shoprules/host/config.hpp"
#include "shoprules/host/decision.hpp"

namespace shoprules::host {

/// What an evaluation records of the rules it runs.
enum class Tracing : std::uint8_t {
  /// A trace entry for every rule, and the store's rule stats counted: what a decision shows.
  Full,
  /// Only the rules that run for the event's type are called, only their errors are traced, no
  /// stats but errors are counted and the decision's event_id is left empty: the same actions,
  /// for a replay, which reads nothing else.
  ErrorsOnly,
};

/// Runs every rule of `store` on `event` into `out` (which should be cleared, with its snapshot
/// and store set). A rule that throws yields an Error trace entry and its actions are discarded;
/// if its plugin's on_error is "fail", RuleFailure is thrown instead.
/// With a `time_budget_ns`, every rule is timed; a rule that ends after the budget is spent is
/// marked over budget in the trace and counted in the store's stats. Every rule runs either way.
void evaluate_event(const StoreConfig& store, const Event& event, Decision& out,
                    std::int64_t time_budget_ns = 0, Tracing tracing = Tracing::Full);

/// Where an evaluation stops for an isolated plugin: the run of its rules that comes next.
struct IsolatedStop {
  IsolatedPlugin* plugin = nullptr;
  std::span<const std::uint32_t> rules;
  explicit operator bool() const { return plugin != nullptr; }
};

/// One event's evaluation, run in steps: in-process rules up to the next run of an isolated
/// plugin's rules, which the caller sends to its worker (alone, or batched with other events'),
/// then on. evaluate_event is `while (auto stop = e.next()) run_isolated(...)`.
class Evaluation {
 public:
  Evaluation(const StoreConfig& store, const Event& event, Decision& out,
             std::int64_t time_budget_ns, Tracing tracing = Tracing::Full);
  /// Runs in-process rules (and the merge) until an isolated plugin's rules come, or the end
  /// (an empty stop). Throws RuleFailure for a rule whose plugin's on_error is "fail".
  IsolatedStop next();

 private:
  const StoreConfig& store_;
  const Event& event_;
  Decision& out_;
  std::int64_t budget_ns_;
  Tracing tracing_;
  TraceEntry scratch_;  // with Tracing::ErrorsOnly: each rule's entry, kept when it is an error
  std::chrono::steady_clock::time_point start_{};
  int phase_ = 0;  // 0: decide, 1: review
  std::size_t k_ = 0;
};

/// Runs these rules of `store` (indices into store.rules), in order, as evaluate_event runs them,
/// without a time budget: what an isolated plugin's worker does with the host's request.
void run_rules(const StoreConfig& store, std::span<const std::uint32_t> rules, const Event& event,
               Decision& out);

}  // namespace shoprules::host
