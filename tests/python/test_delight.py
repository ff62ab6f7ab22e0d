"""The delight plugin's rules: when each fires, when it does not, and its boundary."""

from __future__ import annotations

import pytest
import shoprules
from builders import (
    actions,
    contact,
    customer,
    inquiry,
    only,
    order,
    return_request,
    shipment,
    trace,
)


@pytest.fixture(scope="module")
def delight() -> shoprules.Host:
    return shoprules.Host(config=only("delight"))


def host_with(**rules: dict) -> shoprules.Host:
    return shoprules.Host(config=only("delight", rules))


def test_surprise_upgrade_rate_bounds() -> None:
    always = host_with(surprise_upgrade={"rate": 1.0})
    (up,) = actions(always.evaluate(order(1000)), "delight.surprise_upgrade")
    assert up.params == {"from": "standard", "to": "overnight"}
    never = host_with(surprise_upgrade={"rate": 0.0})
    d = never.evaluate(order(1000))
    assert actions(d) == []
    assert trace(d, "delight.surprise_upgrade")["why"] == "not picked for a surprise this time"


def test_surprise_upgrade_never_for_an_already_faster_order() -> None:
    always = host_with(surprise_upgrade={"rate": 1.0})
    d = always.evaluate(order(1000, shipping="expedited"))
    assert actions(d) == []
    assert trace(d, "delight.surprise_upgrade")["why"] == (
        "the order already ships faster than standard"
    )


def test_service_recovery_replaces_at_no_charge(delight) -> None:
    for status in ["lost", "misdelivered", "damaged"]:
        (replace,) = actions(delight.evaluate(shipment(status)), "delight.service_recovery")
        assert replace.type == "replacement.ship"
        assert replace.params == {"skus": ["SKU-0"], "shipping": "overnight", "charge": 0}
    d = delight.evaluate(shipment("late", days_late=1))
    assert actions(d, "delight.service_recovery") == []


@pytest.mark.parametrize(
    ("fault", "needed_by", "recovered"),
    [
        (True, "2026-11-23T20:00:00Z", True),  # overnight arrives tomorrow: missed
        (True, "2026-11-24T10:00:01Z", False),  # overnight arrives in time
        (True, "2026-11-24T10:00:00Z", False),  # exactly in time
        (False, "2026-11-23T20:00:00Z", False),  # not the carrier's fault
        (True, None, False),  # no date given
    ],
)
def test_service_recovery_refund_and_vip_when_the_date_is_missed(
    delight, fault, needed_by, recovered
) -> None:
    d = delight.evaluate(shipment("misdelivered", carrier_fault=fault, needed_by=needed_by))
    types = [a.type for a in actions(d, "delight.service_recovery")]
    if recovered:
        assert types == ["replacement.ship", "refund.issue", "vip.grant"]
        refund = d.actions[1]
        assert refund.params == {"amount": 8900, "method": "original", "bonus": 0, "fee": 0}
        assert d.actions[2].params == {
            "customers": ["c-1"],
            "benefits": ["free_expedited_shipping"],
        }
    else:
        assert types == ["replacement.ship"]


@pytest.mark.parametrize(("days_late", "fires"), [(2, True), (1, False), (5, True)])
def test_late_apology(delight, days_late, fires) -> None:
    d = delight.evaluate(shipment("late", days_late=days_late))
    got = actions(d, "delight.late_apology")
    if not fires:
        assert got == []
        return
    apology, coupon = got
    assert apology.params == {"channel": "email", "within_minutes": 60}
    assert coupon.params == {"amount": 500, "currency": "USD", "expires_in_days": 90}


def test_sympathy_for_a_bereavement_sends_flowers(delight) -> None:
    d = delight.evaluate(contact("phone", circumstances=["bereavement"]))
    (flowers,) = actions(d, "delight.sympathy")
    assert flowers.params == {
        "kind": "flowers",
        "message": "With our deepest sympathy",
        "value": 5000,
        "currency": "USD",
    }


def test_sympathy_for_an_illness_makes_the_household_vip(delight) -> None:
    cust = customer(household=["c-mother", "c-sister"])
    d = delight.evaluate(contact("phone", circumstances=["medical"], cust=cust))
    flowers, vip = actions(d, "delight.sympathy")
    assert flowers.params["kind"] == "flowers"
    assert vip.params == {
        "customers": ["c-1", "c-mother", "c-sister"],
        "benefits": ["free_expedited_shipping"],
    }


def test_sympathy_reads_circumstances_on_a_return_too(delight) -> None:
    d = delight.evaluate(return_request(circumstances=["bereavement"]))
    assert [a.type for a in actions(d, "delight.sympathy")] == ["gift.send"]
    assert actions(delight.evaluate(contact(circumstances=["wedding"])), "delight.sympathy") == []


