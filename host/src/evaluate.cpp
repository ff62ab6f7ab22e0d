// The evaluation pipeline, one rule at a time through the plugin's exception-safe trampoline.
#include "shoprules/host/evaluate.hpp"

#include "shoprules/host/action_check.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/merge.hpp"
#include "shoprules/plugin.hpp"

namespace shoprules::host {
namespace {

/// The first problem with the actions this rule emitted, or "". When the rule reached back to
/// earlier actions, those are checked too, and one it broke is dropped (it cannot be unbroken).
std::string invalid_action(const RuleOutput& out, std::vector<Action>& actions,
                           const std::string& rule) {
  std::string first;
  const std::size_t from = out.reached_back() ? 0 : out.first_own();
  for (std::size_t i = from; i < actions.size(); ++i) {
    Action& a = actions[i];
    if (!a.is_kept()) continue;
    std::string problem = check_action(a);
    if (problem.empty()) continue;
    if (i < out.first_own()) {
      a.status = Action::Status::Dropped;
      a.status_note = "dropped after " + rule + " amended it: " + problem;
      problem = "amended " + problem.substr(std::string_view("emitted ").size());
    }
    if (first.empty()) first = std::move(problem);
  }
  return first;
}

void run_rule(const StoreConfig& snap, std::uint32_t index, const Event& event, Decision& out) {
  const RuleSlot& slot = snap.rules[index];
  TraceEntry& t = out.trace.emplace_back();
  t.rule = index;
  if (!slot.enabled) {
    t.outcome = Outcome::Disabled;
    t.why = slot.disabled_why;
    return;
  }
  const PluginSlot& plugin = snap.plugin_of(slot);
  Params params(slot.spec->params, slot.values.data(), slot.values.size());
  RuleContext ctx{event, params, plugin.name, slot.spec->id, snap.seed_hash};
  RuleOutput ro(out.actions, t.detail);
  std::string error;
  RuleStatus status = plugin.plugin->descriptor->run_rule(*slot.spec, ctx, ro, error);
  if (status == RuleStatus::Ok) {
    if (std::string bad = invalid_action(ro, out.actions, snap.rule_name(index)); !bad.empty()) {
      status = RuleStatus::Exception;
      error = std::move(bad);
    }
  } else if (status == RuleStatus::UnknownException) {
    error = "threw an exception that is not a std::exception";
  }
  if (status != RuleStatus::Ok) {
    out.actions.resize(ro.first_own());
    t.outcome = Outcome::Error;
    t.detail = error.empty() ? "threw an exception with an empty message" : error;
    if (plugin.on_error == OnError::Fail) throw RuleFailure(plugin.name, slot.spec->id, t.detail);
    return;
  }
  for (std::size_t i = ro.first_own(); i < out.actions.size(); ++i) out.actions[i].origin = index;
  if (ro.emitted() > 0 || ro.noted()) {
    t.outcome = Outcome::Fired;
  } else {
    t.outcome = Outcome::Skipped;
    t.why = ro.skip_why() ? ro.skip_why() : "nothing to do for this event";
  }
}

}  // namespace

void evaluate_event(const StoreConfig& snap, const Event& event, Decision& out) {
  out.event_id.assign(event.id);
  out.trace.reserve(snap.rules.size());
  for (std::uint32_t index : snap.decide_rules) run_rule(snap, index, event, out);
  merge_actions(out.actions, snap, event.has_order ? event.order.subtotal : 0);
  for (std::uint32_t index : snap.review_rules) run_rule(snap, index, event, out);
}

}  // namespace shoprules::host
