"""Safe edits of an operator's config file: validated first, written atomically, audited."""

from __future__ import annotations

import getpass
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable

from . import _core


class InputError(Exception):
    """A file the user named can't be read or parsed; the message names it."""


MAX_DEPTH = 512  # deeper JSON is refused with one line, not a RecursionError


def _depth_ok(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether brackets outside strings nest at most `limit` deep (a scan, no recursion)."""
    if text.count("[") + text.count("{") <= limit:
        return True
    depth = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > limit:
                return False
        elif ch in "]}":
            depth -= 1
    return True


def parse_json(text: str, where: str) -> Any:
    """JSON text read from `where` (a file, a line of one); InputError names it when it is not
    JSON or nests deeper than MAX_DEPTH."""
    if not _depth_ok(text):
        raise InputError(f"{where}: not accepted: JSON nested more than {MAX_DEPTH} deep")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(
            f"{where}: not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise InputError(f"{where}: not accepted: JSON nested too deep") from None


def read_json(path: Path) -> Any:
    try:
        text = path.read_text()
    except OSError as error:
        raise InputError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not valid JSON: not UTF-8 text") from None
    return parse_json(text, str(path))


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
    message: str = "",
) -> dict[str, Any]:
    """Sets config[keys...] = value in the file at `path`, after validating the result against
    the plugins' schemas, under the file's lock, recording a version. A rejected edit leaves the
    file untouched. Returns the audit entry, whose "old" is the value before: the file's, or the
    plugin's default (`default_of` finds it in the plugins' metadata) when the file did not set
    it."""
    from .configs import FileSource

    result = FileSource(path, plugin_dirs).edit(
        keys, value, command=command, author=_user(), message=message, default_of=default_of
    )
    return result.entry
