// Config validation against the plugins' declared params, and snapshot building.
#include "shoprules/host/config.hpp"

#include <algorithm>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <utility>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/limits.hpp"

namespace shoprules::host {
namespace fs = std::filesystem;
using nlohmann::json;

std::string StoreConfig::rule_name(std::uint32_t rule) const {
  const RuleSlot& r = rules[rule];
  return plugins[r.plugin].name + "." + r.spec->id;
}

namespace {

class Checker {
 public:
  explicit Checker(const ConfigSource& src) : src_(src) {}

  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw ConfigError(src_.origin + ": " + (path.empty() ? "" : path + ": ") + problem);
  }

  /// Every key of `obj` must be one of `allowed`.
  void only_keys(const json& obj, const std::string& path,
                 const std::vector<std::string>& allowed) const {
    for (const auto& [key, _] : obj.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      fail(join(path, key), "unknown key (expected one of: " + list + ")");
    }
  }

  const json& object(const json& j, const std::string& path) const {
    if (!j.is_object()) fail(path, "expected an object, got " + describe_json(j));
    return j;
  }

  const std::string& origin() const { return src_.origin; }

  static std::string join(const std::string& path, const std::string& key) {
    return path.empty() ? key : path + "." + key;
  }

 private:
  const ConfigSource& src_;
};

std::string int_range(std::int64_t lo, std::int64_t hi) {
  return std::to_string(lo) + ".." + std::to_string(hi);
}

std::string number_text(double d) {
  std::ostringstream out;
  out << d;
  return out.str();
}

ParamValue default_value(const ParamSpec& p) {
  ParamValue v;
  v.b = p.bool_default;
  v.i = p.int_default;
  v.d = p.number_default;
  v.s = p.string_default ? p.string_default : "";
  MonthDay md;
  if (p.type == ParamType::DayOfYear && parse_month_day(v.s, md)) v.i = md.key();
  return v;
}

std::vector<std::string_view> split_choices(const char* choices) {
  std::vector<std::string_view> out;
  std::string_view all(choices);
  std::size_t start = 0;
  while (start <= all.size()) {
    std::size_t end = all.find('|', start);
    if (end == std::string_view::npos) end = all.size();
    out.push_back(all.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

std::string choices_text(const char* choices) {
  std::string out(choices);
  std::replace(out.begin(), out.end(), '|', ',');
  return out;
}

/// A map param: an object of at most `max_entries` names, each with a value in the entry range.
ParamMap read_map(const Checker& c, const ParamSpec& p, const json& j, const std::string& path) {
  const bool ints = p.map_of == ParamType::Int;
  const std::string range =
      ints ? "an integer in " + int_range(p.int_min, p.int_max)
           : "a number in " + number_text(p.number_min) + ".." + number_text(p.number_max);
  if (!j.is_object())
    c.fail(path, std::string("expected an object of names to ") + (ints ? "integers" : "numbers") +
                     " such as {\"shoes\": 2}, got " + describe_json(j));
  // Counted before any entry is read, so a huge map costs nothing but this message.
  if (j.size() > p.max_entries)
    c.fail(path, "expected at most " + std::to_string(p.max_entries) + " entries, got " +
                     std::to_string(j.size()));
  ParamMap map;
  map.entries.reserve(j.size());
  for (const auto& [key, value] : j.items()) {
    const std::string entry_path = path + "." + key;
    if (key.empty() || key.size() > kMaxTextBytes)
      c.fail(path, "expected entry names of 1.." + std::to_string(kMaxTextBytes) +
                       " bytes, got one of " + std::to_string(key.size()));
    MapEntry e;
    e.key = key;
    if (ints) {
      if (!value.is_number_integer() ||
          (value.is_number_unsigned() &&
           value.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)))
        c.fail(entry_path, "expected " + range + ", got " + describe_json(value));
      e.i = value.get<std::int64_t>();
      if (e.i < p.int_min || e.i > p.int_max)
        c.fail(entry_path, "expected " + range + ", got " + describe_json(value));
      e.d = static_cast<double>(e.i);
    } else {
      if (!value.is_number())
        c.fail(entry_path, "expected " + range + ", got " + describe_json(value));
      e.d = value.get<double>();
      if (!(e.d >= p.number_min && e.d <= p.number_max))
        c.fail(entry_path, "expected " + range + ", got " + describe_json(value));
      e.i = static_cast<std::int64_t>(e.d);
    }
    map.entries.push_back(std::move(e));
  }
  std::sort(map.entries.begin(), map.entries.end(),
            [](const MapEntry& a, const MapEntry& b) { return a.key < b.key; });
  return map;
}

ParamValue read_param(const Checker& c, const ParamSpec& p, const json& j,
                      const std::string& path) {
  ParamValue v = default_value(p);
  switch (p.type) {
    case ParamType::Bool:
      if (!j.is_boolean()) c.fail(path, "expected true or false, got " + describe_json(j));
      v.b = j.get<bool>();
      break;
    case ParamType::Int: {
      std::string expected = "expected an integer in " + int_range(p.int_min, p.int_max);
      if (!j.is_number_integer()) c.fail(path, expected + ", got " + describe_json(j));
      if (j.is_number_unsigned() && j.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX))
        c.fail(path, expected + ", got " + describe_json(j));
      v.i = j.get<std::int64_t>();
      if (v.i < p.int_min || v.i > p.int_max) c.fail(path, expected + ", got " + describe_json(j));
      break;
    }
    case ParamType::Number: {
      std::string expected =
          "expected a number in " + number_text(p.number_min) + ".." + number_text(p.number_max);
      if (!j.is_number()) c.fail(path, expected + ", got " + describe_json(j));
      v.d = j.get<double>();
      if (!(v.d >= p.number_min && v.d <= p.number_max))
        c.fail(path, expected + ", got " + describe_json(j));
      break;
    }
    case ParamType::String:
      if (!j.is_string()) c.fail(path, "expected a string, got " + describe_json(j));
      v.s = j.get<std::string>();
      if (p.choices && !is_choice(v.s, p.choices))
        c.fail(path, "expected one of " + choices_text(p.choices) + ", got " + describe_json(j));
      break;
    case ParamType::Map:
      v.map = read_map(c, p, j, path);
      break;
    case ParamType::DayOfYear: {
      MonthDay md;
      if (!j.is_string() || !parse_month_day(j.get_ref<const std::string&>(), md))
        c.fail(path, "expected a day of the year as \"MM-DD\" (such as \"11-01\"), got " +
                         describe_json(j));
      v.s = j.get<std::string>();
      v.i = md.key();
      break;
    }
  }
  return v;
}

std::string hex64(std::uint64_t h) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016" PRIx64, h);
  return buf;
}

void configure_plugin(const Checker& c, const json& pj, const std::string& path, PluginSlot& slot,
                      std::vector<RuleSlot>& rules, bool top_level) {
  const PluginDescriptor& d = *slot.plugin->descriptor;
  c.object(pj, path);
  // A pin is checked before loading, so it belongs to the whole config, not to one store.
  if (top_level) {
    std::vector<std::string> keys = {"enabled", "order", "on_error", "rules", "sha256"};
    keys.insert(keys.end(), std::begin(kIsolationKeys), std::end(kIsolationKeys));
    c.only_keys(pj, path, keys);
    read_isolation_settings(pj, c.origin(), path, slot.isolation);
  } else
    c.only_keys(pj, path, {"enabled", "order", "on_error", "rules"});
  if (auto it = pj.find("enabled"); it != pj.end()) {
    if (!it->is_boolean())
      c.fail(path + ".enabled", "expected true or false, got " + describe_json(*it));
    slot.enabled = it->get<bool>();
  }
  if (auto it = pj.find("order"); it != pj.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < -1000000 ||
        it->get<std::int64_t>() > 1000000)
      c.fail(path + ".order",
             "expected an integer in -1000000..1000000, got " + describe_json(*it));
    slot.order = it->get<std::int64_t>();
  }
  if (auto it = pj.find("on_error"); it != pj.end()) {
    if (*it == "skip")
      slot.on_error = OnError::Skip;
    else if (*it == "fail")
      slot.on_error = OnError::Fail;
    else
      c.fail(path + ".on_error", "expected \"skip\" or \"fail\", got " + describe_json(*it));
  }
  auto rit = pj.find("rules");
  if (rit == pj.end()) return;
  std::string rules_path = path + ".rules";
  c.object(*rit, rules_path);
  for (const auto& [id, rj] : rit->items()) {
    std::size_t k = 0;
    while (k < d.rule_count && id != d.rules[k].id) ++k;
    std::string rule_path = rules_path + "." + id;
    if (k == d.rule_count) {
      std::string known;
      for (std::size_t i = 0; i < d.rule_count; ++i)
        known += (i ? ", " : "") + std::string(d.rules[i].id);
      c.fail(rule_path,
             "plugin " + slot.name + " has no rule named '" + id + "' (rules: " + known + ")");
    }
    const RuleSpec& spec = d.rules[k];
    RuleSlot& rule = rules[k];
    c.object(rj, rule_path);
    for (const auto& [key, value] : rj.items()) {
      std::string param_path = rule_path + "." + key;
      if (key == "enabled") {
        if (!value.is_boolean())
          c.fail(param_path, "expected true or false, got " + describe_json(value));
        rule.enabled = value.get<bool>();
        continue;
      }
      std::size_t p = 0;
      while (p < spec.param_count && key != spec.params[p].name) ++p;
      if (p == spec.param_count) {
        std::string known = "enabled";
        for (std::size_t i = 0; i < spec.param_count; ++i)
          known += std::string(", ") + spec.params[i].name;
        c.fail(param_path,
               "unknown param (rule " + slot.name + "." + id + " takes: " + known + ")");
      }
      rule.values[p] = read_param(c, spec.params[p], value, param_path);
    }
  }
}

}  // namespace

