"""simulate on event logs: JSON lines, Parquet, a log kept in memory, peak memory, and Dask.

    .venv/bin/python tests/bench/simulate_bench.py                 # 1,000,000 events; writes
                                                                    # BENCHMARKS.md "event-logs"
    .venv/bin/python tests/bench/simulate_bench.py --events 200000 --quick   # writes nothing

All figures come from one run on the same events: mixed generated events (make_events.py; the
first 50,000 repeated), as JSON lines and as a Parquet log of the event schema (zstd, row groups
of eventlog.BATCH_ROWS). Wall-clock rates on a shared machine drift with its load, so each is
also given per CPU-second of the process (what 2 idle cores would reach is twice that), and the
ratios between inputs are the figures to compare.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import shoprules
import shoprules.dask
from shoprules import eventlog

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import make_events  # noqa: E402
from sections import write_section  # noqa: E402

UNIQUE = 50_000
SCALING = (
    "How it scales out: each task replays one row group in C++ and returns a partial report of "
    "a few kilobytes, so what Dask adds per task is scheduling and one small result "
    "(milliseconds), while a row group of {rows:,} events takes a core about {seconds:.2f} s "
    "here: at that partition size the scheduler costs a few percent, and more workers divide "
    "the replay among them until the files' storage is the limit. Smaller row groups (a few "
    "thousand rows) make the per-task cost visible; on this shared 2-core machine the ratio "
    "also moves with the load from one run to the next, because the one-process run and the "
    "two workers compete with other programs for the same cores."
)


OFF_JSONL = "JSON lines, every plugin off (reading alone)"
OFF_PARQUET = "Parquet, every plugin off (reading alone)"
OFF_KEPT = "kept in memory, every plugin off (all but the rules)"
OFF_RUNS = (OFF_JSONL, OFF_PARQUET, OFF_KEPT)


def cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def make_logs(folder: Path, events: int) -> tuple[Path, Path, Path]:
    rng = random.Random(2026)
    unique = [make_events.event(i, rng) for i in range(min(UNIQUE, events))]
    jsonl = folder / "events.jsonl"
    text = "".join(json.dumps(e, separators=(",", ":")) + "\n" for e in unique)
    with jsonl.open("w") as out:
        for _ in range(events // len(unique)):
            out.write(text)
    table = pa.Table.from_pylist(unique, schema=eventlog.event_schema())
    parquet = folder / "events.parquet"
    with pq.ParquetWriter(parquet, eventlog.event_schema(), compression="zstd") as writer:
        for _ in range(events // len(unique)):
            writer.write_table(table, row_group_size=eventlog.BATCH_ROWS)
    # The same log as `shoprules convert --times timestamp` writes it.
    stamped = json.loads(json.dumps(unique))
    for e in stamped:
        assert eventlog._times_as_timestamps(e) is None
    schema = eventlog.event_schema("timestamp")
    table = pa.Table.from_pylist(stamped, schema=schema)
    timestamps = folder / "timestamps.parquet"
    with pq.ParquetWriter(timestamps, schema, compression="zstd") as writer:
        for _ in range(events // len(unique)):
            writer.write_table(table, row_group_size=eventlog.BATCH_ROWS)
    return jsonl, parquet, timestamps


def best(run: Callable[[], dict[str, Any]], rounds: int) -> tuple[float, float, dict[str, Any]]:
    """Best wall seconds and best CPU seconds of `rounds` runs, and the last report."""
    walls, cpus = [], []
    report: dict[str, Any] = {}
    for _ in range(rounds):
        c, t = cpu(), time.perf_counter()
        report = run()
        walls.append(time.perf_counter() - t)
        cpus.append(cpu() - c)
    return min(walls), min(cpus), report


# VmHWM, not ru_maxrss: a child's ru_maxrss starts at its parent's size (kept across exec).
PEAK = """
import re, sys, shoprules
report = shoprules.simulate(sys.argv[1], {}, threads=2)
status = open("/proc/self/status").read()
print(report["events"], re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1))
"""


def peak_kib(path: Path) -> tuple[int, int]:
    out = subprocess.run(
        [sys.executable, "-c", PEAK, str(path)], capture_output=True, text=True, check=True
    )
    events, kib = out.stdout.split()
    return int(events), int(kib)


def dask_seconds(parquet: Path, rounds: int) -> tuple[float, dict[str, Any]]:
    from distributed import Client, LocalCluster

    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        shoprules.dask.simulate(parquet, {}, client=client)  # warm: workers load the plugins
        wall, _, report = best(lambda: shoprules.dask.simulate(parquet, {}, client=client), rounds)
    return wall, report


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="write nothing to BENCHMARKS.md")
    parser.add_argument(
        "--peak-events",
        type=int,
        default=0,
        metavar="N",
        help="also the peak memory on a Parquet log of N events (its row groups repeated)",
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]  # before the benchmark itself loads the cores
    n = args.events - args.events % UNIQUE if args.events >= UNIQUE else args.events
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        jsonl, parquet, timestamps = make_logs(folder, n)
        results = {}
        # Every plugin off: what the replay costs without the rules, so what rule work can gain.
        off = {"plugins": {p: {"enabled": False} for p in ("loyalty", "returns", "delight")}}
        for name, run in (
            ("JSON lines", lambda: shoprules.simulate(jsonl, {}, threads=2)),
            ("Parquet", lambda: shoprules.simulate(parquet, {}, threads=2)),
            (
                "Parquet, times as timestamps (`convert --times timestamp`)",
                lambda: shoprules.simulate(timestamps, {}, threads=2),
            ),
            (OFF_JSONL, lambda: shoprules.simulate(jsonl, off, threads=2)),
            (OFF_PARQUET, lambda: shoprules.simulate(parquet, off, threads=2)),
        ):
            results[name] = best(run, args.rounds)
        eventlog.clear_cache()
        shoprules.simulate(parquet, {}, threads=2, cache=True)  # read once
        held = eventlog.cached_bytes()
        assert eventlog.cached_events() == n, "the log does not fit SHOPRULES_SIMULATE_CACHE_MB"
        results["Parquet kept in memory (repeat)"] = best(
            lambda: shoprules.simulate(parquet, {}, threads=2, cache=True), args.rounds
        )
        results[OFF_KEPT] = best(
            lambda: shoprules.simulate(parquet, off, threads=2, cache=True), args.rounds
        )
        eventlog.clear_cache()
        reports = [r for name, (_, _, r) in results.items() if name not in OFF_RUNS]
        for r in reports[1:]:  # same events, same answers, whatever the input
            assert r["configs"] == reports[0]["configs"] and r["events"] == n
        for name in OFF_RUNS:  # the rules did nothing, on every event
            assert results[name][2]["events"] == n, name
        small = folder / "small.parquet"
        whole = pq.ParquetFile(parquet)  # a few batches: the queue at its steady state
        pq.write_table(whole.read_row_groups(range(min(4, whole.num_row_groups))), small)
        small_events, small_kib = peak_kib(small)
        big_events, big_kib = peak_kib(parquet)
        huge_events = huge_kib = 0
        if args.peak_events:
            huge = folder / "huge.parquet"
            groups = pq.ParquetFile(parquet)
            with pq.ParquetWriter(huge, groups.schema_arrow, compression="zstd") as writer:
                group = groups.read_row_group(0)
                for _ in range(args.peak_events // group.num_rows):
                    writer.write_table(group)
            huge_events, huge_kib = peak_kib(huge)
        # Dask against one process on the largest log: per-task costs are fixed, so a small
        # log overstates them.
        dask_log = huge if args.peak_events else parquet
        dask_events = huge_events or n
        group_rows = pq.ParquetFile(dask_log).metadata.row_group(0).num_rows
        one_wall, _, one_report = best(
            lambda: shoprules.simulate(dask_log, {}, threads=2), max(1, args.rounds - 1)
        )
        dask_wall, dask_report = dask_seconds(dask_log, max(1, args.rounds - 1))
        assert dask_report["configs"] == one_report["configs"]
        assert dask_report["events"] == dask_events
        size_mib = {
            "JSON lines": jsonl.stat().st_size >> 20,
            "Parquet": parquet.stat().st_size >> 20,
        }

    lines = [
        f"`simulate` on {n:,} mixed events (the same in every input; "
        f"JSON lines {size_mib['JSON lines']:,} MiB, Parquet {size_mib['Parquet']:,} MiB), "
        f"`threads=2`, best of {args.rounds}; load average at the start "
        f"{load:.1f} on {os.cpu_count()} cores.",
        "",
        "| input | events/s (wall) | events per CPU-second | x JSON lines (CPU) |",
        "|---|---:|---:|---:|",
    ]
    base_cpu = results["JSON lines"][1]
    for name, (wall, cpu_s, _) in results.items():
        lines.append(f"| {name} | {n / wall:,.0f} | {n / cpu_s:,.0f} | {base_cpu / cpu_s:.2f} |")
    lines += [
        "",
        "With every plugin off, a replay still reads each event and runs the host's loop, so "
        "those rows bound what making the rules cheaper can gain: "
        f"JSON lines {n / results[OFF_JSONL][0]:,.0f}, Parquet {n / results[OFF_PARQUET][0]:,.0f} "
        f"and kept in memory {n / results[OFF_KEPT][0]:,.0f} events/s (wall).",
        "",
        f"Kept in memory: {held / 2**20:,.0f} MiB of record batches and typed events for "
        f"{n:,} events "
        f"(cap `SHOPRULES_SIMULATE_CACHE_MB`, 1024 by default).",
        "",
        f"Peak memory (VmHWM of a fresh process running `shoprules.simulate` on Parquet, "
        f"batches of {eventlog.BATCH_ROWS:,} rows): {small_kib / 1024:,.0f} MiB for "
        f"{small_events:,} events, {big_kib / 1024:,.0f} MiB for {big_events:,} events "
        f"(x{big_kib / small_kib:.2f} for x{big_events / small_events:.0f} the events)"
        + (
            f", {huge_kib / 1024:,.0f} MiB for {huge_events:,} events "
            f"(x{huge_kib / big_kib:.2f} for x{huge_events / big_events:.0f})."
            if huge_events
            else "."
        ),
        "",
        f"Dask on {dask_events:,} Parquet events, a `LocalCluster` of 2 worker processes (1 "
        f"thread each), one task per row group ({group_rows:,} rows): "
        f"{dask_wall:.2f} s against {one_wall:.2f} s in one process (2 threads): ratio "
        f"**{one_wall / dask_wall:.2f}** (one process / Dask).",
        "",
        SCALING.format(rows=group_rows, seconds=group_rows * results["Parquet"][1] / n),
        "",
        "Reproduce: `.venv/bin/python tests/bench/simulate_bench.py --events "
        f"{n}"
        + (f" --peak-events {args.peak_events}" if args.peak_events else "")
        + (f" --rounds {args.rounds}" if args.rounds != 3 else "")
        + "` (writes this section).",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.quick:
        write_section(
            "event-logs", "## Event logs: JSON lines, Parquet, in memory, Dask\n\n" + text
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
