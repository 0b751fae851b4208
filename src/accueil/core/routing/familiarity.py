"""Familiarity memory: who served this person or account, recency-weighted, and account loads.

Each answered call adds 1 to the (key, agent) score, and scores halve every ``half_life``. All
scores decay at the same rate, so the ranking never needs the current time: we store
``log(score) + t / tau`` and only add. Kept in log space so weeks of memory never overflow.
"""

from __future__ import annotations

import math


class Familiarity:
    """Recency-weighted scores of agents per key (an account, or a person)."""

    __slots__ = ("_cap", "_scores", "_tau")

    def __init__(self, half_life: float, cap: int) -> None:
        self._tau = half_life / math.log(2)
        self._cap = cap  # agents remembered per key; the least familiar are forgotten
        self._scores: dict[str, dict[str, float]] = {}

    def learn(self, key: str, agent: str, at: float) -> str | None:
        """Remember that ``agent`` answered for ``key`` at ``at``; return who was forgotten."""
        scores = self._scores.setdefault(key, {})
        point = at / self._tau
        old = scores.get(agent)
        if old is not None:
            high, low = (old, point) if old > point else (point, old)
            scores[agent] = high + math.log1p(math.exp(low - high))
            return None
        scores[agent] = point
        if len(scores) <= self._cap:
            return None
        forgotten = min(scores, key=scores.__getitem__)
        del scores[forgotten]
        return forgotten

    def knows(self, key: str, agent: str) -> bool:
        scores = self._scores.get(key)
        return scores is not None and agent in scores

    def top(self, key: str, n: int) -> list[str]:
        """The ``n`` most familiar agents for ``key``, most familiar first."""
        scores = self._scores.get(key)
        if not scores:
            return []
        return sorted(scores, key=scores.__getitem__, reverse=True)[:n]

    def score(self, key: str, agent: str, at: float) -> float:
        """The decayed score now: about the number of recent calls, 0 for a stranger."""
        scores = self._scores.get(key)
        if not scores or agent not in scores:
            return 0.0
        return math.exp(scores[agent] - at / self._tau)

    def rank_value(self, key: str, agent: str) -> float:
        """A value that orders agents like ``score`` without needing the time (-inf: stranger)."""
        scores = self._scores.get(key)
        if not scores:
            return -math.inf
        return scores.get(agent, -math.inf)


class AccountLoad:
    """Each account's observed offered load in Erlangs: smoothed call rate × mean service time."""

    __slots__ = ("_rates", "_service", "_service_n", "_tau")

    def __init__(self, half_life: float, initial_service: float = 120.0) -> None:
        self._tau = half_life / math.log(2)
        self._rates: dict[str, tuple[float, float]] = {}  # account -> (rate per second, at)
        self._service = initial_service  # mean talk + wrap-up seconds, all accounts
        self._service_n = 0

    def arrival(self, account: str, at: float) -> None:
        rate, then = self._rates.get(account, (0.0, at))
        self._rates[account] = (rate * math.exp(-(at - then) / self._tau) + 1 / self._tau, at)

    def served(self, seconds: float) -> None:
        # A running mean for the first calls, then an exponential average that follows the day.
        self._service_n += 1
        weight = max(1 / self._service_n, 0.01)
        self._service += (seconds - self._service) * weight

    @property
    def mean_service(self) -> float:
        return self._service

    def erlangs(self, account: str, at: float) -> float:
        rate, then = self._rates.get(account, (0.0, at))
        return rate * math.exp(-(at - then) / self._tau) * self._service
