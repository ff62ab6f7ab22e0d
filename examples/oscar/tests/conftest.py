"""Helpers that place orders the way Oscar's checkout does: a basket of products with stock
records (oscar.test.factories), then OrderCreator.place_order through factories.create_order,
which sends Oscar's order_placed signal after its transaction."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from oscar.core.loading import get_class, get_model
from oscar.test import factories

Basket = get_model("basket", "Basket")
Default = get_class("partner.strategy", "Default")


def basket_of(items: list[tuple[str, str, int]], owner: Any = None) -> Any:
    """An open basket holding (sku, price, qty) items, each a new product in stock."""
    basket = Basket.objects.create(owner=owner)
    basket.strategy = Default()
    for sku, price, qty in items:
        product = factories.create_product(
            title=f"Product {sku}", price=Decimal(price), partner_sku=sku, num_in_stock=100
        )
        basket.add_product(product, quantity=qty)
    return basket


def place_order(
    user: Any, items: list[tuple[str, str, int]], number: str, basket: Any = None
) -> Any:
    """An order placed by Oscar's OrderCreator (free shipping, the default method)."""
    if basket is None:
        basket = basket_of(items)
    return factories.create_order(number=number, basket=basket, user=user)


@pytest.fixture
def customer(db: Any) -> Any:
    return factories.UserFactory()
