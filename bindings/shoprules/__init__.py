"""shoprules: customer-service rules as plugins, for Python storefront backends.

>>> import shoprules
>>> host = shoprules.Host()
>>> decision = host.evaluate(event)
>>> [a.type for a in decision.actions]
"""

from __future__ import annotations

from pathlib import Path

from ._core import (
    Action,
    ConfigError,
    Decision,
    Error,
    InvalidEvent,
    PluginLoadError,
    RuleError,
    abi_key,
)
from .eventlog import EventLogError, convert, simulate
from .host import Host

__version__ = "0.1.0"

__all__ = [
    "Action",
    "ConfigError",
    "Decision",
    "Error",
    "EventLogError",
    "Host",
    "InvalidEvent",
    "PluginLoadError",
    "RuleError",
    "abi_key",
    "cmake_dir",
    "convert",
    "include_dir",
    "plugin_dir",
    "simulate",
]

_HERE = Path(__file__).resolve().parent


def cmake_dir() -> str:
    """The folder to pass as -Dshoprules_DIR= to build a plugin against this installation."""
    return str(_HERE / "cmake")


def include_dir() -> str:
    """The folder holding the SDK headers (shoprules/sdk.hpp)."""
    return str(_HERE / "include")


def plugin_dir() -> str:
    """The folder of the bundled plugins."""
    return str(_HERE / "plugins")