ConfigSource read_config_file(const fs::path& file) {
  ConfigSource src;
  src.origin = file.string();
  src.base_dir = file.has_parent_path() ? file.parent_path() : fs::path(".");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw ConfigError(src.origin + ": cannot read the config file");
  std::error_code ec;
  if (auto size = fs::file_size(file, ec); !ec && size > kMaxConfigBytes)
    throw ConfigError(src.origin + ": the config is " + std::to_string(size) +
                      " bytes; the limit is " + std::to_string(kMaxConfigBytes));
  // Read the whole text in pieces, bounded even when the size above was not known (a pipe),
  // then parse it as one string: a stream parse would end at a NUL byte and drop the rest.
  std::string text;
  char piece[1 << 14];
  while (in.read(piece, sizeof piece) || in.gcount() > 0) {
    text.append(piece, static_cast<std::size_t>(in.gcount()));
    if (text.size() > kMaxConfigBytes)
      throw ConfigError(src.origin + ": the config is over " + std::to_string(kMaxConfigBytes) +
                        " bytes, the limit");
  }
  if (in.bad()) throw ConfigError(src.origin + ": cannot read the config file");
  if (auto nul = text.find('\0'); nul != std::string::npos)
    throw ConfigError(src.origin + ": not valid JSON: a NUL byte at offset " + std::to_string(nul) +
                      "; a config is JSON text");
  try {
    src.json = json::parse(text);
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    if (auto cut = what.find("] "); cut != std::string::npos) what = what.substr(cut + 2);
    throw ConfigError(src.origin + ": not valid JSON: " + what);
  }
  return src;
}

