"""Orders placed through Oscar's OrderCreator: the rules' actions land in Oscar's models."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from oscar.core.loading import get_class, get_model
from oscar.test import factories
from shoprules_oscar.models import PointsAccount, RuleVoucher, Task

from .conftest import basket_of, place_order

Applicator = get_class("offer.applicator", "Applicator")
Benefit = get_model("offer", "Benefit")
OrderNote = get_model("order", "OrderNote")
Voucher = get_model("voucher", "Voucher")

pytestmark = pytest.mark.django_db


def test_points_then_tier_from_oscar_orders(customer: Any) -> None:
    place_order(customer, [("BK-1", "120.00", 1)], "1001")
    account = PointsAccount.objects.get(user=customer)
    assert (account.points, account.tier) == (120, "member")

    # 120.00 earlier + 2 x 200.00 now reaches silver (50,000 minor units of lifetime spend).
    place_order(customer, [("BK-2", "200.00", 2)], "1002")
    account.refresh_from_db()
    assert (account.points, account.tier) == (520, "silver")
    entries = list(account.entries.order_by("id").values_list("delta", "rule", "order__number"))
    assert entries == [(120, "loyalty.points", "1001"), (400, "loyalty.points", "1002")]


def test_big_order_gets_an_oscar_voucher_the_basket_accepts(customer: Any, client: Any) -> None:
    order = place_order(customer, [("TV-1", "250.00", 1)], "1001")

    issued = RuleVoucher.objects.get(user=customer)
    voucher = issued.voucher
    assert (issued.order, issued.rule) == (order, "loyalty.big_order_coupon")
    offer = voucher.offers.get()
    assert (offer.benefit.type, offer.benefit.value) == (Benefit.PERCENTAGE, Decimal(10))
    assert voucher.usage == Voucher.SINGLE_USE
    assert voucher.is_active()
    days = (voucher.end_datetime - voucher.start_datetime) / datetime.timedelta(days=1)
    assert days == 60
    assert OrderNote.objects.filter(order=order, message__contains=voucher.code).exists()

    # The customer enters the code in Oscar's basket (its own view), which keeps it only if
    # the voucher's offer gives a discount.
    basket = basket_of([("SH-1", "80.00", 1)], owner=customer)
    client.force_login(customer)
    response = client.post(reverse("basket:vouchers-add"), {"code": voucher.code})
    assert response.status_code == 302
    assert list(basket.vouchers.all()) == [voucher]
    Applicator().apply(basket, customer)
    assert basket.total_incl_tax == Decimal("72.00")

    # Checkout: the order is placed with the discount, and the voucher is used up.
    second = place_order(customer, [], "1002", basket=basket)
    assert second.basket_total_incl_tax == Decimal("72.00")
    assert list(second.discounts.values_list("voucher_code", flat=True)) == [voucher.code]
    voucher.refresh_from_db()
    assert voucher.num_orders == 1
    assert voucher.is_available_to_user(customer)[0] is False


def test_vip_shipping_upgrade_changes_the_orders_shipping_method(customer: Any) -> None:
    PointsAccount.objects.create(user=customer, vip=True)
    order = place_order(customer, [("SH-1", "50.00", 1)], "1001")
    assert (order.shipping_code, order.shipping_method) == ("expedited", "Expedited shipping")
    order.refresh_from_db()
    assert (order.shipping_code, order.shipping_method) == ("expedited", "Expedited shipping")
    assert OrderNote.objects.filter(order=order, message__startswith="Shipping upgraded").exists()
    assert PointsAccount.objects.get(user=customer).points == 100  # VIPs earn double


def test_tenth_order_gift_becomes_an_order_note(customer: Any) -> None:
    for n in range(9):  # earlier orders, written without a checkout (no signal)
        factories.OrderFactory(user=customer, number=f"90{n}")
    order = place_order(customer, [("SH-1", "10.00", 1)], "1001")
    notes = list(OrderNote.objects.filter(order=order).values_list("message", flat=True))
    assert len(notes) == 1
    assert notes[0].startswith("gift.send kind=card")
    assert "10th order" in notes[0]
    assert Task.objects.count() == 0


def test_one_host_per_process_made_from_the_setting(settings: Any) -> None:
    from shoprules_oscar.host import get_host

    host = get_host()
    assert get_host() is host
    assert host.plugins(store="oscar-example")  # the example's config file, with its store name
    settings.SHOPRULES_CONFIG = {"store": "other"}
    assert get_host() is not host
    assert get_host() is get_host()


def test_orders_before_now_are_counted_in_the_event(customer: Any) -> None:
    from shoprules_oscar import events

    place_order(customer, [("SH-1", "10.00", 3)], "1001")
    second = place_order(customer, [("SH-2", "5.00", 1)], "1002")
    event = events.order_placed(second, customer)
    assert event["customer"]["orders"] == 1
    assert event["customer"]["lifetime_spend"] == 3000
    assert event["order"]["lines"] == [{"sku": "SH-2", "price": 500, "qty": 1}]
    assert event["order"]["shipping"] == "standard"
    assert event["at"] == second.date_placed.astimezone(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def test_an_order_numbered_by_oscar_gets_its_rules(customer: Any) -> None:
    # Oscar's OrderNumberGenerator gives the new order an int number; the event needs a string.
    order = factories.create_order(basket=basket_of([("TV-1", "250.00", 1)]), user=customer)
    assert isinstance(order.number, int)
    assert RuleVoucher.objects.filter(order=order, user=customer).exists()
    assert PointsAccount.objects.get(user=customer).points == 250
