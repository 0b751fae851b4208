"""Reading call records back: an account's calls, newest first, with filters and a keyset
cursor; one record by id.

A record keeps the person it was for even after they are archived (the row stays, marked
inactive) and says ``person = ""`` when the person was deleted outright. Every query filters by
the account's id first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, and_, or_, select
from sqlalchemy.orm import Session

from accueil.core.callers import normalise_caller
from accueil.core.localtime import require_aware
from accueil.errors import InvalidInput, NotFound, says
from accueil.services.directory import account_row
from accueil.store.tables import PersonRow
from accueil.store.tables_scripts import CallRecordRow


@dataclass(frozen=True)
class MessageField:
    field: str
    label: str
    value: str


@dataclass(frozen=True)
class CallView:
    """One call record as read back."""

    id: int
    account: str
    call_id: str
    started_at: datetime
    caller: str  # E.164, "" when withheld
    caller_name: str
    dialled: str
    person: str  # "" for the switchboard, or a person deleted since
    person_name: str
    agent: str
    script_ref: str
    outcome: str
    urgency: str
    message: tuple[MessageField, ...]


@dataclass(frozen=True)
class CallFilter:
    """Which calls: all fields optional; ``caller`` as typed (read in the account's country)."""

    person: str | None = None
    caller: str | None = None
    agent: str | None = None
    outcome: str | None = None
    since: datetime | None = None  # started at or after
    until: datetime | None = None  # started before


# A position in the newest-first order: (started_at, id) of the last record of a page.
Position = tuple[datetime, int]


def list_calls(
    session: Session,
    account: str,
    where: CallFilter = CallFilter(),
    *,
    after: Position | None = None,
    limit: int = 50,
) -> list[CallView]:
    """The account's calls matching ``where``, newest first, after ``after``, at most ``limit``."""
    acc = account_row(session, account)
    query = _select().where(CallRecordRow.account_id == acc.id)
    if where.person is not None:
        query = query.where(PersonRow.key == where.person)
    if where.caller is not None:
        e164 = normalise_caller(where.caller, acc.country)
        if e164 is None:
            raise InvalidInput(
                says("%(caller)r is not a phone number", caller=where.caller), field="query.caller"
            )
        query = query.where(CallRecordRow.caller == e164)
    if where.agent is not None:
        query = query.where(CallRecordRow.agent_key == where.agent)
    if where.outcome is not None:
        query = query.where(CallRecordRow.outcome == where.outcome)
    if where.since is not None:
        query = query.where(CallRecordRow.started_at >= require_aware(where.since, "since"))
    if where.until is not None:
        query = query.where(CallRecordRow.started_at < require_aware(where.until, "until"))
    if after is not None:
        at, last = after
        query = query.where(
            or_(
                CallRecordRow.started_at < at,
                and_(CallRecordRow.started_at == at, CallRecordRow.id < last),
            )
        )
    query = query.order_by(CallRecordRow.started_at.desc(), CallRecordRow.id.desc()).limit(limit)
    return [
        _view(account, row, key, first, last) for row, key, first, last in session.execute(query)
    ]


def get_call(session: Session, account: str, record: int) -> CallView:
    """One of the account's call records; another account's is not found, as a missing one."""
    acc = account_row(session, account)
    query = _select().where(CallRecordRow.account_id == acc.id, CallRecordRow.id == record)
    found = session.execute(query).first()
    if found is None:
        raise NotFound(
            says(
                "no call record %(record)s in account %(account)r", record=record, account=account
            ),
            field="call",
        )
    row, key, first, last = found
    return _view(account, row, key, first, last)


def _select() -> Select[CallRecordRow, str, str, str]:
    return select(
        CallRecordRow, PersonRow.key, PersonRow.first_name, PersonRow.last_name
    ).outerjoin(PersonRow, CallRecordRow.person_id == PersonRow.id)


def _view(
    account: str, row: CallRecordRow, key: str | None, first: str | None, last: str | None
) -> CallView:
    message = row.message if isinstance(row.message, list) else []
    return CallView(
        id=row.id,
        account=account,
        call_id=row.call_id,
        started_at=_utc(row.started_at),
        caller=row.caller,
        caller_name=row.caller_name,
        dialled=row.dialled,
        person=key or "",
        person_name=f"{first or ''} {last or ''}".strip(),
        agent=row.agent_key,
        script_ref=row.script_ref,
        outcome=row.outcome,
        urgency=row.urgency,
        message=tuple(
            MessageField(str(f[0]), str(f[1]), str(f[2]))
            for f in message
            if isinstance(f, list) and len(f) == 3
        ),
    )


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
