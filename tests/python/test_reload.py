"""Hot reload: a watched config file is picked up by itself; a bad one is refused and logged;
evaluations in flight always see exactly one snapshot."""

from __future__ import annotations

import json
import logging
import threading
import time
from pathlib import Path

import pytest
import shoprules
from builders import return_request
from shoprules.config_edit import write_atomically


def window(days: int) -> dict:
    return {"plugins": {"returns": {"rules": {"window": {"days": days}}}}}


def wait_for(predicate, seconds: float = 5.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.01)
    return False


def test_watch_picks_up_a_changed_file(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps(window(365)))
    with shoprules.Host(config=path, watch=True, poll_seconds=0.02) as host:
        first = host.config_version
        write_atomically(path, json.dumps(window(30)))
        assert wait_for(lambda: host.config_version != first)
        assert host.evaluate(return_request("2026-01-01T00:00:00Z")).actions[0].type == (
            "return.deny"
        )


def test_watch_refuses_a_bad_file_and_keeps_serving(tmp_path: Path, caplog) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps(window(365)))
    caplog.set_level(logging.ERROR, logger="shoprules")
    with shoprules.Host(config=path, watch=True, poll_seconds=0.02) as host:
        version = host.config_version
        write_atomically(path, json.dumps(window(-5)))
        assert wait_for(lambda: host.last_reload_error is not None)
        assert host.config_version == version
        assert "window.days: expected an integer in 0..3650, got -5" in str(host.last_reload_error)
        assert "config rejected" in caplog.text
        assert host.evaluate(return_request()).config_version == version
        write_atomically(path, json.dumps(window(10)))
        assert wait_for(lambda: host.config_version != version)
        assert host.last_reload_error is None


def test_watch_needs_a_path() -> None:
    with pytest.raises(ValueError, match="needs config to be a file path"):
        shoprules.Host(config={}, watch=True)


def test_each_decision_matches_one_snapshot_while_the_file_is_rewritten(tmp_path: Path) -> None:
    # Two configs that decide one event differently; the snapshot each decision names must be
    # the one whose answer it carries.
    answers = {}
    for days, kind in ((30, "return.deny"), (365, "return.approve")):
        answers[shoprules.Host(config=window(days)).config_version] = kind
    path = tmp_path / "store.json"
    path.write_text(json.dumps(window(365)))
    event = return_request("2026-06-01T00:00:00Z")
    host = shoprules.Host(config=path, watch=True, poll_seconds=0.001)
    stop = threading.Event()
    seen: list[tuple[str, str]] = []

    def evaluate() -> None:
        while not stop.is_set():
            d = host.evaluate(event)
            seen.append((d.config_version, d.actions[0].type))
            for d in host.evaluate_many([event] * 64):
                seen.append((d.config_version, d.actions[0].type))

    threads = [threading.Thread(target=evaluate) for _ in range(4)]
    for t in threads:
        t.start()
    for i in range(200):
        write_atomically(path, json.dumps(window(30 if i % 2 else 365)))
        if i % 10 in (0, 5):  # explicit reloads of each config too, besides the watcher's
            host.reload()
    stop.set()
    for t in threads:
        t.join()
    host.close()
    assert len({v for v, _ in seen}) == 2  # both snapshots served
    assert [(v, k) for v, k in seen if answers[v] != k] == []
