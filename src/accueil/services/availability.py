"""Availability use cases: manual statuses (with their history), delegations, closures, and a
person's availability at an instant.

Account key first; every query filters by the account. Each state change is one write in the
caller's transaction: statuses are appended, never overwritten; a delegation or a closure taken
down is stamped with who and when (``removed_at``, ``removed_by``) and kept, and availability
leaves it out from that instant. Nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any, Protocol

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Executable, Row, bindparam, func, select
from sqlalchemy.orm import Session

from accueil.core.availability import (
    Availability,
    Delegation,
    ManualStatus,
    Policy,
    Sources,
    State,
    availability_at,
)
from accueil.core.directory import Account, Person, reach_of
from accueil.core.hours import WeeklyHours
from accueil.core.opening import Closure
from accueil.errors import AccueilError, InvalidInput, NotFound, at_field, says
from accueil.services.calendar_windows import view_of_feed
from accueil.services.directory import account_row, get_account
from accueil.services.events import (
    ClosureAdded,
    ClosureRemoved,
    DelegationAdded,
    DelegationRemoved,
    StatusCleared,
    StatusSet,
)
from accueil.services.outbox import emit
from accueil.store.mapping import devices_from_json
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_availability import (
    CalendarFeedRow,
    ClosureRow,
    DelegationRow,
    ManualStatusRow,
)

CLEARED = "auto"  # a status row that hands back to calendar and hours


class AvailabilitySettings(BaseSettings):
    """How old a status or a calendar may get before it is shown as stale (``ACCUEIL_*``)."""

    model_config = SettingsConfigDict(env_prefix="ACCUEIL_", env_file=".env", extra="ignore")

    status_stale_after_minutes: int = Field(12 * 60, gt=0)
    calendar_stale_after_minutes: int = Field(24 * 60, gt=0)


@lru_cache(maxsize=1)
def default_policy() -> Policy:
    """The operator's staleness policy, from the environment."""
    found = AvailabilitySettings()
    return Policy(
        manual_stale_after=timedelta(minutes=found.status_stale_after_minutes),
        calendar_stale_after=timedelta(minutes=found.calendar_stale_after_minutes),
    )


def as_utc(value: datetime) -> datetime:
    """SQLite returns naive datetimes; everything is stored in UTC."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_PERSON = select(PersonRow).where(  # built once: records and statuses read it per call
    PersonRow.account_id == bindparam("account_id"), PersonRow.key == bindparam("key")
)


def person_row(session: Session, account: AccountRow, person: str) -> PersonRow:
    row = session.scalar(_PERSON, {"account_id": account.id, "key": person})
    if row is None:
        raise NotFound(
            says("no person %(person)r in account %(account)r", person=person, account=account.key),
            account=account.key,
            person=person,
        )
    return row


def parse_state(text: str) -> State:
    try:
        return State(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(s.value for s in State)
        raise InvalidInput(
            says("%(text)r is not a status; use one of: %(known)s", text=text, known=known),
            field="state",
        ) from None


@dataclass(frozen=True)
class StatusRecord:
    """One entry of a person's status history."""

    state: str  # a State, or 'auto' when the person handed back to calendar and hours
    set_at: datetime
    until: datetime | None
    note: str
    origin: str
    id: int = 0  # its place in the history (a page's cursor)


