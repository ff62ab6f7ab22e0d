"""Applying a Decision: each action type becomes rows in the shop's database, in one transaction."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

import shoprules

# Actions this shop applies by hand-off to a person or a carrier: recorded as tasks.
TASKS = {
    "reply.due",
    "apology.send",
    "complaint.respond",
    "replacement.ship",
    "referral.competitor",
    "return.review",
    "return.deny",
}


def apply(
    conn: sqlite3.Connection,
    decision: shoprules.Decision,
    customer_id: str,
    order_id: str | None = None,
) -> list[dict[str, Any]]:
    """Applies every action of `decision`; returns them as dicts for the API response."""
    applied = []
    conn.execute("BEGIN")
    try:
        for action in decision.actions:
            _apply_one(conn, action, customer_id, order_id)
            applied.append(action.to_dict())
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return applied


def _goodwill(conn: sqlite3.Connection, customer_id: str, value: int) -> None:
    conn.execute(
        "UPDATE customers SET goodwill_90d = goodwill_90d + ? WHERE id = ?", (value, customer_id)
    )


def _apply_one(
    conn: sqlite3.Connection, action: shoprules.Action, customer_id: str, order_id: str | None
) -> None:
    p = action.params
    kind = action.type
    if kind in ("points.award", "points.revoke", "points.expire"):
        # Pending points are in the balance, and the ledger says from when they can be spent.
        delta = p["points"] if kind == "points.award" else -p["points"]
        conn.execute(
            "INSERT INTO points_ledger (customer_id, delta, reason, available_after_days) "
            "VALUES (?, ?, ?, ?)",
            (customer_id, delta, action.reason, p.get("available_after_days", 0)),
        )
        conn.execute(
            "UPDATE customers SET points = MAX(points + ?, 0) WHERE id = ?", (delta, customer_id)
        )
    elif kind == "exchange.ship":  # an order to ship: the new item goes out before the old is back
        conn.execute(
            "INSERT INTO exchanges (order_id, customer_id, sku, size, qty, shipping, charge, "
            "returned_sku) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                order_id,
                customer_id,
                p["sku"],
                p.get("size", ""),
                p.get("qty", 1),
                p.get("shipping", "standard"),
                p.get("charge", 0),
                p.get("returned_sku", p["sku"]),
            ),
        )
    elif kind == "tier.change":
        conn.execute("UPDATE customers SET tier = ? WHERE id = ?", (p["to"], customer_id))
    elif kind == "vip.grant":
        for cid in p["customers"]:
            conn.execute("UPDATE customers SET vip = 1 WHERE id = ?", (cid,))
    elif kind == "shipping.upgrade":
        conn.execute("UPDATE orders SET shipping = ? WHERE id = ?", (p["to"], order_id))
    elif kind == "coupon.issue":
        conn.execute(
            "INSERT INTO coupons (customer_id, percent, amount, expires_in_days, reason) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                customer_id,
                p.get("percent"),
                p.get("amount"),
                p.get("expires_in_days"),
                action.reason,
            ),
        )
        _goodwill(conn, customer_id, p.get("amount", 0))
    elif kind == "gift.send":
        conn.execute(
            "INSERT INTO gifts (customer_id, kind, message, value) VALUES (?, ?, ?, ?)",
            (customer_id, p["kind"], p["message"], p.get("value", 0)),
        )
        _goodwill(conn, customer_id, p.get("value", 0))
    elif kind == "refund.issue":
        conn.execute(
            "INSERT INTO refunds (order_id, customer_id, amount, bonus, fee, method, reason) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (order_id, customer_id, p["amount"], p["bonus"], p["fee"], p["method"], action.reason),
        )
        if p["method"] == "store_credit":
            conn.execute(
                "UPDATE customers SET store_credit = store_credit + ? WHERE id = ?",
                (p["amount"] + p["bonus"], customer_id),
            )
    elif kind == "return.approve":
        if p.get("pickup"):
            skus = json.dumps([line["sku"] for line in p["lines"]])
            conn.execute(
                "INSERT INTO pickups (order_id, customer_id, skus) VALUES (?, ?, ?)",
                (order_id, customer_id, skus),
            )
        returned = sum(1 for _ in p["lines"])
        conn.execute(
            "UPDATE customers SET returns = returns + ? WHERE id = ?", (returned, customer_id)
        )
    elif kind in TASKS:
        conn.execute(
            "INSERT INTO tasks (kind, customer_id, order_id, detail) VALUES (?, ?, ?, ?)",
            (kind, customer_id, order_id, json.dumps({"params": p, "reason": action.reason})),
        )
    else:  # an action type from a plugin this shop does not know yet: keep it for a person
        conn.execute(
            "INSERT INTO tasks (kind, customer_id, order_id, detail) VALUES (?, ?, ?, ?)",
            ("unhandled:" + kind, customer_id, order_id, json.dumps(action.to_dict())),
        )
