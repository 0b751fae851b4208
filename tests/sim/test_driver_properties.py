"""Property: whatever the day, the twin and the engine account for every caller exactly once."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.sim.driver import play
from accueil.sim.metrics import Fate
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario

HOUR = 3600.0
STRATEGIES = st.sampled_from(["accueil", "longest_idle", "round_robin", "random", "fewest_calls"])


@st.composite
def days(draw: st.DrawFn) -> Scenario:
    n_agents = draw(st.integers(1, 5))
    agents = tuple(
        AgentSpec(
            f"a{i}",
            draw(st.sampled_from(["A", "home"])),
            ("fr", "en") if draw(st.booleans()) else ("fr",),
        )
        for i in range(n_agents)
    )
    presences = []
    for agent in agents:
        start = draw(st.floats(0, HOUR))
        end = start + draw(st.floats(600, 3 * HOUR))
        breaks = ()
        if draw(st.booleans()):
            b = draw(st.floats(start, end - 300))
            breaks = ((b, b + 300),)
        drops = ()
        if agent.site == "home" and draw(st.booleans()):
            d = draw(st.floats(start, end - 1))
            drops = ((d, min(end, d + draw(st.floats(1, 200)))),)
        presences.append(Presence(agent.key, start, end, breaks, drops))
    n_calls = draw(st.integers(0, 40))
    calls = tuple(
        sorted(
            (
                CallSpec(
                    f"c{i}",
                    draw(st.floats(0, 4 * HOUR)),
                    draw(st.sampled_from(["x", "y"])),
                    draw(st.sampled_from(["x.1", "x.2", "y.1", ""])),
                    ("en",) if draw(st.integers(0, 4)) == 0 else ("fr",),
                    draw(st.floats(5, 400)),
                    draw(st.one_of(st.just(math.inf), st.floats(0, 200))),
                )
                for i in range(n_calls)
            ),
            key=lambda c: c.arrival,
        )
    )
    return Scenario(
        name="random day",
        accounts=(AccountSpec("x", "standard", 20), AccountSpec("y", "premium", 15, 30)),
        agents=agents,
        presences=tuple(presences),
        calls=calls,
        counted_from=0.0,
        wrap_up_seconds=draw(st.sampled_from([0.0, 20.0])),
        miss_probability=draw(st.sampled_from([0.0, 0.3])),
        ring_seconds=draw(st.sampled_from([0.0, 2.0])),
    )


@settings(max_examples=40)
@given(days(), STRATEGIES, st.integers(0, 10))
def test_every_caller_ends_once_and_the_engine_keeps_its_promises(
    scenario: Scenario, strategy: str, seed: int
) -> None:
    outcome = play(scenario, strategy, seed, {"max_wait": 600.0})
    assert outcome.violations == ()
    assert len(outcome.records) == len(scenario.calls)
    for record, call in zip(outcome.records, scenario.calls, strict=True):
        # With a maximum wait every caller leaves the line: answered, abandoned or overflowed.
        assert record.fate is not Fate.UNFINISHED
        assert record.waited >= 0
        if record.fate is Fate.ABANDONED:
            assert record.waited == pytest.approx(call.patience_seconds)
        if record.fate is Fate.ANSWERED:
            assert record.waited >= scenario.ring_seconds - 1e-9
            assert record.waited <= call.patience_seconds + 1e-6
            assert "en" not in call.languages or "en" in next(
                a.languages for a in scenario.agents if a.key == record.agent
            )
