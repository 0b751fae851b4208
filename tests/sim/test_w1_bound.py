"""The affinity bound of bench/w1_bound.py (issue 17) on a hand-built day, and its matching."""

from __future__ import annotations

import math
import sys
from pathlib import Path

import pytest

from accueil.sim.outcomes import CallResult, Fate
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a package of the repository, not of the installed one
    sys.path.insert(0, str(ROOT))

from bench.w1_bound import _augment, bound, online  # noqa: E402

GRACE, MEAN = 10.0, 80.0


def _day() -> tuple[Scenario, list[CallResult]]:
    """A answers c1 (free again at 72), B answers c2 (free again at 132); c3 comes at 80, when
    A — one of the account's recent answerers — is free, and a stranger C answers it."""
    calls = (
        CallSpec("c1", 0.0, "X", "p", ("fr",), 50.0),
        CallSpec("c2", 10.0, "X", "p", ("fr",), 100.0),
        CallSpec("c3", 80.0, "X", "p", ("fr",), 30.0),
    )
    scenario = Scenario(
        name="tiny",
        accounts=(AccountSpec("X", "standard", 20.0),),
        agents=tuple(AgentSpec(a, "A", ("fr",)) for a in ("A", "B", "C")),
        presences=tuple(Presence(a, 0.0, 1000.0) for a in ("A", "B", "C")),
        calls=calls,
        counted_from=0.0,
        wrap_up_seconds=20.0,
        ring_seconds=2.0,
    )
    records = [
        CallResult("c1", "X", "p", 0.0, Fate.ANSWERED, 2.0, "A", 72.0),
        CallResult("c2", "X", "p", 10.0, Fate.ANSWERED, 2.0, "B", 132.0),
        CallResult("c3", "X", "p", 80.0, Fate.ANSWERED, 2.0, "C", 132.0),
    ]
    return scenario, records


def test_a_familiar_agent_free_at_arrival_counts_for_nothing_spent() -> None:
    scenario, records = _day()
    result = bound(scenario, records, GRACE, MEAN, allowance_abandon=0.0, allowance_sl=10.0)
    assert (result.answered, result.familiar) == (3, 0)
    assert (result.free, result.paid) == (1, 0)  # c3 could have had A; c2 only by waiting
    assert result.ceiling == pytest.approx(1 / 3)
    assert online(scenario, records, GRACE, MEAN, 0.0) == (1, 0, 0.0)


def test_a_long_wait_is_paid_from_the_allowance() -> None:
    scenario, records = _day()
    # c2 could have waited for A (free at 72: answered at 64 s instead of 2 s)
    cost = 1 - math.exp(-(64.0 - GRACE) / MEAN)
    short = bound(scenario, records, GRACE, MEAN, allowance_abandon=cost - 0.01, allowance_sl=10)
    assert short.paid == 0
    enough = bound(scenario, records, GRACE, MEAN, allowance_abandon=cost + 0.01, allowance_sl=10)
    assert (enough.free, enough.paid, enough.spent_sl) == (1, 1, 1)
    assert enough.spent_abandon == pytest.approx(cost)
    free, paid, spent = online(scenario, records, GRACE, MEAN, cost + 0.01)
    assert (free, paid) == (1, 1) and spent == pytest.approx(cost)


def test_the_matching_moves_a_call_to_make_room() -> None:
    edges = [[0, 1], [0], [0]]
    caps = [1, 1]
    holders: list[list[int]] = [[], []]
    assert _augment(0, edges, caps, holders)
    assert _augment(1, edges, caps, holders)  # call 0 moves to spell 1, call 1 takes spell 0
    assert holders == [[1], [0]]
    assert not _augment(2, edges, caps, holders)  # both spells are taken for good
    assert holders == [[1], [0]]
