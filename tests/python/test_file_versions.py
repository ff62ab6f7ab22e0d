"""File configs keep their versions beside them: history, diff, rollback; edits under a lock;
symlinked configs; JSON nested too deep; the shared source API (shoprules.configs)."""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from shoprules import ConfigError
from shoprules.configs import FileSource, InputError, open_source
from test_cli import EVENTS, audit, run


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    path.write_text(json.dumps({"seed": "cli", "plugins": {"returns": {"order": 20}}}, indent=2))
    return path


def history(config: Path) -> list[dict]:
    out = run("history", "--config", str(config), "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_history_starts_with_the_file_as_first_seen_and_records_each_edit(config: Path) -> None:
    first = history(config)
    assert [(v["number"], v["in_force"], v["parent"]) for v in first] == [(1, True, None)]
    out = run("set", "returns.window.days", "30", "--config", str(config), "-m", "longer window")
    assert out.returncode == 0, out.stderr
    assert "version 2" in out.stdout
    versions = history(config)
    assert [v["number"] for v in versions] == [2, 1]
    assert versions[0]["message"] == "longer window"
    assert versions[0]["parent"] == 1 and versions[0]["in_force"]
    assert not versions[1]["in_force"]
    assert versions[1]["config_version"] == first[0]["config_version"]
    (entry,) = audit(config)
    assert (entry["version"], entry["message"]) == (2, "longer window")
    assert entry["config_version"] == versions[0]["config_version"]
    table = run("history", "--config", str(config)).stdout
    assert "longer window" in table and "in force" in table


def test_diff_and_rollback(config: Path) -> None:
    assert run("set", "returns.window.days", "30", "--config", str(config)).returncode == 0
    assert run("disable", "delight", "--config", str(config)).returncode == 0
    patch = json.loads(run("diff", "1", "--config", str(config), "--json").stdout)
    assert {"op": "add", "path": "/plugins/delight", "value": {"enabled": False}} in patch
    assert {"op": "add", "path": "/plugins/returns/rules", "value": {"window": {"days": 30}}} in (
        patch
    )
    assert json.loads(run("diff", "2", "3", "--config", str(config), "--json").stdout) == [
        {"op": "add", "path": "/plugins/delight", "value": {"enabled": False}}
    ]
    out = run("rollback", "1", "--config", str(config), "-m", "back to the start")
    assert out.returncode == 0, out.stderr
    assert "version 4" in out.stdout
    assert json.loads(config.read_text()) == {"seed": "cli", "plugins": {"returns": {"order": 20}}}
    top = history(config)[0]
    assert (top["number"], top["message"]) == (4, "back to the start")
    assert top["config_version"] == history(config)[-1]["config_version"]
    assert json.loads(run("diff", "1", "--config", str(config), "--json").stdout) == []
    exported = json.loads(run("export", "--config", str(config), "--version", "2").stdout)
    assert exported["plugins"]["returns"]["rules"]["window"]["days"] == 30


def test_push_a_file_makes_the_next_version(config: Path, tmp_path: Path) -> None:
    new = tmp_path / "new.json"
    new.write_text(json.dumps({"seed": "pushed"}))
    out = run("push", str(new), "--config", str(config), "-m", "new seed")
    assert out.returncode == 0, out.stderr
    assert json.loads(config.read_text()) == {"seed": "pushed"}
    assert history(config)[0]["message"] == "new seed"


def test_a_change_by_hand_becomes_a_version(config: Path) -> None:
    assert run("set", "returns.window.days", "30", "--config", str(config)).returncode == 0
    config.write_text(json.dumps({"seed": "by hand"}))
    versions = history(config)
    assert [v["number"] for v in versions] == [3, 2, 1]
    assert versions[0]["message"] == "changed by hand"
    assert run("set", "returns.window.days", "31", "--config", str(config)).returncode == 0
    assert [v["number"] for v in history(config)] == [4, 3, 2, 1]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rollback", "9"], "has no version 9 (versions 1..1)"),
        (["diff", "1", "7"], "has no version 7"),
        (["export", "--version", "5"], "has no version 5"),
        (["set", "returns.window.days", "3", "--at", "next tuesday"], "not an ISO-8601 time"),
        (["set", "returns.window.days", "3", "--at", "2001-01-01T00:00:00Z"], "in the past"),
        (["disable", "delight", "--at", "2999-01-01T00:00:00Z"], "needs a store config"),
        (["rollback", "1", "--at", "2999-01-01T00:00:00Z"], "needs a store config"),
    ],
)
def test_bad_version_requests_write_nothing(config: Path, args: list[str], message: str) -> None:
    before = config.read_bytes()
    out = run(*args, "--config", str(config))
    assert out.returncode == 1, out.stdout
    assert message in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert config.read_bytes() == before
    assert sorted(p.name for p in config.parent.iterdir()) == ["store.json"]


