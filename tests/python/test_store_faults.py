"""The config store under faults: concurrent editors, an editor killed mid-edit, the server gone
while storefronts evaluate, a version one machine can't load, the least-privilege role."""

from __future__ import annotations

import itertools
import json
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest
from shoprules.configs import open_source
from test_cli import EVENTS, run
from test_config_store import BASE, new_store, wait_for

HERE = Path(__file__).resolve().parent
RETURN_EVENT = EVENTS / "10-story-bereaved-return.json"
_roles = itertools.count()


def _store_edits(url: str, who: int, n: int) -> None:
    source = open_source(url)
    for i in range(n):
        source.edit(["stores", f"s{who}", "seed"], f"{who}-{i}", command="seed", author=f"p{who}")
    source.close()


def test_two_processes_editing_a_store_at_once_lose_nothing(pg) -> None:
    url = new_store(pg)
    n = 200
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_store_edits, args=(url, who, n)) for who in (0, 1)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(180)
        assert p.exitcode == 0
    source = open_source(url)
    versions = source.history()
    assert [v.number for v in versions] == list(range(2 * n + 1, 0, -1))
    assert source.in_force().config["stores"] == {
        "s0": {"seed": f"0-{n - 1}"},
        "s1": {"seed": f"1-{n - 1}"},
    }
    for who in (0, 1):  # every edit of each process is a version of its own, in its order
        mine = [v for v in reversed(versions) if v.author == f"p{who}"]
        assert len(mine) == n
        assert [v.config["stores"][f"s{who}"]["seed"] for v in mine] == [
            f"{who}-{i}" for i in range(n)
        ]
        for v in mine:  # each is its parent plus exactly this process's one change
            parent = source.version(v.parent).config
            stores = {
                **parent.get("stores", {}),
                f"s{who}": {"seed": v.config["stores"][f"s{who}"]["seed"]},
            }
            assert v.config == {**parent, "stores": stores}
            assert len(v.patch) == 1
    source.close()


KILLED_EDITOR = """
import sys
from shoprules.configs import open_source
source = open_source(sys.argv[1])
i = 0
while True:
    i += 1
    source.edit(["seed"], f"s{i}", command="seed", author="k")
    print(i, flush=True)
"""


def test_kill_9_mid_edit_leaves_the_store_at_one_version_or_the_next(pg) -> None:
    url = new_store(pg)
    proc = subprocess.Popen(
        [sys.executable, "-c", KILLED_EDITOR, url], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    for _ in range(5):
        proc.stdout.readline()
    time.sleep(0.2)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    proc.stdout.close()
    source = open_source(url)
    versions = source.history()
    assert [v.number for v in versions] == list(range(len(versions), 0, -1))
    for v in versions[:-1]:  # whole versions only: each is its parent plus its one change
        parent = source.version(v.parent).config
        assert v.config == {**parent, "seed": v.config["seed"]}
    after = source.edit(["seed"], "after", command="seed", author="t").version
    assert after.number == versions[0].number + 1  # no lock left behind
    source.close()


def reader_role(pg, url: str) -> tuple[str, str]:
    """A storefront role with only what `shoprules store grant-reader` gives; its URL."""
    role = f"storefront{next(_roles)}_{os.getpid()}"
    pg.sql(f"CREATE ROLE {role} LOGIN")
    out = run("store", "grant-reader", role, "--config", url)
    assert out.returncode == 0, out.stderr
    return role, url.replace("shoprules_admin@", f"{role}@")


def test_the_storefront_role_reads_listens_and_beats_but_cannot_write(pg) -> None:
    import shoprules

    url = new_store(pg)
    _role, reader = reader_role(pg, url)
    host = shoprules.Host(config=reader, heartbeat_seconds=0.2, check_seconds=60)
    try:
        assert host.config_source["version"] == 1
        assert run("set", "returns.window.days", "30", "--config", url).returncode == 0
        wait_for(lambda: host.config_source["version"] == 2)  # read and LISTEN work
        (row,) = wait_for(lambda: open_source(url).fleet())
        assert row["version"] == 2  # its heartbeat landed
        out = run("set", "returns.window.days", "31", "--config", reader)
        assert out.returncode == 1 and "not allowed" in out.stderr
        assert len(out.stderr.strip().splitlines()) == 1
        with psycopg.connect(reader) as conn:
            for sql in (
                "INSERT INTO shoprules.versions SELECT * FROM shoprules.versions LIMIT 1",
                "UPDATE shoprules.versions SET message = 'x'",
                "DELETE FROM shoprules.versions",
                "INSERT INTO shoprules.configs (name) VALUES ('evil')",
                "SELECT * FROM shoprules.operators",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    conn.execute(sql)
                conn.rollback()
        with psycopg.connect(url) as admin:  # another process's row is out of its reach
            admin.execute(
                "INSERT INTO shoprules.processes (host, pid, config_name) VALUES ('x', 1, 'main')"
            )
        with psycopg.connect(reader) as conn:
            cur = conn.execute("UPDATE shoprules.processes SET last_error = 'x' WHERE host = 'x'")
            assert cur.rowcount == 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(
                    "INSERT INTO shoprules.processes (host, pid, config_name, db_user) "
                    "VALUES ('y', 2, 'main', 'shoprules_admin')"
                )
        assert [v.number for v in open_source(url).history()] == [2, 1]
    finally:
        host.close()


def start_storefronts(url: str, n: int, plugin_dirs: list[str] | None = None) -> list:
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(HERE / "store_storefront.py"),
                url,
                str(RETURN_EVENT),
                *(plugin_dirs or []),
            ],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(n)
    ]
    for p in procs:
        line = p.stdout.readline()
        assert "ready" in line, line
    return procs


