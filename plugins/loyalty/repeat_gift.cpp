// loyalty.repeat_gift: every Nth order comes with a thank-you.
#include <string>
#include <utility>

#include "rules.hpp"

namespace loyalty {
namespace {

/// "st" for 1, "nd" for 2, "rd" for 3, "th" for 4 and for 11 to 13: what follows an ordinal.
const char* ordinal_suffix(std::int64_t n) {
  const std::int64_t tens = n % 100;
  return (tens >= 11 && tens <= 13) ? "th"
         : n % 10 == 1              ? "st"
         : n % 10 == 2              ? "nd"
         : n % 10 == 3              ? "rd"
                                    : "th";
}

}  // namespace

void repeat_gift(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  // `orders` counts the customer's earlier orders; this one is the next.
  const std::int64_t nth = ev.customer.orders + 1;
  if (nth % ctx.params.integer("every") != 0) return out.skip("not a gift order");
  std::string message = shoprules::cat("Thank you for your ", nth, ordinal_suffix(nth), " order");
  shoprules::Action& gift = out.emit("gift.send");
  gift.because(message, ": a ", ctx.params.string("kind"), " goes with it");
  gift.set("kind", ctx.params.string("kind"))
      .set("message", std::move(message))
      .set("value", ctx.params.integer("value"));
}

}  // namespace loyalty
