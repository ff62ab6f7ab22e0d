"""A Host following a PostgreSQL config store: the first version at start (or the last-known-good
cache file when the store is away), then LISTEN/NOTIFY with a periodic check as a safety net, on
a thread of its own. Reloads swap snapshots atomically: `evaluate` never waits for the store."""

from __future__ import annotations

import itertools
import json
import logging
import threading
import time
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import _core
from .config_edit import write_atomically
from .pgstore import CHANNEL, StoreError, _psycopg, _scrub, connect, redact, this_host, this_pid

if TYPE_CHECKING:
    from .host import Host

log = logging.getLogger("shoprules")

IN_FORCE_SQL = (
    "SELECT number, config_version, config FROM shoprules.versions WHERE config_name = %s "
    "AND effective_at <= now() ORDER BY number DESC LIMIT 1"
)
AFTER_SQL = (
    "SELECT number, config_version, effective_at <= now(), "
    "extract(epoch FROM effective_at - now()), config FROM shoprules.versions "
    "WHERE config_name = %s AND number > %s ORDER BY number"
)


class Start:
    """What a host starts from: a version of the store, or the cache when the store is away."""

    def __init__(self, number: int, config_version: str, config: dict[str, Any], connected: bool):
        self.number = number
        self.config_version = config_version
        self.config = config
        self.connected = connected


def _cache_payload(url: str, name: str, number: int, cv: str, config: dict[str, Any]) -> str:
    return json.dumps(
        {
            "url": redact(url),
            "config_name": name,
            "number": number,
            "config_version": cv,
            "config": config,
        }
    )


def first_version(url: str, name: str, cache_path: Path | None, timeout: float = 5.0) -> Start:
    """The version in force, read from the store; from the cache file with a warning when the
    store can't be reached; ConfigError when neither."""
    label = f"{redact(url)}#{name}"
    try:
        psycopg = _psycopg()
    except StoreError as error:
        raise _core.ConfigError(str(error)) from None
    try:
        conn = connect(url, autocommit=True, timeout=timeout)
    except StoreError as error:
        if cache_path is not None and cache_path.exists():
            try:
                cached = json.loads(cache_path.read_text())
                if cached["url"] != redact(url) or cached["config_name"] != name:
                    raise ValueError("another store's cache")
                start = Start(cached["number"], cached["config_version"], cached["config"], False)
            except (OSError, ValueError, KeyError, TypeError) as bad:
                raise _core.ConfigError(
                    f"{error}; and the cache {cache_path} can't be used: {bad}"
                ) from None
            log.warning(
                "%s: store unreachable (%s); starting from the cached version %d in %s",
                label,
                error,
                start.number,
                cache_path,
            )
            return start
        raise _core.ConfigError(
            f"{error}" + (f" (and no cache at {cache_path})" if cache_path else "")
        ) from None
    try:
        row = conn.execute(IN_FORCE_SQL, (name,)).fetchone()
    except psycopg.errors.UndefinedTable:
        raise _core.ConfigError(
            f"{redact(url)}: no config store here yet: run shoprules store init --config URL"
        ) from None
    except psycopg.Error as error:
        raise _core.ConfigError(f"{label}: {_scrub(str(error), url)}") from None
    finally:
        conn.close()
    if row is None:
        raise _core.ConfigError(f"{label}: no config named {name!r} in force in this store")
    return Start(row[0], row[1], row[2], True)


_instances = itertools.count()


