"""shoprules against its peers, on the same events, in one process, interleaved.

    .venv/bin/python tests/bench/run.py            # everything; writes BENCHMARKS.md
    .venv/bin/python tests/bench/run.py --quick    # fewer rounds, no soak; writes nothing

Peers: a plain-Python implementation of the same rule catalog (pycatalog.py), the ZEN rules engine
with the returns policy as a JDM graph (zen_returns.py), and the floor: a no-op call into the
module and json.dumps of the same event. Every peer is first checked to give the same answers as
shoprules on every benchmark event. Absolute times drift on shared machines; the ratios, measured
in the same run, are the figures to compare.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import shoprules
import zen
from shoprules import _core

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

import make_events  # noqa: E402
import pycatalog  # noqa: E402
import zen_returns  # noqa: E402
from sections import sections  # noqa: E402

EXAMPLES = ROOT / "examples" / "events"
RETURNS_ONLY = {"plugins": {"delight": {"enabled": False}, "loyalty": {"enabled": False}}}


def order(lines: int) -> dict:
    return {
        "id": f"evt-order-{lines}",
        "type": "order.placed",
        "at": "2026-11-23T10:00:00Z",
        "customer": {"id": "c-1", "orders": 3, "lifetime_spend": 1000, "household": ["a", "b"]},
        "order": {
            "id": f"o-{lines}",
            "currency": "USD",
            "placed_at": "2026-11-23T09:58:00Z",
            "shipping": "standard",
            "lines": [
                {"sku": f"SH-{i}", "price": 4995, "qty": 1, "category": "shoes", "size": "9"}
                for i in range(lines)
            ],
        },
    }


def example(name: str) -> dict:
    return json.loads((EXAMPLES / name).read_text())


def single_events() -> dict[str, dict]:
    return {
        "order.placed, 1 line": order(1),
        "order.placed, 3 lines": order(3),
        "order.placed, 30 lines": order(30),
        "return.requested": example("03-return-store-credit.json"),
        "shipment.exception": example("06-story-wedding-shoes-misdelivered.json"),
        "contact.received": example("12-contact-public-complaint.json"),
    }


def mixed_events(n: int) -> list[dict]:
    rng = random.Random(2026)
    return [make_events.event(i, rng) for i in range(n)]


# --- timing ------------------------------------------------------------------------------------


def per_call(fns: dict[str, Callable[[], object]], rounds: int, calls: int) -> dict[str, list]:
    """Per-call times in ns, each call timed alone; candidates interleaved round by round."""
    clock = time.perf_counter_ns
    samples: dict[str, list[int]] = {name: [] for name in fns}
    for fn in fns.values():  # warm-up, untimed: caches, allocator, branch predictors
        for _ in range(calls):
            fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            out = samples[name]
            for _ in range(calls):
                start = clock()
                fn()
                out.append(clock() - start)
    return samples


def loop_seconds(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, float]:
    """Median wall time of each candidate over `rounds` interleaved runs."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for fn in fns.values():  # warm-up, untimed
        fn()
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(v) for name, v in times.items()}


