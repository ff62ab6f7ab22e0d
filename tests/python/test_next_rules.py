"""The next rules (DOMAIN.md, "The next rules"): each fires, does not fire, holds at its
boundaries, works with the rules it amends, and says why in the trace."""

from __future__ import annotations

import pytest
import shoprules
from builders import actions, contact, customer, only, order, return_request, trace


def host(plugin: str, **rules: dict) -> shoprules.Host:
    return shoprules.Host(config=only(plugin, rules))


def types(decision) -> list[str]:
    return [a.type for a in decision.actions]


def on(**params) -> dict:
    return {"enabled": True, **params}


def line(sku: str, price: int, category: str = "", qty: int = 1, **more) -> dict:
    return {"sku": sku, "price": price, "qty": qty, "category": category, **more}


def categorized_order(*order_lines: dict, cust: dict | None = None) -> dict:
    event = order(cust=cust)
    event["order"]["lines"] = list(order_lines)
    return event


# loyalty.pending_points ---------------------------------------------------------------------


def test_pending_points_is_off_by_default() -> None:
    d = host("loyalty").evaluate(order(4995))
    assert "available_after_days" not in actions(d, "loyalty.points")[0].params
    assert trace(d, "loyalty.pending_points")["outcome"] == "disabled"


def test_pending_points_holds_the_award_for_the_return_window() -> None:
    d = host("loyalty", pending_points=on()).evaluate(order(4995))
    (award,) = actions(d, "loyalty.points")
    assert award.params == {"points": 49, "available_after_days": 30}
    assert award.reason.endswith("; pending for 30 days, until the return window closes")
    assert trace(d, "loyalty.pending_points")["outcome"] == "fired"


@pytest.mark.parametrize(("days", "pending"), [(0, None), (1, 1), (3650, 3650)])
def test_pending_points_days_boundaries(days, pending) -> None:
    d = host("loyalty", pending_points=on(days=days)).evaluate(order(4995))
    assert actions(d, "loyalty.points")[0].params.get("available_after_days") == pending


def test_pending_points_without_an_award_does_nothing() -> None:
    d = host("loyalty", pending_points=on()).evaluate(order(99))  # under one whole unit
    assert trace(d, "loyalty.pending_points")["why"] == "no points awarded"


def test_pending_points_applies_to_a_vip_and_to_category_multiplied_points() -> None:
    cfg = {"pending_points": on(), "category_multiplier": on(multipliers={"shoes": 3})}
    event = categorized_order(line("SH", 10000, "shoes"), cust=customer(vip=True))
    (award,) = actions(host("loyalty", **cfg).evaluate(event), "loyalty.points")
    assert award.params == {"points": 600, "available_after_days": 30}  # 100 x3 x2 (VIP)


# loyalty.points_expiry ----------------------------------------------------------------------


def expiry_contact(last: str | None, points: int = 1200) -> dict:
    cust = customer(points=points)
    if last:
        cust["last_order_at"] = last
    return contact(cust=cust)


@pytest.mark.parametrize(
    ("last", "expires"),
    [
        ("2025-11-23T10:00:00Z", True),  # exactly 365 days before the event
        ("2025-11-23T10:00:01Z", False),  # a second short of 365 days
        ("2025-11-24T10:00:00Z", False),
    ],
)
def test_points_expiry_boundary(last, expires) -> None:
    d = host("loyalty").evaluate(expiry_contact(last))
    assert types(d) == (["points.expire"] if expires else [])


def test_points_expiry_says_since_when() -> None:
    d = host("loyalty").evaluate(expiry_contact("2025-06-01T15:30:00Z"))
    (expire,) = d.actions
    assert expire.params == {"points": 1200}
    assert (
        expire.reason
        == "No order since 2025-06-01 (539 days, the limit is 365): 1200 points expire"
    )


def test_points_expiry_does_not_fire_without_a_date_or_points() -> None:
    shop = host("loyalty")
    no_date = shop.evaluate(expiry_contact(None))
    assert trace(no_date, "loyalty.points_expiry")["why"] == "the profile has no last_order_at"
    no_points = shop.evaluate(expiry_contact("2020-01-01T00:00:00Z", points=0))
    assert trace(no_points, "loyalty.points_expiry")["why"] == "no points to expire"