LoadPolicy config_load_policy(const ConfigSource& source) {
  Checker c(source);
  LoadPolicy policy;
  const json& root = source.json;
  if (!root.is_object()) return policy;  // build_snapshot says what is wrong
  if (auto it = root.find("allow_unsafe_plugin_files"); it != root.end()) {
    if (!it->is_boolean())
      c.fail("allow_unsafe_plugin_files", "expected true or false, got " + describe_json(*it));
    policy.allow_unsafe_files = it->get<bool>();
  }
  auto plugins = root.find("plugins");
  if (plugins == root.end() || !plugins->is_object()) return policy;
  for (const auto& [name, pj] : plugins->items()) {
    auto pin = pj.is_object() ? pj.find("sha256") : pj.end();
    if (!pj.is_object() || pin == pj.end()) continue;
    const std::string path = "plugins." + name + ".sha256";
    std::string digest = pin->is_string() ? pin->get<std::string>() : "";
    bool hex =
        digest.size() == 64 && digest.find_first_not_of("0123456789abcdef") == std::string::npos;
    if (!hex)
      c.fail(path,
             "expected 64 lowercase hex digits (the file's SHA-256), got " + describe_json(*pin));
    policy.sha256[name] = std::move(digest);
  }
  return policy;
}

std::vector<fs::path> config_plugin_dirs(const ConfigSource& source) {
  Checker c(source);
  std::vector<fs::path> dirs;
  if (!source.json.is_object()) return dirs;
  auto it = source.json.find("plugin_dirs");
  if (it == source.json.end()) return dirs;
  if (!it->is_array())
    c.fail("plugin_dirs", "expected a list of folders, got " + describe_json(*it));
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& d = (*it)[i];
    if (!d.is_string() || d.get_ref<const std::string&>().empty())
      c.fail("plugin_dirs[" + std::to_string(i) + "]",
             "expected a folder name, got " + describe_json(d));
    fs::path p = d.get<std::string>();
    dirs.push_back(p.is_absolute() ? p : source.base_dir / p);
  }
  return dirs;
}

