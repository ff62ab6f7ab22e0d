// Action checks: a plugin's bug must not reach a shop as a negative refund or a drone delivery.
#include "shoprules/host/action_check.hpp"

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "shoprules/rule.hpp"
#include "shoprules/same_text.hpp"

namespace shoprules::host {
namespace {

enum class Kind { Money, Count, Percent, Speed, OneOf, Text, Flag };

struct ParamCheck {
  std::string_view type;
  std::string_view key;
  Kind kind;
  bool required = false;
  const char* choices = nullptr;  // for OneOf: "a|b|c"
};

// Grouped by type: check_action finds its type's run and stops at the run's end.
constexpr ParamCheck kChecks[] = {
    {"refund.issue", "amount", Kind::Money, true},
    {"refund.issue", "bonus", Kind::Money},
    {"refund.issue", "fee", Kind::Money},
    {"refund.issue", "method", Kind::OneOf, false, "original|store_credit"},
    {"refund.issue", "instant", Kind::Flag},
    {"coupon.issue", "amount", Kind::Money},
    {"coupon.issue", "percent", Kind::Percent},
    {"coupon.issue", "expires_in_days", Kind::Count},
    {"points.award", "points", Kind::Count, true},
    {"points.award", "available_after_days", Kind::Count},
    {"points.revoke", "points", Kind::Count, true},
    {"points.expire", "points", Kind::Count, true},
    {"exchange.ship", "sku", Kind::Text, true},
    {"exchange.ship", "size", Kind::Text},
    {"exchange.ship", "qty", Kind::Count},
    {"exchange.ship", "shipping", Kind::Speed},
    {"exchange.ship", "charge", Kind::Money},
    {"exchange.ship", "returned_sku", Kind::Text},
    {"shipping.upgrade", "from", Kind::Speed},
    {"shipping.upgrade", "to", Kind::Speed, true},
    {"replacement.ship", "shipping", Kind::Speed},
    {"replacement.ship", "charge", Kind::Money},
    {"return.approve", "label", Kind::OneOf, false, "prepaid|customer_paid|none"},
    {"gift.send", "value", Kind::Money},
    {"apology.send", "within_minutes", Kind::Count},
    {"reply.due", "within_minutes", Kind::Count},
    {"complaint.respond", "within_minutes", Kind::Count},
};

inline constexpr std::string_view kSpeeds = "standard|expedited|overnight";

/// A OneOf or Speed check's choices, split once: a value is compared with each, not searched for
/// in the text.
struct Options {
  std::array<std::string_view, 4> at{};
  std::size_t count = 0;

  bool has(std::string_view value) const {
    for (std::size_t i = 0; i < count; ++i)
      if (same_text(at[i], value)) return true;
    return false;
  }
};

constexpr Options split_choices(std::string_view choices) {
  Options o;
  for (;;) {
    const std::size_t bar = choices.find('|');
    o.at[o.count++] = choices.substr(0, bar);
    if (bar == std::string_view::npos) return o;
    choices.remove_prefix(bar + 1);
  }
}

/// By index into kChecks.
constexpr auto kOptions = [] {
  std::array<Options, std::size(kChecks)> all{};
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (kChecks[i].kind == Kind::Speed) all[i] = split_choices(kSpeeds);
    if (kChecks[i].kind == Kind::OneOf) all[i] = split_choices(kChecks[i].choices);
  }
  return all;
}();

/// kChecks split into runs of one type, so an action's type is compared once per type.
struct Run {
  const ParamCheck* first;
  const ParamCheck* last;
  std::uint32_t required = 0;  ///< bit i: the run's i-th check is of a required param
  bool coupon = false;         ///< coupon.issue: needs an amount or a percent
};

/// The runs by the length of their type, so an action's type is compared with few of them.
struct RunsByLength {
  static constexpr std::size_t kLongest = 32;
  std::array<std::vector<Run>, kLongest + 1> by_length;

  RunsByLength() {
    std::vector<Run> all;
    for (const ParamCheck& c : kChecks)
      if (all.empty() || all.back().first->type != c.type)
        all.push_back({&c, &c + 1});
      else
        all.back().last = &c + 1;
    for (Run& run : all) {
      if (run.last - run.first > 32) throw std::logic_error("more checks of a type than bits");
      for (const ParamCheck* c = run.first; c != run.last; ++c)
        if (c->required) run.required |= 1u << (c - run.first);
      run.coupon = run.first->type == "coupon.issue";
      by_length.at(run.first->type.size()).push_back(run);
    }
  }

