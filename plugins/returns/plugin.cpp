// The returns plugin: which returns are accepted, how they ship back, and how they are refunded.
#include "rules.hpp"

namespace returns {
namespace {

using shoprules::rule;

// Declaration order is run order: later rules amend what the window rule decided.
constexpr shoprules::RuleSpec kRules[] = {
    rule("window",
         "Approve returns within N days of delivery; deny after, or ask a person for a VIP",
         &window, kWindowParams),
    rule("free_return_shipping", "Approved returns ship back on a prepaid label",
         &free_return_shipping),
    rule("refund",
         "Refund the returned lines that were not denied, to the method the customer chose",
         &refund),
    rule("store_credit_bonus", "A refund taken as store credit earns a bonus", &store_credit_bonus,
         kStoreCreditBonusParams),
};

}  // namespace

shoprules::Value lines_value(const shoprules::Return& ret) {
  shoprules::Value lines = shoprules::Value::list();
  for (const auto& line : ret.lines)
    lines.push(shoprules::Value::object().set("sku", line.sku).set("qty", line.qty));
  return lines;
}

}  // namespace returns

SHOPRULES_PLUGIN("returns", "1.0.0", "returns", "Return policy: window, label, refund",
                 returns::kRules);
