// What one evaluation produced: every action with its fate, and one trace entry per rule.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shoprules/action.hpp"
#include "shoprules/host/config.hpp"

namespace shoprules::host {

enum class Outcome : std::uint8_t { Fired, Skipped, Disabled, Error };

const char* outcome_name(Outcome o);

struct TraceEntry {
  std::uint32_t rule = 0;  ///< index into the snapshot's rules
  Outcome outcome = Outcome::Skipped;
  const char* why = nullptr;  ///< static text: a skip or disable reason
  std::string detail;         ///< an error message, or what an amending rule did
  bool over_budget = false;   ///< ended after the evaluation's time budget was spent
  std::uint32_t time_us = 0;  ///< its own time, when over budget
};

/// How many actions a reused Decision keeps for their storage, and the storage one may keep:
/// enough for every action of a usual evaluation, and a bound on what an unusual one leaves.
inline constexpr std::size_t kKeptActions = 64;
inline constexpr std::size_t kKeptReasonBytes = 1024;
inline constexpr std::size_t kKeptParams = 16;

struct Decision {
  /// Keeps the snapshot, and through it every plugin library whose static text the trace names.
  std::shared_ptr<const ConfigSnapshot> snapshot;
  const StoreConfig* store = nullptr;  ///< the store of the event, inside `snapshot`
  std::string event_id;
  /// Every action emitted, in order; merged or dropped ones too. clear() keeps some of them for
  /// their storage: rules emit into them (RuleOutput::emit) instead of allocating a params vector
  /// and a reason each time. A replay's workers and the binding's pool of decisions for
  /// Host.evaluate reuse their decisions.
  ActionList actions;
  std::vector<TraceEntry> trace;
  /// Whether the rules write their actions' reasons (RuleOutput::reasons). A replay's workers
  /// turn it off: a report counts actions and money and shows no reason. clear() keeps it.
  bool keep_reasons = true;

  /// Empties the decision for the next evaluation, keeping some of its actions' storage.
  void clear() {
    snapshot.reset();
    store = nullptr;
    event_id.clear();
    actions.recycle(kKeptActions, kKeptReasonBytes, kKeptParams);
    trace.clear();
  }

  /// The trace entry's "why" in words.
  std::string why(const TraceEntry& t) const;
  /// What became of this rule's actions that were merged or dropped, one note each.
  std::vector<std::string> merged_notes(std::uint32_t rule) const;

  /// The same shape as Python's Decision.to_dict().
  nlohmann::json to_json() const;
  /// Its parts, so a caller that wants one does not build the others.
  nlohmann::json actions_json() const;
  nlohmann::json errors_json() const;
  nlohmann::json trace_json() const;
};

nlohmann::json value_json(const Value& v);

}  // namespace shoprules::host
