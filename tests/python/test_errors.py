"""Errors a user can cause, each with a clear message, and faults a plugin can cause, contained."""

from __future__ import annotations

import json

import pytest
import shoprules


def test_invalid_event_names_the_field(host, order_event) -> None:
    order_event["order"]["lines"][2]["price"] = -5
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(order_event)
    assert info.value.path == "order.lines[2].price"
    assert str(info.value) == (
        "order.lines[2].price: expected a non-negative integer (minor units), got -5"
    )
    assert isinstance(info.value, ValueError)
    assert isinstance(info.value, shoprules.Error)


@pytest.mark.parametrize(
    ("mutate", "path", "message"),
    [
        (lambda e: e.pop("id"), "id", "is required"),
        (lambda e: e.__setitem__("at", "last tuesday"), "at", "expected an ISO-8601 time"),
        (
            lambda e: e["order"]["lines"][0].__setitem__("price", 49.95),
            "order.lines[0].price",
            "got 49.95",
        ),
        (
            lambda e: e["order"]["lines"][0].__setitem__("qty", True),
            "order.lines[0].qty",
            "expected an integer >= 1, got true",
        ),
        (
            lambda e: e["order"]["lines"][0].__setitem__("qty", 0),
            "order.lines[0].qty",
            "expected an integer >= 1, got 0",
        ),
        (
            lambda e: e["order"]["lines"][0].__setitem__("price", 2**70),
            "order.lines[0].price",
            "expected a non-negative integer",
        ),
        (
            lambda e: e["customer"].__setitem__("vip", 1),
            "customer.vip",
            "expected true or false, got 1",
        ),
        (lambda e: e.pop("order"), "order", "is required for a order.placed event"),
        (
            lambda e: e["order"].__setitem__("lines", "SH-1"),
            "order.lines",
            "expected a list of order lines",
        ),
        (
            lambda e: e["customer"].__setitem__("household", ["c-1", 7]),
            "customer.household[1]",
            "expected a string, got 7",
        ),
    ],
)
def test_invalid_events(host, order_event, mutate, path, message) -> None:
    mutate(order_event)
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(order_event)
    assert info.value.path == path
    assert message in str(info.value)


def test_event_must_be_a_dict(host) -> None:
    with pytest.raises(shoprules.InvalidEvent, match="expected an event object, got a list"):
        host.evaluate([])


def test_a_quoted_value_is_cut_between_characters(host, order_event, tmp_path) -> None:
    # A value quoted in a message is cut at 40 bytes: never inside a character, so the message
    # stays UTF-8 (a four-byte emoji straddled the cut).
    text = "0" * 38 + "\U0001f300" * 3
    with pytest.raises(shoprules.InvalidEvent, match=r"^expected an event object, got '0+\.\.\.$"):
        host.evaluate(text)
    order_event["customer"]["vip"] = text
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(order_event)
    assert info.value.path == "customer.vip"
    assert str(info.value).endswith("'" + "0" * 38 + "...")
    # The same event as a line of a replayed log: quoted from the JSON text.
    log = tmp_path / "events.jsonl"
    log.write_text(json.dumps(order_event, ensure_ascii=False) + "\n", encoding="utf-8")
    report = shoprules.simulate(log, {})
    assert report["bad_lines"] == 1
    message = report["bad_examples"][0]["error"]
    assert message.endswith('"' + "0" * 38 + '"...'), message


def test_invalid_event_in_a_batch_names_its_index(host, order_event) -> None:
    bad = json.loads(json.dumps(order_event))
    bad["order"]["currency"] = None
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate_many([order_event, order_event, bad])
    assert info.value.path == "events[2].order.currency"
    assert str(info.value) == "events[2].order.currency: is required"


