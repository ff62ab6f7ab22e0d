// Helpers the returns rules share for return lines and what they are worth.
#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "rules.hpp"

namespace returns {

shoprules::Value lines_value(const std::vector<shoprules::ReturnLine>& lines) {
  shoprules::Value out = shoprules::Value::list();
  out.items().reserve(lines.size());
  for (const auto& line : lines) {
    shoprules::Value item = shoprules::Value::object();
    item.set("sku", line.sku).set("qty", line.qty);
    out.push(std::move(item));  // moved, not copied: `set` hands back a reference
  }
  return out;
}

const shoprules::Action* approved(const RuleContext& ctx, RuleOutput& out) {
  if (ctx.event.kind != shoprules::EventType::ReturnRequested) {
    out.skip("not a return.requested event");
    return nullptr;
  }
  const shoprules::Action* approve = out.seen("return.approve");
  if (!approve) out.skip("no approved return");
  return approve;
}

shoprules::Action* approval(const RuleContext& ctx, RuleOutput& out) {
  return approved(ctx, out) ? out.find("return.approve") : nullptr;
}

void describe_approval(shoprules::Action& approve) {
  static constexpr std::string_view kBase = ": approved";
  if (auto cut = approve.reason.find(kBase); cut != std::string::npos)
    approve.reason.resize(cut + kBase.size());
  const shoprules::Value* keep = approve.param("keep");
  const shoprules::Value* pickup = approve.param("pickup");
  const shoprules::Value* label = approve.param("label");
  if (keep && keep->as_bool())
    approve.append_reason("; keep the item, no need to send it back");
  else if (pickup && pickup->as_bool())
    approve.append_reason("; a courier collects it at no cost");
  else if (label && label->as_string() == "prepaid")
    approve.append_reason(", with a prepaid return label");
  else if (label && label->as_string() == "customer_paid")
    approve.append_reason("; return postage is the customer's");
}

bool held_back(const RuleOutput& out, shoprules::Text sku) {
  for (const auto& a : out.seen()) {
    if (!a.is_kept()) continue;
    if (shoprules::same_text(a.type, "exchange.ship")) {
      if (const auto* s = a.param("returned_sku"); s && s->as_string() == sku) return true;
      continue;
    }
    if (a.type != "return.deny" && a.type != "return.review") continue;
    const shoprules::Value* lines = a.param("lines");
    if (!lines) continue;
    for (const auto& line : lines->items())
      if (const auto* s = line.find("sku"); s && s->as_string() == sku) return true;
  }
  return false;
}

std::int64_t line_value(const shoprules::Order& order, shoprules::Text sku, std::int64_t qty) {
  const shoprules::OrderLine* bought = order.find_line(sku);
  return bought ? bought->price * std::min(qty, bought->qty) : 0;
}

shoprules::Value lines_without(const shoprules::Value& lines,
                               const std::vector<shoprules::Text>& skus) {
  shoprules::Value out = shoprules::Value::list();
  for (const auto& line : lines.items()) {
    const shoprules::Value* sku = line.find("sku");
    bool removed = false;
    for (shoprules::Text s : skus) removed = removed || (sku && sku->as_string() == s);
    if (!removed) out.push(line);
  }
  return out;
}

std::int64_t lines_worth(const shoprules::Order& order, const shoprules::Action& action) {
  std::int64_t worth = 0;
  if (const shoprules::Value* lines = action.param("lines"))
    for (const auto& line : lines->items()) {
      const shoprules::Value* sku = line.find("sku");
      const shoprules::Value* qty = line.find("qty");
      if (sku && qty) worth += line_value(order, sku->as_string(), qty->as_int());
    }
  return worth;
}

}  // namespace returns
