// Plugin loading: file checks, the frozen header and ABI key, then the descriptor's contents.
#include "shoprules/host/plugin_loader.hpp"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <algorithm>
#include <cstring>
#include <ctime>
#include <map>
#include <mutex>
#include <set>

#include <boost/dll/import.hpp>
#include <boost/dll/runtime_symbol_info.hpp>
#include <boost/dll/shared_library.hpp>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/sha256.hpp"

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

/// Refuses what another user could have written: a file or folder writable by group or others,
/// or owned by someone other than this user or root.
void check_owner_and_mode(const fs::path& what, const struct stat& st, const char* kind) {
  if (st.st_mode & (S_IWGRP | S_IWOTH)) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    refuse(what, std::string(kind) + " is writable by group or others (mode " + mode +
                     "); fix it with chmod go-w, or set allow_unsafe_plugin_files in the config");
  }
  if (st.st_uid != 0 && st.st_uid != geteuid())
    refuse(what, std::string(kind) + " is owned by uid " + std::to_string(st.st_uid) +
                     ", not by this user (uid " + std::to_string(geteuid()) +
                     ") or root; set allow_unsafe_plugin_files in the config to load it anyway");
}

/// An open plugin file: closed when done.
struct OpenFile {
  int fd = -1;
  ~OpenFile() {
    if (fd >= 0) close(fd);
  }
};

/// Reads the whole file through `fd`: the digest, and whether it starts like an ELF object.
std::string digest(const fs::path& file, int fd, bool& elf) {
  Sha256 hash;
  char buf[1 << 16];
  std::size_t total = 0;
  char magic[4] = {};
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) refuse(file, std::string("cannot be read: ") + std::strerror(errno));
    if (n == 0) break;
    for (ssize_t i = 0; i < n && total + static_cast<std::size_t>(i) < 4; ++i)
      magic[total + static_cast<std::size_t>(i)] = buf[i];
    total += static_cast<std::size_t>(n);
    hash.update(buf, static_cast<std::size_t>(n));
  }
  static constexpr char kElf[] = {0x7f, 'E', 'L', 'F'};
  elf = total >= 4 && std::memcmp(magic, kElf, 4) == 0;
  return hash.hex();
}

