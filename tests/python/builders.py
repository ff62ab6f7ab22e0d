"""Small builders for events, so each test states only what matters to it."""

from __future__ import annotations

from typing import Any

AT = "2026-11-23T10:00:00Z"


def customer(**fields: Any) -> dict[str, Any]:
    return {"id": "c-1", **fields}


def lines(*prices: int, **fields: Any) -> list[dict[str, Any]]:
    return [{"sku": f"SKU-{i}", "price": p, "qty": 1, **fields} for i, p in enumerate(prices)]


def order(
    *prices: int,
    cust: dict | None = None,
    shipping: str = "standard",
    order_id: str = "o-1",
    currency: str = "USD",
    **event: Any,
) -> dict[str, Any]:
    return {
        "id": f"evt-{order_id}",
        "type": "order.placed",
        "at": AT,
        "customer": cust or customer(),
        "order": {
            "id": order_id,
            "currency": currency,
            "shipping": shipping,
            "lines": lines(*prices),
        },
        **event,
    }


def return_request(
    delivered_at: str = "2026-11-01T10:00:00Z",
    *,
    cust: dict | None = None,
    order_lines: list[dict] | None = None,
    returned: list[dict] | None = None,
    refund_to: str = "original",
    circumstances: list[str] | None = None,
    at: str = AT,
) -> dict[str, Any]:
    order_lines = order_lines or [{"sku": "SH-1", "price": 4995, "qty": 1}]
    returned = returned or [{"sku": order_lines[0]["sku"], "qty": 1, "reason": "size"}]
    return {
        "id": "evt-r",
        "type": "return.requested",
        "at": at,
        "customer": cust or customer(),
        "order": {
            "id": "o-r",
            "currency": "USD",
            "delivered_at": delivered_at,
            "lines": order_lines,
        },
        "return": {"lines": returned, "refund_to": refund_to, "circumstances": circumstances or []},
    }


def shipment(
    status: str = "lost",
    *,
    carrier_fault: bool = False,
    days_late: int = 0,
    needed_by: str | None = None,
    cust: dict | None = None,
    prices: tuple[int, ...] = (8900,),
) -> dict[str, Any]:
    return {
        "id": "evt-s",
        "type": "shipment.exception",
        "at": AT,
        "customer": cust or customer(),
        "order": {"id": "o-s", "currency": "USD", "lines": lines(*prices)},
        "shipment": {
            "status": status,
            "carrier_fault": carrier_fault,
            "days_late": days_late,
            "needed_by": needed_by,
        },
    }


def contact(
    channel: str = "email",
    topic: str = "support",
    *,
    public: bool = False,
    our_fault: bool = False,
    circumstances: list[str] | None = None,
    cust: dict | None = None,
) -> dict[str, Any]:
    return {
        "id": "evt-c",
        "type": "contact.received",
        "at": AT,
        "customer": cust or customer(),
        "contact": {
            "channel": channel,
            "topic": topic,
            "public": public,
            "our_fault": our_fault,
            "circumstances": circumstances or [],
        },
    }


def inquiry(in_stock: bool = False) -> dict[str, Any]:
    return {
        "id": "evt-i",
        "type": "stock.inquiry",
        "at": AT,
        "customer": customer(),
        "inquiry": {"sku": "SH-7", "size": "11", "in_stock": in_stock},
    }


def only(plugin: str, rules: dict | None = None, **extra: Any) -> dict[str, Any]:
    """A config with one bundled plugin on (its rules tuned by `rules`), the others off."""
    plugins: dict[str, Any] = {p: {"enabled": False} for p in ("loyalty", "returns", "delight")}
    plugins[plugin] = {"rules": rules or {}}
    return {"plugins": plugins, **extra}


def actions(decision: Any, rule: str | None = None) -> list[Any]:
    """The decision's actions, or those one rule ("plugin.rule") emitted."""
    return [a for a in decision.actions if rule is None or f"{a.plugin}.{a.rule}" == rule]


def trace(decision: Any, rule: str) -> dict[str, Any]:
    plugin, name = rule.split(".")
    (entry,) = [t for t in decision.trace if t["plugin"] == plugin and t["rule"] == name]
    return entry
