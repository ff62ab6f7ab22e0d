"""Applying a shoprules Decision with Oscar's own machinery, inside the caller's transaction:

- coupon.issue: an Oscar Voucher (single use, valid for `expires_in_days`) with a voucher offer
  whose condition is one item of an all-products Range and whose benefit is the coupon's percent
  or fixed amount; Oscar's basket and checkout apply it like any voucher.
- shipping.upgrade: the order's shipping method (code and name) becomes the faster one.
- points.award, points.revoke, tier.change, vip.grant: the app's PointsAccount.
- gift.send, apology.send: an OrderNote on the order, for the team that sends them.
- anything else (refunds, return labels, replies, a plugin's own types): a Task for a person.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import shoprules
from django.contrib.auth import get_user_model
from django.utils import timezone
from oscar.core.loading import get_class, get_model

from . import conf
from .models import PointsAccount, PointsEntry, RuleVoucher, Task

Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Range = get_model("offer", "Range")
Voucher = get_model("voucher", "Voucher")
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
get_unused_code = get_class("voucher.utils", "get_unused_code")

ALL_PRODUCTS_RANGE = "All products (shoprules vouchers)"
NOTE_TYPE = "shoprules"


def apply_decision(decision: shoprules.Decision, *, user: Any, order: Any) -> None:
    """Applies every action; call inside transaction.atomic() so that all or none are."""
    for action in decision.actions:
        apply_action(action, user=user, order=order, event_id=decision.event_id)


def _rule(action: shoprules.Action) -> str:
    return f"{action.plugin}.{action.rule}"


def _account(user: Any) -> PointsAccount:
    account, _ = PointsAccount.objects.select_for_update().get_or_create(user=user)
    return account


def _note(order: Any, message: str) -> None:
    if order is not None:
        OrderNote._default_manager.create(order=order, note_type=NOTE_TYPE, message=message)


def apply_action(action: shoprules.Action, *, user: Any, order: Any, event_id: str) -> None:
    p = action.params
    kind = action.type
    if kind in ("points.award", "points.revoke"):
        delta = p["points"] if kind == "points.award" else -p["points"]
        account = _account(user)
        account.points += delta
        account.save(update_fields=["points", "updated"])
        PointsEntry.objects.create(
            account=account, delta=delta, reason=action.reason, rule=_rule(action), order=order
        )
    elif kind == "tier.change":
        account = _account(user)
        account.tier = p["to"]
        account.save(update_fields=["tier", "updated"])
    elif kind == "vip.grant":
        for cid in p["customers"]:
            member = _user_of(cid)
            if member is None:  # a household member without an account here
                _task(action, user=user, order=order, event_id=event_id, extra={"customer": cid})
                continue
            account = _account(member)
            account.vip = True
            account.save(update_fields=["vip", "updated"])
    elif kind == "coupon.issue":
        issue_voucher(action, user=user, order=order)
    elif kind == "shipping.upgrade":
        upgrade_shipping(action, order=order)
    elif kind in ("gift.send", "apology.send"):
        _note(order, f"{kind} {_describe(p)}: {action.reason} [{_rule(action)}]")
    else:
        _task(action, user=user, order=order, event_id=event_id)


def _describe(params: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in sorted(params.items()))


def _task(
    action: shoprules.Action,
    *,
    user: Any,
    order: Any,
    event_id: str,
    extra: dict[str, Any] | None = None,
) -> None:
    Task.objects.create(
        kind=action.type,
        user=user,
        order=order,
        params={**action.params, **(extra or {})},
        reason=action.reason,
        rule=_rule(action),
        event_id=event_id,
    )


def _user_of(cid: str) -> Any:
    prefix = "user-"
    if not cid.startswith(prefix) or not cid[len(prefix) :].isdigit():
        return None
    return get_user_model()._default_manager.filter(pk=int(cid[len(prefix) :])).first()


def issue_voucher(action: shoprules.Action, *, user: Any, order: Any) -> Any:
    """coupon.issue as an Oscar voucher: percent off, or a fixed amount off the basket."""
    p = action.params
    everything, _ = Range._default_manager.get_or_create(
        name=ALL_PRODUCTS_RANGE, defaults={"includes_all_products": True}
    )
    if "percent" in p:
        benefit = Benefit._default_manager.create(
            range=everything, type=Benefit.PERCENTAGE, value=Decimal(p["percent"])
        )
    else:
        benefit = Benefit._default_manager.create(
            range=everything, type=Benefit.FIXED, value=Decimal(p["amount"]) / 100
        )
    condition = Condition._default_manager.create(range=everything, type=Condition.COUNT, value=1)
    code = get_unused_code(length=12)
    name = f"Voucher {code}"
    offer = ConditionalOffer._default_manager.create(
        name=name,
        description=action.reason,
        offer_type=ConditionalOffer.VOUCHER,
        condition=condition,
        benefit=benefit,
        max_basket_applications=1,
    )
    now = timezone.now()
    voucher = Voucher._default_manager.create(
        name=name,
        code=code,
        usage=Voucher.SINGLE_USE,
        start_datetime=now,
        end_datetime=now + datetime.timedelta(days=p.get("expires_in_days", 30)),
    )
    voucher.offers.add(offer)
    RuleVoucher.objects.create(
        voucher=voucher, user=user, order=order, reason=action.reason, rule=_rule(action)
    )
    _note(order, f"Voucher {code} issued: {action.reason} [{_rule(action)}]")
    return voucher


def upgrade_shipping(action: shoprules.Action, *, order: Any) -> None:
    """shipping.upgrade: the order's shipping method becomes the one configured for the speed."""
    code, name = conf.shipping_methods()[action.params["to"]]
    locked = Order._default_manager.select_for_update().get(pk=order.pk)
    locked.shipping_code = code
    locked.shipping_method = name
    locked.save(update_fields=["shipping_code", "shipping_method"])
    _note(order, f"Shipping upgraded to {name}: {action.reason} [{_rule(action)}]")
