// The returns plugin: which returns are accepted, how they ship back, and how they are refunded.
#include "rules.hpp"

namespace returns {
namespace {

using shoprules::rule;

// Declaration order is run order: the rules after the window amend what it decided (which lines,
// which label, pickup or keep); then the refund is computed, and adjusted by the last three.
constexpr shoprules::RuleSpec kRules[] = {
    rule("window",
         "Approve returns within N days of delivery; deny after, or ask a person for a VIP",
         &window, kWindowParams)
        .on(shoprules::EventType::ReturnRequested),
    rule("category_window",
         "A category's own return window replaces the store's for its lines; a return with lines "
         "on both sides is split",
         &category_window, kCategoryWindowParams)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
    rule("holiday_window",
         "Orders placed in the holiday season may be returned until a day of the next year",
         &holiday_window, kHolidayWindowParams)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
    rule("final_sale", "Deny the final-sale lines of a return", &final_sale)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
    rule("free_return_shipping", "Approved returns ship back on a prepaid label",
         &free_return_shipping)
        .on(shoprules::EventType::ReturnRequested),
    rule("serial_returner_guard",
         "Frequent returners pay their own return postage (the return is still accepted)",
         &serial_returner_guard, kSerialReturnerParams)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
    rule("hardship_pickup", "Bereavement or illness: a courier collects the return at no cost",
         &hardship_pickup)
        .on(shoprules::EventType::ReturnRequested),
    rule("keep_item", "Small returns are refunded without sending the item back", &keep_item,
         kKeepItemParams)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
    rule("exchange_first",
         "A line to be exchanged ships the new item first, at no charge, and is not refunded",
         &exchange_first)
        .on(shoprules::EventType::ReturnRequested),
    rule("refund",
         "Refund the returned lines that were not denied, to the method the customer chose",
         &refund)
        .on(shoprules::EventType::ReturnRequested),
    rule("restocking_fee", "Keep a share of lines returned because the customer changed their mind",
         &restocking_fee, kRestockingFeeParams)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
    rule("store_credit_bonus", "A refund taken as store credit earns a bonus", &store_credit_bonus,
         kStoreCreditBonusParams)
        .on(shoprules::EventType::ReturnRequested),
    rule("instant_refund",
         "A trusted customer's small refund is paid at approval, before the item arrives",
         &instant_refund, kInstantRefundParams)
        .on(shoprules::EventType::ReturnRequested)
        .off(),
};

}  // namespace
}  // namespace returns

SHOPRULES_PLUGIN("returns", "1.0.0", "returns", "Return policy: window, label, pickup, refund",
                 returns::kRules);
