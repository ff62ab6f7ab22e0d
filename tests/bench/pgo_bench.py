"""The profile-guided build against a plain one: the same replays, the two builds interleaved.

    .venv/bin/python tests/bench/pgo_bench.py                  # 1,000,000 events; writes
                                                                # BENCHMARKS.md "pgo"
    .venv/bin/python tests/bench/pgo_bench.py --events 200000 --rounds 1 --quick

The installed package is the profile-guided build (cmake/pgo.cmake). This builds the same
sources without a profile (Release, SHOPRULES_PGO=OFF, in build/bench-plain), puts each build's
`_core` and plugins in a copy of the installed package of its own, and replays the same logs
(make_logs of simulate_bench.py) in a fresh process per build and round, the builds taking turns:
JSON lines and Parquet best of 3, a log kept in memory best of 5, `threads=2`. Nothing installed
is changed.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import shoprules

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(HERE))

from sections import write_section  # noqa: E402
from simulate_bench import make_logs  # noqa: E402

# Run in a fresh process whose PYTHONPATH puts one build's package first: simulate_bench's best()
# times each replay there.
MEASURE = """
import json, sys
sys.path.insert(0, sys.argv[3])
import shoprules
from simulate_bench import best
jsonl, parquet = sys.argv[1], sys.argv[2]
def replay(path, rounds, cache):
    wall, cpu, _ = best(lambda: shoprules.simulate(path, {}, threads=2, cache=cache), rounds)
    return wall, cpu
out = {"JSON lines": replay(jsonl, 3, False), "Parquet": replay(parquet, 3, False)}
shoprules.simulate(parquet, {}, threads=2, cache=True)  # read once
out["Parquet kept in memory (repeat)"] = replay(parquet, 5, True)
print(json.dumps({"where": shoprules.__file__, "seconds": out}))
"""


def plain_build(folder: Path) -> tuple[Path, list[Path]]:
    """Builds _core and the bundled plugins without a profile; returns them."""
    pybind11_dir = subprocess.run(
        [sys.executable, "-m", "pybind11", "--cmakedir"], check=True, capture_output=True, text=True
    ).stdout.strip()
    subprocess.run(
        [
            "cmake", "-S", str(ROOT), "-B", str(folder), "-G", "Ninja",
            "-DCMAKE_BUILD_TYPE=Release", "-DSHOPRULES_PGO=OFF", "-DSHOPRULES_BUILD_TESTS=OFF",
            f"-DPython_EXECUTABLE={sys.executable}", f"-Dpybind11_DIR={pybind11_dir}",
        ],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    subprocess.run(
        ["cmake", "--build", str(folder), "--target", "_core", "loyalty", "returns", "delight"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    core = next((folder / "bindings").glob("_core*.so"))
    plugins = [folder / "plugins" / f"{name}.so" for name in ("loyalty", "returns", "delight")]
    return core, plugins


def package_copy(into: Path, core: Path | None = None, plugins: list[Path] | None = None) -> Path:
    """A copy of the installed package under `into`, with `core` and `plugins` put in."""
    installed = Path(shoprules.__file__).parent
    package = into / "shoprules"
    shutil.copytree(installed, package, ignore=shutil.ignore_patterns("__pycache__"))
    if core:
        (installed_core,) = package.glob("_core*.so")
        shutil.copy2(core, installed_core)
    for plugin in plugins or []:
        shutil.copy2(plugin, package / "plugins" / plugin.name)
    return into


def measure(path: Path, jsonl: Path, parquet: Path) -> dict[str, tuple[float, float]]:
    """Best wall and best CPU seconds of each replay, in a fresh process on the package at path."""
    env = dict(os.environ, PYTHONPATH=str(path))
    out = subprocess.run(
        [sys.executable, "-c", MEASURE, str(jsonl), str(parquet), str(HERE)],
        check=True, capture_output=True, text=True, env=env,
    )  # fmt: skip
    result = json.loads(out.stdout)
    assert Path(result["where"]).is_relative_to(path), result["where"]
    return result["seconds"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3, help="turns of each build (default 3)")
    parser.add_argument("--quick", action="store_true", help="print only; write no section")
    args = parser.parse_args()

    core, plugins = plain_build(ROOT / "build" / "bench-plain")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        jsonl, parquet, _ = make_logs(work, args.events)
        builds = {
            "plain": package_copy(work / "plain", core, plugins),
            "profile-guided": package_copy(work / "pgo"),
        }
        wall: dict[str, dict[str, float]] = {name: {} for name in builds}
        cpu: dict[str, dict[str, float]] = {name: {} for name in builds}
        for r in range(args.rounds):
            for name, path in builds.items():
                seconds = measure(path, jsonl, parquet)
                for replay, (w, c) in seconds.items():
                    wall[name][replay] = min(wall[name].get(replay, w), w)
                    cpu[name][replay] = min(cpu[name].get(replay, c), c)
                rates = ", ".join(f"{k} {args.events / w:,.0f}/s" for k, (w, _) in seconds.items())
                print(f"round {r + 1}, {name}: {rates}", flush=True)

    n = args.events
    rows = [
        "| replay | plain build | profile-guided | ratio (wall) | ratio (CPU) |",
        "|---|---:|---:|---:|---:|",
    ]
    for replay, plain in wall["plain"].items():
        pgo = wall["profile-guided"][replay]
        by_cpu = cpu["plain"][replay] / cpu["profile-guided"][replay]
        rows.append(
            f"| {replay} | {n / plain:,.0f} | {n / pgo:,.0f} | {plain / pgo:.2f} | {by_cpu:.2f} |"
        )
    table = "\n".join(rows)
    print(table)
    if args.quick:
        return
    body = "\n".join(
        [
            "## Profile-guided build",
            "",
            f"`simulate` on {n:,} mixed events (as in the event-logs section), `threads=2`, the "
            "plain build (`SHOPRULES_PGO=OFF`) and the installed profile-guided one taking "
            f"turns, {args.rounds} turns each, best of all (JSON lines and Parquet best of 3 a "
            "turn, kept in memory best of 5). Events per second (wall); the ratios are plain "
            "time / profile-guided time, of the best wall time and of the least CPU time (the "
            "process's, both threads): above 1, the profile-guided build is faster.",
            "",
            table,
            "",
            "The training (`host/pgo/train.cpp`) evaluates and replays the 22 example events "
            "(`examples/events`), not the generated events measured here. It never reads Arrow "
            "batches: the Parquet reader is optimized without counts.",
            "",
            f"Reproduce: `.venv/bin/python tests/bench/pgo_bench.py --events {n} "
            f"--rounds {args.rounds}` (writes this section).",
        ]
    )
    write_section("pgo", body)


if __name__ == "__main__":
    main()