def test_points_expiry_on_an_order_expires_the_old_balance_and_awards_the_new_points() -> None:
    event = order(4995, cust=customer(points=300, last_order_at="2024-01-01T00:00:00Z"))
    d = host("loyalty", points_expiry=on(days=30)).evaluate(event)
    assert {a.type: a.params["points"] for a in d.actions} == {
        "points.award": 49,
        "points.expire": 300,
    }


# loyalty.tier_terms -------------------------------------------------------------------------


def tiered(tier: str, spend_12m: int | None, lifetime: int = 0, price: int = 1000) -> dict:
    cust = customer(tier=tier, lifetime_spend=lifetime)
    if spend_12m is not None:
        cust["spend_12m"] = spend_12m
    return order(price, cust=cust)


def test_tier_terms_is_off_by_default_and_tiers_counts_lifetime_spend() -> None:
    d = host("loyalty").evaluate(tiered("silver", 0, lifetime=149000))
    assert [a.params for a in d.actions if a.type == "tier.change"] == [
        {"from": "silver", "to": "gold"}
    ]


def test_tier_terms_replaces_the_lifetime_upgrade() -> None:
    d = host("loyalty", tier_terms=on()).evaluate(tiered("silver", 60000, lifetime=149000))
    assert [a for a in d.actions if a.type == "tier.change"] == []
    assert trace(d, "loyalty.tiers")["merged"] == [
        "tier.change: replaced by loyalty.tier_terms: tiers count the last 12 months' spend"
    ]


@pytest.mark.parametrize(
    ("tier", "spend", "expected"),
    [
        ("member", 48999, None),  # 49,999 with the order: a unit short of silver
        ("member", 49000, {"from": "member", "to": "silver"}),  # exactly 50,000
        ("member", 149000, {"from": "member", "to": "gold"}),  # up two at once
        ("gold", 148999, {"from": "gold", "to": "silver"}),  # 149,999: one step down
        ("gold", 10, {"from": "gold", "to": "silver"}),  # never straight to member
        ("gold", 149000, None),  # exactly 150,000 keeps gold
        ("silver", 0, {"from": "silver", "to": "member"}),
    ],
)
def test_tier_terms_thresholds_and_one_step_down(tier, spend, expected) -> None:
    d = host("loyalty", tier_terms=on()).evaluate(tiered(tier, spend))
    changes = [a.params for a in actions(d, "loyalty.tier_terms")]
    assert changes == ([expected] if expected else [])


def test_tier_terms_trace_says_why() -> None:
    d = host("loyalty", tier_terms=on()).evaluate(tiered("gold", 40000, price=3000))
    (change,) = actions(d, "loyalty.tier_terms")
    assert change.reason == (
        "Spend over the last 12 months is 430.00 USD with this order, below gold's 1500.00 USD: "
        "gold -> silver"
    )


def test_tier_terms_downgrades_on_any_event_and_needs_spend_12m() -> None:
    shop = host("loyalty", tier_terms=on())
    d = shop.evaluate(contact(cust=customer(tier="silver", spend_12m=0)))
    assert [a.params for a in d.actions] == [{"from": "silver", "to": "member"}]
    d = shop.evaluate(tiered("silver", None, lifetime=149000))
    assert trace(d, "loyalty.tier_terms")["why"] == "the profile has no spend_12m"
    assert [a.params["to"] for a in d.actions if a.type == "tier.change"] == ["gold"]


# loyalty.category_multiplier ----------------------------------------------------------------


def test_category_multiplier_is_off_by_default() -> None:
    event = categorized_order(line("SH", 10000, "shoes"))
    (award,) = actions(host("loyalty").evaluate(event), "loyalty.points")
    assert award.params["points"] == 100


def test_category_multiplier_weights_points_by_category() -> None:
    cfg = {"category_multiplier": on(multipliers={"shoes": 2, "gift_cards": 0})}
    event = categorized_order(
        line("SH", 4995, "shoes", qty=2), line("GC", 5000, "gift_cards"), line("SK", 1000, "socks")
    )
    d = host("loyalty", **cfg).evaluate(event)
    (award,) = actions(d, "loyalty.points")
    assert award.params["points"] == 209  # (9,990 x2 + 0 + 1,000) / 100, rounded down
    assert award.reason.endswith("(209 with category multipliers: shoes x2, gift_cards x0)")
    assert trace(d, "loyalty.category_multiplier")["why"] == (
        "points.award 159 -> 209 by category multiplier (shoes x2, gift_cards x0)"
    )


