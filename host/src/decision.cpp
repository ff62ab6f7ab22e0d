// Decision rendering: trace reasons and the JSON form shared by the CLI and the tests.
#include "shoprules/host/decision.hpp"

namespace shoprules::host {
using nlohmann::json;

const char* outcome_name(Outcome o) {
  switch (o) {
    case Outcome::Fired:
      return "fired";
    case Outcome::Skipped:
      return "skipped";
    case Outcome::Disabled:
      return "disabled";
    case Outcome::Error:
      return "error";
  }
  return "?";
}

std::string Decision::why(const TraceEntry& t) const {
  if (t.outcome != Outcome::Fired) return t.why ? t.why : t.detail;
  std::string out = t.detail;
  for (const Action& a : actions) {
    if (a.origin != t.rule) continue;
    if (!out.empty()) out += "; ";
    out += a.reason;
  }
  return out;
}

std::vector<std::string> Decision::merged_notes(std::uint32_t rule) const {
  std::vector<std::string> notes;
  for (const Action& a : actions)
    if (a.origin == rule && !a.is_kept()) notes.push_back(a.type + ": " + a.status_note);
  return notes;
}

json value_json(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null:
      return nullptr;
    case Value::Kind::Bool:
      return v.as_bool();
    case Value::Kind::Int:
      return v.as_int();
    case Value::Kind::Number:
      return v.as_number();
    case Value::Kind::String:
      return v.as_string();
    case Value::Kind::List: {
      json out = json::array();
      for (const Value& item : v.items()) out.push_back(value_json(item));
      return out;
    }
    case Value::Kind::Object: {
      json out = json::object();
      for (const Member& m : v.members()) out[m.key] = value_json(m.value);
      return out;
    }
  }
  return nullptr;
}

json Decision::actions_json() const {
  json out = json::array();
  for (const Action& a : actions) {
    if (!a.is_kept()) continue;
    const RuleSlot& r = store->rules[a.origin];
    json params = json::object();
    for (const Member& m : a.params) params[m.key] = value_json(m.value);
    out.push_back({{"type", a.type},
                   {"params", params},
                   {"plugin", store->plugin_of(r).name},
                   {"rule", r.spec->id},
                   {"reason", a.reason}});
  }
  return out;
}

json Decision::errors_json() const {
  json out = json::array();
  for (const TraceEntry& t : trace) {
    if (t.outcome != Outcome::Error) continue;
    const RuleSlot& r = store->rules[t.rule];
    out.push_back(
        {{"plugin", store->plugin_of(r).name}, {"rule", r.spec->id}, {"message", t.detail}});
  }
  return out;
}

json Decision::trace_json() const {
  json out = json::array();
  for (const TraceEntry& t : trace) {
    const RuleSlot& r = store->rules[t.rule];
    json entry = {{"plugin", store->plugin_of(r).name},
                  {"rule", r.spec->id},
                  {"outcome", outcome_name(t.outcome)},
                  {"why", why(t)}};
    if (t.over_budget) {
      entry["over_budget"] = true;
      entry["time_us"] = t.time_us;
    }
    auto notes = merged_notes(t.rule);
    if (!notes.empty()) entry["merged"] = notes;
    out.push_back(std::move(entry));
  }
  return out;
}

json Decision::to_json() const {
  return {
      {"event_id", event_id},      {"store", store->name},    {"config_version", snapshot->version},
      {"actions", actions_json()}, {"errors", errors_json()}, {"trace", trace_json()}};
}

}  // namespace shoprules::host
