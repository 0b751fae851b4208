"""The supervisor's figures from call records, with the twin's definitions (``sim.metrics``):

- service level: pool calls answered within their account's target ÷ calls offered, where
  calls abandoned within ``short_abandon`` seconds are left out entirely;
- abandonment: abandoned ÷ offered; average wait: mean wait of answered calls;
- affinity: share of answered calls taken by one of the account's 3 most recent distinct
  answering agents (before this call); the calls of the ``memory`` before the range feed that
  memory without being counted (``sim.outcomes.familiar_flags``, the twin's own function).

The one definition of the pool's figures: the supervisor API and the supervisor's board (pages)
both read ``figures_between``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accueil.services.pool_calls import PoolCall, pool_calls
from accueil.sim.outcomes import CallResult, Fate, familiar_flags

SHORT_ABANDON_SECONDS = 5.0
MEMORY = timedelta(days=7)  # the calls before a range that feed the affinity memory


@dataclass(frozen=True)
class PoolFigures:
    offered: int
    answered: int
    abandoned: int
    short_abandoned: int
    overflowed: int
    service_level: float | None  # None when no call was offered
    abandonment: float | None
    average_wait: float | None
    affinity: float | None


def figures_between(
    session: Session, since: datetime, until: datetime, account: str | None = None
) -> tuple[PoolFigures, dict[str, PoolFigures]]:
    """Overall and per account (one account's when given), for the calls started in
    [since, until); the week before feeds the affinity memory."""
    return pool_figures(pool_calls(session, since - MEMORY, until, account), since)


Figures = tuple[PoolFigures, dict[str, PoolFigures]]  # overall, per account


def figures_of_day_and_hour(
    session: Session, since: datetime, until: datetime, hour: datetime | None
) -> tuple[Figures, Figures | None]:
    """The figures of [since, until) and of the hour from ``hour`` (None: not asked), overall
    and per account, from one read of the call records: the board's today and this hour."""
    calls = pool_calls(session, since - MEMORY, until)
    if hour is None:
        return pool_figures(calls, since), None
    end = hour + timedelta(hours=1)
    return pool_figures(calls, since), pool_figures([c for c in calls if c.started_at < end], hour)


def figures_by_slot(
    session: Session, since: datetime, until: datetime, step: timedelta
) -> list[tuple[datetime, PoolFigures]]:
    """The figures of each ``step`` of [since, until), for the supervisor's chart of the day
    (service level and calls per hour); affinity is left to the day's figures."""
    calls = pool_calls(session, since, until)
    slots: list[tuple[datetime, PoolFigures]] = []
    start = since
    while start < until:
        end = start + step
        inside = [c for c in calls if start <= c.started_at < end]
        slots.append((start, pool_figures(inside, start)[0]))
        start = end
    return slots


def pool_figures(
    calls: Sequence[PoolCall], counted_from: datetime, short_abandon: float = SHORT_ABANDON_SECONDS
) -> tuple[PoolFigures, dict[str, PoolFigures]]:
    """Overall and per account, over the calls from ``counted_from`` (earlier ones: memory)."""
    start = calls[0].started_at if calls else counted_from
    results = [
        CallResult(
            f"{i}:{c.call_id}",
            c.account,
            c.person,
            (c.started_at - start).total_seconds(),
            Fate(c.fate),
            c.waited,
            c.agent,
        )
        for i, c in enumerate(calls)
    ]
    flags = familiar_flags(results)
    counted = [(c, r) for c, r in zip(calls, results, strict=True) if c.started_at >= counted_from]
    by_account: dict[str, list[tuple[PoolCall, CallResult]]] = defaultdict(list)
    for pair in counted:
        by_account[pair[0].account].append(pair)
    per_account = {
        a: _figures(pairs, flags, short_abandon) for a, pairs in sorted(by_account.items())
    }
    return _figures(counted, flags, short_abandon), per_account


def _figures(
    pairs: Sequence[tuple[PoolCall, CallResult]],
    flags: dict[str, tuple[bool, bool]],
    short_abandon: float,
) -> PoolFigures:
    short = [r for _, r in pairs if r.fate is Fate.ABANDONED and r.waited < short_abandon]
    offered = [
        (c, r) for c, r in pairs if not (r.fate is Fate.ABANDONED and r.waited < short_abandon)
    ]
    answered = [(c, r) for c, r in offered if r.fate is Fate.ANSWERED]
    abandoned = sum(1 for _, r in offered if r.fate is Fate.ABANDONED)
    within = sum(1 for c, r in answered if r.waited <= c.target_seconds)
    familiar = sum(1 for _, r in answered if flags.get(r.key, (False, False))[0])
    n = len(offered)
    return PoolFigures(
        offered=n,
        answered=len(answered),
        abandoned=abandoned,
        short_abandoned=len(short),
        overflowed=sum(1 for _, r in offered if r.fate is Fate.OVERFLOWED),
        service_level=within / n if n else None,
        abandonment=abandoned / n if n else None,
        average_wait=sum(r.waited for _, r in answered) / len(answered) if answered else None,
        affinity=familiar / len(answered) if answered else None,
    )
