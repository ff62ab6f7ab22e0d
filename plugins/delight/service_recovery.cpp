// delight.service_recovery: every failed delivery is a customer to recover. The shop owns the
// carrier's mistake: a replacement at no charge, and when the fault made the customer miss the
// date they needed it by, a full refund and VIP as well.
#include <string>
#include <string_view>
#include <utility>

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

std::int64_t transit_days(std::string_view shipping) {
  return shipping == "overnight" ? 1 : shipping == "expedited" ? 2 : 5;
}

}  // namespace

void service_recovery(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ShipmentException)
    return out.skip("not a shipment.exception event");
  const std::string_view status = status_name(ev.shipment.status);
  if (status.empty()) return out.skip("the shipment was not lost, misdelivered or damaged");
  const std::string& shipping = ctx.params.string("shipping");
  shoprules::Value skus = shoprules::Value::list();
  skus.items().reserve(ev.order.lines.size());
  for (const auto& line : ev.order.lines) skus.push(line.sku);
  out.emit("replacement.ship")
      .because("The ", status, " order is replaced, shipped ", shipping, " at no charge")
      .set("skus", std::move(skus))
      .set("shipping", shipping)
      .set("charge", 0);

  if (!ev.shipment.carrier_fault || !ev.shipment.needed_by) return;
  // The replacement leaves now; if it cannot arrive by the date needed, the date is missed.
  const shoprules::Timestamp arrives{
      ev.at.seconds + transit_days(shipping) * shoprules::kSecondsPerDay, true};
  if (arrives.seconds <= ev.shipment.needed_by.seconds) return;
  constexpr std::string_view kWhy =
      "The carrier's mistake means the order misses the date it was needed";
  out.emit("refund.issue")
      .because(kWhy, ": full refund of ", shoprules::money(ev.order.subtotal, ev.order.currency))
      .set("amount", ev.order.subtotal)
      .set("method", "original")
      .set("bonus", 0)
      .set("fee", 0);
  out.emit("vip.grant")
      .because(kWhy, ": VIP with free expedited shipping")
      .set("customers", shoprules::Value::list().push(ev.customer.id))
      .set("benefits", shoprules::Value::list().push("free_expedited_shipping"));
}

}  // namespace delight
