// The field names of an event, as an enum so each input adapter can pre-build its keys once.
#pragma once

#include <cstddef>
#include <cstdint>

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

}  // namespace shoprules::host
