"""Reloads remember a plugin file's digest while the file is unchanged (so following a config
store costs no re-read of every plugin), and still see any change made to the file."""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
import shoprules


def test_a_plugin_changed_in_place_is_digested_again(tmp_path: Path, test_plugins) -> None:
    folder = tmp_path / "plugins"
    folder.mkdir()
    so = folder / "testkit.so"
    shutil.copy(test_plugins / "testkit" / "testkit.so", so)
    time.sleep(3.1)  # settled: its digest may now be remembered
    host = shoprules.Host(plugin_dirs=[folder])
    (first,) = [p["sha256"] for p in host.plugins() if p["name"] == "testkit"]
    pinned = {"plugins": {"testkit": {"sha256": first}}}
    host.reload(pinned)  # the remembered digest matches the pin
    with so.open("r+b") as f:  # the same inode, the same size, one byte different
        f.seek(os.path.getsize(so) - 1)
        last = f.read(1)
        f.seek(-1, os.SEEK_END)
        f.write(bytes([last[0] ^ 0xFF]))
    with pytest.raises(shoprules.PluginLoadError, match="does not match the pin"):
        host.reload(pinned)
