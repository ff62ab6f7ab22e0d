// Helpers shared by the C++ tests: hosts over the build's plugin folders, and sample events.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "shoprules/host/event_json.hpp"
#include "shoprules/host/host.hpp"

namespace shoprules::test {

using nlohmann::json;
namespace fs = std::filesystem;

inline fs::path test_plugin_dir(const std::string& name) {
  return fs::path(SHOPRULES_TEST_PLUGIN_DIR) / name;
}

/// A host with the bundled plugins (from the build tree) plus the named test plugin folders.
inline host::Host make_host(json config = json::object(), std::vector<std::string> test_dirs = {},
                            bool bundled = true) {
  host::HostOptions options;
  options.bundled = bundled;
  options.bundled_dir = SHOPRULES_BUILD_PLUGIN_DIR;
  for (const auto& d : test_dirs) options.plugin_dirs.push_back(test_plugin_dir(d));
  host::ConfigSource src;
  src.json = std::move(config);
  src.origin = "test.json";
  src.base_dir = fs::current_path();
  options.config = std::move(src);
  return host::Host(std::move(options));
}

/// `config` with every bundled plugin but `keep` switched off, to test one plugin alone.
inline json only_plugin(const std::string& keep, json config = json::object()) {
  for (const char* name : {"loyalty", "returns", "delight"})
    if (keep != name) config["plugins"][name]["enabled"] = false;
  return config;
}

/// The plugins_json() entry of one plugin.
inline json plugin_entry(const host::Host& h, const std::string& name) {
  for (const auto& p : host::plugins_json(h.snapshot()->main()))
    if (p["name"] == name) return p;
  return nullptr;
}

inline json order_event(std::string id = "evt-1", std::int64_t price = 4995, std::int64_t qty = 1) {
  return json{{"id", id},
              {"type", "order.placed"},
              {"at", "2026-11-23T10:00:00Z"},
              {"customer", {{"id", "c-42"}, {"household", {"c-43", "c-44"}}}},
              {"order",
               {{"id", "o-" + id},
                {"currency", "USD"},
                {"lines", {{{"sku", "SH-1"}, {"price", price}, {"qty", qty}}}}}}};
}

inline json return_event(std::string delivered_at, std::string at, bool vip = false,
                         std::string refund_to = "original") {
  return json{
      {"id", "evt-r"},
      {"type", "return.requested"},
      {"at", at},
      {"customer", {{"id", "c-42"}, {"vip", vip}}},
      {"order",
       {{"id", "o-9"},
        {"currency", "USD"},
        {"delivered_at", delivered_at},
        {"lines",
         {{{"sku", "SH-1"}, {"price", 4995}, {"qty", 1}},
          {{"sku", "SH-2"}, {"price", 2000}, {"qty", 2}}}}}},
      {"return",
       {{"lines", {{{"sku", "SH-1"}, {"qty", 1}, {"reason", "size"}}}}, {"refund_to", refund_to}}}};
}

/// Evaluates `event` and returns the decision as JSON (the shape of Python's to_dict()).
inline json decide(const host::Host& h, const json& event) {
  Event ev;
  host::read_event(event, ev);
  host::Decision d;
  h.evaluate(ev, d);
  return d.to_json();
}

/// The trace entry of plugin.rule, or null.
inline json trace_of(const json& decision, const std::string& plugin, const std::string& rule) {
  for (const auto& t : decision["trace"])
    if (t["plugin"] == plugin && t["rule"] == rule) return t;
  return nullptr;
}

inline std::vector<std::string> action_types(const json& decision) {
  std::vector<std::string> out;
  for (const auto& a : decision["actions"]) out.push_back(a["type"]);
  return out;
}

}  // namespace shoprules::test
