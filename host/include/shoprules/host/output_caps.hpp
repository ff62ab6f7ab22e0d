// The documented bounds on what one rule may emit, in process or isolated.
#pragma once

#include <cstddef>
#include <string>

#include "shoprules/action.hpp"

namespace shoprules::host {

inline constexpr std::size_t kMaxActionsPerRule = 100;     ///< actions one rule call may add
inline constexpr std::size_t kMaxActionTypeBytes = 128;    ///< an action's type
inline constexpr std::size_t kMaxReasonBytes = 4096;       ///< an action's reason
inline constexpr std::size_t kMaxParamStringBytes = 4096;  ///< any string or key in params
inline constexpr std::size_t kMaxParamValues = 10000;      ///< values in one action's params
inline constexpr std::size_t kMaxParamDepth = 8;           ///< lists and objects inside params
inline constexpr std::size_t kMaxNoteBytes = 4096;         ///< what an amending rule notes

/// "" when the action is within every cap; otherwise which cap it breaks, e.g.
/// "emitted gift.send with a reason of 10485760 bytes: over the cap of 4096 bytes per reason".
/// Asked only once a quicker check below has said no: it carries what a message needs.
std::string check_output_caps(const Action& action);

/// Whether check_output_caps would return "", without building its message: the walk a rule's
/// action with nested params (return lines) takes on every evaluation.
bool within_output_caps(const Action& action);

/// True when the action is surely within every cap: a type and reason within theirs, and params
/// of scalars within theirs. False says only "ask check_output_caps" (a nested param value may
/// well be within the caps too). Inline: every emitted action pays it.
inline bool surely_within_output_caps(const Action& a) {
  if (a.type.size() > kMaxActionTypeBytes || a.reason.size() > kMaxReasonBytes ||
      a.params.size() > kMaxParamValues)
    return false;
  for (const Member& m : a.params) {
    const Value::Kind kind = m.value.kind();
    if (m.key.size() > kMaxParamStringBytes || kind == Value::Kind::List ||
        kind == Value::Kind::Object ||
        (kind == Value::Kind::String && m.value.as_string().size() > kMaxParamStringBytes))
      return false;
  }
  return true;
}

}  // namespace shoprules::host
