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
void category_window(const RuleContext& ctx, RuleOutput& out);
void holiday_window(const RuleContext& ctx, RuleOutput& out);
void instant_refund(const RuleContext& ctx, RuleOutput& out);
void exchange_first(const RuleContext& ctx, RuleOutput& out);

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

inline constexpr shoprules::ParamSpec kCategoryWindowParams[] = {
    shoprules::int_map_param("days", 0, 3650, 1000,
                             "Days after delivery a category's lines may be returned, by "
                             "category (e.g. {\"electronics\": 30}); other categories keep "
                             "the store's window"),
};

inline constexpr shoprules::ParamSpec kHolidayWindowParams[] = {
    shoprules::day_of_year_param("from", "11-01", "First day of the holiday season (MM-DD)"),
    shoprules::day_of_year_param("to", "12-31", "Last day of the holiday season (MM-DD)"),
    shoprules::day_of_year_param(
        "until", "01-31", "Holiday orders may be returned until this day of the next year (MM-DD)"),
};

inline constexpr shoprules::ParamSpec kInstantRefundParams[] = {
    shoprules::int_param("min_orders", 5, 0, 1000000, "Orders a customer needs to be trusted"),
    shoprules::number_param("max_return_rate", 0.2, 0.0, 100.0,
                            "Returns per order below which a customer is trusted"),
    shoprules::int_param("max_value", 10000, 0, 1000000000,
                         "Refunds up to this (minor units) are paid at approval"),
};

/// Return lines as an action param: [{"sku": ..., "qty": ...}, ...].
shoprules::Value lines_value(const std::vector<shoprules::ReturnLine>& lines);

/// The approval an earlier rule made for this return, or nullptr after skipping with the reason
/// (not a return, or nothing approved). The rules that amend an approval start with it.
shoprules::Action* approval(const RuleContext& ctx, RuleOutput& out);
/// The same, to read only: a rule that may still skip looks with this first, and takes the
/// approval to change (`approval`) only once it acts, which spares the host checking every
/// earlier action again.
const shoprules::Action* approved(const RuleContext& ctx, RuleOutput& out);

/// Rewrites an approval's reason after its base (up to ": approved") from its params, so that
/// however many rules amended the label, pickup or keep, the reason says what will happen.
void describe_approval(shoprules::Action& approve);

/// True when an earlier rule denied this sku, sent it to a person, or exchanged it (an exchanged
/// line is not refunded).
bool held_back(const RuleOutput& out, shoprules::Text sku);

/// What a returned line is worth at the price paid, never counting more items than were bought;
/// 0 when the sku is not on the order.
std::int64_t line_value(const shoprules::Order& order, shoprules::Text sku, std::int64_t qty);

/// The lines of an action's "lines" param without those whose sku is in `skus`.
shoprules::Value lines_without(const shoprules::Value& lines,
                               const std::vector<shoprules::Text>& skus);

/// Where each returned line stands after the window rules: approved, or refused for being past a
/// window (denied, or sent to a person for a VIP). Lines other rules refused are in neither.
struct WindowState {
  shoprules::Action* approve = nullptr;  ///< the kept return.approve, if any
  shoprules::Action* refusal = nullptr;  ///< the kept past_window deny or review, if any
  std::vector<shoprules::ReturnLine> approved, refused;
};

/// Reads the window decision so far: the approval, the past-window refusal and their lines.
WindowState window_state(const RuleContext& ctx, RuleOutput& out);

/// Re-states the window decision with lines moved between approval and refusal. Lines newly
/// approved get `approve_why` (before ": approved") and newly refused ones `refuse_why`; an
/// action left with no lines is dropped, a missing one is emitted.
void restate_window(const RuleContext& ctx, RuleOutput& out, WindowState& state,
                    const std::vector<shoprules::ReturnLine>& approved,
                    const std::vector<shoprules::ReturnLine>& refused,
                    const std::string& approve_why, const std::string& refuse_why);

/// The worth of the lines of an action's "lines" param.
std::int64_t lines_worth(const shoprules::Order& order, const shoprules::Action& action);

}  // namespace returns
