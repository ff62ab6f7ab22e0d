"""Oscar's order_placed signal (sent by OrderCreator.place_order after its transaction): the
order.placed event is evaluated and applied; the checkout never fails because of a rule."""

from typing import Any

from django.dispatch import receiver
from oscar.apps.order.signals import order_placed

from . import events
from .services import run_rules_safely


@receiver(order_placed, dispatch_uid="shoprules_oscar.order_placed")
def on_order_placed(sender: Any, order: Any, user: Any = None, **kwargs: Any) -> None:
    run_rules_safely(lambda: events.order_placed(order, user), user=user, order=order)
