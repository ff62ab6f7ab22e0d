// What a rule decides: actions with typed params and a reason, and the output a rule writes to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "shoprules/text.hpp"
#include "shoprules/value.hpp"

namespace shoprules {

/// One thing the shop should do for the customer.
struct Action {
  /// What became of the action after every rule ran. Only Kept actions reach the decision's
  /// actions; the others are recorded in its trace with `status_note` saying why.
  enum class Status : std::uint8_t { Kept, Merged, Dropped };

  std::string type;            ///< e.g. "refund.issue"; a third-party type is a dotted name
  std::vector<Member> params;  ///< in the order the rule set them
  std::string reason;          ///< human-readable, fit to read to a customer

  // Set by the host, not by rules.
  std::uint32_t origin = 0;  ///< which rule emitted it (an index into the host's rule table)
  Status status = Status::Kept;
  /// Whether the evaluation keeps reasons. False in a replay (`simulate`), whose report counts
  /// actions and money and shows no reason: `because` and `append_reason` then write nothing, so
  /// the reason stays empty and its pieces (a `money`, an integer) are never formatted.
  bool wants_reason = true;
  std::string status_note;

  /// Writes the reason from strings, integers and money, as `cat` joins them:
  ///     `out.emit("points.award").because(points, " points for an order of ",
  ///     shoprules::money(subtotal, currency))`. An action the host reuses keeps its reason's
  ///     storage, so a reason written this way usually costs no allocation; in a replay, which
  ///     keeps no reasons, it writes nothing.
  template <class... Parts>
  Action& because(const Parts&... parts) {
    if (wants_reason) assign(reason, parts...);
    return *this;
  }

  /// Adds to the reason (an earlier rule's, when amending its action), as `because` writes it.
  template <class... Parts>
  Action& append_reason(const Parts&... parts) {
    if (wants_reason) append(reason, parts...);
    return *this;
  }

  Action& set(std::string_view key, Value v) {
    detail::put_member(params, key, std::move(v));
    return *this;
  }
  const Value* param(std::string_view key) const { return find_member(params, key); }
  Value* param(std::string_view key) { return find_member(params, key); }
  std::int64_t int_param(std::string_view key, std::int64_t fallback = 0) const {
    const Value* v = param(key);
    return v && v->kind() == Value::Kind::Int ? v->as_int() : fallback;
  }
  bool is_kept() const { return status == Status::Kept; }

  /// Makes it a new action again, every field as a default Action has it, but keeping the
  /// strings' and the params' storage for what is written next (ActionList reuses actions so).
  void reset() {
    type.clear();
    params.clear();
    reason.clear();
    origin = 0;
    status = Status::Kept;
    wants_reason = true;
    status_note.clear();
  }
};

/// The actions of one evaluation, in order. Reads as a std::vector<Action> does (size, [],
/// begin/end, data), but keeps the actions it held past its end when it shrinks or is cleared:
/// the next emplace_back resets one of them and hands it out again, with its params' vector and
/// its strings' buffers, instead of making a new one. The host reuses one list for every event
/// of a replay, so an emitted action usually costs no allocation and no move.
class ActionList {
 public:
  ActionList() = default;
  ActionList(const ActionList& other) { *this = other; }
  ActionList(ActionList&& other) noexcept
      : slots_(std::move(other.slots_)),
        size_(std::exchange(other.size_, 0)),
        used_(std::exchange(other.used_, 0)) {}
  ActionList& operator=(const ActionList& other) {
    if (this != &other) {
      clear();
      for (const Action& a : other) push_back(a);
    }
    return *this;
  }
  ActionList& operator=(ActionList&& other) noexcept {
    if (this != &other) {
      slots_ = std::move(other.slots_);
      size_ = std::exchange(other.size_, 0);
      used_ = std::exchange(other.used_, 0);
      other.slots_.clear();
    }
    return *this;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  /// How many actions it holds: those in it, and those kept past its end for reuse.
  std::size_t capacity() const { return slots_.size(); }
  Action& operator[](std::size_t i) { return slots_[i]; }
  const Action& operator[](std::size_t i) const { return slots_[i]; }
  Action* data() { return slots_.data(); }
  const Action* data() const { return slots_.data(); }
  Action* begin() { return slots_.data(); }
  Action* end() { return slots_.data() + size_; }
  const Action* begin() const { return slots_.data(); }
  const Action* end() const { return slots_.data() + size_; }
  Action& front() { return slots_[0]; }
  Action& back() { return slots_[size_ - 1]; }
  const Action& back() const { return slots_[size_ - 1]; }

  /// A new action at the end, as a default-constructed one is. Like std::vector's, it may move
  /// the actions already in the list.
  Action& emplace_back() {
    if (size_ == slots_.size()) {
      slots_.emplace_back();
      used_ = ++size_;
      return slots_.back();
    }
    Action& a = slots_[size_++];
    if (size_ > used_) used_ = size_;
    a.reset();
    return a;
  }
  /// Adds a copy of `a` (or `a` itself, moved), which may be one of this list's own actions.
  void push_back(const Action& a) {
    if (holds(a)) return push_back(Action(a));  // emplace_back may move or reset it
    emplace_back() = a;
  }
  void push_back(Action&& a) {
    if (holds(a)) return push_back(Action(std::move(a)));
    emplace_back() = std::move(a);
  }
  /// Ends the list at `n` actions (kept for reuse), or adds default ones up to `n`.
  void resize(std::size_t n) {
    if (n <= size_) {
      size_ = n;
      return;
    }
    while (size_ < n) emplace_back();
  }
  void reserve(std::size_t n) { slots_.reserve(n); }
  /// Empties the list, keeping its actions for reuse.
  void clear() { size_ = 0; }

  /// Empties the list, keeping at most `max_kept` of its actions for reuse, and none whose
  /// reason or params took more than `max_reason_bytes` or `max_params`: a bound on what an
  /// unusual evaluation leaves held. What the kept ones' params hold is freed now. Every action
  /// handed out since the last recycle is seen, also one a shrinking resize or clear() left.
  void recycle(std::size_t max_kept, std::size_t max_reason_bytes, std::size_t max_params) {
    for (std::size_t i = 0; i < used_; ++i) {
      Action& a = slots_[i];
      if (a.reason.capacity() > max_reason_bytes || a.params.capacity() > max_params) {
        std::destroy_at(&a);  // frees its storage, which assigning a new action would not
        std::construct_at(&a);
      } else {
        a.params.clear();
      }
    }
    if (slots_.size() > max_kept) slots_.resize(max_kept);
    size_ = used_ = 0;
  }

 private:
  bool holds(const Action& a) const {
    return std::less_equal<const Action*>()(slots_.data(), &a) &&
           std::less<const Action*>()(&a, slots_.data() + slots_.size());
  }

  std::vector<Action> slots_;  ///< [0, size_) in the list; the rest kept for reuse
  std::size_t size_ = 0;
  std::size_t used_ = 0;  ///< slots handed out since the last recycle: [0, used_) may hold data
};

/// Where a rule writes what it decided. It sees every action earlier rules emitted in this
/// evaluation, so a rule may amend one (set a param, extend the reason) instead of adding its own.
class RuleOutput {
 public:
  /// `reasons`: whether this evaluation keeps reasons (false in a replay).
  RuleOutput(ActionList& actions, std::string& note, bool reasons = true)
      : actions_(&actions), note_(&note), first_own_(actions.size()), reasons_(reasons) {}

