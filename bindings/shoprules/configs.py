"""Where a config lives: a file (its versions kept beside it) or a PostgreSQL store.

One API for the command line, the operator console and hosts: read the version in force, any
past version, the history and the differences between versions; edit, push and roll back
(validated first, never losing a concurrent change). `import shoprules` never needs psycopg:
the store side is imported only when a store URL is opened.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Protocol

from . import _core
from .config_edit import (
    InputError,
    _user,
    audit_log_path,
    check,
    parse_json,
    read_json,
    write_atomically,
)

__all__ = [
    "ConfigSource",
    "EditResult",
    "FileSource",
    "InputError",
    "OperatorStore",
    "Version",
    "is_store_url",
    "json_patch",
    "open_source",
    "parse_at",
]

_UNSET = object()
STORE_SCHEMES = ("postgresql://", "postgres://")


@dataclass(frozen=True)
class Version:
    """One immutable version of a config."""

    number: int
    config_version: str
    parent: int | None
    author: str
    made_at: datetime
    effective_at: datetime
    message: str
    patch: list[dict[str, Any]] = field(repr=False)
    config: dict[str, Any] = field(repr=False)
    in_force: bool = False
    scheduled: bool = False

    def summary(self) -> dict[str, Any]:
        """The version without its config and patch, as JSON-ready values."""
        return {
            "number": self.number,
            "config_version": self.config_version,
            "parent": self.parent,
            "author": self.author,
            "made_at": iso(self.made_at),
            "effective_at": iso(self.effective_at),
            "message": self.message,
            "in_force": self.in_force,
            "scheduled": self.scheduled,
        }


@dataclass(frozen=True)
class EditResult:
    version: Version
    entry: dict[str, Any]


class OperatorStore(Protocol):
    def get(self, name: str) -> str | None: ...
    def set(self, name: str, password_hash: str) -> None: ...
    def remove(self, name: str) -> None: ...
    def names(self) -> list[str]: ...


class ConfigSource(Protocol):
    label: str
    kind: str

    def in_force(self) -> Version: ...
    def version(self, n: int) -> Version: ...
    def history(self, limit: int | None = None) -> list[Version]: ...
    def diff(self, a: int, b: int | None = None) -> list[dict[str, Any]]: ...
    def edit(
        self,
        keys: list[str],
        value: Any,
        *,
        command: str,
        author: str,
        message: str = "",
        at: datetime | None = None,
        default_of: Callable[[list[dict[str, Any]]], Any] | None = None,
    ) -> EditResult: ...
    def push(
        self, config: dict[str, Any], *, author: str, message: str = "", at: datetime | None = None
    ) -> Version: ...
    def rollback(
        self, n: int, *, author: str, message: str = "", at: datetime | None = None
    ) -> Version: ...
    def fleet(self) -> list[dict[str, Any]]: ...
    @property
    def operators(self) -> OperatorStore: ...
    def close(self) -> None: ...


def iso(t: datetime) -> str:
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(timezone.utc)


def now() -> datetime:
    return datetime.now(timezone.utc)


def parse_at(text: str | None) -> datetime | None:
    """An --at TIME: ISO-8601 (UTC unless it names an offset), in the future."""
    if text is None:
        return None
    try:
        at = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            f"--at {text!r}: not an ISO-8601 time (e.g. 2026-12-24T18:00:00Z)"
        ) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    return check_at(at.astimezone(timezone.utc))


def check_at(at: datetime | None) -> datetime | None:
    if at is None:
        return None
    if at.tzinfo is None:
        at = at.replace(tzinfo=timezone.utc)
    if at <= now():
        raise InputError(
            f"--at {iso(at)}: that time is in the past; a scheduled version needs a time to come"
        )
    return at.astimezone(timezone.utc)


def is_store_url(config: object) -> bool:
    return isinstance(config, str) and config.startswith(STORE_SCHEMES)


def open_source(
    config: str | os.PathLike[str],
    config_name: str = "main",
    plugin_dirs: list[str] | None = None,
) -> ConfigSource:
    """A file path -> FileSource; a postgresql:// URL -> StoreSource. Else InputError."""
    if is_store_url(config):
        from .pgstore import StoreSource  # psycopg only when a store is used

        return StoreSource(str(config), config_name, plugin_dirs)
    if isinstance(config, str) and "://" in config:
        scheme = config.split("://", 1)[0]
        raise InputError(
            f"{scheme}://...: not a config file nor a PostgreSQL URL (postgresql://...)"
        )
    if not isinstance(config, (str, os.PathLike)) or not str(config):
        raise InputError(f"{config!r}: expected a config file path or a postgresql:// URL")
    return FileSource(Path(config), plugin_dirs)


