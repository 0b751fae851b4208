"""The counted day by 15-minute interval: calls offered, answered within target, and staffing.

What a supervisor reads to see *when* the service level drops: an interval with more calls than
the agents present can take. Figures are means over the counted days, by time of day.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from accueil.sim.outcomes import CallResult, Fate
from accueil.sim.scenario import DAY, Presence

INTERVAL_SECONDS = 900.0


@dataclass(frozen=True)
class Interval:
    """One 15-minute slot of the day (``start`` in seconds since midnight), per counted day."""

    start: float
    offered: float  # calls offered (short abandons left out, as in the service level)
    within_target: float  # calls answered within their account's target
    staffed: float  # agents logged in and not on a break, on average over the slot

    @property
    def service_level(self) -> float:
        return self.within_target / self.offered if self.offered else math.nan

    @property
    def label(self) -> str:
        minutes = int(self.start // 60)
        return f"{minutes // 60:02d}:{minutes % 60:02d}"


def by_interval(
    offered: Iterable[CallResult],
    targets: Mapping[str, float],
    presences: Sequence[Presence],
    counted_from: float,
) -> tuple[Interval, ...]:
    """The slots from the first to the last one with a call or an agent, over counted days."""
    slots = int(DAY // INTERVAL_SECONDS)
    calls, met = [0] * slots, [0] * slots
    days: set[int] = set()
    for r in offered:
        days.add(int(r.arrival // DAY))
        slot = int((r.arrival % DAY) // INTERVAL_SECONDS)
        calls[slot] += 1
        met[slot] += r.fate is Fate.ANSWERED and r.waited <= targets[r.account]
    staffed = [0.0] * slots
    for p in presences:
        if p.start >= counted_from:
            days.add(int(p.start // DAY))
            _add_presence(staffed, p)
    count = max(len(days), 1)
    busy = [i for i in range(slots) if calls[i] or staffed[i]]
    if not busy:
        return ()
    return tuple(
        Interval(i * INTERVAL_SECONDS, calls[i] / count, met[i] / count, staffed[i] / count)
        for i in range(busy[0], busy[-1] + 1)
    )


def _add_presence(staffed: list[float], presence: Presence) -> None:
    """Add the share of each slot this agent was working (present, not on a break)."""
    spans = _minus(presence.start, presence.end, presence.breaks)
    for start, end in spans:
        at = start
        while at < end:
            slot_start = (at // INTERVAL_SECONDS) * INTERVAL_SECONDS
            until = min(end, slot_start + INTERVAL_SECONDS)
            slot = int((slot_start % DAY) // INTERVAL_SECONDS)
            staffed[slot] += (until - at) / INTERVAL_SECONDS
            at = until


def _minus(
    start: float, end: float, breaks: Iterable[tuple[float, float]]
) -> list[tuple[float, float]]:
    spans, at = [], start
    for b_start, b_end in sorted(breaks):
        if b_start > at:
            spans.append((at, min(b_start, end)))
        at = max(at, b_end)
    if at < end:
        spans.append((at, end))
    return spans
