"""Host: the compiled host, plus watching a config file and reloading it when it changes."""

from __future__ import annotations

import logging
import os
import threading
import weakref
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from . import _core

log = logging.getLogger("shoprules")


def _stamp(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


class _Watcher:
    """Polls a config file; on a change, reloads the host. A rejected file is logged and the old
    snapshot keeps serving. Holds the host weakly: a host nobody uses stops its watcher."""

    def __init__(self, host: Host, path: Path, interval: float) -> None:
        self._host = weakref.ref(host)
        self._path = path
        self._interval = interval
        self._stamp = _stamp(path)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"shoprules-watch:{path.name}", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not threading.current_thread():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            stamp = _stamp(self._path)
            if stamp == self._stamp:
                continue
            self._stamp = stamp
            host = self._host()
            if host is None:
                return
            host._reload_from_watcher()
            del host


class Host(_core.Host):
    """Loaded plugins and a config snapshot; evaluates events. See SPEC section 1.

    With ``watch=True`` (config must be a file path) the file is checked every
    ``poll_seconds`` and reloaded when it changes; a bad file is logged on the
    ``shoprules`` logger, kept in ``last_reload_error``, and the old config keeps serving.

    With a store URL (``postgresql://...``, SPEC section 7) the host starts from the version of
    ``config_name`` in force and follows the store on a thread of its own (LISTEN/NOTIFY, and a
    check every ``check_seconds``); ``cache_path`` keeps the last version seen, to start from
    when the store is unreachable. ``follow=False`` reads the version in force once.
    """

    def __init__(
        self,
        config: str | os.PathLike[str] | dict[str, Any] | None = None,
        plugin_dirs: Iterable[str | os.PathLike[str]] | None = None,
        *,
        bundled: bool = True,
        watch: bool = False,
        poll_seconds: float = 0.5,
        config_name: str = "main",
        cache_path: str | os.PathLike[str] | None = None,
        follow: bool = True,
        check_seconds: float = 5.0,
        heartbeat_seconds: float = 5.0,
    ) -> None:
        self._follower: Any = None
        self._store_start: Any = None
        if isinstance(config, str) and config.startswith(("postgresql://", "postgres://")):
            if watch:
                raise ValueError("watch=True is for config files; a store config is followed")
            from .follow import first_version  # psycopg only when a store is used

            cache = None if cache_path is None else Path(cache_path)
            start = first_version(config, config_name, cache)
            self._store_start = start
            store_url, config = config, start.config
        super().__init__(
            config, None if plugin_dirs is None else list(plugin_dirs), bundled=bundled
        )
        self.last_reload_error: _core.ConfigError | None = None
        self._watcher: _Watcher | None = None
        if self._store_start is not None:
            self._store = (store_url, config_name)
            if self._store_start.connected:  # it loaded here: the one to start from next time
                from .follow import write_cache

                s = self._store_start
                write_cache(cache, store_url, config_name, s.number, s.config_version, s.config)
            if follow:
                from .follow import StoreFollower

                self._follower = StoreFollower(
                    self,
                    store_url,
                    config_name,
                    self._store_start,
                    cache_path=cache,
                    check_seconds=check_seconds,
                    heartbeat_seconds=heartbeat_seconds,
                )
        if watch:
            if not isinstance(config, (str, os.PathLike)):
                raise ValueError("watch=True needs config to be a file path")
            if poll_seconds <= 0:
                raise ValueError("poll_seconds must be positive")
            self._watcher = _Watcher(self, Path(config), poll_seconds)
        self._poll_seconds = poll_seconds

    def reload(self, config: str | os.PathLike[str] | dict[str, Any] | None = None) -> str:
        """Re-reads the config (or takes a new one) atomically; returns the new config_version.
        A watching host follows a new config file, and stops watching when given a dict."""
        version = super().reload(config)
        if config is not None and self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
            if isinstance(config, (str, os.PathLike)):
                self._watcher = _Watcher(self, Path(config), self._poll_seconds)
        return version

    @property
    def config_source(self) -> dict[str, Any] | None:
        """Where the config comes from. A store: url (without password), config_name, version
        (number) and whether connected. None for a file or a dict."""
        if self._follower is not None:
            return self._follower.source()
        if self._store_start is not None:
            from .pgstore import redact

            return {
                "kind": "store",
                "url": redact(self._store[0]),
                "config_name": self._store[1],
                "version": self._store_start.number,
                "connected": False,
            }
        return None

    def _load_store_version(self, config: dict[str, Any], number: int, cv: str) -> bool:
        """On the follower's thread: swaps in a store version. One this machine can't load
        leaves the host on its version, logged and kept in last_reload_error."""
        try:
            _core.Host.reload(self, config)
        except _core.Error as error:
            self.last_reload_error = _core.ConfigError(f"version {number}: {error}")
            log.error(
                "config store version %d refused, still serving %s: %s",
                number,
                self.config_version,
                error,
            )
            return False
        self.last_reload_error = None
        log.info("config store version %d in force: %s", number, cv)
        return True

    def _reload_from_watcher(self) -> None:
        try:
            version = super().reload()
        except _core.ConfigError as error:
            self.last_reload_error = error
            log.error("config rejected, still serving %s: %s", self.config_version, error)
        else:
            self.last_reload_error = None
            log.info("config reloaded: %s", version)

    def close(self) -> None:
        """Stops watching the config file or following the store. The host still evaluates."""
        if self._watcher is not None:
            self._watcher.stop()
            self._watcher = None
        if self._follower is not None:
            self._follower.stop()
            self._follower = None

    def __enter__(self) -> Host:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __del__(self) -> None:
        watcher = getattr(self, "_watcher", None)
        if watcher is not None:
            watcher._stop.set()
        follower = getattr(self, "_follower", None)
        if follower is not None:
            follower._stop.set()
