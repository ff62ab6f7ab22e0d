// The loyalty plugin's rules and their declared params.
#pragma once

#include <shoprules/sdk.hpp>

namespace loyalty {

using shoprules::RuleContext;
using shoprules::RuleOutput;

void points(const RuleContext& ctx, RuleOutput& out);
void tiers(const RuleContext& ctx, RuleOutput& out);
void big_order_coupon(const RuleContext& ctx, RuleOutput& out);
void repeat_gift(const RuleContext& ctx, RuleOutput& out);
void vip_shipping(const RuleContext& ctx, RuleOutput& out);
void return_clawback(const RuleContext& ctx, RuleOutput& out);
void pending_points(const RuleContext& ctx, RuleOutput& out);
void points_expiry(const RuleContext& ctx, RuleOutput& out);
void tier_terms(const RuleContext& ctx, RuleOutput& out);
void category_multiplier(const RuleContext& ctx, RuleOutput& out);

inline constexpr shoprules::ParamSpec kPointsParams[] = {
    shoprules::int_param("per_unit", 1, 0, 1000, "Points per whole currency unit of the subtotal"),
    shoprules::int_param("vip_multiplier", 2, 1, 10, "Multiplier for VIP customers"),
};

inline constexpr shoprules::ParamSpec kTierParams[] = {
    shoprules::int_param("silver", 50000, 0, 1000000000000,
                         "Lifetime spend (minor units) for silver"),
    shoprules::int_param("gold", 150000, 0, 1000000000000, "Lifetime spend (minor units) for gold"),
};

inline constexpr shoprules::ParamSpec kBigOrderParams[] = {
    shoprules::int_param("threshold", 20000, 0, 1000000000000,
                         "Subtotal (minor units) that earns the coupon"),
    shoprules::int_param("percent", 10, 1, 100, "Coupon value in percent"),
    shoprules::int_param("expires_in_days", 60, 1, 3650, "Days the coupon stays valid"),
};

inline constexpr shoprules::ParamSpec kRepeatGiftParams[] = {
    shoprules::int_param("every", 10, 1, 1000, "Every Nth order earns a gift"),
    shoprules::string_param("kind", "card", nullptr, "What to send"),
    shoprules::int_param("value", 0, 0, 1000000,
                         "What the gift costs (minor units), counted as goodwill"),
};

// Keep these equal to loyalty.points' so a return takes back exactly what the order earned.
inline constexpr shoprules::ParamSpec kClawbackParams[] = {
    shoprules::int_param("per_unit", 1, 0, 1000,
                         "Points per whole currency unit, as loyalty.points"),
    shoprules::int_param("vip_multiplier", 2, 1, 10, "VIP multiplier, as loyalty.points"),
};

inline constexpr shoprules::ParamSpec kPendingPointsParams[] = {
    shoprules::int_param("days", 30, 0, 3650,
                         "Days an order's points stay pending (the return window)"),
};

inline constexpr shoprules::ParamSpec kPointsExpiryParams[] = {
    shoprules::int_param("days", 365, 1, 3650,
                         "Days without an order after which the points balance expires"),
};

// Keep these equal to loyalty.tiers' so both rules mean the same tiers.
inline constexpr shoprules::ParamSpec kTierTermsParams[] = {
    shoprules::int_param("silver", 50000, 0, 1000000000000,
                         "Spend over the last 12 months (minor units) for silver"),
    shoprules::int_param("gold", 150000, 0, 1000000000000,
                         "Spend over the last 12 months (minor units) for gold"),
};

inline constexpr shoprules::ParamSpec kCategoryMultiplierParams[] = {
    shoprules::number_map_param("multipliers", 0.0, 100.0, 1000,
                                "Points multiplier by category (e.g. {\"shoes\": 2, "
                                "\"gift_cards\": 0}); categories not named earn x1"),
};

/// A tier's rank (member 0, silver 1, gold 2), or -1 for a tier these rules do not manage.
int tier_rank(std::string_view tier);

/// Points for `amount` minor units: per whole currency unit, times the VIP multiplier.
std::int64_t points_for(std::int64_t amount, std::string_view currency, std::int64_t per_unit,
                        std::int64_t multiplier);

}  // namespace loyalty
