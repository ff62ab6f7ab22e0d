"""Several stores in one config: the event's store picks the settings."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import shoprules
from builders import return_request

CONFIG = {
    "seed": "s",
    "plugins": {"returns": {"rules": {"window": {"days": 30}}}},
    "stores": {
        "eu": {"plugins": {"returns": {"rules": {"window": {"days": 14}}}}},
        "outlet": {"plugins": {"delight": {"enabled": False}}},
    },
}


def event(store: str | None) -> dict:
    e = return_request("2026-11-01T10:00:00Z", at="2026-11-20T10:00:00Z")  # 19 days
    if store is not None:
        e["store"] = store
    return e


@pytest.mark.parametrize(
    ("store", "first", "name"),
    [
        (None, "return.approve", "default"),
        ("default", "return.approve", "default"),
        ("eu", "return.deny", "eu"),
        ("outlet", "return.approve", "outlet"),
    ],
)
def test_the_event_picks_its_store(store, first, name) -> None:
    d = shoprules.Host(config=CONFIG).evaluate(event(store))
    assert d.actions[0].type == first
    assert d.store == name
    assert d.to_dict()["store"] == name


def test_an_unknown_store_is_an_invalid_event() -> None:
    host = shoprules.Host(config=CONFIG)
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate(event("mars"))
    assert info.value.path == "store"
    assert str(info.value) == (
        "store: no store named 'mars' in the config (stores: default, eu, outlet)"
    )
    with pytest.raises(shoprules.InvalidEvent) as info:
        host.evaluate_many([event("eu"), event("mars")])
    assert info.value.path == "events[1].store"


def test_batches_mix_stores() -> None:
    host = shoprules.Host(config=CONFIG)
    batch = [event(s) for s in (None, "eu", "outlet")] * 100
    assert [d.to_dict() for d in host.evaluate_many(batch)] == [
        host.evaluate(e).to_dict() for e in batch
    ]


def test_plugins_per_store() -> None:
    host = shoprules.Host(config=CONFIG)
    days = {
        s: next(p for p in host.plugins(store=s) if p["name"] == "returns")["rules"][0]["params"][
            "days"
        ]
        for s in (None, "eu", "outlet")
    }
    assert days == {None: 30, "eu": 14, "outlet": 30}
    assert [p["enabled"] for p in host.plugins(store="outlet") if p["name"] == "delight"] == [False]
    with pytest.raises(ValueError, match="no store named 'mars'"):
        host.plugins(store="mars")


def test_a_bad_store_value_names_its_path() -> None:
    bad = json.loads(json.dumps(CONFIG))
    bad["stores"]["eu"]["plugins"]["returns"]["rules"]["window"]["days"] = "two weeks"
    with pytest.raises(
        shoprules.ConfigError,
        match=r"config: stores\.eu\.plugins\.returns\.rules"
        r"\.window\.days: expected an integer",
    ):
        shoprules.Host(config=bad)


def test_cli_edits_a_store(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text(json.dumps(CONFIG))
    cli = str(Path(sys.executable).with_name("shoprules"))
    out = subprocess.run(
        [cli, "set", "returns.window.days", "7", "--store", "eu", "--config", str(path)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "stores.eu.plugins.returns.rules.window.days: 14 -> 7" in out.stdout
    out = subprocess.run(
        [cli, "disable", "returns.refund", "--store", "outlet", "--config", str(path)],
        capture_output=True,
        text=True,
    )
    assert "stores.outlet.plugins.returns.rules.refund.enabled: true -> false" in out.stdout
    data = json.loads(path.read_text())
    assert data["stores"]["eu"]["plugins"]["returns"]["rules"]["window"]["days"] == 7
    assert data["plugins"]["returns"]["rules"]["window"]["days"] == 30
    listed = subprocess.run(
        [cli, "plugins", "--store", "eu", "--config", str(path), "--json"],
        capture_output=True,
        text=True,
    )
    returns = next(p for p in json.loads(listed.stdout) if p["name"] == "returns")
    assert returns["rules"][0]["params"]["days"] == 7
