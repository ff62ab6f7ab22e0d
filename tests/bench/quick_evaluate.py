"""A quick look at what one evaluation costs, against peers measured in the same run: a no-op
call into the module (the floor) and json.dumps of the same event (a machine-independent
yardstick). Prints medians and ratios; absolute times drift on shared machines, ratios less.

    .venv/bin/python tests/bench/quick_evaluate.py
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Callable

import shoprules
from shoprules import _core


def order(lines: int) -> dict:
    return {
        "id": "evt-1",
        "type": "order.placed",
        "at": "2026-11-23T10:00:00Z",
        "customer": {
            "id": "c-1",
            "orders": 3,
            "lifetime_spend": 1000,
            "household": ["a", "b"],
            "tags": [],
        },
        "order": {
            "id": "o-1",
            "currency": "USD",
            "placed_at": "2026-11-23T09:58:00Z",
            "shipping": "standard",
            "lines": [
                {
                    "sku": f"SH-{i}",
                    "price": 4995,
                    "qty": 1,
                    "category": "shoes",
                    "size": "9",
                    "final_sale": False,
                }
                for i in range(lines)
            ],
        },
    }


def median_ns(fns: dict[str, Callable[[], object]], rounds: int = 15, calls: int = 10000) -> dict:
    samples: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(rounds):  # interleaved, so drift hits every candidate alike
        for name, fn in fns.items():
            start = time.perf_counter_ns()
            for _ in range(calls):
                fn()
            samples[name].append((time.perf_counter_ns() - start) / calls)
    return {name: statistics.median(values) for name, values in samples.items()}


def main() -> None:
    host = shoprules.Host()
    event = order(3)
    result = median_ns(
        {
            "no-op call": _core._noop,
            "json.dumps(event)": lambda: json.dumps(event),
            "Host.evaluate(event)": lambda: host.evaluate(event),
        }
    )
    rules = sum(len(p["rules"]) for p in host.plugins())
    print(f"order.placed with 3 lines, every bundled plugin at its defaults ({rules} rules)")
    for name, ns in result.items():
        print(f"  {name:22s} median {ns:8.0f} ns")
    evaluate = result["Host.evaluate(event)"]
    print(f"  evaluate / json.dumps   {evaluate / result['json.dumps(event)']:.2f}")
    print(f"  evaluate / no-op        {evaluate / result['no-op call']:.1f}")


if __name__ == "__main__":
    main()
