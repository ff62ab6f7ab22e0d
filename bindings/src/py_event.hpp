// Python dict -> typed Event, straight through the CPython API with interned keys.
#pragma once

#include <Python.h>

#include <memory>
#include <string_view>
#include <vector>

#include "shoprules/event.hpp"

namespace shoprules::python {

/// Owns copies of strings for events that outlive the GIL (evaluate_many). Blocks never move, so
/// views into them stay valid until the arena dies.
class TextArena {
 public:
  std::string_view copy(std::string_view s);

 private:
  static constexpr std::size_t kBlock = 64 * 1024;
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_ = kBlock;
};

/// Interns the event keys; call once at module import.
void init_event_keys();

/// Fills `ev` (reset first) from a Python dict. With no arena the event's text borrows from the
/// Python objects, which is safe while the GIL is held and `obj` is alive. Throws
/// host::InvalidEventError naming the field.
void read_py_event(PyObject* obj, Event& ev, TextArena* arena);

}  // namespace shoprules::python
