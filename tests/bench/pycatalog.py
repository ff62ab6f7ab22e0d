"""The bundled rule catalog (DOMAIN.md) in plain Python: the peer a Python shop would write instead
of using shoprules. It reads event dicts directly, with the same defaults, and returns the same
actions as `Host().evaluate(event).actions` (type, params, plugin, rule and reason), which
`run.py` checks on every benchmark event before timing anything.

It is written the way a careful Python developer would: one function per rule, dict access with
defaults, no validation beyond what the rules need, nothing precomputed between events.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

Event = dict[str, Any]
Action = dict[str, Any]

ZERO_DECIMAL = {
    "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW",
    "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF",
}  # fmt: skip
DAY = 86400
STORE_CURRENCY = "USD"  # the config's `currency`: money on events without an order


def money(minor: int, currency: str) -> str:
    sign = "-" if minor < 0 else ""
    v = abs(minor)
    text = str(v) if currency in ZERO_DECIMAL else f"{v // 100}.{v % 100:02d}"
    return f"{sign}{text} {currency}" if currency else f"{sign}{text}"


def percent_of(amount: int, percent: int) -> int:
    return (amount * percent + 50) // 100


def seconds(text: str) -> int:
    return int(datetime.fromisoformat(text).timestamp())


def days_between(start: str, end: str) -> int:
    return (seconds(end) - seconds(start)) // DAY


def subtotal(order: dict) -> int:
    return sum(line["price"] * line.get("qty", 1) for line in order.get("lines", ()))


def find_line(order: dict, sku: str) -> dict | None:
    for line in order.get("lines", ()):
        if line["sku"] == sku:
            return line
    return None


def circumstances(ev: Event) -> list:
    return ev.get("contact", {}).get("circumstances", []) + ev.get("return", {}).get(
        "circumstances", []
    )


def reply_channel(ev: Event) -> str:
    channel = ev.get("contact", {}).get("channel", "email")
    return channel if channel in ("phone", "chat", "social") else "email"


FNV_OFFSET = 14695981039346656037
MASK = (1 << 64) - 1


def fnv1a(text: str, h: int = FNV_OFFSET) -> int:
    for byte in text.encode():
        h = ((h ^ byte) * 1099511628211) & MASK
    return h


def sample(plugin: str, rule: str, key: str, seed: str = "") -> float:
    h = fnv1a(key, fnv1a("\x1f", fnv1a(rule, fnv1a(".", fnv1a(plugin, fnv1a(seed))))))
    h ^= h >> 30
    h = (h * 0xBF58476D1CE4E5B9) & MASK
    h ^= h >> 27
    h = (h * 0x94D049BB133111EB) & MASK
    h ^= h >> 31
    return (h >> 11) * (1.0 / 9007199254740992.0)


class Out:
    """The actions of one evaluation, with each rule's own in order."""

    def __init__(self) -> None:
        self.actions: list[Action] = []
        self.rule = ""

    def emit(self, type_: str, reason: str, /, **params: Any) -> Action:
        a = {"type": type_, "params": params, "origin": self.rule, "reason": reason, "kept": True}
        self.actions.append(a)
        return a

    def find(self, type_: str) -> Action | None:
        for a in self.actions:
            if a["kept"] and a["type"] == type_:
                return a
        return None


# --- loyalty ---------------------------------------------------------------------------------


def points_for(amount: int, currency: str, per_unit: int, multiplier: int) -> int:
    units = amount if currency in ZERO_DECIMAL else amount // 100
    return units * per_unit * multiplier


def points(ev: Event, out: Out, per_unit: int = 1, vip_multiplier: int = 2) -> None:
    if ev["type"] != "order.placed":
        return
    c, o = ev["customer"], ev["order"]
    multiplier = vip_multiplier if c.get("vip") else 1
    total = subtotal(o)
    earned = points_for(total, o["currency"], per_unit, multiplier)
    if earned <= 0:
        return
    reason = f"{earned} points for an order of {money(total, o['currency'])}"
    if multiplier > 1:
        reason += f" (x{multiplier} for a VIP)"
    out.emit("points.award", reason, points=earned)


TIER_RANK = {"member": 0, "silver": 1, "gold": 2}


