// The window decision of a return, line by line, for the rules that give lines windows of their
// own (category_window, holiday_window) and so move lines between approval and refusal.
#include <string>

#include "rules.hpp"

namespace returns {
namespace {

bool lists_sku(const shoprules::Action* a, shoprules::Text sku) {
  const shoprules::Value* lines = a ? a->param("lines") : nullptr;
  if (!lines) return false;
  for (const auto& line : lines->items())
    if (const auto* s = line.find("sku"); s && s->as_string() == sku) return true;
  return false;
}

}  // namespace

WindowState window_state(const RuleContext& ctx, RuleOutput& out) {
  WindowState state;
  state.approve = out.find("return.approve");
  for (auto& a : out.actions()) {
    if (!a.is_kept() || (a.type != "return.deny" && a.type != "return.review")) continue;
    const shoprules::Value* reason = a.param("reason");
    if (reason && reason->as_string() == "past_window") {
      state.refusal = &a;
      break;
    }
  }
  for (const auto& line : ctx.event.ret.lines) {
    if (lists_sku(state.approve, line.sku))
      state.approved.push_back(line);
    else if (lists_sku(state.refusal, line.sku))
      state.refused.push_back(line);
  }
  return state;
}

void restate_window(const RuleContext& ctx, RuleOutput& out, WindowState& state,
                    const std::vector<shoprules::ReturnLine>& approved,
                    const std::vector<shoprules::ReturnLine>& refused,
                    const std::string& approve_why, const std::string& refuse_why) {
  const auto& ev = ctx.event;
  // Emitting may grow the action list, so both actions are found again by position.
  const auto& actions = out.actions();
  const std::size_t approve_at =
      state.approve ? static_cast<std::size_t>(state.approve - actions.data()) : SIZE_MAX;
  const std::size_t refusal_at =
      state.refusal ? static_cast<std::size_t>(state.refusal - actions.data()) : SIZE_MAX;
  const bool more_approved = approved.size() > state.approved.size();
  const bool more_refused = refused.size() > state.refused.size();

  if (approved.empty() && approve_at != SIZE_MAX) {
    out.drop(out.actions()[approve_at], refuse_why);
  } else if (!approved.empty() && approve_at != SIZE_MAX) {
    shoprules::Action& a = out.actions()[approve_at];
    a.set("lines", lines_value(approved));
    if (more_approved) {
      static constexpr std::string_view kBase = ": approved";
      if (auto cut = a.reason.find(kBase); cut != std::string::npos) a.reason.resize(cut);
      a.reason += "; " + approve_why + std::string(kBase);
      describe_approval(a);
    }
  } else if (!approved.empty()) {
    auto& a = out.emit("return.approve", approve_why + ": approved")
                  .set("lines", lines_value(approved))
                  .set("label", "customer_paid")
                  .set("pickup", false)
                  .set("keep", false);
    describe_approval(a);
  }

  if (refused.empty() && refusal_at != SIZE_MAX) {
    out.drop(out.actions()[refusal_at], approve_why);
  } else if (!refused.empty() && refusal_at != SIZE_MAX) {
    shoprules::Action& r = out.actions()[refusal_at];
    r.set("lines", lines_value(refused));
    if (more_refused) r.reason += "; " + refuse_why;
  } else if (!refused.empty()) {
    const bool vip = ev.customer.vip;
    out.emit(vip ? "return.review" : "return.deny",
             vip ? refuse_why + "; a VIP's late return goes to a person" : refuse_why)
        .set("lines", lines_value(refused))
        .set("reason", "past_window");
  }
  state = window_state(ctx, out);
}

}  // namespace returns
