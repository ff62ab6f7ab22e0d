"""The shoprules command, run as the installed console script: output, exit codes, safe edits."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "events"


def script() -> str:
    found = Path(sys.executable).with_name("shoprules")
    if not found.exists():
        found = Path(shutil.which("shoprules") or "shoprules")
    return str(found)


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([script(), *args], capture_output=True, text=True, cwd=cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return result


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"seed": "cli", "plugins": {"returns": {"order": 20}}}, indent=2))
    path.chmod(0o640)
    return path


def audit(config: Path) -> list[dict]:
    log = config.with_name(config.name + ".audit.jsonl")
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


def test_help_lists_the_commands() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in ["plugins", "inspect", "validate", "enable", "disable", "set", "evaluate"]:
        assert command in out.stdout


def test_no_command_is_a_usage_error() -> None:
    out = run()
    assert out.returncode == 2
    assert "a COMMAND is required" in out.stderr


def test_cmake_dir() -> None:
    out = run("--cmake-dir")
    assert out.returncode == 0
    assert (Path(out.stdout.strip()) / "shoprulesConfig.cmake").is_file()


def test_plugins_table_and_json(config: Path) -> None:
    out = run("plugins", "--config", str(config))
    assert out.returncode == 0
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["PLUGIN", "VERSION", "RULE", "STATE", "PARAMS"]
    assert lines[1].split()[:5] == ["returns", "1.0.0", "window", "on", "days=365"]
    data = json.loads(run("plugins", "--config", str(config), "--json").stdout)
    assert [p["name"] for p in data] == ["returns", "delight", "loyalty"]


def test_inspect_a_plugin_and_refuse_a_bad_one() -> None:
    import shoprules

    plugin = Path(shoprules.plugin_dir()) / "returns.so"
    out = run("inspect", str(plugin))
    assert out.returncode == 0
    assert out.stdout.startswith("returns 1.0.0 (returns)")
    assert f"abi:  {shoprules.abi_key()}" in out.stdout
    assert "days: int in 0..3650, default 365." in out.stdout
    assert "\n  final_sale (off by default, on return.requested): " in out.stdout
    info = json.loads(run("inspect", str(plugin), "--json").stdout)
    assert info["rules"][0]["schema"]["days"]["default"] == 365
    bad = run("inspect", str(ROOT / "README.md"))
    assert bad.returncode == 1
    assert "README.md: not a shared library" in bad.stderr


def test_validate(config: Path, tmp_path: Path) -> None:
    out = run("validate", str(config))
    assert out.returncode == 0
    assert out.stdout.startswith(f"{config}: valid (config_version ")
    broken = tmp_path / "broken.json"
    broken.write_text('{"plugins": {"returns": {"rules": {"window": {"days": -1}}}}}')
    out = run("validate", str(broken))
    assert out.returncode == 1
    assert out.stderr.strip() == (
        f"shoprules validate: {broken}: plugins.returns.rules.window.days: expected an integer "
        "in 0..3650, got -1"
    )
    assert run("validate", str(tmp_path / "missing.json")).returncode == 1


def test_set_writes_validates_and_audits(config: Path) -> None:
    out = run("set", "returns.window.days", "30", "--config", str(config))
    assert out.returncode == 0, out.stderr
    assert "plugins.returns.rules.window.days: 365 -> 30" in out.stdout
    data = json.loads(config.read_text())
    assert data["plugins"]["returns"]["rules"]["window"]["days"] == 30
    assert data["seed"] == "cli"  # the rest is kept
    assert stat.S_IMODE(config.stat().st_mode) == 0o640  # permissions kept
    (entry,) = audit(config)
    assert entry["command"] == "set returns.window.days 30"
    assert entry["path"] == "plugins.returns.rules.window.days"
    assert (entry["old"], entry["new"]) == (365, 30)
    assert entry["user"]
    assert entry["time"].endswith("Z")
    validated = run("validate", str(config)).stdout
    assert entry["config_version"] in validated


def test_enable_and_disable(config: Path) -> None:
    assert run("enable", "returns.keep_item", "--config", str(config)).returncode == 0
    assert run("disable", "delight", "--config", str(config)).returncode == 0
    data = json.loads(config.read_text())
    assert data["plugins"]["returns"]["rules"]["keep_item"]["enabled"] is True
    assert data["plugins"]["delight"]["enabled"] is False
    assert [(e["old"], e["new"]) for e in audit(config)] == [(False, True), (True, False)]
    table = run("plugins", "--config", str(config)).stdout
    assert any(line.split()[2:4] == ["keep_item", "on"] for line in table.splitlines()[1:])


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ["set", "returns.window.days", "a year"],
            1,
            'plugins.returns.rules.window.days: expected an integer in 0..3650, got "a year"',
        ),
        (["set", "returns.windw.days", "3"], 1, "plugin returns has no rule named 'windw'"),
        (["set", "nope.window.days", "3"], 1, "no plugin named 'nope' is loaded"),
        (["set", "returns.window.dayz", "3"], 1, "unknown param"),
        (["enable", "returns.window.days"], 2, "expected PLUGIN or PLUGIN.RULE"),
        (["set", "returns.window", "3"], 2, "expected PLUGIN.RULE.PARAM"),
    ],
)
def test_rejected_edits_leave_the_file_untouched(config: Path, args, code, message) -> None:
    before = config.read_bytes()
    out = run(*args, "--config", str(config))
    assert out.returncode == code
    assert message in out.stderr
    assert config.read_bytes() == before
    assert audit(config) == []
    assert [p.name for p in config.parent.iterdir()] == ["store.json"]  # no temporary left


def test_edit_of_a_broken_file_names_it(tmp_path: Path) -> None:
    path = tmp_path / "store.json"
    path.write_text("{oops")
    out = run("set", "returns.window.days", "30", "--config", str(path))
    assert out.returncode == 1
    assert f"{path}: not valid JSON" in out.stderr


def test_evaluate_prints_actions_and_trace(config: Path) -> None:
    event = EVENTS / "10-story-bereaved-return.json"
    out = run("evaluate", str(event), "--config", str(config))
    assert out.returncode == 0
    assert "return.approve" in out.stdout
    assert "a courier collects it at no cost" in out.stdout
    assert "returns.window" in out.stdout
    assert "Trace:" in out.stdout
    data = json.loads(run("evaluate", str(event), "--config", str(config), "--json").stdout)
    assert data["event_id"] == "evt-2005"


def test_evaluate_an_invalid_event(tmp_path: Path) -> None:
    event = json.loads((EVENTS / "01-order-placed.json").read_text())
    event["order"]["lines"][0]["qty"] = 0
    path = tmp_path / "event.json"
    path.write_text(json.dumps(event))
    out = run("evaluate", str(path))
    assert out.returncode == 1
    assert f"{path}: order.lines[0].qty: expected an integer >= 1, got 0" in out.stderr


def test_python_dash_m_runs_the_same_command() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "shoprules", "--version"],
        capture_output=True,
        text=True,
        env={**os.environ},
    )
    assert out.returncode == 0
    assert out.stdout.startswith("shoprules ")