namespace {

/// A store's plugins and rules while the config is applied, before they are put in run order.
struct Draft {
  std::vector<PluginSlot> slots;
  std::vector<std::vector<RuleSlot>> rules_of;  ///< per slot, in declaration order
};

Draft defaults(const std::vector<PluginPtr>& plugins) {
  Draft d;
  d.rules_of.resize(plugins.size());
  for (std::size_t i = 0; i < plugins.size(); ++i) {
    PluginSlot slot;
    slot.plugin = plugins[i];
    slot.name = std::string(plugins[i]->name());
    const PluginDescriptor& desc = *plugins[i]->descriptor;
    for (std::size_t k = 0; k < desc.rule_count; ++k) {
      RuleSlot r;
      r.spec = &desc.rules[k];
      r.id = r.spec->id;
      r.enabled = r.spec->enabled_by_default;
      for (std::size_t p = 0; p < r.spec->param_count; ++p)
        r.values.push_back(default_value(r.spec->params[p]));
      d.rules_of[i].push_back(std::move(r));
    }
    d.slots.push_back(std::move(slot));
  }
  return d;
}

/// Applies a `plugins` object (at `path`) on top of the draft.
void apply_plugins(const Checker& c, const json& plugins, const std::string& path, Draft& d,
                   bool top_level) {
  c.object(plugins, path);
  for (const auto& [key, pj] : plugins.items()) {
    const std::string& name = key;  // a structured binding can't be captured before clang 16
    auto found = std::find_if(d.slots.begin(), d.slots.end(),
                              [&](const PluginSlot& s) { return s.name == name; });
    if (found == d.slots.end()) {
      std::string loaded;
      for (const auto& s : d.slots) loaded += (loaded.empty() ? "" : ", ") + s.name;
      c.fail(path + "." + name,
             "no plugin named '" + name + "' is loaded (loaded: " + loaded + ")");
    }
    auto i = static_cast<std::size_t>(found - d.slots.begin());
    configure_plugin(c, pj, path + "." + name, *found, d.rules_of[i], top_level);
  }
}

std::string read_string(const Checker& c, const json& obj, const char* key, const std::string& path,
                        std::string fallback) {
  auto it = obj.find(key);
  if (it == obj.end()) return fallback;
  if (!it->is_string())
    c.fail(Checker::join(path, key), "expected a string, got " + describe_json(*it));
  return it->get<std::string>();
}

/// A store's `currency`: three capital letters (ISO 4217), e.g. USD.
std::string read_currency(const Checker& c, const json& obj, const std::string& path,
                          std::string fallback) {
  std::string code = read_string(c, obj, "currency", path, std::move(fallback));
  const bool ok = code.size() == 3 && std::all_of(code.begin(), code.end(),
                                                  [](char ch) { return ch >= 'A' && ch <= 'Z'; });
  if (!ok)
    c.fail(
        Checker::join(path, "currency"),
        "expected a currency code of three capital letters such as USD, got " + json(code).dump());
  return code;
}

/// Puts the draft's plugins in run order (by `order`, then name) and its rules in phases.
StoreConfig finish(Draft d, std::string name, std::string seed) {
  StoreConfig store;
  store.name = std::move(name);
  store.seed = std::move(seed);
  store.seed_hash = fnv1a(store.seed);
  std::vector<std::size_t> order(d.slots.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return d.slots[a].order != d.slots[b].order ? d.slots[a].order < d.slots[b].order
                                                : d.slots[a].name < d.slots[b].name;
  });
  for (std::size_t i : order) {
    auto plugin_index = static_cast<std::uint32_t>(store.plugins.size());
    PluginSlot& slot = d.slots[i];
    for (RuleSlot& r : d.rules_of[i]) {
      r.plugin = plugin_index;
      if (!slot.enabled) {
        r.enabled = false;
        r.disabled_why = "its plugin is disabled in the config";
      } else if (!r.enabled) {
        r.disabled_why = r.spec->enabled_by_default ? "disabled in the config"
                                                    : "off by default (enable it in the config)";
      }
      auto index = static_cast<std::uint32_t>(store.rules.size());
      (r.spec->phase == Phase::Review ? store.review_rules : store.decide_rules).push_back(index);
      store.rules.push_back(std::move(r));
    }
    store.plugins.push_back(std::move(slot));
  }
  for (std::size_t type = 0; type < kEventTypes; ++type) {
    const std::uint32_t bit = event_bit(static_cast<EventType>(type));
    const auto active = [&](const std::vector<std::uint32_t>& phase, auto& into) {
      for (std::uint32_t index : phase)
        if (store.rules[index].enabled && (store.rules[index].spec->events & bit))
          into[type].push_back(index);
    };
    active(store.decide_rules, store.active_decide);
    active(store.review_rules, store.active_review);
  }
  store.stats = std::make_unique<RuleStats[]>(store.rules.size());
  store.evaluations = std::make_unique<std::atomic<std::uint64_t>>(0);
  gather_calls(store);
  return store;
}

}  // namespace

