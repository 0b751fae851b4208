"""The figures of a simulated day, exactly as issue 4 defines them.

- service level: calls answered within their account's target ÷ calls offered; abandoned calls
  count as missed, except those abandoned within ``short_abandon_seconds`` (left out entirely);
- ASA: mean wait of answered calls; abandonment: abandoned ÷ offered;
- affinity: share of answered calls taken by one of the 3 agents who most recently answered that
  account (distinct agents, before this call); person affinity: the same with the person's 2 most
  recent agents, over calls for a person (switchboard calls have none). The warm-up days feed
  this memory but are not counted;
- occupancy: time talking or in wrap-up ÷ time logged in and not on a break;
- fairness: mean service level of the worst accounts among those with enough calls.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from accueil.sim.intervals import Interval, by_interval
from accueil.sim.outcomes import CallResult, Fate, familiar_flags
from accueil.sim.reach import Reach, reach
from accueil.sim.scenario import Scenario

__all__ = ["CallResult", "Fate", "Figures", "Run", "familiar_flags", "figures"]

PERCENTILES = (50, 80, 90, 95, 99)
# Accounts ranked by calls offered, biggest first: (first rank, last rank or None for the rest).
SIZE_BANDS = ((1, 3), (4, 10), (11, 40), (41, None))


@dataclass(frozen=True)
class Figures:
    """The headline figures of one strategy on one scenario."""

    strategy: str
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    overflowed: int
    service_level: float
    average_speed_of_answer: float
    abandonment: float
    account_affinity: float
    person_affinity: float
    occupancy: float
    worst_accounts_service_level: float
    wait_percentiles: tuple[tuple[int, float], ...]
    # (accounts by call volume, their share of answered calls, their account affinity)
    affinity_by_size: tuple[tuple[str, float, float], ...]
    # Waits of the answered counted calls, for the distribution plot.
    waits: tuple[float, ...] = field(repr=False, compare=False)
    # Could a familiar agent be reached? (accueil.sim.reach): the answered calls by the state of
    # their account's most recent answerers at arrival, and the run's affinity ceiling.
    reach: Reach | None = field(default=None, repr=False, compare=False)
    # The counted day by 15-minute interval (accueil.sim.intervals), for the supervisor's view.
    intervals: tuple[Interval, ...] = field(default=(), repr=False, compare=False)

    @property
    def affinity_ceiling(self) -> float:
        return self.reach.ceiling if self.reach is not None else float("nan")

    def __str__(self) -> str:
        return (
            f"{self.strategy}: SL {100 * self.service_level:.1f}%, "
            f"ASA {self.average_speed_of_answer:.1f} s, "
            f"abandonment {100 * self.abandonment:.2f}%, "
            f"account affinity {100 * self.account_affinity:.1f}%, "
            f"person affinity {100 * self.person_affinity:.1f}%, "
            f"occupancy {100 * self.occupancy:.1f}%, "
            f"worst accounts SL {100 * self.worst_accounts_service_level:.1f}%, "
            + (
                f"affinity ceiling {100 * self.affinity_ceiling:.1f}% "
                if self.reach is not None
                else ""
            )
            + f"({self.offered} calls offered)"
        )

    def row(self) -> dict[str, float]:
        return {
            "SL": self.service_level,
            "ASA": self.average_speed_of_answer,
            "abandonment": self.abandonment,
            "account affinity": self.account_affinity,
            "person affinity": self.person_affinity,
            "occupancy": self.occupancy,
            "worst-accounts SL": self.worst_accounts_service_level,
            "affinity ceiling": self.affinity_ceiling,
        }


def figures(
    strategy: str,
    scenario: Scenario,
    records: Sequence[CallResult],
    busy_seconds: float,
) -> Figures:
    """Compute the figures over the counted calls; ``busy_seconds`` is counted talk + wrap-up."""
    targets = {a.key: a.target_seconds for a in scenario.accounts}
    flags = familiar_flags(records)
    counted = [r for r in records if r.arrival >= scenario.counted_from]
    short = [
        r for r in counted if r.fate is Fate.ABANDONED and r.waited < scenario.short_abandon_seconds
    ]
    short_keys = {r.key for r in short}
    offered = [r for r in counted if r.key not in short_keys]
    answered = [r for r in offered if r.fate is Fate.ANSWERED]
    waits = [r.waited for r in answered]
    within = sum(1 for r in answered if r.waited <= targets[r.account])
    familiar = [flags[r.key] for r in answered]
    personal = [flags[r.key][1] for r in answered if r.person]
    working = sum(p.working_seconds for p in scenario.presences if p.start >= scenario.counted_from)
    return Figures(
        strategy=strategy,
        offered=len(offered),
        answered=len(answered),
        abandoned=sum(1 for r in offered if r.fate is Fate.ABANDONED),
        short_abandoned=len(short),
        overflowed=sum(1 for r in offered if r.fate is Fate.OVERFLOWED),
        service_level=_share(within, len(offered)),
        average_speed_of_answer=float(np.mean(waits)) if waits else 0.0,
        abandonment=_share(sum(1 for r in offered if r.fate is Fate.ABANDONED), len(offered)),
        account_affinity=_share(sum(1 for a, _ in familiar if a), len(familiar)),
        person_affinity=_share(sum(personal), len(personal)),
        occupancy=_share(busy_seconds, working),
        worst_accounts_service_level=worst_accounts(offered, targets, scenario),
        wait_percentiles=tuple(
            (p, float(np.percentile(waits, p)) if waits else 0.0) for p in PERCENTILES
        ),
        affinity_by_size=affinity_by_size(offered, answered, flags),
        waits=tuple(waits),
        reach=reach(scenario, records, flags) if _all_known(scenario, records) else None,
        intervals=by_interval(offered, targets, scenario.presences, scenario.counted_from),
    )


def affinity_by_size(
    offered: Sequence[CallResult],
    answered: Sequence[CallResult],
    flags: dict[str, tuple[bool, bool]],
) -> tuple[tuple[str, float, float], ...]:
    """Account affinity of the biggest callers and of the rest: big accounts keep many agents
    busy at once, so their few most recent agents are rarely free when the next call comes."""
    volume = Counter(r.account for r in offered)
    rank = {account: i for i, (account, _) in enumerate(volume.most_common(), start=1)}
    bands = []
    for low, high in SIZE_BANDS:
        mine = [r for r in answered if low <= rank[r.account] <= (high or len(rank))]
        if mine:
            label = f"accounts {low}-{high}" if high else f"accounts {low}+"
            familiar = sum(1 for r in mine if flags[r.key][0])
            bands.append((label, len(mine) / len(answered), familiar / len(mine)))
    return tuple(bands)


def worst_accounts(
    offered: Iterable[CallResult], targets: dict[str, float], scenario: Scenario
) -> float:
    """Mean SL of the ``fairness_accounts`` worst accounts having ``fairness_min_calls`` calls."""
    calls: dict[str, int] = defaultdict(int)
    met: dict[str, int] = defaultdict(int)
    for r in offered:
        calls[r.account] += 1
        met[r.account] += r.fate is Fate.ANSWERED and r.waited <= targets[r.account]
    levels = sorted(met[a] / n for a, n in calls.items() if n >= scenario.fairness_min_calls)
    worst = levels[: scenario.fairness_accounts]
    return float(np.mean(worst)) if worst else float("nan")


def _all_known(scenario: Scenario, records: Iterable[CallResult]) -> bool:
    """Whether every record is one of the scenario's calls (hand-made records may not be)."""
    known = {c.key for c in scenario.calls}
    return all(r.key in known for r in records)


def _share(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


@dataclass(frozen=True)
class Run:
    """One strategy played on one seed's scenario."""

    strategy: str
    seed: int
    figures: Figures
    events: int  # events fed to the routing engine
    wall_seconds: float
    violations: tuple[str, ...] = ()  # the engine's promises broken during the run
