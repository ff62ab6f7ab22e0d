// loyalty.category_multiplier: some categories earn more points (shoes x2) and some none (gift
// cards x0). Amends the award of loyalty.points, so the VIP multiplier and per_unit still apply.
#include <cmath>
#include <stdexcept>
#include <string>

#include "rules.hpp"

namespace loyalty {
namespace {

std::string multiplier_text(double m) {
  std::string s = std::to_string(m);
  s.erase(s.find_last_not_of('0') + 1);
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

void category_multiplier(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  const shoprules::ParamMap& multipliers = ctx.params.map("multipliers");
  if (multipliers.empty()) return out.skip("no category has a multiplier");
  shoprules::Action* award = out.find("points.award");
  if (!award) return out.skip("no points awarded to multiply");
  // What the order is worth with each line at its category's multiplier, in minor units.
  double weighted = 0;
  std::string named;
  for (const auto& line : ev.order.lines) {
    const shoprules::MapEntry* m = multipliers.find(line.category);
    const double value = static_cast<double>(line.price) * static_cast<double>(line.qty);
    weighted += m ? value * m->d : value;
    if (m && named.find(" " + m->key + " x") == std::string::npos)
      named += " " + m->key + " x" + multiplier_text(m->d) + ",";
  }
  if (named.empty()) return out.skip("no line is in a category with a multiplier");
  named.pop_back();
  if (!(weighted < 9.0e18)) throw std::overflow_error("points for this order overflow");
  const bool whole = shoprules::zero_decimal_currency(ev.order.currency);
  const std::int64_t units = whole ? ev.order.subtotal : ev.order.subtotal / 100;
  const auto weighted_minor = static_cast<std::int64_t>(std::floor(weighted));
  const std::int64_t weighted_units = whole ? weighted_minor : weighted_minor / 100;
  const std::int64_t before = award->int_param("points");
  // loyalty.points gave `before` for `units`: the same rate (per_unit x VIP) on the weighted units.
  const auto after =
      units > 0 ? static_cast<std::int64_t>(static_cast<__int128>(before) * weighted_units / units)
                : before;
  if (after == before) return out.skip("the multipliers do not change the points");
  const std::string what = "points.award " + std::to_string(before) + " -> " +
                           std::to_string(after) + " by category multiplier (" + named.substr(1) +
                           ")";
  if (after <= 0) {
    out.drop(*award,
             "no points: every line is in a category that earns none (" + named.substr(1) + ")");
    out.note(what);
    return;
  }
  award->set("points", after);
  award->append_reason(" (", after, " with category multipliers:", named, ")");
  out.note(what);
}

}  // namespace loyalty
