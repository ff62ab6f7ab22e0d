"""Soak: a million evaluations leave resident memory flat (a leak of even a byte or two per
evaluation would show).

The evaluations run in a fresh interpreter of their own: in the pytest process, threads that
earlier tests left behind (a store follower, a console, a Dask client) allocate as they please,
and their memory would be counted against `evaluate`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import shoprules

EVENTS_DIR = Path(__file__).resolve().parents[2] / "examples" / "events"


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def soak() -> int:
    """Evaluates the sample events a million times after a warm-up; returns the RSS growth."""
    events = [json.loads(p.read_text()) for p in sorted(EVENTS_DIR.glob("*.json"))]
    events = (events * (1000 // len(events) + 1))[:1000]
    host = shoprules.Host()

    def run(rounds: int) -> int:
        kept = 0
        for _ in range(rounds):
            for event in events:
                kept += len(host.evaluate(event).actions)
        return kept

    run(50)  # warm up: caches, pools and arenas reach their working size
    before = rss_bytes()
    assert run(1000) > 0  # 1,000,000 evaluations
    return rss_bytes() - before


def test_a_million_evaluations_keep_memory_flat() -> None:
    out = subprocess.run(
        [sys.executable, __file__], capture_output=True, text=True, check=True, timeout=600
    )
    growth = int(out.stdout)
    assert growth < 1 << 20, f"resident memory grew by {growth} bytes"


if __name__ == "__main__":
    print(soak())
