// The config keys of an isolated plugin, checked like every other key.
#include <string>

#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_json.hpp"
#include "shoprules/host/isolation.hpp"

namespace shoprules::host {

void read_isolation_settings(const nlohmann::json& pj, const std::string& origin,
                             const std::string& path, IsolationSettings& out) {
  auto fail = [&](const std::string& key, const std::string& problem) {
    throw ConfigError(origin + ": " + path + "." + key + ": " + problem);
  };
  if (auto it = pj.find("isolation"); it != pj.end()) {
    if (*it == "process")
      out.process = true;
    else if (*it == "none")
      out.process = false;
    else
      fail("isolation", "expected \"process\" or \"none\", got " + describe_json(*it));
  }
  auto integer = [&](const char* key, std::int64_t lo, std::int64_t hi, const char* unit,
                     std::int64_t& into) {
    auto it = pj.find(key);
    if (it == pj.end()) return;
    if (!it->is_number_integer() || it->get<std::int64_t>() < lo || it->get<std::int64_t>() > hi)
      fail(key, "expected an integer in " + std::to_string(lo) + ".." + std::to_string(hi) + unit +
                    ", got " + describe_json(*it));
    into = it->get<std::int64_t>();
  };
  integer("timeout_ms", 1, 60000, " (milliseconds)", out.timeout_ms);
  integer("memory_mb", 128, 1048576, " (MiB)", out.memory_mb);
  integer("max_restarts", 0, 1000, "", out.max_restarts);
  if (!out.process)
    for (const char* key : {"timeout_ms", "memory_mb", "max_restarts"})
      if (pj.contains(key)) fail(key, "applies only with \"isolation\": \"process\"");
}

}  // namespace shoprules::host