def finish(procs: list) -> list[tuple[list[dict], dict]]:
    """Closes stdin of each storefront; its event lines and its summary."""
    results = []
    for p in procs:
        out, _ = p.communicate("", timeout=60)
        lines = [json.loads(x) for x in out.splitlines() if x.strip()]
        results.append((lines[:-1], lines[-1]))
    return results


def test_the_server_gone_while_storefronts_evaluate(pg) -> None:
    url = new_store(pg)
    role, reader = reader_role(pg, url)
    v1 = open_source(url).in_force().config_version
    procs = start_storefronts(reader, 4)
    try:
        pg.sql(f"ALTER ROLE {role} NOLOGIN")  # kept out after the restart, until let in
        pg.stop()
        time.sleep(0.5)
        pg.start()
        source = open_source(url)
        v2 = source.edit(["plugins", "returns", "enabled"], False, command="t", author="t")
        v3 = source.edit(["plugins", "returns", "enabled"], True, command="t", author="t")
        source.close()
        time.sleep(0.5)
        pg.sql(f"ALTER ROLE {role} LOGIN")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:  # all in fleet at version 3
            rows = open_source(url).fleet()
            if len(rows) == 4 and all(r["version"] == 3 for r in rows):
                break
            time.sleep(0.05)
    finally:
        results = finish(procs)
    assert v2.version.number == 2 and v3.version.number == 3
    for events, summary in results:
        assert summary["failures"] == 0, summary["errors"]
        assert summary["evaluations"] > 0
        loaded = [e["loaded"] for e in events if "loaded" in e]
        assert loaded == [2, 3]  # caught up to 3, and 2 was not skipped
        (reconnected,) = [e["reconnected"] for e in events if "reconnected" in e]
        at3 = next(e["t"] for e in events if e.get("loaded") == 3)
        assert 0 <= at3 - reconnected < 1.0
        # each evaluation saw one snapshot: what a version decided never mixes with another's
        seen = summary["seen"]
        assert seen.get(v1, [True]) == [True]
        assert seen.get(v2.version.config_version, [False]) == [False]  # 2 may be brief
        assert seen[v3.version.config_version] == [True]
        assert set(seen) <= {v1, v2.version.config_version, v3.version.config_version}
        assert summary["version"] == 3


def test_a_version_one_process_cannot_load(pg, test_plugins: Path) -> None:
    import shoprules

    url = new_store(pg)
    testkit = str(test_plugins / "testkit")
    without = start_storefronts(url, 1)
    host = shoprules.Host(config=url, plugin_dirs=[testkit], check_seconds=60)
    try:
        source = open_source(url, plugin_dirs=[testkit])
        config = {**BASE, "plugins": {**BASE["plugins"], "testkit": {"enabled": True}}}
        source.push(config, author="t", message="needs testkit")
        source.close()
        wait_for(lambda: host.config_source["version"] == 2)
        assert host.last_reload_error is None

        def refused() -> list:
            rows = open_source(url).fleet()
            return [r for r in rows if r["pid"] == without[0].pid and r["last_error"]]

        (row,) = wait_for(refused)
        assert row["version"] == 1 and "testkit" in row["last_error"]
        assert "version 2" in row["last_error"]
        out = run("fleet", "--config", url)
        assert "testkit" in out.stdout
    finally:
        host.close()
        ((events, summary),) = finish(without)
    assert summary["version"] == 1 and summary["failures"] == 0
    assert "testkit" in summary["last_reload_error"]
    assert [e["refused"] for e in events if "refused" in e] == [2]


def test_a_host_without_heartbeat_rights_still_follows(pg, caplog) -> None:
    import logging

    import shoprules

    caplog.set_level(logging.INFO, logger="shoprules")

    url = new_store(pg)
    role = f"readonly{next(_roles)}_{os.getpid()}"
    pg.sql(f"CREATE ROLE {role} LOGIN")
    db = url.split("@/", 1)[1].split("?", 1)[0]
    pg.sql(f"GRANT USAGE ON SCHEMA shoprules TO {role}", db)
    pg.sql(f"GRANT SELECT ON shoprules.configs, shoprules.versions TO {role}", db)
    host = shoprules.Host(
        config=url.replace("shoprules_admin@", f"{role}@"),
        heartbeat_seconds=0.2,
        check_seconds=60,
    )
    try:
        assert run("set", "returns.window.days", "30", "--config", url).returncode == 0
        wait_for(lambda: host.config_source["version"] == 2)
        time.sleep(1.5)  # several heartbeats' time
        assert host.config_source["connected"]
        assert open_source(url).fleet() == []
        errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
        assert len(errors) == 1 and "heartbeat refused" in errors[0]  # said once, no reconnects
    finally:
        host.close()
