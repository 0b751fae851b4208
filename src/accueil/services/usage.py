"""Usage per account, for billing: calls answered, minutes, messages taken, by day or by month.

Read from the call records and the messages, in each account's own time zone (a client's
invoice month is their month, not UTC's):

- **calls answered**: call records whose fate is ``answered`` (the pool's secretaries took the
  call); calls put through to the person's own device, rejected, abandoned or overflowed are
  not answered by the service;
- **minutes**: the talk time of those calls, from the answer (``started_at`` + the wait) to
  ``ended_at``; a record without its end counts none and is counted in ``unmeasured``;
- **messages**: messages taken (``taken_at``), each once: a correction is a new version of the
  same message, not a new message.

Every period of the range is listed, with zeros when nothing happened.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.localtime import zone
from accueil.errors import InvalidInput, says
from accueil.services.directory import account_row
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow
from accueil.store.tables_messages import MessageRow
from accueil.store.tables_scripts import CallRecordRow

MAX_DAYS = 366  # the longest range one question may cover
COLUMNS = ("account", "period", "calls_answered", "minutes", "unmeasured", "messages")


class Period(StrEnum):
    DAY = "day"
    MONTH = "month"


@dataclass(frozen=True)
class Usage:
    """One account's usage over one period (a day "2026-12-01" or a month "2026-12")."""

    account: str
    period: str
    calls_answered: int = 0
    seconds: float = 0.0  # talk time of the answered calls
    unmeasured: int = 0  # answered calls whose end is not known (no minutes counted)
    messages: int = 0

    @property
    def minutes(self) -> float:
        return round(self.seconds / 60, 2)

    def row(self) -> dict[str, str | int | float]:
        return {
            "account": self.account,
            "period": self.period,
            "calls_answered": self.calls_answered,
            "minutes": self.minutes,
            "unmeasured": self.unmeasured,
            "messages": self.messages,
        }


@dataclass(frozen=True)
class _Account:
    id: int
    key: str
    timezone: str


def account_usage(
    session: Session, account: str, first: date, last: date, by: Period = Period.DAY
) -> list[Usage]:
    """``account``'s usage for the days ``first`` to ``last`` (both included, in its zone)."""
    row = account_row(session, account)
    return _usage(session, [_Account(row.id, row.key, row.timezone)], first, last, by)


@operator_level
def operator_usage(
    session: Session, first: date, last: date, by: Period = Period.DAY
) -> list[Usage]:
    """Every account's usage, by account key then period. Operator-level: the caller checks."""
    rows = session.execute(
        select(AccountRow.id, AccountRow.key, AccountRow.timezone).order_by(AccountRow.key)
    )
    return _usage(session, [_Account(*r) for r in rows], first, last, by)


def as_csv(usage: Iterable[Usage]) -> str:
    """The usage as CSV, one line per account and period, with a header line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(u.row() for u in usage)
    return out.getvalue()


def check_range(first: date, last: date) -> None:
    """Refuse a range that ends before it starts or is longer than ``MAX_DAYS``."""
    for day, name in ((first, "from"), (last, "to")):
        if not 1900 <= day.year <= 2999:
            raise InvalidInput(
                says("%(day)s is not a day accueil counts calls on", day=day), field=name
            )
    if last < first:
        raise InvalidInput(
            says("the range ends (%(last)s) before it starts (%(first)s)", last=last, first=first),
            field="to",
        )
    if (last - first).days + 1 > MAX_DAYS:
        raise InvalidInput(
            says(
                "%(days)s days is longer than %(most)s: ask in parts",
                days=(last - first).days + 1,
                most=MAX_DAYS,
            ),
            field="to",
        )


def _usage(
    session: Session, accounts: Sequence[_Account], first: date, last: date, by: Period
) -> list[Usage]:
    check_range(first, last)
    if not accounts:
        return []
    # wide enough for every zone (UTC-12 to UTC+14); each instant is then read in its zone
    since = datetime.combine(first - timedelta(days=1), time(), tzinfo=UTC)
    until = datetime.combine(last + timedelta(days=2), time(), tzinfo=UTC)
    ids = {a.id: a for a in accounts}
    tally: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0, 0.0, 0, 0])
    for account_id, started, waited, ended in _answered(session, list(ids), since, until):
        local = started.astimezone(zone(ids[account_id].timezone))
        if first <= local.date() <= last:
            counts = tally[(account_id, _period(local.date(), by))]
            counts[0] += 1
            if ended is None:
                counts[2] += 1
            else:
                answer = started + timedelta(seconds=waited or 0.0)
                counts[1] += max(0.0, (ended - answer).total_seconds())
    for account_id, taken in _taken(session, list(ids), since, until):
        local_day = taken.astimezone(zone(ids[account_id].timezone)).date()
        if first <= local_day <= last:
            tally[(account_id, _period(local_day, by))][3] += 1
    periods = _periods(first, last, by)
    return [
        Usage(a.key, p, int(c[0]), round(c[1], 3), int(c[2]), int(c[3]))
        for a in accounts
        for p in periods
        for c in [tally.get((a.id, p), [0, 0.0, 0, 0])]
    ]


def _answered(
    session: Session, ids: list[int], since: datetime, until: datetime
) -> Iterable[tuple[int, datetime, float | None, datetime | None]]:
    record = CallRecordRow
    query = select(record.account_id, record.started_at, record.waited_seconds, record.ended_at)
    query = query.where(
        record.account_id.in_(ids),
        record.fate == "answered",
        record.started_at >= since,
        record.started_at < until,
    )
    return [(a, started, waited, ended) for a, started, waited, ended in session.execute(query)]


def _taken(
    session: Session, ids: list[int], since: datetime, until: datetime
) -> Iterable[tuple[int, datetime]]:
    query = select(MessageRow.account_id, MessageRow.taken_at).where(
        MessageRow.account_id.in_(ids),
        MessageRow.first_id.is_(None),  # the first version: one message, however corrected
        MessageRow.taken_at >= since,
        MessageRow.taken_at < until,
    )
    return [(a, taken) for a, taken in session.execute(query)]


def _period(day: date, by: Period) -> str:
    return day.isoformat() if by is Period.DAY else f"{day.year:04d}-{day.month:02d}"


def _periods(first: date, last: date, by: Period) -> list[str]:
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return list(dict.fromkeys(_period(d, by) for d in days))
