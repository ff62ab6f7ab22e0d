"""The HTTP API. One shoprules Host per process, created with the app and shared by every request
(Host.evaluate is thread-safe); each endpoint builds an event from the database, asks the host,
and applies the actions in one transaction."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from datetime import datetime, timezone
from typing import Any, Literal

import shoprules
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

from . import db
from .apply import apply


class CustomerIn(BaseModel):
    id: str
    name: str
    household: list[str] = []


class LineIn(BaseModel):
    sku: str
    price: int = Field(ge=0)
    qty: int = Field(default=1, ge=1)
    category: str = ""
    size: str = ""
    final_sale: bool = False


class CheckoutIn(BaseModel):
    customer_id: str
    order_id: str
    currency: str = "USD"
    shipping: Literal["standard", "expedited", "overnight"] = "standard"
    lines: list[LineIn]
    at: str | None = None


class DeliveredIn(BaseModel):
    at: str


class ExchangeIn(BaseModel):
    sku: str
    size: str = ""


class ReturnLineIn(BaseModel):
    sku: str
    qty: int = Field(default=1, ge=1)
    reason: str = "other"
    exchange_for: ExchangeIn | None = None


class ReturnIn(BaseModel):
    order_id: str
    lines: list[ReturnLineIn]
    refund_to: Literal["original", "store_credit"] = "original"
    circumstances: list[str] = []
    at: str | None = None


class ShipmentExceptionIn(BaseModel):
    status: Literal["lost", "late", "damaged", "misdelivered"]
    carrier_fault: bool = False
    days_late: int = Field(default=0, ge=0)
    needed_by: str | None = None
    at: str | None = None


class ContactIn(BaseModel):
    customer_id: str
    channel: Literal["email", "phone", "chat", "social"] = "email"
    topic: Literal["presale", "support", "complaint"] = "support"
    public: bool = False
    our_fault: bool = False
    circumstances: list[str] = []
    at: str | None = None


class Outcome(BaseModel):
    event_id: str
    actions: list[dict[str, Any]]


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def create_app(
    database: str = "shop.db",
    config: str | dict[str, Any] | None = None,
    *,
    config_name: str = "main",
    cache_path: str | None = None,
) -> FastAPI:
    """The app, with its database and its one Host. config: a path, a dict, a config store URL
    (postgresql://..., followed as it changes), or, when not given, $SHOPRULES_CONFIG if set,
    else the defaults. config_name and cache_path are for a store."""
    app = FastAPI(title="storefront")
    conn = db.connect(database)
    if config is None:
        config = os.environ.get("SHOPRULES_CONFIG") or None
    host = shoprules.Host(config, config_name=config_name, cache_path=cache_path)
    lock = threading.Lock()  # one writer at a time on the shared SQLite connection
    counter = iter(range(1, 1 << 62))

    def event_id(kind: str) -> str:
        return f"{kind}-{next(counter)}"

    def customer(customer_id: str) -> dict[str, Any]:
        profile = db.customer_profile(conn, customer_id)
        if profile is None:
            raise HTTPException(404, f"no customer {customer_id}")
        return profile

    def order_row(order_id: str) -> sqlite3.Row:
        row = conn.execute("SELECT * FROM orders WHERE id = ?", (order_id,)).fetchone()
        if row is None:
            raise HTTPException(404, f"no order {order_id}")
        assert isinstance(row, sqlite3.Row)
        return row

    def order_section(row: sqlite3.Row) -> dict[str, Any]:
        section: dict[str, Any] = {
            "id": row["id"],
            "currency": row["currency"],
            "shipping": row["shipping"],
            "placed_at": row["placed_at"],
            "lines": json.loads(row["lines"]),
        }
        if row["delivered_at"]:
            section["delivered_at"] = row["delivered_at"]
        return section

    def new_event(
        type_: str, at: str | None, customer_id: str, sections: dict[str, Any]
    ) -> dict[str, Any]:
        """An event of `type_`, its customer as the database has them before it."""
        return {
            "id": event_id(type_.split(".")[0]),
            "type": type_,
            "at": at or now(),
            "customer": customer(customer_id),
            **sections,
        }

    def decide(event: dict[str, Any]) -> shoprules.Decision:
        try:
            return host.evaluate(event)
        except shoprules.InvalidEvent as e:
            raise HTTPException(422, f"{e.path}: {e}") from e

    @app.post("/customers", status_code=201)
    def add_customer(body: CustomerIn) -> dict[str, str]:
        with lock:
            conn.execute(
                "INSERT INTO customers (id, name, household) VALUES (?, ?, ?)",
                (body.id, body.name, json.dumps(body.household)),
            )
        return {"id": body.id}

    @app.get("/customers/{customer_id}")
    def get_customer(customer_id: str) -> dict[str, Any]:
        found = db.rows(conn, "SELECT * FROM customers WHERE id = ?", customer_id)
        if not found:
            raise HTTPException(404, f"no customer {customer_id}")
        return {
            **found[0],
            "vip": bool(found[0]["vip"]),
            "household": customer(customer_id)["household"],
        }

    @app.post("/checkout")
    def checkout(body: CheckoutIn) -> Outcome:
        with lock:
            lines = [line.model_dump(exclude_defaults=False) for line in body.lines]
            at = body.at or now()
            order = {
                "id": body.order_id,
                "currency": body.currency,
                "shipping": body.shipping,
                "placed_at": at,
                "lines": lines,
            }
            event = new_event("order.placed", at, body.customer_id, {"order": order})
            decision = decide(event)
            subtotal = sum(line.price * line.qty for line in body.lines)
            conn.execute(
                "INSERT INTO orders (id, customer_id, currency, shipping, subtotal, placed_at, "
                "lines) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    body.order_id,
                    body.customer_id,
                    body.currency,
                    body.shipping,
                    subtotal,
                    at,
                    json.dumps(lines),
                ),
            )
            applied = apply(conn, decision, body.customer_id, body.order_id)
            conn.execute(
                "UPDATE customers SET orders = orders + 1, lifetime_spend = lifetime_spend + ?, "
                "last_order_at = ? WHERE id = ?",
                (subtotal, at, body.customer_id),
            )
        return Outcome(event_id=decision.event_id, actions=applied)

    @app.post("/orders/{order_id}/delivered")
    def delivered(order_id: str, body: DeliveredIn) -> dict[str, str]:
        with lock:
            order_row(order_id)
            conn.execute("UPDATE orders SET delivered_at = ? WHERE id = ?", (body.at, order_id))
        return {"id": order_id}

    @app.post("/returns")
    def request_return(body: ReturnIn) -> Outcome:
        with lock:
            row = order_row(body.order_id)
            returned = {
                "lines": [line.model_dump(exclude_none=True) for line in body.lines],
                "refund_to": body.refund_to,
                "circumstances": body.circumstances,
            }
            event = new_event(
                "return.requested",
                body.at,
                row["customer_id"],
                {"order": order_section(row), "return": returned},
            )
            decision = decide(event)
            applied = apply(conn, decision, row["customer_id"], body.order_id)
        return Outcome(event_id=decision.event_id, actions=applied)

    @app.post("/orders/{order_id}/shipment-exception")
    def shipment_exception(order_id: str, body: ShipmentExceptionIn) -> Outcome:
        with lock:
            row = order_row(order_id)
            shipment: dict[str, Any] = {
                "status": body.status,
                "carrier_fault": body.carrier_fault,
                "days_late": body.days_late,
            }
            if body.needed_by:
                shipment["needed_by"] = body.needed_by
            event = new_event(
                "shipment.exception",
                body.at,
                row["customer_id"],
                {"order": order_section(row), "shipment": shipment},
            )
            decision = decide(event)
            applied = apply(conn, decision, row["customer_id"], order_id)
        return Outcome(event_id=decision.event_id, actions=applied)

    @app.post("/contacts")
    def contact(body: ContactIn) -> Outcome:
        with lock:
            contact = body.model_dump(
                include={"channel", "topic", "public", "our_fault", "circumstances"}
            )
            event = new_event("contact.received", body.at, body.customer_id, {"contact": contact})
            decision = decide(event)
            applied = apply(conn, decision, body.customer_id)
        return Outcome(event_id=decision.event_id, actions=applied)

    app.state.host = host
    app.state.db = conn
    return app