void gather_calls(StoreConfig& store) {
  // The vectors' elements keep their addresses when the store is moved into the snapshot.
  store.calls.clear();
  store.calls.reserve(store.rules.size());
  for (std::size_t i = 0; i < store.rules.size(); ++i) {
    const RuleSlot& r = store.rules[i];
    const PluginSlot& p = store.plugins.at(r.plugin);
    const PluginDescriptor* d = p.plugin ? p.plugin->descriptor : nullptr;
    store.calls.push_back({r.spec && d ? d->run_rule : nullptr, r.spec,
                           r.spec ? r.spec->params : nullptr, r.values.data(), r.values.size(),
                           p.name, r.id, &p, &store.stats[i]});
  }
}

std::shared_ptr<const ConfigSnapshot> build_snapshot(const ConfigSource& source,
                                                     const std::vector<PluginPtr>& plugins) {
  Checker c(source);
  const json& root = source.json;
  if (!root.is_object()) c.fail("", "expected a config object, got " + describe_json(root));
  c.only_keys(root, "",
              {"store", "seed", "plugin_dirs", "plugins", "stores", "allow_unsafe_plugin_files",
               "time_budget_us", "currency"});

  const std::string main_name = read_string(c, root, "store", "", "default");
  if (main_name.empty()) c.fail("store", "expected a store name, got \"\"");
  const std::string main_seed = read_string(c, root, "seed", "", "");
  const std::string main_currency = read_currency(c, root, "", "USD");
  Draft main = defaults(plugins);
  if (auto it = root.find("plugins"); it != root.end())
    apply_plugins(c, *it, "plugins", main, true);

  auto snap = std::make_shared<ConfigSnapshot>();
  if (auto it = root.find("time_budget_us"); it != root.end()) {
    if (!it->is_number_integer() || it->get<std::int64_t>() < 0 ||
        it->get<std::int64_t>() > 10000000)
      c.fail("time_budget_us",
             "expected an integer in 0..10000000 (microseconds), got " + describe_json(*it));
    snap->time_budget_ns = it->get<std::int64_t>() * 1000;
  }
  // Each store starts from the main store's settings and overrides what it names.
  std::vector<StoreConfig> others;
  if (auto it = root.find("stores"); it != root.end()) {
    c.object(*it, "stores");
    for (const auto& [name, sj] : it->items()) {
      const std::string path = "stores." + name;
      if (name.empty() || name == main_name)
        c.fail(path,
               "a store needs a name of its own (the top level is store '" + main_name + "')");
      c.object(sj, path);
      c.only_keys(sj, path, {"seed", "plugins", "currency"});
      Draft draft = main;
      if (auto p = sj.find("plugins"); p != sj.end())
        apply_plugins(c, *p, path + ".plugins", draft, false);
      others.push_back(finish(std::move(draft), name, read_string(c, sj, "seed", path, main_seed)));
      others.back().currency = read_currency(c, sj, path, main_currency);
    }
  }
  snap->stores.push_back(finish(std::move(main), main_name, main_seed));
  snap->stores.back().currency = main_currency;
  for (auto& s : others) snap->stores.push_back(std::move(s));

  std::uint64_t h = fnv1a(root.dump());
  for (const PluginPtr& p : plugins)
    h = fnv1a(std::string(p->name()) + "@" + p->descriptor->version + "@" + p->file.string() + ";",
              h);
  snap->version = hex64(h);
  start_isolation(*snap);
  return snap;
}