def p(values: list[int], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- checks: every peer gives the same answers before it is timed ------------------------------


# The off-by-default rules of "The next rules" that pycatalog also has, with params, so the
# agreement check covers them too (the benchmarks themselves run at the defaults).
NEXT_RULES = make_events.NEXT_RULES
NEXT_RULES_CONFIG = make_events.next_rules_on({"plugins": {}})


def check_catalog(
    host: shoprules.Host, events: list[dict], rules: tuple[list, list] | None = None
) -> int:
    for ev in events:
        want = [a.to_dict() for a in host.evaluate(ev).actions]
        got = pycatalog.evaluate(ev, rules)
        if want != got:
            raise SystemExit(f"plain-Python catalog disagrees on {ev['id']}:\n{want}\n{got}")
    return len(events)


def check_zen(host: shoprules.Host, decision: zen.ZenDecision, events: list[dict]) -> int:
    for ev in events:
        want = zen_returns.summary_of_host(host.evaluate(ev).actions)
        got = zen_returns.summary_of_zen(decision.evaluate(ev))
        if want != got:
            raise SystemExit(f"ZEN graph disagrees on {ev['id']}:\n{want}\n{got}")
    return len(events)


# --- whole-process figures ---------------------------------------------------------------------


def startup_ms(runs: int = 7) -> tuple[float, float]:
    """Median ms for `import shoprules` and for `Host()` with the bundled plugins, each in a new
    process (so dlopen and the config snapshot are paid in full)."""
    code = (
        "import time; t0 = time.perf_counter(); import shoprules; t1 = time.perf_counter();"
        "shoprules.Host(); t2 = time.perf_counter(); print((t1 - t0) * 1e3, (t2 - t1) * 1e3)"
    )
    imports, hosts = [], []
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        ).stdout
        a, b = (float(x) for x in out.split())
        imports.append(a)
        hosts.append(b)
    return statistics.median(imports), statistics.median(hosts)


def rss_kib() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def soak(host: shoprules.Host, events: list[dict], total: int) -> tuple[int, int, float]:
    """RSS after a warm-up and after `total` evaluations of the mixed events."""
    for ev in events:
        host.evaluate(ev)
    gc.collect()
    before = rss_kib()
    start = time.perf_counter()
    n = len(events)
    for i in range(total):
        host.evaluate(events[i % n])
    seconds = time.perf_counter() - start
    gc.collect()
    return before, rss_kib(), seconds


