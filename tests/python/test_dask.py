"""simulate on Dask: a LocalCluster of 2 worker processes, started here, gives the report of a
one-process run on the same 200,000 events, with and without a second config, and still does
when a worker is killed mid-run."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shoprules
import shoprules.dask
from distributed import Client, LocalCluster
from shoprules import eventlog

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("shoprules"))
sys.path.insert(0, str(ROOT / "tests" / "bench"))
import make_events  # noqa: E402

NO_FREE_SHIPPING = {"plugins": {"returns": {"rules": {"free_return_shipping": {"enabled": False}}}}}


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> list[Path]:
    """200,000 events: 150,000 in a Parquet file of 6 row groups, 50,000 as JSON lines; 12 bad
    rows and lines among them."""
    d = tmp_path_factory.mktemp("season")
    rng = random.Random(2026)
    events = [make_events.event(i, rng) for i in range(50_000)]  # 4 times over: 200,000
    for i in (10, 20_000, 49_999):
        events[i]["customer"]["id"] = None
    table = pa.Table.from_pylist(events, schema=eventlog.event_schema())
    parquet = d / "a.parquet"
    pq.write_table(pa.concat_tables([table] * 3), parquet, row_group_size=25_000)
    jsonl = d / "b.jsonl"
    with open(jsonl, "w") as f:
        for e in events:
            f.write(json.dumps(e) + "\n")
    return [parquet, jsonl]


@pytest.fixture(scope="module")
def client():
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as c,
    ):
        yield c


def without_run(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k not in shoprules.dask.RUN_DEPENDENT}


@pytest.mark.parametrize("against", [None, NO_FREE_SHIPPING], ids=["one config", "against"])
def test_dask_report_equals_the_one_process_report(season, client, against, tmp_path) -> None:
    config = tmp_path / "store.json"  # a file: read by the client, shipped as JSON
    config.write_text(json.dumps({"plugins": {"loyalty": {"rules": {"points": {"per_unit": 2}}}}}))
    one = shoprules.simulate(season, config, against, label_cost=695)
    assert one["events"] == 199_988 and one["bad_lines"] == 12
    assert len(one["configs"]) == (2 if against else 1)
    # Two files: each bad example names its own, rows of the Parquet file first.
    assert [b["file"] for b in one["bad_examples"]] == [str(season[0])] * 9 + [str(season[1])] * 3
    assert "row" in one["bad_examples"][0] and "line" in one["bad_examples"][-1]
    merged = shoprules.dask.simulate(season, config, against, client=client, label_cost=695)
    assert without_run(merged) == without_run(one)


def test_a_worker_killed_mid_run_still_gives_the_same_report(season, client) -> None:
    one = shoprules.simulate(season, {}, NO_FREE_SHIPPING)
    pids = client.run(os.getpid)
    killed = threading.Event()

    def progress(done: int, total: int, lines: int) -> None:
        if done and not killed.is_set():  # one part is in: the others are running or queued
            os.kill(next(iter(pids.values())), signal.SIGKILL)
            killed.set()

    merged = shoprules.dask.simulate(season, {}, NO_FREE_SHIPPING, client=client, progress=progress)
    assert killed.is_set()
    assert without_run(merged) == without_run(one)
    client.wait_for_workers(2, timeout=60)
    assert set(client.run(os.getpid).values()) != set(pids.values())  # a worker was replaced


def test_cli_dask_option(season, client) -> None:
    address = client.scheduler.address
    out = subprocess.run(
        [CLI, "simulate", str(season[0].parent), "--dask", address, "--json"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    one = shoprules.simulate(season, {})
    report = json.loads(out.stdout)
    assert report["file"] == str(season[0].parent)
    assert without_run(report) | {"file": one["file"]} == without_run(one)
    out = subprocess.run(
        [CLI, "simulate", str(season[0]), "--dask", "tcp://127.0.0.1:9"],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1 and "cannot reach the scheduler" in out.stderr


def test_merge_is_exact_and_keeps_the_first_bad_examples() -> None:
    def part(file: str, rows: list[int], refunds: int, at: tuple[str, str]) -> dict[str, Any]:
        return {
            "file": file,
            "lines": 10,
            "events": 10 - len(rows),
            "bad_lines": len(rows),
            "bad_examples": [{"file": file, "row": r, "error": "x"} for r in rows],
            "seconds": 1.0,
            "events_per_second": 1.0,
            "first_at": at[0],
            "last_at": at[1],
            "days": 1,
            "configs": [
                {
                    "config_version": "v",
                    "by_type": {"refund.issue": {"count": 1, "money": {"USD": refunds}}},
                    "points": {"awarded": 3, "revoked": 0, "expired": 2**62},
                }
            ],
        }

    merged = shoprules.dask.merge_reports(
        [
            part("b", [4], 2**62, ("2026-01-02T00:00:00Z", "2026-01-03T00:00:00Z")),
            part("a", [7, 9], 2**62, ("2026-01-01T00:00:00Z", "2026-01-01T12:00:00Z")),
        ],
        "log",
        2.0,
        bad_lines_listed=2,
    )
    assert merged["configs"][0]["by_type"]["refund.issue"] == {
        "count": 2,
        "money": {"USD": 2**63},  # integers: no rounding however large
    }
    assert merged["configs"][0]["points"] == {"awarded": 6, "revoked": 0, "expired": 2**63}
    assert merged["bad_examples"] == [
        {"file": "a", "row": 7, "error": "x"},
        {"file": "a", "row": 9, "error": "x"},
    ]
    assert (merged["lines"], merged["events"], merged["bad_lines"], merged["days"]) == (
        20,
        17,
        3,
        2,
    )
    assert merged["first_at"] == "2026-01-01T00:00:00Z"
    with pytest.raises(ValueError, match="disagree"):
        other = part("c", [], 1, ("2026-01-01T00:00:00Z", "2026-01-01T00:00:00Z"))
        other["configs"][0]["config_version"] = "w"
        shoprules.dask.merge_reports(
            [part("a", [], 1, ("2026-01-01T00:00:00Z",) * 2), other], "x", 1
        )


def test_a_config_store_is_read_once_and_shipped_as_its_version(season, client, pg) -> None:
    from shoprules.configs import open_source

    url = pg.createdb(f"sim_dask_{os.getpid()}")
    out = subprocess.run([CLI, "store", "init", "--config", url], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    source = open_source(url)
    source.push(NO_FREE_SHIPPING, author="test", message="cheaper returns")
    source.close()
    assert shoprules.dask.fixed_config(url) == NO_FREE_SHIPPING
    log = season[1]
    by_dict = shoprules.simulate(log, NO_FREE_SHIPPING)
    by_store = shoprules.simulate(log, url)
    on_dask = shoprules.dask.simulate(log, url, client=client)
    assert without_run(by_store) == without_run(by_dict) == without_run(on_dask)
