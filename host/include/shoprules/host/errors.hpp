// The host's exceptions; the Python module maps each to its shoprules.* class.
#pragma once

#include <stdexcept>
#include <string>

namespace shoprules::host {

/// The event is malformed. `path` names the field, e.g. "order.lines[2].price".
class InvalidEventError : public std::runtime_error {
 public:
  InvalidEventError(std::string path, const std::string& problem)
      : std::runtime_error(path.empty() ? problem : path + ": " + problem),
        path_(std::move(path)) {}
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

/// The config is malformed or fails a plugin's schema.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A plugin file can't be used.
class PluginLoadError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A rule failed and its plugin's on_error is "fail".
class RuleFailure : public std::runtime_error {
 public:
  RuleFailure(std::string plugin, std::string rule, const std::string& message)
      : std::runtime_error(plugin + "." + rule + ": " + message),
        plugin_(std::move(plugin)),
        rule_(std::move(rule)) {}
  const std::string& plugin() const { return plugin_; }
  const std::string& rule() const { return rule_; }

 private:
  std::string plugin_;
  std::string rule_;
};

}  // namespace shoprules::host
