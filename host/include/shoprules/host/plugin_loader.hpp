// Loading plugin libraries with Boost.DLL, checking their ABI key before anything else.
#pragma once

#include <filesystem>
#include <map>
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
  std::string sha256;  ///< of the bytes that were loaded
  /// The open file it was loaded from (as /proc/self/fd/N). Never closed: the dynamic loader
  /// knows the library by that name, and a reused fd number would alias it.
  int fd = -1;

  std::string_view name() const { return descriptor->name; }
};

/// What the config says about trusting plugin files.
struct LoadPolicy {
  /// Load files and folders that are writable by group or others, or owned by another user.
  bool allow_unsafe_files = false;
  /// Pinned digests by plugin name; the file `<name>.so` must hash to it and hold that plugin.
  std::map<std::string, std::string> sha256;
};

using PluginPtr = std::shared_ptr<const LoadedPlugin>;

/// The ABI key this host was built with; a plugin's must be equal.
const char* host_abi_key();

/// Loads one plugin file. The file is opened once; its owner, mode and digest are checked on that
/// open file, which is then what is loaded (through /proc/self/fd), so it cannot be swapped in
/// between. Unless the policy allows it, a file writable by group or others, or owned by a user
/// other than this one or root, is refused, as OpenSSH refuses such key files. Throws
/// PluginLoadError naming the file and the reason. Libraries are never unloaded: a loaded file
/// stays in a process-wide registry and loading the same bytes again reuses it.
PluginPtr load_plugin(const std::filesystem::path& file, const LoadPolicy& policy = {});

/// Loads a plugin from a file another process checked and opened for this one (an isolated
/// plugin's worker): `fd` is that open file, `name` names it in errors. The bytes must hash to
/// `sha256`, and the ABI key must match, as for load_plugin. Throws PluginLoadError.
PluginPtr load_plugin_fd(const std::filesystem::path& name, int fd, const std::string& sha256);

/// Every plugin library (*.so) in these folders, in folder order then file name order. Two plugins
/// with one name are a PluginLoadError naming both files.
/// Folders are held to the same owner and mode rules as files. A pin whose plugin is in none of
/// the folders is an error too.
std::vector<PluginPtr> load_plugin_dirs(const std::vector<std::filesystem::path>& dirs,
                                        const LoadPolicy& policy = {});

/// Where the bundled plugins are installed: the `plugins` folder next to the library that holds
/// this code (the Python extension module).
std::filesystem::path bundled_plugin_dir();

}  // namespace shoprules::host