/// digest(), remembered per file while the file stays the same inode with the same size, mtime
/// and ctime (a write to the file changes its ctime, which no user can set back): a reload of
/// the config then costs no re-read of every plugin file. A file changed in the last two seconds
/// is always read again (timestamps are coarse: two writes may share one).
std::string cached_digest(const fs::path& key, const fs::path& file, int fd, const struct stat& st,
                          bool& elf) {
  struct Stamp {
    dev_t dev;
    ino_t ino;
    off_t size;
    long mtime_s, mtime_ns, ctime_s, ctime_ns;
    bool operator==(const Stamp&) const = default;
  };
  struct Cache {
    std::mutex mutex;
    std::map<std::string, std::pair<Stamp, std::string>> by_path;
  };
  static Cache* cache = new Cache;  // never destroyed, like the registry
  const Stamp stamp{st.st_dev,          st.st_ino,         st.st_size,        st.st_mtim.tv_sec,
                    st.st_mtim.tv_nsec, st.st_ctim.tv_sec, st.st_ctim.tv_nsec};
  timespec now{};
  clock_gettime(CLOCK_REALTIME, &now);
  const bool settled = now.tv_sec - st.st_ctim.tv_sec > 2 && now.tv_sec - st.st_mtim.tv_sec > 2;
  if (settled) {
    std::lock_guard lock(cache->mutex);
    auto it = cache->by_path.find(key.string());
    if (it != cache->by_path.end() && it->second.first == stamp) {
      elf = true;  // only ELF files are remembered
      return it->second.second;
    }
  }
  std::string sha256 = digest(file, fd, elf);
  if (elf && settled) {
    std::lock_guard lock(cache->mutex);
    cache->by_path[key.string()] = {stamp, sha256};
  }
  return sha256;
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
    case ParamType::Map: {
      const bool range_ok = p.map_of == ParamType::Int      ? p.int_min <= p.int_max
                            : p.map_of == ParamType::Number ? p.number_min <= p.number_max
                                                            : false;
      if (!range_ok) refuse(file, where + ": a map holds integers or numbers in a valid range");
      if (p.max_entries < 1 || p.max_entries > kMaxMapEntries)
        refuse(file, where + ": max_entries must be in 1.." + std::to_string(kMaxMapEntries));
      break;
    }
    case ParamType::DayOfYear: {
      MonthDay md;
      if (p.string_default == nullptr || !parse_month_day(p.string_default, md))
        refuse(file, where + ": default is not a day of the year (MM-DD)");
      break;
    }
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

PluginPtr open_plugin(const fs::path& file, int fd, std::string sha256) {
  boost::dll::shared_library lib;
  try {
    // The descriptor already open, so the bytes checked are the bytes loaded.
    lib.load(fs::path("/proc/self/fd") / std::to_string(fd),
             boost::dll::load_mode::rtld_now | boost::dll::load_mode::rtld_local);
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
  plugin->sha256 = std::move(sha256);
  plugin->fd = fd;
  plugin->descriptor = reinterpret_cast<const PluginDescriptor*>(entry.get());
  plugin->entry = std::move(entry);
  check_descriptor(file, *plugin->descriptor);
  return plugin;
}

// Process-wide and never destroyed: libraries are not unloaded, not even at exit, so no static
// destructor can outlive the code it points into.
struct Registry {
  std::mutex mutex;
  std::map<std::pair<fs::path, std::string>, PluginPtr> by_file;  // (path, sha256)
};
Registry& registry() {
  static Registry* r = new Registry;
  return *r;
}

}  // namespace

PluginPtr load_plugin(const fs::path& file, const LoadPolicy& policy) {
  std::error_code ec;
  fs::path key = fs::weakly_canonical(file, ec);
  if (ec) key = fs::absolute(file);
  OpenFile f;
  f.fd = open(key.c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0)
    refuse(file, errno == ENOENT ? "no such file"
                                 : std::string("cannot be opened: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) refuse(file, "not a regular file");
  if (!policy.allow_unsafe_files) check_owner_and_mode(file, st, "the file");
  bool elf = false;
  std::string sha256 = cached_digest(key, file, f.fd, st, elf);
  if (!elf) refuse(file, "not a shared library (no ELF header)");
  const std::string stem = key.stem().string();
  auto pin = policy.sha256.find(stem);
  if (pin != policy.sha256.end() && pin->second != sha256)
    refuse(file, "sha256 " + sha256 + " does not match the pin " + pin->second +
                     " in the config; this is not the plugin file the config trusts");

  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  auto it = r.by_file.find({key, sha256});
  PluginPtr plugin;
  if (it != r.by_file.end()) {
    plugin = it->second;
  } else {
    try {
      plugin = open_plugin(key, f.fd, sha256);
      f.fd = -1;  // the plugin keeps it
    } catch (...) {
      // A refused library is normally unloaded again; one that stays resident keeps its
      // /proc/self/fd name, so its fd must stay open too, or the next file to get that number
      // would be mistaken for it.
      const std::string name = "/proc/self/fd/" + std::to_string(f.fd);
      if (void* still = dlopen(name.c_str(), RTLD_NOLOAD | RTLD_LAZY)) {
        dlclose(still);
        f.fd = -1;
      }
      throw;
    }
  }
  // Registered before the last check: a loaded library stays, like every other, even if this
  // config refuses it.
  r.by_file.emplace(std::make_pair(key, sha256), plugin);
  if (pin != policy.sha256.end() && plugin->name() != stem)
    refuse(file, "pinned as plugin '" + stem + "' but holds plugin '" +
                     std::string(plugin->name()) + "'");
  return plugin;
}

PluginPtr load_plugin_fd(const fs::path& name, int fd, const std::string& sha256) {
  // A file of its own (not a dup): the offset the digest moves is this process's alone.
  OpenFile f;
  f.fd = open(("/proc/self/fd/" + std::to_string(fd)).c_str(), O_RDONLY | O_CLOEXEC);
  if (f.fd < 0) refuse(name, std::string("cannot be reopened: ") + std::strerror(errno));
  struct stat st {};
  if (fstat(f.fd, &st) != 0 || !S_ISREG(st.st_mode)) refuse(name, "not a regular file");
  bool elf = false;
  const std::string digest_now = digest(name, f.fd, elf);
  if (!elf) refuse(name, "not a shared library (no ELF header)");
  if (digest_now != sha256)
    refuse(name, "sha256 " + digest_now + " is not the " + sha256 + " the host checked");
  PluginPtr plugin = open_plugin(name, f.fd, digest_now);
  f.fd = -1;  // the plugin keeps it
  return plugin;
}

std::vector<PluginPtr> load_plugin_dirs(const std::vector<fs::path>& dirs,
                                        const LoadPolicy& policy) {
  std::vector<PluginPtr> plugins;
  std::map<std::string_view, const fs::path*> seen;
  for (const auto& dir : dirs) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec))
      throw PluginLoadError(dir.string() + ": plugin folder does not exist");
    struct stat st {};
    if (!policy.allow_unsafe_files && stat(dir.c_str(), &st) == 0)
      check_owner_and_mode(dir, st, "the plugin folder");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir, ec))
      if (entry.path().extension() == ".so") files.push_back(entry.path());
    if (ec) throw PluginLoadError(dir.string() + ": cannot list plugin folder: " + ec.message());
    std::sort(files.begin(), files.end());
    for (const auto& file : files) {
      PluginPtr plugin = load_plugin(file, policy);
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
  for (const auto& [name, digest] : policy.sha256)
    if (seen.find(name) == seen.end())
      throw PluginLoadError("plugins." + name + ".sha256: the config pins a plugin '" + name +
                            "' but no plugin folder holds " + name + ".so");
  return plugins;
}

fs::path bundled_plugin_dir() {
  return fs::path(boost::dll::this_line_location().parent_path()) / "plugins";
}

}  // namespace shoprules::host
