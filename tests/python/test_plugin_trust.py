"""Pinning plugin files by SHA-256 in the config, and refusing files others could have written."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import shoprules


def digest_of(name: str) -> str:
    (plugin,) = [p for p in shoprules.Host().plugins() if p["name"] == name]
    return plugin["sha256"]


def test_plugins_report_their_digest() -> None:
    for plugin in shoprules.Host().plugins():
        assert len(plugin["sha256"]) == 64


def test_a_matching_pin_loads() -> None:
    config = {"plugins": {"returns": {"sha256": digest_of("returns")}}}
    assert shoprules.Host(config=config).plugins()


def test_a_wrong_pin_refuses_the_file() -> None:
    config = {"plugins": {"returns": {"sha256": "0" * 64}}}
    with pytest.raises(
        shoprules.PluginLoadError,
        match=r"returns\.so: sha256 [0-9a-f]{64} does "
        r"not match the pin 0{64}",
    ):
        shoprules.Host(config=config)


def test_a_pin_must_be_a_digest_and_belongs_to_the_top_level() -> None:
    with pytest.raises(
        shoprules.ConfigError, match=r"plugins\.returns\.sha256: expected 64 lowercase hex digits"
    ):
        shoprules.Host(config={"plugins": {"returns": {"sha256": "abc"}}})
    pin = {"sha256": digest_of("returns")}
    with pytest.raises(
        shoprules.ConfigError,
        match=r"stores\.eu\.plugins\.returns\.sha256: "
        "unknown key",
    ):
        shoprules.Host(config={"stores": {"eu": {"plugins": {"returns": pin}}}})


def test_a_writable_plugin_folder_is_refused_unless_allowed(tmp_path: Path, test_plugins) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    shutil.copy(test_plugins / "testkit" / "testkit.so", folder / "testkit.so")
    folder.chmod(0o777)
    with pytest.raises(shoprules.PluginLoadError, match="writable by group or others"):
        shoprules.Host(plugin_dirs=[folder])
    host = shoprules.Host(config={"allow_unsafe_plugin_files": True}, plugin_dirs=[folder])
    assert "testkit" in [p["name"] for p in host.plugins()]
