"""Occupancy in the twin against theory: an M/M/N queue's agents are busy load ÷ agents of the
time (Erlang C), talk and wrap-up alike, with or without a wrap-up after each call."""

from __future__ import annotations

from dataclasses import replace

import pytest

from accueil.sim.driver import play
from accueil.sim.metrics import figures
from accueil.sim.scenario import Presence
from accueil.sim.validation import erlang_scenario

AGENTS, LOAD, HANDLE, CALLS = 10, 8.0, 60.0, 20_000
PARAMS = {"max_wait": None, "heartbeat_site": "nobody"}


def _occupancy(wrap_up: float) -> float:
    scenario = erlang_scenario(AGENTS, LOAD, HANDLE, CALLS, seed=3)
    # Agents work exactly while calls arrive: the working time theory speaks of.
    end = scenario.calls[-1].arrival
    presences = tuple(Presence(p.agent, 0.0, end) for p in scenario.presences)
    scenario = replace(scenario, presences=presences, wrap_up_seconds=wrap_up)
    outcome = play(scenario, "longest_idle", 1, {**PARAMS, "wrapup_seconds": wrap_up})
    return figures("longest_idle", scenario, outcome.records, outcome.busy_seconds).occupancy


def test_without_wrap_up_occupancy_is_the_erlang_load_per_agent() -> None:
    # The twin used to report 0% here: busy time was only added when a WrapUp command came.
    assert _occupancy(0.0) == pytest.approx(LOAD / AGENTS, rel=0.03)


def test_with_wrap_up_occupancy_counts_talk_and_wrap_up() -> None:
    # Each call holds its agent 60 s talking, then 12 s in wrap-up: 8 × 72/60 = 9.6 Erlangs of
    # work on 10 agents.
    assert _occupancy(12.0) == pytest.approx(LOAD * (HANDLE + 12.0) / HANDLE / AGENTS, rel=0.03)