json param_value_json(const ParamSpec& spec, const ParamValue& value) {
  switch (spec.type) {
    case ParamType::Bool:
      return value.b;
    case ParamType::Int:
      return value.i;
    case ParamType::Number:
      return value.d;
    case ParamType::String:
    case ParamType::DayOfYear:
      return value.s;
    case ParamType::Map: {
      json out = json::object();
      for (const MapEntry& e : value.map.entries)
        out[e.key] = spec.map_of == ParamType::Int ? json(e.i) : json(e.d);
      return out;
    }
  }
  return nullptr;
}

json param_default_json(const ParamSpec& spec) {
  return param_value_json(spec, default_value(spec));
}

json param_schema_json(const ParamSpec& spec) {
  json s = {{"type", param_type_name(spec.type)},
            {"default", param_default_json(spec)},
            {"description", spec.description ? spec.description : ""}};
  if (spec.type == ParamType::Int) {
    s["min"] = spec.int_min;
    s["max"] = spec.int_max;
  } else if (spec.type == ParamType::Number) {
    s["min"] = spec.number_min;
    s["max"] = spec.number_max;
  } else if (spec.type == ParamType::Map) {
    s["values"] = param_type_name(spec.map_of);
    if (spec.map_of == ParamType::Int) {
      s["min"] = spec.int_min;
      s["max"] = spec.int_max;
    } else {
      s["min"] = spec.number_min;
      s["max"] = spec.number_max;
    }
    s["max_entries"] = spec.max_entries;
  } else if (spec.type == ParamType::DayOfYear) {
    s["format"] = "MM-DD";
  } else if (spec.type == ParamType::String && spec.choices) {
    json choices = json::array();
    for (std::string_view choice : split_choices(spec.choices)) choices.push_back(choice);
    s["choices"] = choices;
  }
  return s;
}

