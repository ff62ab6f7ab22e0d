// One of two plugins that claim the same name.
#include <shoprules/sdk.hpp>

namespace {
void noop(const shoprules::RuleContext&, shoprules::RuleOutput& out) {
  out.skip("nothing");
}
constexpr shoprules::RuleSpec kRules[] = {shoprules::rule("noop", "Does nothing", &noop)};
}  // namespace

SHOPRULES_PLUGIN("twin", "1.0.0", "test", "First twin", kRules);
