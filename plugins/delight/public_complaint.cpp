// delight.public_complaint: an unhappy customer online tells thousands. Answer every public
// complaint in public, thank the critic, and apologise fast when the shop was at fault.
#include "rules.hpp"

namespace delight {

void public_complaint(const RuleContext& ctx, RuleOutput& out) {
  const auto& ev = ctx.event;
  if (ev.kind != shoprules::EventType::ContactReceived)
    return out.skip("not a contact.received event");
  if (!ev.contact.is_public) return out.skip("not a public message");
  if (ev.contact.topic != shoprules::Topic::Complaint) return out.skip("not a complaint");
  out.emit("complaint.respond", "A public complaint: answer in public and thank the critic")
      .set("public", true)
      .set("thank", true)
      .set("within_minutes", ctx.params.integer("respond_minutes"));
  if (!ev.contact.our_fault) return;
  out.emit("apology.send", "The shop was at fault: apologise quickly")
      .set("channel", reply_channel(ev))
      .set("within_minutes", ctx.params.integer("apology_minutes"));
}

}  // namespace delight
