// returns.final_sale: lines sold as final sale are not taken back; the rest of the return stands.
#include <string>

#include "rules.hpp"

namespace returns {

void final_sale(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ReturnRequested)
    return out.skip("not a return.requested event");
  std::vector<shoprules::ReturnLine> denied, kept;
  for (const auto& line : ev.ret.lines) {
    const shoprules::OrderLine* bought = ev.order.find_line(line.sku);
    (bought && bought->final_sale ? denied : kept).push_back(line);
  }
  if (denied.empty()) return out.skip("no final-sale line in the return");
  std::string skus;
  for (const auto& line : denied) skus += (skus.empty() ? "" : ", ") + std::string(line.sku);
  if (shoprules::Action* approve = out.find("return.approve")) {
    // From the approval's own lines: a window rule may have refused some already.
    std::vector<shoprules::Text> skus_denied;
    for (const auto& line : denied) skus_denied.push_back(line.sku);
    const shoprules::Value* approved = approve->param("lines");
    shoprules::Value rest = approved ? lines_without(*approved, skus_denied) : lines_value(kept);
    if (rest.items().empty())
      out.drop(*approve, "every line is final sale");
    else
      approve->set("lines", std::move(rest));
  }
  out.emit("return.deny", "Final sale, not returnable: " + skus)
      .set("lines", lines_value(denied))
      .set("reason", "final_sale");
}

}  // namespace returns
