// A plugin whose text is markup: the console must show its description, reasons and params as
// text, never run them.
#include <shoprules/sdk.hpp>

#include <string>

namespace {

using shoprules::RuleContext;
using shoprules::RuleOutput;

constexpr const char* kMarkup = "<script>window.pwned=1</script>\"onmouseover=\"window.pwned=2\"";

void shout(const RuleContext& ctx, RuleOutput& out) {
  out.emit("points.award", std::string(kMarkup) + " for " + std::string(ctx.event.id))
      .set("points", ctx.params.integer("points"));
}

constexpr shoprules::ParamSpec kShout[] = {
    shoprules::int_param("points", 5, 0, 100, "<b>bold</b> \"onmouseover=\"window.pwned=3\""),
    shoprules::string_param("tone", "<i>", "<i>|\"onmouseover=", "<script>window.pwned=4</script>"),
};

constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("shout", "<script>window.pwned=1</script>\"onmouseover=\"window.pwned=2\"",
                    &shout, kShout),
};

}  // namespace

SHOPRULES_PLUGIN("hostile", "0.0.1", "test", "<script>window.pwned=5</script>", kRules);
