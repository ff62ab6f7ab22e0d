// Reading events straight from Arrow record batches (Parquet logs), with no JSON in between.
//
// A batch is a struct array (what a record batch exports through the C data interface) whose
// columns follow the event's JSON shape as nested Arrow types: sections are structs, order and
// return lines are lists of structs, tags and circumstances lists of strings, times timestamps
// or ISO-8601 strings. Columns the batch lacks take the event's defaults; columns the event does
// not know are ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "shoprules/event.hpp"
#include "shoprules/host/arrow_abi.hpp"

namespace shoprules::host {

/// A column whose Arrow type does not fit the event's shape, or an array that does not follow
/// the Arrow layout; what() names the column.
class ArrowSchemaError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Checks a batch schema against the event's shape. Throws ArrowSchemaError, e.g.
/// `column order.lines.price: expected an integer, got string (Arrow format "u")`.
void check_event_schema(const ArrowSchema& schema);

/// One record batch of events, owned: the structs are moved in and released on destruction.
class ArrowEventBatch {
 public:
  /// Takes over `schema` and `array` (the caller's copies are marked released), then checks the
  /// schema and the array's layout (ArrowSchemaError naming the column).
  ArrowEventBatch(ArrowSchema* schema, ArrowArray* array);
  ~ArrowEventBatch();
  ArrowEventBatch(const ArrowEventBatch&) = delete;
  ArrowEventBatch& operator=(const ArrowEventBatch&) = delete;

  std::int64_t rows() const;

  /// Fills `ev` (reset first) from row `row` (0-based). Returns "" or what is wrong, naming the
  /// field, as for a JSON line. The event's text borrows from the batch.
  std::string read(std::int64_t row, Event& ev) const;

  /// Every row as a typed event, or what is wrong with it. Within each window of kWindow rows
  /// (counted from row 0), the window's events are stored grouped by type, in row order within a
  /// type, and its bad rows after them: a replay walks the slots in order, so events of one type
  /// run the same rules one after another, from memory side by side.
  struct Events {
    static constexpr std::int64_t kWindow = 8192;
    std::vector<Event> events;             ///< by slot
    std::vector<std::int64_t> rows;        ///< by slot: the event's row, or -1 for a bad row's slot
    std::vector<std::int64_t> slots;       ///< by row: the row's slot
    std::vector<std::string> errors;       ///< by row: what is wrong with it, "" for a good row
    std::vector<std::int64_t> bad;         ///< the bad rows, in order
    std::vector<std::string_view> stores;  ///< the stores the good rows name, each once
    bool few_stores = true;  ///< false: too many stores to list (then `stores` is incomplete)
  };
  /// Asks the batch to keep its rows as typed events once read, for later replays of it (a
  /// what-if run again on a log held in memory then reads nothing). Call before sharing it.
  void keep_events() { keep_ = true; }
  bool keeps_events() const { return keep_; }
  /// The rows as typed events: read whole by the first caller (others wait), then kept for the
  /// life of the batch. Only for a batch that keeps its events.
  const Events& events() const;
  /// Bytes the typed events take once read; before that, an estimate from the row count.
  std::size_t event_bytes() const;
  /// Whether events() has read the rows.
  bool events_read() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  bool keep_ = false;
};

}  // namespace shoprules::host
