"""Writes a synthetic JSONL event log (every event type, realistic mixes) for simulate runs.

python tests/bench/make_events.py 1000000 /tmp/events.jsonl
"""

from __future__ import annotations

import json
import random
import sys
from datetime import datetime, timedelta, timezone

START = datetime(2026, 8, 25, tzinfo=timezone.utc)

# The rules of "The next rules" that ship off, with params (maps, days of the year): what the
# benchmark's agreement check and the isolation tests switch on to cover them too.
NEXT_RULES = {
    "delight.first_order_welcome": {},
    "loyalty.category_multiplier": {"multipliers": {"shoes": 2, "gift_cards": 0, "bags": 1.5}},
    "loyalty.tier_terms": {},
    "returns.instant_refund": {},
    "loyalty.pending_points": {},
    "returns.category_window": {"days": {"electronics": 30, "bags": 400}},
    "returns.holiday_window": {"from": "06-01", "to": "12-31", "until": "12-31"},
}


def next_rules_on(config: dict) -> dict:
    """`config` with every rule of NEXT_RULES enabled, with its params."""
    for name, params in NEXT_RULES.items():
        plugin, rule = name.split(".")
        rules = config.setdefault("plugins", {}).setdefault(plugin, {}).setdefault("rules", {})
        rules[rule] = {"enabled": True, **params}
    return config


def iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def next_rules_fields(event: dict, at: datetime, more: random.Random) -> dict:
    """The fields the next rules read (DOMAIN.md), drawn from their own stream so the rest of the
    log stays as it was: last order and spend over 12 months, points, categories, placed_at and
    exchanges."""
    cust = event["customer"]
    cust["points"] = more.randrange(3000)
    if more.random() < 0.7:
        cust["last_order_at"] = iso(at - timedelta(days=more.randrange(500)))
    if more.random() < 0.6:
        cust["spend_12m"] = more.randrange(200000)
    order = event.get("order")
    if order:
        for line in order["lines"]:
            line["category"] = more.choice(["shoes", "shoes", "electronics", "gift_cards", "bags"])
        if "delivered_at" in order:
            delivered = datetime.strptime(order["delivered_at"], "%Y-%m-%dT%H:%M:%SZ")
            order["placed_at"] = iso(delivered - timedelta(days=3))
    for line in event.get("return", {}).get("lines", ()):
        if more.random() < 0.1:
            line["exchange_for"] = {"sku": line["sku"], "size": more.choice(["9", "10", "11"])}
    return event


def event(i: int, rng: random.Random, more: random.Random | None = None) -> dict:
    if more is None:
        more = random.Random(i)
    at = START + timedelta(seconds=rng.randrange(90 * 86400))
    return next_rules_fields(base_event(i, at, rng), at, more)


def base_event(i: int, at: datetime, rng: random.Random) -> dict:
    cust = {
        "id": f"c-{rng.randrange(200000)}",
        "orders": rng.randrange(40),
        "lifetime_spend": rng.randrange(300000),
        "returns": rng.randrange(10),
        "returned_value": rng.randrange(80000),
        "vip": rng.random() < 0.05,
        "household": [f"h-{rng.randrange(1000)}"] if rng.random() < 0.2 else [],
        "goodwill_last_90d": rng.choice([0, 0, 0, 5000, 18000]),
    }
    lines = [
        {
            "sku": f"SKU-{rng.randrange(5000)}-{k}",
            "category": "shoes",
            "price": rng.choice([1200, 2500, 4995, 8900, 12900, 24900]),
            "qty": rng.randint(1, 2),
        }
        for k in range(rng.choice([1, 1, 2, 3]))
    ]
    order = {
        "id": f"o-{i}",
        "currency": "USD",
        "shipping": rng.choice(["standard"] * 8 + ["expedited", "overnight"]),
        "lines": lines,
    }
    kind = rng.choices(
        ["order", "return", "shipment", "contact", "inquiry"], weights=[60, 15, 8, 12, 5]
    )[0]
    base = {"id": f"evt-{i}", "at": iso(at), "customer": cust}
    if kind == "order":
        return {**base, "type": "order.placed", "order": order}
    if kind == "return":
        order["delivered_at"] = iso(at - timedelta(days=rng.randrange(420)))
        returned = [
            {
                "sku": line["sku"],
                "qty": 1,
                "reason": rng.choice(
                    ["size", "changed_mind", "defective", "damaged", "wrong_item", "other"]
                ),
            }
            for line in lines[: rng.randint(1, len(lines))]
        ]
        circumstances = ["bereavement"] if rng.random() < 0.01 else []
        return {
            **base,
            "type": "return.requested",
            "order": order,
            "return": {
                "lines": returned,
                "circumstances": circumstances,
                "refund_to": rng.choice(["original", "original", "store_credit"]),
            },
        }
    if kind == "shipment":
        needed = iso(at + timedelta(hours=rng.randrange(-24, 96))) if rng.random() < 0.3 else None
        return {
            **base,
            "type": "shipment.exception",
            "order": order,
            "shipment": {
                "status": rng.choice(["lost", "late", "late", "damaged", "misdelivered"]),
                "carrier_fault": rng.random() < 0.7,
                "days_late": rng.randrange(6),
                "needed_by": needed,
            },
        }
    if kind == "contact":
        return {
            **base,
            "type": "contact.received",
            "contact": {
                "channel": rng.choice(["email", "chat", "phone", "social"]),
                "topic": rng.choice(["presale", "support", "complaint"]),
                "public": rng.random() < 0.1,
                "our_fault": rng.random() < 0.3,
                "circumstances": ["medical"] if rng.random() < 0.01 else [],
            },
        }
    return {
        **base,
        "type": "stock.inquiry",
        "inquiry": {"sku": "SH-7", "size": "11", "in_stock": rng.random() < 0.5},
    }


def main() -> int:
    count, path = int(sys.argv[1]), sys.argv[2]
    rng, more = random.Random(2026), random.Random(14)
    with open(path, "w") as out:
        for i in range(count):
            out.write(json.dumps(event(i, rng, more), separators=(",", ":")) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
