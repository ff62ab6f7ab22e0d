// The returns plugin's rules, their declared params, and helpers for return lines.
#pragma once

#include <shoprules/sdk.hpp>

namespace returns {

using shoprules::RuleContext;
using shoprules::RuleOutput;

void window(const RuleContext& ctx, RuleOutput& out);
void final_sale(const RuleContext& ctx, RuleOutput& out);
void free_return_shipping(const RuleContext& ctx, RuleOutput& out);
void serial_returner_guard(const RuleContext& ctx, RuleOutput& out);
void hardship_pickup(const RuleContext& ctx, RuleOutput& out);
void keep_item(const RuleContext& ctx, RuleOutput& out);
void refund(const RuleContext& ctx, RuleOutput& out);
void restocking_fee(const RuleContext& ctx, RuleOutput& out);
void store_credit_bonus(const RuleContext& ctx, RuleOutput& out);

inline constexpr shoprules::ParamSpec kWindowParams[] = {
    shoprules::int_param("days", 365, 0, 3650,
                         "Days after delivery within which a return is approved"),
};

inline constexpr shoprules::ParamSpec kSerialReturnerParams[] = {
    shoprules::number_param("rate", 0.4, 0.0, 100.0,
                            "Returns per order above which the guard applies"),
    shoprules::int_param("value", 50000, 0, 1000000000000,
                         "Returned value (minor units) above which the guard applies"),
};

inline constexpr shoprules::ParamSpec kKeepItemParams[] = {
    shoprules::int_param("max_value", 2500, 0, 1000000000,
                         "Returns worth at most this (minor units) are kept by the customer"),
};

inline constexpr shoprules::ParamSpec kRestockingFeeParams[] = {
    shoprules::int_param("percent", 15, 0, 100, "Share of a changed-mind line's price kept"),
};

inline constexpr shoprules::ParamSpec kStoreCreditBonusParams[] = {
    shoprules::int_param("percent", 10, 0, 100,
                         "Bonus on a refund taken as store credit, in percent"),
};

/// Return lines as an action param: [{"sku": ..., "qty": ...}, ...].
shoprules::Value lines_value(const std::vector<shoprules::ReturnLine>& lines);

/// The approval an earlier rule made for this return, or nullptr after skipping with the reason
/// (not a return, or nothing approved). The rules that amend an approval start with it.
shoprules::Action* approval(const RuleContext& ctx, RuleOutput& out);

/// Rewrites an approval's reason after its base (up to ": approved") from its params, so that
/// however many rules amended the label, pickup or keep, the reason says what will happen.
void describe_approval(shoprules::Action& approve);

/// True when an earlier rule denied this sku or sent it to a person.
bool held_back(RuleOutput& out, shoprules::Text sku);

/// What a returned line is worth at the price paid, never counting more items than were bought;
/// 0 when the sku is not on the order.
std::int64_t line_value(const shoprules::Order& order, shoprules::Text sku, std::int64_t qty);

/// The worth of the lines of an action's "lines" param.
std::int64_t lines_worth(const shoprules::Order& order, const shoprules::Action& action);

}  // namespace returns
