"""A return request: a signed-in customer posts the lines of a delivered order they want to send
back (JSON: {"lines": [{"sku", "qty", "reason"}], "refund_to", "circumstances"}); the rules
decide, the decision is applied (refunds and labels become tasks, points are revoked), and the
answer lists the actions with their reasons."""

from __future__ import annotations

import json
import logging
from typing import Any

import shoprules
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views import View
from oscar.core.loading import get_model

from . import events
from .services import decide_and_apply

Order = get_model("order", "Order")
log = logging.getLogger("shoprules_oscar")


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


class ReturnRequestView(LoginRequiredMixin, View):
    http_method_names = ("post",)

    def post(self, request: HttpRequest, number: str) -> HttpResponse:
        order = get_object_or_404(Order, number=number, user=request.user)
        try:
            body: Any = json.loads(request.body or b"{}")
        except ValueError:
            return _bad("the body is not JSON")
        if not isinstance(body, dict) or not isinstance(body.get("lines"), list):
            return _bad("lines: a list of {sku, qty, reason} is required")
        try:
            event = events.return_requested(
                order,
                request.user,
                body["lines"],
                body.get("refund_to", "original"),
                body.get("circumstances", []),
                timezone.now(),
            )
            decision = decide_and_apply(event, user=request.user, order=order)
        except events.NoEvent as e:
            return _bad(str(e))
        except shoprules.InvalidEvent as e:
            return _bad(f"{e.path}: {e}")
        return JsonResponse(
            {
                "event_id": decision.event_id,
                "actions": [{"type": a.type, "reason": a.reason} for a in decision.actions],
            }
        )
