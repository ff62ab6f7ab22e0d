// The delight plugin's rules and their declared params.
#pragma once

#include <shoprules/sdk.hpp>

namespace delight {

using shoprules::RuleContext;
using shoprules::RuleOutput;

void surprise_upgrade(const RuleContext& ctx, RuleOutput& out);
void service_recovery(const RuleContext& ctx, RuleOutput& out);
void late_apology(const RuleContext& ctx, RuleOutput& out);
void sympathy(const RuleContext& ctx, RuleOutput& out);
void fast_reply(const RuleContext& ctx, RuleOutput& out);
void refer_competitor(const RuleContext& ctx, RuleOutput& out);
void public_complaint(const RuleContext& ctx, RuleOutput& out);
void goodwill_cap(const RuleContext& ctx, RuleOutput& out);
void first_order_welcome(const RuleContext& ctx, RuleOutput& out);

inline constexpr shoprules::ParamSpec kWelcomeParams[] = {
    shoprules::int_param("min_subtotal", 5000, 0, 1000000000000,
                         "A first order of at least this (minor units) also earns a coupon"),
    shoprules::int_param("amount", 500, 0, 1000000,
                         "The coupon's value for the next order (minor units; 0: no coupon)"),
    shoprules::int_param("expires_in_days", 30, 1, 3650, "Days the coupon stays valid"),
};

inline constexpr shoprules::ParamSpec kSurpriseParams[] = {
    shoprules::number_param("rate", 0.1, 0.0, 1.0, "Share of standard-shipping orders upgraded"),
};

inline constexpr shoprules::ParamSpec kRecoveryParams[] = {
    shoprules::string_param("shipping", "overnight", "standard|expedited|overnight",
                            "How the replacement ships"),
};

inline constexpr shoprules::ParamSpec kLateParams[] = {
    shoprules::int_param("days", 2, 1, 365, "Days late that earn an apology and a coupon"),
    shoprules::int_param("coupon_amount", 500, 0, 1000000,
                         "Coupon value, in the order's minor units"),
    shoprules::int_param("expires_in_days", 90, 1, 3650, "Days the coupon stays valid"),
    shoprules::int_param("within_minutes", 60, 1, 10080, "How soon the apology goes out"),
};

inline constexpr shoprules::ParamSpec kSympathyParams[] = {
    shoprules::int_param("value", 5000, 0, 1000000,
                         "What the flowers cost (minor units), counted as goodwill"),
    shoprules::bool_param("vip_for_medical", true,
                          "Make the customer and household VIP after an illness"),
};

inline constexpr shoprules::ParamSpec kFastReplyParams[] = {
    shoprules::int_param("presale_minutes", 30, 1, 10080, "Reply time for pre-sale questions"),
    shoprules::int_param("support_minutes", 60, 1, 10080, "Reply time for support and complaints"),
};

inline constexpr shoprules::ParamSpec kReferParams[] = {
    shoprules::int_param("competitors", 3, 1, 20, "Competitors to check before referring"),
};

inline constexpr shoprules::ParamSpec kComplaintParams[] = {
    shoprules::int_param("respond_minutes", 60, 1, 10080, "How soon to answer in public"),
    shoprules::int_param("apology_minutes", 60, 1, 10080, "How soon to apologise when at fault"),
};

inline constexpr shoprules::ParamSpec kGoodwillParams[] = {
    shoprules::int_param("cap", 20000, 0, 1000000000,
                         "Goodwill per customer per 90 days (minor units)"),
};

/// Where the customer wrote from, for an apology: the contact's channel, or email.
const char* reply_channel(const shoprules::Event& ev);

}  // namespace delight
