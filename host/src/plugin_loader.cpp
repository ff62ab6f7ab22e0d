// Plugin loading: file checks, the frozen header and ABI key, then the descriptor's contents.
#include "shoprules/host/plugin_loader.hpp"

#include <dlfcn.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include <boost/dll/import.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "shoprules/host/errors.hpp"

namespace shoprules::host {
namespace fs = std::filesystem;

const char* host_abi_key() {
  return SHOPRULES_ABI_KEY;
}

namespace {

[[noreturn]] void refuse(const fs::path& file, const std::string& reason) {
  throw PluginLoadError(file.string() + ": " + reason);
}

bool is_identifier(const char* s) {
  if (s == nullptr || !(*s >= 'a' && *s <= 'z')) return false;
  for (; *s; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return false;
  return true;
}

void check_file(const fs::path& file) {
  std::error_code ec;
  auto status = fs::status(file, ec);
  if (ec || !fs::exists(status)) refuse(file, "no such file");
  if (!fs::is_regular_file(status)) refuse(file, "not a regular file");
  std::ifstream in(file, std::ios::binary);
  char magic[4] = {};
  if (!in.read(magic, 4) || std::memcmp(magic,
                                        "\x7f"
                                        "ELF",
                                        4) != 0)
    refuse(file, "not a shared library (no ELF header)");
}

void check_param(const fs::path& file, const RuleSpec& rule, const ParamSpec& p) {
  std::string where = std::string("rule ") + rule.id + " param " + (p.name ? p.name : "(null)");
  if (!is_identifier(p.name)) refuse(file, where + ": name must match [a-z][a-z0-9_]*");
  switch (p.type) {
    case ParamType::Bool:
      break;
    case ParamType::Int:
      if (p.int_min > p.int_max || p.int_default < p.int_min || p.int_default > p.int_max)
        refuse(file, where + ": default outside its range");
      break;
    case ParamType::Number:
      if (!(p.number_min <= p.number_max) || !(p.number_default >= p.number_min) ||
          !(p.number_default <= p.number_max))
        refuse(file, where + ": default outside its range");
      break;
    case ParamType::String:
      if (p.string_default == nullptr) refuse(file, where + ": no default");
      break;
    default:
      refuse(file, where + ": unknown param type");
  }
}

void check_descriptor(const fs::path& file, const PluginDescriptor& d) {
  if (!is_identifier(d.name)) refuse(file, "plugin name must match [a-z][a-z0-9_]*");
  if (d.version == nullptr || d.kind == nullptr || d.run_rule == nullptr ||
      (d.rule_count > 0 && d.rules == nullptr))
    refuse(file, "descriptor is incomplete");
  std::set<std::string_view> ids;
  for (std::size_t i = 0; i < d.rule_count; ++i) {
    const RuleSpec& r = d.rules[i];
    if (!is_identifier(r.id)) refuse(file, "rule id must match [a-z][a-z0-9_]*");
    if (!ids.insert(r.id).second) refuse(file, std::string("two rules named ") + r.id);
    if (r.fn == nullptr) refuse(file, std::string("rule ") + r.id + " has no function");
    if (r.param_count > 0 && r.params == nullptr)
      refuse(file, std::string("rule ") + r.id + " has no param table");
    std::set<std::string_view> names;
    for (std::size_t k = 0; k < r.param_count; ++k) {
      check_param(file, r, r.params[k]);
      if (!names.insert(r.params[k].name).second)
        refuse(file, std::string("rule ") + r.id + " has two params named " + r.params[k].name);
    }
  }
}

PluginPtr open_plugin(const fs::path& file) {
  check_file(file);
  boost::dll::shared_library lib;
  try {
    lib.load(file, boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
  } catch (const std::exception& e) {
    const char* why = dlerror();
    refuse(file, std::string("cannot be loaded: ") + (why ? why : e.what()));
  }
  if (!lib.has(SHOPRULES_ENTRY_NAME))
    refuse(file, "not a shoprules plugin (no " SHOPRULES_ENTRY_NAME " entry)");

  auto entry =
      boost::dll::import_alias<const shoprules_plugin_header>(std::move(lib), SHOPRULES_ENTRY_NAME);
  // Only plain data is read until the key matches: no plugin code has run.
  if (entry->magic != kPluginMagic) refuse(file, "not a shoprules plugin (bad magic)");
  if (entry->descriptor_version != kDescriptorVersion)
    refuse(file, "descriptor version " + std::to_string(entry->descriptor_version) +
                     " is not supported (this host reads version " +
                     std::to_string(kDescriptorVersion) + ")");
  if (entry->abi_key == nullptr || std::strcmp(entry->abi_key, host_abi_key()) != 0)
    refuse(file, std::string("ABI mismatch: plugin built with '") +
                     (entry->abi_key ? entry->abi_key : "") + "', this host needs '" +
                     host_abi_key() + "'; rebuild the plugin against this shoprules");

  auto plugin = std::make_shared<LoadedPlugin>();
  plugin->file = file;
  plugin->descriptor = reinterpret_cast<const PluginDescriptor*>(entry.get());
  plugin->entry = std::move(entry);
  check_descriptor(file, *plugin->descriptor);
  return plugin;
}

// Process-wide and never destroyed: libraries are not unloaded, not even at exit, so no static
// destructor can outlive the code it points into.
struct Registry {
  std::mutex mutex;
  std::map<fs::path, PluginPtr> by_path;
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

PluginPtr load_plugin(const fs::path& file) {
  std::error_code ec;
  fs::path key = fs::weakly_canonical(file, ec);
  if (ec) key = fs::absolute(file);
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_path.find(key);
  if (it != r.by_path.end()) return it->second;
  PluginPtr plugin = open_plugin(key);
  r.by_path.emplace(key, plugin);
  return plugin;
}

std::vector<PluginPtr> load_plugin_dirs(const std::vector<fs::path>& dirs) {
  std::vector<PluginPtr> plugins;
  std::map<std::string_view, const fs::path*> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw PluginLoadError(dir.string() + ": plugin folder does not exist");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    if (ec) throw PluginLoadError(dir.string() + ": cannot list plugin folder: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      PluginPtr plugin = load_plugin(file);
      auto [it, fresh] = seen.emplace(plugin->name(), &plugin->file);
      if (!fresh) {
        if (*it->second == plugin->file) continue;  // the same file reached through two folders
        throw PluginLoadError(file.string() + ": duplicate plugin name '" +
                              std::string(plugin->name()) + "', already loaded from " +
                              it->second->string());
      }
      plugins.push_back(std::move(plugin));
    }
  }
  return plugins;
}

fs::path bundled_plugin_dir() {
  return fs::path(boost::dll::this_line_location().parent_path()) / "plugins";
}

}  // namespace shoprules::host