  /// Whether this evaluation keeps the actions' reasons. A replay (`simulate`) does not: its
  /// report counts actions and money. `because`, `append_reason` and the emits with a reason then
  /// write nothing; a rule may also skip work it does only to explain. Decide nothing by it, nor
  /// by the text of a reason: a replay must decide as an evaluation does.
  bool reasons() const { return reasons_; }

  /// Adds an action and returns it so params can be set: `out.emit("points.award", why).set(...)`.
  Action& emit(std::string_view type, std::string reason) {
    Action& a = add(type);
    if (reasons_) a.reason = std::move(reason);
    return a;
  }

  /// The same, with a reason that is a string literal: copied into storage an earlier evaluation's
  /// action left behind, where there is one, instead of a new string.
  template <std::size_t N>
  Action& emit(std::string_view type, const char (&reason)[N]) {
    Action& a = add(type);
    if (reasons_) a.reason.assign(reason);
    return a;
  }

  /// Adds an action with an empty reason; write it with `because`:
  /// `out.emit("points.award").because(points, " points for an order of ", money)`. Like every
  /// emit, it may move the actions already emitted: copy what `because` quotes of another action
  /// (its reason, a param's text) before emitting, not a reference to it.
  Action& emit(std::string_view type) { return add(type); }

  /// Says why the rule did nothing. Takes a string literal: the host keeps the plugin loaded, so
  /// the text stays valid without a copy.
  template <std::size_t N>
  void skip(const char (&why)[N]) {
    skip_why_ = why;
  }

  /// Records what the rule did when it amended or dropped actions instead of emitting one.
  void note(std::string what) {
    if (!note_->empty()) note_->append("; ");
    note_->append(what);
  }

  /// The same from strings, integers and money, joined as `cat` joins them, with no string of
  /// their own: `out.note("bonus of ", bonus, " on refund.issue")`. A literal alone comes here too.
  template <class... Parts>
  void note(const Parts&... parts) {
    if (!note_->empty()) note_->append("; ");
    append(*note_, parts...);
  }

  /// Takes an action out of the decision, keeping it in the trace with the reason.
  void drop(Action& action, std::string why) {
    action.status = Action::Status::Dropped;
    action.status_note = std::move(why);
  }

  /// Every action so far in this evaluation, including dropped and merged ones.
  ActionList& actions() {
    reached_back_ = true;
    return *actions_;
  }

  /// The first kept action of this type, or nullptr.
  Action* find(std::string_view type) {
    reached_back_ = true;
    return const_cast<Action*>(seen(type));  // the actions are the rule's to change
  }

  /// Every action so far in this evaluation, to read only. After a rule that took actions() or
  /// find(), the host checks every earlier action again, since the rule may have changed any; a
  /// rule that only reads them with seen() spares it that.
  const ActionList& seen() const { return *actions_; }

  /// The first kept action of this type, to read only, or nullptr.
  const Action* seen(std::string_view type) const {
    for (const auto& a : *actions_)
      if (a.is_kept() && same_text(a.type, type)) return &a;
    return nullptr;
  }

  // For the host.
  std::size_t first_own() const { return first_own_; }
  std::size_t emitted() const { return actions_->size() - first_own_; }
  const char* skip_why() const { return skip_why_; }
  bool noted() const { return !note_->empty(); }
  /// Whether the rule could have changed actions earlier rules emitted.
  bool reached_back() const { return reached_back_; }

 private:
  /// A new kept action of this type, with no params and no reason, in storage an earlier
  /// evaluation's action left behind where there is one.
  Action& add(std::string_view type) {
    Action& a = actions_->emplace_back();
    a.type.assign(type);
    a.wants_reason = reasons_;
    return a;
  }

  ActionList* actions_;
  std::string* note_;
  std::size_t first_own_;
  const char* skip_why_ = nullptr;
  bool reached_back_ = false;
  bool reasons_;
};

}  // namespace shoprules
