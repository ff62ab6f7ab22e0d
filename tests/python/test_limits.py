"""The documented input limits: each is enforced with a clear error, never an allocation
without bound."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import shoprules
import shoprules.dask
from builders import customer, order
from shoprules import _core


def test_text_longer_than_1024_bytes(host) -> None:
    event = order(1000, cust=customer(id="c" * 1025))
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(event)
    assert info.value.path == "customer.id"
    assert str(info.value) == "customer.id: expected at most 1024 bytes of text, got 1025"
    host.evaluate(order(1000, cust=customer(id="c" * 1024)))  # the limit itself is fine
    utf8 = order(1000, cust=customer(id="é" * 513))  # 1026 bytes in UTF-8
    with pytest.raises(shoprules.InvalidEvent, match="got 1026"):
        host.evaluate(utf8)


def test_more_than_1000_order_lines(host) -> None:
    event = order(*([100] * 1001))
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(event)
    assert info.value.path == "order.lines"
    assert "expected at most 1000 items, got 1001" in str(info.value)
    assert host.evaluate(order(*([100] * 1000))).actions


def test_more_than_100_household_members_or_tags(host) -> None:
    for field in ("household", "tags"):
        event = order(1000, cust=customer(**{field: [f"x{i}" for i in range(101)]}))
        with pytest.raises(shoprules.InvalidEvent) as info:
            host.evaluate(event)
        assert info.value.path == f"customer.{field}"
    event = order(1000, cust=customer(tags=["t" * 2000]))
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(event)
    assert info.value.path == "customer.tags[0]"


def test_config_file_over_1_mib(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_text(json.dumps({"seed": "s" * (1 << 20)}))
    with pytest.raises(
        shoprules.ConfigError,
        match=r"big\.json: the config is \d+ bytes; the "
        r"limit is 1048576",
    ):
        shoprules.Host(config=path)


def test_config_file_fed_through_a_pipe_is_bounded_too(tmp_path: Path) -> None:
    # A pipe has no size to check first: the read itself stops past the limit. The host reads
    # without the GIL, so a Python thread of the same process can be the one writing the pipe;
    # run in a child with a timeout, so that a host holding the GIL fails here instead of hanging.
    path = tmp_path / "pipe.json"
    os.mkfifo(path)
    script = """
import json, sys, threading
import shoprules

def feed():
    try:
        with open(sys.argv[1], "wb") as pipe:
            pipe.write(json.dumps({"seed": "s" * (1 << 20)}).encode())
    except BrokenPipeError:
        pass  # the host stopped reading at the limit and closed its end

writer = threading.Thread(target=feed)
writer.start()
try:
    shoprules.Host(config=sys.argv[1])
except shoprules.ConfigError as e:
    print(e)
writer.join()
"""
    child = subprocess.run(
        [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=120
    )
    assert child.returncode == 0, child.stderr
    assert child.stdout == f"{path}: the config is over 1048576 bytes, the limit\n"


def test_config_dict_over_100000_values() -> None:
    with pytest.raises(shoprules.ConfigError, match="more than 100000 values"):
        shoprules.Host(config={"plugins": {}, "x": list(range(100001))})


def test_simulate_skips_a_line_over_1_mib(tmp_path: Path) -> None:
    event = json.dumps(order(1000))
    path = tmp_path / "events.jsonl"
    path.write_text("\n".join([event, "x" * (3 << 20), event, event]) + "\n")
    report = _core.simulate(path, {})
    assert report["lines"] == 4
    assert report["events"] == 3
    assert report["bad_lines"] == 1
    assert report["bad_examples"] == [
        {"line": 2, "error": "longer than the limit of 1048576 bytes"}
    ]


def test_more_worker_threads_than_1024_is_a_value_error(host, tmp_path: Path) -> None:
    assert _core.MAX_THREADS == 1024
    log = tmp_path / "one.jsonl"
    log.write_text(json.dumps(order(1000)) + "\n")
    message = "threads: expected 0 (every core) to 1024, got {}"
    for threads in (-1, 1025, 10**6):
        with pytest.raises(ValueError) as info:
            shoprules.simulate(log, {}, threads=threads)
        assert str(info.value) == message.format(threads)
        with pytest.raises(ValueError) as info:
            host.evaluate_many([order(1000)], threads=threads)
        assert str(info.value) == message.format(threads)
    cli = [str(Path(sys.executable).with_name("shoprules")), "simulate", str(log)]
    run = subprocess.run([*cli, "--threads", "1025"], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == (
        "shoprules simulate: error: argument --threads: expected 0 (every core) to 1024, got 1025"
    )
    with pytest.raises(ValueError) as info:  # before any task is sent to a cluster
        shoprules.dask.simulate(log, {}, client=object(), threads=1025)
    assert str(info.value) == message.format(1025)
    assert shoprules.simulate(log, {}, threads=1024)["events"] == 1  # the limit itself is fine


# Under a cap on the process's memory that fits a few dozen thread stacks, asking for 1,024
# threads meets a thread the system refuses; the threads already started must be stopped before
# they are freed, or the process aborts.
REFUSED_THREADS = """
import json, re, resource, sys, shoprules
log = sys.argv[1]
host = shoprules.Host()
event = json.loads(open(log).readline())
shoprules.simulate(log, {}, threads=1)
size = int(re.search(r"VmSize:\\s+(\\d+) kB", open("/proc/self/status").read()).group(1)) << 10
resource.setrlimit(resource.RLIMIT_AS, (size + (256 << 20), resource.RLIM_INFINITY))
out = {}
for name, run in (
    ("simulate", lambda: shoprules.simulate(log, {}, threads=1024)),
    ("evaluate_many", lambda: host.evaluate_many([event] * 70000, threads=1024)),
):
    try:
        run()
        out[name] = "ran"
    except RuntimeError as error:
        out[name] = str(error)
resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
out["after"] = shoprules.simulate(log, {}, threads=2)["events"]
print(json.dumps(out))
"""


def test_a_worker_thread_the_system_refuses_is_an_error_not_a_crash(tmp_path: Path) -> None:
    log = tmp_path / "one.jsonl"
    log.write_text(json.dumps(order(1000)) + "\n")
    run = subprocess.run(
        [sys.executable, "-c", REFUSED_THREADS, str(log)], capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    out = json.loads(run.stdout)
    assert re.fullmatch(r"could not start worker thread \d+ of 1024: .+", out["simulate"])
    assert re.fullmatch(r"could not start worker thread \d+ of 1023: .+", out["evaluate_many"])
    assert out["after"] == 1


def test_sums_past_64_bits_fail_the_replay_instead_of_wrapping(tmp_path: Path) -> None:
    # 400 orders of 4e18 minor units: each awards 4e16 points, 1.6e19 in all, past 2**63.
    log = tmp_path / "huge.jsonl"
    log.write_text("".join(json.dumps(order(4 * 10**18)) + "\n" for _ in range(400)))
    with pytest.raises(shoprules.EventLogError) as info:
        shoprules.simulate(log, {})
    assert str(info.value) == f"{log}: {_core.SUM_OVERFLOW}"
    parquet = tmp_path / "huge.parquet"
    shoprules.convert(log, parquet)
    with pytest.raises(shoprules.EventLogError, match="does not fit in 64 bits"):
        shoprules.simulate(parquet, {})
    cli = [str(Path(sys.executable).with_name("shoprules")), "simulate", str(log)]
    run = subprocess.run(cli, capture_output=True, text=True)
    assert (run.returncode, run.stdout) == (1, "")
    assert run.stderr.strip() == f"shoprules simulate: {log}: {_core.SUM_OVERFLOW}"
    # Below the limit the sums are exact.
    half = tmp_path / "half.jsonl"
    half.write_text("".join(json.dumps(order(4 * 10**18)) + "\n" for _ in range(200)))
    assert shoprules.simulate(half, {})["configs"][0]["points"]["awarded"] == 200 * 4 * 10**16
    # Partial reports from Dask add up in Python's integers: exact past 64 bits too.
    part = shoprules.simulate(half, {})
    merged = shoprules.dask.merge_reports([part, part], "logs", 1.0)
    assert merged["configs"][0]["points"]["awarded"] == 400 * 4 * 10**16


def test_negative_costs_are_refused(tmp_path: Path) -> None:
    log = tmp_path / "one.jsonl"
    log.write_text(json.dumps(order(1000)) + "\n")
    for cost in ("label_cost", "pickup_cost", "upgrade_cost"):
        with pytest.raises(ValueError) as info:
            shoprules.simulate(log, {}, **{cost: -1})
        assert str(info.value) == f"{cost}: expected 0 or more minor units, got -1"
        # On Dask too, by the client, before any task starts (no cluster is asked for one).
        with pytest.raises(ValueError) as info:
            shoprules.dask.simulate(log, {}, **{cost: -1})
        assert str(info.value) == f"{cost}: expected 0 or more minor units, got -1"
    cli = [str(Path(sys.executable).with_name("shoprules")), "simulate", str(log)]
    run = subprocess.run([*cli, "--label-cost", "-5"], capture_output=True, text=True)
    assert run.returncode == 2
    assert run.stderr.splitlines()[-1] == (
        "shoprules simulate: error: argument --label-cost: expected 0 or more minor units, got -5"
    )
