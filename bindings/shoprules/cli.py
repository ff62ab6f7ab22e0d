"""The shoprules command for store operators: list, inspect, validate, edit, evaluate."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from . import __version__, _core, cmake_dir, report
from .config_edit import InputError, apply_edit, audit_log_path, read_json
from .host import Host

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """The command line is well-formed but asks for something that does not fit."""


def _table(rows: list[list[str]], header: list[str]) -> str:
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip()]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows]
    return "\n".join(lines)


def _params_text(params: dict[str, Any]) -> str:
    return " ".join(f"{k}={json.dumps(v)}" for k, v in params.items())


def _host(args: argparse.Namespace) -> Host:
    return Host(config=args.config, plugin_dirs=args.plugin_dir)


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
    host = Host(config=args.file, plugin_dirs=args.plugin_dir)
    print(f"{args.file}: valid (config_version {host.config_version})")
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
    path = Path(args.config)
    entry = apply_edit(path, command, keys, value, default_of, args.plugin_dir)
    if args.json:
        print(json.dumps(entry))
    else:
        print(
            f"{path}: {entry['path']}: {json.dumps(entry['old'])} -> {json.dumps(entry['new'])}"
            f" (config_version {entry['config_version']}; logged in "
            f"{audit_log_path(path).name})"
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
    events = Path(args.events)
    if not events.is_file():
        raise InputError(f"{events}: no such event log")
    if args.against and not args.config:
        raise UsageError("--against needs --config: two configs to compare")
    progress = not args.no_progress and not args.json and sys.stderr.isatty()
    result = _core.simulate(
        events,
        args.config,
        args.against,
        args.plugin_dir,
        args.threads,
        progress,
        args.label_cost,
        args.pickup_cost,
        args.upgrade_cost,
    )
    names = [Path(args.config).name if args.config else "defaults"]
    if args.against:
        names.append(Path(args.against).name)
    if args.html:
        Path(args.html).write_text(report.html_page(result, names))
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        print(report.text(result, names))
        if args.html:
            print(f"\nHTML report: {args.html}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="shoprules",
        description="Customer-service rules for online shops: list, inspect, validate and tune "
        "the plugins' rules, and see what they decide for an event.",
        epilog="Exit codes: 0 ok, 1 invalid input or config, 2 usage.",
    )
    parser.add_argument("--version", action="version", version=f"shoprules {__version__}")
    parser.add_argument(
        "--cmake-dir",
        action="store_true",
        help="print the folder to pass as -Dshoprules_DIR= to build a plugin",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser, config_required: bool = False) -> None:
        p.add_argument(
            "--config",
            required=config_required,
            metavar="F",
            help="the operator's config file (JSON)",
        )
        p.add_argument(
            "--plugin-dir",
            action="append",
            metavar="D",
            help="another folder of plugins (repeatable)",
        )
        p.add_argument("--json", action="store_true", help="print JSON for scripts")

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
        p.set_defaults(func=cmd_switch)

    p = sub.add_parser("set", help="set a rule's param (validated, atomic, audited)")
    p.add_argument("target", metavar="PLUGIN.RULE.PARAM")
    p.add_argument("value", metavar="VALUE", help="a JSON value (30, 0.2, true) or a string")
    common(p, config_required=True)
    store_option(p, "edit this store's settings in the config's stores map")
    p.set_defaults(func=cmd_set)

    p = sub.add_parser(
        "simulate",
        help="replay a JSONL event log; counts and money by action and rule, and the difference "
        "between two configs",
    )
    p.add_argument("events", metavar="EVENTS.jsonl", help="one event per line")
    common(p)
    p.add_argument("--against", metavar="G", help="a second config to compare with --config")
    p.add_argument("--threads", type=int, default=0, metavar="N", help="worker threads (0: all)")
    for cost, what in (
        ("label", "a prepaid return label"),
        ("pickup", "a courier pickup"),
        ("upgrade", "one shipping upgrade"),
    ):
        p.add_argument(
            f"--{cost}-cost",
            type=int,
            default=0,
            metavar="MINOR",
            help=f"what {what} costs, in minor units (default 0)",
        )
    p.add_argument("--html", metavar="FILE", help="also write an HTML report with a chart")
    p.add_argument("--no-progress", action="store_true", help="no progress bar on a terminal")
    p.set_defaults(func=cmd_simulate)

    p = sub.add_parser("evaluate", help="print the decision for an event, with its trace")
    p.add_argument("event", metavar="EVENT.json")
    common(p)
    p.set_defaults(func=cmd_evaluate)
    return parser


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
    except UsageError as error:
        print(f"shoprules {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except (_core.Error, InputError, OSError) as error:
        print(f"shoprules {args.command}: {error}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":
    sys.exit(main())
