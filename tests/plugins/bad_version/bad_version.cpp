// A plugin from a future SDK whose descriptor layout this host does not know.
#include <shoprules/sdk.hpp>

namespace bad_version {
const shoprules_plugin_header descriptor = {shoprules::kPluginMagic, 99, SHOPRULES_ABI_KEY};
}
BOOST_DLL_ALIAS(bad_version::descriptor, shoprules_plugin_v1)
