// Reading events from JSON lines in bulk (simulate, event logs): simdjson, with reused buffers.
#pragma once

#include <cstddef>
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

  /// How many bytes after a line `read_padded` may read.
  static constexpr std::size_t kPadding = 64;
  /// As `read`, parsing the line where it is, without a copy: the kPadding bytes after it must be
  /// readable (whatever they hold, such as the next line).
  std::string read_padded(std::string_view line, Event& ev);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoprules::host