def simulate_rate(events: int) -> tuple[float, float]:
    """Events/second of `shoprules.simulate` over a JSONL file of mixed events, and seconds."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "events.jsonl"
        with path.open("w") as out:
            for i in range(events):
                out.write(json.dumps(make_events.event(i, rng), separators=(",", ":")) + "\n")
        best = None
        for _ in range(3):
            start = time.perf_counter()
            report = _core.simulate(path)
            seconds = time.perf_counter() - start
            assert report["events"] == events, report["bad_examples"]
            best = seconds if best is None else min(best, seconds)
    return events / best, best


# --- the report --------------------------------------------------------------------------------


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{cpu}, {os.cpu_count()} cores; {platform.system()} {platform.release()}; "
        f"Python {platform.python_version()}; shoprules {shoprules.__version__}; "
        f"zen-engine {zen_version()}"
    )


def zen_version() -> str:
    from importlib.metadata import version

    return version("zen-engine")


def us(ns: float) -> str:
    return f"{ns / 1000:.2f} µs"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer rounds; no soak; no file")
    parser.add_argument("--out", default=str(ROOT / "BENCHMARKS.md"), help="report file")
    args = parser.parse_args()
    rounds, calls = (5, 400) if args.quick else (15, 2000)
    mixed_n = 2000 if args.quick else 10000

    host = shoprules.Host()
    returns_host = shoprules.Host(RETURNS_ONLY)
    zen_decision = zen.ZenEngine().create_decision(zen_returns.graph())
    singles = single_events()
    mixed = mixed_events(mixed_n)
    returns = [ev for ev in mixed if ev["type"] == "return.requested"]
    checked = check_catalog(host, list(singles.values()) + mixed)
    next_checked = check_catalog(
        shoprules.Host(NEXT_RULES_CONFIG), mixed, pycatalog.rule_lists(NEXT_RULES)
    )
    zen_checked = check_zen(returns_host, zen_decision, [*returns, singles["return.requested"]])
    print(f"checked: plain-Python catalog = shoprules on {checked} events, and with the next "
          f"rules that ship off switched on, on {next_checked}; "
          f"ZEN = shoprules (returns only) on {zen_checked} return events")  # fmt: skip

    lines: list[str] = []
    say = lines.append
    noop = _core._noop
    say("## One event at a time, all bundled plugins at their defaults (25 rules on)")
    say("")
    say(f"Each call timed alone ({rounds} rounds x {calls} calls per candidate, interleaved).")
    say("")
    say("| event | no-op | json.dumps | shoprules | plain Python | shoprules / json.dumps "
        "| plain Python / shoprules |")  # fmt: skip
    say("|---|---|---|---|---|---|---|")
    results = {}
    for name, ev in singles.items():
        s = per_call(
            {
                "noop": noop,
                "dumps": lambda ev=ev: json.dumps(ev),
                "host": lambda ev=ev: host.evaluate(ev),
                "python": lambda ev=ev: pycatalog.evaluate(ev),
            },
            rounds,
            calls,
        )
        m = {k: (statistics.median(v), p(v, 0.99)) for k, v in s.items()}
        results[name] = m
        say(
            f"| {name} | {m['noop'][0]:.0f} ns | {us(m['dumps'][0])} | {us(m['host'][0])} "
            f"(p99 {us(m['host'][1])}) | {us(m['python'][0])} (p99 {us(m['python'][1])}) "
            f"| **{m['host'][0] / m['dumps'][0]:.2f}x** "
            f"| **{m['python'][0] / m['host'][0]:.1f}x** |"
        )
    say("")

    loops = loop_seconds(
        {
            "host": lambda: [host.evaluate(ev) for ev in mixed],
            "python": lambda: [pycatalog.evaluate(ev) for ev in mixed],
            "many": lambda: host.evaluate_many(mixed),
            "many1": lambda: host.evaluate_many(mixed, threads=1),
        },
        rounds=max(3, rounds // 3),
    )
    n = len(mixed)
    say(f"## {n:,} mixed events (every event type, as `make_events.py` draws them)")
    say("")
    say("| how | events/s | per event |")
    say("|---|---|---|")
    for key, label in [
        ("python", "plain-Python catalog, a loop"),
        ("host", "`Host.evaluate`, a Python loop"),
        ("many1", "`Host.evaluate_many`, 1 thread"),
        ("many", "`Host.evaluate_many`, every core"),
    ]:
        say(f"| {label} | {n / loops[key]:,.0f} | {us(loops[key] / n * 1e9)} |")
    say("")
    vs_python = loops["python"] / loops["host"]
    say(f"- shoprules vs plain Python over the mixed set: **{vs_python:.1f}x** faster")
    many, many1 = loops["host"] / loops["many"], loops["host"] / loops["many1"]
    say(f"- `evaluate_many` vs a Python loop over `evaluate`: **{many:.2f}x** the events/s "
        f"(every core), **{many1:.2f}x** on one thread")  # fmt: skip
    say("")

    zl = loop_seconds(
        {
            "host": lambda: [returns_host.evaluate(ev) for ev in returns],
            "zen": lambda: [zen_decision.evaluate(ev) for ev in returns],
        },
        rounds=max(3, rounds // 3),
    )
    r = len(returns)
    say(f"## The returns decision: ZEN vs shoprules ({r:,} return events)")
    say("")
    say("shoprules with only the `returns` plugin enabled; ZEN with the same policy as a JDM "
        "graph (`tests/bench/zen_returns.py`): window, label, pickup, refund, store-credit "
        "bonus.")  # fmt: skip
    say("")
    say("| engine | per event | events/s |")
    say("|---|---|---|")
    say(f"| ZEN {zen_version()} | {us(zl['zen'] / r * 1e9)} | {r / zl['zen']:,.0f} |")
    say(f"| shoprules | {us(zl['host'] / r * 1e9)} | {r / zl['host']:,.0f} |")
    say("")
    say(f"- shoprules vs ZEN: **{zl['zen'] / zl['host']:.0f}x** faster")
    say("")

    sim_events = 100_000 if args.quick else 1_000_000
    rate, sim_s = simulate_rate(sim_events)
    imp_ms, host_ms = startup_ms(3 if args.quick else 7)
    say("## Whole-process figures")
    say("")
    say(f"- `shoprules.simulate` of {sim_events:,} JSONL events (best of 3): "
        f"**{rate:,.0f} events/s** ({sim_s:.2f} s, {os.cpu_count()} cores)")  # fmt: skip
    say(f"- `Host()` with the bundled plugins, in a new process (median): **{host_ms:.1f} ms** "
        f"(`import shoprules` before it: {imp_ms:.1f} ms)")  # fmt: skip
    if not args.quick:
        total = 5_000_000
        before, after, secs = soak(host, mixed, total)
        grew = (after - before) / 1024
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        say(f"- memory across {total:,} evaluations of the mixed events: resident "
            f"{before / 1024:.1f} MiB -> {after / 1024:.1f} MiB (**{grew:+.2f} MiB**), "
            f"{secs:.1f} s; peak RSS {peak:.0f} MiB")  # fmt: skip
    say("")

    o3 = results["order.placed, 3 lines"]
    goals = [
        ("evaluate order.placed 3 lines, median <= 2 µs", o3["host"][0] <= 2000, us(o3["host"][0])),
        ("... and <= 0.5x json.dumps of the same event", o3["host"][0] <= 0.5 * o3["dumps"][0],
         f"{o3['host'][0] / o3['dumps'][0]:.2f}x"),
        (">= 3x faster than plain Python, mixed set", loops["python"] / loops["host"] >= 3,
         f"{loops['python'] / loops['host']:.1f}x"),
        (">= 10x faster than ZEN, returns", zl["zen"] / zl["host"] >= 10,
         f"{zl['zen'] / zl['host']:.0f}x"),
        ("evaluate_many >= 1.5x a Python loop", loops["host"] / loops["many"] >= 1.5,
         f"{loops['host'] / loops['many']:.2f}x"),
        ("simulate >= 300,000 events/s", rate >= 300_000, f"{rate:,.0f}/s"),
        ("Host() < 50 ms", host_ms < 50, f"{host_ms:.1f} ms"),
    ]  # fmt: skip
    say("## Goals (issue 5), this run")
    say("")
    say("| goal | met | measured |")
    say("|---|---|---|")
    for goal, met, value in goals:
        say(f"| {goal} | {'yes' if met else '**no**'} | {value} |")
    say("")

    text = "\n".join(lines)
    print(text)
    if not args.quick:
        header = [
            "# Benchmarks",
            "",
            "Written by `tests/bench/run.py`; rerun with:",
            "",
            "```",
            "bash scripts/demo.sh   # once: sets up .venv and builds",
            ".venv/bin/python tests/bench/run.py",
            "```",
            "",
            f"Machine: {machine()}. Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}.",
            "",
            "Shared 2-core machines drift by tens of percent between runs; the ratios, measured in "
            "the same run, hold better than the absolute times. Instruction counts, which do not "
            "drift, are in the last section (`tests/bench/callgrind.sh`).",
            "",
            "",
        ]
        counts = subprocess.run(
            ["bash", str(HERE / "callgrind.sh")], capture_output=True, text=True, check=True
        ).stdout
        tail = [
            "## Instruction counts (callgrind)",
            "",
            "One `Host::evaluate` in C++ on a typed event (no Python, no event reading), counted "
            "by `tests/bench/callgrind.sh` over 2,000 calls of `tests/bench/cpp/evaluate-bench.cc`"
            " (Google Benchmark times the same cases: `build/py/tests/evaluate-bench`).",
            "",
            counts,
        ]
        out = Path(args.out)
        kept = sections(out.read_text()) if out.exists() else []
        body = "\n".join(header) + text + "\n" + "\n".join(tail)
        out.write_text(body.rstrip("\n") + "\n" + "".join("\n" + s for s in kept))
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
