// Reading an event from nlohmann::json (files, the command line, C++ tests).
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "shoprules/event.hpp"

namespace shoprules::host {

/// Fills `ev` from `j`; the event's text borrows from `j`, which must outlive it. Throws
/// InvalidEventError naming the field.
void read_event(const nlohmann::json& j, Event& ev);

/// A short rendering of a value for error messages: strings quoted and cut at 40 bytes, never
/// inside a character.
std::string describe_json(const nlohmann::json& j);

}  // namespace shoprules::host
