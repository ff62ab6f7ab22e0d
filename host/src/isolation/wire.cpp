// Encoding and decoding of the typed event and of actions for the worker channel.
#include "wire.hpp"

#include <string>

namespace shoprules::host::wire {
namespace {

void time(Writer& w, Timestamp t) {
  w.i64(t.seconds);
  w.u8(t.present);
}
Timestamp time(Reader& r) {
  Timestamp t;
  t.seconds = r.i64();
  t.present = r.u8() != 0;
  return t;
}

void texts(Writer& w, const std::vector<Text>& list) {
  w.u32(static_cast<std::uint32_t>(list.size()));
  for (Text t : list) w.str(t);
}
void texts(Reader& r, std::vector<Text>& list) {
  const std::uint32_t n = r.count(4);
  list.reserve(n);
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) list.push_back(r.str());
}

template <class E>
E enum_of(Reader& r, std::uint8_t max) {
  const std::uint8_t v = r.u8();
  return static_cast<E>(v <= max ? v : 0);
}

}  // namespace

void write_event(Writer& w, const Event& ev) {
  w.str(ev.id);
  w.str(ev.type);
  w.u8(static_cast<std::uint8_t>(ev.kind));
  time(w, ev.at);
  w.str(ev.store);
  w.u8(static_cast<std::uint8_t>(ev.has_customer | ev.has_order << 1 | ev.has_shipment << 2 |
                                 ev.has_return << 3 | ev.has_contact << 4 | ev.has_inquiry << 5));
  const Customer& c = ev.customer;
  w.str(c.id);
  time(w, c.since);
  w.i64(c.orders);
  w.i64(c.lifetime_spend);
  w.i64(c.returns);
  w.i64(c.returned_value);
  w.str(c.tier);
  w.u8(c.vip);
  w.i64(c.points);
  texts(w, c.household);
  w.i64(c.goodwill_last_90d);
  texts(w, c.tags);
  time(w, c.last_order_at);
  w.i64(c.spend_12m);
  w.u8(c.has_spend_12m);
  const Order& o = ev.order;
  w.str(o.id);
  time(w, o.placed_at);
  w.str(o.currency);
  w.u8(static_cast<std::uint8_t>(o.shipping));
  time(w, o.delivered_at);
  w.u32(static_cast<std::uint32_t>(o.lines.size()));
  for (const OrderLine& l : o.lines) {
    w.str(l.sku);
    w.str(l.category);
    w.i64(l.price);
    w.i64(l.qty);
    w.u8(l.final_sale);
    w.str(l.size);
  }
  w.i64(o.subtotal);
  const Shipment& s = ev.shipment;
  w.u8(static_cast<std::uint8_t>(s.status));
  w.u8(s.carrier_fault);
  w.i64(s.days_late);
  time(w, s.needed_by);
  const Return& rt = ev.ret;
  w.u32(static_cast<std::uint32_t>(rt.lines.size()));
  for (const ReturnLine& l : rt.lines) {
    w.str(l.sku);
    w.i64(l.qty);
    w.str(l.reason);
    w.u8(l.exchange_for.present);
    w.str(l.exchange_for.sku);
    w.str(l.exchange_for.size);
  }
  w.u8(static_cast<std::uint8_t>(rt.refund_to));
  texts(w, rt.circumstances);
  const Contact& ct = ev.contact;
  w.u8(static_cast<std::uint8_t>(ct.channel));
  w.u8(static_cast<std::uint8_t>(ct.topic));
  texts(w, ct.circumstances);
  w.u8(ct.is_public);
  w.u8(ct.our_fault);
  w.str(ev.inquiry.sku);
  w.str(ev.inquiry.size);
  w.u8(ev.inquiry.in_stock);
}

bool read_event(Reader& r, Event& ev) {
  ev.reset();
  ev.id = r.str();
  ev.type = r.str();
  ev.kind = enum_of<EventType>(r, static_cast<std::uint8_t>(EventType::StockInquiry));
  ev.at = time(r);
  ev.store = r.str();
  const std::uint8_t has = r.u8();
  ev.has_customer = has & 1;
  ev.has_order = has & 2;
  ev.has_shipment = has & 4;
  ev.has_return = has & 8;
  ev.has_contact = has & 16;
  ev.has_inquiry = has & 32;
  Customer& c = ev.customer;
  c.id = r.str();
  c.since = time(r);
  c.orders = r.i64();
  c.lifetime_spend = r.i64();
  c.returns = r.i64();
  c.returned_value = r.i64();
  c.tier = r.str();
  c.vip = r.u8() != 0;
  c.points = r.i64();
  texts(r, c.household);
  c.goodwill_last_90d = r.i64();
  texts(r, c.tags);
  c.last_order_at = time(r);
  c.spend_12m = r.i64();
  c.has_spend_12m = r.u8() != 0;
  Order& o = ev.order;
  o.id = r.str();
  o.placed_at = time(r);
  o.currency = r.str();
  o.shipping = enum_of<Shipping>(r, static_cast<std::uint8_t>(Shipping::Overnight));
  o.delivered_at = time(r);
  const std::uint32_t lines = r.count(29);
  o.lines.reserve(lines);
  for (std::uint32_t i = 0; i < lines && r.ok(); ++i) {
    OrderLine& l = o.lines.emplace_back();
    l.sku = r.str();
    l.category = r.str();
    l.price = r.i64();
    l.qty = r.i64();
    l.final_sale = r.u8() != 0;
    l.size = r.str();
  }
  o.subtotal = r.i64();
  Shipment& s = ev.shipment;
  s.status = enum_of<ShipmentStatus>(r, static_cast<std::uint8_t>(ShipmentStatus::Misdelivered));
  s.carrier_fault = r.u8() != 0;
  s.days_late = r.i64();
  s.needed_by = time(r);
  Return& rt = ev.ret;
  const std::uint32_t rlines = r.count(25);
  rt.lines.reserve(rlines);
  for (std::uint32_t i = 0; i < rlines && r.ok(); ++i) {
    ReturnLine& l = rt.lines.emplace_back();
    l.sku = r.str();
    l.qty = r.i64();
    l.reason = r.str();
    l.exchange_for.present = r.u8() != 0;
    l.exchange_for.sku = r.str();
    l.exchange_for.size = r.str();
  }
  rt.refund_to = enum_of<RefundTo>(r, static_cast<std::uint8_t>(RefundTo::StoreCredit));
  texts(r, rt.circumstances);
  Contact& ct = ev.contact;
  ct.channel = enum_of<Channel>(r, static_cast<std::uint8_t>(Channel::Social));
  ct.topic = enum_of<Topic>(r, static_cast<std::uint8_t>(Topic::Complaint));
  texts(r, ct.circumstances);
  ct.is_public = r.u8() != 0;
  ct.our_fault = r.u8() != 0;
  ev.inquiry.sku = r.str();
  ev.inquiry.size = r.str();
  ev.inquiry.in_stock = r.u8() != 0;
  return r.ok();
}

