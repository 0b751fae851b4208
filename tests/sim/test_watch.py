"""The twin's watch on the engine's promises: quiet on a real day, loud on a broken promise."""

from __future__ import annotations

import pytest

from accueil.sim.runner import simulate
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Scenario
from accueil.sim.watch import Watch
from accueil.sim.workload import load_workload


def _watch() -> Watch:
    scenario = Scenario(
        name="t",
        accounts=(AccountSpec("acme", "standard", 20),),
        agents=(AgentSpec("ann", "A", ("fr",)), AgentSpec("bob", "A", ("fr", "en"))),
        presences=(),
        calls=(
            CallSpec("c1", 0.0, "acme", "", ("fr",), 60),
            CallSpec("c2", 1.0, "acme", "", ("en",), 60),
        ),
        counted_from=0.0,
    )
    return Watch(scenario)


def test_a_call_answered_twice_or_by_a_busy_agent_is_reported() -> None:
    watch = _watch()
    watch.answered(5.0, "c1", "bob")
    watch.answered(6.0, "c1", "bob")
    assert watch.violations == [
        "t=6.0: c1 answered by bob after it ended",
        "t=6.0: bob answered c1 while on c1",
    ]


def test_a_call_given_to_an_agent_without_its_language_is_reported() -> None:
    watch = _watch()
    watch.answered(5.0, "c2", "ann")
    assert watch.violations == ["t=5.0: c2 needs en; ann does not speak it"]


def test_offers_to_a_talking_agent_or_for_a_finished_call_are_reported() -> None:
    watch = _watch()
    watch.answered(5.0, "c1", "ann")
    watch.offered(7.0, "c2", "ann")
    watch.talk_over("ann")
    watch.offered(70.0, "c2", "ann")  # after the talk: fine
    watch.abandoned("c2")
    watch.overflowed(90.0, "c2")
    assert watch.violations == [
        "t=7.0: c2 offered to ann, who is on c1",
        "t=90.0: c2 overflowed after it ended",
    ]


@pytest.mark.parametrize("strategy", ["accueil", "longest_idle", "round_robin"])
def test_the_engine_keeps_its_promises_through_a_demo_day(strategy: str) -> None:
    # Breaks, staggered shifts, misses, softphone dropouts and impatient callers.
    workload = load_workload("demo").overridden({"arrivals.calls_per_day": 900})
    (run,) = simulate(workload, [strategy], [3])
    assert run.figures.answered > 500
    assert run.violations == ()