def test_an_edit_of_a_symlinked_config_lands_in_its_target(tmp_path: Path) -> None:
    target = tmp_path / "v12.json"
    target.write_text(json.dumps({"seed": "v12"}))
    link = tmp_path / "current.json"
    link.symlink_to("v12.json")
    out = run("set", "returns.window.days", "30", "--config", str(link))
    assert out.returncode == 0, out.stderr
    assert link.is_symlink() and os.readlink(link) == "v12.json"
    assert json.loads(target.read_text())["plugins"]["returns"]["rules"]["window"]["days"] == 30
    assert [v["number"] for v in history(link)] == [2, 1]
    assert run("rollback", "1", "--config", str(link)).returncode == 0
    assert link.is_symlink() and json.loads(target.read_text()) == {"seed": "v12"}


def deep(n: int = 100_000) -> str:
    return "[" * n + "]" * n


@pytest.mark.parametrize("what", ["event", "config", "push", "validate", "plugins"])
def test_json_nested_100000_deep_is_one_clear_line(tmp_path: Path, config: Path, what) -> None:
    bad = tmp_path / "deep.json"
    bad.write_text('{"a": ' + deep() + "}")
    before = config.read_bytes()
    args = {
        "event": ["evaluate", str(bad)],
        "config": ["set", "returns.window.days", "3", "--config", str(bad)],
        "push": ["push", str(bad), "--config", str(config)],
        "validate": ["validate", str(bad)],
        "plugins": ["plugins", "--config", str(bad)],
    }[what]
    out = run(*args)
    assert out.returncode == 1
    (line,) = out.stderr.strip().splitlines()
    assert line.startswith(f"shoprules {args[0]}: {bad}: ")
    if what in ("event", "config", "push"):  # read by Python: refused before parsing
        assert line.endswith("not accepted: JSON nested more than 512 deep")
    assert config.read_bytes() == before


def test_source_api(config: Path) -> None:
    source = open_source(config)
    assert isinstance(source, FileSource) and source.kind == "file"
    assert source.label == str(config)
    result = source.edit(
        ["plugins", "returns", "rules", "window", "days"],
        45,
        command="set returns.window.days 45",
        author="ana",
        message="api",
    )
    assert result.version.number == 2 and result.version.author == "ana"
    assert result.entry["old"] is None and result.entry["new"] == 45
    assert source.in_force().config["plugins"]["returns"]["rules"]["window"]["days"] == 45
    assert source.version(1).patch == [] and source.version(2).patch == [
        {"op": "add", "path": "/plugins/returns/rules", "value": {"window": {"days": 45}}}
    ]
    with pytest.raises(ConfigError, match=r"expected an integer in 0\.\.3650"):
        source.edit(["plugins", "returns", "rules", "window", "days"], -1, command="x", author="a")
    assert [v.number for v in source.history()] == [2, 1]
    assert source.fleet() == []
    ops = source.operators
    ops.set("ana", "hash-1")
    assert ops.get("ana") == "hash-1" and ops.names() == ["ana"] and ops.get("bo") is None
    ops.remove("ana")
    assert ops.names() == []
    assert "hash" not in repr(source)
    with pytest.raises(InputError, match="not a config file nor a PostgreSQL URL"):
        open_source("mysql://shop@db/shop")


