"""One shoprules.Host per process, made on first use from SHOPRULES_CONFIG (and made again when
a test overrides that setting). Host.evaluate is thread-safe: every request thread shares it."""

from __future__ import annotations

import threading
from typing import Any

import shoprules
from django.core.signals import setting_changed
from django.dispatch import receiver

from . import conf

_lock = threading.Lock()
_host: shoprules.Host | None = None


def get_host() -> shoprules.Host:
    global _host
    host = _host
    if host is None:
        with _lock:
            if _host is None:
                _host = shoprules.Host(conf.config())
            host = _host
    return host


@receiver(setting_changed)
def _config_changed(setting: str, **kwargs: Any) -> None:
    global _host
    if setting == "SHOPRULES_CONFIG":
        with _lock:
            _host = None
