// Reading and validating an event from any tree-shaped input (JSON, Python objects) into an Event.
//
// A Node adapter provides: is_null(), is_object(), is_list(), get(Key) -> std::optional<Node>,
// size(), each(f) (calls f(Node) for every list item, in order), string(std::string_view&),
// boolean(bool&), integer(std::int64_t&) -> IntRead,
// and describe() for error messages; optionally seconds(std::int64_t&) -> bool for typed times.
// Strings the adapter returns must outlive the Event.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "shoprules/event.hpp"
#include "shoprules/host/errors.hpp"
#include "shoprules/host/event_keys.hpp"
#include "shoprules/host/limits.hpp"
#include "shoprules/host/time.hpp"
#include "shoprules/same_text.hpp"

namespace shoprules::host {

enum class IntRead : std::uint8_t { Ok, NotInteger, Overflow };

/// Where in the event a value sits; formatted only when an error is reported.
struct EventPath {
  const EventPath* parent = nullptr;
  const char* key = nullptr;
  std::int64_t index = -1;

  EventPath child(Key k) const { return EventPath{this, key_name(k), -1}; }
  EventPath item(std::size_t i) const {
    return EventPath{this, nullptr, static_cast<std::int64_t>(i)};
  }
  std::string str() const {
    std::string out = parent ? parent->str() : std::string();
    if (key) {
      if (!out.empty()) out += '.';
      out += key;
    } else if (index >= 0) {
      out += '[' + std::to_string(index) + ']';
    }
    return out;
  }
};

template <class Node>
class EventReader {
 public:
  /// Fills `ev` (which should be reset) from `root`; throws InvalidEventError naming the field.
  static void read(const Node& root, Event& ev) {
    EventPath path;
    if (!root.is_object()) fail(path, "expected an event object, got " + root.describe());
    ev.id = required_string(root, Key::id, path);
    ev.type = required_string(root, Key::type, path);
    ev.at = time(root, Key::at, path, true);
    if (auto store = optional_string(root, Key::store, path)) ev.store = *store;
    ev.kind = kind_of(ev.type);

    const bool needs_order = ev.kind == EventType::OrderPlaced ||
                             ev.kind == EventType::ShipmentException ||
                             ev.kind == EventType::ReturnRequested;
    if (auto n = section(root, Key::customer, path, ev.kind != EventType::Unknown, ev.type)) {
      ev.has_customer = true;
      read_customer(*n, path.child(Key::customer), ev.customer);
    }
    if (auto n = section(root, Key::order, path, needs_order, ev.type)) {
      ev.has_order = true;
      read_order(*n, path.child(Key::order), ev.order, ev.kind == EventType::ReturnRequested);
    }
    if (auto n =
            section(root, Key::shipment, path, ev.kind == EventType::ShipmentException, ev.type)) {
      ev.has_shipment = true;
      read_shipment(*n, path.child(Key::shipment), ev.shipment);
    }
    if (auto n =
            section(root, Key::return_, path, ev.kind == EventType::ReturnRequested, ev.type)) {
      ev.has_return = true;
      read_return(*n, path.child(Key::return_), ev.ret);
      check_exchanges(ev, path.child(Key::return_));
    }
    if (auto n =
            section(root, Key::contact, path, ev.kind == EventType::ContactReceived, ev.type)) {
      ev.has_contact = true;
      read_contact(*n, path.child(Key::contact), ev.contact);
    }
    if (auto n = section(root, Key::inquiry, path, ev.kind == EventType::StockInquiry, ev.type)) {
      ev.has_inquiry = true;
      read_inquiry(*n, path.child(Key::inquiry), ev.inquiry);
    }
  }

  static EventType kind_of(std::string_view type) {
    if (same_text(type, "order.placed")) return EventType::OrderPlaced;
    if (same_text(type, "shipment.exception")) return EventType::ShipmentException;
    if (same_text(type, "return.requested")) return EventType::ReturnRequested;
    if (same_text(type, "contact.received")) return EventType::ContactReceived;
    if (same_text(type, "stock.inquiry")) return EventType::StockInquiry;
    return EventType::Unknown;
  }

 private:
  [[noreturn]] static void fail(const EventPath& path, const std::string& problem) {
    throw InvalidEventError(path.str(), problem);
  }

