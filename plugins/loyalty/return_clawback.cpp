// loyalty.return_clawback: points earned on what comes back are taken back, so returns can't farm
// points. Runs in the review phase, on the lines the returns rules approved.
#include <algorithm>
#include <string>

#include "rules.hpp"

namespace loyalty {
namespace {

/// An exchanged line is still bought (another size ships instead): its points stay.
bool exchanged(const RuleOutput& out, std::string_view sku) {
  for (const auto& a : out.seen())
    if (a.is_kept() && shoprules::same_text(a.type, "exchange.ship"))
      if (const auto* s = a.param("returned_sku"); s && s->as_string() == sku) return true;
  return false;
}

}  // namespace

void return_clawback(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  const shoprules::Action* approve = out.seen("return.approve");
  const shoprules::Value* lines = approve ? approve->param("lines") : nullptr;
  if (!lines) return out.skip("no approved return");
  std::int64_t value = 0;
  for (const auto& line : lines->items()) {
    const shoprules::Value* sku = line.find("sku");
    const shoprules::Value* qty = line.find("qty");
    const shoprules::OrderLine* bought = sku ? ev.order.find_line(sku->as_string()) : nullptr;
    if (!bought || !qty || exchanged(out, sku->as_string())) continue;
    value += bought->price * std::min(qty->as_int(), bought->qty);
  }
  const std::int64_t multiplier = ev.customer.vip ? ctx.params.integer("vip_multiplier") : 1;
  const std::int64_t points =
      points_for(value, ev.order.currency, ctx.params.integer("per_unit"), multiplier);
  if (points <= 0) return out.skip("the returned lines earned no points");
  out.emit("points.revoke")
      .because(points, " points earned on ", shoprules::money(value, ev.order.currency),
               " of returned items are taken back")
      .set("points", points);
}

}  // namespace loyalty
