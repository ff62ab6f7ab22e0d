// returns.holiday_window: gifts bought in the holiday season can come back after the holidays,
// until a fixed day of the next year, even when the normal window is shorter.
#include <string>

#include "rules.hpp"

namespace returns {
void holiday_window(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (!ev.order.placed_at) return out.skip("the order has no placed_at");
  const shoprules::MonthDay from = ctx.params.day_of_year("from");
  const shoprules::MonthDay to = ctx.params.day_of_year("to");
  const shoprules::MonthDay until = ctx.params.day_of_year("until");
  const shoprules::CivilDate placed = shoprules::civil_date(ev.order.placed_at);
  const int day = placed.month_day().key();
  // A season may run over New Year (from 12-15 to 01-05): it began the year before its January.
  const bool wraps = from.key() > to.key();
  const bool in_season =
      wraps ? day >= from.key() || day <= to.key() : day >= from.key() && day <= to.key();
  if (!in_season) return out.skip("the order was not placed in the holiday season");
  const std::int64_t season_year = wraps && day <= to.key() ? placed.year - 1 : placed.year;
  // Returnable through the whole of `until`, in the year after the season began.
  const shoprules::Timestamp deadline =
      shoprules::start_of_day(season_year + 1, until.month, until.day + 1);
  if (ev.at.seconds >= deadline.seconds)
    return out.skip("returned after the holiday return deadline");
  WindowState state = window_state(ctx, out);
  if (state.refused.empty()) return out.skip("no line is past its return window");
  std::vector<shoprules::ReturnLine> approved = state.approved;
  std::string skus;
  for (const auto& line : state.refused) {
    approved.push_back(line);
    skus += (skus.empty() ? "" : ", ") + std::string(line.sku);
  }
  const shoprules::CivilDate last =
      shoprules::civil_date(shoprules::Timestamp{deadline.seconds - 1, true});
  const std::string why = "Ordered on " + shoprules::format_date(placed) +
                          ", in the holiday season (" + shoprules::format_month_day(from) + " to " +
                          shoprules::format_month_day(to) + "): returnable until " +
                          shoprules::format_date(last);
  restate_window(ctx, out, state, approved, {}, why, why);
  out.note("approved by the holiday window: " + skus);
}

}  // namespace returns
