"""The console's what-if: the same numbers as `shoprules simulate --against`, progress while it
runs, a cancel that stops it, one run at a time, and a proposed config checked as the CLI would."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from console_support import CONFIG, make_logs, season_events, signed_in_client
from shoprules import _core, eventlog
from shoprules.configs import open_source
from shoprules.console.app import whatif_view
from shoprules.console.whatif import Busy, Runner

PROPOSED = json.loads(json.dumps(CONFIG))
PROPOSED["plugins"]["returns"]["rules"]["free_return_shipping"]["enabled"] = False
PROPOSED["plugins"]["returns"]["rules"]["window"]["days"] = 30
COSTS = (595, 1200, 300)


def strip_timing(report: dict) -> dict:
    return {k: v for k, v in report.items() if k not in ("seconds", "events_per_second")}


@pytest.fixture
def log(tmp_path: Path) -> Path:
    return make_logs(tmp_path / "logs") / "season.jsonl"


def big_log(tmp_path: Path, copies: int) -> Path:
    lines = (make_logs(tmp_path / "big") / "season.jsonl").read_text()
    path = tmp_path / "big" / "long.jsonl"
    path.write_text(lines * copies)
    return path


def test_the_same_numbers_as_simulate_against(tmp_path: Path, log: Path) -> None:
    runner = Runner(threads=2)
    job = runner.start(log, PROPOSED, CONFIG, 1, "alice", COSTS)
    assert job.finished.wait(60)
    assert job.state == "done", job.error
    assert job.first_progress is not None
    assert job.done_bytes == job.total_bytes == log.stat().st_size
    direct = _core.simulate(log, PROPOSED, CONFIG, None, 2, False, *COSTS)
    assert strip_timing(job.result) == strip_timing(direct)
    # And as the command line prints it, proposed as --config, the one in force as --against.
    (tmp_path / "proposed.json").write_text(json.dumps(PROPOSED))
    (tmp_path / "current.json").write_text(json.dumps(CONFIG))
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "shoprules",
            "simulate",
            str(log),
            "--config",
            "proposed.json",
            "--against",
            "current.json",
            "--json",
            "--label-cost",
            "595",
            "--pickup-cost",
            "1200",
            "--upgrade-cost",
            "300",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    )
    cli = json.loads(r.stdout)
    assert strip_timing(job.result)["configs"] == cli["configs"]
    view = whatif_view(job.result, 1, log.name)
    diffs = {(row["name"], row["currency"]): row["diff"] for row in view["by_action"]}
    a, b = cli["configs"]
    for kind in set(a["by_type"]) | set(b["by_type"]):
        money_a = a["by_type"].get(kind, {"money": {}})["money"]
        money_b = b["by_type"].get(kind, {"money": {}})["money"]
        for currency in set(money_a) | set(money_b):
            assert diffs[(kind, currency)] == money_a.get(currency, 0) - money_b.get(currency, 0)
    assert diffs[("return.approve", "USD")] < 0  # no prepaid labels: 5.95 saved on each
    sizes = [abs(row["diff"]) for row in view["by_action"]]
    assert sizes == sorted(sizes, reverse=True)


def test_a_parquet_log_gives_the_same_numbers_and_stays_in_memory(
    tmp_path: Path, log: Path
) -> None:
    parquet = log.with_name("season.parquet")
    eventlog.convert(log, parquet)
    eventlog.clear_cache()
    runner = Runner(threads=2)
    direct = _core.simulate(log, PROPOSED, CONFIG, None, 2, False, *COSTS)
    for _ in range(2):  # read once, then from the typed events the first run kept
        job = runner.start(parquet, PROPOSED, CONFIG, 1, "alice", COSTS)
        assert job.finished.wait(60)
        assert job.state == "done", job.error
        assert job.done_bytes == job.total_bytes == parquet.stat().st_size
        assert strip_timing(job.result)["configs"] == direct["configs"]
        assert job.result["events"] == direct["events"]
        assert eventlog.cached_events() == direct["events"]
    eventlog.clear_cache()


def test_cancel_stops_the_run(tmp_path: Path) -> None:
    log = big_log(tmp_path, 400)  # 104,000 events
    runner = Runner(threads=1)
    job = runner.start(log, PROPOSED, CONFIG, 1, "alice")
    runner.cancel(job.id)
    assert job.finished.wait(60)
    assert job.state == "cancelled"
    assert job.result is None
    assert job.done_bytes < job.total_bytes


def test_one_run_at_a_time(tmp_path: Path) -> None:
    log = big_log(tmp_path, 400)
    runner = Runner(threads=1)
    job = runner.start(log, PROPOSED, CONFIG, 1, "alice")
    with pytest.raises(Busy):
        runner.start(log, PROPOSED, CONFIG, 1, "bob")
    runner.cancel(job.id)
    assert job.finished.wait(60)
    again = runner.start(log, CONFIG, CONFIG, 1, "bob")
    runner.cancel(again.id)
    assert again.finished.wait(60)


@pytest.fixture
def client(tmp_path: Path):
    with signed_in_client(tmp_path) as c:
        yield c


def test_a_refused_proposal_shows_the_clis_message_and_runs_nothing(client) -> None:
    bad = json.loads(json.dumps(PROPOSED))
    bad["plugins"]["returns"]["rules"]["window"]["days"] = 99999
    r = client.post(
        "/whatif/run",
        data={"csrf": client.csrf, "log": "season.jsonl", "proposed": json.dumps(bad)},
    )
    assert r.status_code == 400
    with pytest.raises(_core.ConfigError) as error:
        _core.check_config(bad, "x", ".", None)
    expected = str(error.value).split(": ", 1)[1]
    assert expected.replace('"', "&#34;") in r.text
    assert client.app.state.console.runner.jobs() == []
    r = client.post(
        "/whatif/run", data={"csrf": client.csrf, "log": "season.jsonl", "proposed": "{oops"}
    )
    assert r.status_code == 400 and "not valid JSON" in r.text


def test_run_poll_and_publish(client) -> None:
    r = client.post(
        "/whatif/run",
        data={
            "csrf": client.csrf,
            "log": "season.jsonl",
            "proposed": json.dumps(PROPOSED),
            "label_cost": "595",
        },
    )
    assert r.status_code == 303
    job_id = r.headers["location"].rsplit("/", 1)[1]
    job = client.app.state.console.runner.get(job_id)
    assert job.finished.wait(60)
    status = client.get(f"/api/whatif/jobs/{job_id}").json()
    assert status["state"] == "done" and status["fraction"] == 1.0
    assert status["result"]["events"] == season_events()
    page = client.get(f"/whatif/jobs/{job_id}").text
    assert "return.approve: proposed would have cost" in page
    # Publishing is a push through the config source, under the operator's name.
    before = json.loads(client.config.read_text())
    assert before != PROPOSED
    r = client.post(f"/whatif/jobs/{job_id}/publish", data={"csrf": client.csrf})
    assert r.status_code == 303
    assert json.loads(client.config.read_text()) == PROPOSED
    latest = open_source(client.config).history(1)[0]
    assert latest.author == "alice" and f"what-if {job_id}" in latest.message


class FinishingJob:
    """A running what-if that finishes just after its result is first read, as the runner does:
    the result first, then the state."""

    def __init__(self, job: Any) -> None:
        self.__dict__.update(vars(job))
        self._final, self._result, self.state = job.result, None, "running"

    @property
    def result(self) -> Any:
        seen = self._result
        self._result, self.state = self._final, "done"
        return seen


def test_a_job_that_finishes_while_its_page_is_drawn(client) -> None:
    r = client.post(
        "/whatif/run",
        data={"csrf": client.csrf, "log": "season.jsonl", "proposed": json.dumps(PROPOSED)},
    )
    job_id = r.headers["location"].rsplit("/", 1)[1]
    runner = client.app.state.console.runner
    assert runner.get(job_id).finished.wait(60)
    job = runner._jobs[job_id] = FinishingJob(runner.get(job_id))
    r = client.get(f"/whatif/jobs/{job_id}")
    assert r.status_code == 200 and 'data-state="running"' in r.text
    job.result  # noqa: B018 (the runner finishes: its result, then "done")
    r = client.get(f"/whatif/jobs/{job_id}")  # drawn again, it is done
    assert r.status_code == 200 and 'data-state="done"' in r.text and "Done: " in r.text


def test_a_config_broken_by_hand_is_shown_and_can_be_rolled_back(client) -> None:
    r = client.post(
        "/rules/switch",
        data={"csrf": client.csrf, "plugin": "returns", "rule": "window", "enabled": "false"},
    )
    assert r.status_code == 303  # versions 1 (the file as first seen) and 2
    good = json.loads(client.config.read_text())
    broken = json.loads(json.dumps(good))
    broken["plugins"]["returns"]["rules"]["window"]["days"] = 99999
    client.config.write_text(json.dumps(broken))  # version 3, by hand
    page = client.get("/rules")
    assert page.status_code == 200
    assert 'id="broken"' in page.text and "99999" in page.text
    assert client.get("/history").status_code == 200
    r = client.post("/history/rollback", data={"csrf": client.csrf, "to": "3", "confirm": "yes"})
    assert r.status_code == 400 and "99999" in r.text  # the broken one: refused, said why
    assert json.loads(client.config.read_text()) == broken
    r = client.post("/history/rollback", data={"csrf": client.csrf, "to": "2", "confirm": "yes"})
    assert r.status_code == 303
    assert json.loads(client.config.read_text()) == good
    assert 'id="broken"' not in client.get("/rules").text
