"""shoprules simulate: counts and money that agree with Host.evaluate line by line, bad lines
reported by number, two configs compared, and the report formats."""

from __future__ import annotations

import collections
import json
import os
import pty
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import shoprules
from shoprules import _core

ROOT = Path(__file__).resolve().parents[2]
CLI = str(Path(sys.executable).with_name("shoprules"))
NO_FREE_SHIPPING = {"plugins": {"returns": {"rules": {"free_return_shipping": {"enabled": False}}}}}


@pytest.fixture(scope="module")
def log(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("sim") / "events.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench" / "make_events.py"), "3000", str(path)],
        check=True,
    )
    lines = path.read_text().splitlines()
    lines.insert(10, "{not json")
    lines.insert(20, "")
    lines.insert(30, json.dumps({"id": "x", "type": "order.placed", "at": "2026-11-23"}))
    path.write_text("\n".join(lines) + "\n")
    return path


def evaluated(path: Path, config: dict) -> tuple[collections.Counter, collections.Counter, int]:
    """Host.evaluate on each line: actions by type, by rule, and the refunds' money."""
    host = shoprules.Host(config=config)
    by_type: collections.Counter = collections.Counter()
    by_rule: collections.Counter = collections.Counter()
    refunds = 0
    for line in path.read_text().splitlines():
        try:
            d = host.evaluate(json.loads(line))
        except (ValueError, shoprules.InvalidEvent):
            continue
        for a in d.actions:
            assert a.reason, a  # an evaluation explains every action
            by_type[a.type] += 1
            by_rule[f"{a.plugin}.{a.rule}"] += 1
            if a.type == "refund.issue":
                refunds += a.params["amount"] + a.params["bonus"]
    return by_type, by_rule, refunds


def expected_counts(path: Path, config: dict) -> tuple[collections.Counter, int]:
    by_type, _, refunds = evaluated(path, config)
    return by_type, refunds


def test_counts_and_money_agree_with_evaluate(log: Path) -> None:
    report = _core.simulate(log, {}, threads=2)
    assert report["lines"] == 3003
    assert report["events"] == 3000
    assert report["bad_lines"] == 2  # the blank line is not bad
    assert [b["line"] for b in report["bad_examples"]] == [11, 31]  # 1-based
    assert report["bad_examples"][0]["error"].startswith("not valid JSON")
    assert report["bad_examples"][1]["error"] == "customer: is required for a order.placed event"
    counts, refunds = expected_counts(log, {})
    (config,) = report["configs"]
    assert {k: v["count"] for k, v in config["by_type"].items()} == dict(counts)
    assert config["by_type"]["refund.issue"]["money"]["USD"] == refunds
    assert sum(v["count"] for v in config["by_rule"].values()) == sum(counts.values())
    assert report["days"] == 90


def every_rule_on() -> dict:
    plugins = shoprules.Host().plugins()
    return {
        "plugins": {
            p["name"]: {"rules": {r["id"]: {"enabled": True} for r in p["rules"]}} for p in plugins
        }
    }


def test_a_replay_writes_no_reasons_and_decides_as_evaluate_does(log: Path) -> None:
    # A replay's rules write no reasons (its report shows none), every other part of a decision
    # is the same: with every bundled rule on (those that amend earlier rules' reasons too), each
    # rule's count and the refunds agree with Host.evaluate, which writes them.
    config = every_rule_on()
    by_type, by_rule, refunds = evaluated(log, config)
    (report,) = _core.simulate(log, config, threads=2)["configs"]
    assert {k: v["count"] for k, v in report["by_rule"].items()} == dict(by_rule)
    assert {k: v["count"] for k, v in report["by_type"].items()} == dict(by_type)
    assert report["by_type"]["refund.issue"]["money"]["USD"] == refunds
    assert report["rule_errors"] == {}
    assert len(by_rule) >= 15  # most rules fired on the mixed events


