"""The console's what-if over 1,000,000 events: how soon the page sees progress, and how long the
whole run takes through the console (a background thread, polled over HTTP as the page does)
against `_core.simulate` on the same log and configs; then the same log as Parquet, read by the
first what-if and kept in memory for the next. Writes the "console" section of BENCHMARKS.md.

python tests/bench/console_whatif.py [--events N] [--no-write]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from sections import write_section
from shoprules import _core, eventlog
from shoprules.configs import open_source
from shoprules.console.app import Console, create_app
from shoprules.console.auth import hash_password
from starlette.testclient import TestClient

ROOT = Path(__file__).resolve().parents[2]
IN_FORCE = json.loads((ROOT / "examples" / "configs" / "store.json").read_text())
PROPOSED = json.loads(json.dumps(IN_FORCE))
PROPOSED["plugins"]["returns"]["rules"]["window"]["days"] = 30
PROPOSED["plugins"]["returns"]["rules"]["free_return_shipping"]["enabled"] = False


def make_log(folder: Path, events: int) -> Path:
    log = folder / "logs" / "season.jsonl"
    log.parent.mkdir(parents=True)
    make = ROOT / "tests" / "bench" / "make_events.py"
    subprocess.run([sys.executable, str(make), str(events), str(log)], check=True)
    return log


def direct(log: Path, threads: int) -> float:
    start = time.perf_counter()
    _core.simulate(log, PROPOSED, IN_FORCE, None, threads, False)
    return time.perf_counter() - start


def through_console(
    folder: Path, threads: int, log: str = "season.jsonl"
) -> tuple[float, float, float]:
    """(first progress the page sees, total as the page sees it, total in the runner)."""
    config = folder / "store.json"
    if not config.exists():
        config.write_text(json.dumps(IN_FORCE, indent=2))
    source = open_source(config)
    source.operators.set("bench", hash_password("bench"))
    console = Console(source, events_dir=folder / "logs", threads=threads)
    with TestClient(create_app(console), follow_redirects=False) as client:
        token = re.search(r'name="csrf" value="([^"]+)"', client.get("/signin").text).group(1)
        client.post("/signin", data={"csrf": token, "name": "bench", "password": "bench"})
        csrf = re.search(r'name="csrf" value="([^"]+)"', client.get("/whatif").text).group(1)
        start = time.perf_counter()
        r = client.post(
            "/whatif/run",
            data={"csrf": csrf, "log": log, "proposed": json.dumps(PROPOSED)},
        )
        url = "/api" + r.headers["location"]
        first = None
        while True:
            status = client.get(url).json()
            now = time.perf_counter() - start
            if first is None and status["done_bytes"] > 0:
                first = now
            if status["state"] != "running":
                break
            time.sleep(0.05)
        assert status["state"] == "done", status
        job = console.runner.get(status["id"])
        return first or now, now, job.seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--threads", type=int, default=0, help="0: all cores")
    parser.add_argument("--rounds", type=int, default=2, help="runs of each, best kept")
    parser.add_argument("--no-write", action="store_true", help="print, leave BENCHMARKS.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
        folder = Path(tmp)
        log = make_log(folder, args.events)
        direct(log, args.threads)  # warm the page cache and the plugins
        # Alternated, best of each: the machine is shared, and load comes and goes.
        bases, runs = [], []
        for _ in range(args.rounds):
            bases.append(direct(log, args.threads))
            runs.append(through_console(folder, args.threads))
        base = min(bases)
        first, total, runner = min(runs, key=lambda r: r[1])
        size = log.stat().st_size
        parquet = log.with_name("season.parquet")
        eventlog.convert(log, parquet)
        eventlog.clear_cache()
        read_first = through_console(folder, args.threads, parquet.name)[1]
        kept = min(
            through_console(folder, args.threads, parquet.name)[1] for _ in range(args.rounds)
        )
        eventlog.clear_cache()
    ratio = total / base
    cores = os.cpu_count()
    lines = [
        "## Console what-if",
        "",
        f"A what-if (proposed config against the one in force) over {args.events:,} events "
        f"({size / 1e6:,.0f} MB of JSONL from `tests/bench/make_events.py`), started and polled "
        "over HTTP as the console's page does (every 50 ms), against `_core.simulate` of the "
        f"same log and configs in the same process; {cores} cores, "
        f"threads={args.threads or 'all'}; best of {args.rounds} alternated runs of each. "
        "`python tests/bench/console_whatif.py`.",
        "",
        "| measure | seconds |",
        "|---|---:|",
        f"| `_core.simulate`, direct | {base:.2f} |",
        f"| console: first progress the page sees | {first:.2f} |",
        f"| console: done, as the page sees it | {total:.2f} |",
        f"| console: the runner's own time | {runner:.2f} |",
        "",
        f"Console total / simulate: **{ratio:.2f}x** (1 would be no cost beyond simulate's own; "
        "on a shared machine the ratio moves with the load of the moment).",
        "",
        "The same events as a Parquet log (`shoprules convert`), what-ifs through the console "
        "as the page sees them: the first reads the log and keeps its rows as typed events, the "
        "next ones only run the rules.",
        "",
        "| Parquet what-if | seconds | events/s |",
        "|---|---:|---:|",
        f"| first (reads the log) | {read_first:.2f} | {args.events / read_first:,.0f} |",
        f"| next (kept in memory) | {kept:.2f} | {args.events / kept:,.0f} |",
    ]
    text = "\n".join(lines)
    print(text)
    if not args.no_write:
        write_section("console", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
