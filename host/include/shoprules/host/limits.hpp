// The documented bounds on what the host accepts, so no input makes it allocate without bound.
#pragma once

#include <cstddef>

namespace shoprules::host {

inline constexpr std::size_t kMaxTextBytes = 1024;          ///< any string in an event (UTF-8)
inline constexpr std::size_t kMaxLines = 1000;              ///< order lines, or return lines
inline constexpr std::size_t kMaxListItems = 100;           ///< household, tags, circumstances
inline constexpr std::size_t kMaxConfigBytes = 1 << 20;     ///< a config file
inline constexpr std::size_t kMaxConfigValues = 100000;     ///< values in an in-memory config
inline constexpr std::size_t kMaxEventLineBytes = 1 << 20;  ///< one line of a simulate log
inline constexpr unsigned kMaxThreads = 1024;  ///< worker threads of one replay or evaluate_many

}  // namespace shoprules::host
