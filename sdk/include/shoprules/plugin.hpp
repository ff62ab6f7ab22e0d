// The plugin boundary: the versioned descriptor, the ABI key, and the one export macro.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <string>

#include <boost/dll/alias.hpp>

#include "shoprules/rule.hpp"

/// Bumped whenever a type that crosses the boundary (Event, Action, RuleSpec, ...) changes layout.
#define SHOPRULES_SDK_ABI_VERSION 7

#define SHOPRULES_DETAIL_STR2(x) #x
#define SHOPRULES_DETAIL_STR(x) SHOPRULES_DETAIL_STR2(x)

#if defined(__clang__)
#define SHOPRULES_DETAIL_COMPILER \
  "clang-" SHOPRULES_DETAIL_STR(__clang_major__) "." SHOPRULES_DETAIL_STR(__clang_minor__)
#elif defined(__GNUC__)
#define SHOPRULES_DETAIL_COMPILER \
  "gcc-" SHOPRULES_DETAIL_STR(__GNUC__) "." SHOPRULES_DETAIL_STR(__GNUC_MINOR__)
#else
#error "shoprules plugins are built with gcc or clang"
#endif

#if defined(_GLIBCXX_RELEASE)
#define SHOPRULES_DETAIL_STDLIB                                                          \
  "libstdc++-" SHOPRULES_DETAIL_STR(_GLIBCXX_RELEASE) ";cxx11abi=" SHOPRULES_DETAIL_STR( \
      _GLIBCXX_USE_CXX11_ABI)
#elif defined(_LIBCPP_VERSION)
#define SHOPRULES_DETAIL_STDLIB "libc++-" SHOPRULES_DETAIL_STR(_LIBCPP_VERSION)
#else
#define SHOPRULES_DETAIL_STDLIB "unknown-stdlib"
#endif

#if defined(_GLIBCXX_DEBUG)
#define SHOPRULES_DETAIL_DEBUG ";debug-containers"
#else
#define SHOPRULES_DETAIL_DEBUG ""
#endif

/// Everything that must match between host and plugin for C++ types to cross safely: the SDK ABI
/// version, the compiler, the standard library and its dual-ABI flag, and the C++ standard.
#define SHOPRULES_ABI_KEY                                                                  \
  "shoprules-abi=" SHOPRULES_DETAIL_STR(                                                   \
      SHOPRULES_SDK_ABI_VERSION) ";" SHOPRULES_DETAIL_COMPILER ";" SHOPRULES_DETAIL_STDLIB \
                                 ";std=" SHOPRULES_DETAIL_STR(__cplusplus) SHOPRULES_DETAIL_DEBUG

/// The name of the exported alias the host looks up.
#define SHOPRULES_ENTRY_NAME "shoprules_plugin_v1"

extern "C" {
/// The frozen head of every descriptor: the host reads only this, and runs no plugin code, before
/// it decides whether to trust the rest. Never reorder or change these fields.
struct shoprules_plugin_header {
  std::uint32_t magic;               ///< kPluginMagic
  std::uint32_t descriptor_version;  ///< layout of the PluginDescriptor that follows
  const char* abi_key;               ///< SHOPRULES_ABI_KEY as the plugin was compiled
};
}

namespace shoprules {

inline constexpr std::uint32_t kPluginMagic = 0x53484f50;  // "SHOP"
inline constexpr std::uint32_t kDescriptorVersion = 1;

/// How a rule call ended. Exceptions never cross the boundary: the plugin's own trampoline turns
/// them into one of these and a message.
enum class RuleStatus : std::uint8_t { Ok, Exception, UnknownException };

using RunRuleFn = RuleStatus (*)(const RuleSpec& rule, const RuleContext& ctx, RuleOutput& out,
                                 std::string& error) noexcept;

struct PluginDescriptor {
  shoprules_plugin_header header;
  const char* name;
  const char* version;
  const char* kind;
  const char* description;
  const RuleSpec* rules;
  std::size_t rule_count;
  RunRuleFn run_rule;
};

namespace detail {

/// Compiled into each plugin (header-inline, hidden visibility): catches everything a rule throws.
inline RuleStatus run_rule(const RuleSpec& rule, const RuleContext& ctx, RuleOutput& out,
                           std::string& error) noexcept {
  try {
    rule.fn(ctx, out);
    return RuleStatus::Ok;
  } catch (const std::exception& e) {
    try {
      error = e.what();
    } catch (...) {
    }
    return RuleStatus::Exception;
  } catch (...) {
    return RuleStatus::UnknownException;
  }
}

template <std::size_t N>
constexpr std::size_t count(const RuleSpec (&)[N]) {
  return N;
}

}  // namespace detail
}  // namespace shoprules

/// Exports a plugin. Use once, at namespace scope, in one source file of the plugin:
///
///     SHOPRULES_PLUGIN("returns", "1.0.0", "returns", "Return policy", kRules);
///
/// where kRules is a constexpr array of shoprules::RuleSpec.
#define SHOPRULES_PLUGIN(NAME, VERSION, KIND, DESCRIPTION, RULES)                      \
  namespace shoprules_plugin_export {                                                  \
  const ::shoprules::PluginDescriptor descriptor = {                                   \
      {::shoprules::kPluginMagic, ::shoprules::kDescriptorVersion, SHOPRULES_ABI_KEY}, \
      NAME,                                                                            \
      VERSION,                                                                         \
      KIND,                                                                            \
      DESCRIPTION,                                                                     \
      RULES,                                                                           \
      ::shoprules::detail::count(RULES),                                               \
      &::shoprules::detail::run_rule};                                                 \
  }                                                                                    \
  BOOST_DLL_ALIAS(shoprules_plugin_export::descriptor, shoprules_plugin_v1)