def test_category_multiplier_x0_everywhere_drops_the_award() -> None:
    cfg = {"category_multiplier": on(multipliers={"gift_cards": 0})}
    d = host("loyalty", **cfg).evaluate(categorized_order(line("GC", 5000, "gift_cards")))
    assert [a.type for a in d.actions if a.type == "points.award"] == []


def test_category_multiplier_fractions_and_vip() -> None:
    cfg = {"category_multiplier": on(multipliers={"bags": 1.5})}
    event = categorized_order(line("BG", 999, "bags"), cust=customer(vip=True))
    (award,) = actions(host("loyalty", **cfg).evaluate(event), "loyalty.points")
    assert award.params["points"] == 28  # 999 x1.5 = 1,498 -> 14 units, x2 for a VIP


def test_category_multiplier_skips_unnamed_categories() -> None:
    cfg = {"category_multiplier": on(multipliers={"shoes": 2})}
    d = host("loyalty", **cfg).evaluate(categorized_order(line("SK", 1000, "socks")))
    assert trace(d, "loyalty.category_multiplier")["why"] == (
        "no line is in a category with a multiplier"
    )


@pytest.mark.parametrize(
    ("multipliers", "message"),
    [
        ({"shoes": -1}, "multipliers.shoes: expected a number in 0..100, got -1"),
        ({"shoes": "x2"}, 'multipliers.shoes: expected a number in 0..100, got "x2"'),
        ([2], "multipliers: expected an object of names to numbers"),
        ({f"c{i}": 1 for i in range(1001)}, "multipliers: expected at most 1000 entries, got 1001"),
    ],
)
def test_category_multiplier_refuses_bad_maps(multipliers, message) -> None:
    with pytest.raises(shoprules.ConfigError, match="category_multiplier") as error:
        host("loyalty", category_multiplier=on(multipliers=multipliers))
    assert message in str(error.value)


def test_a_map_of_a_hundred_thousand_entries_is_a_clear_config_error() -> None:
    huge = {f"c{i}": 1 for i in range(100_000)}
    with pytest.raises(shoprules.ConfigError) as error:
        host("loyalty", category_multiplier=on(multipliers=huge))
    message = str(error.value)
    assert "100000" in message and ("entries" in message or "values" in message)


# returns.category_window --------------------------------------------------------------------


def split_return(delivered: str, cust: dict | None = None) -> dict:
    return return_request(
        delivered,
        cust=cust,
        order_lines=[line("EL", 12900, "electronics"), line("SH", 5900, "shoes")],
        returned=[{"sku": "EL", "qty": 1}, {"sku": "SH", "qty": 1}],
    )


def skus(action) -> list[str]:
    return [x["sku"] for x in action.params["lines"]]


def test_category_window_is_off_by_default() -> None:
    d = host("returns").evaluate(split_return("2026-09-01T10:00:00Z"))
    assert types(d) == ["return.approve", "refund.issue"]


@pytest.mark.parametrize(
    ("delivered", "approved", "denied"),
    [
        ("2026-10-24T10:00:00Z", ["EL", "SH"], []),  # day 30: inside electronics' window
        ("2026-10-23T10:00:00Z", ["SH"], ["EL"]),  # day 31: split
    ],
)
def test_category_window_boundary_splits_the_return(delivered, approved, denied) -> None:
    shop = host("returns", category_window=on(days={"electronics": 30}))
    d = shop.evaluate(split_return(delivered))
    approve = [a for a in d.actions if a.type == "return.approve"]
    deny = [a for a in d.actions if a.type == "return.deny"]
    assert skus(approve[0]) == approved
    assert [skus(a) for a in deny] == ([denied] if denied else [])
    refund = next(a for a in d.actions if a.type == "refund.issue")
    assert refund.params["amount"] == 5900 + (12900 if "EL" in approved else 0)