/// The event types a rule runs for: "any", or the known type names it declared with `.on(...)`.
json events_json(std::uint32_t events) {
  if (events == kAllEvents) return "any";
  static constexpr std::pair<EventType, const char*> kNames[] = {
      {EventType::OrderPlaced, "order.placed"},
      {EventType::ShipmentException, "shipment.exception"},
      {EventType::ReturnRequested, "return.requested"},
      {EventType::ContactReceived, "contact.received"},
      {EventType::StockInquiry, "stock.inquiry"},
      {EventType::Unknown, "other"}};
  json out = json::array();
  for (const auto& [type, name] : kNames)
    if (events & event_bit(type)) out.push_back(name);
  return out;
}

json plugin_info_json(const LoadedPlugin& plugin) {
  const PluginDescriptor& d = *plugin.descriptor;
  json rules = json::array();
  for (std::size_t k = 0; k < d.rule_count; ++k) {
    const RuleSpec& r = d.rules[k];
    json defaults = json::object(), schema = json::object();
    for (std::size_t i = 0; i < r.param_count; ++i) {
      defaults[r.params[i].name] = param_default_json(r.params[i]);
      schema[r.params[i].name] = param_schema_json(r.params[i]);
    }
    rules.push_back({{"id", r.id},
                     {"description", r.description ? r.description : ""},
                     {"enabled_by_default", r.enabled_by_default},
                     {"phase", r.phase == Phase::Review ? "review" : "decide"},
                     {"events", events_json(r.events)},
                     {"defaults", defaults},
                     {"schema", schema}});
  }
  return {{"name", d.name},          {"version", d.version},
          {"kind", d.kind},          {"description", d.description ? d.description : ""},
          {"abi", d.header.abi_key}, {"file", plugin.file.string()},
          {"sha256", plugin.sha256}, {"rules", rules}};
}

json plugins_json(const StoreConfig& snap) {
  json out = json::array();
  for (std::size_t pi = 0; pi < snap.plugins.size(); ++pi) {
    const PluginSlot& slot = snap.plugins[pi];
    json info = plugin_info_json(*slot.plugin);
    info["enabled"] = slot.enabled;
    info["order"] = slot.order;
    info["on_error"] = slot.on_error == OnError::Fail ? "fail" : "skip";
    std::size_t k = 0;
    for (const RuleSlot& r : snap.rules) {
      if (r.plugin != pi) continue;
      json& rule = info["rules"][k++];
      rule["enabled"] = r.enabled;
      json params = json::object();
      for (std::size_t i = 0; i < r.spec->param_count; ++i)
        params[r.spec->params[i].name] = param_value_json(r.spec->params[i], r.values[i]);
      rule["params"] = params;
    }
    out.push_back(std::move(info));
  }
  return out;
}

json stats_json(const ConfigSnapshot& snap) {
  json stores = json::object();
  for (const StoreConfig& store : snap.stores) {
    json rules = json::object();
    for (std::uint32_t i = 0; i < store.rules.size(); ++i) {
      const RuleStats& s = store.stats[i];
      const std::uint64_t runs =
          store.rules[i].enabled ? store.evaluations->load(std::memory_order_relaxed) : 0;
      json entry = {{"runs", runs},
                    {"fired", s.fired.load(std::memory_order_relaxed)},
                    {"errors", s.errors.load(std::memory_order_relaxed)},
                    {"over_budget", s.over_budget.load(std::memory_order_relaxed)}};
      if (snap.time_budget_ns > 0)
        entry["time_us"] = s.time_ns.load(std::memory_order_relaxed) / 1000;
      rules[store.rule_name(i)] = std::move(entry);
    }
    stores[store.name] = std::move(rules);
  }
  json out = {{"config_version", snap.version},
              {"time_budget_us", snap.time_budget_ns / 1000},
              {"stores", stores}};
  if (!snap.isolated.empty()) out["isolation"] = isolation_stats_json(snap);
  return out;
}

}  // namespace shoprules::host
