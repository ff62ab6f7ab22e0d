// returns.category_window: a category may have a return window of its own (electronics 30 days,
// furniture 14); its lines follow it instead of the store's, so one return can be split.
#include <algorithm>
#include <string>

#include "rules.hpp"

namespace returns {

void category_window(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  const shoprules::ParamMap& days = ctx.params.map("days");
  if (days.empty()) return out.skip("no category has a window of its own");
  WindowState state = window_state(ctx, out);
  if (!state.approve && !state.refusal) return out.skip("no window decision to amend");
  const std::int64_t raw_age = shoprules::days_between(ev.order.delivered_at, ev.at);
  const std::int64_t age = raw_age < 0 ? 0 : raw_age;

  std::vector<shoprules::ReturnLine> approved, refused;
  std::string within, past;
  for (const auto& line : ev.ret.lines) {
    const bool was_approved =
        std::find_if(state.approved.begin(), state.approved.end(),
                     [&](const auto& l) { return l.sku == line.sku; }) != state.approved.end();
    const bool was_refused = !was_approved && std::find_if(state.refused.begin(),
                                                           state.refused.end(), [&](const auto& l) {
                                                             return l.sku == line.sku;
                                                           }) != state.refused.end();
    if (!was_approved && !was_refused) continue;  // another rule's decision: not ours to change
    const shoprules::OrderLine* bought = ev.order.find_line(line.sku);
    const shoprules::MapEntry* own = bought ? days.find(bought->category) : nullptr;
    if (!own) {
      (was_approved ? approved : refused).push_back(line);
      continue;
    }
    const std::string which =
        std::string(line.sku) + " (" + own->key + ": " + std::to_string(own->i) + " days)";
    if (raw_age <= own->i) {
      approved.push_back(line);
      if (!was_approved) within += (within.empty() ? "" : ", ") + which;
    } else {
      refused.push_back(line);
      if (!was_refused) past += (past.empty() ? "" : ", ") + which;
    }
  }
  if (within.empty() && past.empty())
    return out.skip("every line's category window agrees with the store's");
  const std::string when = "Returned " + std::to_string(age) + " days after delivery";
  restate_window(ctx, out, state, approved, refused,
                 when + ", within its category's return window: " + within,
                 when + ", past its category's return window: " + past);
  std::string note;
  if (!within.empty()) note = "approved by category window: " + within;
  if (!past.empty())
    note += (note.empty() ? "" : "; ") + std::string("refused by category window: ") + past;
  out.note(std::move(note));
}

}  // namespace returns