def set_status(
    session: Session,
    account: str,
    person: str,
    state: State,
    *,
    until: datetime | None = None,
    note: str = "",
    origin: str = "api",
    now: datetime,
) -> ManualStatus:
    """The person says what they are doing (until when); appended to their history."""
    if len(origin) > 20:  # the column's size: refused here, not by PostgreSQL mid-write
        raise InvalidInput(
            says("%(origin)r…: a status's origin is at most 20 characters", origin=origin[:30])
        )
    if until is not None and as_utc(until) <= now:
        raise InvalidInput(
            says(
                "the status would end at %(until)s, which is already past; give a time "
                "in the future",
                until=until.isoformat(),
            ),
            field="until",
            until=until.isoformat(),
        )
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    row = ManualStatusRow(
        account_id=acc.id,
        person_id=prow.id,
        state=state.value,
        until=as_utc(until) if until else None,
        note=note.strip(),
        origin=origin,
        set_at=now,
    )
    session.add(row)
    end = as_utc(until) if until else None
    emit(
        session,
        StatusSet(
            account=acc.key,
            at=now,
            person=prow.key,
            state=state.value,
            until=end,
            note=row.note,
            origin=origin,
        ),
    )
    session.flush()
    return ManualStatus(state, now, end, row.note, origin)


def clear_status(
    session: Session, account: str, person: str, *, now: datetime, origin: str = "api"
) -> None:
    """Hand back to calendar and hours (the previous status stays in the history)."""
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    row = ManualStatusRow(
        account_id=acc.id, person_id=prow.id, state=CLEARED, origin=origin, set_at=now
    )
    session.add(row)
    emit(session, StatusCleared(account=acc.key, at=now, person=prow.key, origin=origin))
    session.flush()