  // The failures of the field readers below, out of line: a field read well builds no message,
  // and its reader carries no code that would.
  [[noreturn, gnu::cold, gnu::noinline]] static void fail_at(const EventPath& path, Key k,
                                                             const char* problem) {
    fail(path.child(k), problem);
  }
  [[noreturn, gnu::cold, gnu::noinline]] static void fail_got(const EventPath& path,
                                                              const char* expected,
                                                              const Node& got) {
    fail(path, std::string("expected ") + expected + ", got " + got.describe());
  }
  [[noreturn, gnu::cold, gnu::noinline]] static void fail_got(const EventPath& path, Key k,
                                                              const char* expected,
                                                              const Node& got) {
    fail_got(path.child(k), expected, got);
  }

  static std::optional<Node> present(const Node& obj, Key k) {
    auto n = obj.get(k);
    if (n && n->is_null()) return std::nullopt;
    return n;
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void fail_section(const EventPath& path, Key k,
                                                                  std::string_view type) {
    fail(path.child(k), "is required for a " + std::string(type) + " event");
  }

  static std::optional<Node> section(const Node& root, Key k, const EventPath& path, bool needed,
                                     std::string_view type) {
    auto n = present(root, k);
    if (!n) {
      if (needed) fail_section(path, k, type);
      return std::nullopt;
    }
    if (!n->is_object()) fail_got(path, k, "an object", *n);
    return n;
  }

  static std::string_view required_string(const Node& obj, Key k, const EventPath& path) {
    auto s = optional_string(obj, k, path);
    if (!s) fail_at(path, k, "is required");
    return *s;
  }

  static std::optional<std::string_view> optional_string(const Node& obj, Key k,
                                                         const EventPath& path) {
    auto n = present(obj, k);
    if (!n) return std::nullopt;
    std::string_view s;
    if (!n->string(s)) fail_got(path, k, "a string", *n);
    check_text(s, path.child(k));
    return s;
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void fail_long(const EventPath& path,
                                                               std::size_t size) {
    fail(path, "expected at most " + std::to_string(kMaxTextBytes) + " bytes of text, got " +
                   std::to_string(size));
  }

  static void check_text(std::string_view s, const EventPath& path) {
    if (s.size() > kMaxTextBytes) [[unlikely]]
      fail_long(path, s.size());
  }

  static void check_count(std::size_t count, std::size_t max, const EventPath& path) {
    if (count > max)
      fail(path,
           "expected at most " + std::to_string(max) + " items, got " + std::to_string(count));
  }

  static bool flag(const Node& obj, Key k, const EventPath& path, bool fallback) {
    auto n = present(obj, k);
    if (!n) return fallback;
    bool b;
    if (!n->boolean(b)) fail_got(path, k, "true or false", *n);
    return b;
  }

  /// A non-negative integer (`min` 0), or a count starting at `min`.
  static std::int64_t integer(const Node& obj, Key k, const EventPath& path, bool required,
                              std::int64_t fallback, std::int64_t min, const char* what) {
    auto n = present(obj, k);
    if (!n) {
      if (required) fail_at(path, k, "is required");
      return fallback;
    }
    std::int64_t v;
    IntRead r = n->integer(v);
    if (r != IntRead::Ok || v < min) fail_got(path, k, what, *n);
    return v;
  }

  static Timestamp time(const Node& obj, Key k, const EventPath& path, bool required) {
    auto n = present(obj, k);
    if (!n) {
      if (required) fail_at(path, k, "is required");
      return {};
    }
    Timestamp t;
    if constexpr (requires(std::int64_t & out) { n->seconds(out); }) {
      if (n->seconds(t.seconds)) {  // an input with typed times (Arrow timestamps)
        t.present = true;
        return t;
      }
    }
    std::string_view s;
    if (!n->string(s) || !parse_time(s, t.seconds))
      fail_got(path, k, "an ISO-8601 time such as 2026-11-23T10:00:00Z", *n);
    t.present = true;
    return t;
  }

  static void strings(const Node& obj, Key k, const EventPath& path, std::vector<Text>& out) {
    auto n = present(obj, k);
    if (!n) return;
    EventPath here = path.child(k);
    if (!n->is_list()) fail_got(here, "a list of strings", *n);
    std::size_t count = n->size();
    check_count(count, kMaxListItems, here);
    out.reserve(count);
    std::size_t i = 0;
    n->each([&](const Node& item) {
      std::string_view s;
      if (!item.string(s)) fail_got(here.item(i), "a string", item);
      check_text(s, here.item(i++));
      out.push_back(s);
    });
  }

  /// Reads the required list of objects at `k` into `out`, one `read(item, path, element)` each.
  /// `list_what` and `item_what` name what is expected, as "a list of order lines" and "an order
  /// line object".
  template <class T, class Read>
  static void objects(const Node& obj, Key k, const EventPath& path, const char* list_what,
                      const char* item_what, std::vector<T>& out, Read read) {
    auto list = present(obj, k);
    EventPath lp = path.child(k);
    if (!list) fail(lp, "is required");
    if (!list->is_list()) fail_got(lp, list_what, *list);
    const std::size_t count = list->size();
    check_count(count, kMaxLines, lp);
    out.reserve(count);
    std::size_t i = 0;
    list->each([&](const Node& item) {
      EventPath ip = lp.item(i++);
      if (!item.is_object()) fail_got(ip, item_what, item);
      read(item, ip, out.emplace_back());
    });
  }

  template <class Enum, std::size_t N>
  static Enum choice(const Node& obj, Key k, const EventPath& path, Enum fallback,
                     const std::string_view (&names)[N], const Enum (&values)[N]) {
    auto s = optional_string(obj, k, path);
    if (!s) return fallback;
    for (std::size_t i = 0; i < N; ++i)
      if (same_text(*s, names[i])) return values[i];
    fail_choice(path, k, *s, names, N);
  }

  [[noreturn, gnu::cold, gnu::noinline]] static void fail_choice(const EventPath& path, Key k,
                                                                 std::string_view got,
                                                                 const std::string_view* names,
                                                                 std::size_t n) {
    std::string expected;
    for (std::size_t i = 0; i < n; ++i) expected += (i ? ", " : "") + std::string(names[i]);
    fail(path.child(k), "expected one of " + expected + ", got \"" + std::string(got) + "\"");
  }

  static void read_customer(const Node& n, const EventPath& p, Customer& c) {
    static constexpr const char* kAmount = "a non-negative integer (minor units)";
    static constexpr const char* kCount = "a non-negative integer";
    c.id = required_string(n, Key::id, p);
    c.since = time(n, Key::since, p, false);
    c.orders = integer(n, Key::orders, p, false, 0, 0, kCount);
    c.lifetime_spend = integer(n, Key::lifetime_spend, p, false, 0, 0, kAmount);
    c.returns = integer(n, Key::returns, p, false, 0, 0, kCount);
    c.returned_value = integer(n, Key::returned_value, p, false, 0, 0, kAmount);
    if (auto tier = optional_string(n, Key::tier, p)) c.tier = *tier;
    c.vip = flag(n, Key::vip, p, false);
    c.points = integer(n, Key::points, p, false, 0, 0, kCount);
    strings(n, Key::household, p, c.household);
    c.goodwill_last_90d = integer(n, Key::goodwill_last_90d, p, false, 0, 0, kAmount);
    strings(n, Key::tags, p, c.tags);
    c.last_order_at = time(n, Key::last_order_at, p, false);
    if (present(n, Key::spend_12m)) {
      c.spend_12m = integer(n, Key::spend_12m, p, false, 0, 0, kAmount);
      c.has_spend_12m = true;
    }
  }

  static void read_order(const Node& n, const EventPath& p, Order& o, bool needs_delivery) {
    static constexpr std::string_view kNames[] = {"standard", "expedited", "overnight"};
    static constexpr Shipping kValues[] = {Shipping::Standard, Shipping::Expedited,
                                           Shipping::Overnight};
    o.id = required_string(n, Key::id, p);
    o.placed_at = time(n, Key::placed_at, p, false);
    o.currency = required_string(n, Key::currency, p);
    o.shipping = choice(n, Key::shipping, p, Shipping::Standard, kNames, kValues);
    o.delivered_at = time(n, Key::delivered_at, p, needs_delivery);

    std::int64_t subtotal = 0;
    objects(n, Key::lines, p, "a list of order lines", "an order line object", o.lines,
            [&](const Node& item, const EventPath& ip, OrderLine& line) {
              line.sku = required_string(item, Key::sku, ip);
              if (auto c = optional_string(item, Key::category, ip)) line.category = *c;
              line.price =
                  integer(item, Key::price, ip, true, 0, 0, "a non-negative integer (minor units)");
              line.qty = integer(item, Key::qty, ip, true, 1, 1, "an integer >= 1");
              line.final_sale = flag(item, Key::final_sale, ip, false);
              if (auto s = optional_string(item, Key::size, ip)) line.size = *s;
              std::int64_t total;
              if (__builtin_mul_overflow(line.price, line.qty, &total) ||
                  __builtin_add_overflow(subtotal, total, &subtotal))
                fail(ip, "price x qty overflows the order subtotal");
            });
    o.subtotal = subtotal;
  }

  static void read_shipment(const Node& n, const EventPath& p, Shipment& s) {
    static constexpr std::string_view kNames[] = {"lost", "late", "damaged", "misdelivered"};
    static constexpr ShipmentStatus kValues[] = {ShipmentStatus::Lost, ShipmentStatus::Late,
                                                 ShipmentStatus::Damaged,
                                                 ShipmentStatus::Misdelivered};
    s.status = choice(n, Key::status, p, ShipmentStatus::Unspecified, kNames, kValues);
    s.carrier_fault = flag(n, Key::carrier_fault, p, false);
    s.days_late = integer(n, Key::days_late, p, false, 0, 0, "a non-negative integer");
    s.needed_by = time(n, Key::needed_by, p, false);
  }

  static void read_return(const Node& n, const EventPath& p, Return& r) {
    static constexpr std::string_view kNames[] = {"original", "store_credit"};
    static constexpr RefundTo kValues[] = {RefundTo::Original, RefundTo::StoreCredit};
    objects(n, Key::lines, p, "a list of return lines", "a return line object", r.lines,
            [&](const Node& item, const EventPath& ip, ReturnLine& line) {
              line.sku = required_string(item, Key::sku, ip);
              line.qty = integer(item, Key::qty, ip, false, 1, 1, "an integer >= 1");
              if (auto reason = optional_string(item, Key::reason, ip)) line.reason = *reason;
              read_exchange(item, ip, line.exchange_for);
            });
    r.refund_to = choice(n, Key::refund_to, p, RefundTo::Original, kNames, kValues);
    strings(n, Key::circumstances, p, r.circumstances);
  }

  /// An exchange ships a new item for one that comes back, so the line must be one that was bought.
  static void check_exchanges(const Event& ev, const EventPath& p) {
    const EventPath lines = p.child(Key::lines);
    for (std::size_t i = 0; i < ev.ret.lines.size(); ++i) {
      const ReturnLine& line = ev.ret.lines[i];
      if (line.exchange_for && !(ev.has_order && ev.order.find_line(line.sku)))
        fail(lines.item(i).child(Key::exchange_for),
             "an exchange needs the returned line on the order, and sku \"" +
                 std::string(line.sku) + "\" is not on it");
    }
  }

  /// A return line's optional `exchange_for: {"sku", "size"}` (sku required, size optional).
  static void read_exchange(const Node& line, const EventPath& p, ExchangeFor& x) {
    auto n = present(line, Key::exchange_for);
    if (!n) return;
    EventPath here = p.child(Key::exchange_for);
    if (!n->is_object())
      fail(here, "expected an object such as {\"sku\": \"SH-1\", \"size\": \"10\"}, got " +
                     n->describe());
    x.sku = required_string(*n, Key::sku, here);
    if (x.sku.empty()) fail(here.child(Key::sku), "expected a sku, got \"\"");
    if (auto size = optional_string(*n, Key::size, here)) x.size = *size;
    x.present = true;
  }

  static void read_contact(const Node& n, const EventPath& p, Contact& c) {
    static constexpr std::string_view kChannels[] = {"email", "phone", "chat", "social"};
    static constexpr Channel kChannelValues[] = {Channel::Email, Channel::Phone, Channel::Chat,
                                                 Channel::Social};
    static constexpr std::string_view kTopics[] = {"presale", "support", "complaint"};
    static constexpr Topic kTopicValues[] = {Topic::Presale, Topic::Support, Topic::Complaint};
    c.channel = choice(n, Key::channel, p, Channel::Unspecified, kChannels, kChannelValues);
    c.topic = choice(n, Key::topic, p, Topic::Unspecified, kTopics, kTopicValues);
    strings(n, Key::circumstances, p, c.circumstances);
    c.is_public = flag(n, Key::public_, p, false);
    c.our_fault = flag(n, Key::our_fault, p, false);
  }

  static void read_inquiry(const Node& n, const EventPath& p, Inquiry& q) {
    if (auto sku = optional_string(n, Key::sku, p)) q.sku = *sku;
    if (auto size = optional_string(n, Key::size, p)) q.size = *size;
    q.in_stock = flag(n, Key::in_stock, p, true);
  }
};

}  // namespace shoprules::host
