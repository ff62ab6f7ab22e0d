// An operator's config, parsed and validated once into an immutable snapshot the evaluator reads.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "shoprules/host/isolation.hpp"
#include "shoprules/host/plugin_loader.hpp"
#include "shoprules/rule.hpp"

namespace shoprules::host {

enum class OnError : std::uint8_t { Skip, Fail };

/// How many EventType values there are: event types as array indices.
inline constexpr std::size_t kEventTypes = static_cast<std::size_t>(EventType::StockInquiry) + 1;

/// One rule of one plugin as this snapshot configures it.
struct RuleSlot {
  const RuleSpec* spec = nullptr;
  std::string_view id;       ///< spec->id, measured once (rules see it on every event)
  std::uint32_t plugin = 0;  ///< index into StoreConfig::plugins
  bool enabled = true;
  const char* disabled_why = nullptr;  ///< set when !enabled
  std::vector<ParamValue> values;      ///< one per declared param, in declaration order
};

struct PluginSlot {
  PluginPtr plugin;
  bool enabled = true;
  std::int64_t order = 100;
  OnError on_error = OnError::Skip;
  std::string name;
  IsolationSettings isolation;         ///< the same in every store (top-level config only)
  IsolatedPlugin* isolated = nullptr;  ///< its worker, when isolated; owned by the snapshot
};

/// What one rule did under one snapshot, counted by every evaluation that ran it.
struct RuleStats {
  std::atomic<std::uint64_t> fired{0}, errors{0}, over_budget{0}, time_ns{0};
};

/// What calling one rule takes, gathered in one place when the snapshot is built: an evaluation
/// calls several rules per event, and each call would otherwise follow the rule to its plugin,
/// the plugin to its library and the library to its entry point.
struct RuleCall {
  RunRuleFn run = nullptr;  ///< the plugin's exception-safe entry; null for a rule with no spec
  const RuleSpec* spec = nullptr;
  const ParamSpec* param_specs = nullptr;
  const ParamValue* values = nullptr;
  std::size_t value_count = 0;
  std::string_view plugin;  ///< its name
  std::string_view rule;    ///< its id
  const PluginSlot* slot = nullptr;
  RuleStats* stats = nullptr;
};

/// One store's rules as the config sets them: the top-level config, or the top-level config with a
/// `stores.<name>` overlay on top.
struct StoreConfig {
  std::string name;
  std::string seed;
  std::uint64_t seed_hash = 0;
  std::string currency = "USD";     ///< the config's `currency`: money on events without an order
  std::vector<PluginSlot> plugins;  ///< in execution order: by `order`, then name
  std::vector<RuleSlot> rules;      ///< grouped by plugin, in declaration order
  std::vector<std::uint32_t> decide_rules;  ///< indices into rules, in execution order
  std::vector<std::uint32_t> review_rules;
  /// By event type: the decide and review rules that run for it (enabled, and declared for that
  /// type), in execution order. A replay runs only these; the others only add trace entries.
  std::array<std::vector<std::uint32_t>, kEventTypes> active_decide, active_review;
  /// One per rule; counted with relaxed atomics by concurrent evaluations. Every enabled rule
  /// runs once per evaluation, so its run count is `evaluations`.
  std::unique_ptr<RuleStats[]> stats;
  std::unique_ptr<std::atomic<std::uint64_t>> evaluations;
  /// One per rule, by index into `rules`; points into this store's plugins, rules and stats
  /// (gather_calls, once they are all in place).
  std::vector<RuleCall> calls;

  const PluginSlot& plugin_of(const RuleSlot& r) const { return plugins[r.plugin]; }
  /// "plugin.rule" for messages.
  std::string rule_name(std::uint32_t rule) const;
};

/// Fills `store.calls` from its rules, plugins and stats, which must not change afterwards.
void gather_calls(StoreConfig& store);

/// Everything evaluations need from the config. Never changes once built; a reload builds a new
/// one and swaps it in.
struct ConfigSnapshot {
  std::string version;              ///< content hash of the config and the plugin set
  std::int64_t time_budget_ns = 0;  ///< per evaluation; 0: rules are not timed
  std::vector<StoreConfig> stores;  ///< the main store (top level) first, then `stores` by name
  /// The workers of isolated plugins; they stop when the last holder of the snapshot lets go.
  std::vector<std::shared_ptr<IsolatedPlugin>> isolated;

  const StoreConfig& main() const { return stores.front(); }
  /// The store an event names; an empty name is the main store. nullptr when there is none.
  const StoreConfig* find(std::string_view name) const {
    if (name.empty()) return &stores.front();
    for (const auto& s : stores)
      if (s.name == name) return &s;
    return nullptr;
  }
  /// "a, b, c" for messages.
  std::string store_names() const {
    std::string out;
    for (const auto& s : stores) out += (out.empty() ? "" : ", ") + s.name;
    return out;
  }
};

/// Where a config came from, to name it in errors and to resolve relative plugin_dirs.
struct ConfigSource {
  nlohmann::json json;
  std::string origin;              ///< file name, or "config" for an in-memory config
  std::filesystem::path base_dir;  ///< folder of the config file, or the working folder
};

/// Reads and parses a config file. Throws ConfigError naming the file and the problem.
ConfigSource read_config_file(const std::filesystem::path& file);

/// What the config says about trusting plugin files: `allow_unsafe_plugin_files` and the
/// `plugins.<name>.sha256` pins. Read before any plugin is loaded. Throws ConfigError.
LoadPolicy config_load_policy(const ConfigSource& source);

/// The plugin folders the config names (resolved against its folder). Throws ConfigError.
std::vector<std::filesystem::path> config_plugin_dirs(const ConfigSource& source);

/// Validates `source` against the loaded plugins' schemas and builds the snapshot. Throws
/// ConfigError naming the origin, the path and what was expected.
std::shared_ptr<const ConfigSnapshot> build_snapshot(const ConfigSource& source,
                                                     const std::vector<PluginPtr>& plugins);

/// The loaded plugins and their rules as this snapshot configures them: name, version, kind, abi,
/// file, enabled, order, on_error, and per rule its id, description, enabled, params, defaults and
/// schema.
nlohmann::json plugins_json(const StoreConfig& store);

/// What a plugin file declares, without any config: name, version, kind, description, abi, file,
/// and per rule its id, description, enabled_by_default, phase, defaults and schema.
nlohmann::json plugin_info_json(const LoadedPlugin& plugin);

/// Per store and rule: runs, fired, errors, over_budget and (when a budget is set) time_us, as
/// counted since this snapshot took effect.
nlohmann::json stats_json(const ConfigSnapshot& snapshot);

/// A param's value as JSON (for Host.plugins() and reports).
nlohmann::json param_value_json(const ParamSpec& spec, const ParamValue& value);
/// A param's default as JSON.
nlohmann::json param_default_json(const ParamSpec& spec);
/// A param's declared schema: type, range or choices, default, description.
nlohmann::json param_schema_json(const ParamSpec& spec);

}  // namespace shoprules::host
