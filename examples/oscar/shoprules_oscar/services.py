"""Evaluate an event with the process's Host and apply the decision, all or nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import shoprules
from django.db import transaction

from .apply import apply_decision
from .host import get_host

log = logging.getLogger("shoprules_oscar")


def decide_and_apply(event: dict[str, Any], *, user: Any, order: Any) -> shoprules.Decision:
    """Raises shoprules.InvalidEvent for a bad event; applies nothing unless everything applies."""
    decision = get_host().evaluate(event)
    with transaction.atomic():
        apply_decision(decision, user=user, order=order)
    order.refresh_from_db(fields=["shipping_code", "shipping_method"])
    return decision


def run_rules_safely(
    build_event: Callable[[], dict[str, Any]], *, user: Any, order: Any
) -> shoprules.Decision | None:
    """For Oscar's checkout: whatever goes wrong (an order that makes no event, a bad config,
    a rule error, a failed write) is logged and the order stays as Oscar placed it."""
    from .events import NoEvent

    try:
        event = build_event()
    except NoEvent as e:
        log.warning("shoprules: order %s: no rules run: %s", order.number, e)
        return None
    try:
        return decide_and_apply(event, user=user, order=order)
    except shoprules.InvalidEvent as e:
        log.error("shoprules: order %s: invalid event: %s", order.number, e)
    except Exception:
        log.exception("shoprules: order %s: rules not applied", order.number)
    return None
