"""Isolated plugins (SPEC section 9): the same decisions as in process, and faults contained."""

from __future__ import annotations

import gc
import json
import os
import random
import sys
from pathlib import Path

import pytest
import shoprules

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from make_events import event, next_rules_on

BUNDLED = ("loyalty", "returns", "delight")
# The rules that ship off, switched on with map and day-of-year params, in a store whose currency
# is not the default: what an isolated worker must get across its wire to decide the same.
ALL_ON = next_rules_on({"seed": "iso", "currency": "EUR", "plugins": {}})
CONFIGS = {"defaults": {"seed": "iso"}, "all_on": ALL_ON}


def _isolated(config: dict) -> dict:
    plugins = {p: {**config.get("plugins", {}).get(p, {}), "isolation": "process"} for p in BUNDLED}
    return {**config, "plugins": plugins}


configs = pytest.mark.parametrize("name", list(CONFIGS))


@pytest.fixture(scope="module")
def events() -> list[dict]:
    rng = random.Random(16)
    return [event(i, rng) for i in range(3000)]


def _plain(decision: shoprules.Decision) -> dict:
    d = decision.to_dict()
    d.pop("config_version")
    return d


@configs
def test_evaluate_matches_in_process(events: list[dict], name: str) -> None:
    config = CONFIGS[name]
    here, there = shoprules.Host(config=config), shoprules.Host(config=_isolated(config))
    for e in events:
        assert json.dumps(_plain(there.evaluate(e))) == json.dumps(_plain(here.evaluate(e)))


@configs
def test_evaluate_many_matches_in_process(events: list[dict], name: str) -> None:
    config = CONFIGS[name]
    here, there = shoprules.Host(config=config), shoprules.Host(config=_isolated(config))
    a = [_plain(d) for d in here.evaluate_many(events, threads=2)]
    b = [_plain(d) for d in there.evaluate_many(events, threads=2)]
    assert json.dumps(a) == json.dumps(b)


@configs
@pytest.mark.parametrize("form", ["jsonl", "parquet", "parquet-kept"])
def test_simulate_matches_in_process(
    events: list[dict], tmp_path: Path, name: str, form: str
) -> None:
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    if form != "jsonl":  # Arrow batches, and the typed events kept from them, reach workers too
        shoprules.convert(log, tmp_path / "events.parquet")
        log = tmp_path / "events.parquet"
    cache = form == "parquet-kept"
    try:
        here = shoprules.simulate(log, CONFIGS[name], threads=2, cache=cache)
        there = shoprules.simulate(log, _isolated(CONFIGS[name]), threads=2, cache=cache)
        assert not cache or shoprules.eventlog.cached_events() == len(events)
    finally:
        shoprules.eventlog.clear_cache()
    for report in (here, there):
        for key in ("seconds", "events_per_second"):
            report.pop(key)
        for config in report["configs"]:
            config.pop("config_version")
    assert here == there
    assert here["configs"][0]["by_type"]["refund.issue"]["count"] > 0


def _crashy(test_plugins: Path, **settings: object) -> shoprules.Host:
    config = {"plugins": {"crashy": {"isolation": "process", "timeout_ms": 200, **settings}}}
    return shoprules.Host(config=config, plugin_dirs=[test_plugins / "crashy"])


def _order(order_event: dict, event_id: str) -> dict:
    return {**order_event, "id": event_id}


def _trace(decision: shoprules.Decision, plugin: str, rule: str) -> dict:
    return next(
        t for t in decision.to_dict()["trace"] if (t["plugin"], t["rule"]) == (plugin, rule)
    )


@pytest.mark.parametrize(
    ("event_id", "settings", "message"),
    [
        ("crash-1", {}, "worker crashed: SIGSEGV"),
        ("abort-1", {}, "worker crashed: SIGABRT"),
        ("hang-1", {"timeout_ms": 50}, "timed out after 50 ms"),
        ("eat-1", {"memory_mb": 256}, "out of memory (256 MiB)"),
    ],
)
def test_a_fault_is_an_error_and_the_host_goes_on(
    test_plugins: Path, order_event: dict, event_id: str, settings: dict, message: str
) -> None:
    host = _crashy(test_plugins, **settings)
    d = host.evaluate(_order(order_event, event_id))
    assert _trace(d, "crashy", "fault") == {
        "plugin": "crashy",
        "rule": "fault",
        "outcome": "error",
        "why": message,
    }
    assert {"plugin": "crashy", "rule": "fault", "message": message} in d.errors
    assert "points.award" in [a.type for a in d.actions]  # the other plugins ran
    after = host.evaluate(_order(order_event, "fine"))
    assert "test.survived" in [a.type for a in after.actions]
    stats = host.stats()["isolation"]["crashy"]
    assert stats["restarts"] == 1
    assert stats["workers"] == 2


def test_on_error_fail_raises_rule_error(test_plugins: Path, order_event: dict) -> None:
    host = _crashy(test_plugins, on_error="fail")
    with pytest.raises(shoprules.RuleError) as info:
        host.evaluate(_order(order_event, "crash-1"))
    assert (info.value.plugin, str(info.value)) == ("crashy", "crashy.ok: worker crashed: SIGSEGV")


def test_stdout_of_a_plugin_goes_to_stderr(
    test_plugins: Path, order_event: dict, capfd: pytest.CaptureFixture[str]
) -> None:
    host = _crashy(test_plugins)
    d = host.evaluate(_order(order_event, "print-1"))
    assert "test.wrote" in [a.type for a in d.actions]
    out, err = capfd.readouterr()
    assert "crashy-writes-to-stdout" not in out
    assert "crashy-writes-to-stdout" in err


def test_crash_loop_is_quarantined_until_reload(test_plugins: Path, order_event: dict) -> None:
    host = _crashy(test_plugins, max_restarts=2)
    for i in range(3):
        host.evaluate(_order(order_event, f"crash-{i}"))
    t = _trace(host.evaluate(_order(order_event, "fine")), "crashy", "fault")
    assert t["outcome"] == "disabled"
    assert t["why"].startswith("quarantined: its worker failed 3 times within 60 s")
    assert host.stats()["isolation"]["crashy"]["quarantined"] is True
    host.reload()
    assert (
        _trace(host.evaluate(_order(order_event, "fine")), "crashy", "fault")["outcome"] == "fired"
    )


def _children() -> set[int]:
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat[stat.rindex(")") + 2 :].split()[1]) == os.getpid():
                kids.add(int(entry.name))
    return kids


def test_no_process_outlives_a_collected_host(test_plugins: Path, order_event: dict) -> None:
    before = _children()
    host = _crashy(test_plugins)
    d = host.evaluate(_order(order_event, "fork-1"))
    assert "test.forked" in [a.type for a in d.actions]
    assert len(_children() - before) == 1  # the template
    del host, d
    gc.collect()
    assert _children() - before == set()


def test_config_keys_are_checked() -> None:
    with pytest.raises(shoprules.ConfigError, match=r"plugins\.loyalty\.timeout_ms: expected"):
        shoprules.Host(config={"plugins": {"loyalty": {"isolation": "process", "timeout_ms": -1}}})
