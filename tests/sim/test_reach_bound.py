"""The affinity ceiling holds in the real engine: no call whose account's recent answerers were
all on a call gets one of them within wrap-up + ring, whatever the strategy and the load."""

from __future__ import annotations

import pytest

from accueil.sim.runner import quick

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
    assert sum(reach.shares.values()) == pytest.approx(1.0)