def test_only_a_replay_skips_the_reasons(log: Path, test_plugins: Path) -> None:
    dirs = [str(test_plugins / "testkit")]
    config = {"plugins": {"testkit": {"rules": {"reasons": {"enabled": True}}}}}
    decision = shoprules.Host(config=config, plugin_dirs=dirs).evaluate(
        json.loads(log.read_text().splitlines()[0])
    )
    assert [(a.type, a.reason) for a in decision.actions if a.plugin == "testkit"] == [
        ("test.explained", "reasons are kept")
    ]
    (report,) = _core.simulate(log, config, threads=2, plugin_dirs=dirs)["configs"]
    assert report["by_rule"]["testkit.reasons"]["count"] == 3000
    assert report["by_type"]["test.unexplained"]["count"] == 3000
    assert "test.explained" not in report["by_type"]


def test_a_reason_over_the_cap_is_an_error_only_where_reasons_are_written(
    log: Path, test_plugins: Path
) -> None:
    # The README says so: a replay writes no reasons, so greedy.huge_reason (a 10 MiB reason given
    # to emit) breaks the cap in an evaluation, while a replay counts its action. A reason grown
    # by hand (greedy.grows_earlier appends to an earlier action's) breaks it in both.
    dirs = [str(test_plugins / "greedy")]
    only = {"before", "huge_reason", "grows_earlier"}
    rules = {r: {"enabled": r in only} for r in ("huge_param", "too_many", "deep_params")}
    rules |= {r: {"enabled": r in only} for r in ("wide_params", "long_note", "at_the_caps")}
    config = {"plugins": {"greedy": {"rules": rules}}}
    event = json.loads(log.read_text().splitlines()[0])
    decision = shoprules.Host(config=config, plugin_dirs=dirs).evaluate(event)
    errors = {t["rule"] for t in decision.trace if t["outcome"] == "error"}
    assert errors == {"huge_reason", "grows_earlier"}
    (report,) = _core.simulate(log, config, threads=2, plugin_dirs=dirs)["configs"]
    assert report["by_rule"]["greedy.huge_reason"]["count"] == 3000
    assert report["rule_errors"] == {"greedy.grows_earlier": 3000}


