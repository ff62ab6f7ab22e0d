"""Return requests through the app's view, and what happens when a rule cannot run: the order
stays as Oscar placed it, the reason is logged, and nothing is half applied."""

from __future__ import annotations

import datetime
import json
import logging
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from oscar.apps.order.signals import order_placed
from oscar.core.loading import get_class, get_model
from oscar.test import factories
from shoprules_oscar.models import PointsAccount, RuleVoucher, Task

from .conftest import place_order

OrderNote = get_model("order", "OrderNote")
ShippingEvent = get_model("order", "ShippingEvent")
ShippingEventType = get_model("order", "ShippingEventType")
OrderCreator = get_class("order.utils", "OrderCreator")

pytestmark = pytest.mark.django_db


def deliver(order: Any, days_ago: int) -> None:
    kind, _ = ShippingEventType.objects.get_or_create(name="Delivered")
    event = ShippingEvent.objects.create(order=order, event_type=kind)
    when = timezone.now() - datetime.timedelta(days=days_ago)
    ShippingEvent.objects.filter(pk=event.pk).update(date_created=when)


def request_return(client: Any, order: Any, body: Any) -> Any:
    return client.post(
        reverse("shoprules_oscar:return-request", kwargs={"number": order.number}),
        data=json.dumps(body),
        content_type="application/json",
    )


def test_return_in_window_refund_and_label_become_tasks(customer: Any, client: Any) -> None:
    order = place_order(customer, [("SH-1", "49.95", 1), ("SH-1B", "49.95", 1)], "1001")
    assert PointsAccount.objects.get(user=customer).points == 99
    deliver(order, days_ago=30)
    client.force_login(customer)

    response = request_return(
        client, order, {"lines": [{"sku": "SH-1B", "qty": 1, "reason": "size"}]}
    )
    assert response.status_code == 200, response.content
    types = [a["type"] for a in response.json()["actions"]]
    assert types == ["return.approve", "refund.issue", "points.revoke"]

    tasks = {t.kind: t for t in Task.objects.filter(order=order)}
    assert sorted(tasks) == ["refund.issue", "return.approve"]
    assert tasks["refund.issue"].params == {
        "amount": 4995,
        "method": "original",
        "bonus": 0,
        "fee": 0,
    }
    assert tasks["return.approve"].params["label"] == "prepaid"
    assert tasks["refund.issue"].user == customer
    assert PointsAccount.objects.get(user=customer).points == 99 - 49


def test_return_requests_that_cannot_be_decided_say_why(customer: Any, client: Any) -> None:
    order = place_order(customer, [("SH-1", "49.95", 1)], "1001")
    client.force_login(customer)
    body = {"lines": [{"sku": "SH-1", "qty": 1, "reason": "size"}]}
    response = request_return(client, order, body)
    assert (response.status_code, response.json()) == (
        400,
        {"error": "order 1001 has not been delivered"},
    )
    deliver(order, days_ago=3)
    response = request_return(client, order, {"lines": [{"sku": "SH-1", "qty": 0}]})
    assert response.status_code == 400
    assert response.json()["error"].startswith("return.lines[0].qty")
    assert Task.objects.count() == 0

    stranger = factories.UserFactory()
    client.force_login(stranger)
    assert request_return(client, order, body).status_code == 404


def untouched(order: Any) -> None:
    before = (order.shipping_code, order.shipping_method, order.status, order.total_incl_tax)
    order.refresh_from_db()
    assert (order.shipping_code, order.shipping_method, order.status, order.total_incl_tax) == (
        before
    )
    assert not OrderNote.objects.filter(order=order).exists()
    assert Task.objects.count() == 0
    assert RuleVoucher.objects.count() == 0


def test_guest_checkout_is_logged_and_left_alone(caplog: Any) -> None:
    with caplog.at_level(logging.WARNING, logger="shoprules_oscar"):
        order = place_order(None, [("TV-1", "250.00", 1)], "1001")
    assert "order 1001: no rules run: no signed-in customer" in caplog.text
    untouched(order)
    assert PointsAccount.objects.count() == 0


def test_order_without_lines_is_logged_and_left_alone(customer: Any, caplog: Any) -> None:
    order = factories.OrderFactory(user=customer, number="1001")
    assert not order.lines.exists()
    with caplog.at_level(logging.WARNING, logger="shoprules_oscar"):
        order_placed.send(sender=OrderCreator, order=order, user=customer)
    assert "order 1001: no rules run: order 1001 has no lines" in caplog.text
    untouched(order)
    assert PointsAccount.objects.count() == 0


def test_bad_config_never_fails_the_checkout(customer: Any, caplog: Any, settings: Any) -> None:
    settings.SHOPRULES_CONFIG = {"plugins": {"loyalty": {"rules": {"points": {"per_unit": -1}}}}}
    with caplog.at_level(logging.ERROR, logger="shoprules_oscar"):
        order = place_order(customer, [("TV-1", "250.00", 1)], "1001")
    assert "order 1001: rules not applied" in caplog.text
    assert "ConfigError" in caplog.text
    untouched(order)
    assert PointsAccount.objects.count() == 0


def test_a_failing_action_applies_nothing(customer: Any, caplog: Any, settings: Any) -> None:
    # No Oscar method for the expedited speed: points were written first, then the shipping
    # upgrade fails; the whole decision is rolled back and the order keeps its shipping.
    PointsAccount.objects.create(user=customer, vip=True)
    settings.SHOPRULES_SHIPPING_METHODS = {"standard": ("free-shipping", "Free shipping")}
    with caplog.at_level(logging.ERROR, logger="shoprules_oscar"):
        order = place_order(customer, [("TV-1", "250.00", 1)], "1001")
    assert "order 1001: rules not applied" in caplog.text
    untouched(order)
    assert PointsAccount.objects.get(user=customer).points == 0


def test_tasks_are_listed_in_djangos_admin(customer: Any, client: Any) -> None:
    order = place_order(customer, [("SH-1", "49.95", 1)], "1001")
    deliver(order, days_ago=10)
    client.force_login(customer)
    request_return(client, order, {"lines": [{"sku": "SH-1", "qty": 1, "reason": "size"}]})
    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:shoprules_oscar_task_changelist"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "refund.issue" in text and "return.approve" in text


def test_medical_return_brings_flowers_and_vip(customer: Any, client: Any) -> None:
    order = place_order(customer, [("SH-1", "49.95", 1)], "1001")
    deliver(order, days_ago=400)  # past the window: a VIP would go to review, others denied
    client.force_login(customer)
    body = {"lines": [{"sku": "SH-1", "qty": 1}], "circumstances": ["medical"]}
    response = request_return(client, order, body)
    assert response.status_code == 200, response.content
    types = [a["type"] for a in response.json()["actions"]]
    assert "gift.send" in types and "vip.grant" in types
    assert PointsAccount.objects.get(user=customer).vip is True
    notes = list(OrderNote.objects.filter(order=order).values_list("message", flat=True))
    # The note lists the gift's params by name (currency, kind, message, value).
    assert any(n.startswith("gift.send ") and "kind=flowers" in n for n in notes), notes
    assert Task.objects.filter(order=order, kind="return.deny").exists()
