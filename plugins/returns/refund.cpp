// returns.refund: refund what comes back, at the price paid, unless a rule denied or held a line.
#include <string>

#include "rules.hpp"

namespace returns {
namespace {

bool held_back(RuleOutput& out, shoprules::Text sku) {
  for (const auto& a : out.actions()) {
    if (!a.is_kept() || (a.type != "return.deny" && a.type != "return.review")) continue;
    const shoprules::Value* lines = a.param("lines");
    if (!lines) continue;
    for (const auto& line : lines->items())
      if (const auto* s = line.find("sku"); s && s->as_string() == sku) return true;
  }
  return false;
}

}  // namespace

void refund(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  std::int64_t amount = 0;
  std::string unknown;
  for (const auto& line : ev.ret.lines) {
    if (held_back(out, line.sku)) continue;
    const shoprules::OrderLine* bought = ev.order.find_line(line.sku);
    if (!bought) {
      unknown += (unknown.empty() ? "" : ", ") + std::string(line.sku);
      continue;
    }
    // Never refund more items than were bought.
    amount += bought->price * (line.qty < bought->qty ? line.qty : bought->qty);
  }
  if (amount == 0 && unknown.empty()) return out.skip("no returned line is due a refund");
  if (amount == 0) return out.skip("no returned line is on the order");
  const bool credit = ev.ret.refund_to == shoprules::RefundTo::StoreCredit;
  std::string reason = "Refund of " + shoprules::format_money(amount, ev.order.currency) +
                       (credit ? " as store credit" : " to the original payment method");
  if (!unknown.empty()) reason += " (not on the order, not refunded: " + unknown + ")";
  out.emit("refund.issue", std::move(reason))
      .set("amount", amount)
      .set("method", credit ? "store_credit" : "original")
      .set("bonus", 0)
      .set("fee", 0);
}

}  // namespace returns