def test_lines_across_block_boundaries_are_read_whole(log: Path, tmp_path: Path) -> None:
    # The log is read in blocks of 1 MiB and each line parsed where it is, followed by the next
    # line or by padding: lines of every length straddle the blocks, some end in CRLF, and the
    # last is cut short with no newline. Each is read as Host.evaluate reads it.
    lines = [line for line in log.read_text().splitlines() if line.startswith('{"id":"evt-')]
    out = []
    for i, line in enumerate(lines):
        event = json.loads(line)
        event["customer"]["note"] = "n" * (i * 37 % 1000)  # not a field the event reads
        out.append(json.dumps(event) + ("\r\n" if i % 7 == 0 else "\n"))
    text = "".join(out) + lines[0][: len(lines[0]) // 2]
    assert len(text) > 2 * 1024 * 1024
    path = tmp_path / "long-lines.jsonl"
    path.write_text(text, newline="")
    report = _core.simulate(path, {}, threads=2)
    assert report["events"] == len(lines)
    assert report["bad_lines"] == 1
    (bad,) = report["bad_examples"]
    assert bad["line"] == len(lines) + 1
    assert bad["error"].startswith("not valid JSON")
    counts, refunds = expected_counts(path, {})
    (config,) = report["configs"]
    assert {k: v["count"] for k, v in config["by_type"].items()} == dict(counts)
    assert config["by_type"]["refund.issue"]["money"]["USD"] == refunds


def test_threads_do_not_change_the_result(log: Path) -> None:
    one = _core.simulate(log, {}, threads=1)
    two = _core.simulate(log, {}, threads=2)
    for r in (one, two):
        for key in ("seconds", "events_per_second"):
            r.pop(key)
    assert one == two


def test_two_configs_and_their_difference(log: Path) -> None:
    report = _core.simulate(log, {}, NO_FREE_SHIPPING, label_cost=695)
    a, b = report["configs"]
    approvals = a["by_type"]["return.approve"]["count"]
    assert approvals == b["by_type"]["return.approve"]["count"]  # still accepted
    # Only hardship pickups keep a prepaid label without free return shipping.
    saved = a["by_type"]["return.approve"]["money"]["USD"] - b["by_type"]["return.approve"][
        "money"
    ].get("USD", 0)
    assert saved > 0 and saved % 695 == 0


def test_cli_table_json_and_html(log: Path, tmp_path: Path) -> None:
    config = tmp_path / "store.json"
    config.write_text("{}")
    against = tmp_path / "cheap.json"
    against.write_text(json.dumps(NO_FREE_SHIPPING))
    page = tmp_path / "report.html"
    out = subprocess.run(
        [
            CLI,
            "simulate",
            str(log),
            "--config",
            str(config),
            "--against",
            str(against),
            "--label-cost",
            "695",
            "--html",
            str(page),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "3,000 events over 90 days, 2 bad lines" in out.stdout
    assert "line 11: not valid JSON" in out.stdout
    assert "return.approve: store.json would have cost" in out.stdout
    assert "more than cheap.json on these 90 days" in out.stdout
    text = page.read_text()
    assert text.startswith("<!doctype html>")
    assert "<svg" in text and "<rect" in text and "returns.window" in text
    data = json.loads(
        subprocess.run(
            [CLI, "simulate", str(log), "--json"], capture_output=True, text=True, check=True
        ).stdout
    )
    assert data["events"] == 3000


def test_cli_errors(tmp_path: Path) -> None:
    out = subprocess.run(
        [CLI, "simulate", str(tmp_path / "missing.jsonl")], capture_output=True, text=True
    )
    assert out.returncode == 1
    assert "missing.jsonl: no such event log" in out.stderr
    log = tmp_path / "e.jsonl"
    log.write_text("")
    out = subprocess.run(
        [CLI, "simulate", str(log), "--against", "x.json"], capture_output=True, text=True
    )
    assert out.returncode == 2
    assert "--against needs --config" in out.stderr


def test_report_money_uses_the_sdk_currency_list() -> None:
    from shoprules import report

    assert "JPY" in _core.zero_decimal_currencies()
    assert report.money(150000, "JPY") == "150,000 JPY"
    assert report.money(150000, "USD") == "1,500.00 USD"
    assert report.money(-5, "EUR") == "-0.05 EUR"


@pytest.fixture(scope="module")
def big_log(tmp_path_factory) -> Path:
    """A log of several 1 MiB chunks, so a replay reports progress more than once."""
    path = tmp_path_factory.mktemp("sim-big") / "events.jsonl"
    subprocess.run(
        [sys.executable, str(ROOT / "tests" / "bench" / "make_events.py"), "40000", str(path)],
        check=True,
    )
    return path


def test_progress_callback_sees_the_replay_from_start_to_end(big_log: Path) -> None:
    calls: list[tuple[int, int, int]] = []
    report = _core.simulate(big_log, {}, progress=lambda *p: calls.append(p))
    size = big_log.stat().st_size
    assert calls[0] == (0, size, 0)
    assert calls[-1] == (size, size, report["lines"])
    assert all(total == size for _, total, _ in calls)
    done = [d for d, _, _ in calls]
    assert done == sorted(done)
    # Same report as without a callback, but for the run's own timing.
    plain = _core.simulate(big_log, {})
    for key in ("seconds", "events_per_second"):
        report.pop(key), plain.pop(key)
    assert report == plain


class Stop(Exception):
    pass


def test_raising_from_the_progress_callback_cancels_the_replay(big_log: Path) -> None:
    calls = []

    def progress(done: int, total: int, lines: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise Stop("operator pressed cancel")

    with pytest.raises(Stop, match="operator pressed cancel"):
        _core.simulate(big_log, {}, progress=progress)
    assert len(calls) == 2  # never called again once it said stop
    # The module still works after a cancelled replay.
    assert _core.simulate(big_log, {}, threads=1)["events"] == 40000


def test_the_report_names_the_first_and_last_event_times(tmp_path: Path) -> None:
    base = json.loads((ROOT / "examples" / "events" / "01-order-placed.json").read_text())
    times = ["2026-03-01T08:30:05Z", "1969-12-31T23:59:59Z", "2028-02-29T00:00:00Z"]
    log = tmp_path / "times.jsonl"
    log.write_text(
        "".join(json.dumps({**base, "id": f"e{i}", "at": t}) + "\n" for i, t in enumerate(times))
    )
    report = _core.simulate(log, {})
    assert report["events"] == 3
    assert (report["first_at"], report["last_at"]) == (
        "1969-12-31T23:59:59Z",
        "2028-02-29T00:00:00Z",
    )


# testkit.slow sleeps on every event: 3,000 events on one thread take at least 15 s, so a replay
# that ends within a few seconds of a Ctrl-C was cancelled, not finished.
SLOW = {"plugins": {"testkit": {"rules": {"slow": {"enabled": True, "ms": 5}}}}}


def read_until(fd: int, want: bytes, seen: bytearray) -> None:
    """Reads a terminal's output into `seen` until `want` is in it (or the writer is gone)."""
    deadline = time.monotonic() + 60
    while want not in seen:
        assert time.monotonic() < deadline, f"never saw {want!r} in {bytes(seen)!r}"
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # EIO: the other end is closed
            return
        if not chunk:
            return
        seen += chunk


def interrupt_when_running(cmd: list[str]) -> tuple[int, str, str, float]:
    """Runs `cmd` with stderr on a terminal, so a replay draws its progress bar; once the bar
    shows (the replay runs), sends it SIGINT, as Ctrl-C would. Its exit code, what it printed on
    stdout and on the terminal, and the seconds from the signal to its end."""
    term, term_end = pty.openpty()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=term_end, text=True)
    os.close(term_end)
    seen = bytearray()
    try:
        read_until(term, b"simulate [", seen)
        sent = time.monotonic()
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=60)
        took = time.monotonic() - sent
        read_until(term, b"\0", seen)  # all it wrote, to the end
    finally:
        proc.kill()
        os.close(term)
    return proc.returncode, out, seen.decode().replace("\r\n", "\n"), took


@pytest.mark.parametrize("kind", ["jsonl", "parquet"])
def test_ctrl_c_stops_the_cli_replay_at_once(
    kind: str, log: Path, tmp_path: Path, test_plugins: Path
) -> None:
    source = log
    if kind == "parquet":
        source = tmp_path / "events.parquet"
        shoprules.convert(log, source)
    config = tmp_path / "slow.json"
    config.write_text(json.dumps(SLOW))
    cmd = [CLI, "simulate", str(source), "--config", str(config), "--threads", "1"]
    cmd += ["--plugin-dir", str(test_plugins / "testkit")]
    code, out, err, took = interrupt_when_running(cmd)
    assert took < 10, "the replay ran on after Ctrl-C"
    assert code == 130, err
    # The bar's line is ended, and the message has a line of its own.
    assert err.split("\n")[-2:] == ["shoprules simulate: interrupted", ""], err
    assert "Traceback" not in err
    assert out == ""


CATCH_CTRL_C = """
import json, sys, shoprules
try:
    shoprules.simulate(sys.argv[1], json.loads(sys.argv[2]), plugin_dirs=[sys.argv[3]],
                       threads=1, progress=True)
except KeyboardInterrupt:
    print("KeyboardInterrupt")
"""


def test_ctrl_c_raises_keyboard_interrupt_from_simulate(log: Path, test_plugins: Path) -> None:
    # In a process of its own: a stray signal must not reach the test run.
    cmd = [sys.executable, "-c", CATCH_CTRL_C, str(log), json.dumps(SLOW)]
    cmd.append(str(test_plugins / "testkit"))
    code, out, err, took = interrupt_when_running(cmd)
    assert took < 10, "the replay ran on after Ctrl-C"
    assert (code, out) == (0, "KeyboardInterrupt\n"), err
    # The module still works after a replay cut short.
    assert shoprules.simulate(log, {}, threads=1)["events"] == 3000
