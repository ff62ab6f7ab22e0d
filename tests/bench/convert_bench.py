"""shoprules convert: JSON lines to Parquet, pyarrow's JSON reader by blocks against the
line-at-a-time read (json.loads, the shape check, Table.from_pylist) it falls back to, with times
as text and as timestamps.

    .venv/bin/python tests/bench/convert_bench.py                  # 1,000,000 events; writes
                                                                    # BENCHMARKS.md "convert"
    .venv/bin/python tests/bench/convert_bench.py --events 100000 --quick   # writes nothing

Both paths convert the same generated log (make_events.py, the first 50,000 events repeated) in
the same run, alternately, and must write the same rows; the ratio is the figure to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.parquet as pq
import shoprules
from shoprules import eventlog

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_events
from sections import write_section
from simulate_bench import UNIQUE, cpu


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="write nothing to BENCHMARKS.md")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    rng = random.Random(2026)
    unique = [make_events.event(i, rng) for i in range(min(UNIQUE, args.events))]
    text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in unique)
    repeats = max(1, args.events // len(unique))
    n = repeats * len(unique)
    block_path = eventlog._parse_block
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "events.jsonl"
        with src.open("w") as out:
            for _ in range(repeats):
                out.write(text)
        best: dict[tuple[str, str], tuple[float, float]] = {}
        for _ in range(args.rounds):
            for times in eventlog.TIMES:
                tables = {}
                for name, parse in (("blocks", block_path), ("lines", lambda *a: None)):
                    eventlog._parse_block = parse
                    dst = folder / f"{name}.parquet"
                    c, t = cpu(), time.perf_counter()
                    result = shoprules.convert(src, dst, times=times)
                    wall, used = time.perf_counter() - t, cpu() - c
                    assert result == {"lines": n, "rows": n, "bad_lines": 0, "bad_examples": []}
                    w, u = best.get((times, name), (wall, used))
                    best[times, name] = (min(w, wall), min(u, used))
                    tables[name] = pq.read_table(dst)
                eventlog._parse_block = block_path
                assert tables["blocks"].equals(tables["lines"]), "the paths wrote other rows"
    size = len(text.encode()) * repeats / 2**20
    rows = []
    for times in eventlog.TIMES:
        for name, label in (("lines", "a line at a time"), ("blocks", "blocks (pyarrow)")):
            wall, used = best[times, name]
            rows.append(
                f"| {times} | {label} | {n / wall:,.0f} | {n / used:,.0f} | "
                f"{best[times, 'lines'][0] / wall:.2f} |"
            )
    lines = [
        f"`shoprules convert` of {n:,} mixed events ({size:,.0f} MiB of JSON lines), best of "
        f"{args.rounds}; load average at the start {load:.1f} on {os.cpu_count()} cores. Both "
        "ways wrote the same rows.",
        "",
        "| times | read | lines/s (wall) | lines per CPU-second | x a line at a time (wall) |",
        "|---|---|---:|---:|---:|",
        *rows,
        "",
        "Reproduce: `.venv/bin/python "
        f"tests/bench/convert_bench.py --events {args.events}"
        + (f" --rounds {args.rounds}" if args.rounds != 3 else "")
        + "` (writes this section).",
    ]
    out = "\n".join(lines)
    print(out)
    if not args.quick:
        write_section("convert", "## convert: JSON lines to Parquet\n\n" + out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
