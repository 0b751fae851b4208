"""Availability use cases: manual statuses (with their history), delegations, closures, and a
person's availability at an instant.

Account key first; every query filters by the account. Each state change is one insert in the
caller's transaction: statuses are appended, never overwritten, so nothing is lost.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Protocol

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Executable, bindparam, func, select
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
from accueil.core.directory import Account, Person
from accueil.core.hours import WeeklyHours
from accueil.core.opening import Closure
from accueil.errors import AccueilError, InvalidInput, NotFound
from accueil.services.calendar_windows import calendar_view, view_of_feed
from accueil.services.directory import account_row, get_account
from accueil.services.events import ClosureAdded, DelegationAdded, StatusCleared, StatusSet
from accueil.services.outbox import emit
from accueil.store.mapping import person_from_row
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


def person_row(session: Session, account: AccountRow, person: str) -> PersonRow:
    row = session.scalar(
        select(PersonRow).where(PersonRow.account_id == account.id, PersonRow.key == person)
    )
    if row is None:
        raise NotFound(
            f"no person {person!r} in account {account.key!r}", account=account.key, person=person
        )
    return row


def parse_state(text: str) -> State:
    try:
        return State(text.strip().lower().replace("-", "_").replace(" ", "_"))
    except ValueError:
        known = ", ".join(s.value for s in State)
        raise InvalidInput(f"{text!r} is not a status; use one of: {known}") from None


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
        raise InvalidInput(f"{origin[:30]!r}…: a status's origin is at most 20 characters")
    if until is not None and as_utc(until) <= now:
        raise InvalidInput(
            f"the status would end at {until.isoformat()}, which is already past; "
            "give a time in the future",
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


def _current_status(
    session: Session, account_id: int, person_id: int, now: datetime
) -> ManualStatus | None:
    # a status set after ``now`` did not exist yet: deciding "as of" a past time stays true
    row = session.scalar(
        select(ManualStatusRow)
        .where(
            ManualStatusRow.account_id == account_id,
            ManualStatusRow.person_id == person_id,
            ManualStatusRow.set_at <= now,
        )
        .order_by(ManualStatusRow.id.desc())
        .limit(1)
    )
    return _status_of(row)


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
        raise InvalidInput("a person cannot cover for themselves; name a colleague")
    if end is not None and end <= start:
        raise InvalidInput("the delegation ends before it starts")
    acc = account_row(session, account)
    prow, drow = person_row(session, acc, person), person_row(session, acc, delegate)
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
    return Delegation(delegate, name, as_utc(start), as_utc(end) if end else None, note)


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
        raise InvalidInput("the closure ends before it starts")
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


def account_closures(session: Session, account: str) -> tuple[Closure, ...]:
    """The account's closures, in the order they start."""
    return closures(session, account_row(session, account).id)


_CLOSURES = (  # built once, read as plain columns: the screen pop and every search read it
    select(ClosureRow.starts_at, ClosureRow.ends_at, ClosureRow.reason)
    .where(ClosureRow.account_id == bindparam("account_id"))
    .order_by(ClosureRow.starts_at)
)


def closures(session: Session, account_id: int) -> tuple[Closure, ...]:
    rows = session.connection().execute(_CLOSURES, {"account_id": account_id})
    return tuple(Closure(as_utc(r.starts_at), as_utc(r.ends_at), r.reason) for r in rows)


def _delegations(session: Session, account_id: int, person_id: int) -> tuple[Delegation, ...]:
    query = (
        select(DelegationRow, PersonRow)
        .join(PersonRow, DelegationRow.delegate_id == PersonRow.id)
        .where(
            DelegationRow.account_id == account_id,
            DelegationRow.person_id == person_id,
            PersonRow.account_id == account_id,
        )
        .order_by(DelegationRow.id.desc())  # the latest delegation wins when two overlap
    )
    return tuple(
        Delegation(
            p.key,
            f"{p.first_name} {p.last_name}".strip(),
            as_utc(d.starts_at),
            as_utc(d.ends_at) if d.ends_at else None,
            d.note,
        )
        for d, p in session.execute(query)
    )


def sources_for(
    session: Session,
    account: AccountRow,
    person: PersonRow,
    now: datetime,
    *,
    known_closures: tuple[Closure, ...] | None = None,
) -> Sources:
    """Everything availability is computed from, for one person of one account.

    ``known_closures``: the account's closures when the caller has read them already.
    """
    return Sources(
        manual=_current_status(session, account.id, person.id, now),
        calendar=calendar_view(session, account, person, now),
        closures=closures(session, account.id) if known_closures is None else known_closures,
        delegations=_delegations(session, account.id, person.id),
    )


def availability_of(
    session: Session,
    account: str,
    person: str,
    *,
    now: datetime,
    policy: Policy | None = None,
) -> Availability:
    """The person's availability at ``now``; ``policy`` defaults to the settings'."""
    acc = account_row(session, account)
    prow = person_row(session, acc, person)
    sources = sources_for(session, acc, prow, now)
    return availability_at(
        person_from_row(prow, acc.key),
        get_account(session, account),
        now,
        sources,
        policy or default_policy(),
    )


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
            *(PersonRow.key, PersonRow.first_name, PersonRow.last_name, PersonRow.working_hours),
            *(s.state, s.set_at, s.until, s.note, s.origin),
            *(f.id, f.url, f.fetched_at, f.last_error, f.skipped),
            *(f.window_start, f.window_end, f.window),
        )
        .outerjoin(s, s.id == latest)
        .outerjoin(f, (f.account_id == PersonRow.account_id) & (f.person_id == PersonRow.id))
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
    keys = {"account_id": account.id, "people": sorted(set(people)), "now": now}
    rows = session.connection().execute(_PEOPLE_SHOWN, keys).all()
    if not rows:
        return {}
    shut = closures(session, account.id or 0)
    found: dict[str, bool | None] = {}
    for row in rows:
        sources = Sources(
            manual=_status_of(row), calendar=view_of_feed(session, row, now), closures=shut
        )
        try:
            # only what availability reads of a person: the key and the working hours
            hours = WeeklyHours.parse(row.working_hours) if row.working_hours else None
            person = Person(
                account.key, row.key, row.first_name, row.last_name, working_hours=hours
            )
            found[row.key] = availability_at(
                person, account, now, sources, policy or default_policy()
            ).available
        except AccueilError:  # a person's broken hours must not break a list of results
            found[row.key] = None
    return found
