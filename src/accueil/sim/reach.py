"""Could a familiar agent have been reached? Each answered call, classified at its arrival.

Account affinity (issue 4) counts a call as familiar when one of the three distinct agents who
most recently answered its account takes it. That is only possible if one of them is free when
the call is offered. At the moment a call arrives, each of its account's three most recent
answerers who could take it (speaks its languages) is:

- **free**: neither on a call (ringing or talking) nor in wrap-up, as far as the records tell
  (an agent on a break or whose offer rang unanswered counts as free: the classification errs
  on the generous side);
- in **wrap-up**: free again soon, at the end of wrap-up;
- on a call (**talk**): free again only after the call *and* its wrap-up.

The call's class is the best state among them (``none`` when the account has no previous
answerer able to take it).

A *talk* or *none* call is a **forced stranger** when it was answered before any agent who could
have been familiar with it was free: none of those recent answerers, and none of the agents who
answered the account while it waited (they join its recent answerers, but on a call), was free
again by the time its offer went out (pick-up minus ring). Such a call cannot have been answered
by a familiar agent, in this run: the run's affinity is at most its **ceiling**, 1 − forced
strangers ÷ answered calls. With a fixed wrap-up (W1: 20 s), every talk or none call answered
within wrap-up + ring (22 s) is a forced stranger; a router could make such a caller wait for a
familiar agent only beyond that. Other routings give other runs; the classification says how
often, in each, the recent answerers were all busy (docs/routing.md, "Fourth look").
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from accueil.sim.outcomes import ACCOUNT_MEMORY, CallResult, Fate, familiar_flags
from accueil.sim.scenario import Scenario

CLASSES = ("free", "wrap", "talk", "none")


@dataclass(frozen=True)
class Reach:
    """Answered calls by the state of their account's most recent answerers at arrival."""

    answered: int
    shares: dict[str, float]  # class → share of the counted answered calls
    affinity: dict[str, float]  # class → account affinity within it
    forced_strangers: int  # answered before any agent who could be familiar was free
    ceiling: float  # 1 − forced_strangers / answered
    # forced strangers answered by a familiar agent all the same: 0 unless the records are wrong
    # (an agent answering while on another call or in wrap-up); the twin's tests check it
    forced_familiar: int = 0


@dataclass(frozen=True)
class _Timeline:
    """One agent's answered calls in order: when the offer went out, talk ended, free again."""

    starts: list[float]
    talk_ends: list[float]
    frees: list[float]

    def state(self, at: float) -> tuple[str, float]:
        """What the agent was doing just before ``at`` and when it was free again."""
        index = bisect.bisect_left(self.starts, at) - 1  # calls offered before `at`
        if index < 0 or at >= self.frees[index]:
            return "free", at
        kind = "talk" if at < self.talk_ends[index] else "wrap"
        return kind, self.frees[index]


def reach(
    scenario: Scenario,
    records: Sequence[CallResult],
    flags: dict[str, tuple[bool, bool]] | None = None,
) -> Reach:
    """Classify the counted answered calls of one run (records as the driver returns them;
    ``flags`` from ``familiar_flags(records)`` when already computed)."""
    if flags is None:
        flags = familiar_flags(records)
    calls = {c.key: c for c in scenario.calls}
    languages = {a.key: set(a.languages) for a in scenario.agents}
    wrap, ring = scenario.wrap_up_seconds, scenario.ring_seconds
    answered = sorted(
        (r for r in records if r.fate is Fate.ANSWERED), key=lambda r: r.arrival + r.waited
    )
    connects = [r.arrival + r.waited for r in answered]
    frees = [_freed(r, calls[r.key].handle_seconds, wrap) for r in answered]
    spans: dict[str, list[tuple[float, float, float]]] = defaultdict(list)
    for r, connect, free in zip(answered, connects, frees, strict=True):
        spans[r.agent].append((connect - ring, connect + calls[r.key].handle_seconds, free))
    timelines = {
        agent: _Timeline([s for s, _, _ in rows], [t for _, t, _ in rows], [f for _, _, f in rows])
        for agent, rows in ((a, sorted(rows)) for a, rows in spans.items())
    }
    by_account: dict[str, list[int]] = defaultdict(list)  # indexes into answered, in order
    for index, r in enumerate(answered):
        by_account[r.account].append(index)
    totals: Counter[str] = Counter()
    familiar: Counter[str] = Counter()
    forced = forced_familiar = 0
    for r in answered:
        if r.arrival < scenario.counted_from:
            continue
        needs = set(calls[r.key].languages)
        mine = by_account[r.account]
        before = bisect.bisect_left(mine, r.arrival, key=lambda i: connects[i])
        recent = recent_answerers(answered, mine, before)
        states = [timelines[a].state(r.arrival) for a in recent if needs <= languages.get(a, needs)]
        kinds = {kind for kind, _ in states}
        kind = next((k for k in ("free", "wrap", "talk") if k in kinds), "none")
        totals[kind] += 1
        familiar[kind] += flags[r.key][0]
        if kind in ("talk", "none"):
            offered = r.arrival + r.waited - ring
            # agents who answered the account while this call waited join its recent answerers
            joined = bisect.bisect_left(mine, r.arrival + r.waited, key=lambda i: connects[i])
            newcomers = [
                frees[i]
                for i in mine[before:joined]
                if needs <= languages.get(answered[i].agent, needs)
            ]
            if all(free > offered for free in [f for _, f in states] + newcomers):
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


def _freed(record: CallResult, handle: float, wrap: float) -> float:
    if record.freed is not None:
        return record.freed
    return record.arrival + record.waited + handle + wrap


def recent_answerers(answered: Sequence[CallResult], mine: list[int], before: int) -> list[str]:
    """The account's ``ACCOUNT_MEMORY`` distinct most recent answerers among ``mine[:before]``."""
    recent: list[str] = []
    for position in range(before - 1, -1, -1):
        agent = answered[mine[position]].agent
        if agent not in recent:
            recent.append(agent)
            if len(recent) == ACCOUNT_MEMORY:
                break
    return recent
