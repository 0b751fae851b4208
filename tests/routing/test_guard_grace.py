"""The guard priced by the callers' grace (issue 17, session 11): with ``guard_grace`` and a
grace learned, a held call costs hazard × the wait past the grace it added, not being late."""

from __future__ import annotations

import random

import pytest

from accueil.core.routing.events import Offer
from accueil.core.routing.guard import Guard
from accueil.core.routing.patience import Patience


def _learn(patience: Patience, calls: int = 2_000, grace: float = 10.0, seed: int = 1) -> None:
    """Callers who wait ``grace`` s, then hang up at 1 in 80 a second (W1's with 10 s); each is
    answered after 0-40 s unless they hang up first. ``grace`` 0: they hang up from the start."""
    draw = random.Random(seed)
    for _ in range(calls):
        gives_up = grace + draw.expovariate(1 / 80)
        answered = draw.uniform(0.0, 40.0)
        patience.ended(min(gives_up, answered), abandoned=gives_up < answered)


def test_the_hazard_past_the_grace_is_learned_and_none_without_a_grace() -> None:
    patience = Patience()
    assert patience.hazard() == 0.0  # nothing seen yet
    _learn(patience)
    assert patience.grace() == 10.0
    assert patience.hazard() == pytest.approx(1 / 80, rel=0.15)
    impatient = Patience()
    _learn(impatient, grace=0.0)
    assert (impatient.grace(), impatient.hazard()) == (0.0, 0.0)


def _guard() -> Guard:
    return Guard(600.0, 0.02, 0.005, 0.0, 1.5)


def test_budgets_shrink_when_the_priced_abandonment_grows_past_its_tolerance() -> None:
    guard = _guard()
    for i in range(100):  # held calls whose extra wait stayed within the grace: no risk
        guard.outcome("standard", float(i), within=True, held=False, abandoned=False, risk=0.0)
    assert guard.factor("standard", 100.0) == pytest.approx(1.5)
    for i in range(100, 110):  # 10 held calls 4 s past the grace at 1/80 a second: 0.5 caller
        guard.outcome("standard", float(i), within=True, held=False, abandoned=False, risk=0.05)
    cost = 0.5 / 110  # within the 0.5% tolerance: budgets still grow, less
    assert guard.factor("standard", 110.0) == pytest.approx(1 + 0.5 * (0.005 - cost) / 0.005)
    for i in range(110, 120):
        guard.outcome("standard", float(i), within=True, held=False, abandoned=False, risk=0.05)
    cost = 1.0 / 120  # past it: budgets shrink
    assert guard.factor("standard", 120.0) == pytest.approx(1 - (cost - 0.005) / 0.005)
    (reading,) = guard.readings(120.0)
    assert reading.abandoned_by_rings == pytest.approx(cost)


def test_a_priced_abandonment_is_not_counted_whole() -> None:
    guard = _guard()
    for i in range(100):
        guard.outcome("standard", float(i), within=True, held=False, abandoned=False, risk=0.0)
    # a held call abandoned after 2 s past the grace: 0.025 expected, not 1 caller
    guard.outcome("standard", 100.0, within=False, held=False, abandoned=True, risk=0.025)
    assert guard.factor("standard", 100.0) > 1.0
    guard.outcome("standard", 101.0, within=False, held=True, abandoned=True)  # unpriced: 1
    assert guard.factor("standard", 101.0) == 0.0


def _ann_knows_acme_c2_held_and_late(d) -> float:
    """ann answers acme's c1 at 1 and is in wrap-up until 81; bob is ready; c2 comes at 70 and
    waits for ann although bob is ready (held); ann answers it at 95, 25 s after it came."""
    d.agent("ann", at=0)
    d.agent("bob", at=0)
    d.call("c1", at=1)
    assert d.offer("c1").agent == "ann"
    d.serve("c1", at=1, talk=60)
    d.call("c2", at=70)
    assert d.engine.calls["c2"].held
    d.until(81)
    assert d.offer("c2").agent == "ann"
    d.answer("c2", at=95)
    return d.engine.patience.hazard()


