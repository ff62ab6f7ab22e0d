// A small JSON-like value for action params: null, bool, integer, number, string, list, object.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <initializer_list>
#include <new>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shoprules/same_text.hpp"

namespace shoprules {

struct Member;

/// An action parameter's value. Money is always an Int in minor units, never a Number.
///
/// One kind is held at a time, in 40 bytes: rules build and move many values on every event. A
/// read of another kind gives the empty or zero value (`as_int()` of a string is 0, `items()` of
/// a number is empty); `items()` and `members()` to change a value need a list or an object.
class Value {
 public:
  enum class Kind : std::uint8_t { Null, Bool, Int, Number, String, List, Object };

  // Every member that creates or destroys a Value is defined below, once Member is complete:
  // std::vector<Member> needs it, and clang enforces that where gcc does not.
  Value();
  Value(bool b);
  Value(int i);
  Value(std::int64_t i);
  Value(double d);
  Value(const char* s);
  Value(std::string_view s);
  Value(std::string s);
  Value(const Value& other);
  Value(Value&& other) noexcept;
  Value& operator=(const Value& other);
  Value& operator=(Value&& other) noexcept;
  ~Value();

  static Value list();
  static Value object();
  /// A list of strings, e.g. skus or customer ids.
  template <class Range>
  static Value strings(const Range& items);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool as_bool() const { return holds_int() && int_ != 0; }
  std::int64_t as_int() const { return holds_int() ? int_ : 0; }
  double as_number() const {
    return kind_ == Kind::Int ? static_cast<double>(int_) : kind_ == Kind::Number ? number_ : 0;
  }
  const std::string& as_string() const;
  const std::vector<Value>& items() const;
  /// A list's items, to change. Throws std::logic_error on a value that is not a list.
  std::vector<Value>& items();
  const std::vector<Member>& members() const;
  /// An object's members, to change. Throws std::logic_error on a value that is not an object.
  std::vector<Member>& members();

  /// Appends to a list. Throws std::logic_error on a value that is not a list.
  Value& push(Value v);
  /// Sets a key of an object (replacing an existing one). Throws std::logic_error on a value
  /// that is not an object.
  Value& set(std::string_view key, Value v);
  /// The member of an object with this key, or nullptr (always for a value of another kind).
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);

  friend bool operator==(const Value& a, const Value& b);

 private:
  bool holds_int() const { return kind_ == Kind::Int || kind_ == Kind::Bool; }
  /// String, List and Object own memory; the kinds before them are a word copied as it is.
  bool owns() const { return kind_ >= Kind::String; }
  void destroy() noexcept;
  void destroy_owned() noexcept;
  void take(Value&& other) noexcept;
  void copy(const Value& other);
  [[noreturn]] static void not_a(const char* what);

  static constexpr std::size_t kStorage = sizeof(std::string);

  Kind kind_ = Kind::Null;
  union {
    // Every byte is set (zero, then the kind's value), so a scalar is moved or copied as bytes
    // and no byte of the storage is ever read unset.
    unsigned char raw_[kStorage] = {};
    std::int64_t int_;  // Bool (0 or 1) and Int
    double number_;
    std::string string_;
    std::vector<Value> list_;
    std::vector<Member> members_;
  };
};

struct Member {
  std::string key;
  Value value;

  Member() = default;
  Member(std::string_view k, const Value& v) : key(k), value(v) {}
  Member(std::string_view k, Value&& v) : key(k), value(std::move(v)) {}

  friend bool operator==(const Member& a, const Member& b) {
    return a.key == b.key && a.value == b.value;
  }
};

inline const Value* find_member(const std::vector<Member>& members, std::string_view key) {
  for (const auto& m : members)
    if (same_text(m.key, key)) return &m.value;
  return nullptr;
}

inline Value* find_member(std::vector<Member>& members, std::string_view key) {
  for (auto& m : members)
    if (same_text(m.key, key)) return &m.value;
  return nullptr;
}

namespace detail {

/// set_member without a copy of the value: rules set params on every event.
inline void put_member(std::vector<Member>& members, std::string_view key, Value&& v) {
  if (Value* existing = find_member(members, key)) {
    *existing = std::move(v);
    return;
  }
  if (members.empty()) members.reserve(4);  // most params and objects have a few members
  members.emplace_back(key, std::move(v));  // built in place: no empty member to overwrite
}

}  // namespace detail

inline void set_member(std::vector<Member>& members, std::string_view key, Value v) {
  detail::put_member(members, key, std::move(v));
}

static_assert(sizeof(std::vector<Value>) <= sizeof(std::string) &&
                  sizeof(std::vector<Member>) <= sizeof(std::string),
              "a Value's storage holds a string, a list or an object");

