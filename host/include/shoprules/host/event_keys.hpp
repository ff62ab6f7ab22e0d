// The field names of an event, as an enum so each input adapter can pre-build its keys once.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "shoprules/same_text.hpp"

namespace shoprules::host {

enum class Key : std::uint8_t {
  id,
  type,
  at,
  store,
  customer,
  order,
  shipment,
  return_,
  contact,
  inquiry,
  since,
  orders,
  lifetime_spend,
  returns,
  returned_value,
  tier,
  vip,
  points,
  household,
  goodwill_last_90d,
  tags,
  placed_at,
  currency,
  shipping,
  delivered_at,
  lines,
  sku,
  category,
  price,
  qty,
  final_sale,
  size,
  status,
  carrier_fault,
  days_late,
  needed_by,
  reason,
  refund_to,
  circumstances,
  channel,
  topic,
  public_,
  our_fault,
  in_stock,
  last_order_at,
  spend_12m,
  exchange_for,
  count_  // not a key
};

inline constexpr const char* kKeyNames[] = {
    "id",
    "type",
    "at",
    "store",
    "customer",
    "order",
    "shipment",
    "return",
    "contact",
    "inquiry",
    "since",
    "orders",
    "lifetime_spend",
    "returns",
    "returned_value",
    "tier",
    "vip",
    "points",
    "household",
    "goodwill_last_90d",
    "tags",
    "placed_at",
    "currency",
    "shipping",
    "delivered_at",
    "lines",
    "sku",
    "category",
    "price",
    "qty",
    "final_sale",
    "size",
    "status",
    "carrier_fault",
    "days_late",
    "needed_by",
    "reason",
    "refund_to",
    "circumstances",
    "channel",
    "topic",
    "public",
    "our_fault",
    "in_stock",
    "last_order_at",
    "spend_12m",
    "exchange_for",
};

inline constexpr std::size_t kKeyCount = static_cast<std::size_t>(Key::count_);
static_assert(sizeof(kKeyNames) / sizeof(kKeyNames[0]) == kKeyCount);

inline constexpr const char* key_name(Key k) {
  return kKeyNames[static_cast<std::size_t>(k)];
}

/// The key a field name is, if the event has one by that name: names bucketed by length and
/// first letter, so a field costs one short compare, mostly (JSON lines look up every field).
inline std::optional<Key> key_of(std::string_view name) {
  constexpr std::size_t kLongest = 24;
  constexpr std::size_t kPerBucket = 3;  // the most keys of one length and first letter
  struct Bucket {
    std::array<Key, kPerBucket> keys;
    std::uint8_t size = 0;
  };
  static const auto buckets = [] {
    std::array<Bucket, kLongest * 26> by{};
    for (std::size_t k = 0; k < kKeyCount; ++k) {
      const std::string_view key = kKeyNames[k];
      Bucket& b = by.at(key.size() * 26 + static_cast<std::size_t>(key[0] - 'a'));
      b.keys.at(b.size++) = static_cast<Key>(k);
    }
    return by;
  }();
  if (name.empty() || name.size() >= kLongest || name[0] < 'a' || name[0] > 'z')
    return std::nullopt;
  const Bucket& b = buckets[name.size() * 26 + static_cast<std::size_t>(name[0] - 'a')];
  for (std::uint8_t i = 0; i < b.size; ++i)
    if (same_bytes(key_name(b.keys[i]), name.data(), name.size())) return b.keys[i];
  return std::nullopt;
}

}  // namespace shoprules::host