  const Run* find(std::string_view type) const {
    if (type.size() > kLongest) return nullptr;
    for (const Run& run : by_length[type.size()])
      if (same_text(run.first->type, type)) return &run;
    return nullptr;
  }
};

const RunsByLength& runs() {
  static const RunsByLength all;
  return all;
}

inline const char* expected(const ParamCheck& c, const Value& v) {
  switch (c.kind) {
    case Kind::Money:
      return v.kind() == Value::Kind::Int && v.as_int() >= 0
                 ? nullptr
                 : "expected a non-negative integer (minor units)";
    case Kind::Count:
      return v.kind() == Value::Kind::Int && v.as_int() >= 0 ? nullptr
                                                             : "expected a non-negative integer";
    case Kind::Percent: {
      const bool number = v.kind() == Value::Kind::Int || v.kind() == Value::Kind::Number;
      return number && v.as_number() >= 0 && v.as_number() <= 100 ? nullptr
                                                                  : "expected a number in 0..100";
    }
    case Kind::Speed:
      return v.kind() == Value::Kind::String && kOptions[&c - kChecks].has(v.as_string())
                 ? nullptr
                 : "expected standard, expedited or overnight";
    case Kind::OneOf:
      return v.kind() == Value::Kind::String && kOptions[&c - kChecks].has(v.as_string())
                 ? nullptr
                 : c.choices;
    case Kind::Text:
      return v.kind() == Value::Kind::String ? nullptr : "expected a string";
    case Kind::Flag:
      return v.kind() == Value::Kind::Bool ? nullptr : "expected true or false";
  }
  return nullptr;
}

std::string show(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Int:
      return std::to_string(v.as_int());
    case Value::Kind::Number:
      return std::to_string(v.as_number());
    case Value::Kind::String:
      return '"' + v.as_string() + '"';
    case Value::Kind::Bool:
      return v.as_bool() ? "true" : "false";
    case Value::Kind::Null:
      return "null";
    default:
      return "a list or object";
  }
}

/// The bytes of a dotted name: a-z, 0-9, '_' and '.'.
constexpr std::array<bool, 256> kNameBytes = [] {
  std::array<bool, 256> ok{};
  for (int c = 'a'; c <= 'z'; ++c) ok[c] = true;
  for (int c = '0'; c <= '9'; ++c) ok[c] = true;
  ok['_'] = ok['.'] = true;
  return ok;
}();

bool dotted_name(std::string_view type) {
  if (type.empty() || type.front() == '.' || type.back() == '.') return false;
  bool dot = false;
  for (char c : type) {
    if (!kNameBytes[static_cast<unsigned char>(c)]) return false;
    dot = dot || c == '.';
  }
  return dot;
}

/// What check_action found wrong, without the message: the common case, an action that may go
/// out, costs no string.
struct Finding {
  enum class What { None, NoType, BadType, Missing, BadValue, NoCouponValue };
  What what = What::None;
  const ParamCheck* check = nullptr;  // Missing, BadValue
  const Value* value = nullptr;       // BadValue
  const char* problem = nullptr;      // BadValue
};

Finding find_problem(const Action& action) {
  if (action.type.empty()) return {Finding::What::NoType};
  bool has_coupon_value = false;
  const std::string_view type = action.type;
  const Run* run = runs().find(type);
  const ParamCheck* c = run ? run->first : nullptr;
  const ParamCheck* end = run ? run->last : nullptr;
  // A type of the table is a dotted name; only others need the check.
  if (!c && !dotted_name(type)) return {Finding::What::BadType};
  for (; c != end; ++c) {
    const Value* v = action.param(c->key);
    if (!v) {
      if (c->required) return {Finding::What::Missing, c};
      continue;
    }
    has_coupon_value = has_coupon_value || c->kind == Kind::Money || c->kind == Kind::Percent;
    if (const char* problem = expected(*c, *v)) return {Finding::What::BadValue, c, v, problem};
  }
  if (!has_coupon_value && same_text(type, "coupon.issue")) return {Finding::What::NoCouponValue};
  return {};
}

}  // namespace

// The same answer as find_problem's, in one pass over the params instead of one look-up per
// check: every emitted action pays it.
bool action_ok(const Action& action) {
  const std::string_view type = action.type;
  const Run* run = runs().find(type);
  if (!run) return dotted_name(type);  // a type with no checks: its name is all there is to check
  std::uint32_t found = 0;
  bool coupon_value = false;
  for (const Member& m : action.params)
    for (const ParamCheck* c = run->first; c != run->last; ++c) {
      if (!same_text(c->key, m.key)) continue;
      const std::uint32_t bit = 1u << (c - run->first);
      if (found & bit) break;  // a second param of that key: the first is the one that counts
      found |= bit;
      if (expected(*c, m.value)) return false;
      coupon_value = coupon_value || c->kind == Kind::Money || c->kind == Kind::Percent;
      break;
    }
  return (found & run->required) == run->required && (coupon_value || !run->coupon);
}

std::string check_action(const Action& action) {
  const Finding f = find_problem(action);
  switch (f.what) {
    case Finding::What::None:
      return "";
    case Finding::What::NoType:
      return "emitted an action with no type";
    case Finding::What::BadType:
      return "emitted an action of type \"" + action.type +
             "\": expected a dotted lowercase name such as gift.send";
    case Finding::What::Missing:
      return "emitted " + action.type + " without " + std::string(f.check->key);
    case Finding::What::BadValue:
      return "emitted " + action.type + " with " + std::string(f.check->key) + " " +
             show(*f.value) + ": " +
             (f.check->kind == Kind::OneOf ? std::string("expected one of ") + f.problem
                                           : f.problem);
    case Finding::What::NoCouponValue:
      return "emitted coupon.issue without amount or percent";
  }
  return "";
}

}  // namespace shoprules::host
