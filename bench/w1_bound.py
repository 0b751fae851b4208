"""An upper bound on account affinity within the issue's limits, from one run's records (issue 17).

Account affinity counts a call as familiar when one of its account's 3 most recent answerers
takes it. Given one run (any strategy), the bound asks: had every call been free to wait for
one of those agents, how many could have had one, spending at most the limits' allowance —
0.5 point of abandonment, 1 point of service level — over what the run itself spent?

- Each agent's day is cut into **free spells**: from the end of a wrap-up (or the login) to the
  next offer it got (or the logout). A spell of L seconds can serve at most 1 + L / (ring +
  wrap-up) calls (each call holds the agent at least that long).
- A call may be matched to a spell of one of its account's 3 most recent answerers at its
  arrival (able to take it) if the spell is under way within 120 s of the arrival; the answer
  then comes at d + ring, d being the wait until the spell starts (0 if already free).
- Such an answer is **free** when it comes no later than the call's own wait in the run, or
  within the patience grace (W1: nobody hangs up in the first 10 s) and the target; otherwise it
  costs the chance the caller hangs up in the extra wait (patience = grace + Exp(mean): 1 −
  exp(−extra / mean)), and a missed target if the call had met it.
- **Free matches**: a maximum matching of calls to spells over free pairs (augmenting paths,
  capacities as above). **Paid matches**: at most as many more calls as fit in the allowance,
  each at the cheapest of its paid pairs, ignoring that the spells may be taken already — so
  the count is generous.

It is generous in every other way too: it knows when every talk ends (the engine does not),
lets a spell serve a call without the agent then missing the calls it took in the run, and
ignores what the extra waits do to the other calls. It bounds that run's trajectory, not every
routing (another routing makes other spells); run on longest-idle and on accueil's best settings
it gives nearly the same, which is what the figures in docs/routing.md rest on.
"""

from __future__ import annotations

import bisect
import math
from collections import defaultdict, deque
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from accueil.sim.outcomes import CallResult, Fate, familiar_flags
from accueil.sim.reach import recent_answerers
from accueil.sim.scenario import Scenario

HORIZON = 120.0  # seconds after arrival a spell may start and still serve the call


@dataclass(frozen=True)
class Bound:
    answered: int  # counted answered calls
    familiar: int  # of them answered by a familiar agent in the run
    free: int  # calls a free pair can serve (maximum matching)
    paid: int  # calls more the allowance can pay for (cheapest first)
    spent_abandon: float  # expected abandonments those paid matches cost
    spent_sl: int  # targets they miss
    allowance_abandon: float
    allowance_sl: float

    @property
    def affinity(self) -> float:
        return self.familiar / self.answered if self.answered else 0.0

    @property
    def free_share(self) -> float:
        return self.free / self.answered if self.answered else 0.0

    @property
    def ceiling(self) -> float:
        return (self.free + self.paid) / self.answered if self.answered else 0.0


def bound(
    scenario: Scenario,
    records: Sequence[CallResult],
    grace: float,
    patience_mean: float,
    allowance_abandon: float,
    allowance_sl: float,
) -> Bound:
    """The bound for one run. Allowances are in calls (expected abandonments, missed targets)."""
    calls = {c.key: c for c in scenario.calls}
    targets = {a.key: a.target_seconds for a in scenario.accounts}
    ring, wrap = scenario.ring_seconds, scenario.wrap_up_seconds
    answered = sorted(
        (r for r in records if r.fate is Fate.ANSWERED), key=lambda r: r.arrival + r.waited
    )
    flags = familiar_flags(records)
    spells, caps = _spells(scenario, answered, calls, ring, wrap)
    pairs = _pairs(scenario, answered, flags, spells, calls, targets, grace, patience_mean)
    counted = len(pairs)
    familiar = sum(known for known, _ in pairs)
    edges = [[spell for spell, _ in options] for _, options in pairs]
    costs = [
        (*min(cost for _, cost in options), call)
        for call, (_, options) in enumerate(pairs)
        if options
    ]
    # Calls cheapest first, each kept if the kept ones can still all be matched: for a matroid
    # (the sets of calls that can be matched), the first k kept cost the least of any k.
    holders: list[list[int]] = [[] for _ in caps]
    free = paid = missed = 0
    spent = 0.0
    for cost, misses, call in sorted(costs):
        if spent + cost > allowance_abandon:
            break
        if not _augment(call, edges, caps, holders):
            continue
        if cost == 0.0 and not misses:
            free += 1
        else:
            paid += 1
        spent += cost
        missed += misses
    return Bound(counted, familiar, free, paid, spent, missed, allowance_abandon, allowance_sl)


Pair = tuple[int, tuple[float, bool]]  # a spell, and the cost of answering from it


