// Rules and their declared params: what a plugin offers, and what a rule sees when it runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "shoprules/action.hpp"
#include "shoprules/event.hpp"

namespace shoprules {

/// Map: names to integers or numbers (e.g. category -> days). DayOfYear: a date of the year,
/// written "MM-DD" (e.g. "11-01"), for yearly windows.
enum class ParamType : std::uint8_t { Bool, Int, Number, String, Map, DayOfYear };

inline constexpr const char* param_type_name(ParamType t) {
  switch (t) {
    case ParamType::Bool:
      return "bool";
    case ParamType::Int:
      return "int";
    case ParamType::Number:
      return "number";
    case ParamType::String:
      return "string";
    case ParamType::Map:
      return "map";
    case ParamType::DayOfYear:
      return "day_of_year";
  }
  return "?";
}

/// The most entries any map param may declare (and so hold).
inline constexpr std::size_t kMaxMapEntries = 10000;

/// A date of the year, from a DayOfYear param.
struct MonthDay {
  int month = 1;
  int day = 1;

  /// Orders dates within a year: 101 for "01-01", 1231 for "12-31".
  constexpr int key() const { return month * 100 + day; }
};

/// Reads "MM-DD" (two digits each, a day that exists in some year, so "02-29" is allowed).
constexpr bool parse_month_day(std::string_view text, MonthDay& out) {
  constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (text.size() != 5 || text[2] != '-') return false;
  for (std::size_t i = 0; i < text.size(); ++i)
    if (i != 2 && (text[i] < '0' || text[i] > '9')) return false;
  const int month = (text[0] - '0') * 10 + (text[1] - '0');
  const int day = (text[3] - '0') * 10 + (text[4] - '0');
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  out = MonthDay{month, day};
  return true;
}

/// A declared rule param: its type, its range (or, for a string, its choices) and its default.
/// Build one with bool_param, int_param, number_param, string_param, int_map_param,
/// number_map_param or day_of_year_param. A map's entries are checked against int_min..int_max
/// (or number_min..number_max) and its default is empty; a date's default is string_default.
struct ParamSpec {
  const char* name;
  ParamType type;
  const char* description;
  bool bool_default = false;
  std::int64_t int_default = 0;
  std::int64_t int_min = 0;
  std::int64_t int_max = 0;
  double number_default = 0;
  double number_min = 0;
  double number_max = 0;
  const char* string_default = "";
  const char* choices = nullptr;      ///< "a|b|c", or nullptr for any string
  ParamType map_of = ParamType::Int;  ///< for a map: Int or Number entries
  std::size_t max_entries = 0;        ///< for a map: at most this many entries
};

/// True when `value` is one of `choices`, written as a string param's choices are: "a|b|c".
constexpr bool is_choice(std::string_view value, std::string_view choices) {
  for (;;) {
    const std::size_t bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) return false;
    choices.remove_prefix(bar + 1);
  }
}

constexpr ParamSpec bool_param(const char* name, bool def, const char* description) {
  ParamSpec p{name, ParamType::Bool, description};
  p.bool_default = def;
  return p;
}

constexpr ParamSpec int_param(const char* name, std::int64_t def, std::int64_t min,
                              std::int64_t max, const char* description) {
  ParamSpec p{name, ParamType::Int, description};
  p.int_default = def;
  p.int_min = min;
  p.int_max = max;
  return p;
}

constexpr ParamSpec number_param(const char* name, double def, double min, double max,
                                 const char* description) {
  ParamSpec p{name, ParamType::Number, description};
  p.number_default = def;
  p.number_min = min;
  p.number_max = max;
  return p;
}

constexpr ParamSpec string_param(const char* name, const char* def, const char* choices,
                                 const char* description) {
  ParamSpec p{name, ParamType::String, description};
  p.string_default = def;
  p.choices = choices;
  return p;
}

/// A map from names to integers in min..max, at most `max_entries` of them; empty by default.
constexpr ParamSpec int_map_param(const char* name, std::int64_t min, std::int64_t max,
                                  std::size_t max_entries, const char* description) {
  ParamSpec p{name, ParamType::Map, description};
  p.map_of = ParamType::Int;
  p.int_min = min;
  p.int_max = max;
  p.max_entries = max_entries;
  return p;
}

