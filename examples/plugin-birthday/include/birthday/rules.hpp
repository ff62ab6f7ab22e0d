// The birthday plugin's rules: declared here so the plugin and its tests share one table.
#pragma once

#include <shoprules/sdk.hpp>

namespace birthday {

void birthday_coupon(const shoprules::RuleContext& ctx, shoprules::RuleOutput& out);

inline constexpr shoprules::ParamSpec kCouponParams[] = {
    shoprules::int_param("percent", 15, 1, 50, "Coupon value in percent"),
    shoprules::int_param("expires_in_days", 30, 1, 365, "Days the coupon stays valid"),
    shoprules::string_param("tag", "birthday", nullptr,
                            "Customer tag the storefront sets in a customer's birthday week"),
};

inline constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("birthday_coupon",
                    "A coupon with the first order of a customer's birthday week", &birthday_coupon,
                    kCouponParams)
        .on(shoprules::EventType::OrderPlaced),  // other events skip it without a call
};

}  // namespace birthday
