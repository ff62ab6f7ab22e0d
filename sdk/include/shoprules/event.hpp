// The typed event model a rule reads: customer, order, shipment, return, contact, inquiry.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace shoprules {

/// Text borrowed from the event; valid for the duration of one rule call.
using Text = std::string_view;

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z. `present` is false when the
/// event left the field out or set it to null.
struct Timestamp {
  std::int64_t seconds = 0;
  bool present = false;

  explicit operator bool() const { return present; }
};

inline constexpr std::int64_t kSecondsPerDay = 86400;

/// Whole days from `from` to `to`, rounded down (negative when `to` is earlier).
inline std::int64_t days_between(Timestamp from, Timestamp to) {
  std::int64_t diff = to.seconds - from.seconds;
  std::int64_t days = diff / kSecondsPerDay;
  if (diff % kSecondsPerDay < 0) --days;
  return days;
}

enum class EventType : std::uint8_t {
  Unknown,  ///< any type the SDK does not know; still reaches every plugin
  OrderPlaced,
  ShipmentException,
  ReturnRequested,
  ContactReceived,
  StockInquiry,
};

/// Shipping speeds, ordered from slowest to fastest.
enum class Shipping : std::uint8_t { Standard, Expedited, Overnight };

inline constexpr const char* shipping_name(Shipping s) {
  switch (s) {
    case Shipping::Standard:
      return "standard";
    case Shipping::Expedited:
      return "expedited";
    case Shipping::Overnight:
      return "overnight";
  }
  return "standard";
}

enum class ShipmentStatus : std::uint8_t { Unspecified, Lost, Late, Damaged, Misdelivered };
enum class RefundTo : std::uint8_t { Original, StoreCredit };
enum class Channel : std::uint8_t { Unspecified, Email, Phone, Chat, Social };
enum class Topic : std::uint8_t { Unspecified, Presale, Support, Complaint };

struct Customer {
  Text id;
  Timestamp since;
  std::int64_t orders = 0;
  std::int64_t lifetime_spend = 0;
  std::int64_t returns = 0;
  std::int64_t returned_value = 0;
  Text tier = "member";
  bool vip = false;
  std::int64_t points = 0;
  std::vector<Text> household;
  std::int64_t goodwill_last_90d = 0;
  std::vector<Text> tags;
  Timestamp last_order_at;     ///< the customer's last order before this event, if known
  std::int64_t spend_12m = 0;  ///< minor units over the 12 months before this event
  bool has_spend_12m = false;  ///< whether the profile carried spend_12m
};

struct OrderLine {
  Text sku;
  Text category;
  std::int64_t price = 0;  ///< minor units, per item
  std::int64_t qty = 1;
  bool final_sale = false;
  Text size;
};

struct Order {
  Text id;
  Timestamp placed_at;
  Text currency;
  Shipping shipping = Shipping::Standard;
  Timestamp delivered_at;
  std::vector<OrderLine> lines;
  std::int64_t subtotal = 0;  ///< sum of price x qty over the lines, computed by the host

  /// The first line with this sku, or nullptr.
  const OrderLine* find_line(Text sku) const {
    for (const auto& line : lines)
      if (line.sku == sku) return &line;
    return nullptr;
  }
};

struct Shipment {
  ShipmentStatus status = ShipmentStatus::Unspecified;
  bool carrier_fault = false;
  std::int64_t days_late = 0;
  Timestamp needed_by;
};

/// What a returned line is to be exchanged for; `present` is false for a plain return.
struct ExchangeFor {
  Text sku;
  Text size;
  bool present = false;

  explicit operator bool() const { return present; }
};

struct ReturnLine {
  Text sku;
  std::int64_t qty = 1;
  Text reason;
  ExchangeFor exchange_for;
};

struct Return {
  std::vector<ReturnLine> lines;
  RefundTo refund_to = RefundTo::Original;
  std::vector<Text> circumstances;
};

struct Contact {
  Channel channel = Channel::Unspecified;
  Topic topic = Topic::Unspecified;
  std::vector<Text> circumstances;
  bool is_public = false;
  bool our_fault = false;
};

struct Inquiry {
  Text sku;
  Text size;
  bool in_stock = true;
};

/// One event, as the host validated it. A section's `has_*` flag says whether the event carried it.
struct Event {
  Text id;
  Text type;
  EventType kind = EventType::Unknown;
  Timestamp at;
  Text store;  ///< the store the event names; empty for the config's main store

  bool has_customer = false;
  bool has_order = false;
  bool has_shipment = false;
  bool has_return = false;
  bool has_contact = false;
  bool has_inquiry = false;

  Customer customer;
  Order order;
  Shipment shipment;
  Return ret;
  Contact contact;
  Inquiry inquiry;

  /// True when `tag` is among the circumstances of the contact or of the return.
  bool has_circumstance(Text tag) const {
    if (has_contact)
      for (Text t : contact.circumstances)
        if (t == tag) return true;
    if (has_return)
      for (Text t : ret.circumstances)
        if (t == tag) return true;
    return false;
  }

  /// Clears every field but keeps the capacity of the lists, so a reused Event allocates nothing.
  void reset() {
    auto household = std::move(customer.household);
    auto tags = std::move(customer.tags);
    auto lines = std::move(order.lines);
    auto return_lines = std::move(ret.lines);
    auto return_circ = std::move(ret.circumstances);
    auto contact_circ = std::move(contact.circumstances);
    *this = Event{};
    household.clear();
    tags.clear();
    lines.clear();
    return_lines.clear();
    return_circ.clear();
    contact_circ.clear();
    customer.household = std::move(household);
    customer.tags = std::move(tags);
    order.lines = std::move(lines);
    ret.lines = std::move(return_lines);
    ret.circumstances = std::move(return_circ);
    contact.circumstances = std::move(contact_circ);
  }
};

}  // namespace shoprules