def test_category_window_says_why_on_each_side() -> None:
    shop = host("returns", category_window=on(days={"electronics": 30}))
    d = shop.evaluate(split_return("2026-10-01T10:00:00Z"))
    deny = next(a for a in d.actions if a.type == "return.deny")
    assert deny.params["reason"] == "past_window"
    assert deny.reason == (
        "Returned 53 days after delivery, past its category's return window: "
        "EL (electronics: 30 days)"
    )
    approve = next(a for a in d.actions if a.type == "return.approve")
    assert approve.reason.startswith("Returned 53 days after delivery, within the 365-day")
    assert trace(d, "returns.category_window")["why"].startswith(
        "refused by category window: EL (electronics: 30 days); Returned 53 days"
    )


def test_category_window_longer_than_the_store_approves_past_it() -> None:
    shop = host("returns", window=on(days=30), category_window=on(days={"shoes": 90}))
    d = shop.evaluate(split_return("2026-09-24T10:00:00Z"))  # day 60
    approve = next(a for a in d.actions if a.type == "return.approve")
    assert skus(approve) == ["SH"]
    assert "within its category's return window: SH (shoes: 90 days)" in approve.reason
    deny = next(a for a in d.actions if a.type == "return.deny")
    assert skus(deny) == ["EL"]  # electronics keep the store's 30 days


def test_category_window_every_line_past_drops_the_approval() -> None:
    shop = host("returns", category_window=on(days={"electronics": 10, "shoes": 10}))
    d = shop.evaluate(split_return("2026-10-01T10:00:00Z"))
    assert types(d) == ["return.deny"]
    assert trace(d, "returns.refund")["why"] == "no returned line is due a refund"


def test_category_window_vip_lines_go_to_a_person() -> None:
    shop = host("returns", category_window=on(days={"electronics": 30}))
    d = shop.evaluate(split_return("2026-10-01T10:00:00Z", cust=customer(vip=True)))
    review = next(a for a in d.actions if a.type == "return.review")
    assert skus(review) == ["EL"]


def test_category_window_with_final_sale_and_keep_item() -> None:
    event = return_request(
        "2026-10-01T10:00:00Z",
        order_lines=[
            line("EL", 12900, "electronics"),
            line("FS", 1500, "shoes", final_sale=True),
            line("SO", 900, "socks"),
        ],
        returned=[{"sku": "EL", "qty": 1}, {"sku": "FS", "qty": 1}, {"sku": "SO", "qty": 1}],
    )
    shop = host(
        "returns",
        category_window=on(days={"electronics": 30}),
        final_sale=on(),
        keep_item=on(),
    )
    d = shop.evaluate(event)
    approve = next(a for a in d.actions if a.type == "return.approve")
    assert skus(approve) == ["SO"]  # EL past its window, FS final sale
    assert approve.params["keep"] is True  # 9.00 is worth keeping
    denied = sorted(s for a in d.actions if a.type == "return.deny" for s in skus(a))
    assert denied == ["EL", "FS"]
    assert next(a for a in d.actions if a.type == "refund.issue").params["amount"] == 900


# returns.holiday_window ---------------------------------------------------------------------


def holiday_return(placed: str, at: str, delivered: str = "2026-12-02T10:00:00Z") -> dict:
    event = return_request(delivered, at=at)
    event["order"]["placed_at"] = placed
    return event


def test_holiday_window_is_off_by_default() -> None:
    shop = host("returns", window=on(days=30))
    d = shop.evaluate(holiday_return("2026-11-28T10:00:00Z", "2027-01-20T10:00:00Z"))
    assert types(d) == ["return.deny"]


@pytest.mark.parametrize(
    ("placed", "at", "approved"),
    [
        ("2026-11-01T00:00:00Z", "2027-01-31T23:59:59Z", True),  # first day, last second
        ("2026-12-31T23:59:59Z", "2027-01-20T10:00:00Z", True),  # last day of the season
        ("2026-11-28T10:00:00Z", "2027-02-01T00:00:00Z", False),  # the day after `until`
        ("2026-10-31T23:59:59Z", "2027-01-20T10:00:00Z", False),  # before the season
    ],
)
def test_holiday_window_boundaries(placed, at, approved) -> None:
    shop = host("returns", window=on(days=30), holiday_window=on())
    d = shop.evaluate(holiday_return(placed, at, delivered="2026-11-05T10:00:00Z"))
    assert types(d) == (["return.approve", "refund.issue"] if approved else ["return.deny"])


