// loyalty.repeat_gift: every Nth order comes with a thank-you.
#include <string>

#include "rules.hpp"

namespace loyalty {
namespace {

std::string ordinal(std::int64_t n) {
  const std::int64_t tens = n % 100;
  const char* suffix = (tens >= 11 && tens <= 13) ? "th"
                       : n % 10 == 1              ? "st"
                       : n % 10 == 2              ? "nd"
                       : n % 10 == 3              ? "rd"
                                                  : "th";
  return std::to_string(n) + suffix;
}

}  // namespace

void repeat_gift(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::OrderPlaced) return out.skip("not an order.placed event");
  // `orders` counts the customer's earlier orders; this one is the next.
  const std::int64_t nth = ev.customer.orders + 1;
  if (nth % ctx.params.integer("every") != 0) return out.skip("not a gift order");
  const std::string message = "Thank you for your " + ordinal(nth) + " order";
  out.emit("gift.send")
      .because(message, ": a ", ctx.params.string("kind"), " goes with it")
      .set("kind", ctx.params.string("kind"))
      .set("message", message)
      .set("value", ctx.params.integer("value"));
}

}  // namespace loyalty
