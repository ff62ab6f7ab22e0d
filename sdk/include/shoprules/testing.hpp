// A test harness for plugin authors: run one rule on an event with chosen params, and look at the
// actions it emitted, in a GoogleTest (or any) test, with no host and no plugin loading.
//
//   #include <shoprules/testing.hpp>
//
//   shoprules::testing::RuleRunner run(birthday::kRules, "birthday_coupon");
//   run.set("percent", 20);                        // checked against the rule's declared params
//   shoprules::Event ev = shoprules::testing::order_placed("2026-11-23T10:00:00Z");
//   ev.customer.tags = {"birthday"};
//   auto result = run(ev);
//   auto emitted = result.emitted();
//   ASSERT_EQ(emitted.size(), 1u) << result.error;
//   EXPECT_EQ(emitted[0].type, "coupon.issue");
//   EXPECT_EQ(emitted[0].int_param("percent"), 20);
//
// What it does not do: merge actions of several rules, apply the goodwill cap, or check actions
// as the host does before a shop sees them. Load the built plugin in a Host for that.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <initializer_list>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "shoprules/action.hpp"
#include "shoprules/event.hpp"
#include "shoprules/rule.hpp"

namespace shoprules::testing {

/// "YYYY-MM-DDTHH:MM:SSZ" (UTC) as an event Timestamp. Throws std::invalid_argument otherwise.
inline Timestamp at(std::string_view iso) {
  int y, mo, d, h, mi, s;
  char z = 0;
  const std::string text(iso);
  if (std::sscanf(text.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &s, &z) != 7 ||
      z != 'Z' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60)
    throw std::invalid_argument("expected a UTC time like 2026-11-23T10:00:00Z, got " + text);
  // days_from_civil (H. Hinnant)
  y -= mo <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * static_cast<unsigned>(mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = era * 146097 + static_cast<std::int64_t>(doe) - 719468;
  return Timestamp{days * kSecondsPerDay + h * 3600 + mi * 60 + s, true};
}

/// An event of `kind` with the sections the host requires for it present (an order also gets an
/// id and USD). Fill in the rest: string fields take literals, or strings that outlive the event.
inline Event event_of(EventType kind, std::string_view type, std::string_view when) {
  Event ev;
  ev.id = "evt-test";
  ev.type = type;
  ev.kind = kind;
  ev.at = at(when);
  ev.has_customer = true;
  ev.customer.id = "c-test";
  ev.has_order = kind == EventType::OrderPlaced || kind == EventType::ShipmentException ||
                 kind == EventType::ReturnRequested;
  if (ev.has_order) {
    ev.order.id = "o-test";
    ev.order.currency = "USD";
  }
  ev.has_shipment = kind == EventType::ShipmentException;
  ev.has_return = kind == EventType::ReturnRequested;
  ev.has_contact = kind == EventType::ContactReceived;
  ev.has_inquiry = kind == EventType::StockInquiry;
  return ev;
}
inline Event order_placed(std::string_view when = "2026-11-23T10:00:00Z") {
  return event_of(EventType::OrderPlaced, "order.placed", when);
}
inline Event return_requested(std::string_view when = "2026-11-23T10:00:00Z") {
  return event_of(EventType::ReturnRequested, "return.requested", when);
}
inline Event shipment_exception(std::string_view when = "2026-11-23T10:00:00Z") {
  return event_of(EventType::ShipmentException, "shipment.exception", when);
}
inline Event contact_received(std::string_view when = "2026-11-23T10:00:00Z") {
  return event_of(EventType::ContactReceived, "contact.received", when);
}
inline Event stock_inquiry(std::string_view when = "2026-11-23T10:00:00Z") {
  return event_of(EventType::StockInquiry, "stock.inquiry", when);
}

/// Adds a line to the order and keeps the subtotal the host would compute.
inline OrderLine& add_line(Event& ev, std::string_view sku, std::int64_t price,
                           std::int64_t qty = 1) {
  OrderLine& line = ev.order.lines.emplace_back();
  line.sku = sku;
  line.price = price;
  line.qty = qty;
  ev.order.subtotal += price * qty;
  return line;
}

/// What one run of a rule did.
struct Result {
  std::vector<Action> actions;  ///< every action, earlier ones included, in order
  std::size_t first_own = 0;    ///< actions[first_own...] are the ones this rule emitted
  std::string note;             ///< what the rule noted (amendments, drops)
  std::string skipped;          ///< why it did nothing, when it said so
  std::string error;            ///< what it threw, if it threw (then `actions` is as before)

  /// The kept actions this rule emitted, as copies (safe on a temporary: `run(ev).emitted()`).
  std::vector<Action> emitted() const {
    std::vector<Action> out;
    for (std::size_t i = first_own; i < actions.size(); ++i)
      if (actions[i].is_kept()) out.push_back(actions[i]);
    return out;
  }
  /// The first kept action of `type`, emitted by this rule or earlier, or nullptr.
  const Action* find(std::string_view type) const {
    for (const Action& a : actions)
      if (a.is_kept() && a.type == type) return &a;
    return nullptr;
  }
};

/// Runs one rule of a plugin's rule table, as the host would, with params at their declared
/// defaults until `set` changes them (with the host's type and range checks).
class RuleRunner {
 public:
  template <std::size_t N>
  RuleRunner(const RuleSpec (&rules)[N], std::string_view id, std::string plugin = "test")
      : plugin_(std::move(plugin)) {
    for (const RuleSpec& r : rules)
      if (id == r.id) spec_ = &r;
    if (!spec_) throw std::invalid_argument("no rule named " + std::string(id) + " in the table");
    for (std::size_t i = 0; i < spec_->param_count; ++i) {
      const ParamSpec& p = spec_->params[i];
      ParamValue v;
      v.b = p.bool_default;
      v.i = p.int_default;
      v.d = p.number_default;
      v.s = p.string_default ? p.string_default : "";
      MonthDay md;
      if (p.type == ParamType::DayOfYear && parse_month_day(v.s, md)) v.i = md.key();
      values_.push_back(std::move(v));
    }
  }

  RuleRunner& set(std::string_view name, std::int64_t v) {
    const std::size_t k = index(name);
    const ParamSpec& p = spec_->params[k];
    if (p.type == ParamType::Number) return set(name, static_cast<double>(v));
    expect(p, ParamType::Int);
    if (v < p.int_min || v > p.int_max)
      throw std::out_of_range(std::string(name) + ": " + std::to_string(v) + " is outside " +
                              std::to_string(p.int_min) + ".." + std::to_string(p.int_max));
    values_[k].i = v;
    return *this;
  }
  RuleRunner& set(std::string_view name, int v) { return set(name, std::int64_t{v}); }
  RuleRunner& set(std::string_view name, double v) {
    const std::size_t k = index(name);
    const ParamSpec& p = spec_->params[k];
    expect(p, ParamType::Number);
    if (v < p.number_min || v > p.number_max)
      throw std::out_of_range(std::string(name) + ": " + std::to_string(v) + " is outside " +
                              std::to_string(p.number_min) + ".." + std::to_string(p.number_max));
    values_[k].d = v;
    return *this;
  }
  RuleRunner& set(std::string_view name, bool v) {
    const std::size_t k = index(name);
    expect(spec_->params[k], ParamType::Bool);
    values_[k].b = v;
    return *this;
  }
  RuleRunner& set(std::string_view name, const char* v) { return set(name, std::string(v)); }
  RuleRunner& set(std::string_view name, std::string v) {
    const std::size_t k = index(name);
    const ParamSpec& p = spec_->params[k];
    if (p.type == ParamType::DayOfYear) {
      MonthDay md;
      if (!parse_month_day(v, md))
        throw std::out_of_range(std::string(name) + ": \"" + v +
                                "\" is not a day of the year (MM-DD)");
      values_[k].s = std::move(v);
      values_[k].i = md.key();
      return *this;
    }
    expect(p, ParamType::String);
    if (p.choices && !is_choice(v, p.choices))
      throw std::out_of_range(std::string(name) + ": \"" + v + "\" is not one of " + p.choices);
    values_[k].s = std::move(v);
    return *this;
  }
  /// A map param's entries, checked against its declared range and entry limit:
  /// `run.set("multipliers", {{"shoes", 2}, {"gift_cards", 0}})`.
  RuleRunner& set(std::string_view name,
                  std::initializer_list<std::pair<std::string_view, double>> entries) {
    const std::size_t k = index(name);
    const ParamSpec& p = spec_->params[k];
    expect(p, ParamType::Map);
    if (entries.size() > p.max_entries)
      throw std::out_of_range(std::string(name) + ": " + std::to_string(entries.size()) +
                              " entries, at most " + std::to_string(p.max_entries));
    ParamMap map;
    for (const auto& [key, value] : entries) {
      const bool as_int = p.map_of == ParamType::Int;
      const bool ok = as_int
                          ? value == std::floor(value) && value >= static_cast<double>(p.int_min) &&
                                value <= static_cast<double>(p.int_max)
                          : value >= p.number_min && value <= p.number_max;
      if (!ok)
        throw std::out_of_range(std::string(name) + "." + std::string(key) + ": " +
                                std::to_string(value) + " is out of range");
      map.entries.push_back(MapEntry{std::string(key), static_cast<std::int64_t>(value), value});
    }
    std::sort(map.entries.begin(), map.entries.end(),
              [](const MapEntry& a, const MapEntry& b) { return a.key < b.key; });
    values_[k].map = std::move(map);
    return *this;
  }
  /// The store's currency (the config's `currency`), for money on events without an order.
  RuleRunner& currency(std::string c) {
    currency_ = std::move(c);
    return *this;
  }
  /// The config's `seed`, which RuleContext::sample() and chance() depend on.
  RuleRunner& seed(std::string_view s) {
    seed_hash_ = fnv1a(s);
    return *this;
  }

  /// Runs the rule on `ev`, after `earlier` actions (what rules before it emitted, for a rule
  /// that amends them). A throw is caught and reported in Result::error, as the host would.
  Result operator()(const Event& ev, std::vector<Action> earlier = {}) const {
    Result r;
    r.first_own = earlier.size();
    if (!(spec_->events & event_bit(ev.kind))) {  // as the host does, without calling it
      r.actions = std::move(earlier);
      r.skipped = not_for_events(spec_->events);
      return r;
    }
    ActionList actions;
    for (Action& a : earlier) actions.push_back(std::move(a));
    const Params params(spec_->params, values_.data(), values_.size());
    const RuleContext ctx{ev, params, plugin_, spec_->id, seed_hash_, currency_};
    RuleOutput out(actions, r.note);
    try {
      spec_->fn(ctx, out);
    } catch (const std::exception& e) {
      r.error = e.what();
    } catch (...) {
      r.error = "threw an exception that is not a std::exception";
    }
    if (!r.error.empty()) actions.resize(r.first_own);
    r.actions.assign(std::make_move_iterator(actions.begin()),
                     std::make_move_iterator(actions.end()));
    if (out.skip_why()) r.skipped = out.skip_why();
    return r;
  }

  const RuleSpec& spec() const { return *spec_; }

 private:
  std::size_t index(std::string_view name) const {
    for (std::size_t i = 0; i < spec_->param_count; ++i)
      if (name == spec_->params[i].name) return i;
    throw std::invalid_argument(std::string(spec_->id) + " has no param named " +
                                std::string(name));
  }
  static void expect(const ParamSpec& p, ParamType t) {
    if (p.type != t)
      throw std::invalid_argument(std::string(p.name) + " is a " + param_type_name(p.type) +
                                  " param, set as " + param_type_name(t));
  }

  std::string plugin_;
  const RuleSpec* spec_ = nullptr;
  std::vector<ParamValue> values_;
  std::uint64_t seed_hash_ = fnv1a("");
  std::string currency_ = "USD";
};

}  // namespace shoprules::testing
