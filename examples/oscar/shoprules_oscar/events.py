"""shoprules events from Oscar's models: the customer as they were before the event (earlier
orders and spend from Oscar's orders, points, tier and VIP from the app's points account), the
order with its lines and shipping speed, and the return a customer asks for."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Sum
from oscar.core.loading import get_model

from . import conf
from .models import PointsAccount

Order = get_model("order", "Order")
ShippingEvent = get_model("order", "ShippingEvent")


class NoEvent(Exception):
    """The order cannot make an event (no customer, no lines): no rule runs for it."""


def minor(amount: Decimal) -> int:
    """Money in minor units (cents), rounded half up."""
    return int((Decimal(amount) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def customer_id(user: Any) -> str:
    return f"user-{user.pk}"


def customer(user: Any, *, before: Any = None) -> dict[str, Any]:
    """The customer section; `before`: the order being placed, not yet part of their history."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NoEvent("no signed-in customer (guest checkout)")
    earlier = Order._default_manager.filter(user=user)
    if before is not None:
        earlier = earlier.exclude(pk=before.pk)
    totals = earlier.aggregate(total=Sum("total_incl_tax"), shipping=Sum("shipping_incl_tax"))
    spend = (totals["total"] or Decimal(0)) - (totals["shipping"] or Decimal(0))
    section: dict[str, Any] = {
        "id": customer_id(user),
        "since": iso(user.date_joined),
        "orders": earlier.count(),
        "lifetime_spend": max(0, minor(spend)),
    }
    account = PointsAccount.objects.filter(user=user).first()
    if account is not None:
        section.update(points=max(0, account.points), tier=account.tier, vip=account.vip)
    return section


def speed(order: Any) -> str:
    """The order's shipping speed, from its Oscar shipping method code."""
    for name, (code, _) in conf.shipping_methods().items():
        if code == order.shipping_code:
            return name
    return "standard"


def line(order_line: Any) -> dict[str, Any]:
    qty = order_line.quantity
    section: dict[str, Any] = {
        "sku": order_line.partner_sku or order_line.upc or f"product-{order_line.product_id}",
        # What the customer paid per item, after discounts.
        "price": minor(order_line.line_price_incl_tax / qty) if qty else 0,
        "qty": qty,
    }
    product = order_line.product
    category = product.get_categories().first() if product is not None else None
    if category is not None:
        section["category"] = category.name
    return section


def delivered_at(order: Any) -> datetime.datetime | None:
    found = (
        ShippingEvent._default_manager.filter(
            order=order, event_type__code=conf.delivered_event_code()
        )
        .order_by("-date_created")
        .first()
    )
    return found.date_created if found is not None else None


def order_section(order: Any) -> dict[str, Any]:
    lines = [line(order_line) for order_line in order.lines.all()]
    if not lines:
        raise NoEvent(f"order {order.number} has no lines")
    section: dict[str, Any] = {
        "id": str(order.number),  # Oscar's number generator hands the new order an int
        "currency": order.currency,
        "placed_at": iso(order.date_placed),
        "shipping": speed(order),
        "lines": lines,
    }
    delivered = delivered_at(order)
    if delivered is not None:
        section["delivered_at"] = iso(delivered)
    return section


def order_placed(order: Any, user: Any) -> dict[str, Any]:
    """The order.placed event for an order Oscar has just placed."""
    return {
        "id": f"order-{order.number}",
        "type": "order.placed",
        "at": iso(order.date_placed),
        "customer": customer(user, before=order),
        "order": order_section(order),
    }


def return_requested(
    order: Any,
    user: Any,
    lines: list[dict[str, Any]],
    refund_to: str,
    circumstances: list[str],
    at: datetime.datetime,
) -> dict[str, Any]:
    """The return.requested event for `lines` ({"sku", "qty", "reason"}) of a delivered order."""
    section = order_section(order)
    if "delivered_at" not in section:
        raise NoEvent(f"order {order.number} has not been delivered")
    return {
        "id": f"return-{order.number}-{iso(at)}",
        "type": "return.requested",
        "at": iso(at),
        "customer": customer(user),
        "order": section,
        "return": {"lines": lines, "refund_to": refund_to, "circumstances": circumstances},
    }
