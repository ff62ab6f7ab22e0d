"""Safe edits of an operator's config file: validated first, written atomically, audited."""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from . import _core

_UNSET = object()


class InputError(Exception):
    """A file the user named can't be read or parsed; the message names it."""


def read_json(path: Path) -> Any:
    try:
        text = path.read_text()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{path}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None


def audit_log_path(config: Path) -> Path:
    return config.with_name(config.name + ".audit.jsonl")


def check(config: dict[str, Any], path: Path, plugin_dirs: list[str] | None) -> dict[str, Any]:
    """Validates `config` as if it were the file at `path`: {config_version, plugins}."""
    return _core.check_config(config, str(path), str(path.parent), plugin_dirs)


def write_atomically(path: Path, text: str) -> None:
    """Writes a temporary file beside `path`, syncs it, then renames it over `path`: a reader
    sees the old file or the new one, never half of either."""
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (containers): fall back to the uid
        return str(os.getuid())


def apply_edit(
    path: Path,
    command: str,
    keys: list[str],
    value: Any,
    default_of: Callable[[list[dict[str, Any]]], Any],
    plugin_dirs: list[str] | None,
) -> dict[str, Any]:
    """Sets config[keys...] = value in the file at `path`, after validating the result against
    the plugins' schemas. A rejected edit leaves the file untouched. Returns the audit entry,
    whose "old" is the value before: the file's, or the plugin's default (`default_of` finds it
    in the plugins' metadata) when the file did not set it."""
    config = read_json(path)
    if not isinstance(config, dict):
        raise InputError(f"{path}: expected a config object")
    node = config
    for key in keys[:-1]:
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise InputError(f"{path}: {'.'.join(keys[: keys.index(key) + 1])} is not an object")
        node = child
    old = node.get(keys[-1], _UNSET)
    node[keys[-1]] = value
    result = check(config, path, plugin_dirs)
    if old is _UNSET:
        old = default_of(result["plugins"])
    write_atomically(path, json.dumps(config, indent=2) + "\n")
    entry = {
        "time": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "user": _user(),
        "command": command,
        "path": ".".join(keys),
        "old": old,
        "new": value,
        "config_version": result["config_version"],
    }
    with audit_log_path(path).open("a") as log:
        log.write(json.dumps(entry) + "\n")
        log.flush()
        os.fsync(log.fileno())
    return entry
