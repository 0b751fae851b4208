"""The independent mini simulator of bench/w1_policies.py on hand-built days, and on W1."""

from __future__ import annotations

import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from accueil.sim.generator import generate
from accueil.sim.runner import quick
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario
from accueil.sim.workload import load_workload

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # bench/ is a package of the repository, not of the installed one
    sys.path.insert(0, str(ROOT))

from bench.w1_policies import (  # noqa: E402
    VARIANTS,
    CallOutcome,
    Greedy,
    LongestIdle,
    MiniSim,
    Policy,
    Row,
    WrapHold,
    cross_check,
    format_rows,
    simulate,
)

DAY_END = 10_000.0
POLICIES: list[tuple[str, Callable[[], Policy]]] = [
    *VARIANTS,
    ("wrap hold 10 s, no cover", lambda: WrapHold(10.0, cover=False)),
]


def _scenario(
    calls: Sequence[CallSpec],
    presences: Sequence[Presence],
    agents: Sequence[str] = ("A", "B"),
    miss_probability: float = 0.0,
) -> Scenario:
    return Scenario(
        name="tiny",
        accounts=(AccountSpec("X", "standard", 20.0), AccountSpec("Y", "standard", 20.0)),
        agents=tuple(AgentSpec(a, "A", ("fr",)) for a in agents),
        presences=tuple(presences),
        calls=tuple(sorted(calls, key=lambda c: c.arrival)),
        counted_from=0.0,
        wrap_up_seconds=20.0,
        miss_probability=miss_probability,
        ring_seconds=2.0,
    )


def _call(
    key: str, at: float, handle: float = 10.0, patience: float = math.inf, account: str = "X"
) -> CallSpec:
    return CallSpec(key, at, account, "p", ("fr",), handle, patience)


def _logged_in(agents: Sequence[str]) -> list[Presence]:
    """Everyone for the whole day, logging in one second apart (the first is longest idle)."""
    return [Presence(a, float(i), DAY_END) for i, a in enumerate(agents)]


def _play(scenario: Scenario, policy: Policy, **kw: float) -> dict[str, CallOutcome]:
    return MiniSim(scenario, policy, seed=1, **kw).play().outcomes


@pytest.mark.parametrize(
    ("answerers", "familiar"),
    [
        # A answered 4 distinct agents ago: out of the account's memory.
        (("A", "B", "C", "D", "A"), [False, False, False, False, False]),
        # A answered 4 calls ago but only 3 distinct agents ago: still familiar.
        (("A", "B", "B", "C", "A"), [False, False, True, False, True]),
    ],
)
def test_the_account_memory_is_its_three_distinct_most_recent_answerers(
    answerers: tuple[str, ...], familiar: list[bool]
) -> None:
    # Each call finds exactly one agent logged in: the one meant to answer it.
    times = [100.0 * (2 * i + 1) for i in range(len(answerers))]
    calls = [_call(f"c{i}", t) for i, t in enumerate(times)]
    presences = [Presence(a, t - 50, t + 100) for a, t in zip(answerers, times, strict=True)]
    sim = MiniSim(_scenario(calls, presences, agents=("A", "B", "C", "D")), LongestIdle(), 1)
    outcomes = sim.play().outcomes

    assert [outcomes[c.key].agent for c in calls] == list(answerers)
    assert [outcomes[c.key].familiar for c in calls] == familiar
    assert sim.figures().affinity == pytest.approx(sum(familiar) / len(familiar))


@pytest.mark.parametrize("cover", [False, True])
@pytest.mark.parametrize(
    ("arrival", "held"),
    [(75.0, True), (70.0, False)],  # A's wrap-up ends at 82: within 10 s of 75, not of 70
)
def test_wrap_hold_waits_for_a_familiar_agent_ending_wrap_up_within_the_horizon(
    arrival: float, held: bool, cover: bool
) -> None:
    # c1 goes to A (longest idle): answered at 12, talks until 62, wraps up until 82.
    calls = [_call("c1", 10.0, handle=50.0), _call("c2", arrival)]
    scenario = _scenario(calls, _logged_in(["A", "B"]))

    outcome = _play(scenario, WrapHold(horizon=10.0, cover=cover))["c2"]

    assert outcome.klass == "wrap"
    if held:
        assert (outcome.agent, outcome.familiar) == ("A", True)
        assert outcome.wait == pytest.approx(82.0 + 2.0 - arrival)
    else:
        assert (outcome.agent, outcome.familiar, outcome.wait) == ("B", False, 2.0)


@pytest.mark.parametrize("policy", [LongestIdle(), Greedy(0.0)], ids=["longest_idle", "greedy"])
def test_without_a_hold_the_call_goes_to_the_idle_stranger(policy: Policy) -> None:
    calls = [_call("c1", 10.0, handle=50.0), _call("c2", 75.0)]

    outcome = _play(_scenario(calls, _logged_in(["A", "B"])), policy)["c2"]

    assert (outcome.klass, outcome.agent, outcome.familiar, outcome.wait) == (
        "wrap",
        "B",
        False,
        2.0,
    )


