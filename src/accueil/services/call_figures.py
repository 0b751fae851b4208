"""The figures of a time range from the call records, per account and overall: calls, answered,
abandoned, service level (answered within the account's target), abandonment and affinity
(answered by a secretary familiar with the account). What the supervisor's board reads.

Counted on the calls the pool handled (answered or abandoned); calls put through to the person,
rejected or overflowed are counted as calls but are not the pool's service. One statement for
every account at once, over ``ix_call_records_started``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Integer, and_, case, func, select
from sqlalchemy.orm import Session

from accueil.core.localtime import require_aware
from accueil.store.tables import AccountRow
from accueil.store.tables_scripts import CallRecordRow


@dataclass(frozen=True)
class Figures:
    """One account's calls of a range (``account`` "" for the sum of all)."""

    account: str
    name: str
    target_seconds: int
    calls: int = 0
    answered: int = 0
    abandoned: int = 0
    within_target: int = 0
    familiar: int = 0

    @property
    def pool(self) -> int:
        """The calls the pool handled: answered or abandoned."""
        return self.answered + self.abandoned

    @property
    def service_level(self) -> float | None:
        """The share of the pool's calls answered within the target (None: no such call)."""
        return self.within_target / self.pool if self.pool else None

    @property
    def abandonment(self) -> float | None:
        return self.abandoned / self.pool if self.pool else None

    @property
    def affinity(self) -> float | None:
        """The share of answered calls a familiar secretary took."""
        return self.familiar / self.answered if self.answered else None


def figures(session: Session, since: datetime, until: datetime) -> list[Figures]:
    """Every account's figures for calls started in [since, until), by account name; accounts
    without a call are left out. For the operator's staff only (the caller checks)."""
    require_aware(since, "since")
    require_aware(until, "until")
    record = CallRecordRow
    answered = record.fate == "answered"
    in_time = and_(answered, record.waited_seconds <= AccountRow.target_seconds)

    def count(condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.sum(case((condition, 1), else_=0)).cast(Integer)

    query = (
        select(
            AccountRow.key,
            AccountRow.name,
            AccountRow.target_seconds,
            func.count(record.id),
            count(answered),
            count(record.fate == "abandoned"),
            count(in_time),
            count(and_(answered, record.familiar.is_(True))),
        )
        .join(AccountRow, AccountRow.id == record.account_id)
        .where(record.started_at >= since, record.started_at < until)
        .group_by(AccountRow.id, AccountRow.key, AccountRow.name, AccountRow.target_seconds)
        .order_by(AccountRow.name)
    )
    return [Figures(*row) for row in session.execute(query)]


def overall(per_account: list[Figures]) -> Figures:
    """The sum of the accounts' figures."""
    total = Figures("", "", 0)
    for f in per_account:
        total = Figures(
            "",
            "",
            0,
            total.calls + f.calls,
            total.answered + f.answered,
            total.abandoned + f.abandoned,
            total.within_target + f.within_target,
            total.familiar + f.familiar,
        )
    return total
