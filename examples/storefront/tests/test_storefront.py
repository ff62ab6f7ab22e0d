"""The storefront through its HTTP API, checking the database after each story of DOMAIN.md."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shoprules
from fastapi import FastAPI
from fastapi.testclient import TestClient
from storefront import create_app
from storefront.db import rows

Shop = tuple[TestClient, sqlite3.Connection]


@pytest.fixture
def shop(tmp_path: Path) -> Iterator[Shop]:
    app = create_app(str(tmp_path / "shop.db"))
    with TestClient(app) as client:
        yield client, app.state.db


def add(client: TestClient, cid: str, household: list[str] | None = None) -> None:
    r = client.post("/customers", json={"id": cid, "name": cid, "household": household or []})
    assert r.status_code == 201, r.text


def buy(client: TestClient, cid: str, oid: str, price: int, **extra: object) -> dict[str, Any]:
    body = {"customer_id": cid, "order_id": oid, "lines": [{"sku": f"SKU-{oid}", "price": price}]}
    r = client.post("/checkout", json={**body, "at": "2026-11-01T10:00:00Z", **extra})
    assert r.status_code == 200, r.text
    result: dict[str, Any] = r.json()
    return result


def return_order(client: TestClient, oid: str, delivered_at: str, **body: object) -> None:
    """Marks the order delivered, then asks on 2026-11-23 to return its one line."""
    r = client.post(f"/orders/{oid}/delivered", json={"at": delivered_at})
    assert r.status_code == 200, r.text
    at = "2026-11-23T16:00:00Z"
    r = client.post(
        "/returns", json={"order_id": oid, "lines": [{"sku": f"SKU-{oid}"}], "at": at, **body}
    )
    assert r.status_code == 200, r.text


def test_checkout_awards_points_records_the_order_and_shares_one_host(shop: Shop) -> None:
    client, conn = shop
    add(client, "c-1")
    out = buy(client, "c-1", "o-1", 4995)
    assert [a["type"] for a in out["actions"]] == ["points.award"]
    assert rows(conn, "SELECT delta FROM points_ledger WHERE customer_id = 'c-1'") == [
        {"delta": 49}
    ]
    c = client.get("/customers/c-1").json()
    assert (c["points"], c["orders"], c["lifetime_spend"]) == (49, 1, 4995)
    app = client.app
    assert isinstance(app, FastAPI) and isinstance(app.state.host, shoprules.Host)


def test_big_orders_reach_a_tier_and_earn_a_coupon(shop: Shop) -> None:
    client, conn = shop
    add(client, "c-2")
    out = buy(client, "c-2", "o-2", 60000)
    assert {a["type"] for a in out["actions"]} == {"points.award", "tier.change", "coupon.issue"}
    assert client.get("/customers/c-2").json()["tier"] == "silver"
    assert rows(conn, "SELECT percent, expires_in_days FROM coupons") == [
        {"percent": 10, "expires_in_days": 60}
    ]


def test_the_tenth_order_comes_with_a_gift(shop: Shop) -> None:
    client, conn = shop
    add(client, "c-3")
    for i in range(10):
        buy(client, "c-3", f"o-3-{i}", 1000)
    assert rows(conn, "SELECT customer_id, kind FROM gifts") == [
        {"customer_id": "c-3", "kind": "card"}
    ]


def test_story_wedding_shoes_misdelivered(shop: Shop) -> None:
    """The carrier misdelivers shoes needed for a wedding that evening: replace them overnight at
    no charge, refund the order, and make the customer a VIP."""
    client, conn = shop
    add(client, "c-bride")
    buy(client, "c-bride", "o-shoes", 12900, shipping="expedited")
    r = client.post(
        "/orders/o-shoes/shipment-exception",
        json={
            "status": "misdelivered",
            "carrier_fault": True,
            "needed_by": "2026-11-23T18:00:00Z",
            "at": "2026-11-23T09:00:00Z",
        },
    )
    assert r.status_code == 200, r.text
    tasks = rows(conn, "SELECT kind, detail FROM tasks WHERE order_id = 'o-shoes'")
    assert [t["kind"] for t in tasks] == ["replacement.ship"]
    assert json.loads(tasks[0]["detail"])["params"]["shipping"] == "overnight"
    assert rows(conn, "SELECT amount, method FROM refunds WHERE order_id = 'o-shoes'") == [
        {"amount": 12900, "method": "original"}
    ]
    assert client.get("/customers/c-bride").json()["vip"] is True


def test_story_mother_after_surgery(shop: Shop) -> None:
    """A customer calls after her mother's surgery: flowers, and VIP for her and her household."""
    client, conn = shop
    add(client, "c-60", household=["c-61"])
    add(client, "c-61")
    r = client.post(
        "/contacts",
        json={"customer_id": "c-60", "channel": "phone", "circumstances": ["medical"]},
    )
    assert r.status_code == 200, r.text
    assert rows(conn, "SELECT customer_id, kind FROM gifts") == [
        {"customer_id": "c-60", "kind": "flowers"}
    ]
    assert rows(conn, "SELECT id FROM customers WHERE vip = 1 ORDER BY id") == [
        {"id": "c-60"},
        {"id": "c-61"},
    ]
    assert rows(conn, "SELECT kind FROM tasks") == []  # a phone call is answered live