def status_history(
    session: Session, account: str, person: str, limit: int = 50, *, before: int | None = None
) -> list[StatusRecord]:
    """The person's statuses, newest first (``before``: older than that entry's id)."""
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    query = (
        select(ManualStatusRow)
        .where(ManualStatusRow.account_id == acc.id, ManualStatusRow.person_id == prow.id)
        .order_by(ManualStatusRow.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(ManualStatusRow.id < before)
    return [
        StatusRecord(
            r.state,
            as_utc(r.set_at),
            as_utc(r.until) if r.until else None,
            r.note,
            r.origin,
            r.id,
        )
        for r in session.scalars(query)
    ]


class _StatusFields(Protocol):
    """A status row, or its columns read with others (all None when the person has none)."""

    @property
    def state(self) -> str | None: ...
    @property
    def set_at(self) -> datetime | None: ...
    @property
    def until(self) -> datetime | None: ...
    @property
    def note(self) -> str | None: ...
    @property
    def origin(self) -> str | None: ...


def _status_of(row: _StatusFields | None) -> ManualStatus | None:
    if row is None or row.state is None or row.set_at is None or row.state == CLEARED:
        return None
    until = as_utc(row.until) if row.until else None
    return ManualStatus(
        State(row.state), as_utc(row.set_at), until, row.note or "", row.origin or ""
    )


def add_delegation(
    session: Session,
    account: str,
    person: str,
    delegate: str,
    *,
    start: datetime,
    end: datetime | None = None,
    note: str = "",
    now: datetime,
) -> Delegation:
    """While ``person`` is away, ``delegate`` (same account) covers for them."""
    if person == delegate:
        raise InvalidInput(
            says("a person cannot cover for themselves; name a colleague"), field="delegate"
        )
    if end is not None and end <= start:
        raise InvalidInput(says("the delegation ends before it starts"), field="end")
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    with at_field("delegate"):
        drow = person_row(session, acc, delegate)
    session.add(
        DelegationRow(
            account_id=acc.id,
            person_id=prow.id,
            delegate_id=drow.id,
            starts_at=as_utc(start),
            ends_at=as_utc(end) if end else None,
            note=note,
        )
    )
    emit(
        session,
        DelegationAdded(
            account=acc.key,
            at=now,
            person=prow.key,
            delegate=drow.key,
            starts_at=as_utc(start),
            ends_at=as_utc(end) if end else None,
        ),
    )
    session.flush()
    name = f"{drow.first_name} {drow.last_name}".strip()
    end_at = as_utc(end) if end else None
    return Delegation(delegate, name, as_utc(start), end_at, note, _reach(drow.devices, drow.email))


def add_closure(
    session: Session,
    account: str,
    *,
    start: datetime,
    end: datetime,
    reason: str = "",
    now: datetime,
) -> Closure:
    """The account is closed over [start, end) (a seminar, the August break)."""
    if end <= start:
        raise InvalidInput(says("the closure ends before it starts"), field="end")
    acc = account_row(session, account)
    session.add(
        ClosureRow(account_id=acc.id, starts_at=as_utc(start), ends_at=as_utc(end), reason=reason)
    )
    emit(
        session,
        ClosureAdded(
            account=acc.key, at=now, starts_at=as_utc(start), ends_at=as_utc(end), reason=reason
        ),
    )
    session.flush()
    return Closure(as_utc(start), as_utc(end), reason)


@dataclass(frozen=True)
class DelegationRecord:
    """One delegation as kept: its id, and when and by whom it was taken down (if it was)."""

    id: int
    person: str
    delegation: Delegation
    removed_at: datetime | None = None
    removed_by: str = ""


@dataclass(frozen=True)
class ClosureRecord:
    """One closure as kept: its id, and when and by whom it was taken down (if it was)."""

    id: int
    closure: Closure
    removed_at: datetime | None = None
    removed_by: str = ""


def _removed(row: DelegationRow | ClosureRow) -> datetime | None:
    return as_utc(row.removed_at) if row.removed_at else None


def _delegation_record(row: DelegationRow, person: str, delegate: PersonRow) -> DelegationRecord:
    name = f"{delegate.first_name} {delegate.last_name}".strip()
    end = as_utc(row.ends_at) if row.ends_at else None
    reach = _reach(delegate.devices, delegate.email)
    found = Delegation(delegate.key, name, as_utc(row.starts_at), end, row.note, reach)
    return DelegationRecord(row.id, person, found, _removed(row), row.removed_by)


def person_delegations(session: Session, account: str, person: str) -> list[DelegationRecord]:
    """The person's delegations in use, newest first (the removed ones are kept, not listed)."""
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    query = (
        select(DelegationRow, PersonRow)
        .join(PersonRow, DelegationRow.delegate_id == PersonRow.id)
        .where(
            DelegationRow.account_id == acc.id,
            DelegationRow.person_id == prow.id,
            DelegationRow.removed_at.is_(None),
        )
        .order_by(DelegationRow.id.desc())
    )
    return [_delegation_record(d, prow.key, p) for d, p in session.execute(query)]


def get_delegation(
    session: Session, account: str, person: str, delegation: int
) -> DelegationRecord:
    """One delegation of the person, in use or removed (NotFound: none of theirs by that id)."""
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    row, delegate = _delegation_rows(session, acc, prow, delegation)
    return _delegation_record(row, prow.key, delegate)


def _delegation_rows(
    session: Session, acc: AccountRow, prow: PersonRow, delegation: int
) -> tuple[DelegationRow, PersonRow]:
    found = session.execute(
        select(DelegationRow, PersonRow)
        .join(PersonRow, DelegationRow.delegate_id == PersonRow.id)
        .where(
            DelegationRow.account_id == acc.id,
            DelegationRow.person_id == prow.id,
            DelegationRow.id == delegation,
        )
    ).first()
    if found is None:
        raise NotFound(
            says(
                "no delegation %(delegation)s for %(person)r in account %(account)r",
                delegation=delegation,
                person=prow.key,
                account=acc.key,
            ),
            field="delegation",
        )
    return found[0], found[1]


def remove_delegation(
    session: Session, account: str, person: str, delegation: int, *, by: str, now: datetime
) -> DelegationRecord:
    """Take a delegation down: no longer covers from ``now``, kept with who and when.

    Removing one already removed changes nothing and answers it as it was removed.
    """
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    row, delegate = _delegation_rows(session, acc, prow, delegation)
    if row.removed_at is None:
        row.removed_at, row.removed_by = now, by[:100]
        emit(
            session,
            DelegationRemoved(
                account=acc.key, at=now, person=prow.key, delegate=delegate.key, by=by[:100]
            ),
        )
        session.flush()
    return _delegation_record(row, prow.key, delegate)


def closure_records(session: Session, account: str, *, newest: bool = False) -> list[ClosureRecord]:
    """The account's closures in use, in the order they start (``newest``: the last added
    first); the removed ones are kept, not listed."""
    acc = account_row(session, account)
    order = (ClosureRow.id.desc(),) if newest else (ClosureRow.starts_at, ClosureRow.id)
    rows = session.scalars(
        select(ClosureRow)
        .where(ClosureRow.account_id == acc.id, ClosureRow.removed_at.is_(None))
        .order_by(*order)
    )
    return [_closure_record(r) for r in rows]


def _closure_record(row: ClosureRow) -> ClosureRecord:
    found = Closure(as_utc(row.starts_at), as_utc(row.ends_at), row.reason)
    return ClosureRecord(row.id, found, _removed(row), row.removed_by)


def _closure_row(session: Session, acc: AccountRow, closure: int) -> ClosureRow:
    row = session.scalar(
        select(ClosureRow).where(ClosureRow.account_id == acc.id, ClosureRow.id == closure)
    )
    if row is None:
        raise NotFound(
            says("no closure %(closure)s in account %(account)r", closure=closure, account=acc.key),
            field="closure",
        )
    return row


def get_closure(session: Session, account: str, closure: int) -> ClosureRecord:
    """One closure of the account, in use or removed (NotFound: none of its by that id)."""
    return _closure_record(_closure_row(session, account_row(session, account), closure))


def remove_closure(
    session: Session, account: str, closure: int, *, by: str, now: datetime
) -> ClosureRecord:
    """Take a closure down: the account is open again as its hours say, from ``now``; the
    closure is kept with who and when. Removing one already removed changes nothing."""
    acc = account_row(session, account)
    row = _closure_row(session, acc, closure)
    if row.removed_at is None:
        row.removed_at, row.removed_by = now, by[:100]
        emit(
            session,
            ClosureRemoved(
                account=acc.key,
                at=now,
                starts_at=as_utc(row.starts_at),
                ends_at=as_utc(row.ends_at),
                by=by[:100],
            ),
        )
        session.flush()
    return _closure_record(row)


def account_closures(session: Session, account: str) -> tuple[Closure, ...]:
    """The account's closures, in the order they start."""
    return closures(session, account_row(session, account).id)


_CLOSURES = (  # built once, read as plain columns: the screen pop and every search read it
    select(ClosureRow.starts_at, ClosureRow.ends_at, ClosureRow.reason)
    .where(ClosureRow.account_id == bindparam("account_id"), ClosureRow.removed_at.is_(None))
    .order_by(ClosureRow.starts_at)
)


def closures(session: Session, account_id: int) -> tuple[Closure, ...]:
    rows = session.connection().execute(_CLOSURES, {"account_id": account_id})
    return tuple(Closure(as_utc(r.starts_at), as_utc(r.ends_at), r.reason) for r in rows)


_DELEGATIONS = (  # built once, read as plain columns: every call's decision reads it (one
    # person), the people's page too (all of them)
    select(
        DelegationRow.person_id,
        DelegationRow.starts_at,
        DelegationRow.ends_at,
        DelegationRow.note,
        PersonRow.key,
        PersonRow.first_name,
        PersonRow.last_name,
        PersonRow.devices,  # how to reach the delegate: the screen pop and the pages say it
        PersonRow.email,
    )
    .join(PersonRow, DelegationRow.delegate_id == PersonRow.id)
    .where(
        DelegationRow.account_id == bindparam("account_id"),
        DelegationRow.person_id.in_(bindparam("people", expanding=True)),
        DelegationRow.removed_at.is_(None),
        PersonRow.account_id == bindparam("account_id"),
    )
    .order_by(DelegationRow.id.desc())  # the latest delegation wins when two overlap
)


class _DelegationFields(Protocol):
    """A delegation's columns read with its delegate's key and name."""

    @property
    def starts_at(self) -> datetime: ...
    @property
    def ends_at(self) -> datetime | None: ...
    @property
    def note(self) -> str: ...
    @property
    def key(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def devices(self) -> list[Any]: ...
    @property
    def email(self) -> str: ...


def _delegation(row: _DelegationFields) -> Delegation:
    end = as_utc(row.ends_at) if row.ends_at else None
    name = f"{row.first_name} {row.last_name}".strip()
    reach = _reach(row.devices, row.email)
    return Delegation(row.key, name, as_utc(row.starts_at), end, row.note, reach)


def _reach(devices: list[Any] | None, email: str | None) -> tuple[str, ...]:
    """How to reach a delegate, from their person row's devices (as stored) and email."""
    return reach_of(devices_from_json(devices or []), email or "")


def _delegations_of(
    session: Session, account_id: int, people: list[int]
) -> dict[int, tuple[Delegation, ...]]:
    """The delegations in use of some people of the account, by person id, in one statement."""
    found: dict[int, list[Delegation]] = {}
    keys = {"account_id": account_id, "people": people}
    for row in session.connection().execute(_DELEGATIONS, keys):
        found.setdefault(row.person_id, []).append(_delegation(row))
    return {person: tuple(d) for person, d in found.items()}


def sources_for(
    session: Session,
    account: AccountRow,
    person: str,
    now: datetime,
    *,
    known_closures: tuple[Closure, ...] | None = None,
) -> Sources:
    """Everything availability is computed from, for one person (a key) of one account: read
    as ``availabilities_of`` reads a page of people (``_sources_of``), two statements.

    ``known_closures``: the account's closures when the caller has read them already.
    """
    found = _sources_of(session, account.id, [person], now, known_closures)
    if person in found:
        return found[person][1]
    # gone from the store since its slice was read: the account's closures and hours only
    return Sources(
        closures=closures(session, account.id) if known_closures is None else known_closures
    )


def _sources_of(
    session: Session,
    account_id: int,
    people: Collection[str],
    now: datetime,
    shut: tuple[Closure, ...] | None = None,
    *,
    delegations: bool = True,
) -> dict[str, tuple[Row[Any], Sources]]:
    """Some people of one account (keys; unknown ones left out), each with their row of
    ``_PEOPLE_SHOWN`` and the sources of their availability at ``now``: the one reading of a
    person's status, calendar and delegations, for a page of people, a search and a decision.

    One statement for the people with their status and calendar, one for the account's
    closures unless given (``shut``), one for their delegations (``delegations=False``: not
    read, none given: a search asks only whether someone is available, which a delegation
    never changes); none more when no one is found.
    """
    keys = {"account_id": account_id, "people": sorted(set(people)), "now": now}
    rows = session.connection().execute(_PEOPLE_SHOWN, keys).all()
    if not rows:
        return {}
    if shut is None:
        shut = closures(session, account_id)
    covers = _delegations_of(session, account_id, [r.id for r in rows]) if delegations else {}
    return {
        row.key: (
            row,
            Sources(
                manual=_status_of(row),
                calendar=view_of_feed(session, row, now),
                closures=shut,
                delegations=covers.get(row.id, ()),
            ),
        )
        for row in rows
    }


def availability_of(
    session: Session,
    account: str,
    person: str,
    *,
    now: datetime,
    policy: Policy | None = None,
) -> Availability:
    """The person's availability at ``now``; ``policy`` defaults to the settings'."""
    found = availabilities_of(session, account, [person], now=now, policy=policy)
    if person not in found:
        raise NotFound(
            says("no person %(person)r in account %(account)r", person=person, account=account),
            account=account,
            person=person,
        )
    return found[person]


def availabilities_of(
    session: Session,
    account: str,
    people: Collection[str],
    *,
    now: datetime,
    policy: Policy | None = None,
) -> dict[str, Availability]:
    """Each of ``people``'s availability at ``now``, exactly as ``availability_of`` says it
    (delegations included), for a page that lists them (the account's people).

    Four statements however many people: the account, the people with their status and
    calendar, the account's closures, their delegations. Unknown keys are left out; a person's
    broken hours raise, as for one person.
    """
    if not people:
        return {}
    held = get_account(session, account)
    found = _sources_of(session, held.id or 0, people, now)
    return {
        key: _availability_of_row(held, row, now, sources, policy)
        for key, (row, sources) in found.items()
    }


def _people_shown() -> Executable:
    """Some people of one account, each with their latest status as of ``now`` and their
    calendar feed, as plain columns (no row objects to build): built once, bound per call
    (``account_id``, ``people``, ``now``)."""
    latest = (
        select(func.max(ManualStatusRow.id))
        .where(
            ManualStatusRow.account_id == PersonRow.account_id,
            ManualStatusRow.person_id == PersonRow.id,
            ManualStatusRow.set_at <= bindparam("now"),
        )
        .correlate(PersonRow)
        .scalar_subquery()
    )
    s, f = ManualStatusRow, CalendarFeedRow
    return (
        select(
            *(PersonRow.id, PersonRow.key, PersonRow.first_name, PersonRow.last_name),
            PersonRow.working_hours,
            *(s.state, s.set_at, s.until, s.note, s.origin),
            *(f.id, f.url, f.fetched_at, f.last_error, f.skipped),
            *(f.window_start, f.window_end, f.window),
        )
        .outerjoin(s, s.id == latest)
        .outerjoin(
            f,
            (f.account_id == PersonRow.account_id)
            & (f.person_id == PersonRow.id)
            & f.removed_at.is_(None),
        )
        .where(
            PersonRow.account_id == bindparam("account_id"),
            PersonRow.key.in_(bindparam("people", expanding=True)),
        )
    )


_PEOPLE_SHOWN = _people_shown()


def available_now(
    session: Session,
    account: str,
    people: Collection[str],
    *,
    now: datetime,
    policy: Policy | None = None,
) -> dict[str, bool | None]:
    """Whether each of ``people`` (keys of ``account``) is available at ``now``.

    For a list of results (a search): besides the account, one statement reads the people with
    their current status and calendar feed, one more the account's closures, however many
    people are asked for.
    Delegations are not read: they say who covers, never whether the person is available.
    A person whose availability cannot be worked out (broken hours) maps to None; unknown keys
    are left out.
    """
    if not people:
        return {}
    return people_available(session, get_account(session, account), people, now, policy)


def people_available(
    session: Session,
    account: Account,
    people: Collection[str],
    now: datetime,
    policy: Policy | None = None,
) -> dict[str, bool | None]:
    """``available_now`` for a caller that holds the account already (a kept search index)."""
    if not people:
        return {}
    read = _sources_of(session, account.id or 0, people, now, delegations=False)
    found: dict[str, bool | None] = {}
    for key, (row, sources) in read.items():
        try:
            found[key] = _availability_of_row(account, row, now, sources, policy).available
        except AccueilError:  # a person's broken hours must not break a list of results
            found[key] = None
    return found


def _availability_of_row(
    account: Account, row: Row[Any], now: datetime, sources: Sources, policy: Policy | None
) -> Availability:
    """One person's availability from their row of ``_PEOPLE_SHOWN`` and the sources read
    with it (``_sources_of``)."""
    # only what availability reads of a person: the key and the working hours
    hours = WeeklyHours.parse(row.working_hours) if row.working_hours else None
    person = Person(account.key, row.key, row.first_name, row.last_name, working_hours=hours)
    return availability_at(person, account, now, sources, policy or default_policy())
