// Loading plugin libraries with Boost.DLL, checking their ABI key before anything else.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <boost/shared_ptr.hpp>

#include "shoprules/plugin.hpp"

namespace shoprules::host {

/// A plugin library that passed every check. Holding it keeps the library loaded: whatever the
/// plugin made (rule tables, static strings in traces) stays valid while any holder lives.
struct LoadedPlugin {
  std::filesystem::path file;
  boost::shared_ptr<const shoprules_plugin_header> entry;  ///< refcounts the library
  const PluginDescriptor* descriptor = nullptr;

  std::string_view name() const { return descriptor->name; }
};

using PluginPtr = std::shared_ptr<const LoadedPlugin>;

/// The ABI key this host was built with; a plugin's must be equal.
const char* host_abi_key();

/// Loads one plugin file. Throws PluginLoadError naming the file and the reason. Libraries are
/// never unloaded: a loaded file stays in a process-wide registry and loading it again reuses it.
PluginPtr load_plugin(const std::filesystem::path& file);

/// Every plugin library (*.so) in these folders, in folder order then file name order. Two plugins
/// with one name are a PluginLoadError naming both files.
std::vector<PluginPtr> load_plugin_dirs(const std::vector<std::filesystem::path>& dirs);

/// Where the bundled plugins are installed: the `plugins` folder next to the library that holds
/// this code (the Python extension module).
std::filesystem::path bundled_plugin_dir();

}  // namespace shoprules::host
