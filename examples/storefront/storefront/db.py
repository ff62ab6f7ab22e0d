"""The shop's database: customers, orders, the points ledger (with pending points), refunds and
store credit, coupons, gifts, pickups, exchanges to ship, and tasks for people (replies,
apologies, replacements, reviews)."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

SCHEMA = """
CREATE TABLE IF NOT EXISTS customers (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tier TEXT NOT NULL DEFAULT 'member',
    vip INTEGER NOT NULL DEFAULT 0,
    points INTEGER NOT NULL DEFAULT 0,
    store_credit INTEGER NOT NULL DEFAULT 0,
    orders INTEGER NOT NULL DEFAULT 0,
    lifetime_spend INTEGER NOT NULL DEFAULT 0,
    returns INTEGER NOT NULL DEFAULT 0,
    returned_value INTEGER NOT NULL DEFAULT 0,
    goodwill_90d INTEGER NOT NULL DEFAULT 0,
    household TEXT NOT NULL DEFAULT '[]',
    last_order_at TEXT
);
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL REFERENCES customers(id),
    currency TEXT NOT NULL,
    shipping TEXT NOT NULL,
    subtotal INTEGER NOT NULL,
    placed_at TEXT NOT NULL,
    delivered_at TEXT,
    lines TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS points_ledger (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    delta INTEGER NOT NULL,
    reason TEXT NOT NULL,
    available_after_days INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS refunds (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    amount INTEGER NOT NULL,
    bonus INTEGER NOT NULL,
    fee INTEGER NOT NULL,
    method TEXT NOT NULL,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS coupons (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    percent INTEGER,
    amount INTEGER,
    expires_in_days INTEGER,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gifts (
    id INTEGER PRIMARY KEY,
    customer_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS pickups (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    skus TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS exchanges (
    id INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    sku TEXT NOT NULL,
    size TEXT NOT NULL,
    qty INTEGER NOT NULL,
    shipping TEXT NOT NULL,
    charge INTEGER NOT NULL,
    returned_sku TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'to_ship'
);
CREATE TABLE IF NOT EXISTS tasks (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    order_id TEXT,
    detail TEXT NOT NULL
);
"""


def connect(path: str) -> sqlite3.Connection:
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    conn.executescript(SCHEMA)
    return conn


def customer_profile(conn: sqlite3.Connection, customer_id: str) -> dict[str, Any] | None:
    """The customer as an event's `customer` section: as they were before the event."""
    row = conn.execute("SELECT * FROM customers WHERE id = ?", (customer_id,)).fetchone()
    if row is None:
        return None
    profile = {
        "id": row["id"],
        "orders": row["orders"],
        "lifetime_spend": row["lifetime_spend"],
        "returns": row["returns"],
        "returned_value": row["returned_value"],
        "tier": row["tier"],
        "vip": bool(row["vip"]),
        "points": row["points"],
        "household": json.loads(row["household"]),
        "goodwill_last_90d": row["goodwill_90d"],
    }
    if row["last_order_at"]:
        profile["last_order_at"] = row["last_order_at"]
    return profile


def rows(conn: sqlite3.Connection, sql: str, *args: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in conn.execute(sql, args).fetchall()]
