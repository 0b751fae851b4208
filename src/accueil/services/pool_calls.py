"""The pool's calls of a time range, read from the call records for the supervisor's figures.

A pool call is one the pooled team had to answer: answered, abandoned before an answer, or
overflowed (calls connected to the person's own device, rejected or unanswered by a device are
not the pool's). Each comes with its account's answer target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.localtime import require_aware
from accueil.services.directory import account_row
from accueil.services.tenancy import account_or_operator
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_scripts import CallRecordRow

POOL_FATES = ("answered", "abandoned", "overflowed")


@dataclass(frozen=True)
class PoolCall:
    call_id: str
    account: str
    person: str
    started_at: datetime
    fate: str
    waited: float
    agent: str
    target_seconds: float


@account_or_operator
def pool_calls(
    session: Session, since: datetime, until: datetime, account: str | None = None
) -> list[PoolCall]:
    """The pool's calls started in [since, until), oldest first; one account's when given."""
    require_aware(since, "since")
    require_aware(until, "until")
    query = (
        select(CallRecordRow, AccountRow.key, AccountRow.target_seconds, PersonRow.key)
        .join(AccountRow, CallRecordRow.account_id == AccountRow.id)
        .outerjoin(PersonRow, CallRecordRow.person_id == PersonRow.id)
        .where(
            CallRecordRow.started_at >= since,
            CallRecordRow.started_at < until,
            CallRecordRow.fate.in_(POOL_FATES),
        )
        .order_by(CallRecordRow.started_at, CallRecordRow.id)
    )
    if account is not None:
        query = query.where(CallRecordRow.account_id == account_row(session, account).id)
    return [
        PoolCall(
            row.call_id,
            key,
            person or "",
            row.started_at,
            row.fate,
            row.waited_seconds or 0.0,
            row.agent_key,
            float(target),
        )
        for row, key, target, person in session.execute(query)
    ]
