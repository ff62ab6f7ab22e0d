// Reading events from JSON lines in bulk (simulate, event logs): simdjson, with reused buffers.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "shoprules/event.hpp"

namespace shoprules::host {

/// Parses one JSON line at a time into an Event. One per thread: the event's text borrows from
/// the reader's buffers and stays valid until the next call.
class EventLineReader {
 public:
  EventLineReader();
  ~EventLineReader();
  EventLineReader(const EventLineReader&) = delete;
  EventLineReader& operator=(const EventLineReader&) = delete;

  /// Fills `ev` (reset first) from `line`. Returns "" on success, or what is wrong: "not valid
  /// JSON: ..." or the InvalidEventError message naming the field.
  std::string read(std::string_view line, Event& ev);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoprules::host
