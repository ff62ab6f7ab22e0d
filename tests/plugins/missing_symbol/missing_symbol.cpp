// A plugin that needs a function no library provides, so it cannot be loaded with RTLD_NOW.
#include <shoprules/sdk.hpp>

extern "C" int shoprules_test_symbol_nobody_defines(int);

namespace {
void uses_missing(const shoprules::RuleContext&, shoprules::RuleOutput& out) {
  if (shoprules_test_symbol_nobody_defines(1) > 0) out.skip("unreachable");
}
constexpr shoprules::RuleSpec kRules[] = {
    shoprules::rule("uses_missing", "Calls a missing function", &uses_missing)};
}  // namespace

SHOPRULES_PLUGIN("missing_symbol", "0.0.1", "test", "Needs a missing symbol", kRules);
