"""A per-evaluation time budget: slow rules are reported in the trace and in Host.stats(), and
never change what is decided."""

from __future__ import annotations

import pytest
import shoprules
from builders import order


def config(budget_us: int | None, slow_ms: int = 3) -> dict:
    cfg: dict = {"plugins": {"testkit": {"rules": {"slow": {"enabled": True, "ms": slow_ms}}}}}
    if budget_us is not None:
        cfg["time_budget_us"] = budget_us
    return cfg


@pytest.fixture
def testkit(test_plugins):
    return [test_plugins / "testkit"]


def test_a_rule_past_the_budget_is_reported(testkit) -> None:
    host = shoprules.Host(config=config(1000), plugin_dirs=testkit)
    d = host.evaluate(order(1000))
    (slow,) = [t for t in d.trace if t["rule"] == "slow"]
    assert slow["over_budget"] is True
    assert slow["time_us"] >= 3000
    # Every rule still ran, and decided as it would have without a budget.
    assert len(d.trace) == sum(len(p["rules"]) for p in host.plugins())
    unbudgeted = shoprules.Host(config=config(None), plugin_dirs=testkit).evaluate(order(1000))
    assert [a.to_dict() for a in d.actions] == [a.to_dict() for a in unbudgeted.actions]
    assert "over_budget" not in str(unbudgeted.trace)


def test_stats_count_runs_fired_errors_and_budget(testkit) -> None:
    host = shoprules.Host(config=config(1000), plugin_dirs=testkit)
    for _ in range(3):
        host.evaluate(order(30000))
    stats = host.stats()
    assert stats["time_budget_us"] == 1000
    assert stats["config_version"] == host.config_version
    rules = stats["stores"]["default"]
    assert rules["testkit.slow"]["runs"] == 3
    assert rules["testkit.slow"]["over_budget"] == 3
    assert rules["testkit.slow"]["time_us"] >= 9000
    assert rules["loyalty.points"] == {
        "runs": 3,
        "fired": 3,
        "errors": 0,
        "over_budget": rules["loyalty.points"]["over_budget"],
        "time_us": rules["loyalty.points"]["time_us"],
    }
    assert rules["returns.window"]["fired"] == 0
    assert "testkit.points_a" in rules and rules["testkit.points_a"]["runs"] == 0  # disabled


def test_stats_without_a_budget_have_no_times(test_plugins) -> None:
    host = shoprules.Host(plugin_dirs=[test_plugins / "faulty"])
    host.evaluate_many([order(1000)] * 10)
    rules = host.stats()["stores"]["default"]
    assert rules["faulty.throws_std"] == {"runs": 10, "fired": 0, "errors": 10, "over_budget": 0}
    assert rules["faulty.before"]["fired"] == 10


def test_a_bad_budget_is_a_config_error() -> None:
    with pytest.raises(shoprules.ConfigError, match="time_budget_us: expected an integer in "):
        shoprules.Host(config={"time_budget_us": -1})