def test_story_bereaved_return(shop: Shop) -> None:
    """Slippers bought for a husband who died: a courier collects them, the refund is recorded,
    flowers go out."""
    client, conn = shop
    add(client, "c-70")
    buy(client, "c-70", "o-70", 6500)
    return_order(client, "o-70", "2026-11-03T10:00:00Z", circumstances=["bereavement"])
    assert rows(conn, "SELECT order_id, skus FROM pickups") == [
        {"order_id": "o-70", "skus": '["SKU-o-70"]'}
    ]
    assert rows(conn, "SELECT amount, method FROM refunds") == [
        {"amount": 6500, "method": "original"}
    ]
    assert rows(conn, "SELECT kind FROM gifts") == [{"kind": "flowers"}]
    # the points earned on the slippers are taken back
    assert client.get("/customers/c-70").json()["points"] == 0


def test_store_credit_refund_earns_the_bonus(shop: Shop) -> None:
    client, conn = shop
    add(client, "c-8")
    buy(client, "c-8", "o-8", 12900)
    return_order(client, "o-8", "2026-11-02T12:00:00Z", refund_to="store_credit")
    assert rows(conn, "SELECT amount, bonus FROM refunds") == [{"amount": 12900, "bonus": 1290}]
    assert client.get("/customers/c-8").json()["store_credit"] == 12900 + 1290


def test_bad_input_is_a_clear_error_and_changes_nothing(shop: Shop) -> None:
    client, conn = shop
    add(client, "c-9")
    r = client.post("/returns", json={"order_id": "nope", "lines": [{"sku": "x"}]})
    assert r.status_code == 404
    r = client.post(
        "/checkout",
        json={"customer_id": "c-9", "order_id": "o-9", "lines": [{"sku": "A", "price": -1}]},
    )
    assert r.status_code == 422
    assert rows(conn, "SELECT id FROM orders") == []


@pytest.fixture
def next_rules_shop(tmp_path: Path) -> Iterator[Shop]:
    config = {"plugins": {"loyalty": {"rules": {"pending_points": {"enabled": True}}}}}
    app = create_app(str(tmp_path / "shop.db"), config=config)
    with TestClient(app) as client:
        yield client, app.state.db


def test_pending_points_and_expiry_in_the_ledger(next_rules_shop: Shop) -> None:
    client, conn = next_rules_shop
    add(client, "c-p")
    buy(client, "c-p", "o-p1", 4995)
    assert rows(conn, "SELECT delta, available_after_days FROM points_ledger") == [
        {"delta": 49, "available_after_days": 30}
    ]
    # A year and more without an order: the balance expires on the next event.
    r = client.post(
        "/contacts",
        json={"customer_id": "c-p", "channel": "chat", "at": "2027-11-02T10:00:00Z"},
    )
    assert r.status_code == 200, r.text
    assert "points.expire" in [a["type"] for a in r.json()["actions"]]
    ledger = rows(conn, "SELECT delta FROM points_ledger ORDER BY id")
    assert ledger == [{"delta": 49}, {"delta": -49}]
    assert client.get("/customers/c-p").json()["points"] == 0


def test_an_exchange_becomes_an_order_to_ship(shop: Shop) -> None:
    client, conn = shop
    add(client, "c-x")
    buy(client, "c-x", "o-x", 8900)
    r = client.post("/orders/o-x/delivered", json={"at": "2026-11-05T10:00:00Z"})
    assert r.status_code == 200, r.text
    line = {"sku": "SKU-o-x", "reason": "size", "exchange_for": {"sku": "SKU-o-x", "size": "10"}}
    r = client.post(
        "/returns", json={"order_id": "o-x", "lines": [line], "at": "2026-11-10T10:00:00Z"}
    )
    assert r.status_code == 200, r.text
    assert rows(conn, "SELECT sku, size, qty, shipping, charge, status FROM exchanges") == [
        {
            "sku": "SKU-o-x",
            "size": "10",
            "qty": 1,
            "shipping": "standard",
            "charge": 0,
            "status": "to_ship",
        }
    ]
    assert rows(conn, "SELECT * FROM refunds") == []  # exchanged, not refunded
    assert client.get("/customers/c-x").json()["points"] == 89  # and the points stay
