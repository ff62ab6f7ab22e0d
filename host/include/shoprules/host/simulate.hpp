// Replaying event logs (JSON lines, gzip-compressed or not, and Arrow record batches read from
// Parquet) through one or two config snapshots, on worker threads.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "shoprules/host/config.hpp"
#include "shoprules/host/event_arrow.hpp"

namespace shoprules::host {

/// Why a replay fails when a sum in its report would not fit in 64 bits: the log or a plugin
/// gives absurd amounts. The replay fails rather than report a number that wrapped around.
inline constexpr const char* kSumOverflow =
    "a sum of money or points does not fit in 64 bits (over 9223372036854775807 minor units or "
    "points): the log or a plugin gives amounts too large to add up";

/// An event log that cannot be read at all (missing, not gzip though named so, truncated).
class EventLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// What the shop pays for things actions do not price themselves, in minor units.
struct SimulationCosts {
  std::int64_t label = 0;    ///< a prepaid return label
  std::int64_t pickup = 0;   ///< a courier pickup
  std::int64_t upgrade = 0;  ///< one shipping upgrade
  /// What one point is worth: expired points are counted as a saving at this (a negative amount).
  std::int64_t point_value = 1;
};

/// How far a replay has come: bytes of the log the workers have finished, of how many, and the
/// lines (events and bad lines) in them.
struct SimulationProgress {
  std::uint64_t done_bytes = 0;
  std::uint64_t total_bytes = 0;
  std::int64_t lines = 0;
};

/// Thrown by simulate when `on_progress` returned false: the replay stopped part-way.
class SimulationCancelled : public std::runtime_error {
 public:
  SimulationCancelled() : std::runtime_error("simulation cancelled") {}
};

struct SimulationOptions {
  unsigned threads = 0;   ///< 0: every core
  bool progress = false;  ///< draw a progress line on stderr
  /// Called on the calling thread at the start, about every 100 ms and at the end; returning
  /// false cancels: the workers stop after the chunk they hold and simulate throws
  /// SimulationCancelled.
  std::function<bool(const SimulationProgress&)> on_progress;
  SimulationCosts costs;
  std::size_t bad_lines_listed = 20;  ///< how many bad lines to quote (all are counted)
};

/// Evaluates every line of `events` (one event object per line; blank lines skipped) under
/// `config` and, if given, `against`. A line that is not JSON or not a valid event is counted and
/// quoted by line number, never fatal. Returns the report as JSON:
/// {file, lines, events, bad_lines, bad_examples: [{line | row, error, file (when several)}],
///  seconds,
///  events_per_second,
///  first_at, last_at, days, configs: [{config_version, by_type, by_rule, goodwill, points,
///  rule_errors}, ...]} where by_type and by_rule map a name to {count, money: {currency: amount}}.
/// Throws EventLogError when the file cannot be read, SimulationCancelled when cancelled.
nlohmann::json simulate(const std::filesystem::path& events, const ConfigSnapshot& config,
                        const ConfigSnapshot* against, const SimulationOptions& options);

/// A replay fed piece by piece: JSON-lines files and Arrow batches from any number of sources,
/// evaluated on worker threads while the caller reads the next piece. The queue between the
/// caller and the workers holds at most 2 x threads + 2 pieces (1 MiB of lines, or one batch,
/// however many parts the workers share it in), so memory stays bounded by the piece size, not
/// by the log.
class Simulation {
 public:
  Simulation(const ConfigSnapshot& config, const ConfigSnapshot* against,
             const SimulationOptions& options);
  /// Stops the workers; a replay not finished is dropped.
  ~Simulation();
  Simulation(const Simulation&) = delete;
  Simulation& operator=(const Simulation&) = delete;

  /// The total the progress reports count towards (bytes of every source).
  void expect_bytes(std::uint64_t total);
  /// Reads a JSON-lines file (gzip-compressed or not: the content says) into the workers.
  /// Throws EventLogError when it cannot be read, SimulationCancelled when cancelled.
  void add_jsonl(const std::filesystem::path& file);
  /// Hands an Arrow batch to the workers: rows `first_row`.. of `source`, standing for `bytes`
  /// of it in progress reports. Throws SimulationCancelled when cancelled.
  /// A batch that keeps its events (kept in memory for the next replay) may be shared.
  void add_arrow(std::shared_ptr<const ArrowEventBatch> batch, const std::string& source,
                 std::int64_t first_row, std::uint64_t bytes);
  /// Stops the workers after the piece they hold; finish() then throws SimulationCancelled.
  void cancel();
  /// Waits for the workers and returns the report (see simulate); `name` is its "file".
  nlohmann::json finish(const std::string& name);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoprules::host
