// The evaluation pipeline, one rule at a time through the plugin's exception-safe trampoline.
#include "shoprules/host/evaluate.hpp"

#include <chrono>

#include "shoprules/host/action_check.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/merge.hpp"
#include "shoprules/plugin.hpp"

namespace shoprules::host {
namespace {

/// The first problem with the actions this rule emitted, or "". When the rule reached back to
/// earlier actions, those are checked too, and one it broke is dropped (it cannot be unbroken).
std::string invalid_action(const RuleOutput& out, std::vector<Action>& actions,
                           const StoreConfig& store, std::uint32_t rule) {
  std::string first;
  const std::size_t from = out.reached_back() ? 0 : out.first_own();
  for (std::size_t i = from; i < actions.size(); ++i) {
    Action& a = actions[i];
    if (!a.is_kept()) continue;
    std::string problem = check_action(a);
    if (problem.empty()) continue;
    if (i < out.first_own()) {
      a.status = Action::Status::Dropped;
      a.status_note = "dropped after " + store.rule_name(rule) + " amended it: " + problem;
      problem = "amended " + problem.substr(std::string_view("emitted ").size());
    }
    if (first.empty()) first = std::move(problem);
  }
  return first;
}

/// When a budget is set: the evaluation's start and its budget, to time each rule against.
struct Clock {
  std::int64_t budget_ns = 0;
  std::chrono::steady_clock::time_point start;
};

/// Times one rule under a budget, on whichever way the rule call ends.
class RuleTimer {
 public:
  RuleTimer(const Clock& clock, RuleStats& stats, TraceEntry& entry)
      : clock_(clock), stats_(stats), entry_(entry) {
    if (clock_.budget_ns) begin_ = std::chrono::steady_clock::now();
  }
  ~RuleTimer() {
    if (clock_.budget_ns == 0) return;
    using std::chrono::nanoseconds;
    const auto end = std::chrono::steady_clock::now();
    const auto own = std::chrono::duration_cast<nanoseconds>(end - begin_).count();
    stats_.time_ns.fetch_add(static_cast<std::uint64_t>(own), std::memory_order_relaxed);
    if (std::chrono::duration_cast<nanoseconds>(end - clock_.start).count() > clock_.budget_ns) {
      entry_.over_budget = true;
      entry_.time_us = static_cast<std::uint32_t>(own / 1000);
      stats_.over_budget.fetch_add(1, std::memory_order_relaxed);
    }
  }

 private:
  const Clock& clock_;
  RuleStats& stats_;
  TraceEntry& entry_;
  std::chrono::steady_clock::time_point begin_;
};

void run_rule(const StoreConfig& snap, std::uint32_t index, const Event& event, Decision& out,
              const Clock& clock) {
  const RuleSlot& slot = snap.rules[index];
  TraceEntry& t = out.trace.emplace_back();
  t.rule = index;
  if (!slot.enabled) {
    t.outcome = Outcome::Disabled;
    t.why = slot.disabled_why;
    return;
  }
  if (!(slot.spec->events & event_bit(event.kind))) {  // declared for other event types
    t.outcome = Outcome::Skipped;
    t.why = not_for_events(slot.spec->events);
    return;
  }
  const PluginSlot& plugin = snap.plugin_of(slot);
  RuleStats& stats = snap.stats[index];
  // The budget never changes what is decided (that would depend on the machine), only what the
  // trace and the stats say about it.
  RuleTimer timer(clock, stats, t);
  Params params(slot.spec->params, slot.values.data(), slot.values.size());
  RuleContext ctx{event, params, plugin.name, slot.id, snap.seed_hash, snap.currency};
  RuleOutput ro(out.actions, t.detail);
  std::string error;
  RuleStatus status = plugin.plugin->descriptor->run_rule(*slot.spec, ctx, ro, error);
  if (status == RuleStatus::Ok) {
    if (std::string bad = invalid_action(ro, out.actions, snap, index); !bad.empty()) {
      status = RuleStatus::Exception;
      error = std::move(bad);
    }
  } else if (status == RuleStatus::UnknownException) {
    error = "threw an exception that is not a std::exception";
  }
  if (status != RuleStatus::Ok) {
    out.actions.resize(ro.first_own());
    stats.errors.fetch_add(1, std::memory_order_relaxed);
    t.outcome = Outcome::Error;
    t.detail = error.empty() ? "threw an exception with an empty message" : error;
    if (plugin.on_error == OnError::Fail) throw RuleFailure(plugin.name, slot.spec->id, t.detail);
    return;
  }
  for (std::size_t i = ro.first_own(); i < out.actions.size(); ++i) out.actions[i].origin = index;
  if (ro.emitted() > 0 || ro.noted()) {
    stats.fired.fetch_add(1, std::memory_order_relaxed);
    t.outcome = Outcome::Fired;
  } else {
    t.outcome = Outcome::Skipped;
    t.why = ro.skip_why() ? ro.skip_why() : "nothing to do for this event";
  }
}

}  // namespace

void evaluate_event(const StoreConfig& snap, const Event& event, Decision& out,
                    std::int64_t time_budget_ns) {
  const Clock clock{time_budget_ns, time_budget_ns ? std::chrono::steady_clock::now()
                                                   : std::chrono::steady_clock::time_point{}};
  snap.evaluations->fetch_add(1, std::memory_order_relaxed);
  out.event_id.assign(event.id);
  out.trace.reserve(snap.rules.size());
  for (std::uint32_t index : snap.decide_rules) run_rule(snap, index, event, out, clock);
  merge_actions(out.actions, snap, event.has_order ? event.order.subtotal : 0);
  for (std::uint32_t index : snap.review_rules) run_rule(snap, index, event, out, clock);
}

}  // namespace shoprules::host
