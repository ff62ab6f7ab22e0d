"""The loyalty plugin's rules: when each fires, when it does not, and its boundary."""

from __future__ import annotations

import pytest
import shoprules
from builders import actions, customer, only, order, return_request, trace


@pytest.fixture(scope="module")
def loyalty() -> shoprules.Host:
    return shoprules.Host(config=only("loyalty"))


def test_points_per_whole_currency_unit(loyalty) -> None:
    (award,) = actions(loyalty.evaluate(order(10000, 2599)), "loyalty.points")
    assert award.type == "points.award"
    assert award.params == {"points": 125}  # 125.99 USD: whole units only
    assert award.reason == "125 points for an order of 125.99 USD"


def test_points_double_for_a_vip(loyalty) -> None:
    (award,) = actions(loyalty.evaluate(order(10000, cust=customer(vip=True))), "loyalty.points")
    assert award.params == {"points": 200}
    assert award.reason.endswith("(x2 for a VIP)")


def test_points_boundary_of_one_unit(loyalty) -> None:
    d = loyalty.evaluate(order(99))
    assert actions(d, "loyalty.points") == []
    assert trace(d, "loyalty.points")["why"] == "the order is too small to earn a point"
    assert actions(loyalty.evaluate(order(100)), "loyalty.points")[0].params == {"points": 1}


def test_points_in_a_zero_decimal_currency(loyalty) -> None:
    d = loyalty.evaluate(order(1500, currency="JPY"))
    assert actions(d, "loyalty.points")[0].params == {"points": 1500}


def test_points_are_tunable() -> None:
    host = shoprules.Host(config=only("loyalty", {"points": {"per_unit": 3}}))
    assert actions(host.evaluate(order(1000)), "loyalty.points")[0].params == {"points": 30}


@pytest.mark.parametrize(
    ("tier", "spend", "subtotal", "to"),
    [
        ("member", 49000, 1000, "silver"),  # crosses exactly
        ("member", 48999, 1000, None),  # one cent short
        ("silver", 140000, 10000, "gold"),
        ("member", 0, 150000, "gold"),  # two tiers at once
        ("gold", 900000, 1000, None),
        ("platinum", 0, 200000, None),  # not a tier this rule manages
    ],
)
def test_tiers(loyalty, tier, spend, subtotal, to) -> None:
    d = loyalty.evaluate(order(subtotal, cust=customer(tier=tier, lifetime_spend=spend)))
    changes = actions(d, "loyalty.tiers")
    if to is None:
        assert changes == []
        assert trace(d, "loyalty.tiers")["outcome"] == "skipped"
    else:
        assert [c.params for c in changes] == [{"from": tier, "to": to}]
        assert f"{tier} -> {to}" in changes[0].reason


def test_big_order_coupon_threshold(loyalty) -> None:
    (coupon,) = actions(loyalty.evaluate(order(20000)), "loyalty.big_order_coupon")
    assert coupon.type == "coupon.issue"
    assert coupon.params == {"percent": 10, "expires_in_days": 60}
    d = loyalty.evaluate(order(19999))
    assert actions(d, "loyalty.big_order_coupon") == []
    assert trace(d, "loyalty.big_order_coupon")["why"] == "the order is below the coupon threshold"


@pytest.mark.parametrize(("earlier", "nth"), [(9, "10th"), (19, "20th"), (8, None), (10, None)])
def test_repeat_gift_every_tenth_order(loyalty, earlier, nth) -> None:
    gifts = actions(
        loyalty.evaluate(order(1000, cust=customer(orders=earlier))), "loyalty.repeat_gift"
    )
    if nth is None:
        assert gifts == []
    else:
        assert [g.params for g in gifts] == [
            {"kind": "card", "message": f"Thank you for your {nth} order", "value": 0}
        ]


def test_vip_shipping(loyalty) -> None:
    (up,) = actions(loyalty.evaluate(order(1000, cust=customer(vip=True))), "loyalty.vip_shipping")
    assert up.params == {"from": "standard", "to": "expedited"}
    assert actions(loyalty.evaluate(order(1000)), "loyalty.vip_shipping") == []
    fast = order(1000, cust=customer(vip=True), shipping="overnight")
    assert actions(loyalty.evaluate(fast), "loyalty.vip_shipping") == []


def test_return_clawback_takes_back_the_points_of_approved_lines() -> None:
    host = shoprules.Host(config={"plugins": {"delight": {"enabled": False}}})
    (revoke,) = actions(host.evaluate(return_request()), "loyalty.return_clawback")
    assert revoke.type == "points.revoke"
    assert revoke.params == {"points": 49}
    vip = return_request(cust=customer(vip=True))
    assert actions(host.evaluate(vip), "loyalty.return_clawback")[0].params == {"points": 98}


def test_return_clawback_leaves_denied_returns_alone() -> None:
    host = shoprules.Host(config={"plugins": {"delight": {"enabled": False}}})
    d = host.evaluate(return_request("2024-01-01T00:00:00Z"))
    assert actions(d, "loyalty.return_clawback") == []
    assert trace(d, "loyalty.return_clawback")["why"] == "no approved return"


def test_every_loyalty_rule_ignores_other_events(loyalty) -> None:
    d = loyalty.evaluate(return_request())
    assert actions(d) == []