@pytest.mark.parametrize("stranger", [False, True])
@pytest.mark.parametrize(("name", "make"), POLICIES, ids=[name for name, _ in POLICIES])
def test_a_call_whose_recent_answerers_all_talk_cannot_get_them_within_20_s(
    name: str, make: Callable[[], Policy], stranger: bool
) -> None:
    # A, B and C answer c1–c3 and talk until about 312; c4 arrives at 100.
    agents = ["A", "B", "C", "D"] if stranger else ["A", "B", "C"]
    calls = [_call(f"c{i}", 9.0 + i, handle=300.0) for i in (1, 2, 3)] + [_call("c4", 100.0)]

    outcomes = _play(_scenario(calls, _logged_in(agents), agents=agents), make())

    assert {outcomes[k].agent for k in ("c1", "c2", "c3")} == {"A", "B", "C"}
    c4 = outcomes["c4"]
    assert c4.klass == "talk"
    if stranger:
        assert (c4.agent, c4.familiar) == ("D", False)
        assert c4.wait <= 20.0
    else:
        assert c4.familiar  # the first of them to finish talking and wrapping up
        assert c4.wait > 20.0 + 200.0


def test_a_caller_whose_patience_runs_out_while_waiting_abandons() -> None:
    calls = [
        _call("c1", 10.0, handle=300.0),  # A talks until 312
        _call("c2", 50.0, patience=30.0),  # gives up at 80, long before A is free
        _call("c3", 60.0, patience=3.0),  # gives up within 5 s: left out of the figures
    ]
    sim = MiniSim(_scenario(calls, _logged_in(["A"]), agents=["A"]), LongestIdle(), 1).play()

    assert sim.outcomes["c2"] == CallOutcome("abandoned", 30.0, klass="talk")
    assert sim.outcomes["c3"].fate == "abandoned"
    figures = sim.figures()
    assert (figures.offered, figures.answered) == (2, 1)
    assert figures.service_level == pytest.approx(0.5)
    assert figures.abandonment == pytest.approx(0.5)


def test_a_caller_who_hangs_up_while_it_rings_is_abandoned_at_their_patience() -> None:
    calls = [_call("c1", 10.0, patience=1.5)]  # offered at once, the ring lasts 2 s

    outcome = _play(_scenario(calls, _logged_in(["A"]), agents=["A"]), LongestIdle())["c1"]

    assert (outcome.fate, outcome.wait, outcome.agent) == ("abandoned", 1.5, "")


@pytest.mark.parametrize(
    ("scenario_miss", "override", "fate", "wait"),
    [
        (0.0, None, "answered", 2.0),
        (1.0, None, "abandoned", 40.0),  # missed at 15, 30, 45 s: gone at 40 s
        (0.0, 1.0, "abandoned", 40.0),
        (1.0, 0.0, "answered", 2.0),
    ],
)
def test_the_miss_probability_defaults_to_the_scenarios_and_can_be_overridden(
    scenario_miss: float, override: float | None, fate: str, wait: float
) -> None:
    calls = [_call("c1", 10.0, patience=40.0)]
    scenario = _scenario(calls, _logged_in(["A"]), agents=["A"], miss_probability=scenario_miss)
    kw = {} if override is None else {"miss_probability": override}

    outcome = _play(scenario, LongestIdle(), **kw)["c1"]

    assert (outcome.fate, outcome.wait) == (fate, wait)


def test_format_rows_gives_a_markdown_table() -> None:
    classes = {"free": 0.3, "wrap": 0.25, "talk": 0.45, "none": 0.0}
    talk = {"talk": 0.05, "none": math.nan}
    row = Row("greedy", (1,), 0.8766, 0.0321, 0.4, 12000.0, classes, talk)

    lines = format_rows([row, Row("empty", (1,), *([math.nan] * 4), classes, {"talk": math.nan})])

    table = lines.splitlines()
    assert table[0].startswith("| variant | SL | abandonment | affinity |")
    assert table[1].startswith("|---|")
    assert table[2] == "| greedy | 87.7% | 3.2% | 40.0% | 45.0% | 5.0% |"
    assert table[3] == "| empty | – | – | – | 45.0% | – |"


@pytest.fixture(scope="module")
def w1_seed_1() -> Scenario:
    return generate(load_workload("w1"), 1)


def test_the_mini_simulator_agrees_with_the_engine_on_longest_idle(w1_seed_1: Scenario) -> None:
    mini = simulate(w1_seed_1, LongestIdle(), seed=1)
    engine = quick("longest_idle", seed=1)

    assert mini.offered == engine.offered
    assert abs(mini.service_level - engine.service_level) <= 0.03
    assert abs(mini.abandonment - engine.abandonment) <= 0.01
    assert abs(mini.affinity - engine.account_affinity) <= 0.02


@pytest.mark.parametrize(
    ("make", "affinity"),
    [(lambda: Greedy(0.0), 0.3540), (lambda: WrapHold(10.0, cover=True), 0.4486)],
    ids=["greedy_0", "wrap_hold_10_cover"],
)
def test_w1_seed_1_reproduces_the_scratch_simulators_affinity(
    w1_seed_1: Scenario, make: Callable[[], Policy], affinity: float
) -> None:
    figures = simulate(w1_seed_1, make(), seed=1)

    assert round(figures.affinity, 4) == affinity
    assert sum(figures.class_share.values()) == pytest.approx(1.0)
    by_class = sum(
        figures.class_share[k] * figures.class_affinity[k]
        for k in figures.class_share
        if figures.class_share[k]
    )
    assert by_class == pytest.approx(figures.affinity)


@pytest.mark.slow  # nine runs of a W1 day: about 7 s
def test_cross_check_gives_one_row_per_variant() -> None:
    rows = cross_check(seeds=(1,))

    assert [r.variant for r in rows] == [name for name, _ in VARIANTS]
    by_name = {r.variant: r for r in rows}
    assert by_name["longest idle"].affinity < 0.1
    assert round(by_name["greedy, budget 0 s"].affinity, 4) == 0.3540
    assert all(r.class_share["talk"] > 0.3 for r in rows)
    assert len(format_rows(rows).splitlines()) == 2 + len(VARIANTS)
