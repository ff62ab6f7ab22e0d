"""The console's param forms for maps (name -> number) and days of the year ("MM-DD"): shown
with their schema, saved through the same edit as `shoprules set`, refused with its message."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from console_support import signed_in_client


@pytest.fixture
def client(tmp_path: Path):
    with signed_in_client(tmp_path) as c:
        yield c


def save(client, rule: str, param: str, value: str):
    return client.post(
        "/rules/param",
        data={
            "csrf": client.csrf,
            "store": "",
            "plugin": "returns",
            "rule": rule,
            "param": param,
            "value": value,
        },
    )


def test_map_and_day_params_show_their_schema(client) -> None:
    page = client.get("/rules").text
    assert "map of name to int in 0..3650, at most 1000 entries, as JSON; default {}" in page
    assert "day of the year, MM-DD; default 01-31" in page
    # A day is shown as the operator types it, not as a JSON string.
    assert 'id="v-returns.holiday_window.until" data-param="returns.holiday_window.until"' in page
    assert 'value="01-31"' in page


def test_a_map_param_is_saved_and_a_bad_entry_refused(client) -> None:
    r = save(client, "category_window", "days", '{"electronics": 30}')
    assert r.status_code == 303, r.text
    saved = json.loads(client.config.read_text())
    assert saved["plugins"]["returns"]["rules"]["category_window"]["days"] == {"electronics": 30}
    before = client.config.read_text()
    r = save(client, "category_window", "days", '{"electronics": -1}')
    assert r.status_code == 400
    assert "plugins.returns.rules.category_window.days.electronics" in r.text
    assert client.config.read_text() == before  # refused: the file is unchanged


def test_a_day_param_is_saved_as_typed_and_a_bad_day_refused(client) -> None:
    r = save(client, "holiday_window", "until", "02-15")
    assert r.status_code == 303, r.text
    saved = json.loads(client.config.read_text())
    assert saved["plugins"]["returns"]["rules"]["holiday_window"]["until"] == "02-15"
    before = client.config.read_text()
    r = save(client, "holiday_window", "until", "13-45")
    assert r.status_code == 400 and "holiday_window.until" in r.text
    assert client.config.read_text() == before
