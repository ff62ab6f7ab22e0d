"""Actions the app's two events rarely bring, applied to an Oscar order: a late shipment's
apology (an order note) and fixed-amount coupon (an Oscar voucher worth that much off)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import transaction
from oscar.core.loading import get_class, get_model
from shoprules_oscar import events
from shoprules_oscar.apply import apply_decision
from shoprules_oscar.host import get_host
from shoprules_oscar.models import RuleVoucher

from .conftest import basket_of, place_order

Applicator = get_class("offer.applicator", "Applicator")
Benefit = get_model("offer", "Benefit")
OrderNote = get_model("order", "OrderNote")

pytestmark = pytest.mark.django_db


def test_late_shipment_apology_note_and_fixed_voucher(customer: Any) -> None:
    order = place_order(customer, [("SH-1", "49.95", 1)], "1001")
    event = {
        "id": "shipment-1001",
        "type": "shipment.exception",
        "at": events.iso(order.date_placed),
        "customer": events.customer(customer),
        "order": events.order_section(order),
        "shipment": {"status": "late", "days_late": 3},
    }
    decision = get_host().evaluate(event)
    assert [a.type for a in decision.actions] == ["apology.send", "coupon.issue"]
    with transaction.atomic():
        apply_decision(decision, user=customer, order=order)

    notes = list(OrderNote.objects.filter(order=order).values_list("message", flat=True))
    assert any(n.startswith("apology.send channel=email, within_minutes=60") for n in notes)
    voucher = RuleVoucher.objects.get(order=order, rule="delight.late_apology").voucher
    benefit = voucher.offers.get().benefit
    assert (benefit.type, benefit.value) == (Benefit.FIXED, Decimal("5.00"))

    basket = basket_of([("SH-2", "30.00", 1)], owner=customer)
    basket.vouchers.add(voucher)
    Applicator().apply(basket, customer)
    assert basket.total_incl_tax == Decimal("25.00")
