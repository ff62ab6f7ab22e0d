// The loyalty plugin: points, tiers, coupons and gifts that reward coming back.
#include <stdexcept>

#include "rules.hpp"

namespace loyalty {
namespace {

using shoprules::rule;

constexpr shoprules::RuleSpec kRules[] = {
    rule("points", "Points per whole currency unit of the subtotal; VIPs earn more", &points,
         kPointsParams)
        .on(shoprules::EventType::OrderPlaced),
    // Amends loyalty.points' award, so it runs right after it.
    rule("category_multiplier",
         "Points per category: named categories earn at their multiplier, others x1",
         &category_multiplier, kCategoryMultiplierParams)
        .on(shoprules::EventType::OrderPlaced)
        .off(),
    rule("tiers", "Move a customer up a tier when an order takes lifetime spend over its threshold",
         &tiers, kTierParams)
        .on(shoprules::EventType::OrderPlaced),
    rule("tier_terms",
         "Tiers count the last 12 months' spend; a customer below their tier drops one tier per "
         "event",
         &tier_terms, kTierTermsParams)
        .off(),
    rule("points_expiry", "A customer with no order for a year has the points balance expire",
         &points_expiry, kPointsExpiryParams),
    rule("big_order_coupon", "A percentage coupon for orders at or above a subtotal",
         &big_order_coupon, kBigOrderParams)
        .on(shoprules::EventType::OrderPlaced),
    rule("repeat_gift", "A gift on every Nth order", &repeat_gift, kRepeatGiftParams)
        .on(shoprules::EventType::OrderPlaced),
    rule("vip_shipping", "A VIP's standard shipping becomes expedited", &vip_shipping)
        .on(shoprules::EventType::OrderPlaced),
    // Review phase: it takes back points only for lines the returns rules approved.
    rule("return_clawback", "Take back the points earned on returned lines", &return_clawback,
         kClawbackParams)
        .on(shoprules::EventType::ReturnRequested)
        .review(),
    // Review phase: it marks the award the points rules settled on, after merging.
    rule("pending_points",
         "An order's points stay pending for the return window before they can be spent",
         &pending_points, kPendingPointsParams)
        .on(shoprules::EventType::OrderPlaced)
        .review()
        .off(),
};

}  // namespace

std::int64_t points_for(std::int64_t amount, std::string_view currency, std::int64_t per_unit,
                        std::int64_t multiplier) {
  const std::int64_t units = shoprules::zero_decimal_currency(currency) ? amount : amount / 100;
  std::int64_t points;
  if (__builtin_mul_overflow(units, per_unit, &points) ||
      __builtin_mul_overflow(points, multiplier, &points))
    throw std::overflow_error("points for this amount overflow");
  return points;
}

}  // namespace loyalty

SHOPRULES_PLUGIN("loyalty", "1.0.0", "loyalty", "Points, tiers, coupons and gifts",
                 loyalty::kRules);
