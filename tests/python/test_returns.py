"""The returns plugin's rules: when each fires, when it does not, and its boundary."""

from __future__ import annotations

import pytest
import shoprules
from builders import actions, customer, only, return_request, trace


def host_with(**rules: dict) -> shoprules.Host:
    return shoprules.Host(config=only("returns", rules))


@pytest.fixture(scope="module")
def returns() -> shoprules.Host:
    return host_with()


def types(decision) -> list[str]:
    return [a.type for a in decision.actions]


@pytest.mark.parametrize(
    ("delivered", "expected"),
    [
        ("2025-11-23T09:00:00Z", ["return.approve", "refund.issue"]),  # day 365
        ("2025-11-22T09:00:00Z", ["return.deny"]),  # day 366
    ],
)
def test_window_last_day(returns, delivered, expected) -> None:
    assert types(returns.evaluate(return_request(delivered))) == expected


def test_window_vip_goes_to_a_person(returns) -> None:
    d = returns.evaluate(return_request("2024-01-01T00:00:00Z", cust=customer(vip=True)))
    assert types(d) == ["return.review"]


def test_final_sale_is_off_by_default(returns) -> None:
    event = return_request(order_lines=[{"sku": "FS", "price": 3000, "qty": 1, "final_sale": True}])
    assert types(returns.evaluate(event)) == ["return.approve", "refund.issue"]
    assert trace(returns.evaluate(event), "returns.final_sale")["outcome"] == "disabled"


def test_final_sale_denies_only_final_sale_lines() -> None:
    host = host_with(final_sale={"enabled": True})
    event = return_request(
        order_lines=[
            {"sku": "FS", "price": 3000, "qty": 1, "final_sale": True},
            {"sku": "OK", "price": 2000, "qty": 1},
        ],
        returned=[{"sku": "FS", "qty": 1}, {"sku": "OK", "qty": 1}],
    )
    d = host.evaluate(event)
    assert types(d) == ["return.approve", "return.deny", "refund.issue"]
    approve, deny, refund = d.actions
    assert approve.params["lines"] == [{"sku": "OK", "qty": 1}]
    assert deny.params == {"lines": [{"sku": "FS", "qty": 1}], "reason": "final_sale"}
    assert refund.params["amount"] == 2000
    only_final = return_request(
        order_lines=[{"sku": "FS", "price": 3000, "qty": 1, "final_sale": True}]
    )
    d = host.evaluate(only_final)
    assert types(d) == ["return.deny"]
    assert trace(d, "returns.window")["merged"] == ["return.approve: every line is final sale"]


def test_free_return_shipping_label(returns) -> None:
    (approve,) = actions(returns.evaluate(return_request()), "returns.window")
    assert approve.params["label"] == "prepaid"
    assert approve.reason.endswith(", with a prepaid return label")
    paid = host_with(free_return_shipping={"enabled": False}).evaluate(return_request())
    assert paid.actions[0].params["label"] == "customer_paid"
    assert paid.actions[0].reason.endswith("; return postage is the customer's")
    assert types(paid) == ["return.approve", "refund.issue"]  # still accepted


@pytest.mark.parametrize(
    ("orders", "returned", "value", "label"),
    [
        (10, 5, 60000, "customer_paid"),
        (10, 4, 60000, "prepaid"),  # 40% is not over 40%
        (10, 5, 50000, "prepaid"),  # 50,000 is not over 50,000
        (10, 5, 50001, "customer_paid"),
        (0, 0, 0, "prepaid"),
    ],
)
def test_serial_returner_guard(orders, returned, value, label) -> None:
    host = host_with(serial_returner_guard={"enabled": True})
    cust = customer(orders=orders, returns=returned, returned_value=value)
    d = host.evaluate(return_request(cust=cust))
    assert d.actions[0].type == "return.approve"  # always accepted
    assert d.actions[0].params["label"] == label


@pytest.mark.parametrize("circumstance", ["bereavement", "medical"])
def test_hardship_pickup(returns, circumstance) -> None:
    d = returns.evaluate(return_request(circumstances=[circumstance]))
    approve = d.actions[0]
    assert approve.params["pickup"] is True
    assert approve.params["label"] == "prepaid"
    assert approve.reason.endswith("; a courier collects it at no cost")
    plain = returns.evaluate(return_request(circumstances=["gift"]))
    assert plain.actions[0].params["pickup"] is False


@pytest.mark.parametrize(("price", "keep"), [(2500, True), (2501, False)])
def test_keep_item_boundary(price, keep) -> None:
    host = host_with(keep_item={"enabled": True})
    event = return_request(order_lines=[{"sku": "CHEAP", "price": price, "qty": 1}])
    approve, refund = host.evaluate(event).actions
    assert approve.params["keep"] is keep
    assert approve.params["label"] == ("none" if keep else "prepaid")
    assert refund.params["amount"] == price


def test_refund_to_the_original_method(returns) -> None:
    refund = returns.evaluate(return_request()).actions[1]
    assert refund.params == {"amount": 4995, "method": "original", "bonus": 0, "fee": 0}


def test_store_credit_bonus_rounds_half_up(returns) -> None:
    refund = returns.evaluate(return_request(refund_to="store_credit")).actions[1]
    assert refund.params == {"amount": 4995, "method": "store_credit", "bonus": 500, "fee": 0}


@pytest.mark.parametrize(
    ("reason", "fee"),
    [("changed_mind", 749), ("defective", 0), ("damaged", 0), ("wrong_item", 0), ("size", 0)],
)
def test_restocking_fee_only_for_a_change_of_mind(reason, fee) -> None:
    host = host_with(restocking_fee={"enabled": True})
    refund = host.evaluate(
        return_request(returned=[{"sku": "SH-1", "qty": 1, "reason": reason}])
    ).actions[1]
    assert refund.params["fee"] == fee  # 15% of 49.95 is 7.4925: 7.49
    assert refund.params["amount"] == 4995 - fee


def test_every_returns_rule_is_declared_with_its_defaults(returns) -> None:
    (plugin,) = [p for p in returns.plugins() if p["name"] == "returns"]
    rules = {r["id"]: r for r in plugin["rules"]}
    assert list(rules) == [
        "window",
        "category_window",
        "holiday_window",
        "final_sale",
        "free_return_shipping",
        "serial_returner_guard",
        "hardship_pickup",
        "keep_item",
        "exchange_first",
        "refund",
        "restocking_fee",
        "store_credit_bonus",
        "instant_refund",
    ]
    assert {r for r in rules if not rules[r]["enabled_by_default"]} == {
        "category_window",
        "holiday_window",
        "final_sale",
        "serial_returner_guard",
        "keep_item",
        "restocking_fee",
        "instant_refund",
    }
    assert rules["window"]["defaults"] == {"days": 365}
    assert rules["serial_returner_guard"]["defaults"] == {"rate": 0.4, "value": 50000}
    assert rules["keep_item"]["defaults"] == {"max_value": 2500}
    assert rules["restocking_fee"]["defaults"] == {"percent": 15}
    assert rules["store_credit_bonus"]["defaults"] == {"percent": 10}
    for rule in rules.values():
        assert rule["description"]
        for schema in rule["schema"].values():
            assert schema["description"]
