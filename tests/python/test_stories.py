"""The stories of DOMAIN.md, end to end through every bundled plugin at its defaults."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shoprules
from builders import actions, order, trace

EVENTS = Path(__file__).resolve().parents[2] / "examples" / "events"


@pytest.fixture(scope="module")
def shop() -> shoprules.Host:
    return shoprules.Host()


def story(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def by_type(decision) -> dict[str, dict]:
    out = {a.type: a.params for a in decision.actions}
    assert len(out) == len(decision.actions), "one action per type expected"
    return out


def test_wedding_shoes_misdelivered_by_the_carrier(shop) -> None:
    d = shop.evaluate(story("06-story-wedding-shoes-misdelivered.json"))
    got = by_type(d)
    assert got["replacement.ship"] == {"skus": ["SH-W"], "shipping": "overnight", "charge": 0}
    assert got["refund.issue"]["amount"] == 8900  # in full
    assert got["refund.issue"]["method"] == "original"
    assert got["vip.grant"] == {"customers": ["c-51"], "benefits": ["free_expedited_shipping"]}
    assert d.errors == []


def test_mother_after_surgery(shop) -> None:
    d = shop.evaluate(story("09-story-mother-after-surgery.json"))
    got = by_type(d)
    assert got["gift.send"]["kind"] == "flowers"
    assert got["vip.grant"]["customers"] == ["c-60", "c-61", "c-62"]
    assert "reply.due" not in got  # a phone call is never rushed


def test_bereaved_customers_return(shop) -> None:
    d = shop.evaluate(story("10-story-bereaved-return.json"))
    got = by_type(d)
    assert got["return.approve"]["pickup"] is True
    assert got["return.approve"]["label"] == "prepaid"  # at no cost
    assert got["refund.issue"]["amount"] == 6500
    assert got["gift.send"]["kind"] == "flowers"
    approve = actions(d, "returns.window")[0]
    assert approve.reason.endswith("a courier collects it at no cost")


def test_vip_shipping_and_surprise_upgrade_merge_to_overnight() -> None:
    shop = shoprules.Host(
        config={"plugins": {"delight": {"rules": {"surprise_upgrade": {"rate": 1.0}}}}}
    )
    d = shop.evaluate(order(5000, cust={"id": "c-v", "vip": True}))
    upgrades = [a for a in d.actions if a.type == "shipping.upgrade"]
    assert [(u.params["to"], u.rule) for u in upgrades] == [("overnight", "surprise_upgrade")]
    assert trace(d, "loyalty.vip_shipping")["merged"] == [
        "shipping.upgrade: replaced by the faster upgrade from delight.surprise_upgrade"
    ]


def test_every_sample_event_decides_without_errors(shop) -> None:
    for path in sorted(EVENTS.glob("*.json")):
        d = shop.evaluate(json.loads(path.read_text()))
        assert d.errors == [], path.name
        for action in d.actions:
            assert action.reason, (path.name, action.type)
            for key, value in action.params.items():
                assert not isinstance(value, float), (path.name, action.type, key)


def test_every_event_type_is_in_the_samples() -> None:
    kinds = {json.loads(p.read_text())["type"] for p in EVENTS.glob("*.json")}
    assert kinds == {
        "order.placed",
        "shipment.exception",
        "return.requested",
        "contact.received",
        "stock.inquiry",
    }
