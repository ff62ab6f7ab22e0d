// The CPython adapter for EventReader.
#include "py_event.hpp"

#include <cstring>
#include <optional>
#include <string>

#include <pybind11/pybind11.h>

#include "shoprules/host/event_reader.hpp"
#include "shoprules/host/utf8.hpp"

namespace shoprules::python {
namespace {

using host::IntRead;
using host::Key;

PyObject* g_keys[host::kKeyCount];

class PyNode {
 public:
  PyNode(PyObject* o, TextArena* arena) : o_(o), arena_(arena) {}

  bool is_null() const { return o_ == Py_None; }
  bool is_object() const { return PyDict_Check(o_); }
  bool is_list() const { return PyList_Check(o_) || PyTuple_Check(o_); }
  std::optional<PyNode> get(Key k) const {
    PyObject* v = PyDict_GetItemWithError(o_, g_keys[static_cast<std::size_t>(k)]);
    if (!v) {
      if (PyErr_Occurred()) throw pybind11::error_already_set();
      return std::nullopt;
    }
    return PyNode(v, arena_);
  }
  std::size_t size() const {
    return static_cast<std::size_t>(PyList_Check(o_) ? PyList_GET_SIZE(o_) : PyTuple_GET_SIZE(o_));
  }
  template <class F>
  void each(F&& f) const {
    // A list's or tuple's item array; `f` runs no Python code that could resize it (only an
    // error's repr, right before it throws).
    PyObject** items = PySequence_Fast_ITEMS(o_);
    const auto n = static_cast<Py_ssize_t>(size());
    for (Py_ssize_t i = 0; i < n; ++i) f(PyNode(items[i], arena_));
  }
  bool string(std::string_view& out) const {
    if (!PyUnicode_Check(o_)) return false;
    Py_ssize_t size;
    const char* utf8 = PyUnicode_AsUTF8AndSize(o_, &size);
    if (!utf8) {  // lone surrogates: not text we can pass on
      PyErr_Clear();
      return false;
    }
    out = std::string_view(utf8, static_cast<std::size_t>(size));
    if (arena_) out = arena_->copy(out);
    return true;
  }
  bool boolean(bool& out) const {
    if (!PyBool_Check(o_)) return false;
    out = o_ == Py_True;
    return true;
  }
  IntRead integer(std::int64_t& out) const {
    if (!PyLong_Check(o_) || PyBool_Check(o_)) return IntRead::NotInteger;
    int overflow = 0;
    long long v = PyLong_AsLongLongAndOverflow(o_, &overflow);
    if (overflow) return IntRead::Overflow;
    if (v == -1 && PyErr_Occurred()) throw pybind11::error_already_set();
    out = v;
    return IntRead::Ok;
  }
  std::string describe() const {
    if (o_ == Py_None) return "null";
    if (o_ == Py_True) return "true";
    if (o_ == Py_False) return "false";
    if (PyDict_Check(o_)) return "an object";
    if (is_list()) return "a list";
    PyObject* r = PyObject_Repr(o_);
    if (!r) {
      PyErr_Clear();
      return std::string("a ") + Py_TYPE(o_)->tp_name;
    }
    std::string text = PyUnicode_AsUTF8(r) ? PyUnicode_AsUTF8(r) : "?";
    Py_DECREF(r);
    if (text.size() > 42) text = text.substr(0, host::utf8_prefix(text, 40)) + "...";
    if (!PyUnicode_Check(o_) && !PyLong_Check(o_) && !PyFloat_Check(o_))
      text += std::string(" (") + Py_TYPE(o_)->tp_name + ")";
    return text;
  }

 private:
  PyObject* o_;
  TextArena* arena_;
};

}  // namespace

std::string_view TextArena::copy(std::string_view s) {
  if (s.empty()) return {};
  if (s.size() > kBlock / 4) {  // large strings get a block of their own
    blocks_.insert(blocks_.begin(), std::make_unique<char[]>(s.size()));
    std::memcpy(blocks_.front().get(), s.data(), s.size());
    return {blocks_.front().get(), s.size()};
  }
  if (used_ + s.size() > kBlock) {
    blocks_.push_back(std::make_unique<char[]>(kBlock));
    used_ = 0;
  }
  char* dst = blocks_.back().get() + used_;
  std::memcpy(dst, s.data(), s.size());
  used_ += s.size();
  return {dst, s.size()};
}

void init_event_keys() {
  for (std::size_t i = 0; i < host::kKeyCount; ++i) {
    g_keys[i] = PyUnicode_InternFromString(host::kKeyNames[i]);
    if (!g_keys[i]) throw pybind11::error_already_set();
  }
}

void read_py_event(PyObject* obj, Event& ev, TextArena* arena) {
  ev.reset();
  host::EventReader<PyNode>::read(PyNode(obj, arena), ev);
}

}  // namespace shoprules::python
