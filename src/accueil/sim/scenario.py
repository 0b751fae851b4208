"""A scenario: the concrete days to simulate — accounts, agents and when they work, and calls.

A scenario is produced by the workload generator or by a trace replay, and is what the driver
plays through the routing engine. Times are seconds since midnight of the first simulated day.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

DAY = 86_400.0


@dataclass(frozen=True)
class AccountSpec:
    """A client account as the simulation sees it: its tier and its answer target."""

    key: str
    tier: str
    target_seconds: float
    priority_seconds: float = 0.0


@dataclass(frozen=True)
class AgentSpec:
    key: str
    site: str
    languages: tuple[str, ...]
    trainings: tuple[tuple[str, int], ...] = ()  # (account, level): the engine's primary agents


@dataclass(frozen=True)
class Presence:
    """One agent's working period on one day: logged in over [start, end), minus breaks.

    ``dropouts`` are spells when a home agent's softphone loses its link: no heartbeats, offers
    ring unanswered; a call in progress carries on.
    """

    agent: str
    start: float
    end: float
    breaks: tuple[tuple[float, float], ...] = ()
    dropouts: tuple[tuple[float, float], ...] = ()

    @property
    def working_seconds(self) -> float:
        return self.end - self.start - sum(b - a for a, b in self.breaks)


@dataclass(frozen=True)
class CallSpec:
    """One caller: when they ring, whom for, what they need, how long they talk and wait."""

    key: str
    arrival: float
    account: str
    person: str
    languages: tuple[str, ...]
    handle_seconds: float
    patience_seconds: float = math.inf
    outcome: str = "answered"


@dataclass(frozen=True)
class Scenario:
    """Days to simulate; calls arriving before ``counted_from`` are the warm-up, not counted."""

    name: str
    accounts: tuple[AccountSpec, ...]
    agents: tuple[AgentSpec, ...]
    presences: tuple[Presence, ...]
    calls: tuple[CallSpec, ...]
    counted_from: float
    wrap_up_seconds: float = 0.0
    miss_probability: float = 0.0
    ring_seconds: float = 0.0
    short_abandon_seconds: float = 5.0
    fairness_min_calls: int = 20
    fairness_accounts: int = 10

    @property
    def counted_calls(self) -> int:
        return sum(1 for c in self.calls if c.arrival >= self.counted_from)
