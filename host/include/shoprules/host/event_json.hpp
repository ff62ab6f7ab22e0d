// Reading an event from nlohmann::json (files, the command line, C++ tests).
#pragma once

#include <nlohmann/json.hpp>

#include "shoprules/event.hpp"

namespace shoprules::host {

/// Fills `ev` from `j`; the event's text borrows from `j`, which must outlive it. Throws
/// InvalidEventError naming the field.
void read_event(const nlohmann::json& j, Event& ev);

/// A short rendering of a value for error messages: strings quoted and cut at 40 characters.
std::string describe_json(const nlohmann::json& j);

}  // namespace shoprules::host
