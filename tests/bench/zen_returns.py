"""The returns policy at its defaults (DOMAIN.md: a 365-day window, refund, 10% store-credit bonus,
prepaid label, courier pickup on hardship, exchanged lines not refunded) as a ZEN decision graph
(JDM), the way a shop using the ZEN rules engine would write it. `summary_of_zen` and
`summary_of_host` reduce both engines' answers to the same shape, so `run.py` can check they agree
before timing them.
"""

from __future__ import annotations

import json
from typing import Any

WINDOW_DAYS = 365
BONUS_PERCENT = 10


def _expressions(node_id: str, name: str, exprs: list[tuple[str, str]], **content: Any) -> dict:
    return {
        "id": node_id,
        "type": "expressionNode",
        "name": name,
        "position": {"x": 0, "y": 0},
        "content": {
            "expressions": [
                {"id": f"{node_id}-{i}", "key": key, "value": value}
                for i, (key, value) in enumerate(exprs)
            ],
            **content,
        },
    }


def graph() -> str:
    """The JDM: window and label, then the value of each returned line, then the refund."""
    nodes = [
        {"id": "in", "type": "inputNode", "name": "event", "position": {"x": 0, "y": 0}},
        _expressions(
            "window",
            "Return window and label",
            [
                ("age", "floor((date(at) - date(order.delivered_at)) / 86400)"),
                (
                    "decision",
                    f"$.age <= {WINDOW_DAYS} ? 'approve' : (customer.vip == true ? 'review' : "
                    "'deny')",
                ),
                (
                    "hardship",
                    "some(return.circumstances ?? [], # == 'bereavement' or # == 'medical')",
                ),
                ("label", "$.decision == 'approve' ? 'prepaid' : null"),
                ("pickup", "$.decision == 'approve' and $.hardship"),
                (
                    "joined",
                    "map(return.lines, {sku: #.sku, qty: #.qty ?? 1, bought: $root.order.lines, "
                    "exchanged: #.exchange_for != null})",
                ),
                ("refund_to", "return.refund_to ?? 'original'"),
            ],
            passThrough=False,
        ),
        _expressions(
            "lines",
            "Value of each returned line",
            [
                (
                    "value",
                    "exchanged ? 0 : "
                    "sum(map(filter(bought, #.sku == sku), #.price * min([#.qty ?? 1, qty])))",
                )
            ],
            inputField="joined",
            executionMode="loop",
            outputPath="valued",
            passThrough=True,
        ),
        _expressions(
            "refund",
            "Refund and store-credit bonus",
            [
                ("amount", "decision == 'approve' ? sum(map(valued, #.value)) : 0"),
                ("method", "refund_to == 'store_credit' ? 'store_credit' : 'original'"),
                (
                    "bonus",
                    f"$.method == 'store_credit' ? floor(($.amount * {BONUS_PERCENT} + 50) / 100)"
                    " : 0",
                ),
                ("decision", "decision"),
                ("label", "label"),
                ("pickup", "pickup"),
            ],
            passThrough=False,
        ),
        {"id": "out", "type": "outputNode", "name": "decision", "position": {"x": 0, "y": 0}},
    ]
    order = ["in", "window", "lines", "refund", "out"]
    edges = [
        {"id": f"e{i}", "sourceId": a, "targetId": b, "type": "edge"}
        for i, (a, b) in enumerate(zip(order, order[1:]))
    ]
    return json.dumps({"nodes": nodes, "edges": edges})


def summary_of_zen(result: dict) -> tuple:
    r = result["result"]
    refund = (r["amount"], r["method"], r["bonus"]) if r["amount"] else None
    label = r["label"] if r["decision"] == "approve" else None
    return (r["decision"], label, bool(r["pickup"]), refund)


def summary_of_host(actions: list) -> tuple:
    by_type = {a.type: a.params for a in actions}
    decision = next(
        (
            t.split(".")[1]
            for t in ("return.approve", "return.review", "return.deny")
            if t in by_type
        ),
        None,
    )
    approve = by_type.get("return.approve", {})
    refund = by_type.get("refund.issue")
    return (
        decision,
        approve.get("label"),
        bool(approve.get("pickup")),
        (refund["amount"], refund["method"], refund["bonus"]) if refund else None,
    )