def test_holiday_window_says_why() -> None:
    shop = host("returns", window=on(days=30), holiday_window=on())
    d = shop.evaluate(holiday_return("2026-11-28T10:00:00Z", "2027-01-20T10:00:00Z"))
    approve = d.actions[0]
    assert approve.reason.startswith(
        "Ordered on 2026-11-28, in the holiday season (11-01 to 12-31): returnable until "
        "2027-01-31: approved"
    )
    assert trace(d, "returns.window")["merged"] == [
        "return.deny: Ordered on 2026-11-28, in the holiday season (11-01 to 12-31): returnable "
        "until 2027-01-31"
    ]


def test_holiday_window_over_new_year() -> None:
    shop = host(
        "returns", window=on(days=10), holiday_window=on(**{"from": "12-15", "to": "01-05"})
    )
    january = holiday_return("2027-01-03T10:00:00Z", "2027-01-30T10:00:00Z", "2027-01-05T10:00:00Z")
    assert types(shop.evaluate(january)) == ["return.approve", "refund.issue"]
    late = holiday_return("2027-01-03T10:00:00Z", "2027-02-01T10:00:00Z", "2027-01-05T10:00:00Z")
    assert types(shop.evaluate(late)) == ["return.deny"]


def test_holiday_window_rescues_lines_a_category_window_refused_but_not_final_sale() -> None:
    event = return_request(
        "2026-12-02T10:00:00Z",
        at="2027-01-20T10:00:00Z",
        order_lines=[line("EL", 12900, "electronics"), line("FS", 1500, "shoes", final_sale=True)],
        returned=[{"sku": "EL", "qty": 1}, {"sku": "FS", "qty": 1}],
    )
    event["order"]["placed_at"] = "2026-11-28T10:00:00Z"
    shop = host(
        "returns",
        category_window=on(days={"electronics": 30}),
        holiday_window=on(),
        final_sale=on(),
    )
    d = shop.evaluate(event)
    approve = next(a for a in d.actions if a.type == "return.approve")
    assert skus(approve) == ["EL"]
    deny = next(a for a in d.actions if a.type == "return.deny")
    assert deny.params == {"lines": [{"sku": "FS", "qty": 1}], "reason": "final_sale"}


def test_holiday_window_without_placed_at_does_nothing() -> None:
    shop = host("returns", window=on(days=30), holiday_window=on())
    d = shop.evaluate(return_request("2026-01-01T10:00:00Z"))
    assert trace(d, "returns.holiday_window")["why"] == "the order has no placed_at"


@pytest.mark.parametrize("bad", ["13-01", "02-30", "1101", "11-1", 1101])
def test_holiday_window_refuses_bad_dates(bad) -> None:
    with pytest.raises(shoprules.ConfigError, match=r"holiday_window\.until: expected a day of"):
        host("returns", holiday_window=on(until=bad))


# returns.instant_refund ---------------------------------------------------------------------


def trusted(orders: int = 5, returns: int = 0, price: int = 10000) -> dict:
    return return_request(
        cust=customer(orders=orders, returns=returns),
        order_lines=[line("SH", price)],
    )


def test_instant_refund_is_off_by_default() -> None:
    d = host("returns").evaluate(trusted())
    assert "instant" not in next(a for a in d.actions if a.type == "refund.issue").params


@pytest.mark.parametrize(
    ("orders", "returns", "price", "instant"),
    [
        (5, 0, 10000, True),  # every threshold met exactly
        (4, 0, 10000, False),  # too few orders
        (5, 1, 10000, False),  # a rate of exactly 0.2 is not below it
        (10, 1, 10000, True),  # 0.1
        (5, 0, 10001, False),  # worth a unit too much
    ],
)
def test_instant_refund_boundaries(orders, returns, price, instant) -> None:
    d = host("returns", instant_refund=on()).evaluate(trusted(orders, returns, price))
    refund = next(a for a in d.actions if a.type == "refund.issue")
    assert refund.params.get("instant", False) is instant


