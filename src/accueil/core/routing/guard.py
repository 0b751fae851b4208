"""A guard on the measured service level: affinity gives way before service does.

The engine measures its own service level per account tier over a sliding window (the engine's
clock, so the twin reproduces it exactly), against a reference: the same calls, had none of
them waited for a familiar agent while an agent able to take it sat ready. A call *held* that
way (``LiveCall.held``) and then answered past its target, abandoned or overflowed is one the
reference would have answered at once, so it counts against the rings; the reference is the
measured service level plus that share. When the rings cost more than ``guard_tolerance`` of the
window's calls (or their abandonments more than ``guard_abandon_tolerance``), the wait budgets
shrink, down to ``guard_min`` × their size; when they cost less, budgets grow, up to
``guard_max`` ×: on a workload it was never tuned for, personal routing gives up affinity before
it gives up service, and where service has room it takes more affinity.

With ``guard_grace`` (session 11), once the engine has learned the callers' grace and the hazard
past it (``patience.py``), the rings' cost is priced as the callers' expected abandonment: each
held call adds hazard × the wait *past the grace* that being held added to its own wait and to
the calls it was swapped with (a wait within the grace costs nothing; two calls both past it
only swap who waits), and a held call's lateness is no longer counted against the service level
(the guard then watches the abandonment it prices, not the target). While no grace is learned
(callers who hang up from the first seconds, or too few abandonments seen yet), the guard counts
as without the setting: a held call late against the service level, one abandoned whole.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class GuardReading:
    """One tier's window: calls, measured and reference service level, the budget factor."""

    tier: str
    calls: int
    service_level: float
    reference: float
    abandoned_by_rings: float
    factor: float


class _Window:
    __slots__ = ("abandoned_cost", "cost", "entries", "within")

    def __init__(self) -> None:
        # (at, answered within target, cost to the service level, abandonment because held)
        self.entries: deque[tuple[float, bool, bool, float]] = deque()
        self.within = 0
        self.cost = 0
        self.abandoned_cost = 0.0

    def add(self, at: float, within: bool, cost: bool, abandoned: float) -> None:
        self.entries.append((at, within, cost, abandoned))
        self.within += within
        self.cost += cost
        self.abandoned_cost += abandoned

    def forget_before(self, at: float) -> None:
        entries = self.entries
        while entries and entries[0][0] < at:
            _, within, cost, abandoned = entries.popleft()
            self.within -= within
            self.cost -= cost
            self.abandoned_cost -= abandoned
        if not entries:
            self.abandoned_cost = 0.0  # no float remainder from the sums of expected costs


class Guard:
    """Per tier, the sliding window of call outcomes and the factor applied to wait budgets."""

    __slots__ = ("_abandon_tolerance", "_high", "_low", "_min_calls", "_span", "_tiers", "_tol")

    def __init__(
        self,
        window: float,
        tolerance: float,
        abandon_tolerance: float,
        low: float,
        high: float,
        min_calls: int = 30,
    ) -> None:
        self._span = window
        self._tol = tolerance
        self._abandon_tolerance = abandon_tolerance
        self._low, self._high = low, high
        self._min_calls = min_calls
        self._tiers: dict[str, _Window] = {}

    def outcome(
        self,
        tier: str,
        at: float,
        within: bool,
        held: bool,
        abandoned: bool,
        risk: float | None = None,
    ) -> None:
        """A call of ``tier`` ended its wait: answered (``within`` its target or not),
        abandoned, or overflowed; ``held``: it waited for a familiar agent while an able one
        sat ready. ``risk``: the expected abandonment being held cost (the grace's price);
        None counts the call whole if it was held and abandoned."""
        window = self._tiers.get(tier)
        if window is None:
            window = self._tiers[tier] = _Window()
        cost = float(held and abandoned) if risk is None else risk
        window.add(at, within, held and not within, cost)
        window.forget_before(at - self._span)

    def factor(self, tier: str, at: float) -> float:
        """What the tier's wait budgets are multiplied by now (1 until the window has calls)."""
        window = self._tiers.get(tier)
        if window is None:
            return 1.0
        window.forget_before(at - self._span)
        calls = len(window.entries)
        if calls < self._min_calls:
            return 1.0
        by_sl = self._scale(window.cost / calls, self._tol)
        by_abandon = self._scale(max(0.0, window.abandoned_cost) / calls, self._abandon_tolerance)
        return min(by_sl, by_abandon)

    def _scale(self, cost: float, tolerance: float) -> float:
        # No cost: the highest factor; a cost at the tolerance: 1; from there down to 0 at
        # twice the tolerance (and never below the lowest).
        if cost <= tolerance:
            return 1.0 + (self._high - 1.0) * (tolerance - cost) / tolerance
        return max(self._low, 1.0 - (cost - tolerance) / tolerance)

    def readings(self, at: float) -> list[GuardReading]:
        """Every tier's window now, for the supervisor's view and the benchmarks."""
        readings = []
        for tier in sorted(self._tiers):
            factor = self.factor(tier, at)
            window = self._tiers[tier]
            calls = len(window.entries)
            measured = window.within / calls if calls else 1.0
            reference = (window.within + window.cost) / calls if calls else 1.0
            abandoned = max(0.0, window.abandoned_cost) / calls if calls else 0.0
            readings.append(GuardReading(tier, calls, measured, reference, abandoned, factor))
        return readings
