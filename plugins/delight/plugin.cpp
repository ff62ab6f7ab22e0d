// The delight plugin: surprises, service recovery, sympathy and fast answers.
#include "rules.hpp"

namespace delight {
namespace {

using shoprules::rule;

constexpr shoprules::RuleSpec kRules[] = {
    rule("surprise_upgrade", "Standard shipping upgraded to overnight for a share of orders",
         &surprise_upgrade, kSurpriseParams)
        .on(shoprules::EventType::OrderPlaced),
    rule("service_recovery",
         "A lost, misdelivered or damaged order is replaced at no charge; refund and VIP too when "
         "the carrier's fault made it miss the date it was needed",
         &service_recovery, kRecoveryParams)
        .on(shoprules::EventType::ShipmentException),
    rule("late_apology", "A late shipment earns an apology and a coupon", &late_apology,
         kLateParams)
        .on(shoprules::EventType::ShipmentException),
    rule("sympathy",
         "Flowers after a bereavement or an illness; VIP for the household after an illness",
         &sympathy, kSympathyParams),
    rule("fast_reply", "A reply deadline for every written message, pre-sale first", &fast_reply,
         kFastReplyParams)
        .on(shoprules::EventType::ContactReceived),
    rule("refer_competitor", "Out of stock: find the item at a competitor", &refer_competitor,
         kReferParams)
        .on(shoprules::EventType::StockInquiry),
    rule("public_complaint",
         "Answer public complaints in public and thank the critic; apologise "
         "fast when at fault",
         &public_complaint, kComplaintParams)
        .on(shoprules::EventType::ContactReceived),
    // Review phase: it sees every goodwill action after merging, whichever plugin emitted it.
    rule("first_order_welcome",
         "A first order gets a thank-you card, and a coupon for the next one when it is big enough",
         &first_order_welcome, kWelcomeParams)
        .on(shoprules::EventType::OrderPlaced)
        .off(),
    rule("goodwill_cap", "Cap the goodwill a customer receives per 90 days", &goodwill_cap,
         kGoodwillParams)
        .review(),
};

}  // namespace

const char* reply_channel(const shoprules::Event& ev) {
  if (!ev.has_contact) return "email";
  switch (ev.contact.channel) {
    case shoprules::Channel::Phone:
      return "phone";
    case shoprules::Channel::Chat:
      return "chat";
    case shoprules::Channel::Social:
      return "social";
    default:
      return "email";
  }
}

}  // namespace delight

SHOPRULES_PLUGIN("delight", "1.0.0", "delight", "Surprises, service recovery and fast answers",
                 delight::kRules);
