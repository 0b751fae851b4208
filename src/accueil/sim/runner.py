"""Running workloads: one strategy on one seed, all strategies on several seeds, trade-offs.

``quick`` is the one-call entry point for tuning a strategy from a script::

    from accueil.sim.runner import quick
    print(quick("accueil", seed=1, budget_share=0.8))  # W1, one seed, engine override
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from accueil.core.routing.catalogue import STRATEGIES
from accueil.errors import InvalidInput
from accueil.sim.driver import play
from accueil.sim.generator import generate
from accueil.sim.metrics import Figures, Run, figures
from accueil.sim.scenario import Scenario
from accueil.sim.trace import read_trace, trace_scenario
from accueil.sim.workload import Workload, load_workload

BASELINE = "longest_idle"


def strategies_named(text: str) -> tuple[str, ...]:
    """``all`` or a comma-separated list of strategy names, checked."""
    if text.strip() == "all":
        return tuple(STRATEGIES)
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    unknown = [n for n in names if n not in STRATEGIES]
    if unknown or not names:
        raise InvalidInput(
            f"unknown strategy {', '.join(unknown) or text!r}; choose 'all' or among "
            f"{', '.join(STRATEGIES)}",
            strategy=text,
        )
    return names


def scenario_for(workload: Workload, seed: int, trace: Path | None = None) -> Scenario:
    """The generated days for ``seed``, or the trace's day with the workload's agents."""
    if trace is not None:
        return trace_scenario(workload, read_trace(trace), seed)
    return generate(workload, seed)


def run_strategy(
    workload: Workload,
    scenario: Scenario,
    strategy: str,
    seed: int,
    params: dict[str, Any] | None = None,
) -> Run:
    """Play one strategy; engine parameters are the workload's, then ``params``."""
    settings = {**workload.engine, "seed": seed, **(params or {})}
    started = time.perf_counter()
    outcome = play(scenario, strategy, seed, settings)
    result = figures(strategy, scenario, outcome.records, outcome.busy_seconds)
    elapsed = time.perf_counter() - started
    return Run(strategy, seed, result, outcome.events, elapsed, outcome.violations)


def simulate(
    workload: Workload,
    strategies: Sequence[str],
    seeds: Sequence[int],
    trace: Path | None = None,
    params: dict[str, Any] | None = None,
) -> list[Run]:
    """Every strategy on every seed; a seed's scenario is shared by all strategies."""
    runs = []
    for seed in seeds:
        scenario = scenario_for(workload, seed, trace)
        runs += [run_strategy(workload, scenario, s, seed, params) for s in strategies]
    return runs


def tradeoff(
    workload: Workload,
    seed: int,
    points: Mapping[float, dict[str, Any]],
    strategy: str = "accueil",
    trace: Path | None = None,
) -> dict[float, Figures]:
    """The strategy's figures at each point of a curve: x value → engine parameters."""
    scenario = scenario_for(workload, seed, trace)
    return {
        x: run_strategy(workload, scenario, strategy, seed, params).figures
        for x, params in points.items()
    }


def quick(
    strategy: str = "accueil",
    seed: int = 1,
    workload: str = "w1",
    overrides: dict[str, Any] | None = None,
    **engine_params: Any,
) -> Figures:
    """One strategy on one seed of a packaged workload, with engine parameters overridden."""
    loaded = load_workload(workload)
    if overrides:
        loaded = loaded.overridden(overrides)
    return run_strategy(loaded, generate(loaded, seed), strategy, seed, engine_params).figures
