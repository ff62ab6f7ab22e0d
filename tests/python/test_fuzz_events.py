"""Property: whatever a storefront passes, evaluate returns a Decision or raises InvalidEvent."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import shoprules
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

EVENTS = [
    json.loads(p.read_text())
    for p in sorted((Path(__file__).resolve().parents[2] / "examples" / "events").glob("*.json"))
]
HOST = shoprules.Host()

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.sampled_from(
        [
            "2026-11-23T10:00:00Z",
            "2026-02-30",
            "order.placed",
            "return.requested",
            "lost",
            "overnight",
            "store_credit",
            "email",
            "presale",
            "bereavement",
        ]
    ),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)


def paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place in an event a value sits."""
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, child in node.items():
            found += paths(child, (*prefix, key))
    elif isinstance(node, list):
        for i, child in enumerate(node):
            found += paths(child, (*prefix, i))
    return found


@st.composite
def mutated_events(draw: st.DrawFn) -> Any:
    event = copy.deepcopy(draw(st.sampled_from(EVENTS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        places = paths(event)
        if not places:
            break
        place = draw(st.sampled_from(places))
        parent = event
        for step in place[:-1]:
            parent = parent[step]
        if draw(st.booleans()) and isinstance(parent, dict):
            del parent[place[-1]]
        else:
            parent[place[-1]] = draw(values)
    return event


def outcome(event: Any) -> str:
    try:
        decision = HOST.evaluate(event)
    except shoprules.InvalidEvent as error:
        assert error.path is not None
        return "invalid"
    assert isinstance(decision, shoprules.Decision)
    json.dumps(decision.to_dict())  # always JSON-ready
    return "decided"


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_events())
def test_mutated_events_decide_or_are_invalid(event: Any) -> None:
    outcome(event)


@settings(max_examples=150, deadline=None)
@given(values)
def test_arbitrary_values_decide_or_are_invalid(event: Any) -> None:
    outcome(event)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_events(), max_size=8))
def test_batches_agree_with_single_evaluations(events: list[Any]) -> None:
    singles = [outcome(e) for e in events]
    try:
        batch = HOST.evaluate_many(events)
    except shoprules.InvalidEvent:
        assert "invalid" in singles
        return
    assert "invalid" not in singles
    assert [d.to_dict() for d in batch] == [HOST.evaluate(e).to_dict() for e in events]