@pytest.mark.parametrize(
    ("channel", "topic", "due"),
    [
        ("email", "presale", {"within_minutes": 30, "priority": "high"}),
        ("chat", "presale", {"within_minutes": 30, "priority": "high"}),
        ("email", "support", {"within_minutes": 60, "priority": "normal"}),
        ("chat", "complaint", {"within_minutes": 60, "priority": "normal"}),
        ("phone", "presale", None),
    ],
)
def test_fast_reply(delight, channel, topic, due) -> None:
    d = delight.evaluate(contact(channel, topic))
    got = [a.params for a in actions(d, "delight.fast_reply")]
    assert got == ([due] if due else [])
    if due is None:
        assert trace(d, "delight.fast_reply")["why"] == (
            "phone calls are answered live and never rushed"
        )


def test_refer_competitor(delight) -> None:
    (refer,) = actions(delight.evaluate(inquiry(in_stock=False)), "delight.refer_competitor")
    assert refer.params == {"sku": "SH-7", "size": "11", "competitors_to_check": 3}
    assert actions(delight.evaluate(inquiry(in_stock=True)), "delight.refer_competitor") == []


def test_public_complaint(delight) -> None:
    d = delight.evaluate(contact("social", "complaint", public=True))
    assert [(a.type, a.params) for a in actions(d, "delight.public_complaint")] == [
        ("complaint.respond", {"public": True, "thank": True, "within_minutes": 60})
    ]
    d = delight.evaluate(contact("social", "complaint", public=True, our_fault=True))
    assert [a.type for a in actions(d, "delight.public_complaint")] == [
        "complaint.respond",
        "apology.send",
    ]
    assert actions(d, "delight.public_complaint")[1].params == {
        "channel": "social",
        "within_minutes": 60,
    }
    assert (
        actions(delight.evaluate(contact("email", "complaint")), "delight.public_complaint") == []
    )
    assert (
        actions(
            delight.evaluate(contact("social", "presale", public=True)), "delight.public_complaint"
        )
        == []
    )


def test_goodwill_cap_reduces_a_refund_to_what_is_left(delight) -> None:
    event = shipment(
        "lost",
        carrier_fault=True,
        needed_by="2026-11-23T12:00:00Z",
        cust=customer(goodwill_last_90d=15000),
    )
    d = delight.evaluate(event)
    (refund,) = [a for a in d.actions if a.type == "refund.issue"]
    assert refund.params["amount"] == 5000
    assert "(reduced to 50.00 USD: goodwill cap)" in refund.reason
    cap = trace(d, "delight.goodwill_cap")
    assert cap["outcome"] == "fired"
    assert cap["why"].startswith("refund.issue amount reduced from 8900 to 5000")


def test_goodwill_cap_drops_what_cannot_be_reduced(delight) -> None:
    event = contact("phone", circumstances=["bereavement"], cust=customer(goodwill_last_90d=18000))
    d = delight.evaluate(event)
    assert [a.type for a in d.actions] == []
    assert trace(d, "delight.sympathy")["merged"] == [
        "gift.send: dropped by delight.goodwill_cap: over the goodwill cap (20.00 USD left of the "
        "90-day budget)"
    ]
    assert trace(d, "delight.goodwill_cap")["outcome"] == "fired"


def test_goodwill_within_the_cap_is_untouched(delight) -> None:
    d = delight.evaluate(shipment("late", days_late=3))
    assert [a.type for a in d.actions] == ["apology.send", "coupon.issue"]
    assert trace(d, "delight.goodwill_cap")["why"] == "goodwill is within the cap"


def test_goodwill_cap_counts_only_the_bonus_of_a_return_refund() -> None:
    host = shoprules.Host(config={"plugins": {"loyalty": {"enabled": False}}})
    event = return_request(
        refund_to="store_credit",
        order_lines=[{"sku": "TV", "price": 90000, "qty": 1}],
        cust=customer(goodwill_last_90d=19000),
    )
    (refund,) = [a for a in host.evaluate(event).actions if a.type == "refund.issue"]
    assert refund.params["amount"] == 90000  # the goods came back: not goodwill
    assert refund.params["bonus"] == 1000  # 9000 bonus cut to the 1000 left


def test_every_delight_rule_is_declared_with_its_defaults(delight) -> None:
    (plugin,) = [p for p in delight.plugins() if p["name"] == "delight"]
    rules = {r["id"]: r for r in plugin["rules"]}
    assert list(rules) == [
        "surprise_upgrade",
        "service_recovery",
        "late_apology",
        "sympathy",
        "fast_reply",
        "refer_competitor",
        "public_complaint",
        "first_order_welcome",
        "goodwill_cap",
    ]
    assert rules["surprise_upgrade"]["defaults"] == {"rate": 0.1}
    assert rules["late_apology"]["defaults"]["days"] == 2
    assert rules["late_apology"]["defaults"]["coupon_amount"] == 500
    assert rules["late_apology"]["defaults"]["expires_in_days"] == 90
    assert rules["fast_reply"]["defaults"] == {"presale_minutes": 30, "support_minutes": 60}
    assert rules["refer_competitor"]["defaults"] == {"competitors": 3}
    assert rules["goodwill_cap"]["defaults"] == {"cap": 20000}
    assert rules["goodwill_cap"]["phase"] == "review"
