"""simulate counts the money of the next rules: exchanges at the price of the item shipped,
expired points as a saving, instant refunds like refunds, and money on events without an order
in the store's currency."""

from __future__ import annotations

import json
from pathlib import Path

from shoprules import _core

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "events"
CONFIG = json.loads((ROOT / "examples" / "configs" / "store.json").read_text())


def replay(tmp_path: Path, events: list[dict], config: dict) -> dict:
    log = tmp_path / "events.jsonl"
    log.write_text("".join(json.dumps(e) + "\n" for e in events))
    (report,) = _core.simulate(log, config, threads=1)["configs"]
    return report


def sample(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def test_exchanges_expiry_and_instant_refunds_are_counted(tmp_path: Path) -> None:
    events = [
        sample("22-contact-points-expiry.json"),
        sample("26-return-instant-refund.json"),
        sample("27-return-exchange.json"),
    ]
    report = replay(tmp_path, events, CONFIG)
    by_type = report["by_type"]
    assert by_type["exchange.ship"] == {"count": 1, "money": {"USD": 8900}}
    assert by_type["points.expire"] == {"count": 1, "money": {"USD": -1200}}  # a saving
    assert by_type["refund.issue"] == {"count": 1, "money": {"USD": 3900}}  # the instant one
    assert report["points"]["expired"] == 1200
    assert report["by_rule"]["returns.exchange_first"]["money"] == {"USD": 8900}


def test_money_on_a_contact_is_in_the_store_currency(tmp_path: Path) -> None:
    contact = {
        "id": "evt-c",
        "type": "contact.received",
        "at": "2026-11-23T10:00:00Z",
        "customer": {"id": "c-1"},
        "contact": {"channel": "phone", "circumstances": ["bereavement"]},
    }
    report = replay(tmp_path, [contact], {"currency": "EUR"})
    assert report["by_type"]["gift.send"]["money"] == {"EUR": 5000}
    assert report["goodwill"] == {"EUR": 5000}
    default = replay(tmp_path, [contact], {})
    assert default["goodwill"] == {"USD": 5000}  # never an amount with no currency