def _edits(path: str, who: int, n: int) -> None:
    source = FileSource(Path(path))
    for i in range(n):
        source.edit(
            ["stores", f"s{who}", "seed", ""][:3],
            f"{who}-{i}",
            command=f"seed s{who} {i}",
            author=f"p{who}",
        )
        source.edit(
            ["plugins", "returns", "rules", "window", "days"] if who == 0 else ["seed"],
            i if who == 0 else f"seed-{i}",
            command=f"p{who} {i}",
            author=f"p{who}",
        )


def test_two_processes_editing_at_once_lose_nothing(config: Path) -> None:
    n = 100  # two edits each: 200 edits per process
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_edits, args=(str(config), who, n)) for who in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    data = json.loads(config.read_text())
    assert data["stores"] == {"s0": {"seed": f"0-{n - 1}"}, "s1": {"seed": f"1-{n - 1}"}}
    assert data["plugins"]["returns"]["rules"]["window"]["days"] == n - 1
    assert data["seed"] == f"seed-{n - 1}"
    versions = FileSource(config).history()
    assert len(versions) == 4 * n + 1
    assert [v.number for v in versions] == list(range(4 * n + 1, 0, -1))
    entries = audit(config)
    assert len(entries) == 4 * n
    assert [e["version"] for e in entries] == list(range(2, 4 * n + 2))
    by_number = {v.number: v for v in versions}
    for e in entries:
        assert by_number[e["version"]].config_version == e["config_version"]
    for who in (0, 1):
        mine = [e["command"] for e in entries if e["user"] == f"p{who}"]
        assert len(mine) == 2 * n
    assert not config.with_name("store.json.lock").exists()


KILLED_EDITOR = """
import sys
from pathlib import Path
from shoprules.configs import FileSource
source = FileSource(Path(sys.argv[1]))
i = 0
while True:
    i += 1
    source.edit(["seed"], f"s{i}", command="seed", author="k")
    print(i, flush=True)
"""


def test_kill_9_mid_edit_leaves_one_version_or_the_next(config: Path) -> None:
    for delay in (0.3, 0.55, 0.8):
        proc = subprocess.Popen(
            [sys.executable, "-c", KILLED_EDITOR, str(config)], stdout=subprocess.PIPE, text=True
        )
        assert proc.stdout is not None
        proc.stdout.readline()  # at least one edit done
        time.sleep(delay)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        proc.stdout.close()
        data = json.loads(config.read_text())  # whole, valid
        versions = FileSource(config).history()
        configs = [v.config for v in versions]
        assert data == configs[0]
        assert [v.number for v in versions] == list(range(len(versions), 0, -1))
        # the next edit works and lands as the next version
        after = FileSource(config).edit(["seed"], "after", command="seed", author="t")
        assert after.version.number == versions[0].number + 1


def test_evaluate_under_a_past_version(config: Path) -> None:
    assert run("disable", "returns", "--config", str(config)).returncode == 0
    event = EVENTS / "10-story-bereaved-return.json"
    now = run("evaluate", str(event), "--config", str(config), "--json")
    then = run("evaluate", str(event), "--config", str(config), "--version", "1", "--json")
    assert now.returncode == 0 and then.returncode == 0, then.stderr
    assert "return.approve" not in now.stdout
    assert "return.approve" in then.stdout
    assert json.loads(then.stdout)["config_version"] == history(config)[-1]["config_version"]
    out = run("evaluate", str(event), "--config", str(config), "--version", "3")
    assert out.returncode == 1 and "has no version 3" in out.stderr


def test_a_file_broken_by_hand_can_be_rolled_back(config: Path) -> None:
    assert run("set", "returns.window.days", "30", "--config", str(config)).returncode == 0
    data = json.loads(config.read_text())
    data["plugins"]["returns"]["rules"]["window"]["days"] = -5
    config.write_text(json.dumps(data))
    top = history(config)[0]
    assert (top["number"], top["config_version"], top["message"]) == (
        3,
        "invalid",
        "changed by hand",
    )
    out = run("rollback", "2", "--config", str(config), "-m", "undo the hand edit")
    assert out.returncode == 0, out.stderr
    assert json.loads(config.read_text())["plugins"]["returns"]["rules"]["window"]["days"] == 30
    assert [v["number"] for v in history(config)] == [4, 3, 2, 1]
