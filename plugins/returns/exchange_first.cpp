// returns.exchange_first: a customer who wants another size gets it shipped now, before the first
// pair is back; the exchanged line is not refunded.
#include <algorithm>

#include "rules.hpp"

namespace returns {

void exchange_first(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  bool any = false;
  for (const auto& line : ev.ret.lines) any = any || line.exchange_for;
  if (!any) return out.skip("no line asks for an exchange");
  const shoprules::Action* approve = out.seen("return.approve");
  if (!approve) return out.skip("no approved return to exchange");
  int shipped = 0;
  for (const auto& line : ev.ret.lines) {
    if (!line.exchange_for || held_back(out, line.sku)) continue;
    const shoprules::OrderLine* bought = ev.order.find_line(line.sku);
    if (!bought) continue;  // the reader refuses this; a host without it must not crash
    const shoprules::ExchangeFor& x = line.exchange_for;
    out.emit("exchange.ship")
        .because("Exchange for ", x.sku, x.size.empty() ? "" : " in size ", x.size,
                 ": it ships now by standard shipping at no charge, and the returned ", line.sku,
                 " is not refunded")
        .set("sku", x.sku)
        .set("size", x.size)
        .set("qty", std::min(line.qty, bought->qty))
        .set("shipping", "standard")
        .set("charge", std::int64_t{0})
        .set("returned_sku", line.sku);
    ++shipped;
  }
  if (shipped == 0) return out.skip("no approved line asks for an exchange");
}

}  // namespace returns