def _pairs(
    scenario: Scenario,
    answered: Sequence[CallResult],
    flags: dict[str, tuple[bool, bool]],
    spells: dict[str, list[tuple[int, float, float]]],
    calls: dict[str, Any],
    targets: dict[str, float],
    grace: float,
    patience_mean: float,
) -> list[tuple[bool, list[Pair]]]:
    """For each counted answered call, in order of arrival: whether the run gave it a familiar
    agent, and the spells of its account's recent answerers that could serve it, with costs."""
    languages = {a.key: set(a.languages) for a in scenario.agents}
    ring = scenario.ring_seconds
    connects = [r.arrival + r.waited for r in answered]
    by_account: dict[str, list[int]] = defaultdict(list)
    for index, r in enumerate(answered):
        by_account[r.account].append(index)
    pairs: list[tuple[float, bool, list[Pair]]] = []
    for r in answered:
        if r.arrival < scenario.counted_from:
            continue
        needs = set(calls[r.key].languages)
        mine = by_account[r.account]
        before = bisect.bisect_left(mine, r.arrival, key=lambda i: connects[i])
        options: list[Pair] = []
        for agent in recent_answerers(answered, mine, before):
            if not needs <= languages.get(agent, needs):
                continue
            for spell_id, start, end in spells.get(agent, ()):
                if end < r.arrival or start > r.arrival + HORIZON:
                    continue
                answer = max(0.0, start - r.arrival) + ring
                cost = _cost(answer, r.waited, grace, patience_mean, targets[r.account])
                options.append((spell_id, cost))
        pairs.append((r.arrival, flags[r.key][0], options))
    pairs.sort(key=lambda p: p[0])
    return [(known, options) for _, known, options in pairs]


def online(
    scenario: Scenario,
    records: Sequence[CallResult],
    grace: float,
    patience_mean: float,
    allowance_abandon: float,
) -> tuple[int, int, float]:
    """The same pairs served online: calls in order of arrival, each taking the cheapest spell
    still free whose cost is at most a threshold (the highest that keeps the expected
    abandonments within the allowance) — a router that knows when every agent will be free, but
    not which calls will come. Returns (calls served free, paid, abandonments spent)."""
    calls = {c.key: c for c in scenario.calls}
    targets = {a.key: a.target_seconds for a in scenario.accounts}
    answered = sorted(
        (r for r in records if r.fate is Fate.ANSWERED), key=lambda r: r.arrival + r.waited
    )
    flags = familiar_flags(records)
    spells, caps = _spells(
        scenario, answered, calls, scenario.ring_seconds, scenario.wrap_up_seconds
    )
    pairs = _pairs(scenario, answered, flags, spells, calls, targets, grace, patience_mean)

    def serve(threshold: float) -> tuple[int, int, float]:
        left = list(caps)
        free = paid = 0
        spent = 0.0
        for _, options in pairs:
            usable = [(cost, spell) for spell, cost in options if left[spell] > 0]
            if not usable:
                continue
            (cost, misses), spell = min(usable)
            if cost > threshold:
                continue
            left[spell] -= 1
            if cost == 0.0 and not misses:
                free += 1
            else:
                paid += 1
            spent += cost
        return free, paid, spent

    low, high = 0.0, 1.0
    best = serve(0.0)
    for _ in range(20):
        middle = (low + high) / 2
        result = serve(middle)
        if result[2] <= allowance_abandon:
            low, best = middle, result
        else:
            high = middle
    return best


def _cost(
    answer: float, waited: float, grace: float, mean: float, target: float
) -> tuple[float, bool]:
    """Expected abandonments from answering at ``answer``, not ``waited``; a missed target."""
    if answer <= waited:
        return 0.0, False
    extra = answer - max(waited, grace)
    cost = 1.0 - math.exp(-extra / mean) if extra > 0 else 0.0
    return cost, waited <= target < answer


def _spells(
    scenario: Scenario,
    answered: Sequence[CallResult],
    calls: dict[str, object],
    ring: float,
    wrap: float,
) -> tuple[dict[str, list[tuple[int, float, float]]], list[int]]:
    """Each agent's free spells (id, start, end) and each spell's capacity."""
    busy: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for r in answered:
        handle = calls[r.key].handle_seconds  # type: ignore[attr-defined]
        connect = r.arrival + r.waited
        freed = r.freed if r.freed is not None else connect + handle + wrap
        busy[r.agent].append((connect - ring, freed))
    spells: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    caps: list[int] = []
    per_call = max(ring + wrap, 1.0)
    for presence in scenario.presences:
        edges = sorted(
            b for b in busy.get(presence.agent, ()) if presence.start <= b[0] < presence.end
        )
        cursor = presence.start
        for start, freed in [*edges, (presence.end, presence.end)]:
            if start >= cursor:
                spells[presence.agent].append((len(caps), cursor, start))
                caps.append(1 + int((start - cursor) // per_call))
            cursor = max(cursor, freed)
    return spells, caps


def _augment(root: int, edges: list[list[int]], caps: list[int], holders: list[list[int]]) -> bool:
    """Find an augmenting path from call ``root`` (breadth first) and apply it."""
    seen: set[int] = set()
    visited = {root}
    via: dict[int, tuple[int, int]] = {}  # call -> (spell it holds, call that wants that spell)
    queue = deque([root])
    while queue:
        call = queue.popleft()
        for spell in edges[call]:
            if spell in seen:
                continue
            seen.add(spell)
            if len(holders[spell]) < caps[spell]:
                holders[spell].append(call)
                while call != root:  # each call on the path moves on; its spell goes back
                    held, wanting = via[call]
                    holders[held].remove(call)
                    holders[held].append(wanting)
                    call = wanting
                return True
            for holder in holders[spell]:
                if holder not in visited:
                    visited.add(holder)
                    via[holder] = (spell, call)
                    queue.append(holder)
    return False