def test_a_held_call_costs_its_wait_past_the_grace_not_its_lateness(desk):
    d = desk(guard_grace=True)
    _learn(d.engine.patience)
    hazard = _ann_knows_acme_c2_held_and_late(d)
    (reading,) = d.engine.guard.readings(95.0)
    assert (reading.calls, reading.service_level) == (2, 0.5)
    assert reading.reference == 0.5  # its lateness is not counted against the rings
    assert reading.abandoned_by_rings == pytest.approx(hazard * (25 - 10) / 2)


@pytest.mark.parametrize("grace", [0.0, None])
def test_without_a_grace_learned_the_guard_counts_as_before(desk, grace):
    """Callers who hang up from the start (grace 0), or no abandonment seen yet: the held call
    late counts against the service level, as without the setting."""
    d = desk(guard_grace=True)
    if grace is not None:
        _learn(d.engine.patience, grace=grace)
    _ann_knows_acme_c2_held_and_late(d)
    (reading,) = d.engine.guard.readings(95.0)
    assert (reading.service_level, reading.reference, reading.abandoned_by_rings) == (0.5, 1, 0)


def test_the_setting_off_counts_as_before_even_with_a_grace(desk):
    d = desk()
    _learn(d.engine.patience)
    _ann_knows_acme_c2_held_and_late(d)
    (reading,) = d.engine.guard.readings(95.0)
    assert (reading.service_level, reading.reference) == (0.5, 1.0)


def _x1_passed_over_for_c2(d, c2_at: float) -> float:
    """ann knows acme and is in wrap-up until 81, bob is busy until 90 (wrap-up); zed's x1
    waits from 60 in the open line, acme's c2 from ``c2_at`` for ann. At 81 ann takes c2, the
    younger call, and x1 is passed over; bob takes x1 at 90, answered at 92."""
    d.agent("ann", at=0)
    d.agent("bob", at=0)
    d.call("c1", at=1, target_seconds=30)
    d.call("b1", at=1, account="other", target_seconds=30)
    assert (d.offer("c1").agent, d.offer("b1").agent) == ("ann", "bob")
    d.answer("c1", at=1)
    d.answer("b1", at=1)
    d.call("x1", at=60, account="zed", target_seconds=30)
    d.finish("c1", at=61)
    for at, step in sorted([(70, "b1"), (c2_at, "c2")]):
        if step == "b1":
            d.finish("b1", at=at)
        else:
            d.call("c2", at=at, target_seconds=30)
    assert [(o.call, o.agent) for o in d.until(81) if isinstance(o, Offer)] == [("c2", "ann")]
    assert d.engine.calls["x1"].held
    d.answer("c2", at=81)
    assert [(o.call, o.agent) for o in d.until(90) if isinstance(o, Offer)] == [("x1", "bob")]
    d.answer("x1", at=92)
    return d.engine.patience.hazard()


def test_passing_over_a_call_for_one_past_the_grace_too_costs_nothing(desk):
    d = desk(guard_grace=True, open_line_share=0.0)
    _learn(d.engine.patience)
    _x1_passed_over_for_c2(d, c2_at=62)  # c2 had waited 19 s: past its grace when taken
    (reading,) = d.engine.guard.readings(92.0)
    assert reading.calls == 4
    assert reading.abandoned_by_rings == 0.0


def test_passing_over_a_call_for_one_within_its_grace_costs_the_grace_left(desk):
    d = desk(guard_grace=True, open_line_share=0.0)
    _learn(d.engine.patience)
    hazard = _x1_passed_over_for_c2(d, c2_at=75)  # c2 had waited 6 s: 4 s of grace unused
    (reading,) = d.engine.guard.readings(92.0)
    # x1 waited 32 s (22 past the grace) instead of 21 (11); c2 would have waited 17 (7 past)
    assert reading.abandoned_by_rings * 4 == pytest.approx(hazard * ((22 - 11) - 7))
