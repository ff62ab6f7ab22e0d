// The compact binary form of events, actions and trace entries that crosses to a worker and back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>
#include <vector>

#include "shoprules/action.hpp"
#include "shoprules/event.hpp"
#include "shoprules/host/decision.hpp"

namespace shoprules::host::wire {

/// Appends to a fixed area (shared memory); `ok()` turns false, for good, once it would overflow.
class Writer {
 public:
  Writer(char* data, std::size_t capacity) : data_(data), capacity_(capacity) {}
  void bytes(const void* p, std::size_t n) {
    if (n == 0) return;  // an empty string_view may hold a null pointer, which memcpy may not get
    if (!ok_ || n > capacity_ - size_) {
      ok_ = false;
      return;
    }
    std::memcpy(data_ + size_, p, n);
    size_ += n;
  }
  template <class T>
  void pod(T v) {
    bytes(&v, sizeof v);
  }
  void u8(std::uint8_t v) { pod(v); }
  void u32(std::uint32_t v) { pod(v); }
  void i64(std::int64_t v) { pod(v); }
  void str(std::string_view s) {
    u32(static_cast<std::uint32_t>(s.size()));
    bytes(s.data(), s.size());
  }
  bool ok() const { return ok_; }
  std::size_t size() const { return size_; }

 private:
  char* data_;
  std::size_t capacity_;
  std::size_t size_ = 0;
  bool ok_ = true;
};

/// Reads what a Writer wrote, checking every length against the area: a worker that scribbled
/// over its shared memory makes `ok()` false, never a read out of bounds.
class Reader {
 public:
  Reader(const char* data, std::size_t size) : data_(data), size_(size) {}
  bool bytes(void* p, std::size_t n) {
    if (!ok_ || n > size_ - pos_) return ok_ = false;
    std::memcpy(p, data_ + pos_, n);
    pos_ += n;
    return true;
  }
  template <class T>
  T pod() {
    T v{};
    bytes(&v, sizeof v);
    return v;
  }
  std::uint8_t u8() { return pod<std::uint8_t>(); }
  std::uint32_t u32() { return pod<std::uint32_t>(); }
  std::int64_t i64() { return pod<std::int64_t>(); }
  /// A view into the area itself: valid while the area is.
  std::string_view str() {
    const std::uint32_t n = u32();
    if (!ok_ || n > size_ - pos_) {
      ok_ = false;
      return {};
    }
    std::string_view s(data_ + pos_, n);
    pos_ += n;
    return s;
  }
  /// A count of items that each take at least `min_bytes`: bounded by what is left.
  std::uint32_t count(std::size_t min_bytes) {
    const std::uint32_t n = u32();
    if (!ok_ || n > (size_ - pos_) / min_bytes) {
      ok_ = false;
      return 0;
    }
    return n;
  }
  bool ok() const { return ok_; }
  std::size_t remaining() const { return size_ - pos_; }
  /// True, and past them, when the next `n` bytes are those of `p`; else false, not moved.
  bool skip_if_equal(const void* p, std::size_t n) {
    if (!ok_ || n > size_ - pos_ || (n && std::memcmp(data_ + pos_, p, n) != 0)) return false;
    pos_ += n;
    return true;
  }

 private:
  const char* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

void write_event(Writer& w, const Event& ev);
/// Fills `ev` (reset first); its text points into the reader's area.
bool read_event(Reader& r, Event& ev);

void write_actions(Writer& w, const ActionList& actions);
bool read_actions(Reader& r, ActionList& actions);
/// One action, as write_actions writes each after the count; read_action overwrites all of `a`.
void write_action(Writer& w, const Action& a);
bool read_action(Reader& r, Action& a);
/// Reads `n` actions (their count already read) into actions[0, n), reusing what they held.
bool read_action_items(Reader& r, ActionList& actions, std::uint32_t n);

void write_value(Writer& w, const Value& v);
bool read_value(Reader& r, Value& v, int depth = 0);

}  // namespace shoprules::host::wire
