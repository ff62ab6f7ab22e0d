// What the host accepts from a rule: a dotted action type, and sane params for the known types.
#pragma once

#include <string>

#include "shoprules/action.hpp"

namespace shoprules::host {

/// "" when the action may go out; otherwise what is wrong with it, e.g.
/// "emitted refund.issue with amount -5: expected a non-negative integer (minor units)".
std::string check_action(const Action& action);

/// Whether check_action would return "", without building its message.
bool action_ok(const Action& action);

}  // namespace shoprules::host
