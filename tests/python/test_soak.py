"""Soak: a million evaluations leave resident memory flat (a leak of even a byte or two per
evaluation would show)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import shoprules

EVENTS = [
    json.loads(p.read_text())
    for p in sorted((Path(__file__).resolve().parents[2] / "examples" / "events").glob("*.json"))
]


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def test_a_million_evaluations_keep_memory_flat() -> None:
    host = shoprules.Host()
    events = EVENTS * (1000 // len(EVENTS) + 1)

    def run(rounds: int) -> int:
        kept = 0
        for _ in range(rounds):
            for event in events[:1000]:
                kept += len(host.evaluate(event).actions)
        return kept

    run(50)  # warm up: caches, pools and arenas reach their working size
    before = rss_bytes()
    assert run(1000) > 0  # 1,000,000 evaluations
    growth = rss_bytes() - before
    assert growth < 1 << 20, f"resident memory grew by {growth} bytes"