/// A map from names to numbers in min..max, at most `max_entries` of them; empty by default.
constexpr ParamSpec number_map_param(const char* name, double min, double max,
                                     std::size_t max_entries, const char* description) {
  ParamSpec p{name, ParamType::Map, description};
  p.map_of = ParamType::Number;
  p.number_min = min;
  p.number_max = max;
  p.max_entries = max_entries;
  return p;
}

/// A date of the year, "MM-DD"; `def` must be one (the plugin loader checks it).
constexpr ParamSpec day_of_year_param(const char* name, const char* def, const char* description) {
  ParamSpec p{name, ParamType::DayOfYear, description};
  p.string_default = def;
  return p;
}

/// A map param's entries: a name with its value as both an integer (for an int map) and a number.
struct MapEntry {
  std::string key;
  std::int64_t i = 0;
  double d = 0;
};

/// A map param's value, sorted by key, so a look-up is a binary search.
struct ParamMap {
  std::vector<MapEntry> entries;

  /// The entry named `key`, or nullptr.
  const MapEntry* find(std::string_view key) const {
    std::size_t lo = 0, hi = entries.size();
    while (lo < hi) {
      const std::size_t mid = lo + (hi - lo) / 2;
      const int c = std::string_view(entries[mid].key).compare(key);
      if (c == 0) return &entries[mid];
      if (c < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
    return nullptr;
  }
  bool empty() const { return entries.empty(); }
};

/// A param's value as the host validated it from the config (or took from its default). A date
/// of the year is `s` ("MM-DD") and `i` (MonthDay::key()).
struct ParamValue {
  bool b = false;
  std::int64_t i = 0;
  double d = 0;
  std::string s;
  ParamMap map;
};

/// A rule's params for one config snapshot, read by name.
class Params {
 public:
  Params(const ParamSpec* specs, const ParamValue* values, std::size_t count)
      : specs_(specs), values_(values), count_(count) {}

  bool boolean(std::string_view name) const { return get(name, ParamType::Bool).b; }
  std::int64_t integer(std::string_view name) const { return get(name, ParamType::Int).i; }
  double number(std::string_view name) const { return get(name, ParamType::Number).d; }
  const std::string& string(std::string_view name) const { return get(name, ParamType::String).s; }
  const ParamMap& map(std::string_view name) const { return get(name, ParamType::Map).map; }
  MonthDay day_of_year(std::string_view name) const {
    const std::int64_t key = get(name, ParamType::DayOfYear).i;
    return MonthDay{static_cast<int>(key / 100), static_cast<int>(key % 100)};
  }

 private:
  // Rules read params on every event: compare in place, without strlen of every declared name.
  static bool same_name(const char* declared, std::string_view name) {
    for (char c : name)
      if (*declared++ != c) return false;
    return *declared == '\0';
  }

  const ParamValue& get(std::string_view name, ParamType type) const {
    // A rule mostly reads a param by the same string literal that declared it, and the linker
    // keeps one copy of equal literals: found by its address, without comparing the text.
    std::size_t i = 0;
    while (i < count_ && !(specs_[i].name == name.data() && specs_[i].name[name.size()] == '\0'))
      ++i;
    if (i == count_)
      for (i = 0; i < count_ && !same_name(specs_[i].name, name); ++i) {
      }
    if (i == count_) throw std::out_of_range("rule has no param named " + std::string(name));
    if (specs_[i].type != type)
      throw std::logic_error("param " + std::string(name) + " is declared as " +
                             param_type_name(specs_[i].type) + ", read as " +
                             param_type_name(type));
    return values_[i];
  }

  const ParamSpec* specs_;
  const ParamValue* values_;
  std::size_t count_;
};

/// 64-bit FNV-1a: stable across processes, machines and releases.
inline constexpr std::uint64_t kFnvOffset = 14695981039346656037ull;
inline constexpr std::uint64_t fnv1a(std::string_view text, std::uint64_t h = kFnvOffset) {
  for (unsigned char c : text) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

/// What a rule sees: the event, its params, and a deterministic sampler.
struct RuleContext {
  const Event& event;
  const Params& params;
  std::string_view plugin;
  std::string_view rule;
  std::uint64_t seed_hash;  ///< fnv1a of the config's seed
  /// The store's currency (the config's `currency`, default USD): what money given on an event
  /// without an order is in.
  std::string_view store_currency = "USD";

  /// The currency of money this event gives: the order's, or else the store's.
  std::string_view currency() const {
    return event.has_order && !event.order.currency.empty() ? event.order.currency : store_currency;
  }

  /// A number in [0, 1) fixed by the config seed, this rule's id and `key` (by default the
  /// order id, else the event id): the same inputs always give the same number.
  double sample(std::string_view key) const {
    std::uint64_t h = fnv1a(plugin, seed_hash);
    h = fnv1a(".", h);
    h = fnv1a(rule, h);
    h = fnv1a("\x1f", h);
    h = fnv1a(key, h);
    // splitmix64 finaliser spreads FNV's weak low bits over the whole word.
    h ^= h >> 30;
    h *= 0xbf58476d1ce4e5b9ull;
    h ^= h >> 27;
    h *= 0x94d049bb133111ebull;
    h ^= h >> 31;
    return static_cast<double>(h >> 11) * (1.0 / 9007199254740992.0);
  }
  double sample() const {
    return sample(event.has_order && !event.order.id.empty() ? event.order.id : event.id);
  }
  /// True for a stable `rate` share of orders (or events).
  bool chance(double rate) const { return sample() < rate; }
};

using RuleFn = void (*)(const RuleContext&, RuleOutput&);

/// When a rule runs. Decide rules run first, in plugin order; then the host merges actions of the
/// same type; then Review rules see the merged actions and may amend or drop them (e.g. a cap).
enum class Phase : std::uint8_t { Decide, Review };

/// An event type as a bit of RuleSpec::events.
constexpr std::uint32_t event_bit(EventType t) {
  return 1u << static_cast<unsigned>(t);
}
inline constexpr std::uint32_t kAllEvents = 0xFFFFFFFFu;

/// The skip reason the host records for a rule declared `.on(...)` other event types.
inline constexpr const char* not_for_events(std::uint32_t events) {
  if (events == event_bit(EventType::OrderPlaced)) return "not an order.placed event";
  if (events == event_bit(EventType::ShipmentException)) return "not a shipment.exception event";
  if (events == event_bit(EventType::ReturnRequested)) return "not a return.requested event";
  if (events == event_bit(EventType::ContactReceived)) return "not a contact.received event";
  if (events == event_bit(EventType::StockInquiry)) return "not a stock.inquiry event";
  return "not an event type this rule handles";
}

/// A rule as a plugin declares it. Build one with `rule(...)`.
struct RuleSpec {
  const char* id;
  const char* description;
  RuleFn fn;
  const ParamSpec* params = nullptr;
  std::size_t param_count = 0;
  bool enabled_by_default = true;
  Phase phase = Phase::Decide;
  std::uint32_t events = kAllEvents;  ///< event types it runs for (bits of event_bit)

  /// The same rule, switched off unless the config turns it on.
  constexpr RuleSpec off() const {
    RuleSpec r = *this;
    r.enabled_by_default = false;
    return r;
  }
  /// The same rule, run only for events of these types. For any other event the host records a
  /// skip ("not an order.placed event") without calling it, which is cheaper than the rule's own
  /// check: most rules handle one type, and every event reaches every rule.
  template <class... Types>
  constexpr RuleSpec on(Types... types) const {
    RuleSpec r = *this;
    r.events = (0u | ... | event_bit(types));
    return r;
  }
  /// The same rule, run in the review phase.
  constexpr RuleSpec review() const {
    RuleSpec r = *this;
    r.phase = Phase::Review;
    return r;
  }
};

template <std::size_t N>
constexpr RuleSpec rule(const char* id, const char* description, RuleFn fn,
                        const ParamSpec (&params)[N]) {
  return RuleSpec{id, description, fn, params, N};
}

constexpr RuleSpec rule(const char* id, const char* description, RuleFn fn) {
  return RuleSpec{id, description, fn};
}

}  // namespace shoprules
