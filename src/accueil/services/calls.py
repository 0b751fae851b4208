"""Call records: what each answered call was, and what the screen pop reads back from them
(the caller's last calls and messages to this account, and the agent's familiarity with it).

Every function takes the account key first and filters by its id.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import bindparam, case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accueil.core.callers import normalise_caller
from accueil.core.localtime import require_aware
from accueil.core.screenpop import Familiar, PastCall
from accueil.core.scripts.runner import ScriptOutcome
from accueil.errors import InvalidInput, says
from accueil.services.availability import person_row
from accueil.services.directory import account_row
from accueil.services.events import CallRecorded
from accueil.services.outbox import emit
from accueil.services.tenancy import on_scoped_input
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_scripts import CallRecordRow

log = logging.getLogger(__name__)
FAMILIAR_WITHIN = timedelta(days=30)


@dataclass(frozen=True)
class CallRecord:
    """One answered call as it is recorded: who called, for whom, the script and its outcome."""

    caller: str  # the number as presented (kept in E.164), or "" when withheld
    dialled: str
    started_at: datetime
    person: str = ""
    agent: str = ""
    call_id: str = ""
    caller_name: str = ""
    script_ref: str = ""
    outcome: ScriptOutcome | None = None
    # the live switchboard's account of the call (see docs/live.md)
    fate: str = "answered"  # answered, abandoned, overflowed, connected, rejected, unanswered
    waited: float | None = None  # seconds from arrival to answer (or to leaving unanswered)
    ended_at: datetime | None = None
    familiar: bool | None = None  # answered by an agent familiar with the account
    treatment: str = ""  # the decision's treatment: answer, message, connect, on_call, reject
    rule: str = ""  # the rule that decided it


FATES = ("answered", "abandoned", "overflowed", "connected", "rejected", "unanswered")


def record_call(session: Session, account: str, record: CallRecord) -> int:
    """Write the call record (in the caller's transaction); returns its id.

    The caller is kept in E.164, as the screen pop looks it up ("" when withheld or not a
    number); a person who is not the account's is refused, not silently dropped. A call
    recorded already (the same ``call_id`` for the account) is not written again, and its
    record's id is returned: one record per call, whoever writes second.
    """
    return record_call_once(session, account, record).id


@dataclass(frozen=True)
class Recorded:
    """A call's record: its id, and whether this transaction wrote it (False: it was there,
    or another transaction in flight wrote it first and committed)."""

    id: int
    written: bool


def record_call_once(session: Session, account: str, record: CallRecord) -> Recorded:
    """``record_call``, saying whether the record was written here. A second writer of the
    same call while the first is still in flight waits for it on the unique index (migration
    0016): it writes nothing once the first commits, and writes the record if it rolls back."""
    acc = account_row(session, account)
    row = _row(session, acc, record)
    if record.call_id:
        try:  # one record per call: a second writer (a deposed leader's thread) finds it
            with session.begin_nested():
                session.add(row)
        except IntegrityError:
            log.warning("call %s is recorded already: this record is not written", record.call_id)
            return Recorded(_recorded_id(session, acc.id, record.call_id), written=False)
    else:
        session.add(row)
        session.flush()
    emit(session, _recorded(acc, record, row))
    return Recorded(row.id, written=True)


@on_scoped_input
def record_calls(session: Session, records: Sequence[tuple[str, CallRecord]]) -> int:
    """Write many calls' records (account key, record) in the caller's transaction, in one
    flush; returns how many were written. A call recorded already is skipped, as by
    ``record_call``, found for the whole batch in one query; a concurrent writer of the same
    call makes the flush fail (the unique index), and the caller writes them one by one."""
    accounts: dict[str, AccountRow] = {}
    people: dict[tuple[int, str], int] = {}  # each person read once for the batch
    rows: list[tuple[AccountRow, CallRecord, CallRecordRow]] = []
    for key, record in records:
        if key not in accounts:
            accounts[key] = account_row(session, key)
        acc = accounts[key]
        rows.append((acc, record, _row(session, acc, record, people)))
    given = [(acc.id, record.call_id) for acc, record, _ in rows if record.call_id]
    done = _recorded_already(session, given)
    fresh = [(a, r, row) for a, r, row in rows if (a.id, r.call_id) not in done or not r.call_id]
    session.add_all([row for _, _, row in fresh])
    session.flush()
    for acc, record, row in fresh:
        emit(session, _recorded(acc, record, row))
    return len(fresh)


def _recorded_already(session: Session, calls: list[tuple[int, str]]) -> set[tuple[int, str]]:
    if not calls:
        return set()
    found = session.execute(
        select(CallRecordRow.account_id, CallRecordRow.call_id).where(
            CallRecordRow.call_id.in_({call for _, call in calls})
        )
    )
    return {(a, c) for a, c in found} & set(calls)


def _row(
    session: Session,
    acc: AccountRow,
    record: CallRecord,
    people: dict[tuple[int, str], int] | None = None,
) -> CallRecordRow:
    """The record's row, checked: aware times, a known fate, a person of the account
    (``people``: the ids of the persons read already, by account id and key)."""
    require_aware(record.started_at, "the call's start")
    if record.ended_at is not None:
        require_aware(record.ended_at, "the call's end")
    if record.fate not in FATES:
        raise InvalidInput(
            says(
                "a call's fate is one of %(fates)s, not %(fate)r",
                fates=", ".join(FATES),
                fate=record.fate,
            ),
            field="fate",
        )
    person_id = _person_id(session, acc, record.person, {} if people is None else people)
    caller = (normalise_caller(record.caller, acc.country) or "") if record.caller else ""
    outcome = record.outcome
    return CallRecordRow(
        account_id=acc.id,
        person_id=person_id,
        call_id=record.call_id,
        caller=caller,
        caller_name=record.caller_name,
        dialled=record.dialled,
        started_at=record.started_at,
        agent_key=record.agent,
        script_ref=record.script_ref,
        outcome=outcome.action.value if outcome else "",
        urgency=outcome.message.urgency.value if outcome else "",
        message=[list(f) for f in outcome.message.fields] if outcome else None,
        fate=record.fate,
        waited_seconds=record.waited,
        ended_at=record.ended_at,
        familiar=record.familiar,
        treatment=record.treatment,
        rule=record.rule[:200],
    )


def _person_id(
    session: Session, acc: AccountRow, person: str, people: dict[tuple[int, str], int]
) -> int | None:
    if not person:
        return None
    key = (acc.id, person)
    if key not in people:
        people[key] = person_row(session, acc, person).id
    return people[key]


def _recorded(acc: AccountRow, record: CallRecord, row: CallRecordRow) -> CallRecorded:
    return CallRecorded(
        account=acc.key,
        at=record.started_at,
        call_id=record.call_id,
        person=record.person,
        outcome=row.outcome,
        fate=record.fate,
        agent=record.agent,
    )


def _recorded_id(session: Session, account_id: int, call_id: str) -> int:
    return session.scalars(
        select(CallRecordRow.id).where(
            CallRecordRow.account_id == account_id, CallRecordRow.call_id == call_id
        )
    ).one()


def is_recorded(session: Session, account: str, call_id: str) -> bool:
    """Whether ``call_id`` has its record already (a switchboard replaying its journal)."""
    acc = account_row(session, account)
    found = session.scalars(
        select(CallRecordRow.id).where(
            CallRecordRow.account_id == acc.id, CallRecordRow.call_id == call_id
        )
    ).first()
    return found is not None


def recent_calls(session: Session, account: str, caller: str, limit: int = 5) -> list[PastCall]:
    """The last calls from ``caller`` (E.164) to ``account``, newest first."""
    if not caller:
        return []  # withheld numbers have no history
    return history_of(session, account_row(session, account).id, caller, limit)


# Built once: the screen pop runs these on every offer, and building a statement costs more
# than running it on SQLite.
_HISTORY = (
    select(
        CallRecordRow.started_at,
        CallRecordRow.outcome,
        CallRecordRow.urgency,
        CallRecordRow.message,
        PersonRow.first_name,
        PersonRow.last_name,
    )
    .outerjoin(PersonRow, CallRecordRow.person_id == PersonRow.id)
    .where(
        CallRecordRow.account_id == bindparam("account_id"),
        CallRecordRow.caller == bindparam("caller"),
    )
    .order_by(CallRecordRow.started_at.desc(), CallRecordRow.id.desc())
    .limit(bindparam("limit"))
)
_FAMILIAR = (
    select(
        func.count(),
        func.coalesce(func.sum(case((PersonRow.key == bindparam("person"), 1), else_=0)), 0),
        func.max(CallRecordRow.started_at),
    )
    .select_from(CallRecordRow)
    .outerjoin(PersonRow, CallRecordRow.person_id == PersonRow.id)
    .where(
        CallRecordRow.account_id == bindparam("account_id"),
        CallRecordRow.agent_key == bindparam("agent"),
        CallRecordRow.started_at >= bindparam("since"),
    )
)


def history_of(session: Session, account_id: int, caller: str, limit: int = 5) -> list[PastCall]:
    """``recent_calls`` for an account already resolved to its id."""
    if not caller:
        return []
    values = {"account_id": account_id, "caller": caller, "limit": limit}
    rows = session.connection().execute(_HISTORY, values)  # plain columns: no ORM step
    return [
        PastCall(
            at=_utc(at),
            person=f"{first or ''} {last or ''}".strip(),
            outcome=outcome,
            urgency=urgency,
            summary=_summary(message),
        )
        for at, outcome, urgency, message, first, last in rows
    ]


def familiarity(
    session: Session, account: str, person: str | None, agent: str, now: datetime
) -> Familiar:
    """Whether ``agent`` answered for this account (and person) within the last 30 days."""
    return familiarity_of(session, account_row(session, account).id, person, agent, now)


def familiarity_of(
    session: Session, account_id: int, person: str | None, agent: str, now: datetime
) -> Familiar:
    """``familiarity`` for an account already resolved to its id."""
    if not agent:
        return Familiar()
    values = {
        "account_id": account_id,
        "agent": agent,
        "since": now - FAMILIAR_WITHIN,
        "person": person or "",
    }
    account_calls, person_calls, last = session.connection().execute(_FAMILIAR, values).one()
    return Familiar(
        account=account_calls > 0,
        person=person_calls > 0,
        account_calls=account_calls,
        person_calls=int(person_calls),
        last_served=_utc(last) if last else None,
    )


def _summary(message: object) -> str:
    if not isinstance(message, list):
        return ""
    parts = [f"{f[1]}: {f[2]}" for f in message if isinstance(f, list) and len(f) == 3 and f[2]]
    return "; ".join(parts[:3])


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
