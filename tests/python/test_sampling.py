"""Deterministic sampling: surprise_upgrade picks its share of orders by a stable hash."""

from __future__ import annotations

import json
import subprocess
import sys

import shoprules
from builders import order


def upgraded(host: shoprules.Host, events: list[dict]) -> list[str]:
    return [
        e["order"]["id"]
        for e, d in zip(events, host.evaluate_many(events))
        if any(a.rule == "surprise_upgrade" for a in d.actions)
    ]


def test_ten_percent_of_ten_thousand_orders() -> None:
    events = [order(3000, order_id=f"o-{i}") for i in range(10000)]
    share = len(upgraded(shoprules.Host(), events)) / len(events)
    assert abs(share - 0.10) <= 0.015, share


def test_the_same_order_always_gets_the_same_answer() -> None:
    host = shoprules.Host()
    events = [order(3000, order_id=f"o-{i}") for i in range(500)]
    first = upgraded(host, events)
    assert upgraded(host, events) == first
    assert upgraded(shoprules.Host(), events) == first
    # The event id does not matter, only the order id.
    renamed = [dict(e, id=f"other-{i}") for i, e in enumerate(events)]
    assert upgraded(host, renamed) == first


def test_the_same_answer_in_another_process() -> None:
    events = [order(3000, order_id=f"o-{i}") for i in range(2000)]
    code = (
        "import json, sys, shoprules\n"
        "events = json.load(sys.stdin)\n"
        "ds = shoprules.Host().evaluate_many(events)\n"
        "print(json.dumps([e['order']['id'] for e, d in zip(events, ds)\n"
        "                  if any(a.rule == 'surprise_upgrade' for a in d.actions)]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(events),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == upgraded(shoprules.Host(), events)


def test_the_seed_changes_who_is_picked() -> None:
    events = [order(3000, order_id=f"o-{i}") for i in range(2000)]
    a = upgraded(shoprules.Host(config={"seed": "a"}), events)
    b = upgraded(shoprules.Host(config={"seed": "b"}), events)
    assert a != b
