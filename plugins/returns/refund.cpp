// returns.refund: refund what comes back, at the price paid, unless a rule denied or held a line.
#include <string>

#include "rules.hpp"

namespace returns {

void refund(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  std::int64_t amount = 0;
  std::string unknown;
  for (const auto& line : ev.ret.lines) {
    if (held_back(out, line.sku)) continue;
    if (!ev.order.find_line(line.sku)) {
      unknown += (unknown.empty() ? "" : ", ") + std::string(line.sku);
      continue;
    }
    amount += line_value(ev.order, line.sku, line.qty);
  }
  if (amount == 0 && unknown.empty()) return out.skip("no returned line is due a refund");
  if (amount == 0) return out.skip("no returned line is on the order");
  const bool credit = ev.ret.refund_to == shoprules::RefundTo::StoreCredit;
  shoprules::Action& a =
      out.emit("refund.issue")
          .because("Refund of ", shoprules::money(amount, ev.order.currency),
                   credit ? " as store credit" : " to the original payment method");
  if (!unknown.empty()) a.append_reason(" (not on the order, not refunded: ", unknown, ")");
  a.set("amount", amount)
      .set("method", credit ? "store_credit" : "original")
      .set("bonus", 0)
      .set("fee", 0);
}

}  // namespace returns
