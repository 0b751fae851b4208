"""Hostile input to the routing engine (issue 9, hole 9): non-finite or negative numbers.

``Heartbeat(at=nan)`` used to fire every pending deadline at once (offers lapsed, an agent was
paused, calls overflowed), ``CallEnqueued(max_wait=nan)`` passed, and ``Tick(at=inf)`` then a call
raised ``ValueError`` deep inside the rings. Each is now refused with its reason, state unchanged.
"""

from __future__ import annotations

import math

import pytest

from accueil.core.routing import Engine, EngineConfig, events
from accueil.errors import InvalidInput


def _busy_engine() -> Engine:
    """Two agents (one at home), a call ringing, a call waiting: deadlines are pending."""
    engine = Engine(EngineConfig(), "accueil")
    engine.handle(events.AgentLoggedIn(0.0, "ann", site="home"))
    engine.handle(events.AgentReady(0.0, "ann"))
    engine.handle(events.CallEnqueued(1.0, "c1", "acme"))
    engine.handle(events.CallEnqueued(2.0, "c2", "acme"))
    return engine


@pytest.mark.parametrize(
    "event",
    [
        events.Heartbeat(math.nan, "ann"),
        events.Tick(math.inf),
        events.Tick(math.nan),
        events.Tick(-5.0),
        events.CallEnqueued(3.0, "c3", "acme", max_wait=math.nan),
        events.CallEnqueued(3.0, "c3", "acme", max_wait=math.inf),
        events.CallEnqueued(3.0, "c3", "acme", target_seconds=math.nan),
        events.CallEnqueued(3.0, "c3", "acme", wrapup_seconds=-1.0),
        events.CallEnqueued(3.0, "c3", "acme", since=math.nan),
        events.CallEnqueued(math.inf, "c3", "acme"),
        events.AgentLoggedIn(3.0, "bob", wrapup_seconds=math.inf),
        events.OfferAccepted(math.nan, "c1", "ann", 1),
    ],
    ids=repr,
)
def test_non_finite_or_negative_numbers_are_refused_and_change_nothing(event: object) -> None:
    engine = _busy_engine()
    before, deadline = engine.snapshot(), engine.next_deadline()
    with pytest.raises(InvalidInput, match="must be finite and >= 0"):
        engine.handle(event)  # type: ignore[arg-type]
    assert engine.snapshot() == before
    assert engine.next_deadline() == deadline


def test_the_engine_works_on_after_refusing_a_bad_event() -> None:
    engine = _busy_engine()
    with pytest.raises(InvalidInput):
        engine.handle(events.Tick(math.inf))
    out = engine.handle(events.CallEnqueued(4.0, "c3", "acme"))
    assert out == []  # waits behind c2: nothing fired early, nothing crashed
    assert [w.call for w in engine.snapshot().waiting] == ["c1", "c2", "c3"]


@pytest.mark.parametrize("setting", ["offer_timeout", "retry_after", "heartbeat_timeout"])
def test_non_finite_settings_are_refused(setting: str) -> None:
    with pytest.raises(InvalidInput, match=f"{setting} must be finite"):
        EngineConfig(**{setting: math.nan})
