"""Could a familiar agent have been reached? Each answered call, classified at its arrival.

Account affinity (issue 4) counts a call as familiar when one of the three distinct agents who
most recently answered its account takes it. Whatever the routing, that is only possible if one
of them can take the call in time. At the moment a call arrives, each of its account's three most
recent answerers who could take it (speaks its languages) is:

- **free**: neither on a call (ringing or talking) nor in wrap-up;
- in **wrap-up**: free within ``wrap_up_seconds`` at most;
- on a call (**talk**): free no sooner than ``wrap_up_seconds`` after the call ends, so more than
  ``wrap_up_seconds`` after the arrival.

The call's class is the best state among them (``none`` when the account has no previous answerer
able to take it). A ``talk`` or ``none`` call cannot be answered by a familiar agent within
``wrap_up_seconds + ring_seconds`` (the agents who answer the account in the meantime are on a
call too): each one answered that fast was necessarily answered by a stranger, whatever the
routing, and the run's affinity is at most ``ceiling``. A router could only do better by making
those callers wait longer — on W1 (20 s wrap-up, 2 s ring, 20 s target), beyond the target.
This is computed from a run's records, after the fact.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from accueil.sim.metrics import ACCOUNT_MEMORY, CallRecord, Fate, familiar_flags
from accueil.sim.scenario import Scenario

CLASSES = ("free", "wrap", "talk", "none")


@dataclass(frozen=True)
class Reach:
    """Answered calls by the state of their account's most recent answerers at arrival."""

    answered: int
    shares: dict[str, float]  # class → share of the counted answered calls
    affinity: dict[str, float]  # class → account affinity within it
    forced_strangers: int  # talk/none calls answered within wrap-up + ring: never familiar
    ceiling: float  # 1 − forced_strangers / answered
    # forced strangers who were familiar all the same: always 0 unless an agent took a call
    # while on another or in wrap-up (the engine's promise; the twin's tests check it)
    forced_familiar: int = 0

    def line(self) -> str:
        parts = ", ".join(
            f"{name} {100 * self.shares.get(name, 0.0):.1f}% "
            f"(familiar {100 * self.affinity.get(name, 0.0):.0f}%)"
            for name in CLASSES
        )
        return f"{parts}; ceiling {100 * self.ceiling:.1f}%"


@dataclass(frozen=True)
class _Busy:
    """One agent's calls: when each began ringing, when talk ended, when wrap-up ended."""

    starts: list[float]
    talk_ends: list[float]
    wrap_ends: list[float]

    def state(self, at: float) -> str:
        index = bisect.bisect_left(self.starts, at) - 1  # calls offered before `at`
        if index < 0 or at >= self.wrap_ends[index]:
            return "free"
        return "talk" if at < self.talk_ends[index] else "wrap"


def reach(scenario: Scenario, records: Sequence[CallRecord]) -> Reach:
    """Classify the counted answered calls of one run (records as the driver returns them)."""
    calls = {c.key: c for c in scenario.calls}
    languages = {a.key: set(a.languages) for a in scenario.agents}
    wrap, ring = scenario.wrap_up_seconds, scenario.ring_seconds
    answered = sorted(
        (r for r in records if r.fate is Fate.ANSWERED), key=lambda r: r.arrival + r.waited
    )
    spans: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for r in answered:
        connect = r.arrival + r.waited
        talk_end = connect + calls[r.key].handle_seconds
        spans[r.agent].append((connect - ring, talk_end, talk_end + wrap))
    busy = {
        agent: _Busy([s for s, _, _ in rows], [t for _, t, _ in rows], [w for _, _, w in rows])
        for agent, rows in ((a, sorted(rows)) for a, rows in spans.items())
    }
    connects = [r.arrival + r.waited for r in answered]
    by_account: dict[str, list[int]] = defaultdict(list)  # indexes into answered, in order
    for index, r in enumerate(answered):
        by_account[r.account].append(index)
    flags = familiar_flags(records)
    totals: Counter[str] = Counter()
    familiar: Counter[str] = Counter()
    forced = forced_familiar = 0
    for r in answered:
        if r.arrival < scenario.counted_from:
            continue
        call = calls[r.key]
        recent = _recent_answerers(answered, by_account[r.account], connects, r.arrival)
        able = [a for a in recent if set(call.languages) <= languages.get(a, set())]
        states = {busy[a].state(r.arrival) for a in able}
        kind = next((k for k in ("free", "wrap", "talk") if k in states), "none")
        totals[kind] += 1
        familiar[kind] += flags[r.key][0]
        if kind in ("talk", "none") and r.waited <= wrap + ring:
            forced += 1
            forced_familiar += flags[r.key][0]
    count = sum(totals.values())
    return Reach(
        answered=count,
        shares={k: totals[k] / count for k in CLASSES} if count else {},
        affinity={k: familiar[k] / totals[k] for k in CLASSES if totals[k]},
        forced_strangers=forced,
        ceiling=1 - forced / count if count else 1.0,
        forced_familiar=forced_familiar,
    )


def _recent_answerers(
    answered: Sequence[CallRecord], mine: list[int], connects: list[float], before: float
) -> list[str]:
    """The account's ``ACCOUNT_MEMORY`` distinct most recent answerers, connected before."""
    low = bisect.bisect_left(mine, before, key=lambda index: connects[index])
    recent: list[str] = []
    for index in reversed(mine[:low]):
        agent = answered[index].agent
        if agent not in recent:
            recent.append(agent)
            if len(recent) == ACCOUNT_MEMORY:
                break
    return recent