class StoreFollower:
    """Follows one named config for one host; holds the host weakly."""

    def __init__(
        self,
        host: Host,
        url: str,
        name: str,
        start: Start,
        *,
        cache_path: Path | None,
        check_seconds: float,
        heartbeat_seconds: float,
    ) -> None:
        self._host = weakref.ref(host)
        self._url = url
        self.url = redact(url)
        self.name = name
        self.version = start.number
        self.config_version = start.config_version
        self.connected = start.connected
        self._tried = start.number  # the highest version tried (loaded or refused)
        self._cache_path = cache_path
        self._check = check_seconds
        self._beat = heartbeat_seconds
        self._next_due: float | None = None  # monotonic time a scheduled version is due
        self._beat_soon: float | None = None  # a heartbeat owed after a version change
        self._beat_refused = False
        self._stop = threading.Event()
        self._conn: Any = None
        self._caught_up = threading.Event()
        self._instance = next(_instances)  # hosts of one process on one config: a row each
        self._thread = threading.Thread(
            target=self._run, name=f"shoprules-follow:{name}", daemon=True
        )
        self._thread.start()

    def source(self) -> dict[str, Any]:
        return {
            "kind": "store",
            "url": self.url,
            "config_name": self.name,
            "version": self.version,
            "connected": self.connected,
        }

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join(10)

    # the thread

    def _run(self) -> None:
        psycopg = _psycopg()
        backoff = 0.05
        last_beat = 0.0
        last_check = 0.0
        lost = not self.connected
        try:
            while not self._stop.is_set():
                try:
                    if self._conn is None:
                        self._conn = connect(self._url, autocommit=True, timeout=2.0)
                        self._conn.execute(f"LISTEN {CHANNEL}")
                        if lost:
                            log.info("%s#%s: store reconnected", self.url, self.name)
                        self.connected = True
                        lost = False
                        if not self._catch_up():
                            return
                        last_check = time.monotonic()
                        self._heartbeat()
                        last_beat = time.monotonic()
                        backoff = 0.05
                    now = time.monotonic()
                    wait = min(
                        0.25,  # stop() never waits longer
                        max(last_check + self._check - now, 0.0),
                        max(last_beat + self._beat - now, 0.0),
                    )
                    if self._beat_soon is not None:
                        wait = min(wait, max(self._beat_soon - now, 0.0))
                    if self._next_due is not None:
                        wait = min(wait, max(self._next_due - now, 0.0))
                    notified = False
                    for n in self._conn.notifies(timeout=wait, stop_after=1):
                        if n.payload.rsplit(" ", 1)[0] == self.name:
                            notified = True
                    now = time.monotonic()
                    due = self._next_due is not None and now >= self._next_due
                    if notified or due or now >= last_check + self._check:
                        last_check = now
                        if not self._catch_up():
                            return
                    soon = self._beat_soon is not None and now >= self._beat_soon
                    if soon or now >= last_beat + self._beat:
                        self._heartbeat()
                        last_beat = now
                        self._beat_soon = None
                except (psycopg.OperationalError, StoreError) as error:
                    if self.connected:
                        log.warning(
                            "%s#%s: store connection lost (%s); still serving version %s, "
                            "reconnecting",
                            self.url,
                            self.name,
                            _scrub(str(error), self._url),
                            self.version,
                        )
                    self.connected = False
                    lost = True
                    self._close_conn()
                    if self._stop.wait(backoff):
                        break
                    backoff = min(backoff * 2, 1.0)
                except psycopg.Error as error:  # a query refused: log it, keep going
                    log.error("%s#%s: %s", self.url, self.name, _scrub(str(error), self._url))
                    self._close_conn()
                    if self._stop.wait(1.0):
                        break
                except Exception as error:  # never let the follower die quietly
                    log.error("%s#%s: follower: %r", self.url, self.name, error)
                    self._close_conn()
                    if self._stop.wait(1.0):
                        break
        finally:
            if self._stop.is_set() and self._conn is not None:
                try:  # a host closed on purpose leaves the fleet; one that died goes stale
                    self._conn.execute(
                        "DELETE FROM shoprules.processes WHERE host = %s AND pid = %s "
                        "AND config_name = %s AND instance = %s",
                        (this_host(), this_pid(), self.name, self._instance),
                    )
                except Exception:
                    pass
            self._close_conn()

    def _close_conn(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except Exception:
                pass
            self._conn = None

    def _catch_up(self) -> bool:
        """Loads every version after the current one that is in force, in order (none skipped);
        notes when the next scheduled one is due. False when the host is gone."""
        rows = self._conn.execute(AFTER_SQL, (self.name, self._tried)).fetchall()
        self._next_due = None
        for number, cv, in_force, seconds_left, config in rows:
            if not in_force:
                self._next_due = time.monotonic() + max(float(seconds_left), 0.0)
                break
            host = self._host()
            if host is None:
                return False
            self._tried = number
            try:
                loaded = host._load_store_version(config, number, cv)
            finally:
                del host
            if loaded:
                self.version = number
                self.config_version = cv
                self._write_cache(number, cv, config)
            # the fleet hears of it shortly: not while other processes are still loading
            self._beat_soon = time.monotonic() + 0.05
        self._caught_up.set()
        return True

    def _heartbeat(self) -> None:
        host = self._host()
        if host is None or self._conn is None:
            return
        try:
            plugins = sorted(f"{p['name']}@{p['version']}" for p in host.plugins())
            error = host.last_reload_error
            config_version = host.config_version  # what this process's decisions name
        finally:
            del host
        psycopg = _psycopg()
        try:
            self._beat_sql(plugins, error, config_version)
        except psycopg.OperationalError:
            raise
        except psycopg.Error as refused:  # no right to beat: keep following all the same
            if not self._beat_refused:
                log.error(
                    "%s#%s: heartbeat refused: %s",
                    self.url,
                    self.name,
                    _scrub(str(refused), self._url),
                )
            self._beat_refused = True

    def _beat_sql(self, plugins: list[str], error: Any, config_version: str) -> None:
        self._conn.execute(
            "INSERT INTO shoprules.processes (host, pid, config_name, instance, version, "
            "config_version, plugins, last_seen, beat_seconds, last_error) "
            "VALUES (%s, %s, %s, %s, %s, %s, %s, now(), %s, %s) "
            "ON CONFLICT (host, pid, config_name, instance) DO UPDATE SET "
            "version = EXCLUDED.version, config_version = EXCLUDED.config_version, "
            "plugins = EXCLUDED.plugins, "
            "last_seen = now(), beat_seconds = EXCLUDED.beat_seconds, "
            "last_error = EXCLUDED.last_error",
            (
                this_host(),
                this_pid(),
                self.name,
                self._instance,
                self.version,
                config_version,
                json.dumps(plugins),
                self._beat,
                None if error is None else str(error),
            ),
        )

    def _write_cache(self, number: int, cv: str, config: dict[str, Any]) -> None:
        write_cache(self._cache_path, self._url, self.name, number, cv, config)


def write_cache(
    path: Path | None, url: str, name: str, number: int, cv: str, config: dict[str, Any]
) -> None:
    """The last version seen, kept to start from when the store is away (mode 0600)."""
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            path.touch(mode=0o600)
        write_atomically(path, _cache_payload(url, name, number, cv, config))
    except OSError as error:
        log.warning("cannot write the config cache %s: %s", path, error)
