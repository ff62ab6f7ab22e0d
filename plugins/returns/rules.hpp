// The returns plugin's rules and their declared params.
#pragma once

#include <shoprules/sdk.hpp>

namespace returns {

using shoprules::RuleContext;
using shoprules::RuleOutput;

void window(const RuleContext& ctx, RuleOutput& out);
void free_return_shipping(const RuleContext& ctx, RuleOutput& out);
void refund(const RuleContext& ctx, RuleOutput& out);
void store_credit_bonus(const RuleContext& ctx, RuleOutput& out);

inline constexpr shoprules::ParamSpec kWindowParams[] = {
    shoprules::int_param("days", 365, 0, 3650,
                         "Days after delivery within which a return is approved"),
};

inline constexpr shoprules::ParamSpec kStoreCreditBonusParams[] = {
    shoprules::int_param("percent", 10, 0, 100,
                         "Bonus on a refund taken as store credit, in percent"),
};

/// The return's lines as an action param: [{"sku": ..., "qty": ...}, ...].
shoprules::Value lines_value(const shoprules::Return& ret);

}  // namespace returns
