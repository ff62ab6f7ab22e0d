"""Fixtures for the Python tests: sample events, and the test plugins the C++ build made."""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path

import pytest
import shoprules

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "events"


def _test_plugin_root() -> Path:
    return Path(os.environ.get("SHOPRULES_TEST_PLUGIN_DIR", ROOT / "build" / "py" / "test_plugins"))


@pytest.fixture
def test_plugins() -> Path:
    root = _test_plugin_root()
    if not (root / "testkit" / "testkit.so").exists():
        pytest.fail(f"test plugins not built in {root}: run scripts/test.sh")
    return root


@pytest.fixture(scope="session")
def host() -> shoprules.Host:
    return shoprules.Host()


def load_event(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


@pytest.fixture
def order_event() -> dict:
    return copy.deepcopy(load_event("01-order-placed.json"))


@pytest.fixture
def return_event() -> dict:
    return copy.deepcopy(load_event("02-return-in-window.json"))


@pytest.fixture
def all_events() -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(EVENTS.glob("*.json"))]


@pytest.fixture(scope="session")
def pg():
    """A PostgreSQL server of the tests' own (tests/python/pgserver.py), for the session."""
    from pgserver import PgServer

    try:
        server = PgServer()
    except Exception as error:  # a test that needs it fails, never skips
        pytest.fail(f"could not start a PostgreSQL server for the tests: {error}")
    yield server
    server.close()
