"""The Python API of SPEC section 1: Host, Decision, Action, plugins, reload."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys

import pytest
import shoprules


def test_public_names() -> None:
    for name in [
        "Host",
        "Decision",
        "Action",
        "Error",
        "InvalidEvent",
        "ConfigError",
        "PluginLoadError",
        "RuleError",
    ]:
        assert name in shoprules.__all__
        assert getattr(shoprules, name).__module__ == "shoprules" or name in {
            "Host",
            "Decision",
            "Action",
        }


def test_evaluate_returns_actions_with_reasons(host, return_event) -> None:
    d = host.evaluate(return_event)
    assert isinstance(d, shoprules.Decision)
    assert [a.type for a in d.actions] == ["return.approve", "refund.issue", "points.revoke"]
    approve, refund, revoke = d.actions
    assert approve.plugin == "returns"
    assert approve.rule == "window"
    assert approve.params == {
        "lines": [{"sku": "SH-1B", "qty": 1}],
        "label": "prepaid",
        "pickup": False,
        "keep": False,
    }
    assert approve.reason.startswith("Returned 200 days after delivery, within the 365-day")
    assert refund.params["amount"] == 4995
    assert refund.params["method"] == "original"
    assert isinstance(refund.reason, str) and "49.95 USD" in refund.reason
    assert revoke.plugin == "loyalty"
    assert revoke.params == {"points": 49}
    assert d.errors == []
    assert d.config_version == host.config_version
    assert d.event_id == "evt-2001"


def test_trace_has_one_entry_per_rule(host, return_event) -> None:
    d = host.evaluate(return_event)
    rules = [(p["name"], r["id"], r["phase"]) for p in host.plugins() for r in p["rules"]]
    # Decide rules in plugin order, then review rules.
    expected = [(p, r) for p, r, phase in rules if phase == "decide"]
    expected += [(p, r) for p, r, phase in rules if phase == "review"]
    assert [(t["plugin"], t["rule"]) for t in d.trace] == expected
    for entry in d.trace:
        assert set(entry) >= {"plugin", "rule", "outcome", "why"}
        assert entry["outcome"] in {"fired", "skipped", "disabled", "error"}
        assert entry["why"]


def test_to_dict_is_plain_json_and_deterministic(host, return_event) -> None:
    first = json.dumps(host.evaluate(return_event).to_dict(), sort_keys=False)
    again = json.dumps(shoprules.Host().evaluate(return_event).to_dict(), sort_keys=False)
    assert first == again
    data = json.loads(first)
    assert set(data) == {"event_id", "store", "config_version", "actions", "errors", "trace"}
    assert data["actions"][0] == host.evaluate(return_event).actions[0].to_dict()


def test_same_decision_in_another_process(return_event) -> None:
    code = (
        "import json, sys, shoprules\n"
        "event = json.loads(sys.stdin.read())\n"
        "print(json.dumps(shoprules.Host().evaluate(event).to_dict()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        input=json.dumps(return_event),
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert json.loads(out) == json.loads(
        json.dumps(shoprules.Host().evaluate(return_event).to_dict())
    )


def test_plugins_metadata(host) -> None:
    plugins = host.plugins()
    assert [p["name"] for p in plugins] == ["delight", "loyalty", "returns"]
    returns = plugins[2]
    assert returns["version"] == "1.0.0"
    assert returns["kind"] == "returns"
    assert returns["abi"] == shoprules.abi_key()
    window = returns["rules"][0]
    assert window["id"] == "window"
    assert window["enabled"] is True
    assert window["params"] == {"days": 365}
    assert window["defaults"] == {"days": 365}
    assert window["schema"]["days"] == {
        "type": "int",
        "min": 0,
        "max": 3650,
        "default": 365,
        "description": window["schema"]["days"]["description"],
    }
    assert window["description"]


def test_config_as_dict_and_as_file(tmp_path, return_event) -> None:
    config = {"seed": "x", "plugins": {"returns": {"rules": {"window": {"days": 30}}}}}
    from_dict = shoprules.Host(config=config)
    path = tmp_path / "store.json"
    path.write_text(json.dumps(config))
    from_file = shoprules.Host(config=path)
    from_str = shoprules.Host(config=str(path))
    assert from_dict.config_version == from_file.config_version == from_str.config_version
    assert [a.type for a in from_file.evaluate(return_event).actions] == ["return.deny"]


def test_reload_takes_a_new_config_and_rereads_the_file(tmp_path, return_event) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"plugins": {"returns": {"rules": {"window": {"days": 30}}}}}))
    host = shoprules.Host(config=path)
    v1 = host.config_version
    assert host.evaluate(return_event).actions[0].type == "return.deny"
    path.write_text(json.dumps({"plugins": {"returns": {"rules": {"window": {"days": 300}}}}}))
    v2 = host.reload()
    assert v2 != v1 and host.config_version == v2
    assert host.evaluate(return_event).actions[0].type == "return.approve"
    v3 = host.reload({"plugins": {"returns": {"enabled": False}}})
    assert host.evaluate(return_event).actions == []
    assert len({v1, v2, v3}) == 3


def test_evaluate_many_matches_evaluate(host, all_events) -> None:
    batch = all_events * 50
    many = host.evaluate_many(batch)
    assert len(many) == len(batch)
    for event, decision in zip(batch, many):
        assert decision.to_dict() == host.evaluate(event).to_dict()
    assert [d.to_dict() for d in host.evaluate_many(batch, threads=1)] == [
        d.to_dict() for d in many
    ]
    assert host.evaluate_many([]) == []


def test_decisions_outlive_their_host(return_event) -> None:
    decision = shoprules.Host().evaluate(return_event)
    actions = decision.actions
    del decision
    import gc

    gc.collect()
    assert actions[0].reason.startswith("Returned")


def test_repr(host, return_event) -> None:
    d = host.evaluate(return_event)
    assert "return.approve" in repr(d)
    assert "returns.window" in repr(d.actions[0])


def test_unknown_event_type_reaches_plugins_and_is_ignored(host) -> None:
    d = host.evaluate({"id": "e", "type": "wishlist.added", "at": "2026-11-23T10:00:00Z"})
    assert d.actions == []
    assert {t["outcome"] for t in d.trace} == {"skipped", "disabled"}
    assert all(
        t["why"] == "off by default (enable it in the config)"
        for t in d.trace
        if t["outcome"] == "disabled"
    )


def test_cmake_dir_holds_the_sdk_package() -> None:
    from pathlib import Path

    assert (Path(shoprules.cmake_dir()) / "shoprulesConfig.cmake").is_file()
    assert (Path(shoprules.include_dir()) / "shoprules" / "sdk.hpp").is_file()
    assert (Path(shoprules.plugin_dir()) / "returns.so").is_file()


def test_evaluate_takes_exactly_one_event_by_position_or_name(host, order_event) -> None:
    by_name = host.evaluate(event=order_event)
    assert by_name.to_dict() == host.evaluate(order_event).to_dict()
    for args, kwargs in [((), {}), ((order_event, 1), {}), ((), {"evnt": order_event})]:
        with pytest.raises(TypeError, match="takes one argument: event"):
            host.evaluate(*args, **kwargs)
    with pytest.raises(shoprules.InvalidEvent) as e:
        host.evaluate([order_event])
    assert e.value.path == ""
    assert list(inspect.signature(shoprules.Host.evaluate).parameters) == ["self", "event"]
    assert "InvalidEvent" in (shoprules.Host.evaluate.__doc__ or "")


def test_rules_report_the_event_types_they_run_for(host) -> None:
    rules = {f"{p['name']}.{r['id']}": r for p in host.plugins() for r in p["rules"]}
    assert rules["returns.window"]["events"] == ["return.requested"]
    assert rules["delight.goodwill_cap"]["events"] == "any"
    # skipped without a call, with the reason the rule itself would give
    trace = {
        t["rule"]: t
        for t in host.evaluate({"id": "e", "type": "x.y", "at": "2026-11-23T10:00:00Z"}).trace
    }
    assert trace["window"]["outcome"] == "skipped"
    assert trace["window"]["why"] == "not a return.requested event"
