"""`shoprules operators` and `shoprules console` on the command line: passwords from stdin or a
terminal, kept hashed beside the config; the console listens on 127.0.0.1 unless told, and
says where."""

from __future__ import annotations

import json
import stat
import urllib.request
from pathlib import Path

import pytest
from console_support import CONFIG, PASSWORD, cli, start_console
from shoprules.cli import build_parser
from shoprules.configs import open_source
from shoprules.console.auth import verify_password


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "store.json"
    path.write_text(json.dumps(CONFIG))
    return path


def test_add_list_and_remove_operators(config: Path) -> None:
    r = cli("operators", "add", "alice", "--config", str(config), stdin=PASSWORD + "\n")
    assert r.returncode == 0, r.stderr
    assert "operator alice added" in r.stdout
    assert PASSWORD not in r.stdout + r.stderr
    stored = open_source(config).operators.get("alice")
    assert verify_password(PASSWORD, stored)
    kept = config.with_name("store.json.operators.json")
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert PASSWORD not in kept.read_text()
    r = cli("operators", "add", "alice", "--config", str(config), stdin="another one\n")
    assert "password changed" in r.stdout
    assert verify_password("another one", open_source(config).operators.get("alice"))
    cli("operators", "add", "bob", "--config", str(config), stdin="b\n")
    assert cli("operators", "list", "--config", str(config)).stdout.split() == ["alice", "bob"]
    r = cli("operators", "remove", "bob", "--config", str(config))
    assert r.returncode == 0 and "operator bob removed" in r.stdout
    assert open_source(config).operators.names() == ["alice"]


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["add", "alice"], "\n", "the password is empty"),
        (["add", "al ice"], "pw\n", "operator name 'al ice'"),
        (["add", "<b>"], "pw\n", "operator name '<b>'"),
        (["remove", "nobody"], "", "no operator named nobody"),
    ],
)
def test_bad_operator_commands_say_why_and_change_nothing(
    config: Path, args: list[str], stdin: str, message: str
) -> None:
    r = cli("operators", *args, "--config", str(config), stdin=stdin)
    assert r.returncode == 1
    assert message in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert not config.with_name("store.json.operators.json").exists()


def test_console_listens_on_loopback_unless_told() -> None:
    args = build_parser().parse_args(["console", "--config", "store.json"])
    assert args.bind == "127.0.0.1:8470"
    assert "--bind" in cli("console", "--help").stdout


def test_console_says_where_it_listens_and_serves_the_sign_in_page(config: Path) -> None:
    cli("operators", "add", "alice", "--config", str(config), stdin=PASSWORD + "\n")
    server = start_console(config)
    try:
        assert server.output[0].startswith("shoprules console for store.json: listening on ")
        with urllib.request.urlopen(server.url + "/signin") as page:
            assert page.status == 200 and b"Sign in" in page.read()
    finally:
        server.stop()


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--bind", "localhost"], "expected HOST:PORT"),
        (["--bind", "127.0.0.1:99999"], "out of range"),
        (["--events-dir", "no-such-folder"], "no such folder"),
    ],
)
def test_console_refuses_bad_options(config: Path, extra: list[str], message: str) -> None:
    r = cli("console", "--config", str(config), *extra)
    assert r.returncode == 1 and message in r.stderr


def test_console_refuses_a_port_in_use(config: Path) -> None:
    server = start_console(config)
    try:
        port = server.url.rsplit(":", 1)[1]
        r = cli("console", "--config", str(config), "--bind", f"127.0.0.1:{port}")
        assert r.returncode == 1 and "cannot listen there" in r.stderr
    finally:
        server.stop()


def test_the_console_files_are_installed_with_the_package() -> None:
    import shoprules.console

    folder = Path(shoprules.console.__file__).parent
    assert (folder / "templates" / "rules.html").is_file()
    assert (folder / "static" / "console.js").is_file()
    assert "site-packages" in folder.parts  # the installed package, not this checkout


def test_the_config_may_come_from_the_environment(config: Path, monkeypatch) -> None:
    monkeypatch.setenv("SHOPRULES_CONFIG", str(config))
    assert build_parser().parse_args(["console"]).config == str(config)
    assert build_parser().parse_args(["operators", "list"]).config == str(config)
    monkeypatch.delenv("SHOPRULES_CONFIG")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["operators", "list"])
