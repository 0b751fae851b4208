"""Erlang C: the theory a fully pooled queue without abandonment must match.

Computed in log space so that it stays exact for hundreds or thousands of agents, where
``A**N / N!`` overflows a float (beyond about 170 agents).
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class ErlangC:
    """The M/M/N queue's figures for ``agents`` servers and ``load`` Erlangs of traffic."""

    agents: int
    load: float  # offered traffic in Erlangs: arrival rate × mean handle time
    handle_seconds: float

    def __post_init__(self) -> None:
        if self.agents < 1 or self.load <= 0 or self.handle_seconds <= 0:
            raise ValueError("Erlang C needs at least one agent, a positive load and handle time")
        if self.load >= self.agents:
            raise ValueError(f"{self.load} Erlangs on {self.agents} agents never settles")

    @property
    def wait_probability(self) -> float:
        """P(wait > 0): the share of callers who find every agent busy."""
        n, a = self.agents, self.load
        terms = [k * math.log(a) - math.lgamma(k + 1) for k in range(n)]
        queued = n * math.log(a) - math.lgamma(n + 1) + math.log(n / (n - a))
        return math.exp(queued - _log_sum_exp([*terms, queued]))

    @property
    def average_speed_of_answer(self) -> float:
        """Mean wait over all callers, in seconds."""
        return self.wait_probability * self.handle_seconds / (self.agents - self.load)

    def service_level(self, target_seconds: float) -> float:
        """The share of callers answered within ``target_seconds``."""
        rate = (self.agents - self.load) / self.handle_seconds
        return 1.0 - self.wait_probability * math.exp(-rate * target_seconds)


def _log_sum_exp(values: list[float]) -> float:
    top = max(values)
    return top + math.log(sum(math.exp(v - top) for v in values))
