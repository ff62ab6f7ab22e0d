// delight.fast_reply: every written message gets a deadline in minutes; pre-sale questions first,
// since buying decisions cool off. Phone calls are answered live and never rushed.
#include <string>

#include "rules.hpp"

namespace delight {

void fast_reply(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ContactReceived)
    return out.skip("not a contact.received event");
  if (ev.contact.channel == shoprules::Channel::Phone)
    return out.skip("phone calls are answered live and never rushed");
  const bool presale = ev.contact.topic == shoprules::Topic::Presale;
  const std::int64_t minutes = ctx.params.integer(presale ? "presale_minutes" : "support_minutes");
  out.emit("reply.due")
      .because(presale ? "A pre-sale question" : "A message", " from ", reply_channel(ev),
               ": reply within ", minutes, " minutes")
      .set("within_minutes", minutes)
      .set("priority", presale ? "high" : "normal");
}

}  // namespace delight
