"""`shoprules console` and `shoprules operators add/remove/list`."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
import os
import re
import socket
import sys
from typing import Any

from ..cli import thread_count
from ..config_edit import InputError
from .auth import hash_password

NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
DEFAULT_BIND = "127.0.0.1:8470"


def _source(args: argparse.Namespace) -> Any:
    from ..configs import open_source

    return open_source(args.config, config_name=args.config_name, plugin_dirs=args.plugin_dir)


def _check_name(name: str) -> str:
    if not NAME.match(name):
        raise InputError(
            f"operator name {name!r}: use 1-64 letters, digits, '.', '_', '@' or '-', "
            "starting with a letter or digit"
        )
    return name


def read_password(prompt: str = "Password: ") -> str:
    """From the terminal (asked twice, not echoed), or the first line of standard input."""
    if sys.stdin.isatty():
        first = getpass.getpass(prompt)
        if getpass.getpass("Again: ") != first:
            raise InputError("the two passwords differ; nothing changed")
        password = first
    else:
        password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise InputError("the password is empty; nothing changed")
    if len(password) > 1024:
        raise InputError("the password is longer than 1,024 characters; nothing changed")
    return password


def cmd_operators(args: argparse.Namespace) -> int:
    source = _source(args)
    try:
        operators = source.operators
        if args.action == "list":
            for name in operators.names():
                print(name)
            return 0
        name = _check_name(args.name)
        if args.action == "add":
            existed = operators.get(name) is not None
            operators.set(name, hash_password(read_password(f"Password for {name}: ")))
            print(f"{source.label}: operator {name} {'password changed' if existed else 'added'}")
        else:
            if operators.get(name) is None:
                raise InputError(f"{source.label}: no operator named {name}")
            operators.remove(name)
            print(f"{source.label}: operator {name} removed")
        return 0
    finally:
        source.close()


def parse_bind(text: str) -> tuple[str, int]:
    """HOST:PORT, [IPv6]:PORT; a one-line error otherwise."""
    match = re.fullmatch(r"\[(?P<v6>[^\]]+)\]:(?P<p1>\d+)|(?P<host>[^:\[\]]+):(?P<p2>\d+)", text)
    if not match:
        raise InputError(f"--bind {text}: expected HOST:PORT, like {DEFAULT_BIND}")
    host = match.group("v6") or match.group("host")
    port = int(match.group("p1") or match.group("p2"))
    if port > 65535:
        raise InputError(f"--bind {text}: port {port} is out of range")
    return host, port


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def cmd_console(args: argparse.Namespace) -> int:
    host, port = parse_bind(args.bind)
    if args.session_hours <= 0:
        raise InputError("--session-hours must be positive")
    if args.events_dir is not None:
        from pathlib import Path

        if not Path(args.events_dir).is_dir():
            raise InputError(f"--events-dir {args.events_dir}: no such folder")
    try:
        import jinja2  # noqa: F401
        import starlette  # noqa: F401
        import uvicorn
    except ImportError as error:
        raise InputError(
            f"shoprules console needs the console extra ({error.name} is missing): "
            "pip install 'shoprules[console]'"
        ) from None
    from .app import Console, create_app

    source = _source(args)
    console = Console(
        source,
        plugin_dirs=args.plugin_dir,
        events_dir=args.events_dir,
        session_seconds=args.session_hours * 3600,
        secure_cookies=args.secure_cookies,
        threads=args.threads,
    )
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as error:
        sock.close()
        raise InputError(f"--bind {args.bind}: cannot listen there: {error.strerror}") from None
    sock.listen(128)
    bound_port = sock.getsockname()[1]
    shown = f"[{host}]" if family == socket.AF_INET6 else host
    print(f"shoprules console for {source.label}: listening on http://{shown}:{bound_port}/")
    if not _is_loopback(host):
        print(
            "shoprules console: not a loopback address: anyone who can reach it sees the "
            "sign-in page; serve it through a reverse proxy with TLS (see docs/operator.md)"
        )
    sys.stdout.flush()
    config = uvicorn.Config(
        create_app(console),
        log_level="warning",
        access_log=False,
        proxy_headers=False,
        server_header=False,
    )
    server = uvicorn.Server(config)
    try:
        server.run(sockets=[sock])
    finally:
        sock.close()
        source.close()
    return 0


def add_parsers(sub: Any) -> None:
    """The `console` and `operators` commands, on the CLI's subparsers."""

    env_config = os.environ.get("SHOPRULES_CONFIG") or None

    def config_options(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--config",
            required=env_config is None,
            default=env_config,
            metavar="C",
            help="the config: a JSON file, or a store URL postgresql://... "
            "(default: $SHOPRULES_CONFIG)",
        )
        p.add_argument(
            "--config-name",
            default="main",
            metavar="N",
            help="which config of a store (default: main)",
        )
        p.add_argument(
            "--plugin-dir",
            action="append",
            metavar="D",
            help="another folder of plugins (repeatable)",
        )

    p = sub.add_parser(
        "console",
        help="serve the operator console (web pages: rules, history, what-if, replay, fleet)",
        description="Serves the operator console. Operators sign in with a name and password "
        "that `shoprules operators add` keeps; every change is a new version under their name.",
    )
    config_options(p)
    p.add_argument(
        "--bind",
        default=DEFAULT_BIND,
        metavar="HOST:PORT",
        help=f"where to listen (default {DEFAULT_BIND}: this machine only; port 0: any free one)",
    )
    p.add_argument(
        "--events-dir",
        metavar="D",
        help="a folder of event logs (.jsonl, .jsonl.gz, .parquet) the what-if page may read "
        "(the replay page: the .jsonl ones)",
    )
    p.add_argument(
        "--session-hours",
        type=float,
        default=8.0,
        metavar="H",
        help="sign-ins last this long (default 8)",
    )
    p.add_argument(
        "--secure-cookies",
        action="store_true",
        help="mark cookies Secure: set it when a TLS reverse proxy serves the console",
    )
    p.add_argument(
        "--threads",
        type=thread_count,
        default=0,
        metavar="N",
        help="what-if worker threads (0: all)",
    )
    p.set_defaults(func=cmd_console)

    p = sub.add_parser("operators", help="add, remove or list the console's operators")
    ops = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    for action, what in (
        ("add", "add an operator, or change a password (read from the terminal, or stdin)"),
        ("remove", "remove an operator"),
        ("list", "list the operators' names"),
    ):
        q = ops.add_parser(action, help=what)
        if action != "list":
            q.add_argument("name", metavar="NAME")
        config_options(q)
        q.set_defaults(func=cmd_operators)
