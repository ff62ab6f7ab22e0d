// Fuzzes config parsing and validation: any text must become a snapshot or a ConfigError.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "shoprules/host/config.hpp"
#include "shoprules/host/errors.hpp"

namespace {

const std::vector<shoprules::host::PluginPtr>& plugins() {
  static const auto loaded = shoprules::host::load_plugin_dirs({SHOPRULES_BUILD_PLUGIN_DIR});
  return loaded;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace shoprules::host;
  ConfigSource source;
  source.origin = "fuzz.json";
  source.base_dir = "/nonexistent";
  source.json = nlohmann::json::parse(data, data + size, nullptr, false);
  if (source.json.is_discarded()) return 0;
  try {
    config_load_policy(source);
    config_plugin_dirs(source);
    auto snapshot = build_snapshot(source, plugins());
    for (const auto& store : snapshot->stores) (void)plugins_json(store).dump();
  } catch (const ConfigError&) {
  }
  return 0;
}
