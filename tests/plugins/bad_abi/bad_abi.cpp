// A plugin as a different compiler would build it: same layout, another ABI key. Its rule aborts,
// so a host that ran any of its code before checking the key would die.
#include <shoprules/sdk.hpp>

#include <cstdlib>

namespace {

void never(const shoprules::RuleContext&, shoprules::RuleOutput&) {
  std::abort();
}

constexpr shoprules::RuleSpec kRules[] = {shoprules::rule("never", "Must never run", &never)};

shoprules::RuleStatus never_run(const shoprules::RuleSpec&, const shoprules::RuleContext&,
                                shoprules::RuleOutput&, std::string&) noexcept {
  std::abort();
}

}  // namespace

namespace bad_abi {
const shoprules::PluginDescriptor descriptor = {
    {shoprules::kPluginMagic, shoprules::kDescriptorVersion,
     "shoprules-abi=1;gcc-4.8;libstdc++-4;cxx11abi=0;std=201103L"},
    "bad_abi",
    "0.0.1",
    "test",
    "Built with another compiler",
    kRules,
    1,
    &never_run};
}
BOOST_DLL_ALIAS(bad_abi::descriptor, shoprules_plugin_v1)
