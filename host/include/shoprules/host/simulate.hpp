// Replaying a JSONL event log through one or two config snapshots, on worker threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "shoprules/host/config.hpp"

namespace shoprules::host {

/// What the shop pays for things actions do not price themselves, in minor units.
struct SimulationCosts {
  std::int64_t label = 0;    ///< a prepaid return label
  std::int64_t pickup = 0;   ///< a courier pickup
  std::int64_t upgrade = 0;  ///< one shipping upgrade
  /// What one point is worth: expired points are counted as a saving at this (a negative amount).
  std::int64_t point_value = 1;
};

struct SimulationOptions {
  unsigned threads = 0;   ///< 0: every core
  bool progress = false;  ///< draw a progress line on stderr
  SimulationCosts costs;
  std::size_t bad_lines_listed = 20;  ///< how many bad lines to quote (all are counted)
};

/// Evaluates every line of `events` (one event object per line; blank lines skipped) under
/// `config` and, if given, `against`. A line that is not JSON or not a valid event is counted and
/// quoted by line number, never fatal. Returns the report as JSON:
/// {file, lines, events, bad_lines, bad_examples: [{line, error}], seconds, events_per_second,
///  first_at, last_at, days, configs: [{config_version, by_type, by_rule, goodwill, points,
///  rule_errors}, ...]} where by_type and by_rule map a name to {count, money: {currency: amount}}.
/// Throws std::runtime_error when the file cannot be read.
nlohmann::json simulate(const std::filesystem::path& events, const ConfigSnapshot& config,
                        const ConfigSnapshot* against, const SimulationOptions& options);

}  // namespace shoprules::host
