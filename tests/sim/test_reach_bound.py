"""The affinity ceiling holds in the real engine: no call whose account's recent answerers were
all on a call gets one of them within wrap-up + ring, whatever the strategy and the load."""

from __future__ import annotations

import pytest

from accueil.sim.driver import play
from accueil.sim.reach import reach
from accueil.sim.runner import quick
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario

STRATEGIES = [
    ("accueil", {}),
    ("accueil", {"team_first": True}),
    ("accueil", {"person_in_account_ring": False, "hold_seconds": 8.0, "hold_loss": 1.0}),
    ("accueil_teams", {}),
    ("longest_idle", {}),
    ("fewest_calls", {}),
]


@pytest.mark.parametrize(("strategy", "params"), STRATEGIES)
@pytest.mark.parametrize("calls", [1500, 3000])
def test_no_run_beats_its_affinity_ceiling(
    strategy: str, params: dict[str, object], calls: int
) -> None:
    figures = quick(
        strategy, seed=5, workload="demo", overrides={"arrivals.calls_per_day": calls}, **params
    )
    reach = figures.reach
    assert reach is not None
    assert reach.answered == figures.answered
    assert reach.forced_strangers > 0  # the bound is not empty on these days
    assert reach.forced_familiar == 0
    assert figures.account_affinity <= figures.affinity_ceiling


@pytest.mark.parametrize("strategy", ["accueil", "longest_idle"])
def test_an_agent_back_from_a_dropout_during_wrap_up_is_free_early(strategy: str) -> None:
    # H answers h0 (talk until 102); its link drops 80-108, so the engine pauses H in wrap-up;
    # back at 108, H is ready before wrap-up would have ended (122) and answers x at 110
    scenario = Scenario(
        name="drop",
        accounts=(AccountSpec("a", "standard", 20), AccountSpec("b", "standard", 20)),
        agents=(AgentSpec("H", "home", ("fr",)), AgentSpec("S", "A", ("fr",))),
        presences=(Presence("H", 0, 5000, dropouts=((80.0, 108.0),)), Presence("S", 0, 5000)),
        calls=(
            CallSpec("h0", 0.0, "a", "p1", ("fr",), 100.0),
            CallSpec("b0", 90.0, "b", "q", ("fr",), 300.0),
            CallSpec("x", 101.0, "a", "p2", ("fr",), 50.0),
        ),
        counted_from=0.0,
        wrap_up_seconds=20,
        ring_seconds=2,
    )
    records = {r.key: r for r in play(scenario, strategy, 1).records}
    assert records["h0"].freed == 108.0
    assert records["x"].agent == "H"
    result = reach(scenario, tuple(records.values()))
    assert result.forced_familiar == 0
    assert result.forced_strangers == 2  # h0 and b0: nobody had answered their accounts
