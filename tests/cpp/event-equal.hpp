// Whether two events hold the same values, field by field: for the tests and the fuzzer that
// check that every reader reads a line into the same event.
#pragma once

#include <string>
#include <vector>

#include "shoprules/event.hpp"

namespace shoprules::test {

/// The first field in which `a` and `b` differ, or "" when they are the same event.
inline std::string event_difference(const Event& a, const Event& b) {
  std::string first;
  auto same = [&first](const char* field, const auto& x, const auto& y) {
    if (first.empty() && !(x == y)) first = field;
  };
  auto time = [&same](const char* field, Timestamp x, Timestamp y) {
    same(field, x.present, y.present);
    if (x.present) same(field, x.seconds, y.seconds);
  };
  same("id", a.id, b.id);
  same("type", a.type, b.type);
  same("kind", a.kind, b.kind);
  time("at", a.at, b.at);
  same("store", a.store, b.store);
  same("has_customer", a.has_customer, b.has_customer);
  same("has_order", a.has_order, b.has_order);
  same("has_shipment", a.has_shipment, b.has_shipment);
  same("has_return", a.has_return, b.has_return);
  same("has_contact", a.has_contact, b.has_contact);
  same("has_inquiry", a.has_inquiry, b.has_inquiry);

  const Customer &c = a.customer, &d = b.customer;
  same("customer.id", c.id, d.id);
  time("customer.since", c.since, d.since);
  same("customer.orders", c.orders, d.orders);
  same("customer.lifetime_spend", c.lifetime_spend, d.lifetime_spend);
  same("customer.returns", c.returns, d.returns);
  same("customer.returned_value", c.returned_value, d.returned_value);
  same("customer.tier", c.tier, d.tier);
  same("customer.vip", c.vip, d.vip);
  same("customer.points", c.points, d.points);
  same("customer.household", c.household, d.household);
  same("customer.goodwill_last_90d", c.goodwill_last_90d, d.goodwill_last_90d);
  same("customer.tags", c.tags, d.tags);
  time("customer.last_order_at", c.last_order_at, d.last_order_at);
  same("customer.spend_12m", c.spend_12m, d.spend_12m);
  same("customer.has_spend_12m", c.has_spend_12m, d.has_spend_12m);

  const Order &o = a.order, &p = b.order;
  same("order.id", o.id, p.id);
  time("order.placed_at", o.placed_at, p.placed_at);
  same("order.currency", o.currency, p.currency);
  same("order.shipping", o.shipping, p.shipping);
  time("order.delivered_at", o.delivered_at, p.delivered_at);
  same("order.subtotal", o.subtotal, p.subtotal);
  same("order.lines.size", o.lines.size(), p.lines.size());
  for (std::size_t i = 0; first.empty() && i < o.lines.size(); ++i) {
    const OrderLine &x = o.lines[i], &y = p.lines[i];
    same("order.lines.sku", x.sku, y.sku);
    same("order.lines.category", x.category, y.category);
    same("order.lines.price", x.price, y.price);
    same("order.lines.qty", x.qty, y.qty);
    same("order.lines.final_sale", x.final_sale, y.final_sale);
    same("order.lines.size", x.size, y.size);
  }

  same("shipment.status", a.shipment.status, b.shipment.status);
  same("shipment.carrier_fault", a.shipment.carrier_fault, b.shipment.carrier_fault);
  same("shipment.days_late", a.shipment.days_late, b.shipment.days_late);
  time("shipment.needed_by", a.shipment.needed_by, b.shipment.needed_by);

  same("return.refund_to", a.ret.refund_to, b.ret.refund_to);
  same("return.circumstances", a.ret.circumstances, b.ret.circumstances);
  same("return.lines.size", a.ret.lines.size(), b.ret.lines.size());
  for (std::size_t i = 0; first.empty() && i < a.ret.lines.size(); ++i) {
    const ReturnLine &x = a.ret.lines[i], &y = b.ret.lines[i];
    same("return.lines.sku", x.sku, y.sku);
    same("return.lines.qty", x.qty, y.qty);
    same("return.lines.reason", x.reason, y.reason);
    same("return.lines.exchange_for", x.exchange_for.present, y.exchange_for.present);
    same("return.lines.exchange_for.sku", x.exchange_for.sku, y.exchange_for.sku);
    same("return.lines.exchange_for.size", x.exchange_for.size, y.exchange_for.size);
  }

  same("contact.channel", a.contact.channel, b.contact.channel);
  same("contact.topic", a.contact.topic, b.contact.topic);
  same("contact.circumstances", a.contact.circumstances, b.contact.circumstances);
  same("contact.public", a.contact.is_public, b.contact.is_public);
  same("contact.our_fault", a.contact.our_fault, b.contact.our_fault);

  same("inquiry.sku", a.inquiry.sku, b.inquiry.sku);
  same("inquiry.size", a.inquiry.size, b.inquiry.size);
  same("inquiry.in_stock", a.inquiry.in_stock, b.inquiry.in_stock);
  return first;
}

}  // namespace shoprules::test
