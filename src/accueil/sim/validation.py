"""Validation against theory: one fully pooled queue must behave like Erlang C.

With Poisson arrivals, exponential handle times, no abandonment, no wrap-up, no missed offers
and longest-idle routing, the engine is an M/M/N queue. The simulated probability of waiting,
average speed of answer and service level are estimated by batch means (waits of successive
callers are correlated, so single calls are not independent samples) with a Student-t interval.
"""

from __future__ import annotations

import heapq
import math
import statistics
from dataclasses import dataclass

import numpy as np

from accueil.sim.driver import play
from accueil.sim.erlang import ErlangC
from accueil.sim.metrics import Fate
from accueil.sim.scenario import AccountSpec, AgentSpec, CallSpec, Presence, Scenario


@dataclass(frozen=True)
class Estimate:
    """A simulated figure, its confidence half-width, and the theory's value."""

    name: str
    simulated: float
    half_width: float
    theory: float

    @property
    def agrees(self) -> bool:
        return abs(self.simulated - self.theory) <= self.half_width


@dataclass(frozen=True)
class Validation:
    agents: int
    load: float
    calls: int
    estimates: tuple[Estimate, ...]
    events: int
    # Every caller's wait equals the textbook FIFO M/M/N recursion on the same calls.
    identical_to_fifo: bool

    @property
    def agrees(self) -> bool:
        return all(e.agrees for e in self.estimates)


def erlang_scenario(
    agents: int, load: float, handle_seconds: float, calls: int, seed: int
) -> Scenario:
    """``calls`` Poisson arrivals at ``load`` Erlangs on ``agents`` always-present agents."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(handle_seconds / load, calls)
    arrivals = np.cumsum(gaps)
    handles = rng.exponential(handle_seconds, calls)
    end = float(arrivals[-1]) + 1000 * handle_seconds
    return Scenario(
        name=f"Erlang C {agents} agents, {load:g} Erlangs",
        accounts=(AccountSpec("pool", "standard", 20.0),),
        agents=tuple(AgentSpec(f"a{i:04d}", "site", ("fr",)) for i in range(agents)),
        presences=tuple(Presence(f"a{i:04d}", 0.0, end) for i in range(agents)),
        calls=tuple(
            CallSpec(f"c{i:07d}", float(arrivals[i]), "pool", "", ("fr",), float(handles[i]))
            for i in range(calls)
        ),
        counted_from=0.0,
    )


def validate(
    agents: int,
    load: float,
    calls: int,
    seed: int = 1,
    handle_seconds: float = 60.0,
    target_seconds: float = 20.0,
    batches: int = 20,
    confidence: float = 0.999,
) -> Validation:
    """Simulate the M/M/N queue and compare with Erlang C (the first 5% of calls warm up)."""
    scenario = erlang_scenario(agents, load, handle_seconds, calls, seed)
    params = {"max_wait": None, "wrapup_seconds": 0.0, "heartbeat_site": "nobody"}
    outcome = play(scenario, "longest_idle", seed, params)
    if any(r.fate is not Fate.ANSWERED for r in outcome.records):
        raise AssertionError("with infinite patience and no overflow every call is answered")
    all_waits = np.array([r.waited for r in outcome.records])
    identical = bool(np.allclose(all_waits, fifo_waits(scenario, agents), rtol=0, atol=1e-6))
    waits = all_waits[calls // 20 :]
    theory = ErlangC(agents, load, handle_seconds)
    samples = {
        "P(wait)": (waits > 1e-9, theory.wait_probability),
        "ASA": (waits, theory.average_speed_of_answer),
        "SL": (waits <= target_seconds, theory.service_level(target_seconds)),
    }
    estimates = tuple(
        _batch_estimate(name, values.astype(float), expected, batches, confidence)
        for name, (values, expected) in samples.items()
    )
    return Validation(agents, load, calls, estimates, outcome.events, identical)


def fifo_waits(scenario: Scenario, agents: int) -> np.ndarray:
    """Each caller's wait in a first-come first-served queue with ``agents`` identical servers.

    The textbook recursion: a caller starts with the earliest free agent, or on arrival.
    """
    free = [0.0] * agents
    waits = np.empty(len(scenario.calls))
    for index, call in enumerate(scenario.calls):
        start = max(heapq.heappop(free), call.arrival)
        waits[index] = start - call.arrival
        heapq.heappush(free, start + call.handle_seconds)
    return waits


def _batch_estimate(
    name: str, values: np.ndarray, theory: float, batches: int, confidence: float
) -> Estimate:
    means = [float(chunk.mean()) for chunk in np.array_split(values, batches)]
    spread = statistics.stdev(means) / math.sqrt(batches)
    return Estimate(
        name, float(values.mean()), t_quantile(confidence, batches - 1) * spread, theory
    )


def t_quantile(confidence: float, df: int) -> float:
    """Two-sided Student-t quantile (Cornish-Fisher expansion; within 0.5% for df ≥ 10)."""
    z = statistics.NormalDist().inv_cdf(0.5 + confidence / 2)
    return (
        z
        + (z**3 + z) / (4 * df)
        + (5 * z**5 + 16 * z**3 + 3 * z) / (96 * df**2)
        + (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / (384 * df**3)
    )
