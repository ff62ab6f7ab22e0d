"""The shoprules command for store operators: list, inspect, validate, edit, evaluate."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__, _core, cmake_dir, eventlog, report
from .config_edit import InputError, _user, audit_log_path, read_json
from .configs import is_store_url, open_source, parse_at, read_config_file
from .host import Host

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_INTERRUPTED = 130  # as a shell reports a command ended by Ctrl-C (128 + SIGINT)


class UsageError(Exception):
    """The command line is well-formed but asks for something that does not fit."""


def _whole_number(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None


def minor_units(text: str) -> int:
    """A cost in minor units: a whole number, 0 or more, else a usage error."""
    n = _whole_number(text)
    if n < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more minor units, got {n}")
    return n


def thread_count(text: str) -> int:
    """A --threads value: 0 (one per core) to the host's most, else a usage error."""
    n = _whole_number(text)
    if not 0 <= n <= _core.MAX_THREADS:
        raise argparse.ArgumentTypeError(f"expected 0 (every core) to {_core.MAX_THREADS}, got {n}")
    return n


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _params_text(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={json.dumps(v)}" for k, v in params.items())


def _host(args: argparse.Namespace) -> Host:
    if getattr(args, "version", None) is not None:
        return Host(config=_source(args).version(args.version).config, plugin_dirs=args.plugin_dir)
    if is_store_url(args.config):
        return Host(
            config=args.config,
            plugin_dirs=args.plugin_dir,
            config_name=args.config_name,
            follow=False,
        )
    return Host(config=args.config, plugin_dirs=args.plugin_dir)


def _source(args: argparse.Namespace) -> Any:
    if not args.config:
        raise UsageError("--config is required (or SHOPRULES_CONFIG in the environment)")
    return open_source(args.config, getattr(args, "config_name", "main"), args.plugin_dir)


def cmd_plugins(args: argparse.Namespace) -> int:
    try:
        plugins = _host(args).plugins(store=args.store)
    except ValueError as error:  # an unknown store
        raise InputError(str(error)) from None
    if args.json:
        print(json.dumps(plugins, indent=2))
        return EXIT_OK
    rows = []
    for p in plugins:
        for r in p["rules"]:
            on = "on" if r["enabled"] and p["enabled"] else "off"
            rows.append([p["name"], p["version"], r["id"], on, _params_text(r["params"])])
    print(_table(rows, ["PLUGIN", "VERSION", "RULE", "STATE", "PARAMS"]))
    return EXIT_OK


def cmd_inspect(args: argparse.Namespace) -> int:
    info = _core.inspect_plugin(Path(args.plugin))
    if args.json:
        print(json.dumps(info, indent=2))
        return EXIT_OK
    print(f"{info['name']} {info['version']} ({info['kind']}): {info['description']}")
    print(f"file: {info['file']}")
    print(f"abi:  {info['abi']}")
    for r in info["rules"]:
        flags = [] if r["enabled_by_default"] else ["off by default"]
        if r["phase"] == "review":
            flags.append("review phase")
        if r["events"] != "any":
            flags.append("on " + ", ".join(r["events"]))
        print(f"\n  {r['id']}{' (' + ', '.join(flags) + ')' if flags else ''}: {r['description']}")
        for name, s in r["schema"].items():
            bounds = (
                f" of names to {s['values']} in {s['min']}..{s['max']}, at most "
                f"{s['max_entries']} entries"
                if s["type"] == "map"
                else f" ({s['format']})"
                if "format" in s
                else f" in {s['min']}..{s['max']}"
                if "min" in s
                else f" one of {', '.join(s['choices'])}"
                if "choices" in s
                else ""
            )
            default = json.dumps(s["default"])
            print(f"    {name}: {s['type']}{bounds}, default {default}. {s['description']}")
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    label = args.file
    if is_store_url(args.file):  # the version in force, read once
        from .pgstore import redact

        host = Host(config=args.file, plugin_dirs=args.plugin_dir, follow=False)
        label = redact(args.file)
    else:
        host = Host(config=args.file, plugin_dirs=args.plugin_dir)
    print(f"{label}: valid (config_version {host.config_version})")
    return EXIT_OK


def _split_target(target: str, parts: int) -> list[str]:
    names = target.split(".")
    if len(names) not in ((parts,) if parts == 3 else (1, 2)) or not all(names):
        want = "PLUGIN.RULE.PARAM" if parts == 3 else "PLUGIN or PLUGIN.RULE"
        raise UsageError(f"expected {want}, got {target!r}")
    return names


def cmd_switch(args: argparse.Namespace) -> int:
    names = _split_target(args.target, 2)
    enable = args.command == "enable"
    # What the value was when the file did not set it: the plugin's default at the top level; in
    # a store, what the store inherits from the top level.
    if len(names) == 1:
        keys = [*_store_keys(args), "plugins", names[0], "enabled"]

        def default_of(plugins: list[dict[str, Any]]) -> Any:
            (plugin,) = [p for p in plugins if p["name"] == names[0]]
            return plugin["enabled"] if args.store else True
    else:
        keys = [*_store_keys(args), "plugins", names[0], "rules", names[1], "enabled"]

        def default_of(plugins: list[dict[str, Any]]) -> Any:
            rule = _rule(plugins, names)
            return rule["enabled"] if args.store else rule["enabled_by_default"]

    command = f"{args.command} {args.target}" + (f" --store {args.store}" if args.store else "")
    return _edit(args, keys, enable, default_of, command)


def _store_keys(args: argparse.Namespace) -> list[str]:
    return ["stores", args.store] if args.store else []


def _rule(plugins: list[dict[str, Any]], names: list[str]) -> dict[str, Any]:
    (plugin,) = [p for p in plugins if p["name"] == names[0]]
    (rule,) = [r for r in plugin["rules"] if r["id"] == names[1]]
    return rule


def _parse_value(text: str) -> Any:
    """A JSON value if the text is one (30, 0.2, true, "x"), else the text as a string."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def cmd_set(args: argparse.Namespace) -> int:
    names = _split_target(args.target, 3)
    value = _parse_value(args.value)
    keys = [*_store_keys(args), "plugins", names[0], "rules", names[1], names[2]]
    source = "params" if args.store else "defaults"
    command = f"set {args.target} {args.value}" + (f" --store {args.store}" if args.store else "")
    return _edit(
        args, keys, value, lambda plugins: _rule(plugins, names)[source].get(names[2]), command
    )


def _edit(
    args: argparse.Namespace, keys: list[str], value: Any, default_of: Any, command: str
) -> int:
    at = parse_at(args.at)
    source = _source(args)
    try:
        result = source.edit(
            keys,
            value,
            command=command,
            author=_user(),
            message=args.message or "",
            at=at,
            default_of=default_of,
        )
    finally:
        source.close()
    entry = result.entry
    if args.json:
        print(json.dumps(entry))
        return EXIT_OK
    change = (
        f"{source.label}: {entry['path']}: {json.dumps(entry['old'])} -> {json.dumps(entry['new'])}"
    )
    when = f", in force at {result.version.effective_at:%Y-%m-%dT%H:%M:%SZ}" if at else ""
    if source.kind == "file":
        print(
            f"{change} (config_version {entry['config_version']}; version "
            f"{result.version.number}; logged in {audit_log_path(Path(args.config)).name})"
        )
    else:
        print(
            f"{change} (version {result.version.number}{when}; config_version "
            f"{entry['config_version']})"
        )
    return EXIT_OK


def cmd_evaluate(args: argparse.Namespace) -> int:
    event = read_json(Path(args.event))
    host = _host(args)
    try:
        decision = host.evaluate(event)
    except _core.InvalidEvent as error:
        raise InputError(f"{args.event}: {error}") from None
    if args.json:
        print(json.dumps(decision.to_dict(), indent=2))
        return EXIT_OK
    kind = event.get("type", "?") if isinstance(event, dict) else "?"
    print(f"{decision.event_id}  {kind}  (config {decision.config_version})")
    print("\nActions:" if decision.actions else "\nNo action.")
    for a in decision.actions:
        print(f"  {a.type}  {json.dumps(a.params)}\n      {a.reason}  [{a.plugin}.{a.rule}]")
    for e in decision.errors:
        print(f"  ! {e['plugin']}.{e['rule']} failed: {e['message']}")
    rows = []
    for t in decision.trace:
        why = t["why"] + "".join(f" [merged: {m}]" for m in t.get("merged", []))
        rows.append([f"{t['plugin']}.{t['rule']}", t["outcome"], why])
    print("\nTrace:")
    print(_table(rows, ["RULE", "OUTCOME", "WHY"]))
    return EXIT_OK


def cmd_simulate(args: argparse.Namespace) -> int:
    if args.against and not args.config:
        raise UsageError("--against needs --config: two configs to compare")
    progress = not args.no_progress and not args.json and sys.stderr.isatty()
    config: Any = args.config
    against: Any = args.against
    if args.version is not None or args.against_version is not None or is_store_url(config):
        if args.against:
            raise UsageError("--against with a store or --version: use --against-version M")
        source = _source(args)
        try:
            a = source.in_force() if args.version is None else source.version(args.version)
            config = a.config
            if args.against_version is not None:
                against = source.version(args.against_version).config
        finally:
            source.close()
    options = {
        "plugin_dirs": args.plugin_dir,
        "label_cost": args.label_cost,
        "pickup_cost": args.pickup_cost,
        "upgrade_cost": args.upgrade_cost,
    }
    if args.dask:
        result = _simulate_on_dask(args, config, against, options, progress)
    else:
        result = eventlog.simulate(
            args.events,
            config,
            against,
            threads=args.threads,
            progress=progress,
            **options,
        )
    names = [Path(args.config).name if args.config else "defaults"]
    if args.version is not None:
        names[0] = f"version {args.version}"
    if args.against:
        names.append(Path(args.against).name)
    elif args.against_version is not None:
        names.append(f"version {args.against_version}")
    if args.html:
        Path(args.html).write_text(report.html_page(result, names))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report.text(result, names))
        if args.html:
            print(f"\nHTML report: {args.html}")
    return EXIT_OK


def _simulate_on_dask(
    args: argparse.Namespace, config: Any, against: Any, options: dict[str, Any], bar: bool
) -> Any:
    """The replay on a Dask scheduler; a store's version was read here, once, and travels as
    JSON like a file config."""
    try:
        from distributed import Client

        from . import dask as on_dask
    except ImportError:
        raise InputError("--dask needs dask: pip install 'shoprules[dask]'") from None

    def progress(done: int, total: int, lines: int) -> None:
        share = done / total if total else 1.0
        print(f"\rsimulate on dask: {share:4.0%}  {lines:,} lines", end="", file=sys.stderr)

    try:
        client = Client(args.dask, timeout="5s")
    except OSError as error:
        raise InputError(f"--dask {args.dask}: cannot reach the scheduler ({error})") from None
    with client:
        result = on_dask.simulate(
            args.events,
            config,
            against,
            client=client,
            threads=args.threads or 1,
            progress=progress if bar else None,
            **options,
        )
    if bar:
        print(file=sys.stderr)
    return result


def cmd_convert(args: argparse.Namespace) -> int:
    result = eventlog.convert(args.src, args.dst, times=args.times)
    if args.json:
        print(json.dumps(result, indent=2))
        return EXIT_OK
    print(
        f"{args.dst}: {result['rows']:,} events from {result['lines']:,} lines of {args.src}; "
        f"{result['bad_lines']:,} lines left out"
    )
    for bad in result["bad_examples"]:
        print(f"  line {bad['line']}: {bad['error']}")
    return EXIT_OK


def _when(t: Any) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def cmd_history(args: argparse.Namespace) -> int:
    source = _source(args)
    try:
        versions = source.history(args.limit)
    finally:
        source.close()
    if args.json:
        print(json.dumps([v.summary() for v in versions], indent=2))
        return EXIT_OK
    rows = []
    for v in versions:
        state = "in force" if v.in_force else "scheduled" if v.scheduled else ""
        rows.append(
            [
                str(v.number),
                v.config_version,
                _when(v.made_at),
                _when(v.effective_at),
                v.author,
                state,
                v.message,
            ]
        )
    print(source.label)
    print(
        _table(rows, ["VERSION", "CONFIG_VERSION", "MADE", "EFFECTIVE", "BY", "STATE", "MESSAGE"])
    )
    return EXIT_OK


def cmd_diff(args: argparse.Namespace) -> int:
    source = _source(args)
    try:
        patch = source.diff(args.a, args.b)
        b = args.b if args.b is not None else source.in_force().number
    finally:
        source.close()
    if args.json:
        print(json.dumps(patch, indent=2))
        return EXIT_OK
    print(f"{source.label}: version {args.a} -> {b}: {len(patch)} change(s)")
    for op in patch:
        value = f" {json.dumps(op['value'])}" if "value" in op else ""
        print(f"  {op['op']:7} {op['path'] or '/'}{value}")
    return EXIT_OK


def _made(args: argparse.Namespace, source: Any, v: Any, what: str) -> int:
    if args.json:
        print(json.dumps(v.summary()))
        return EXIT_OK
    when = f", in force at {_when(v.effective_at)}" if v.scheduled else ""
    print(f"{source.label}: version {v.number} {what} (config_version {v.config_version}{when})")
    return EXIT_OK


def cmd_rollback(args: argparse.Namespace) -> int:
    at = parse_at(args.at)
    source = _source(args)
    try:
        v = source.rollback(args.number, author=_user(), message=args.message or "", at=at)
    finally:
        source.close()
    return _made(args, source, v, f"made, equal to version {args.number}")


def cmd_push(args: argparse.Namespace) -> int:
    at = parse_at(args.at)
    config = read_config_file(Path(args.file))
    source = _source(args)
    try:
        v = source.push(config, author=_user(), message=args.message or "", at=at)
    finally:
        source.close()
    return _made(args, source, v, f"made from {args.file}")


def cmd_export(args: argparse.Namespace) -> int:
    source = _source(args)
    try:
        v = source.in_force() if args.version is None else source.version(args.version)
    finally:
        source.close()
    print(json.dumps(v.config, indent=2))
    return EXIT_OK


def cmd_fleet(args: argparse.Namespace) -> int:
    source = _source(args)
    try:
        rows = source.fleet()
    finally:
        source.close()
    if args.json:
        print(json.dumps(rows, indent=2, default=str))
        return EXIT_OK
    table = [
        [
            r["host"],
            str(r["pid"]),
            r["config_name"],
            str(r["version"]),
            r["config_version"],
            _when(r["last_seen"]),
            "STALE" if r["stale"] else "ok",
            r["last_error"] or "",
        ]
        for r in rows
    ]
    print(source.label)
    print(
        _table(
            table,
            ["HOST", "PID", "CONFIG", "VERSION", "CONFIG_VERSION", "LAST_SEEN", "STATE", "ERROR"],
        )
    )
    return EXIT_OK


def cmd_store_init(args: argparse.Namespace) -> int:
    if not is_store_url(args.config):
        raise InputError(f"{args.config}: store init needs a store URL (postgresql://...)")
    from .pgstore import init_store

    label, schema = init_store(args.config)
    print(f"{label}: store ready (schema version {schema})")
    return EXIT_OK


def cmd_store_grant_reader(args: argparse.Namespace) -> int:
    if not is_store_url(args.config):
        raise InputError(f"{args.config}: grant-reader needs a store URL (postgresql://...)")
    from .pgstore import grant_reader

    label = grant_reader(args.config, args.role)
    print(f"{label}: role {args.role} may read versions, listen and write its heartbeats")
    return EXIT_OK


def add_version_commands(sub: Any, common: Any, version_options: Any) -> None:
    """history, diff, rollback, push, export, fleet, store: versions of a file or a store."""
    p = sub.add_parser("history", help="a config's versions, newest first (file or store)")
    common(p, config_required=True)
    p.add_argument("--limit", type=int, metavar="N", help="only the newest N")
    p.set_defaults(func=cmd_history)

    p = sub.add_parser("diff", help="what changed from version A to B, as a JSON Patch")
    p.add_argument("a", type=int, metavar="A")
    p.add_argument("b", type=int, nargs="?", metavar="B", help="default: the version in force")
    common(p, config_required=True)
    p.set_defaults(func=cmd_diff)

    p = sub.add_parser("rollback", help="make a new version equal to version N (validated)")
    p.add_argument("number", type=int, metavar="N")
    common(p, config_required=True)
    version_options(p)
    p.set_defaults(func=cmd_rollback)

    p = sub.add_parser("push", help="a JSON config file becomes the next version (validated)")
    p.add_argument("file", metavar="FILE")
    common(p, config_required=True)
    version_options(p)
    p.set_defaults(func=cmd_push)

    p = sub.add_parser("export", help="print a version (default: the one in force) as JSON")
    common(p, config_required=True)
    p.add_argument("--version", type=int, metavar="N", help="version N instead")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("fleet", help="processes attached to a store: version, last seen, error")
    common(p, config_required=True)
    p.set_defaults(func=cmd_fleet)

    p = sub.add_parser("store", help="set up a PostgreSQL config store")
    store_sub = p.add_subparsers(dest="store_command", metavar="STORE_COMMAND", required=True)
    q = store_sub.add_parser("init", help="create or upgrade the store's tables (idempotent)")
    common(q, config_required=True)
    q.set_defaults(func=cmd_store_init)
    q = store_sub.add_parser(
        "grant-reader",
        help="let a role run storefronts: read versions, listen, write its own heartbeats",
    )
    q.add_argument("role", metavar="ROLE")
    common(q, config_required=True)
    q.set_defaults(func=cmd_store_grant_reader)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shoprules",
        description="Customer-service rules for online shops: list, inspect, validate and tune "
        "the plugins' rules, and see what they decide for an event. A config is a JSON file or "
        "a PostgreSQL config store (postgresql://...; default $SHOPRULES_CONFIG); every edit is "
        "a version you can list, compare, roll back or schedule.",
        epilog="Exit codes: 0 ok, 1 invalid input or config, 2 usage.",
    )
    parser.add_argument("--version", action="version", version=f"shoprules {__version__}")
    parser.add_argument(
        "--cmake-dir",
        action="store_true",
        help="print the folder to pass as -Dshoprules_DIR= to build a plugin",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    env_config = os.environ.get("SHOPRULES_CONFIG") or None

    def common(p: argparse.ArgumentParser, config_required: bool = False) -> None:
        p.add_argument(
            "--config",
            required=config_required and env_config is None,
            default=env_config,
            metavar="C",
            help="the operator's config: a JSON file, or a store URL postgresql://... "
            "(default: $SHOPRULES_CONFIG)",
        )
        p.add_argument(
            "--config-name",
            default="main",
            metavar="NAME",
            help="which named config of a store (default: main)",
        )
        p.add_argument(
            "--plugin-dir",
            action="append",
            metavar="D",
            help="another folder of plugins (repeatable)",
        )
        p.add_argument("--json", action="store_true", help="print JSON for scripts")

    def version_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("-m", "--message", metavar="MSG", help="why: kept with the version")
        p.add_argument(
            "--at",
            metavar="TIME",
            help="make it a scheduled version, in force at TIME (ISO-8601, UTC unless an offset "
            "is given; store configs only)",
        )

    def store_option(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("--store", metavar="NAME", help=f"{what} (default: the top level)")

    p = sub.add_parser("plugins", help="list plugins and rules, on/off, params")
    common(p)
    store_option(p, "list them as this store of the config sets them")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("inspect", help="a plugin file's metadata, ABI, rules and param schema")
    p.add_argument("plugin", metavar="PLUGIN.so")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_inspect)

    p = sub.add_parser("validate", help="check a config; exit 1 with the error")
    p.add_argument("file", metavar="F")
    p.add_argument(
        "--plugin-dir", action="append", metavar="D", help="another folder of plugins (repeatable)"
    )
    p.set_defaults(func=cmd_validate)

    for name, verb in (("enable", "switch on"), ("disable", "switch off")):
        p = sub.add_parser(name, help=f"{verb} a plugin or a rule (validated, atomic, audited)")
        p.add_argument("target", metavar="PLUGIN[.RULE]")
        common(p, config_required=True)
        store_option(p, "edit this store's settings in the config's stores map")
        version_options(p)
        p.set_defaults(func=cmd_switch)

    p = sub.add_parser("set", help="set a rule's param (validated, atomic, audited)")
    p.add_argument("target", metavar="PLUGIN.RULE.PARAM")
    p.add_argument("value", metavar="VALUE", help="a JSON value (30, 0.2, true) or a string")
    common(p, config_required=True)
    store_option(p, "edit this store's settings in the config's stores map")
    version_options(p)
    p.set_defaults(func=cmd_set)

    p = sub.add_parser(
        "simulate",
        help="replay an event log (JSON lines, .jsonl.gz, Parquet; a file, a folder or a glob); "
        "counts and money by action and rule, and the difference between two configs",
    )
    p.add_argument(
        "events",
        metavar="EVENTS",
        help="a .jsonl, .jsonl.gz or .parquet file, a folder of them, or a quoted glob",
    )
    common(p)
    p.add_argument("--against", metavar="G", help="a second config to compare with --config")
    p.add_argument(
        "--threads", type=thread_count, default=0, metavar="N", help="worker threads (0: all)"
    )
    for cost, what in (
        ("label", "a prepaid return label"),
        ("pickup", "a courier pickup"),
        ("upgrade", "one shipping upgrade"),
    ):
        p.add_argument(
            f"--{cost}-cost",
            type=minor_units,
            default=0,
            metavar="MINOR",
            help=f"what {what} costs, in minor units (default 0)",
        )
    p.add_argument("--version", type=int, metavar="N", help="replay under version N of --config")
    p.add_argument(
        "--against-version",
        type=int,
        metavar="M",
        help="compare with version M of --config",
    )
    p.add_argument("--html", metavar="FILE", help="also write an HTML report with a chart")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")
    p.add_argument(
        "--dask",
        metavar="tcp://HOST:PORT",
        help="run on this Dask scheduler: one task per file or Parquet row group (workers need "
        "shoprules, the plugins and the files at the same paths)",
    )
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser(
        "convert", help="write a JSON-lines event log (.jsonl or .jsonl.gz) as a Parquet log"
    )
    p.add_argument("src", metavar="EVENTS.jsonl", help="one event per line; gzip or not")
    p.add_argument(
        "dst",
        metavar="EVENTS.parquet",
        help="ends in .parquet or .pq (simulate tells formats by name); written when done",
    )
    p.add_argument(
        "--times",
        choices=eventlog.TIMES,
        default="string",
        help="write times as the log's ISO-8601 text (the default), or as UTC timestamps, which "
        "replay faster; a line whose time is not ISO-8601 is then left out",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("evaluate", help="print the decision for an event, with its trace")
    p.add_argument("event", metavar="EVENT.json")
    common(p)
    p.add_argument("--version", type=int, metavar="N", help="decide under version N of --config")
    p.set_defaults(func=cmd_evaluate)
    add_version_commands(sub, common, version_options)
    _console_parsers(sub)
    return parser


def _console_parsers(sub: Any) -> None:
    from .console.commands import add_parsers

    add_parsers(sub)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.cmake_dir:
        print(cmake_dir())
        return EXIT_OK
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("shoprules: error: a COMMAND is required (see --help)", file=sys.stderr)
        return EXIT_USAGE
    try:
        return args.func(args)
    except BrokenPipeError:  # the reader went away (| head): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:  # Ctrl-C: what was under way is dropped; no traceback
        print(f"shoprules {args.command}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except UsageError as error:
        print(f"shoprules {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (_core.Error, InputError, OSError) as error:
        print(f"shoprules {args.command}: {error}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
