"""The PostgreSQL config store: named configs, their immutable versions, the processes attached
to them and the operators of the console. Needs psycopg 3 (`pip install shoprules[postgres]`).

Versions form one line per config name: each is its parent (the one before it) plus one change,
and takes effect at its `effective_at`, never before its parent's. A storefront follows them
with LISTEN/NOTIFY (see follow.py); an edit is applied to the latest version in one
transaction, retried on a serialization failure.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import socket
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from .config_edit import InputError, check
from .configs import (
    _UNSET,
    EditResult,
    Version,
    check_at,
    copy_json,
    json_patch,
    set_in,
)

SCHEMA_VERSION = 1
CHANNEL = "shoprules_versions"
STALE_AFTER = 3  # heartbeat intervals without a beat: stale
RETRY_SECONDS = 30.0  # how long an edit keeps retrying serialization failures


class StoreError(InputError):
    """The store can't be reached or used; the message names it, never with a password."""


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        raise StoreError(
            "a postgresql:// config needs psycopg: pip install 'shoprules[postgres]'"
        ) from None
    return psycopg


def redact(url: str) -> str:
    """The URL without its password (user, host, database and options kept)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, hostport = netloc.rsplit("@", 1)
        user = userinfo.split(":", 1)[0]
        netloc = f"{user}@{hostport}"
    query = "&".join(
        f"{k}={'***' if k == 'password' else v}" for k, v in parse_qsl(parts.query, True)
    )
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _password(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.password:
        return parts.password
    for k, v in parse_qsl(parts.query, True):
        if k == "password":
            return v
    return None


def _scrub(text: str, url: str) -> str:
    secret = _password(url)
    text = " ".join(text.split())  # one line
    if secret:
        text = text.replace(secret, "***")
    return text.replace(url, redact(url))


def connect(url: str, *, autocommit: bool = False, timeout: float = 5.0) -> Any:
    """A connection to the store; an unreachable server, a wrong password or a missing database
    raises StoreError with one line naming the URL without its password."""
    psycopg = _psycopg()
    try:
        return psycopg.Connection.connect(
            url,
            autocommit=autocommit,
            connect_timeout=max(int(timeout), 1),
            # a server gone without a word (a dead network path) is noticed in seconds
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=3,
        )
    except psycopg.Error as error:
        raise StoreError(f"{redact(url)}: cannot connect: {_scrub(str(error), url)}") from None


SCHEMA_SQL = [
    "CREATE SCHEMA IF NOT EXISTS shoprules",
    """CREATE TABLE IF NOT EXISTS shoprules.schema_version (
         one boolean PRIMARY KEY DEFAULT true CHECK (one),
         version integer NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS shoprules.configs (
         name text PRIMARY KEY CHECK (name <> ''),
         created_at timestamptz NOT NULL DEFAULT now())""",
    """CREATE TABLE IF NOT EXISTS shoprules.versions (
         config_name text NOT NULL REFERENCES shoprules.configs(name),
         number integer NOT NULL CHECK (number >= 1),
         config_version text NOT NULL,
         parent integer,
         author text NOT NULL,
         made_at timestamptz NOT NULL,
         effective_at timestamptz NOT NULL,
         message text NOT NULL DEFAULT '',
         patch json NOT NULL,
         config json NOT NULL,
         PRIMARY KEY (config_name, number),
         CHECK (parent IS NULL AND number = 1 OR parent = number - 1))""",
    """CREATE OR REPLACE FUNCTION shoprules.versions_immutable() RETURNS trigger
         LANGUAGE plpgsql AS $$
       BEGIN
         RAISE EXCEPTION 'config versions are immutable: make a new version instead';
       END $$""",
    "DROP TRIGGER IF EXISTS versions_immutable ON shoprules.versions",
    """CREATE TRIGGER versions_immutable BEFORE UPDATE OR DELETE ON shoprules.versions
         FOR EACH ROW EXECUTE FUNCTION shoprules.versions_immutable()""",
    f"""CREATE OR REPLACE FUNCTION shoprules.versions_notify() RETURNS trigger
         LANGUAGE plpgsql AS $$
       BEGIN
         PERFORM pg_notify('{CHANNEL}', NEW.config_name || ' ' || NEW.number);
         RETURN NEW;
       END $$""",
    "DROP TRIGGER IF EXISTS versions_notify ON shoprules.versions",
    """CREATE TRIGGER versions_notify AFTER INSERT ON shoprules.versions
         FOR EACH ROW EXECUTE FUNCTION shoprules.versions_notify()""",
    """CREATE TABLE IF NOT EXISTS shoprules.processes (
         host text NOT NULL,
         pid integer NOT NULL,
         config_name text NOT NULL,
         instance integer NOT NULL DEFAULT 0,
         db_user text NOT NULL DEFAULT current_user,
         started_at timestamptz NOT NULL DEFAULT now(),
         version integer,
         config_version text NOT NULL DEFAULT '',
         plugins json NOT NULL DEFAULT '[]',
         last_seen timestamptz NOT NULL DEFAULT now(),
         beat_seconds real NOT NULL DEFAULT 5,
         last_error text,
         PRIMARY KEY (host, pid, config_name, instance))""",
    "ALTER TABLE shoprules.processes ENABLE ROW LEVEL SECURITY",
    "DROP POLICY IF EXISTS own_row ON shoprules.processes",
    """CREATE POLICY own_row ON shoprules.processes
         USING (db_user = current_user) WITH CHECK (db_user = current_user)""",
    """CREATE TABLE IF NOT EXISTS shoprules.operators (
         name text PRIMARY KEY,
         password_hash text NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now())""",
]


def reader_sql(role: str) -> list[str]:
    """What a storefront process needs, and no more: read configs and versions, LISTEN (open to
    any role), insert and update its own heartbeat rows (row-level security). No access to
    operators, no writes to versions."""
    r = '"' + role.replace('"', '""') + '"'
    return [
        f"GRANT USAGE ON SCHEMA shoprules TO {r}",
        f"GRANT SELECT ON shoprules.schema_version, shoprules.configs, shoprules.versions TO {r}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON shoprules.processes TO {r}",
    ]


def init_store(url: str) -> tuple[str, int]:
    """Creates the store's tables, or upgrades them to SCHEMA_VERSION; idempotent."""
    psycopg = _psycopg()
    conn = connect(url)
    try:
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(7310215)")  # one init at a time
            found = conn.execute(
                "SELECT to_regclass('shoprules.schema_version') IS NOT NULL"
            ).fetchone()[0]
            current = 0
            if found:
                row = conn.execute("SELECT version FROM shoprules.schema_version").fetchone()
                current = row[0] if row else 0
            if current > SCHEMA_VERSION:
                raise StoreError(
                    f"{redact(url)}: the store's schema is version {current}, newer than this "
                    f"shoprules knows ({SCHEMA_VERSION}): upgrade shoprules"
                )
            for sql in SCHEMA_SQL:
                conn.execute(sql)
            conn.execute(
                "INSERT INTO shoprules.schema_version (version) VALUES (%s) "
                "ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version",
                (SCHEMA_VERSION,),
            )
    except psycopg.Error as error:
        raise StoreError(f"{redact(url)}: store init failed: {_scrub(str(error), url)}") from None
    finally:
        conn.close()
    return redact(url), SCHEMA_VERSION


def grant_reader(url: str, role: str) -> str:
    psycopg = _psycopg()
    conn = connect(url)
    try:
        with conn.transaction():
            for sql in reader_sql(role):
                conn.execute(sql)
    except psycopg.Error as error:
        raise StoreError(
            f"{redact(url)}: grant to {role} failed: {_scrub(str(error), url)}"
        ) from None
    finally:
        conn.close()
    return redact(url)


VERSION_COLUMNS = (
    "number, config_version, parent, author, made_at, effective_at, message, patch, config, "
    "now() AS server_now"
)


def version_of(row: tuple[Any, ...], in_force: int | None) -> Version:
    number, cv, parent, author, made, eff, message, patch, config, server_now = row
    return Version(
        number=number,
        config_version=cv,
        parent=parent,
        author=author,
        made_at=made.astimezone(timezone.utc),
        effective_at=eff.astimezone(timezone.utc),
        message=message,
        patch=patch,
        config=config,
        in_force=number == in_force,
        scheduled=eff > server_now,
    )


class StoreOperators:
    def __init__(self, source: StoreSource) -> None:
        self._source = source

    def get(self, name: str) -> str | None:
        row = self._source._query(
            "SELECT password_hash FROM shoprules.operators WHERE name = %s", (name,)
        )
        return row[0][0] if row else None

    def names(self) -> list[str]:
        return [
            r[0] for r in self._source._query("SELECT name FROM shoprules.operators ORDER BY 1")
        ]

    def set(self, name: str, password_hash: str) -> None:
        self._source._query(
            "INSERT INTO shoprules.operators (name, password_hash) VALUES (%s, %s) "
            "ON CONFLICT (name) DO UPDATE SET password_hash = EXCLUDED.password_hash, "
            "updated_at = now()",
            (name, password_hash),
            fetch=False,
        )

    def remove(self, name: str) -> None:
        self._source._query("DELETE FROM shoprules.operators WHERE name = %s", (name,), fetch=False)


class StoreSource:
    """One named config in a PostgreSQL store."""

    kind = "store"

    def __init__(self, url: str, config_name: str = "main", plugin_dirs: list[str] | None = None):
        if not config_name:
            raise InputError("--config-name: a config name can't be empty")
        self._url = url
        self.url = redact(url)
        self.config_name = config_name
        self.plugin_dirs = plugin_dirs
        self.label = f"{self.url}#{config_name}"
        self._conn: Any = None
        self._operators = StoreOperators(self)

    def __repr__(self) -> str:
        return f"StoreSource({self.label!r})"

    # plumbing

    def _connection(self) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = connect(self._url, autocommit=True)
        return self._conn

    def _error(self, error: Exception) -> StoreError:
        psycopg = _psycopg()
        if isinstance(error, psycopg.errors.UndefinedTable):
            return StoreError(
                f"{self.url}: no config store here yet: run shoprules store init --config URL"
            )
        if isinstance(error, psycopg.errors.InsufficientPrivilege):
            return StoreError(f"{self.label}: not allowed: {_scrub(str(error), self._url)}")
        return StoreError(f"{self.label}: {_scrub(str(error), self._url)}")

    def _query(self, sql: str, params: tuple[Any, ...] = (), fetch: bool = True) -> Any:
        psycopg = _psycopg()
        try:
            cur = self._connection().execute(sql, params)
            return cur.fetchall() if fetch else None
        except psycopg.OperationalError as error:
            self.close()
            raise self._error(error) from None
        except psycopg.Error as error:
            raise self._error(error) from None

    def _rows(self, where: str = "", params: tuple[Any, ...] = (), tail: str = "") -> list[Version]:
        rows = self._query(
            f"SELECT {VERSION_COLUMNS} FROM shoprules.versions WHERE config_name = %s {where} "
            f"ORDER BY number DESC {tail}",
            (self.config_name, *params),
        )
        in_force = self._in_force_number()
        return [version_of(r, in_force) for r in rows]

    def _in_force_number(self) -> int | None:
        rows = self._query(
            "SELECT max(number) FROM shoprules.versions WHERE config_name = %s "
            "AND effective_at <= now()",
            (self.config_name,),
        )
        return rows[0][0]

    def _missing(self) -> StoreError:
        names = [r[0] for r in self._query("SELECT name FROM shoprules.configs ORDER BY 1")]
        have = f"(configs: {', '.join(names)})" if names else "(no configs yet: push one)"
        return StoreError(f"{self.label}: no config named {self.config_name!r} {have}")

    # reading

    def in_force(self) -> Version:
        n = self._in_force_number()
        if n is None:
            raise self._missing()
        return self.version(n)

    def version(self, n: int) -> Version:
        found = self._rows("AND number = %s", (n,))
        if not found:
            last = self._query(
                "SELECT max(number) FROM shoprules.versions WHERE config_name = %s",
                (self.config_name,),
            )[0][0]
            if last is None:
                raise self._missing()
            raise InputError(f"{self.label} has no version {n} (versions 1..{last})")
        return found[0]

    def history(self, limit: int | None = None) -> list[Version]:
        tail = "" if limit is None else f"LIMIT {max(int(limit), 0)}"
        out = self._rows(tail=tail)
        if not out and limit != 0:
            raise self._missing()
        return out

    def diff(self, a: int, b: int | None = None) -> list[dict[str, Any]]:
        va = self.version(a)
        vb = self.in_force() if b is None else self.version(b)
        return json_patch(va.config, vb.config)

    # writing

    def _write(
        self,
        change: Callable[[dict[str, Any] | None], tuple[dict[str, Any], Any]],
        *,
        author: str,
        message: str,
        at: datetime | None,
        create: bool = False,
    ) -> tuple[Version, Any, dict[str, Any]]:
        """One transaction: lock the config, read its latest version, apply `change` (which
        validates), insert the next version. Retried on a serialization failure."""
        psycopg = _psycopg()
        at = check_at(at)
        conn = self._connection()
        # Editors that collide retry after a random, growing pause (so two of them stop
        # meeting in step), for up to RETRY_SECONDS before giving up.
        deadline = time.monotonic() + RETRY_SECONDS
        for attempt in itertools.count():
            if attempt and time.monotonic() > deadline:
                break
            try:
                with conn.transaction():
                    conn.execute("SET TRANSACTION ISOLATION LEVEL SERIALIZABLE")
                    if create:
                        conn.execute(
                            "INSERT INTO shoprules.configs (name) VALUES (%s) "
                            "ON CONFLICT DO NOTHING",
                            (self.config_name,),
                        )
                    found = conn.execute(
                        "SELECT name FROM shoprules.configs WHERE name = %s FOR UPDATE",
                        (self.config_name,),
                    ).fetchone()
                    if found is None:
                        raise self._missing()
                    last = conn.execute(
                        f"SELECT {VERSION_COLUMNS} FROM shoprules.versions WHERE config_name = %s "
                        "ORDER BY number DESC LIMIT 1",
                        (self.config_name,),
                    ).fetchone()
                    parent = version_of(last, None) if last else None
                    config, extra = change(copy_json(parent.config) if parent else None)
                    result = check(config, Path("config"), self.plugin_dirs)
                    server_now = conn.execute("SELECT now()").fetchone()[
                        0
                    ]  # this transaction's time
                    effective = at or server_now
                    if parent and parent.effective_at > effective:
                        effective = parent.effective_at  # never before its parent
                    number = parent.number + 1 if parent else 1
                    row = conn.execute(
                        "INSERT INTO shoprules.versions (config_name, number, config_version, "
                        "parent, author, made_at, effective_at, message, patch, config) "
                        "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s) "
                        f"RETURNING {VERSION_COLUMNS}",
                        (
                            self.config_name,
                            number,
                            result["config_version"],
                            parent.number if parent else None,
                            author,
                            server_now,
                            effective,
                            message,
                            json.dumps(json_patch(parent.config, config) if parent else []),
                            json.dumps(config),
                        ),
                    ).fetchone()
                    version = version_of(row, None)
                return (
                    Version(**{**version.__dict__, "in_force": not version.scheduled}),
                    extra,
                    result,
                )
            except (
                psycopg.errors.SerializationFailure,
                psycopg.errors.DeadlockDetected,
                psycopg.errors.UniqueViolation,
            ):
                time.sleep(random.uniform(0, min(0.2, 0.002 * 2**attempt)))
                continue
            except psycopg.OperationalError as error:
                self.close()
                raise self._error(error) from None
            except psycopg.Error as error:
                raise self._error(error) from None
        raise StoreError(f"{self.label}: too many concurrent edits; try again")

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
    ) -> EditResult:
        def change(config: dict[str, Any] | None) -> tuple[dict[str, Any], Any]:
            if config is None:
                raise self._missing()
            old = set_in(config, keys, value, self.label)
            return config, old

        version, old, result = self._write(change, author=author, message=message, at=at)
        if old is _UNSET:
            old = default_of(result["plugins"]) if default_of else None
        entry = {
            "time": version.made_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "user": author,
            "command": command,
            "path": ".".join(keys),
            "old": old,
            "new": value,
            "config_version": version.config_version,
            "version": version.number,
            "message": message,
        }
        return EditResult(version, entry)

    def push(
        self,
        config: dict[str, Any],
        *,
        author: str,
        message: str = "",
        at: datetime | None = None,
    ) -> Version:
        if not isinstance(config, dict):
            raise InputError(f"{self.label}: a config must be a JSON object")
        version, _, _ = self._write(
            lambda _parent: (copy_json(config), None),
            author=author,
            message=message,
            at=at,
            create=True,
        )
        return version

    def rollback(
        self, n: int, *, author: str, message: str = "", at: datetime | None = None
    ) -> Version:
        target = self.version(n)
        version, _, _ = self._write(
            lambda _parent: (copy_json(target.config), None),
            author=author,
            message=message or f"rollback to version {n}",
            at=at,
        )
        return version

    def fleet(self) -> list[dict[str, Any]]:
        rows = self._query(
            "SELECT host, pid, config_name, version, config_version, plugins, last_seen, "
            "now() - last_seen > make_interval(secs => beat_seconds * %s), last_error, "
            "started_at FROM shoprules.processes WHERE config_name = %s "
            "ORDER BY host, pid, instance",
            (STALE_AFTER, self.config_name),
        )
        return [
            {
                "host": r[0],
                "pid": r[1],
                "config_name": r[2],
                "version": r[3],
                "config_version": r[4],
                "plugins": r[5],
                "last_seen": r[6].astimezone(timezone.utc),
                "stale": bool(r[7]),
                "last_error": r[8],
                "started_at": r[9].astimezone(timezone.utc),
            }
            for r in rows
        ]

    @property
    def operators(self) -> StoreOperators:
        return self._operators

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None

    def __enter__(self) -> StoreSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        conn = getattr(self, "_conn", None)
        if conn is not None:
            conn.close()


def this_host() -> str:
    return socket.gethostname()


def this_pid() -> int:
    return os.getpid()