def test_instant_refund_says_why_and_counts_after_a_restocking_fee() -> None:
    event = trusted(orders=12, returns=1, price=11000)
    event["return"]["lines"][0]["reason"] = "changed_mind"
    shop = host("returns", instant_refund=on(), restocking_fee=on())
    d = shop.evaluate(event)
    refund = next(a for a in d.actions if a.type == "refund.issue")
    assert refund.params["amount"] == 9350 and refund.params["instant"] is True
    assert refund.reason.endswith(
        ", paid now, before the item arrives (a trusted customer: 12 orders, 8% returned)"
    )
    assert trace(d, "returns.instant_refund")["why"] == (
        "instant refund of 93.50 USD: 12 orders, 8% returned, at most 100.00 USD"
    )


def test_instant_refund_without_a_refund_does_nothing() -> None:
    d = host("returns", instant_refund=on()).evaluate(return_request("2020-01-01T00:00:00Z"))
    assert trace(d, "returns.instant_refund")["why"] == "no refund to pay early"


# returns.exchange_first ---------------------------------------------------------------------


def exchange(delivered: str = "2026-11-01T10:00:00Z", **x) -> dict:
    return return_request(
        delivered,
        order_lines=[line("SH", 8900, "shoes", size="9"), line("TS", 2000, "shirts")],
        returned=[
            {"sku": "SH", "qty": 1, "reason": "size", "exchange_for": {"sku": "SH", **x}},
            {"sku": "TS", "qty": 1, "reason": "changed_mind"},
        ],
    )


def test_exchange_first_ships_the_new_size_and_refunds_only_the_rest() -> None:
    d = host("returns").evaluate(exchange(size="10"))
    (ship,) = [a for a in d.actions if a.type == "exchange.ship"]
    assert ship.params == {
        "sku": "SH",
        "size": "10",
        "qty": 1,
        "shipping": "standard",
        "charge": 0,
        "returned_sku": "SH",
    }
    assert ship.reason == (
        "Exchange for SH in size 10: it ships now by standard shipping at no charge, and the "
        "returned SH is not refunded"
    )
    assert next(a for a in d.actions if a.type == "refund.issue").params["amount"] == 2000


def test_exchange_first_is_not_charged_a_restocking_fee() -> None:
    event = exchange(size="10")
    event["return"]["lines"][0]["reason"] = "changed_mind"
    d = host("returns", restocking_fee=on()).evaluate(event)
    refund = next(a for a in d.actions if a.type == "refund.issue")
    assert refund.params["fee"] == 300  # 15% of the shirt only


def test_exchange_first_does_not_ship_for_a_denied_line() -> None:
    d = host("returns").evaluate(exchange("2020-01-01T10:00:00Z", size="10"))
    assert types(d) == ["return.deny"]
    assert trace(d, "returns.exchange_first")["why"] == "no approved return to exchange"


def test_exchange_first_does_nothing_for_a_plain_return() -> None:
    d = host("returns").evaluate(return_request())
    assert trace(d, "returns.exchange_first")["why"] == "no line asks for an exchange"


def test_exchange_for_a_line_not_on_the_order_is_an_invalid_event() -> None:
    event = exchange(size="10")
    event["return"]["lines"][0]["sku"] = "NOPE"
    with pytest.raises(shoprules.InvalidEvent) as error:
        host("returns").evaluate(event)
    assert error.value.path == "return.lines[0].exchange_for"
    assert 'sku "NOPE" is not on it' in str(error.value)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("SH", "return.lines[0].exchange_for: expected an object"),
        ({"size": "10"}, "return.lines[0].exchange_for.sku: is required"),
        ({"sku": ""}, 'return.lines[0].exchange_for.sku: expected a sku, got ""'),
        ({"sku": "SH", "size": 10}, "return.lines[0].exchange_for.size: expected a string"),
    ],
)
def test_exchange_for_bad_values(value, message) -> None:
    event = exchange()
    event["return"]["lines"][0]["exchange_for"] = value
    with pytest.raises(
        shoprules.InvalidEvent, match=message.replace("[", r"\[").replace("]", r"\]")
    ):
        host("returns").evaluate(event)


# delight.first_order_welcome ----------------------------------------------------------------