void write_value(Writer& w, const Value& v) {
  w.u8(static_cast<std::uint8_t>(v.kind()));
  switch (v.kind()) {
    case Value::Kind::Null:
      return;
    case Value::Kind::Bool:
    case Value::Kind::Int:
      w.i64(v.as_int());
      return;
    case Value::Kind::Number:
      w.pod(v.as_number());
      return;
    case Value::Kind::String:
      w.str(v.as_string());
      return;
    case Value::Kind::List:
      w.u32(static_cast<std::uint32_t>(v.items().size()));
      for (const Value& item : v.items()) write_value(w, item);
      return;
    case Value::Kind::Object:
      w.u32(static_cast<std::uint32_t>(v.members().size()));
      for (const Member& m : v.members()) {
        w.str(m.key);
        write_value(w, m.value);
      }
      return;
  }
}

bool read_value(Reader& r, Value& v, int depth) {
  // Deeper than any action that passed the output caps: the area was scribbled over.
  if (depth > 64) return false;
  switch (static_cast<Value::Kind>(r.u8())) {
    case Value::Kind::Null:
      v = Value();
      break;
    case Value::Kind::Bool:
      v = Value(r.i64() != 0);
      break;
    case Value::Kind::Int:
      v = Value(r.i64());
      break;
    case Value::Kind::Number:
      v = Value(r.pod<double>());
      break;
    case Value::Kind::String:
      v = Value(r.str());
      break;
    case Value::Kind::List: {
      v = Value::list();
      const std::uint32_t n = r.count(1);
      v.items().reserve(n);
      for (std::uint32_t i = 0; i < n && r.ok(); ++i)
        if (!read_value(r, v.items().emplace_back(), depth + 1)) return false;
      break;
    }
    case Value::Kind::Object: {
      v = Value::object();
      const std::uint32_t n = r.count(5);
      v.members().reserve(n);
      for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
        Member& m = v.members().emplace_back();
        m.key = r.str();
        if (!read_value(r, m.value, depth + 1)) return false;
      }
      break;
    }
    default:
      return false;
  }
  return r.ok();
}

void write_action(Writer& w, const Action& a) {
  w.str(a.type);
  w.str(a.reason);
  w.u32(a.origin);
  w.u8(static_cast<std::uint8_t>(a.status));
  w.str(a.status_note);
  w.u32(static_cast<std::uint32_t>(a.params.size()));
  for (const Member& m : a.params) {
    w.str(m.key);
    write_value(w, m.value);
  }
}

void write_actions(Writer& w, const ActionList& actions) {
  w.u32(static_cast<std::uint32_t>(actions.size()));
  for (const Action& a : actions) write_action(w, a);
}

bool read_action(Reader& r, Action& a) {
  a.type = r.str();
  a.reason = r.str();
  a.origin = r.u32();
  a.status = enum_of<Action::Status>(r, static_cast<std::uint8_t>(Action::Status::Dropped));
  a.status_note = r.str();
  const std::uint32_t params = r.count(5);
  a.params.clear();
  a.params.reserve(params);
  for (std::uint32_t i = 0; i < params && r.ok(); ++i) {
    Member& m = a.params.emplace_back();
    m.key = r.str();
    if (!read_value(r, m.value)) return false;
  }
  return r.ok();
}

bool read_actions(Reader& r, ActionList& actions) {
  const std::uint32_t n = r.count(21);
  return r.ok() && read_action_items(r, actions, n);
}

bool read_action_items(Reader& r, ActionList& actions, std::uint32_t n) {
  if (n > r.remaining() / 21) return false;  // each takes at least 21 bytes
  actions.resize(n);
  for (Action& a : actions)
    if (!read_action(r, a)) return false;
  return r.ok();
}

}  // namespace shoprules::host::wire
