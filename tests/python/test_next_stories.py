"""The next rules as customers would tell them: the sample events of examples/events (20-28)
through the demo's store config (examples/configs/store.json), which switches them on."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import shoprules

ROOT = Path(__file__).resolve().parents[2]
EVENTS = ROOT / "examples" / "events"


@pytest.fixture(scope="module")
def shop() -> shoprules.Host:
    return shoprules.Host(config=str(ROOT / "examples" / "configs" / "store.json"))


def story(name: str) -> dict:
    return json.loads((EVENTS / name).read_text())


def by_type(decision) -> dict[str, dict]:
    out = {a.type: a.params for a in decision.actions}
    assert len(out) == len(decision.actions), "one action per type expected"
    return out


def test_shoes_earn_double_and_a_gift_card_earns_nothing(shop) -> None:
    """ "I bought two pairs of shoes and a gift card for my sister. The shoes earned double
    points, the gift card none, as the shop's points page says." """
    got = by_type(shop.evaluate(story("20-order-category-multiplier.json")))
    assert got["points.award"]["points"] == 199  # 99.90 x2, the gift card x0


def test_points_wait_until_the_return_window_closes(shop) -> None:
    """ "My points showed up at once but said 'pending': I can spend them in 30 days, once I
    can no longer send the bag back." """
    got = by_type(shop.evaluate(story("21-order-pending-points.json")))
    assert got["points.award"] == {"points": 158, "available_after_days": 30}  # VIP x2


def test_a_year_and_a_half_away_and_the_points_are_gone(shop) -> None:
    """ "I had not ordered since June last year. When I wrote to support, they told me my
    1,200 points had expired, and since when I had been away." """
    d = shop.evaluate(story("22-contact-points-expiry.json"))
    (expire,) = [a for a in d.actions if a.type == "points.expire"]
    assert expire.params == {"points": 1200}
    assert "No order since 2025-06-01" in expire.reason


def test_a_gold_customer_who_spent_less_this_year_drops_one_tier(shop) -> None:
    """ "I used to spend a lot. This year much less: my next order moved me from gold to
    silver, not all the way down, and told me how much I had spent." """
    d = shop.evaluate(story("23-order-tier-terms-downgrade.json"))
    assert by_type(d)["tier.change"] == {"from": "gold", "to": "silver"}
    assert "Spend over the last 12 months is 430.00 USD" in d.actions[-1].reason


def test_headphones_have_a_shorter_window_than_shoes(shop) -> None:
    """ "I sent back headphones and shoes 50 days after they came. The shoes were taken back;
    the headphones were not, because electronics have 30 days, and the email said so." """
    d = shop.evaluate(story("24-return-category-window.json"))
    got = by_type(d)
    assert got["return.approve"]["lines"] == [{"sku": "SH-74", "qty": 1}]
    assert got["return.deny"]["lines"] == [{"sku": "EL-HP", "qty": 1}]
    assert got["refund.issue"]["amount"] == 5900


def test_a_christmas_present_can_go_back_in_january(shop) -> None:
    """ "The camera I got for Christmas was bought in November. I returned it on 20 January,
    long after the 30 days for electronics, and they took it back: holiday orders may be
    returned until the end of January." """
    d = shop.evaluate(story("25-return-holiday-window.json"))
    got = by_type(d)
    assert got["return.approve"]["lines"] == [{"sku": "EL-CAM", "qty": 1}]
    assert got["refund.issue"]["amount"] == 24900
    assert "return.deny" not in got


def test_a_loyal_customer_is_refunded_before_the_parcel_arrives(shop) -> None:
    """ "I have ordered a dozen times and returned once. The shirt was faulty: the refund came
    the same day, before they had it back." """
    got = by_type(shop.evaluate(story("26-return-instant-refund.json")))
    assert got["refund.issue"]["instant"] is True
    assert got["refund.issue"]["amount"] == 3900


def test_the_right_size_ships_before_the_wrong_one_comes_back(shop) -> None:
    """ "The shoes were too small. I asked for a 10 instead; it shipped that day, free, and I
    was not charged or refunded anything, and I kept my points." """
    got = by_type(shop.evaluate(story("27-return-exchange.json")))
    assert got["exchange.ship"]["sku"] == "SH-77"
    assert got["exchange.ship"]["size"] == "10"
    assert got["exchange.ship"]["charge"] == 0
    assert "refund.issue" not in got
    assert "points.revoke" not in got


def test_a_first_order_gets_a_thank_you_and_a_reason_to_come_back(shop) -> None:
    """ "My first order came with a thank-you card and 5 dollars off the next one." """
    got = by_type(shop.evaluate(story("28-order-first-welcome.json")))
    assert got["gift.send"]["kind"] == "card"
    assert got["coupon.issue"] == {"amount": 500, "currency": "USD", "expires_in_days": 30}