def test_first_order_welcome_is_off_by_default() -> None:
    d = host("delight").evaluate(order(6000, cust=customer(orders=0)))
    assert trace(d, "delight.first_order_welcome")["outcome"] == "disabled"


@pytest.mark.parametrize(
    ("orders", "subtotal", "expected"),
    [
        (0, 5000, ["gift.send", "coupon.issue"]),  # exactly the minimum
        (0, 4999, ["gift.send"]),
        (1, 9000, []),
    ],
)
def test_first_order_welcome_boundaries(orders, subtotal, expected) -> None:
    d = host("delight", first_order_welcome=on()).evaluate(
        order(subtotal, cust=customer(orders=orders))
    )
    assert [a.type for a in actions(d, "delight.first_order_welcome")] == expected


def test_first_order_welcome_card_and_coupon() -> None:
    d = host("delight", first_order_welcome=on()).evaluate(order(6500, cust=customer(orders=0)))
    card, coupon = actions(d, "delight.first_order_welcome")
    assert card.params == {"kind": "card", "message": "Thank you for your first order", "value": 0}
    assert coupon.params == {"amount": 500, "currency": "USD", "expires_in_days": 30}
    assert coupon.reason == (
        "A first order of 65.00 USD (at least 50.00 USD): a coupon of 5.00 USD for the next order"
    )


def test_first_order_welcome_coupon_merges_with_the_big_order_coupon() -> None:
    cfg = {
        "plugins": {"delight": {"rules": {"first_order_welcome": {"enabled": True}}}},
    }
    d = shoprules.Host(cfg).evaluate(order(30000, cust=customer(orders=0)))
    (coupon,) = [a for a in d.actions if a.type == "coupon.issue"]
    assert coupon.params["percent"] == 10  # 30.00 beats 5.00
    assert trace(d, "delight.first_order_welcome")["merged"] == [
        "coupon.issue: replaced by the more valuable coupon from loyalty.big_order_coupon"
    ]


def test_an_exchanged_line_keeps_its_points() -> None:
    d = shoprules.Host().evaluate(exchange(size="10"))
    (revoke,) = [a for a in d.actions if a.type == "points.revoke"]
    assert revoke.params == {"points": 20}  # the shirt only; the shoes are exchanged


def test_inspect_shows_map_and_day_params() -> None:
    import subprocess
    import sys
    from pathlib import Path

    cli = str(Path(sys.executable).with_name("shoprules"))
    plugin = str(Path(shoprules.plugin_dir()) / "returns.so")
    out = subprocess.run([cli, "inspect", plugin], capture_output=True, text=True, check=True)
    assert "days: map of names to int in 0..3650, at most 1000 entries, default {}." in out.stdout
    assert 'until: day_of_year (MM-DD), default "01-31".' in out.stdout


def test_set_writes_a_map_param_and_refuses_a_bad_one(tmp_path) -> None:
    import json
    import subprocess
    import sys
    from pathlib import Path

    cli = str(Path(sys.executable).with_name("shoprules"))
    config = tmp_path / "store.json"
    config.write_text("{}")
    ok = subprocess.run(
        [
            cli,
            "set",
            "returns.category_window.days",
            '{"electronics": 30}',
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
    )
    assert ok.returncode == 0, ok.stderr
    written = json.loads(config.read_text())
    assert written["plugins"]["returns"]["rules"]["category_window"]["days"] == {"electronics": 30}
    bad = subprocess.run(
        [
            cli,
            "set",
            "loyalty.category_multiplier.multipliers",
            '{"shoes": -1}',
            "--config",
            str(config),
        ],
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 1
    assert "multipliers.shoes: expected a number in 0..100, got -1" in bad.stderr
    assert json.loads(config.read_text()) == written  # nothing written


@pytest.mark.parametrize(("returns", "instant"), [(0, True), (1, False)])
def test_instant_refund_for_a_customer_with_no_orders_yet(returns, instant) -> None:
    shop = host("returns", instant_refund=on(min_orders=0))
    d = shop.evaluate(trusted(orders=0, returns=returns, price=1000))
    refund = next(a for a in d.actions if a.type == "refund.issue")
    assert refund.params.get("instant", False) is instant
