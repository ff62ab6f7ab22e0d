// The merge policy: keep the best of a type, or fold several into one.
#include "shoprules/host/merge.hpp"

#include <string_view>

namespace shoprules::host {
namespace {

int shipping_rank(const Action& a) {
  const Value* to = a.param("to");
  if (!to || to->kind() != Value::Kind::String) return -1;
  std::string_view s = to->as_string();
  return s == "standard" ? 0 : s == "expedited" ? 1 : s == "overnight" ? 2 : -1;
}

double coupon_value(const Action& a, std::int64_t subtotal) {
  if (const Value* amount = a.param("amount"); amount && amount->kind() == Value::Kind::Int)
    return static_cast<double>(amount->as_int());
  if (const Value* pct = a.param("percent");
      pct && (pct->kind() == Value::Kind::Int || pct->kind() == Value::Kind::Number))
    return pct->as_number() * static_cast<double>(subtotal) / 100.0;
  return 0;
}

void union_strings(Action& into, const Action& from, std::string_view key) {
  const Value* extra = from.param(key);
  if (!extra || extra->kind() != Value::Kind::List) return;
  Value* list = into.param(key);
  if (!list || list->kind() != Value::Kind::List) {
    into.set(key, *extra);
    return;
  }
  for (const Value& item : extra->items()) {
    bool present = false;
    for (const Value& have : list->items()) present = present || have == item;
    if (!present) list->push(item);
  }
}

std::vector<Action*> kept_of_type(ActionList& actions, std::string_view type) {
  std::vector<Action*> out;
  for (Action& a : actions)
    if (a.is_kept() && a.type == type) out.push_back(&a);
  return out;
}

template <class Score>
void keep_best(ActionList& actions, std::string_view type, const StoreConfig& snap,
               const char* loses_to, Score score) {
  auto group = kept_of_type(actions, type);
  if (group.size() < 2) return;
  Action* best = group[0];
  for (Action* a : group)
    if (score(*a) > score(*best)) best = a;
  for (Action* a : group) {
    if (a == best) continue;
    a->status = Action::Status::Merged;
    a->status_note = std::string(loses_to) + " from " + snap.rule_name(best->origin);
  }
}

template <class Fold>
void fold_into_first(ActionList& actions, std::string_view type, const StoreConfig& snap,
                     Fold fold) {
  auto group = kept_of_type(actions, type);
  if (group.size() < 2) return;
  Action* first = group[0];
  for (std::size_t i = 1; i < group.size(); ++i) {
    fold(*first, *group[i]);
    if (!group[i]->reason.empty()) first->reason += "; " + group[i]->reason;
    group[i]->status = Action::Status::Merged;
    group[i]->status_note = "combined into the one from " + snap.rule_name(first->origin);
  }
}

/// Several exchanges of the same returned line ship once: the first is kept.
void one_exchange_per_line(ActionList& actions, const StoreConfig& snap) {
  auto group = kept_of_type(actions, "exchange.ship");
  for (std::size_t i = 1; i < group.size(); ++i) {
    const Value* line = group[i]->param("returned_sku");
    for (std::size_t k = 0; k < i; ++k) {
      const Value* other = group[k]->param("returned_sku");
      if (!group[k]->is_kept() || !line || !other || !(*line == *other)) continue;
      group[i]->status = Action::Status::Merged;
      group[i]->status_note =
          "the same line is already exchanged by " + snap.rule_name(group[k]->origin);
      break;
    }
  }
}

}  // namespace

void merge_actions(ActionList& actions, const StoreConfig& snap, std::int64_t order_subtotal) {
  // Each policy changes only actions of its own type. Most evaluations have no two kept actions
  // of one such type: one pass counts them, and only a type with two or more is merged.
  enum Merged { Upgrade, Refund, Coupon, Award, Expire, Exchange, Vip, kMergedTypes };
  static constexpr std::string_view kType[kMergedTypes] = {
      "shipping.upgrade", "refund.issue",  "coupon.issue", "points.award",
      "points.expire",    "exchange.ship", "vip.grant"};
  std::size_t count[kMergedTypes] = {};
  bool any = false;
  for (const Action& a : actions) {
    if (!a.is_kept()) continue;
    for (std::size_t k = 0; k < kMergedTypes; ++k)
      if (a.type == kType[k]) {
        if (++count[k] > 1) any = true;
        break;
      }
  }
  if (!any) return;
  if (count[Upgrade] > 1)
    keep_best(actions, kType[Upgrade], snap, "replaced by the faster upgrade",
              [](const Action& a) { return shipping_rank(a); });
  if (count[Refund] > 1)
    keep_best(actions, kType[Refund], snap, "replaced by the larger refund",
              [](const Action& a) { return a.int_param("amount"); });
  if (count[Coupon] > 1)
    keep_best(actions, kType[Coupon], snap, "replaced by the more valuable coupon",
              [&](const Action& a) { return coupon_value(a, order_subtotal); });
  if (count[Award] > 1)
    fold_into_first(actions, kType[Award], snap, [](Action& into, const Action& from) {
      into.set("points", into.int_param("points") + from.int_param("points"));
    });
  if (count[Expire] > 1)
    keep_best(actions, kType[Expire], snap, "replaced by the larger expiry",
              [](const Action& a) { return a.int_param("points"); });
  if (count[Exchange] > 1) one_exchange_per_line(actions, snap);
  if (count[Vip] > 1)
    fold_into_first(actions, kType[Vip], snap, [](Action& into, const Action& from) {
      union_strings(into, from, "customers");
      union_strings(into, from, "benefits");
    });
}

}  // namespace shoprules::host