def tiers(ev: Event, out: Out, silver: int = 50000, gold: int = 150000) -> None:
    if ev["type"] != "order.placed":
        return
    c, o = ev["customer"], ev["order"]
    tier = c.get("tier", "member")
    if tier not in TIER_RANK:
        return
    spend = c.get("lifetime_spend", 0) + subtotal(o)
    new = "gold" if spend >= gold else "silver" if spend >= silver else "member"
    if TIER_RANK[new] <= TIER_RANK[tier]:
        return
    out.emit(
        "tier.change",
        f"Lifetime spend reaches {money(spend, o['currency'])} with this order: {tier} -> {new}",
        **{"from": tier, "to": new},
    )


def big_order_coupon(
    ev: Event, out: Out, threshold: int = 20000, percent: int = 10, expires_in_days: int = 60
) -> None:
    if ev["type"] != "order.placed":
        return
    o = ev["order"]
    total = subtotal(o)
    if total < threshold:
        return
    out.emit(
        "coupon.issue",
        f"An order of {money(total, o['currency'])} (at least {money(threshold, o['currency'])}) "
        f"earns a {percent}% coupon for {expires_in_days} days",
        percent=percent,
        expires_in_days=expires_in_days,
    )


def ordinal(n: int) -> str:
    if 11 <= n % 100 <= 13:
        return f"{n}th"
    return f"{n}" + {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


def repeat_gift(ev: Event, out: Out, every: int = 10, kind: str = "card", value: int = 0) -> None:
    if ev["type"] != "order.placed":
        return
    nth = ev["customer"].get("orders", 0) + 1
    if nth % every:
        return
    message = f"Thank you for your {ordinal(nth)} order"
    out.emit(
        "gift.send", f"{message}: a {kind} goes with it", kind=kind, message=message, value=value
    )


def vip_shipping(ev: Event, out: Out) -> None:
    if ev["type"] != "order.placed" or not ev["customer"].get("vip"):
        return
    if ev["order"].get("shipping", "standard") != "standard":
        return
    out.emit(
        "shipping.upgrade",
        "VIP: standard shipping upgraded to expedited",
        **{"from": "standard", "to": "expedited"},
    )


def return_clawback(ev: Event, out: Out, per_unit: int = 1, vip_multiplier: int = 2) -> None:
    if ev["type"] != "return.requested":
        return
    approve = out.find("return.approve")
    if approve is None:
        return
    o = ev["order"]
    value = 0
    exchanged = {
        a["params"]["returned_sku"]
        for a in out.actions
        if a["kept"] and a["type"] == "exchange.ship"
    }
    for line in approve["params"]["lines"]:
        bought = find_line(o, line["sku"])
        if bought and line["sku"] not in exchanged:
            value += bought["price"] * min(line["qty"], bought.get("qty", 1))
    multiplier = vip_multiplier if ev["customer"].get("vip") else 1
    taken = points_for(value, o["currency"], per_unit, multiplier)
    if taken <= 0:
        return
    out.emit(
        "points.revoke",
        f"{taken} points earned on {money(value, o['currency'])} of returned items are taken back",
        points=taken,
    )


def civil_date(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(timezone.utc).strftime("%Y-%m-%d")


def points_expiry(ev: Event, out: Out, days: int = 365) -> None:
    c = ev.get("customer")
    if c is None or not c.get("last_order_at") or c.get("points", 0) <= 0:
        return
    idle = days_between(c["last_order_at"], ev["at"])
    if idle < days:
        return
    out.emit(
        "points.expire",
        f"No order since {civil_date(c['last_order_at'])} ({idle} days, the limit is {days}): "
        f"{c['points']} points expire",
        points=c["points"],
    )


def pending_points(ev: Event, out: Out, days: int = 30) -> None:
    award = out.find("points.award") if ev["type"] == "order.placed" else None
    if award is None or days == 0:
        return
    award["params"]["available_after_days"] = days
    award["reason"] += f"; pending for {days} days, until the return window closes"


TIER_NAME = ["member", "silver", "gold"]


def tier_terms(ev: Event, out: Out, silver: int = 50000, gold: int = 150000) -> None:
    c = ev.get("customer")
    if c is None or "spend_12m" not in c:
        return
    for a in out.actions:
        if a["kept"] and a["type"] == "tier.change":
            a["kept"] = False
    tier = c.get("tier", "member")
    if tier not in TIER_RANK:
        return
    current = TIER_RANK[tier]
    order = ev["type"] == "order.placed"
    spend = c["spend_12m"] + (subtotal(ev["order"]) if order else 0)
    earned = 2 if spend >= gold else 1 if spend >= silver else 0
    if earned == current:
        return
    currency = ev["order"]["currency"] if "order" in ev else STORE_CURRENCY
    spent = f"Spend over the last 12 months is {money(spend, currency)}" + (
        " with this order" if order else ""
    )
    if earned > current:
        to = TIER_NAME[earned]
        out.emit("tier.change", f"{spent}: {tier} -> {to}", **{"from": tier, "to": to})
        return
    threshold = gold if current == 2 else silver
    to = TIER_NAME[current - 1]
    out.emit(
        "tier.change",
        f"{spent}, below {TIER_NAME[current]}'s {money(threshold, currency)}: "
        f"{TIER_NAME[current]} -> {to}",
        **{"from": tier, "to": to},
    )


def multiplier_text(m: float) -> str:
    text = f"{m:f}".rstrip("0")
    return text[:-1] if text.endswith(".") else text


def category_multiplier(ev: Event, out: Out, multipliers: dict | None = None) -> None:
    multipliers = multipliers or {}
    award = out.find("points.award") if multipliers and ev["type"] == "order.placed" else None
    if award is None:
        return
    o = ev["order"]
    weighted = 0.0
    named: list[str] = []
    for line in o["lines"]:
        value = float(line["price"] * line.get("qty", 1))
        m = multipliers.get(line.get("category", ""))
        weighted += value * m if m is not None else value
        if m is not None:
            text = f"{line.get('category', '')} x{multiplier_text(float(m))}"
            if text not in named:
                named.append(text)
    if not named:
        return
    whole = o["currency"] in ZERO_DECIMAL
    units = subtotal(o) if whole else subtotal(o) // 100
    weighted_minor = int(weighted // 1)
    weighted_units = weighted_minor if whole else weighted_minor // 100
    before = award["params"]["points"]
    after = before * weighted_units // units if units > 0 else before
    if after == before:
        return
    if after <= 0:
        award["kept"] = False
        return
    award["params"]["points"] = after
    award["reason"] += f" ({after} with category multipliers: {', '.join(named)})"


# --- returns ---------------------------------------------------------------------------------


def return_lines(lines: list) -> list:
    return [{"sku": line["sku"], "qty": line.get("qty", 1)} for line in lines]


def describe_approval(approve: Action) -> None:
    reason = approve["reason"]
    cut = reason.find(": approved")
    if cut >= 0:
        reason = reason[: cut + len(": approved")]
    p = approve["params"]
    if p.get("keep"):
        reason += "; keep the item, no need to send it back"
    elif p.get("pickup"):
        reason += "; a courier collects it at no cost"
    elif p.get("label") == "prepaid":
        reason += ", with a prepaid return label"
    elif p.get("label") == "customer_paid":
        reason += "; return postage is the customer's"
    approve["reason"] = reason


def window(ev: Event, out: Out, days: int = 365) -> None:
    if ev["type"] != "return.requested":
        return
    age = days_between(ev["order"]["delivered_at"], ev["at"])
    when = f"Returned {max(age, 0)} days after delivery"
    span = f"{days}-day return window"
    lines = return_lines(ev["return"]["lines"])
    if age <= days:
        approve = out.emit(
            "return.approve",
            f"{when}, within the {span}: approved",
            lines=lines,
            label="customer_paid",
            pickup=False,
            keep=False,
        )
        describe_approval(approve)
    elif ev["customer"].get("vip"):
        out.emit(
            "return.review",
            f"{when}, past the {span}; a VIP's late return goes to a person",
            lines=lines,
            reason="past_window",
        )
    else:
        out.emit("return.deny", f"{when}, past the {span}", lines=lines, reason="past_window")


def window_state(ev: Event, out: Out) -> tuple[Action | None, Action | None, list, list]:
    """The approval, the past-window refusal, and the returned lines each one holds."""
    approve = out.find("return.approve")
    refusal = None
    for a in out.actions:
        if a["kept"] and a["type"] in ("return.deny", "return.review"):
            if a["params"].get("reason") == "past_window":
                refusal = a
                break
    approved, refused = [], []
    for line in ev["return"]["lines"]:
        if approve and any(x["sku"] == line["sku"] for x in approve["params"]["lines"]):
            approved.append(line)
        elif refusal and any(x["sku"] == line["sku"] for x in refusal["params"]["lines"]):
            refused.append(line)
    return approve, refusal, approved, refused


def restate_window(
    ev: Event,
    out: Out,
    state: tuple,
    approved: list,
    refused: list,
    approve_why: str,
    refuse_why: str,
) -> None:
    approve, refusal, was_approved, was_refused = state
    if not approved and approve:
        approve["kept"] = False
    elif approved and approve:
        approve["params"]["lines"] = return_lines(approved)
        if len(approved) > len(was_approved):
            cut = approve["reason"].find(": approved")
            if cut >= 0:
                approve["reason"] = approve["reason"][:cut]
            approve["reason"] += f"; {approve_why}: approved"
            describe_approval(approve)
    elif approved:
        a = out.emit(
            "return.approve",
            f"{approve_why}: approved",
            lines=return_lines(approved),
            label="customer_paid",
            pickup=False,
            keep=False,
        )
        describe_approval(a)
    if not refused and refusal:
        refusal["kept"] = False
    elif refused and refusal:
        refusal["params"]["lines"] = return_lines(refused)
        if len(refused) > len(was_refused):
            refusal["reason"] += "; " + refuse_why
    elif refused:
        vip = ev["customer"].get("vip")
        out.emit(
            "return.review" if vip else "return.deny",
            refuse_why + ("; a VIP's late return goes to a person" if vip else ""),
            lines=return_lines(refused),
            reason="past_window",
        )


def category_window(ev: Event, out: Out, days: dict | None = None) -> None:
    if not days or ev["type"] != "return.requested":
        return
    state = window_state(ev, out)
    if state[0] is None and state[1] is None:
        return
    raw_age = days_between(ev["order"]["delivered_at"], ev["at"])
    approved, refused, within, past = [], [], [], []
    for line in ev["return"]["lines"]:
        was_approved = any(x["sku"] == line["sku"] for x in state[2])
        was_refused = not was_approved and any(x["sku"] == line["sku"] for x in state[3])
        if not was_approved and not was_refused:
            continue
        bought = find_line(ev["order"], line["sku"])
        category = bought.get("category", "") if bought else ""
        own = days.get(category) if bought else None
        if own is None:
            (approved if was_approved else refused).append(line)
            continue
        which = f"{line['sku']} ({category}: {own} days)"
        if raw_age <= own:
            approved.append(line)
            if not was_approved:
                within.append(which)
        else:
            refused.append(line)
            if not was_refused:
                past.append(which)
    if not within and not past:
        return
    when = f"Returned {max(raw_age, 0)} days after delivery"
    restate_window(
        ev,
        out,
        state,
        approved,
        refused,
        f"{when}, within its category's return window: {', '.join(within)}",
        f"{when}, past its category's return window: {', '.join(past)}",
    )


def holiday_window(ev: Event, out: Out, **params: str) -> None:
    placed_at = ev["order"].get("placed_at") if ev["type"] == "return.requested" else None
    if not placed_at:
        return
    start = params.get("from", "11-01")
    end = params.get("to", "12-31")
    until = params.get("until", "01-31")
    placed = datetime.fromisoformat(placed_at).astimezone(timezone.utc)
    day = placed.month * 100 + placed.day
    key = {name: int(v[:2]) * 100 + int(v[3:]) for name, v in (("from", start), ("to", end))}
    wraps = key["from"] > key["to"]
    in_season = (
        (day >= key["from"] or day <= key["to"]) if wraps else key["from"] <= day <= key["to"]
    )
    if not in_season:
        return
    season_year = placed.year - 1 if wraps and day <= key["to"] else placed.year
    deadline = datetime(season_year + 1, int(until[:2]), 1, tzinfo=timezone.utc) + timedelta(
        days=int(until[3:])
    )
    if seconds(ev["at"]) >= int(deadline.timestamp()):
        return
    state = window_state(ev, out)
    if not state[3]:
        return
    last = (deadline - timedelta(seconds=1)).strftime("%Y-%m-%d")
    why = (
        f"Ordered on {placed:%Y-%m-%d}, in the holiday season ({start} to {end}): returnable "
        f"until {last}"
    )
    restate_window(ev, out, state, state[2] + state[3], [], why, why)


def free_return_shipping(ev: Event, out: Out) -> None:
    approve = out.find("return.approve") if ev["type"] == "return.requested" else None
    if approve is not None:
        approve["params"]["label"] = "prepaid"
        describe_approval(approve)


def hardship_pickup(ev: Event, out: Out) -> None:
    approve = out.find("return.approve") if ev["type"] == "return.requested" else None
    if approve is None:
        return
    tags = circumstances(ev)
    if "bereavement" not in tags and "medical" not in tags:
        return
    approve["params"]["pickup"] = True
    approve["params"]["label"] = "prepaid"
    describe_approval(approve)


def held_back(out: Out, sku: str) -> bool:
    for a in out.actions:
        if a["kept"] and a["type"] == "exchange.ship" and a["params"]["returned_sku"] == sku:
            return True
        if a["kept"] and a["type"] in ("return.deny", "return.review"):
            if any(line["sku"] == sku for line in a["params"].get("lines", ())):
                return True
    return False


def line_value(order: dict, sku: str, qty: int) -> int:
    bought = find_line(order, sku)
    return bought["price"] * min(qty, bought.get("qty", 1)) if bought else 0


def refund(ev: Event, out: Out) -> None:
    if ev["type"] != "return.requested":
        return
    o, r = ev["order"], ev["return"]
    amount = 0
    unknown = []
    for line in r["lines"]:
        if held_back(out, line["sku"]):
            continue
        if find_line(o, line["sku"]) is None:
            unknown.append(line["sku"])
            continue
        amount += line_value(o, line["sku"], line.get("qty", 1))
    if amount == 0:
        return
    credit = r.get("refund_to", "original") == "store_credit"
    reason = f"Refund of {money(amount, o['currency'])}" + (
        " as store credit" if credit else " to the original payment method"
    )
    if unknown:
        reason += f" (not on the order, not refunded: {', '.join(unknown)})"
    method = "store_credit" if credit else "original"
    out.emit("refund.issue", reason, amount=amount, method=method, bonus=0, fee=0)


def exchange_first(ev: Event, out: Out) -> None:
    if ev["type"] != "return.requested":
        return
    wanted = [line for line in ev["return"]["lines"] if line.get("exchange_for")]
    if not wanted or out.find("return.approve") is None:
        return
    for line in wanted:
        bought = find_line(ev["order"], line["sku"])
        if bought is None or held_back(out, line["sku"]):
            continue
        x = line["exchange_for"]
        what = x["sku"] + (f" in size {x['size']}" if x.get("size") else "")
        out.emit(
            "exchange.ship",
            f"Exchange for {what}: it ships now by standard shipping at no charge, and the "
            f"returned {line['sku']} is not refunded",
            sku=x["sku"],
            size=x.get("size", ""),
            qty=min(line.get("qty", 1), bought.get("qty", 1)),
            shipping="standard",
            charge=0,
            returned_sku=line["sku"],
        )


def instant_refund(
    ev: Event, out: Out, min_orders: int = 5, max_return_rate: float = 0.2, max_value: int = 10000
) -> None:
    a = out.find("refund.issue") if ev["type"] == "return.requested" else None
    if a is None:
        return
    c = ev["customer"]
    orders = c.get("orders", 0)
    if orders < min_orders:
        return
    returns = c.get("returns", 0)
    rate = returns / orders if orders else (float("inf") if returns else 0.0)
    if not rate < max_return_rate or a["params"]["amount"] > max_value:
        return
    a["params"]["instant"] = True
    a["reason"] += (
        f", paid now, before the item arrives (a trusted customer: {orders} orders, "
        f"{rate * 100:.0f}% returned)"
    )


def store_credit_bonus(ev: Event, out: Out, percent: int = 10) -> None:
    if ev["type"] != "return.requested":
        return
    a = out.find("refund.issue")
    if a is None or a["params"].get("method") != "store_credit":
        return
    bonus = percent_of(a["params"]["amount"], percent)
    a["params"]["bonus"] = bonus
    a["reason"] += (
        f", plus a {percent}% store-credit bonus of {money(bonus, ev['order']['currency'])}"
    )


# --- delight ---------------------------------------------------------------------------------


def surprise_upgrade(ev: Event, out: Out, rate: float = 0.1, seed: str = "") -> None:
    if ev["type"] != "order.placed" or ev["order"].get("shipping", "standard") != "standard":
        return
    if sample("delight", "surprise_upgrade", ev["order"].get("id") or ev["id"], seed) >= rate:
        return
    out.emit(
        "shipping.upgrade",
        "A surprise: standard shipping upgraded to overnight, on us",
        **{"from": "standard", "to": "overnight"},
    )


TRANSIT_DAYS = {"overnight": 1, "expedited": 2, "standard": 5}


def service_recovery(ev: Event, out: Out, shipping: str = "overnight") -> None:
    if ev["type"] != "shipment.exception":
        return
    s, o = ev["shipment"], ev["order"]
    status = s.get("status", "")
    if status not in ("lost", "damaged", "misdelivered"):
        return
    out.emit(
        "replacement.ship",
        f"The {status} order is replaced, shipped {shipping} at no charge",
        skus=[line["sku"] for line in o.get("lines", ())],
        shipping=shipping,
        charge=0,
    )
    if not s.get("carrier_fault") or not s.get("needed_by"):
        return
    if seconds(ev["at"]) + TRANSIT_DAYS[shipping] * DAY <= seconds(s["needed_by"]):
        return
    why = "The carrier's mistake means the order misses the date it was needed"
    total = subtotal(o)
    out.emit(
        "refund.issue",
        f"{why}: full refund of {money(total, o['currency'])}",
        amount=total,
        method="original",
        bonus=0,
        fee=0,
    )
    out.emit(
        "vip.grant",
        f"{why}: VIP with free expedited shipping",
        customers=[ev["customer"]["id"]],
        benefits=["free_expedited_shipping"],
    )


def late_apology(
    ev: Event,
    out: Out,
    days: int = 2,
    coupon_amount: int = 500,
    expires_in_days: int = 90,
    within_minutes: int = 60,
) -> None:
    if ev["type"] != "shipment.exception":
        return
    late = ev["shipment"].get("days_late", 0)
    if late < days:
        return
    when = f"The order is {late} days late"
    out.emit(
        "apology.send",
        f"{when}: we apologise",
        channel=reply_channel(ev),
        within_minutes=within_minutes,
    )
    if coupon_amount:
        currency = ev["order"]["currency"]
        out.emit(
            "coupon.issue",
            f"{when}: a coupon of {money(coupon_amount, currency)} to make up for it",
            amount=coupon_amount,
            currency=currency,
            expires_in_days=expires_in_days,
        )


def sympathy(ev: Event, out: Out, value: int = 5000, vip_for_medical: bool = True) -> None:
    tags = circumstances(ev)
    bereavement, medical = "bereavement" in tags, "medical" in tags
    if not (bereavement or medical) or "customer" not in ev:
        return
    out.emit(
        "gift.send",
        ("A bereavement" if bereavement else "An illness") + ": flowers with a note",
        kind="flowers",
        message="With our deepest sympathy" if bereavement else "Wishing you a swift recovery",
        value=value,
        currency=ev["order"]["currency"] if "order" in ev else STORE_CURRENCY,
    )
    if medical and vip_for_medical:
        c = ev["customer"]
        out.emit(
            "vip.grant",
            "An illness in the family: VIP with free expedited shipping for the customer and "
            "household",
            customers=[c["id"], *c.get("household", ())],
            benefits=["free_expedited_shipping"],
        )


def fast_reply(ev: Event, out: Out, presale_minutes: int = 30, support_minutes: int = 60) -> None:
    if ev["type"] != "contact.received" or ev["contact"].get("channel", "email") == "phone":
        return
    presale = ev["contact"].get("topic") == "presale"
    minutes = presale_minutes if presale else support_minutes
    who = "A pre-sale question" if presale else "A message"
    out.emit(
        "reply.due",
        f"{who} from {reply_channel(ev)}: reply within {minutes} minutes",
        within_minutes=minutes,
        priority="high" if presale else "normal",
    )


def refer_competitor(ev: Event, out: Out, competitors: int = 3) -> None:
    if ev["type"] != "stock.inquiry" or ev["inquiry"].get("in_stock"):
        return
    i = ev["inquiry"]
    item = i["sku"] + (f" in size {i['size']}" if i.get("size") else "")
    out.emit(
        "referral.competitor",
        f"{item} is out of stock: check {competitors} competitors and send the customer to one "
        "that has it",
        sku=i["sku"],
        size=i.get("size", ""),
        competitors_to_check=competitors,
    )


def public_complaint(
    ev: Event, out: Out, respond_minutes: int = 60, apology_minutes: int = 60
) -> None:
    if ev["type"] != "contact.received":
        return
    c = ev["contact"]
    if not c.get("public") or c.get("topic") != "complaint":
        return
    out.emit(
        "complaint.respond",
        "A public complaint: answer in public and thank the critic",
        public=True,
        thank=True,
        within_minutes=respond_minutes,
    )
    if c.get("our_fault"):
        out.emit(
            "apology.send",
            "The shop was at fault: apologise quickly",
            channel=reply_channel(ev),
            within_minutes=apology_minutes,
        )


def first_order_welcome(
    ev: Event, out: Out, min_subtotal: int = 5000, amount: int = 500, expires_in_days: int = 30
) -> None:
    if ev["type"] != "order.placed" or ev["customer"].get("orders", 0) != 0:
        return
    out.emit(
        "gift.send",
        "A first order: a thank-you card",
        kind="card",
        message="Thank you for your first order",
        value=0,
    )
    o = ev["order"]
    total = subtotal(o)
    if amount == 0 or total < min_subtotal:
        return
    c = o["currency"]
    out.emit(
        "coupon.issue",
        f"A first order of {money(total, c)} (at least {money(min_subtotal, c)}): a coupon of "
        f"{money(amount, c)} for the next order",
        amount=amount,
        currency=c,
        expires_in_days=expires_in_days,
    )


def goodwill_value(a: Action, ev: Event) -> int:
    p = a["params"]
    if a["type"] == "refund.issue":
        return p["bonus"] if ev["type"] == "return.requested" else p["amount"]
    if a["type"] == "coupon.issue":
        if "amount" in p:
            return p["amount"]
        return percent_of(subtotal(ev["order"]), p["percent"]) if "order" in ev else 0
    if a["type"] == "gift.send":
        return p["value"]
    return 0


def goodwill_cap(ev: Event, out: Out, cap: int = 20000) -> None:
    if "customer" not in ev:
        return
    currency = ev["order"]["currency"] if "order" in ev else STORE_CURRENCY
    left = cap - ev["customer"].get("goodwill_last_90d", 0)
    for a in out.actions:
        if not a["kept"]:
            continue
        value = goodwill_value(a, ev)
        if value <= 0:
            continue
        if value <= left:
            left -= value
            continue
        param = ""
        if a["type"] == "refund.issue":
            param = "bonus" if ev["type"] == "return.requested" else "amount"
        elif a["type"] == "coupon.issue" and "amount" in a["params"]:
            param = "amount"
        if left > 0 and param:
            a["params"][param] = left
            a["reason"] += f" (reduced to {money(left, currency)}: goodwill cap)"
            left = 0
        else:
            a["kept"] = False


# --- the engine: rule order, merge policy, review phase ---------------------------------------

# Plugins run in name order, each plugin's rules in declaration order (as the host does).
DECIDE = [
    ("delight", "surprise_upgrade", surprise_upgrade),
    ("delight", "service_recovery", service_recovery),
    ("delight", "late_apology", late_apology),
    ("delight", "sympathy", sympathy),
    ("delight", "fast_reply", fast_reply),
    ("delight", "refer_competitor", refer_competitor),
    ("delight", "public_complaint", public_complaint),
    ("loyalty", "points", points),
    ("loyalty", "tiers", tiers),
    ("loyalty", "points_expiry", points_expiry),
    ("loyalty", "big_order_coupon", big_order_coupon),
    ("loyalty", "repeat_gift", repeat_gift),
    ("loyalty", "vip_shipping", vip_shipping),
    ("returns", "window", window),
    ("returns", "free_return_shipping", free_return_shipping),
    ("returns", "hardship_pickup", hardship_pickup),
    ("returns", "exchange_first", exchange_first),
    ("returns", "refund", refund),
    ("returns", "store_credit_bonus", store_credit_bonus),
]
REVIEW = [
    ("delight", "goodwill_cap", goodwill_cap),
    ("loyalty", "return_clawback", return_clawback),
]
# The rules that ship off, and where each runs when a config turns it on: after this rule (or,
# for the review phase, at the end).
OFF_BY_DEFAULT = {
    "delight.first_order_welcome": (first_order_welcome, "delight.public_complaint"),
    "loyalty.category_multiplier": (category_multiplier, "loyalty.points"),
    "loyalty.tier_terms": (tier_terms, "loyalty.tiers"),
    "returns.instant_refund": (instant_refund, "returns.store_credit_bonus"),
    "returns.category_window": (category_window, "returns.window"),
    "returns.holiday_window": (holiday_window, "returns.category_window|returns.window"),
    "loyalty.pending_points": (pending_points, None),
}


def rule_lists(enable: dict[str, dict]) -> tuple[list, list]:
    """DECIDE and REVIEW with the named off-by-default rules on, each with its params."""
    decide, review = list(DECIDE), list(REVIEW)
    for name, params in enable.items():
        fn, after = OFF_BY_DEFAULT[name]
        plugin, rule = name.split(".")
        entry = (plugin, rule, lambda ev, out, fn=fn, params=params: fn(ev, out, **params))
        if after is None:
            review.append(entry)
            continue
        names = [f"{p}.{r}" for p, r, _ in decide]
        anchor = next(a for a in after.split("|") if a in names)  # the first one present
        decide.insert(names.index(anchor) + 1, entry)
    return decide, review


SHIPPING_RANK = {"standard": 0, "expedited": 1, "overnight": 2}


def keep_best(actions: list[Action], type_: str, score: Any) -> None:
    group = [a for a in actions if a["kept"] and a["type"] == type_]
    if len(group) < 2:
        return
    best = group[0]
    for a in group:
        if score(a) > score(best):
            best = a
    for a in group:
        if a is not best:
            a["kept"] = False


def fold_into_first(actions: list[Action], type_: str, fold: Any) -> None:
    group = [a for a in actions if a["kept"] and a["type"] == type_]
    for a in group[1:]:
        fold(group[0]["params"], a["params"])
        if a["reason"]:
            group[0]["reason"] += "; " + a["reason"]
        a["kept"] = False


def union(into: dict, extra: dict, key: str) -> None:
    into[key] = into[key] + [x for x in extra[key] if x not in into[key]]


def merge(actions: list[Action], order_subtotal: int) -> None:
    keep_best(actions, "shipping.upgrade", lambda a: SHIPPING_RANK.get(a["params"]["to"], -1))
    keep_best(actions, "refund.issue", lambda a: a["params"]["amount"])
    keep_best(
        actions,
        "coupon.issue",
        lambda a: (
            a["params"]["amount"]
            if "amount" in a["params"]
            else a["params"]["percent"] * order_subtotal / 100
        ),
    )
    keep_best(actions, "points.expire", lambda a: a["params"]["points"])
    exchanged: set[str] = set()
    for a in actions:
        if a["kept"] and a["type"] == "exchange.ship":
            if a["params"]["returned_sku"] in exchanged:
                a["kept"] = False
            exchanged.add(a["params"]["returned_sku"])
    fold_into_first(
        actions, "points.award", lambda i, f: i.update(points=i["points"] + f["points"])
    )
    fold_into_first(
        actions,
        "vip.grant",
        lambda i, f: (union(i, f, "customers"), union(i, f, "benefits")),
    )


def evaluate(ev: Event, rules: tuple[list, list] | None = None) -> list[Action]:
    """The kept actions for one event, as dicts shaped like `Action.to_dict()`; `rules` from
    `rule_lists` switches on rules that ship off."""
    decide, review = rules or (DECIDE, REVIEW)
    out = Out()
    for plugin, name, fn in decide:
        out.rule = f"{plugin}.{name}"
        fn(ev, out)
    merge(out.actions, subtotal(ev["order"]) if "order" in ev else 0)
    for plugin, name, fn in review:
        out.rule = f"{plugin}.{name}"
        fn(ev, out)
    result = []
    for a in out.actions:
        if a["kept"]:
            plugin, rule = a["origin"].split(".")
            result.append(
                {
                    "type": a["type"],
                    "params": a["params"],
                    "plugin": plugin,
                    "rule": rule,
                    "reason": a["reason"],
                }
            )
    return result