def test_config_errors_name_plugin_rule_and_field(tmp_path) -> None:
    with pytest.raises(shoprules.ConfigError) as info:
        shoprules.Host(config={"plugins": {"returns": {"rules": {"window": {"days": "a year"}}}}})
    assert str(info.value) == (
        'config: plugins.returns.rules.window.days: expected an integer in 0..3650, got "a year"'
    )
    path = tmp_path / "store.json"
    path.write_text('{"plugins": {"returns": {"rules": {"window": {"days": 99999}}}}}')
    with pytest.raises(
        shoprules.ConfigError,
        match=r"store\.json: plugins\.returns\.rules\."
        r"window\.days: expected an integer in "
        r"0\.\.3650, got 99999",
    ):
        shoprules.Host(config=path)
    path.write_text("{not json")
    with pytest.raises(shoprules.ConfigError, match=r"store\.json: not valid JSON"):
        shoprules.Host(config=path)
    # A NUL byte is not JSON text: nothing after it may be dropped silently.
    path.write_bytes(b'{"seed": "x"}\x00garbage')
    with pytest.raises(
        shoprules.ConfigError, match=r"store\.json: not valid JSON: a NUL byte at offset 13"
    ):
        shoprules.Host(config=path)
    path.write_bytes(b'{"seed": "x\x00y"}')
    with pytest.raises(
        shoprules.ConfigError, match=r"store\.json: not valid JSON: a NUL byte at offset 11"
    ):
        shoprules.Host(config=path)
    with pytest.raises(shoprules.ConfigError, match="cannot read the config file"):
        shoprules.Host(config=tmp_path / "missing.json")
    with pytest.raises(shoprules.ConfigError, match=r"config: plugins\.nope: no plugin named"):
        shoprules.Host(config={"plugins": {"nope": {}}})
    with pytest.raises(TypeError, match="expected a path or a dict"):
        shoprules.Host(config=42)


def test_failed_reload_keeps_serving(host, return_event) -> None:
    h = shoprules.Host()
    version = h.config_version
    with pytest.raises(shoprules.ConfigError):
        h.reload({"plugins": {"returns": {"on_error": "explode"}}})
    assert h.config_version == version
    assert h.evaluate(return_event).config_version == version


def test_bad_plugin_files_are_refused_by_name(test_plugins) -> None:
    with pytest.raises(shoprules.PluginLoadError, match=r"bad_abi\.so: ABI mismatch"):
        shoprules.Host(plugin_dirs=[test_plugins / "bad_abi"])
    with pytest.raises(
        shoprules.PluginLoadError, match=r"not_a_plugin\.so: not a shoprules plugin"
    ):
        shoprules.Host(plugin_dirs=[test_plugins / "not_a_plugin"])
    with pytest.raises(shoprules.PluginLoadError, match="plugin folder does not exist"):
        shoprules.Host(plugin_dirs=[test_plugins / "nowhere"])
    with pytest.raises(shoprules.PluginLoadError, match="duplicate plugin name 'twin'"):
        shoprules.Host(plugin_dirs=[test_plugins / "duplicate"])


def test_plugin_faults_are_contained(test_plugins, order_event) -> None:
    h = shoprules.Host(plugin_dirs=[test_plugins / "faulty"])
    d = h.evaluate(order_event)
    assert [a.type for a in d.actions if a.plugin == "faulty"] == ["test.before", "test.after"]
    assert "points.award" in [a.type for a in d.actions]  # the plugins after it still ran
    errors = {e["rule"]: e["message"] for e in d.errors}
    assert errors == {
        "throws_std": "inventory service unreachable",
        "throws_other": "threw an exception that is not a std::exception",
        "untyped": "emitted an action with no type",
        "bad_param": "rule has no param named no_such_param",
        "negative_refund": "emitted refund.issue with amount -5: expected a non-negative "
        "integer (minor units)",
        "drone_upgrade": 'emitted shipping.upgrade with to "drone": expected standard, '
        "expedited or overnight",
        "breaks_points": "amended points.award with points -1: expected a non-negative integer",
    }
    outcomes = {t["rule"]: t["outcome"] for t in d.trace if t["plugin"] == "faulty"}
    assert outcomes["throws_std"] == "error"
    assert outcomes["after"] == "fired"


def test_on_error_fail_raises(test_plugins, order_event) -> None:
    h = shoprules.Host(
        config={"plugins": {"faulty": {"on_error": "fail"}}}, plugin_dirs=[test_plugins / "faulty"]
    )
    with pytest.raises(shoprules.RuleError) as info:
        h.evaluate(order_event)
    assert info.value.plugin == "faulty"
    assert info.value.rule == "throws_std"
    with pytest.raises(shoprules.RuleError):
        h.evaluate_many([order_event] * 200)


def test_negative_threads_is_an_error(host, order_event) -> None:
    with pytest.raises(ValueError, match="threads"):
        host.evaluate_many([order_event], threads=-1)
