// delight.refer_competitor: when we can't sell it, help the customer buy it elsewhere.
#include "rules.hpp"

namespace delight {

void refer_competitor(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::StockInquiry) return out.skip("not a stock.inquiry event");
  if (ev.inquiry.in_stock) return out.skip("the item is in stock");
  const std::int64_t n = ctx.params.integer("competitors");
  const bool sized = !ev.inquiry.size.empty();
  out.emit("referral.competitor")
      .because(ev.inquiry.sku, sized ? " in size " : "", ev.inquiry.size,
               " is out of stock: check ", n,
               " competitors and send the customer to one that has it")
      .set("sku", ev.inquiry.sku)
      .set("size", ev.inquiry.size)
      .set("competitors_to_check", n);
}

}  // namespace delight
