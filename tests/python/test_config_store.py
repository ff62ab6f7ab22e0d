"""The PostgreSQL config store (SPEC section 7), against a server the tests start themselves
(pgserver.py): schema, versions, commands, hosts following the store, scheduled versions,
bad input, the read-only storefront role."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path

import psycopg
import pytest
import shoprules
from pgserver import PASSWORD, PASSWORD_USER
from shoprules.configs import InputError, open_source
from test_cli import EVENTS, run

_dbs = itertools.count()

BASE = {"seed": "store", "plugins": {"returns": {"order": 20}}}


def wait_for(what: Callable[[], object], seconds: float = 10.0) -> object:
    """Polls until `what()` is true; a bound, not a timing: fails after `seconds`."""
    deadline = time.monotonic() + seconds
    while True:
        got = what()
        if got:
            return got
        if time.monotonic() > deadline:
            raise AssertionError(f"not reached within {seconds} s")
        time.sleep(0.01)


def new_store(pg, *, init: bool = True, config: dict | None = BASE) -> str:
    name = f"shop{next(_dbs)}_{os.getpid()}"
    url = pg.createdb(name)
    if init:
        out = run("store", "init", "--config", url)
        assert out.returncode == 0, out.stderr
    if config is not None:
        source = open_source(url)
        source.push(config, author="setup", message="first")
        source.close()
    return url


@pytest.fixture
def store(pg) -> str:
    return new_store(pg)


def versions(url: str, name: str = "main") -> list[dict]:
    out = run("history", "--config", url, "--config-name", name, "--json")
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_init_is_idempotent_and_numbers_its_schema(pg) -> None:
    url = new_store(pg, config=None)
    out = run("store", "init", "--config", url)
    assert out.returncode == 0, out.stderr
    assert "schema version 1" in out.stdout
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT version FROM shoprules.schema_version").fetchall() == [(1,)]
        tables = {
            r[0]
            for r in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema='shoprules'"
            )
        }
    assert {"configs", "versions", "processes", "operators", "schema_version"} <= tables


def test_push_history_export_diff_rollback(store: str, tmp_path: Path) -> None:
    assert (
        run("set", "returns.window.days", "30", "--config", store, "-m", "longer").returncode == 0
    )
    assert run("disable", "delight", "--config", store).returncode == 0
    vs = versions(store)
    assert [v["number"] for v in vs] == [3, 2, 1]
    assert [v["parent"] for v in vs] == [2, 1, None]
    assert vs[1]["message"] == "longer" and vs[0]["in_force"] and not vs[1]["in_force"]
    assert all(v["author"] for v in vs)
    patch = json.loads(run("diff", "1", "--config", store, "--json").stdout)
    assert {"op": "add", "path": "/plugins/delight", "value": {"enabled": False}} in patch
    exported = json.loads(run("export", "--config", store, "--version", "1").stdout)
    assert exported == BASE
    out = run("rollback", "1", "--config", store, "-m", "undo")
    assert out.returncode == 0, out.stderr
    assert "version 4" in out.stdout
    assert json.loads(run("export", "--config", store).stdout) == BASE
    assert versions(store)[0]["config_version"] == vs[-1]["config_version"]
    with psycopg.connect(store) as conn:  # the patch stored with each version
        (patch2,) = conn.execute("SELECT patch FROM shoprules.versions WHERE number = 2").fetchone()
        assert patch2 == [
            {"op": "add", "path": "/plugins/returns/rules", "value": {"window": {"days": 30}}}
        ]
        with pytest.raises(psycopg.errors.RaiseException, match="immutable"):
            conn.execute("UPDATE shoprules.versions SET message = 'x'")
    table = run("history", "--config", store).stdout
    assert "undo" in table and "in force" in table
    # a file pushed, under another name
    f = tmp_path / "staging.json"
    f.write_text(json.dumps({"seed": "staging"}))
    out = run("push", str(f), "--config", store, "--config-name", "staging")
    assert out.returncode == 0, out.stderr
    assert "version 1 made" in out.stdout and "in force at" not in out.stdout  # now, not later
    made = open_source(store, "staging").push({"seed": "again"}, author="t")
    assert made.in_force and not made.scheduled and made.effective_at == made.made_at
    assert [v["number"] for v in versions(store, "staging")] == [2, 1]
    assert len(versions(store)) == 4


def test_the_url_may_come_from_the_environment(store: str) -> None:
    env = {**os.environ, "SHOPRULES_CONFIG": store}
    import subprocess

    from test_cli import script

    out = subprocess.run([script(), "history", "--json"], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)) == 1


def test_a_password_never_shows(pg, store: str) -> None:
    db = store.split("@/", 1)[1].split("?", 1)[0]
    pg.sql(f"GRANT ALL ON SCHEMA shoprules TO {PASSWORD_USER}", db)
    pg.sql(f"GRANT ALL ON ALL TABLES IN SCHEMA shoprules TO {PASSWORD_USER}", db)
    good = pg.url(db, user=PASSWORD_USER, password=PASSWORD)
    out = run("history", "--config", good)
    assert out.returncode == 0, out.stderr
    assert PASSWORD not in out.stdout + out.stderr
    bad = pg.url(db, user=PASSWORD_USER, password="wrong-" + PASSWORD)
    out = run("history", "--config", bad)
    assert out.returncode == 1
    assert "password authentication failed" in out.stderr
    assert PASSWORD not in out.stderr and "wrong-" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    host = shoprules.Host(config=good)
    try:
        assert PASSWORD not in json.dumps(host.config_source)
        assert host.config_source["url"].startswith(f"postgresql://{PASSWORD_USER}@/")
        assert PASSWORD not in repr(open_source(good)) and PASSWORD not in open_source(good).label
    finally:
        host.close()
    with pytest.raises(shoprules.ConfigError) as error:
        shoprules.Host(config=bad)
    assert PASSWORD not in str(error.value) and "wrong-" not in str(error.value)
    # from libpq's environment instead of the URL: nothing secret in argv at all
    env = {**os.environ, "PGPASSWORD": PASSWORD}
    import subprocess

    from test_cli import script

    out = subprocess.run(
        [script(), "history", "--config", pg.url(db, user=PASSWORD_USER)],
        capture_output=True,
        text=True,
        env=env,
    )
    assert out.returncode == 0, out.stderr


@pytest.mark.parametrize(
    ("case", "message"),
    [
        ("mysql", "not a config file nor a PostgreSQL URL"),
        ("missing database", 'database "no_such_db" does not exist'),
        ("no store", "no config store here yet: run shoprules store init"),
        ("unknown name", "no config named 'prod' (configs: main)"),
        ("unknown version", "has no version 7 (versions 1..1)"),
        ("past", "that time is in the past"),
        ("unparsable", "not an ISO-8601 time"),
        ("rejected", "expected an integer in 0..3650"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(pg, store: str, case: str, message) -> None:
    url = store
    args = ["set", "returns.window.days", "30"]
    extra: list[str] = []
    if case == "mysql":
        url = "mysql://shop@db/shop"
    elif case == "missing database":
        url = pg.url("no_such_db")
    elif case == "no store":
        url = new_store(pg, init=False, config=None)
    elif case == "unknown name":
        extra = ["--config-name", "prod"]
    elif case == "unknown version":
        args = ["rollback", "7"]
    elif case == "past":
        extra = ["--at", "2020-01-01T00:00:00Z"]
    elif case == "unparsable":
        extra = ["--at", "tomorrow-ish"]
    elif case == "rejected":
        args = ["set", "returns.window.days", "-3"]
    out = run(*args, "--config", url, *extra)
    assert out.returncode == 1, out.stdout
    (line,) = out.stderr.strip().splitlines()
    assert message in line
    assert [v["number"] for v in versions(store)] == [1]


def test_unknown_version_for_export_evaluate_and_diff(store: str) -> None:
    event = str(EVENTS / "10-story-bereaved-return.json")
    for args in (
        ["export", "--version", "9"],
        ["evaluate", event, "--version", "9"],
        ["diff", "1", "9"],
        ["simulate", event, "--version", "1", "--against-version", "9"],
    ):
        out = run(*args, "--config", store)
        assert out.returncode == 1, args
        assert "has no version 9" in out.stderr


def test_evaluate_and_simulate_under_versions(store: str, tmp_path: Path) -> None:
    assert run("disable", "returns", "--config", store).returncode == 0
    event = EVENTS / "10-story-bereaved-return.json"
    now = json.loads(run("evaluate", str(event), "--config", store, "--json").stdout)
    then = json.loads(
        run("evaluate", str(event), "--config", store, "--version", "1", "--json").stdout
    )
    assert not any(a["type"] == "return.approve" for a in now["actions"])
    assert any(a["type"] == "return.approve" for a in then["actions"])
    vs = versions(store)
    assert (now["config_version"], then["config_version"]) == (
        vs[0]["config_version"],
        vs[1]["config_version"],
    )
    log = tmp_path / "events.jsonl"
    log.write_text(event.read_text().replace("\n", " ") + "\n")
    out = run(
        "simulate",
        str(log),
        "--config",
        store,
        "--version",
        "1",
        "--against-version",
        "2",
        "--json",
    )
    assert out.returncode == 0, out.stderr
    result = json.loads(out.stdout)
    assert result != {}


def test_a_host_follows_the_store(store: str, tmp_path: Path) -> None:
    host = shoprules.Host(config=store, check_seconds=60)
    try:
        first = host.config_version
        assert host.config_source == {
            "kind": "store",
            "url": host.config_source["url"],
            "config_name": "main",
            "version": 1,
            "connected": True,
        }
        assert run("set", "returns.window.days", "30", "--config", store).returncode == 0
        wait_for(lambda: host.config_source["version"] == 2)
        assert host.config_version == versions(store)[0]["config_version"] != first
        rules = next(p for p in host.plugins() if p["name"] == "returns")["rules"]
        assert next(r for r in rules if r["id"] == "window")["params"]["days"] == 30
        rows = wait_for(lambda: open_source(store).fleet())
        (row,) = rows
        assert row["version"] == 2 and row["pid"] == os.getpid() and not row["stale"]
        assert any(p.startswith("returns@") for p in row["plugins"])
        out = run("fleet", "--config", store)
        assert out.returncode == 0
        (line,) = [x for x in out.stdout.splitlines() if str(os.getpid()) in x.split()]
        assert line.split()[6] == "ok"
    finally:
        host.close()
    assert open_source(store).fleet() == []  # a closed host leaves the fleet


def test_fleet_marks_stale_processes(store: str) -> None:
    with psycopg.connect(store) as conn:
        conn.execute(
            "INSERT INTO shoprules.processes (host, pid, config_name, version, last_seen) "
            "VALUES ('gone', 42, 'main', 1, now() - interval '1 hour')"
        )
    (row,) = open_source(store).fleet()
    assert row["stale"] and row["host"] == "gone"
    assert "STALE" in run("fleet", "--config", store).stdout


def test_a_scheduled_version_takes_effect_at_its_time(store: str, tmp_path: Path) -> None:
    host = shoprules.Host(config=store, check_seconds=60)
    try:
        at = datetime.now(timezone.utc) + timedelta(seconds=6)
        out = run("disable", "delight", "--config", store, "--at", at.isoformat(), "-m", "at six")
        assert out.returncode == 0, out.stderr
        assert "in force at" in out.stdout
        source = open_source(store)
        top = source.history()[0]
        assert top.scheduled and not top.in_force and top.number == 2
        assert abs((top.effective_at - at).total_seconds()) < 0.001
        assert host.config_source["version"] == 1
        # a later edit comes after the scheduled one, never before it
        later = source.edit(["seed"], "later", command="seed", author="t").version
        assert later.scheduled and later.effective_at == top.effective_at
        wait_for(lambda: host.config_source["version"] == 3, 20)
        assert datetime.now(timezone.utc) >= at
        assert source.in_force().number == 3
        source.close()
    finally:
        host.close()


def test_a_process_down_at_the_time_starts_on_the_scheduled_version(store: str) -> None:
    at = datetime.now(timezone.utc) + timedelta(seconds=1)
    source = open_source(store)
    v = source.rollback(1, author="t", at=at)
    assert v.scheduled and v.number == 2
    with pytest.raises(InputError, match="in the past"):
        source.push(BASE, author="t", at=datetime.now(timezone.utc) - timedelta(seconds=1))
    time.sleep(max((at - datetime.now(timezone.utc)).total_seconds(), 0) + 0.1)
    host = shoprules.Host(config=store, follow=False)
    assert host.config_source["version"] == 2
    assert source.in_force().number == 2


def test_the_cache_when_the_store_is_away(store: str, tmp_path: Path) -> None:
    cache = tmp_path / "cache" / "main.json"
    host = shoprules.Host(config=store, cache_path=cache, follow=False)
    assert json.loads(cache.read_text())["number"] == 1  # written when read, followed or not
    assert (cache.stat().st_mode & 0o777) == 0o600
    host2 = shoprules.Host(config=store, cache_path=cache, check_seconds=60)
    assert run("set", "returns.window.days", "30", "--config", store).returncode == 0
    wait_for(lambda: json.loads(cache.read_text())["number"] == 2)
    host2.close()
    del host
    # the same store, unreachable now (its socket folder named wrongly)
    away = store.replace("host=/", "host=/nonexistent/")
    cached = json.loads(cache.read_text())
    cached["url"] = cached["url"].replace("host=/", "host=/nonexistent/")
    moved = tmp_path / "moved.json"
    moved.write_text(json.dumps(cached))
    started = shoprules.Host(config=away, cache_path=moved, follow=False)
    assert started.config_source["version"] == 2
    assert started.config_version == cached["config_version"]
    with pytest.raises(shoprules.ConfigError, match="cannot connect"):
        shoprules.Host(config=away, follow=False)
    with pytest.raises(shoprules.ConfigError, match="no cache at"):
        shoprules.Host(config=away, cache_path=tmp_path / "none.json", follow=False)


def test_the_storefront_example_runs_on_a_store(store: str, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.syspath_prepend(str(Path(__file__).resolve().parents[2] / "examples/storefront"))
    monkeypatch.setenv("SHOPRULES_CONFIG", store)
    from fastapi.testclient import TestClient
    from storefront import create_app

    app = create_app(str(tmp_path / "shop.db"))
    host = app.state.host
    try:
        assert host.config_source["version"] == 1
        with TestClient(app) as client:
            assert client.post("/customers", json={"id": "c", "name": "c"}).status_code == 201

            def points(order_id: str) -> int:
                body = {
                    "customer_id": "c",
                    "order_id": order_id,
                    "lines": [{"sku": f"S-{order_id}", "price": 4995}],
                    "at": "2026-11-01T10:00:00Z",
                }
                r = client.post("/checkout", json=body)
                assert r.status_code == 200, r.text
                (award,) = [a for a in r.json()["actions"] if a["type"] == "points.award"]
                return award["params"]["points"]

            assert points("o-1") == 49
            assert run("set", "loyalty.points.per_unit", "2", "--config", store).returncode == 0
            wait_for(lambda: host.config_source["version"] == 2)
            assert points("o-2") == 98
    finally:
        host.close()


def test_the_operator_page_shows_the_sql_grant_reader_runs() -> None:
    from shoprules.pgstore import reader_sql

    page = (Path(__file__).resolve().parents[2] / "docs" / "operator.md").read_text()
    block = page.split("```sql\n", 1)[1].split("```", 1)[0]
    shown = [line.split(";")[0] for line in block.splitlines()]
    assert shown == [s.replace('"storefront"', "storefront") for s in reader_sql("storefront")]


def test_import_shoprules_needs_no_psycopg_and_a_store_without_it_says_so(store: str) -> None:
    import subprocess
    import sys

    code = (
        "import sys, shoprules; shoprules.Host().evaluate; "
        "import shoprules.configs, shoprules.cli; print('psycopg' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "False", out.stderr
    code = (
        "import sys; sys.modules['psycopg'] = None\n"
        "import shoprules\n"
        "try:\n"
        f"    shoprules.Host(config={store!r})\n"
        "except shoprules.ConfigError as e:\n"
        "    print(e)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "pip install 'shoprules[postgres]'" in out.stdout, out.stderr


def test_validate_a_store_names_it_without_password(pg, store: str) -> None:
    out = run("validate", store)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(store.split("?")[0]) and "valid (config_version" in out.stdout