# --- JSON Patch (RFC 6902) -------------------------------------------------------------------


def _token(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def json_patch(a: Any, b: Any, path: str = "") -> list[dict[str, Any]]:
    """The RFC 6902 operations that turn `a` into `b` (objects recursively, other values whole)."""
    if isinstance(a, dict) and isinstance(b, dict):
        ops: list[dict[str, Any]] = []
        for key in a:
            if key not in b:
                ops.append({"op": "remove", "path": f"{path}/{_token(key)}"})
        for key, value in b.items():
            where = f"{path}/{_token(key)}"
            if key not in a:
                ops.append({"op": "add", "path": where, "value": value})
            else:
                ops.extend(json_patch(a[key], value, where))
        return ops
    if a == b and type(a) is type(b):
        return []
    return [{"op": "replace", "path": path, "value": b}]


def set_in(config: dict[str, Any], keys: list[str], value: Any, where: str) -> Any:
    """config[keys...] = value (making objects on the way); returns the old value or _UNSET."""
    node = config
    for i, key in enumerate(keys[:-1]):
        child = node.setdefault(key, {})
        if not isinstance(child, dict):
            raise InputError(f"{where}: {'.'.join(keys[: i + 1])} is not an object")
        node = child
    old = node.get(keys[-1], _UNSET)
    node[keys[-1]] = value
    return old


def copy_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


# --- files -----------------------------------------------------------------------------------


@contextmanager
def _locked(lock_path: Path) -> Iterator[None]:
    """An exclusive flock on a lock file beside the config, held around read-validate-write-
    audit. The holder removes the file before unlocking, so none is left behind; a waiter that
    wakes on a removed file tries again on the new one."""
    while True:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                same = os.stat(lock_path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if not same:
                os.close(fd)
                continue
        except BaseException:
            os.close(fd)
            raise
        try:
            yield
        finally:
            try:
                os.unlink(lock_path)
            finally:
                os.close(fd)
        return


class FileOperators:
    """Operator accounts (name -> password hash) in a JSON file beside the config, mode 0600."""

    def __init__(self, source: FileSource) -> None:
        self._source = source
        self.path = source.path.with_name(source.path.name + ".operators.json")

    def _read(self) -> dict[str, str]:
        if not self.path.exists():
            return {}
        data = read_json(self.path)
        if not isinstance(data, dict):
            raise InputError(f"{self.path}: expected an object of operator names")
        return data

    def get(self, name: str) -> str | None:
        return self._read().get(name)

    def names(self) -> list[str]:
        return sorted(self._read())

    def _write(self, change: Callable[[dict[str, str]], None]) -> None:
        with _locked(self._source.lock_path):
            data = self._read()
            change(data)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            write_atomically(self.path, json.dumps(data, indent=2, sort_keys=True) + "\n")

    def set(self, name: str, password_hash: str) -> None:
        self._write(lambda d: d.__setitem__(name, password_hash))

    def remove(self, name: str) -> None:
        self._write(lambda d: d.pop(name, None))


class FileSource:
    """A config file; its versions are kept beside it in `<file>.versions.jsonl` (version 1 is the
    file as first seen). A symlinked config is edited in its target and the link stays."""

    kind = "file"

    def __init__(self, path: Path, plugin_dirs: list[str] | None = None) -> None:
        self.path = path
        self.plugin_dirs = plugin_dirs
        self.label = str(path)
        self.versions_path = path.with_name(path.name + ".versions.jsonl")
        self.lock_path = path.with_name(path.name + ".lock")
        self._operators = FileOperators(self)

    # reading

    def _read_config(self) -> dict[str, Any]:
        config = read_json(self.path)
        if not isinstance(config, dict):
            raise InputError(f"{self.path}: expected a config object")
        return config

    def _records(self) -> list[dict[str, Any]]:
        """The recorded versions; a last line cut short (a writer killed mid-line) is ignored."""
        try:
            text = self.versions_path.read_text()
        except FileNotFoundError:
            return []
        except OSError as error:
            raise InputError(f"{self.versions_path}: cannot read: {error.strerror}") from None
        records = []
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if not line.strip():
                continue
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                if i == len(lines) - 1:  # unterminated: a write that did not finish
                    break
                raise InputError(f"{self.versions_path}: line {i + 1} is not valid JSON") from None
        return records

    def _all(self) -> tuple[list[dict[str, Any]], bool]:
        """The versions, the file as it is now last: when it differs from the last recorded
        version (first use, or changed by hand), it is a version not yet recorded (True)."""
        records = self._records()
        config = self._read_config()
        if records and records[-1]["config"] == config:
            return records, False
        try:
            config_version = check(config, self.path, self.plugin_dirs)["config_version"]
        except _core.Error:  # broken by hand: still a version, and one to roll back from
            config_version = "invalid"
        made = now()
        parent = records[-1] if records else None
        records.append(
            {
                "number": parent["number"] + 1 if parent else 1,
                "config_version": config_version,
                "parent": parent["number"] if parent else None,
                "author": "",
                "made_at": iso(made),
                "effective_at": iso(made),
                "message": "the file as first seen" if parent is None else "changed by hand",
                "patch": json_patch(parent["config"], config) if parent else [],
                "config": config,
            }
        )
        return records, True

    def _version(self, record: dict[str, Any], last: int) -> Version:
        return Version(
            number=record["number"],
            config_version=record["config_version"],
            parent=record["parent"],
            author=record["author"],
            made_at=_parse_iso(record["made_at"]),
            effective_at=_parse_iso(record["effective_at"]),
            message=record["message"],
            patch=record["patch"],
            config=record["config"],
            in_force=record["number"] == last,
            scheduled=False,
        )

    def history(self, limit: int | None = None) -> list[Version]:
        records, _ = self._all()
        last = records[-1]["number"]
        out = [self._version(r, last) for r in reversed(records)]
        return out if limit is None else out[: max(limit, 0)]

    def in_force(self) -> Version:
        return self.history(1)[0]

    def version(self, n: int) -> Version:
        records, _ = self._all()
        for r in records:
            if r["number"] == n:
                return self._version(r, records[-1]["number"])
        raise InputError(f"{self.label} has no version {n} (versions 1..{records[-1]['number']})")

    def diff(self, a: int, b: int | None = None) -> list[dict[str, Any]]:
        va = self.version(a)
        vb = self.in_force() if b is None else self.version(b)
        return json_patch(va.config, vb.config)

    # writing

    def _no_schedule(self, at: datetime | None) -> None:
        if at is not None:
            check_at(at)
            raise InputError(
                f"{self.label}: --at (a scheduled version) needs a store config "
                "(postgresql://...); a file config takes changes now"
            )

    def _append(self, records: list[dict[str, Any]]) -> None:
        """Appends version records, each one line, synced. A line cut short before (a killed
        writer) is cut off first."""
        fd = os.open(self.versions_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            size = os.lseek(fd, 0, os.SEEK_END)
            if size:
                os.lseek(fd, max(size - 65536, 0), os.SEEK_SET)
                tail = os.read(fd, 65536)
                if not tail.endswith(b"\n"):
                    cut = tail.rfind(b"\n")
                    os.ftruncate(fd, size - len(tail) + cut + 1 if cut >= 0 else 0)
            os.lseek(fd, 0, os.SEEK_END)
            os.write(fd, "".join(json.dumps(r) + "\n" for r in records).encode())
            os.fsync(fd)
        finally:
            os.close(fd)

    def _commit(
        self,
        config: dict[str, Any],
        *,
        author: str,
        message: str,
        audit: dict[str, Any] | None,
        checked: dict[str, Any] | None = None,
    ) -> tuple[Version, dict[str, Any] | None]:
        """Under the lock: validates `config`, writes it to the file (its target when a link),
        records the version, appends the audit line."""
        records, unrecorded = self._all()
        result = checked or check(config, self.path, self.plugin_dirs)
        parent = records[-1]
        made = now()
        record = {
            "number": parent["number"] + 1,
            "config_version": result["config_version"],
            "parent": parent["number"],
            "author": author,
            "made_at": iso(made),
            "effective_at": iso(made),
            "message": message,
            "patch": json_patch(parent["config"], config),
            "config": config,
        }
        target = self.path.resolve() if self.path.is_symlink() else self.path
        write_atomically(target, json.dumps(config, indent=2) + "\n")
        self._append([parent, record] if unrecorded else [record])
        entry = None
        if audit is not None:
            entry = {
                "time": made.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "user": author,
                **audit,
                "config_version": result["config_version"],
                "version": record["number"],
                "message": message,
            }
            with audit_log_path(self.path).open("a") as log:
                log.write(json.dumps(entry) + "\n")
                log.flush()
                os.fsync(log.fileno())
        return self._version(record, record["number"]), entry

    def edit(
        self,
        keys: list[str],
        value: Any,
        *,
        command: str,
        author: str | None = None,
        message: str = "",
        at: datetime | None = None,
        default_of: Callable[[list[dict[str, Any]]], Any] | None = None,
    ) -> EditResult:
        self._no_schedule(at)
        author = author or _user()
        with _locked(self.lock_path):
            config = self._read_config()
            old = set_in(config, keys, value, str(self.path))
            result = check(config, self.path, self.plugin_dirs)
            if old is _UNSET:
                old = default_of(result["plugins"]) if default_of else None
            audit = {"command": command, "path": ".".join(keys), "old": old, "new": value}
            version, entry = self._commit(
                config, author=author, message=message, audit=audit, checked=result
            )
        assert entry is not None
        return EditResult(version, entry)

    def push(
        self,
        config: dict[str, Any],
        *,
        author: str | None = None,
        message: str = "",
        at: datetime | None = None,
        command: str = "push",
    ) -> Version:
        self._no_schedule(at)
        if not isinstance(config, dict):
            raise InputError(f"{self.label}: a config must be a JSON object")
        author = author or _user()
        with _locked(self.lock_path):
            old = self._all()[0][-1]["config_version"]
            result = check(config, self.path, self.plugin_dirs)
            audit = {"command": command, "path": "", "old": old, "new": result["config_version"]}
            version, _ = self._commit(
                copy_json(config), author=author, message=message, audit=audit, checked=result
            )
        return version

    def rollback(
        self, n: int, *, author: str | None = None, message: str = "", at: datetime | None = None
    ) -> Version:
        self._no_schedule(at)
        target = self.version(n)
        return self.push(
            target.config,
            author=author,
            message=message or f"rollback to version {n}",
            command=f"rollback {n}",
        )

    def fleet(self) -> list[dict[str, Any]]:
        return []

    @property
    def operators(self) -> FileOperators:
        return self._operators

    def close(self) -> None:
        pass

    def __repr__(self) -> str:
        return f"FileSource({self.label!r})"


def read_config_file(path: Path) -> dict[str, Any]:
    """A JSON config file to push: an object, else InputError."""
    config = read_json(path)
    if not isinstance(config, dict):
        raise InputError(f"{path}: expected a config object")
    return config


__all__ += ["parse_json", "read_config_file"]
