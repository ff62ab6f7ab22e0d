// The evaluation pipeline, one rule at a time through the plugin's exception-safe trampoline.
#include "shoprules/host/evaluate.hpp"

#include <algorithm>
#include <chrono>

#include "shoprules/host/action_check.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/merge.hpp"
#include "shoprules/host/output_caps.hpp"
#include "shoprules/plugin.hpp"

namespace shoprules::host {
namespace {

/// The first problem with the actions this rule emitted, or "". When the rule reached back to
/// earlier actions, those are checked too, and one it broke is dropped (it cannot be unbroken).
std::string invalid_action(const RuleOutput& out, ActionList& actions, const StoreConfig& store,
                           std::uint32_t rule) {
  std::string first;
  const std::size_t from = out.reached_back() ? 0 : out.first_own();
  for (std::size_t i = from; i < actions.size(); ++i) {
    Action& a = actions[i];
    if (!a.is_kept()) continue;
    if (surely_within_output_caps(a) && action_ok(a)) continue;  // the common case: no message
    std::string problem = check_output_caps(a);
    const bool over_cap = !problem.empty();
    if (!over_cap) problem = check_action(a);
    if (problem.empty()) continue;
    if (i < out.first_own()) {
      a.status = Action::Status::Dropped;
      if (over_cap) {  // dropped, and not carried on in the trace at its oversized length either
        a.reason.clear();
        a.params.clear();
      }
      a.status_note = "dropped after " + store.rule_name(rule) + " amended it: " + problem;
      problem = "amended " + problem.substr(std::string_view("emitted ").size());
    }
    if (first.empty()) first = std::move(problem);
  }
  return first;
}

/// The caps on how much one rule call may add: its actions, and its note. Inline: every rule call
/// pays this check, and only one over a cap pays for the message.
bool within_count_caps(const RuleOutput& out, const std::string& note) {
  return out.emitted() <= kMaxActionsPerRule && note.size() <= kMaxNoteBytes;
}

std::string over_count_caps(const RuleOutput& out, const std::string& note) {
  if (out.emitted() > kMaxActionsPerRule)
    return "emitted " + std::to_string(out.emitted()) + " actions: over the cap of " +
           std::to_string(kMaxActionsPerRule) + " actions per rule";
  if (note.size() > kMaxNoteBytes)
    return "noted " + std::to_string(note.size()) + " bytes: over the cap of " +
           std::to_string(kMaxNoteBytes) + " bytes per note";
  return "";
}

}  // namespace

/// When a budget is set: the evaluation's start and its budget, to time each rule against.
struct BudgetClock {
  std::int64_t budget_ns = 0;
  std::chrono::steady_clock::time_point start;
};

namespace {

/// Times one rule under a budget, on whichever way the rule call ends.
class RuleTimer {
 public:
  RuleTimer(const BudgetClock& clock, RuleStats& stats, TraceEntry& entry)
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
  const BudgetClock& clock_;
  RuleStats& stats_;
  TraceEntry& entry_;
  std::chrono::steady_clock::time_point begin_;
};

/// After a rule call: whether it ended well (no exception, within the caps, every action it
/// emitted or changed sane). Inline, and building no message: every rule call pays it.
bool call_ok(RuleStatus status, const RuleOutput& out, const ActionList& actions,
             const std::string& note) {
  if (status != RuleStatus::Ok || !within_count_caps(out, note)) return false;
  const std::size_t from = out.reached_back() ? 0 : out.first_own();
  for (std::size_t i = from; i < actions.size(); ++i) {
    const Action& a = actions[i];
    if (!a.is_kept()) continue;
    // Params nested in lists or objects (return lines) take the whole walk.
    if (!surely_within_output_caps(a) && !within_output_caps(a)) return false;
    if (!action_ok(a)) return false;
  }
  return true;
}

/// What a rule call did, in `t`, once the rule's actions are its own (`origin`).
void record(const RuleOutput& ro, ActionList& actions, std::uint32_t index, RuleStats& stats,
            TraceEntry& t, bool count_fired) {
  for (std::size_t i = ro.first_own(); i < actions.size(); ++i) actions[i].origin = index;
  if (ro.emitted() > 0 || ro.noted()) {
    if (count_fired) stats.fired.fetch_add(1, std::memory_order_relaxed);
    t.outcome = Outcome::Fired;
  } else {
    t.outcome = Outcome::Skipped;
    t.why = ro.skip_why() ? ro.skip_why() : "nothing to do for this event";
  }
}

/// A rule call that did not end well, or may not have: says why, takes back what the rule
/// emitted and records the error in `t` (or, when call_ok only feared it, records the call as
/// record does). Out of line: the common call never comes here.
[[gnu::noinline]] void finish_hard(const StoreConfig& snap, std::uint32_t index, Decision& out,
                                   RuleOutput& ro, RuleStatus status, std::string& error,
                                   TraceEntry& t, bool count_fired) {
  const RuleCall& call = snap.calls[index];
  RuleStats& stats = *call.stats;
  if (status == RuleStatus::Ok) {
    if (!within_count_caps(ro, t.detail)) {
      status = RuleStatus::Exception;
      error = over_count_caps(ro, t.detail);
    } else if (std::string bad = invalid_action(ro, out.actions, snap, index); !bad.empty()) {
      status = RuleStatus::Exception;
      error = std::move(bad);
    }
  } else if (status == RuleStatus::UnknownException) {
    error = "threw an exception that is not a std::exception";
  }
  if (status == RuleStatus::Ok) return record(ro, out.actions, index, stats, t, count_fired);
  out.actions.resize(ro.first_own());
  stats.errors.fetch_add(1, std::memory_order_relaxed);
  t.outcome = Outcome::Error;
  t.detail = error.empty() ? "threw an exception with an empty message" : error;
  if (call.slot->on_error == OnError::Fail)
    throw RuleFailure(std::string(call.plugin), call.spec->id, t.detail);
}

/// Runs one rule, enabled and declared for this event's type, into `out`, with what it did in
/// `t` (whose rule is set). `count_fired`: add a call that emitted or noted something to the rule's
/// stats.
void run_rule(const StoreConfig& snap, std::uint32_t index, const Event& event, Decision& out,
              const BudgetClock& clock, TraceEntry& t, bool count_fired) {
  const RuleCall& call = snap.calls[index];
  // The budget never changes what is decided (that would depend on the machine), only what the
  // trace and the stats say about it.
  RuleTimer timer(clock, *call.stats, t);
  Params params(call.param_specs, call.values, call.value_count);
  RuleContext ctx{event, params, call.plugin, call.rule, snap.seed_hash, snap.currency};
  RuleOutput ro(out.actions, t.detail, out.keep_reasons);
  std::string error;
  const RuleStatus status = call.run(*call.spec, ctx, ro, error);
  if (call_ok(status, ro, out.actions, t.detail)) [[likely]]
    return record(ro, out.actions, index, *call.stats, t, count_fired);
  finish_hard(snap, index, out, ro, status, error, t, count_fired);
}

/// A rule with its trace entry, as a decision shows it.
void run_traced(const StoreConfig& snap, std::uint32_t index, const Event& event, Decision& out,
                const BudgetClock& clock) {
  TraceEntry& t = out.trace.emplace_back();
  t.rule = index;
  const RuleSlot& slot = snap.rules[index];
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
  run_rule(snap, index, event, out, clock, t, true);
}

}  // namespace

Evaluation::Evaluation(const StoreConfig& store, const Event& event, Decision& out,
                       std::int64_t time_budget_ns, Tracing tracing)
    : store_(store), event_(event), out_(out), budget_ns_(time_budget_ns), tracing_(tracing) {
  if (time_budget_ns) start_ = std::chrono::steady_clock::now();
  if (tracing == Tracing::ErrorsOnly) return;  // a replay reads no event id
  out.event_id.assign(event.id);
  store.evaluations->fetch_add(1, std::memory_order_relaxed);
  out.trace.reserve(store.rules.size());
}

IsolatedStop Evaluation::next() {
  const BudgetClock clock{budget_ns_, start_};
  const bool full = tracing_ == Tracing::Full;
  const std::size_t type = std::min(static_cast<std::size_t>(event_.kind), kEventTypes - 1);
  for (;;) {
    const std::vector<std::uint32_t>& rules =
        full ? (phase_ == 0 ? store_.decide_rules : store_.review_rules)
             : (phase_ == 0 ? store_.active_decide[type] : store_.active_review[type]);
    while (k_ < rules.size()) {
      const std::uint32_t index = rules[k_];
      const PluginSlot* plugin = store_.calls[index].slot;
      if (IsolatedPlugin* isolated = plugin->isolated) {
        std::size_t end = k_ + 1;
        while (end < rules.size() && store_.calls[rules[end]].slot == plugin) ++end;
        IsolatedStop stop{isolated, std::span(rules).subspan(k_, end - k_)};
        k_ = end;
        return stop;
      }
      ++k_;
      if (full) {
        run_traced(store_, index, event_, out_, clock);
        continue;
      }
      TraceEntry& t = scratch_;
      t.rule = index;
      t.outcome = Outcome::Skipped;
      t.why = nullptr;
      t.detail.clear();
      t.over_budget = false;
      t.time_us = 0;
      run_rule(store_, index, event_, out_, clock, t, false);
      if (t.outcome == Outcome::Error) out_.trace.push_back(t);
    }
    if (phase_ == 1) return {};
    merge_actions(out_.actions, store_, event_.has_order ? event_.order.subtotal : 0);
    phase_ = 1;
    k_ = 0;
  }
}

void evaluate_event(const StoreConfig& snap, const Event& event, Decision& out,
                    std::int64_t time_budget_ns, Tracing tracing) {
  Evaluation evaluation(snap, event, out, time_budget_ns, tracing);
  while (IsolatedStop stop = evaluation.next())
    run_isolated(*stop.plugin, snap, stop.rules, event, out);
}

void run_rules(const StoreConfig& store, std::span<const std::uint32_t> rules, const Event& event,
               Decision& out) {
  const BudgetClock clock{};
  for (std::uint32_t index : rules) run_traced(store, index, event, out, clock);
}

}  // namespace shoprules::host
