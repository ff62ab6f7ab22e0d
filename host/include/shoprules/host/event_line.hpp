// Reading events from JSON lines in bulk (simulate, event logs): simdjson, with reused buffers.
#pragma once

#include <cstdint>
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

  /// How many lines were read in one pass. A well-formed line is; the others are read again by
  /// the general reader, which decides what is wrong.
  std::uint64_t one_pass_reads() const { return one_pass_reads_; }

 private:
  std::uint64_t one_pass_reads_ = 0;
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace shoprules::host