inline Value::Value() {}
inline Value::Value(bool b) : kind_(Kind::Bool) {
  int_ = b ? 1 : 0;
}
inline Value::Value(int i) : kind_(Kind::Int) {
  int_ = i;
}
inline Value::Value(std::int64_t i) : kind_(Kind::Int) {
  int_ = i;
}
inline Value::Value(double d) : kind_(Kind::Number) {
  number_ = d;
}
inline Value::Value(const char* s) : kind_(Kind::String), string_(s) {}
inline Value::Value(std::string_view s) : kind_(Kind::String), string_(s) {}
inline Value::Value(std::string s) : kind_(Kind::String), string_(std::move(s)) {}
inline Value::Value(const Value& other) {
  copy(other);
}
inline Value::Value(Value&& other) noexcept {
  take(std::move(other));
}
inline Value::~Value() {
  if (owns()) destroy_owned();
}

inline Value& Value::operator=(const Value& other) {
  if (this != &other) {
    Value copied(other);  // a throwing copy leaves this value as it was
    destroy();
    take(std::move(copied));
  }
  return *this;
}

inline Value& Value::operator=(Value&& other) noexcept {
  if (this != &other) {
    destroy();
    take(std::move(other));
  }
  return *this;
}

inline void Value::destroy() noexcept {
  if (owns()) destroy_owned();
  kind_ = Kind::Null;
  std::memset(raw_, 0, sizeof raw_);
}

inline void Value::destroy_owned() noexcept {
  switch (kind_) {
    case Kind::String:
      string_.~basic_string();
      break;
    case Kind::List:
      list_.~vector();
      break;
    case Kind::Object:
      members_.~vector();
      break;
    default:
      break;
  }
}

// Leaves `other` null. Called only on a value holding nothing to destroy.
inline void Value::take(Value&& other) noexcept {
  kind_ = other.kind_;
  if (!other.owns()) {
    std::memcpy(raw_, other.raw_, sizeof raw_);
    other.kind_ = Kind::Null;
    return;
  }
  switch (other.kind_) {
    case Kind::String:
      new (&string_) std::string(std::move(other.string_));
      break;
    case Kind::List:
      new (&list_) std::vector<Value>(std::move(other.list_));
      break;
    default:  // Object
      new (&members_) std::vector<Member>(std::move(other.members_));
      break;
  }
  other.destroy();
}

// Called only on a value holding nothing to destroy; a throw leaves it null.
inline void Value::copy(const Value& other) {
  switch (other.kind_) {
    case Kind::String:
      new (&string_) std::string(other.string_);
      break;
    case Kind::List:
      new (&list_) std::vector<Value>(other.list_);
      break;
    case Kind::Object:
      new (&members_) std::vector<Member>(other.members_);
      break;
    default:  // a scalar: its bytes
      std::memcpy(raw_, other.raw_, sizeof raw_);
      break;
  }
  kind_ = other.kind_;
}

inline void Value::not_a(const char* what) {
  throw std::logic_error(std::string("shoprules::Value: not ") + what);
}

inline const std::string& Value::as_string() const {
  static const std::string empty;
  return kind_ == Kind::String ? string_ : empty;
}

inline const std::vector<Value>& Value::items() const {
  static const std::vector<Value> empty;
  return kind_ == Kind::List ? list_ : empty;
}

inline std::vector<Value>& Value::items() {
  if (kind_ != Kind::List) not_a("a list");
  return list_;
}

inline const std::vector<Member>& Value::members() const {
  static const std::vector<Member> empty;
  return kind_ == Kind::Object ? members_ : empty;
}

inline std::vector<Member>& Value::members() {
  if (kind_ != Kind::Object) not_a("an object");
  return members_;
}

inline Value Value::list() {
  Value v;
  new (&v.list_) std::vector<Value>();
  v.kind_ = Kind::List;
  return v;
}

inline Value Value::object() {
  Value v;
  new (&v.members_) std::vector<Member>();
  v.kind_ = Kind::Object;
  return v;
}

template <class Range>
Value Value::strings(const Range& items) {
  Value v = list();
  for (const auto& item : items) v.list_.emplace_back(std::string_view(item));
  return v;
}

inline Value& Value::push(Value v) {
  items().push_back(std::move(v));
  return *this;
}

inline Value& Value::set(std::string_view key, Value v) {
  detail::put_member(members(), key, std::move(v));
  return *this;
}
inline const Value* Value::find(std::string_view key) const {
  return kind_ == Kind::Object ? find_member(members_, key) : nullptr;
}
inline Value* Value::find(std::string_view key) {
  return kind_ == Kind::Object ? find_member(members_, key) : nullptr;
}

inline bool operator==(const Value& a, const Value& b) {
  if (a.kind_ != b.kind_) return false;
  switch (a.kind_) {
    case Value::Kind::Null:
      return true;
    case Value::Kind::Bool:
    case Value::Kind::Int:
      return a.int_ == b.int_;
    case Value::Kind::Number:
      return a.number_ == b.number_;
    case Value::Kind::String:
      return a.string_ == b.string_;
    case Value::Kind::List:
      return a.list_ == b.list_;
    case Value::Kind::Object:
      return a.members_ == b.members_;
  }
  return false;
}

}  // namespace shoprules
