"""Helpers for the console tests: a temporary config with operators, event logs, and the
console started as `shoprules console` on a free local port."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "events"
PASSWORD = "correct horse battery staple"
CONFIG = {
    "store": "default",
    "seed": "2026-q4",
    "plugins": {
        "returns": {
            "enabled": True,
            "order": 20,
            "rules": {
                "window": {"enabled": True, "days": 365},
                "free_return_shipping": {"enabled": True},
                "store_credit_bonus": {"percent": 10},
            },
        }
    },
    "stores": {"outlet": {"plugins": {"returns": {"rules": {"window": {"days": 30}}}}}},
}


def cli(*args: str, stdin: str = "", cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "shoprules", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=60,
    )


def make_config(folder: Path, operators: tuple[str, ...] = ("alice",)) -> Path:
    """store.json with the operators (as `shoprules operators add` keeps them)."""
    from shoprules.configs import open_source
    from shoprules.console.auth import hash_password

    folder.mkdir(parents=True, exist_ok=True)
    config = folder / "store.json"
    config.write_text(json.dumps(CONFIG, indent=2) + "\n")
    source = open_source(config)
    for name in operators:
        source.operators.set(name, hash_password(PASSWORD))
    source.close()
    return config


SEASON_REPEATS = 20


def season_events() -> int:
    """How many events make_logs writes to season.jsonl: every sample event, 20 times."""
    return SEASON_REPEATS * len(list(EVENTS.glob("*.json")))


def make_logs(folder: Path) -> Path:
    """A folder with one event log: every sample event, returns repeated so money differs."""
    folder.mkdir(parents=True, exist_ok=True)
    events = [json.loads(p.read_text()) for p in sorted(EVENTS.glob("*.json"))]
    lines = []
    for i in range(SEASON_REPEATS):
        for e in events:
            lines.append(json.dumps({**e, "id": f"{e['id']}-{i}"}))
    (folder / "season.jsonl").write_text("\n".join(lines) + "\n")
    (folder / "notes.txt").write_text("not a log\n")
    return folder


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    config: Path | str
    output: list[str]
    reader: threading.Thread

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=10)
        assert self.process.stdout is not None
        self.process.stdout.close()


def start_console(config: Path | str, *extra: str) -> Server:
    """`shoprules console --bind 127.0.0.1:0` on a config file (run in its folder, so pages
    name it `store.json`) or a store URL; its first line says where it listens."""
    where = config if isinstance(config, str) else config.name
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "shoprules",
            "console",
            "--config",
            where,
            "--bind",
            "127.0.0.1:0",
            *extra,
        ],
        cwd=None if isinstance(config, str) else config.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    match = re.search(r"listening on (http://127\.0\.0\.1:\d+)/", first)
    if not match:
        process.kill()
        rest = process.stdout.read()
        process.wait()
        process.stdout.close()
        raise AssertionError(f"the console did not start: {first}{rest}")
    output = [first]

    def drain() -> None:  # keep the pipe from filling up
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    return Server(match.group(1), process, config, output, reader)


def plugin_folder(name: str) -> Path:
    root = Path(os.environ.get("SHOPRULES_TEST_PLUGIN_DIR", ROOT / "build" / "py" / "test_plugins"))
    path = (root / name).resolve()
    assert (path / f"{name}.so").exists(), f"test plugin {name} not built in {root}"
    return path


@contextmanager
def signed_in_client(tmp_path: Path) -> Iterator:
    """A test client of a console on a temporary config, signed in as alice; `.csrf` is the
    session's token and `.config` the config file."""
    from shoprules.configs import open_source
    from shoprules.console.app import Console, create_app
    from starlette.testclient import TestClient

    config = make_config(tmp_path)
    logs = make_logs(tmp_path / "logs")
    console = Console(open_source(config), events_dir=logs, threads=1)
    with TestClient(create_app(console), follow_redirects=False) as c:
        page = c.get("/signin").text
        token = re.search(r'name="csrf" value="([^"]+)"', page).group(1)
        c.post("/signin", data={"csrf": token, "name": "alice", "password": PASSWORD})
        c.csrf = re.search(r'name="csrf" value="([^"]+)"', c.get("/whatif").text).group(1)
        c.config = config
        yield c
