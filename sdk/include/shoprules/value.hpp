// A small JSON-like value for action params: null, bool, integer, number, string, list, object.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace shoprules {

struct Member;

/// An action parameter's value. Money is always an Int in minor units, never a Number.
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

  static Value list();
  static Value object();
  /// A list of strings, e.g. skus or customer ids.
  template <class Range>
  static Value strings(const Range& items);

  Kind kind() const { return kind_; }
  bool is_null() const { return kind_ == Kind::Null; }
  bool as_bool() const { return int_ != 0; }
  std::int64_t as_int() const { return int_; }
  double as_number() const { return kind_ == Kind::Int ? static_cast<double>(int_) : number_; }
  const std::string& as_string() const { return string_; }
  const std::vector<Value>& items() const { return list_; }
  std::vector<Value>& items() { return list_; }
  const std::vector<Member>& members() const { return members_; }
  std::vector<Member>& members() { return members_; }

  /// Appends to a list.
  Value& push(Value v);
  /// Sets a key of an object (replacing an existing one).
  Value& set(std::string_view key, Value v);
  /// The member of an object with this key, or nullptr.
  const Value* find(std::string_view key) const;
  Value* find(std::string_view key);

  friend bool operator==(const Value& a, const Value& b);

 private:
  Kind kind_ = Kind::Null;
  std::int64_t int_ = 0;
  double number_ = 0;
  std::string string_;
  std::vector<Value> list_;
  std::vector<Member> members_;
};

struct Member {
  std::string key;
  Value value;

  friend bool operator==(const Member& a, const Member& b) {
    return a.key == b.key && a.value == b.value;
  }
};

inline const Value* find_member(const std::vector<Member>& members, std::string_view key) {
  for (const auto& m : members)
    if (m.key == key) return &m.value;
  return nullptr;
}

inline Value* find_member(std::vector<Member>& members, std::string_view key) {
  for (auto& m : members)
    if (m.key == key) return &m.value;
  return nullptr;
}

inline void set_member(std::vector<Member>& members, std::string_view key, Value v) {
  if (Value* existing = find_member(members, key)) {
    *existing = std::move(v);
    return;
  }
  if (members.empty()) members.reserve(4);  // most params and objects have a few members
  Member& m = members.emplace_back();
  m.key.assign(key);
  m.value = std::move(v);
}

inline Value::Value() = default;
inline Value::Value(bool b) : kind_(Kind::Bool), int_(b ? 1 : 0) {}
inline Value::Value(int i) : kind_(Kind::Int), int_(i) {}
inline Value::Value(std::int64_t i) : kind_(Kind::Int), int_(i) {}
inline Value::Value(double d) : kind_(Kind::Number), number_(d) {}
inline Value::Value(const char* s) : kind_(Kind::String), string_(s) {}
inline Value::Value(std::string_view s) : kind_(Kind::String), string_(s) {}
inline Value::Value(std::string s) : kind_(Kind::String), string_(std::move(s)) {}

inline Value Value::list() {
  Value v;
  v.kind_ = Kind::List;
  return v;
}

inline Value Value::object() {
  Value v;
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
  list_.push_back(std::move(v));
  return *this;
}

inline Value& Value::set(std::string_view key, Value v) {
  set_member(members_, key, std::move(v));
  return *this;
}
inline const Value* Value::find(std::string_view key) const {
  return find_member(members_, key);
}
inline Value* Value::find(std::string_view key) {
  return find_member(members_, key);
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
