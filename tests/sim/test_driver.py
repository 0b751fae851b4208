"""The driver plays scenarios through the real engine the way callers and agents behave."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from accueil.sim.driver import play
from accueil.sim.metrics import Fate
from accueil.sim.runner import quick
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario

NOON = 12 * 3600.0


def _scenario(
    calls: list[CallSpec], presences: list[Presence] | None = None, **kw: object
) -> Scenario:
    agents = kw.pop("agents", (AgentSpec("ann", "A", ("fr",)),))
    base = Scenario(
        name="t",
        accounts=(AccountSpec("acme", "standard", 20.0),),
        agents=agents,  # type: ignore[arg-type]
        presences=tuple(presences or [Presence("ann", NOON - 3600, NOON + 3600)]),
        calls=tuple(calls),
        counted_from=0.0,
        wrap_up_seconds=20.0,
        ring_seconds=2.0,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def _call(
    key: str,
    at: float,
    handle: float = 100.0,
    patience: float = math.inf,
    languages: tuple[str, ...] = ("fr",),
) -> CallSpec:
    return CallSpec(key, at, "acme", "acme.p1", languages, handle, patience)


def test_a_ready_agent_answers_after_the_ring() -> None:
    outcome = play(_scenario([_call("c1", NOON)]), "longest_idle", seed=1)
    (record,) = outcome.records
    assert (record.fate, record.agent) == (Fate.ANSWERED, "ann")
    assert record.waited == pytest.approx(2.0)


def test_talk_and_wrap_up_count_as_busy_time() -> None:
    outcome = play(_scenario([_call("c1", NOON, handle=100)]), "longest_idle", seed=1)
    assert outcome.busy_seconds == pytest.approx(120.0)


def test_a_call_waits_for_the_agent_to_finish_call_and_wrap_up() -> None:
    calls = [_call("c1", NOON, handle=100), _call("c2", NOON + 10)]
    records = play(_scenario(calls), "longest_idle", seed=1).records
    # c1 answered at +2, ends at +102, wrap-up until +122, then c2 rings 2 s: answered at +124.
    assert records[1].waited == pytest.approx(NOON + 124 - (NOON + 10))


def test_an_impatient_caller_abandons_and_the_agent_is_freed() -> None:
    calls = [
        _call("c1", NOON, handle=300),
        _call("c2", NOON + 1, patience=30),
        _call("c3", NOON + 400),
    ]
    records = play(_scenario(calls), "longest_idle", seed=1).records
    assert [r.fate for r in records] == [Fate.ANSWERED, Fate.ABANDONED, Fate.ANSWERED]
    assert records[1].waited == pytest.approx(30)


def test_nobody_answers_during_a_break_and_the_caller_is_served_after_it() -> None:
    presence = Presence("ann", NOON - 3600, NOON + 3600, ((NOON - 60, NOON + 240),))
    records = play(_scenario([_call("c1", NOON)], [presence]), "longest_idle", seed=1).records
    assert records[0].fate is Fate.ANSWERED
    assert records[0].waited == pytest.approx(240 + 2)


def test_after_the_shift_callers_are_not_answered() -> None:
    calls = [_call("late", NOON + 3700, patience=60)]
    # Nobody is logged in: the call goes to its fallback at once instead of ringing out.
    (record,) = play(_scenario(calls), "longest_idle", seed=1).records
    assert (record.fate, record.waited) == (Fate.OVERFLOWED, 0.0)


def test_without_wrap_up_talk_time_still_counts_as_busy() -> None:
    calls = [_call("c1", NOON, handle=100), _call("c2", NOON + 500, handle=50)]
    outcome = play(_scenario(calls, wrap_up_seconds=0.0), "longest_idle", seed=1)
    assert outcome.busy_seconds == pytest.approx(150.0)


def test_the_last_call_of_a_shift_counts_as_busy_when_the_agent_leaves_after_it() -> None:
    # ann's shift ends during her call: she leaves after it, with no wrap-up command.
    calls = [_call("c1", NOON + 3500, handle=300)]
    outcome = play(_scenario(calls), "longest_idle", seed=1)
    assert outcome.busy_seconds == pytest.approx(300.0)


def test_an_english_call_waits_for_an_english_speaker() -> None:
    agents = (AgentSpec("ann", "A", ("fr",)), AgentSpec("bob", "A", ("fr", "en")))
    presences = [Presence("ann", 0, NOON * 2), Presence("bob", 0, NOON * 2)]
    calls = [_call("fr", NOON, handle=500), _call("en", NOON + 1, languages=("en",))]
    scenario = _scenario(calls, presences, agents=agents)
    records = play(scenario, "longest_idle", seed=1).records
    assert records[1].agent == "bob"


def test_a_home_agent_stays_available_through_a_long_quiet_spell() -> None:
    agents = (AgentSpec("hal", "home", ("fr",)),)
    presences = [Presence("hal", NOON - 3600, NOON + 3600)]
    scenario = _scenario([_call("c1", NOON + 1800)], presences, agents=agents)
    outcome = play(scenario, "longest_idle", seed=1)
    assert outcome.records[0].fate is Fate.ANSWERED
    assert outcome.events > 3600 / 15  # heartbeats kept the softphone alive


def test_a_missed_offer_costs_the_caller_a_lease_and_the_call_is_still_answered() -> None:
    agents = (AgentSpec("ann", "A", ("fr",)), AgentSpec("bob", "A", ("fr",)))
    presences = [Presence("ann", 0, NOON * 2), Presence("bob", 0, NOON * 2)]
    calls = [_call(f"c{i}", NOON + 200 * i, handle=10) for i in range(12)]
    scenario = _scenario(calls, presences, agents=agents, miss_probability=0.3)
    outcome = play(scenario, "longest_idle", seed=3, params={"offer_timeout": 15.0})
    assert all(r.fate is Fate.ANSWERED for r in outcome.records)
    waits = sorted(r.waited for r in outcome.records)
    assert waits[0] == pytest.approx(2.0)  # picked up after the ring
    # A miss costs a whole 15 s lease before someone else (or the same agent later) rings.
    assert waits[-1] >= 15.0 + 2.0
    assert not [w for w in waits if 2.0 + 1e-6 < w < 17.0 - 1e-6]


def test_same_seed_same_outcome() -> None:
    calls = [_call(f"c{i}", NOON + 7 * i, handle=30, patience=40) for i in range(60)]
    scenario = _scenario(calls, miss_probability=0.2)
    assert play(scenario, "accueil", seed=5) == play(scenario, "accueil", seed=5)


def test_a_home_agent_who_loses_the_link_is_back_in_rotation_once_reconnected() -> None:
    agents = (AgentSpec("hal", "home", ("fr",)),)
    drop = (NOON - 300, NOON + 200)
    presences = [Presence("hal", NOON - 3600, NOON + 3600, dropouts=(drop,))]
    scenario = _scenario([_call("c1", NOON)], presences, agents=agents)
    (record,) = play(scenario, "longest_idle", seed=1).records
    # The engine found hal silent and paused them; the call waited for the reconnection.
    assert record.fate is Fate.ANSWERED
    assert record.waited == pytest.approx(200 + 2)


def test_a_home_agent_offline_at_the_end_of_a_break_waits_for_the_link() -> None:
    agents = (AgentSpec("hal", "home", ("fr",)),)
    presence = Presence(
        "hal", NOON - 3600, NOON + 3600, ((NOON - 600, NOON - 60),), ((NOON - 120, NOON + 100),)
    )
    scenario = _scenario([_call("c1", NOON)], [presence], agents=agents)
    (record,) = play(scenario, "longest_idle", seed=1).records
    assert record.waited == pytest.approx(100 + 2)


def test_the_guard_is_reproducible_in_the_twin() -> None:
    overrides = {"arrivals.calls_per_day": 3000, "simulation.warmup_days": 0}
    first = quick("accueil", seed=4, overrides=overrides, guard_min_calls=5)
    again = quick("accueil", seed=4, overrides=overrides, guard_min_calls=5)
    assert first == again
