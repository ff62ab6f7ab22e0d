// Output caps: one rule's bug must not hand the storefront a 10 MiB reason or a million actions.
#include "shoprules/host/output_caps.hpp"

#include <string_view>

#include "shoprules/host/utf8.hpp"

namespace shoprules::host {
namespace {

std::string over(const Action& a, const std::string& what, std::size_t cap, const char* unit) {
  return "emitted " +
         (a.type.size() > kMaxActionTypeBytes ? a.type.substr(0, utf8_prefix(a.type, 40)) + "..."
                                              : a.type) +
         " with " + what + ": over the cap of " + std::to_string(cap) + " " + unit;
}

/// Walks a param value, counting values; false with `problem` set at the first cap it breaks.
/// The good path builds no string.
bool check_value(const Action& a, std::string_view key, const Value& v, std::size_t depth,
                 std::size_t& values, std::string& problem) {
  if (++values > kMaxParamValues) {
    problem = over(a, "more than " + std::to_string(kMaxParamValues) + " param values",
                   kMaxParamValues, "values per action");
    return false;
  }
  switch (v.kind()) {
    case Value::Kind::String:
      if (v.as_string().size() > kMaxParamStringBytes) {
        problem = over(
            a,
            "param " + std::string(key) + " of " + std::to_string(v.as_string().size()) + " bytes",
            kMaxParamStringBytes, "bytes per param string");
        return false;
      }
      return true;
    case Value::Kind::List:
    case Value::Kind::Object:
      if (depth > kMaxParamDepth) {
        problem = over(a,
                       "param " + std::string(key) + " nested deeper than " +
                           std::to_string(kMaxParamDepth) + " levels",
                       kMaxParamDepth, "levels of nesting in params");
        return false;
      }
      for (const Value& item : v.items())
        if (!check_value(a, key, item, depth + 1, values, problem)) return false;
      for (const Member& m : v.members()) {
        if (m.key.size() > kMaxParamStringBytes) {
          problem = over(a, "a param key of " + std::to_string(m.key.size()) + " bytes",
                         kMaxParamStringBytes, "bytes per param string");
          return false;
        }
        if (!check_value(a, key, m.value, depth + 1, values, problem)) return false;
      }
      return true;
    default:
      return true;
  }
}

/// check_value's walk with no message: whether `v` is within the caps, counting it in `values`.
bool value_within(const Value& v, std::size_t depth, std::size_t& values) {
  if (++values > kMaxParamValues) return false;
  switch (v.kind()) {
    case Value::Kind::String:
      return v.as_string().size() <= kMaxParamStringBytes;
    case Value::Kind::List:
    case Value::Kind::Object:
      if (depth > kMaxParamDepth) return false;
      for (const Value& item : v.items())
        if (!value_within(item, depth + 1, values)) return false;
      for (const Member& m : v.members())
        if (m.key.size() > kMaxParamStringBytes || !value_within(m.value, depth + 1, values))
          return false;
      return true;
    default:
      return true;
  }
}

}  // namespace

bool within_output_caps(const Action& a) {
  if (a.type.size() > kMaxActionTypeBytes || a.reason.size() > kMaxReasonBytes) return false;
  std::size_t values = 0;
  for (const Member& m : a.params)
    if (m.key.size() > kMaxParamStringBytes || !value_within(m.value, 1, values)) return false;
  return true;
}

std::string check_output_caps(const Action& a) {
  if (a.type.size() > kMaxActionTypeBytes)
    return over(a, "a type of " + std::to_string(a.type.size()) + " bytes", kMaxActionTypeBytes,
                "bytes per action type");
  if (a.reason.size() > kMaxReasonBytes)
    return over(a, "a reason of " + std::to_string(a.reason.size()) + " bytes", kMaxReasonBytes,
                "bytes per reason");
  std::size_t values = 0;
  std::string problem;
  for (const Member& m : a.params) {
    if (m.key.size() > kMaxParamStringBytes)
      return over(a, "a param key of " + std::to_string(m.key.size()) + " bytes",
                  kMaxParamStringBytes, "bytes per param string");
    if (!check_value(a, m.key, m.value, 1, values, problem)) return problem;
  }
  return "";
}

}  // namespace shoprules::host
