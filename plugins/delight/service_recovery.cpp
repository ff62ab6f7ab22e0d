// delight.service_recovery: every failed delivery is a customer to recover. The shop owns the
// carrier's mistake: a replacement at no charge, and when the fault made the customer miss the
// date they needed it by, a full refund and VIP as well.
#include <string>

#include "rules.hpp"

namespace delight {
namespace {

const char* status_name(shoprules::ShipmentStatus s) {
  switch (s) {
    case shoprules::ShipmentStatus::Lost:
      return "lost";
    case shoprules::ShipmentStatus::Damaged:
      return "damaged";
    case shoprules::ShipmentStatus::Misdelivered:
      return "misdelivered";
    default:
      return "";
  }
}

std::int64_t transit_days(const std::string& shipping) {
  return shipping == "overnight" ? 1 : shipping == "expedited" ? 2 : 5;
}

}  // namespace

void service_recovery(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ShipmentException)
    return out.skip("not a shipment.exception event");
  const std::string status = status_name(ev.shipment.status);
  if (status.empty()) return out.skip("the shipment was not lost, misdelivered or damaged");
  const std::string& shipping = ctx.params.string("shipping");
  std::vector<shoprules::Text> skus;
  for (const auto& line : ev.order.lines) skus.push_back(line.sku);
  out.emit("replacement.ship",
           "The " + status + " order is replaced, shipped " + shipping + " at no charge")
      .set("skus", shoprules::Value::strings(skus))
      .set("shipping", shipping)
      .set("charge", 0);

  if (!ev.shipment.carrier_fault || !ev.shipment.needed_by) return;
  // The replacement leaves now; if it cannot arrive by the date needed, the date is missed.
  const shoprules::Timestamp arrives{
      ev.at.seconds + transit_days(shipping) * shoprules::kSecondsPerDay, true};
  if (arrives.seconds <= ev.shipment.needed_by.seconds) return;
  const std::string why = "The carrier's mistake means the order misses the date it was needed";
  out.emit("refund.issue", why + ": full refund of " +
                               shoprules::format_money(ev.order.subtotal, ev.order.currency))
      .set("amount", ev.order.subtotal)
      .set("method", "original")
      .set("bonus", 0)
      .set("fee", 0);
  out.emit("vip.grant", why + ": VIP with free expedited shipping")
      .set("customers", shoprules::Value::list().push(ev.customer.id))
      .set("benefits", shoprules::Value::list().push("free_expedited_shipping"));
}

}  // namespace delight
