"""A person's availability at an instant, merged from its sources by a fixed precedence.

Pure: it is given the time and the data. The precedence (first that speaks wins):

1. a manual status, while it has not expired and is not stale;
2. the calendar: a busy event now (out of office when its category or words say so);
3. an account closure (off duty);
4. a public holiday of the account's country and subdivision (off duty);
5. working hours (the person's, else the account's business hours): outside → off duty;
6. a stale manual status, shown but flagged ``stale``;
7. otherwise available, from working hours (until closing or the next busy event).

A delegate is attached whenever the person is not available and a delegation covers now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from accueil.core.calendar import Timeline
from accueil.core.directory import Account, Person
from accueil.core.localtime import require_aware
from accueil.core.opening import ClosedBecause, Closure, office_state


class State(StrEnum):
    AVAILABLE = "available"
    BUSY = "busy"
    MEETING = "meeting"
    AWAY = "away"
    OUT_OF_OFFICE = "out_of_office"
    DO_NOT_DISTURB = "do_not_disturb"
    OFF_DUTY = "off_duty"


class Source(StrEnum):
    MANUAL = "manual"
    CALENDAR = "calendar"
    CLOSURE = "closure"
    HOLIDAY = "holiday"
    HOURS = "hours"


@dataclass(frozen=True)
class ManualStatus:
    """What the person said, from their phone, the web, the API or the CLI."""

    state: State
    set_at: datetime
    until: datetime | None = None
    note: str = ""
    origin: str = ""  # "cli", "web", "api", "phone"

    def expired(self, now: datetime) -> bool:
        return self.until is not None and self.until <= now


@dataclass(frozen=True)
class CalendarView:
    """A person's calendar as last loaded, and whether its feed is currently failing."""

    timeline: Timeline
    fetched_at: datetime
    error: str = ""  # the last refresh's error; the timeline is then the last good copy
    refreshed: bool = True  # a feed is refreshed on a schedule; an uploaded file is not
    skipped: int = 0  # events of the copy that could not be read (the feed's notice says which)


@dataclass(frozen=True)
class Delegation:
    """While ``person`` is away, ``delegate`` (a colleague, an assistant) covers for them."""

    delegate: str  # a person key of the same account
    delegate_name: str
    start: datetime
    end: datetime | None = None
    note: str = ""
    # how to reach the delegate, as a secretary reads it (``directory.reach_of``): their
    # devices ('mobile +33 6 12 34 56 78'), then their email; empty when none is known
    reach: tuple[str, ...] = ()

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant and (self.end is None or instant < self.end)


@dataclass(frozen=True)
class Sources:
    """Everything known about a person that availability is computed from."""

    manual: ManualStatus | None = None
    calendar: CalendarView | None = None
    closures: Sequence[Closure] = ()
    delegations: Sequence[Delegation] = ()


@dataclass(frozen=True)
class Policy:
    """How old a source may be before it is no longer taken as the truth."""

    manual_stale_after: timedelta = timedelta(hours=12)
    calendar_stale_after: timedelta = timedelta(hours=24)


@dataclass(frozen=True)
class Availability:
    """What a person is doing at ``as_of``-fresh data, until when, and where that comes from."""

    person: str
    state: State
    source: Source
    as_of: datetime  # when the source's information was established
    until: datetime | None = None
    note: str = ""  # the event's title, the holiday's name, the person's own words
    stale: bool = False
    delegate: Delegation | None = None
    warnings: tuple[str, ...] = ()

    @property
    def available(self) -> bool:
        return self.state is State.AVAILABLE


def availability_at(
    person: Person,
    account: Account,
    now: datetime,
    sources: Sources = Sources(),
    policy: Policy = Policy(),
) -> Availability:
    """The person's availability at ``now`` (aware), by the precedence of this module."""
    require_aware(now, "now")
    found = _merge(person, account, now, sources, policy)
    warnings = _calendar_warnings(sources.calendar, now)
    delegate = None
    if not found.available:
        delegate = next((d for d in sources.delegations if d.covers(now)), None)
    if warnings or delegate:
        found = replace(found, delegate=delegate, warnings=warnings)
    return found


def _merge(
    person: Person, account: Account, now: datetime, sources: Sources, policy: Policy
) -> Availability:
    manual = sources.manual
    if manual is not None and manual.expired(now):
        manual = None
    manual_stale = manual is not None and _stale(manual, now, policy)
    if manual is not None and not manual_stale:
        return _from_manual(person, manual, stale=False)
    busy = _from_calendar(person, sources.calendar, now, policy)
    if busy is not None:
        return busy
    hours = person.working_hours or account.business_hours
    office = office_state(hours, account, sources.closures, now)
    if not office.open:
        source = _CLOSED_SOURCE[office.because or ClosedBecause.HOURS]
        return Availability(person.key, State.OFF_DUTY, source, now, office.until, office.reason)
    if manual is not None:
        return _from_manual(person, manual, stale=True)
    until = _earliest(office.until, _next_busy(sources.calendar, now))
    return Availability(person.key, State.AVAILABLE, Source.HOURS, now, until)


def _next_busy(view: CalendarView | None, now: datetime) -> datetime | None:
    # "available until 14:00" when a meeting starts at 14:00, not until closing time
    return view.timeline.next_busy(now) if view is not None and view.timeline.covers(now) else None


def _earliest(*instants: datetime | None) -> datetime | None:
    return min((i for i in instants if i is not None), default=None)


_CLOSED_SOURCE = {
    ClosedBecause.CLOSURE: Source.CLOSURE,
    ClosedBecause.HOLIDAY: Source.HOLIDAY,
    ClosedBecause.HOURS: Source.HOURS,
}


def _stale(manual: ManualStatus, now: datetime, policy: Policy) -> bool:
    # A status with an end the person chose is trusted until then; an open-ended one ages.
    return manual.until is None and now - manual.set_at > policy.manual_stale_after


def _from_manual(person: Person, manual: ManualStatus, *, stale: bool) -> Availability:
    return Availability(
        person.key, manual.state, Source.MANUAL, manual.set_at, manual.until, manual.note, stale
    )


def _from_calendar(
    person: Person, view: CalendarView | None, now: datetime, policy: Policy
) -> Availability | None:
    if view is None or not view.timeline.covers(now):
        return None
    block = view.timeline.block_at(now)
    if block is None:
        return None
    events = block.covering(now) or block.events
    ooo = any(e.out_of_office for e in events)
    all_day = all(e.all_day for e in events)
    state = State.OUT_OF_OFFICE if ooo else (State.BUSY if all_day else State.MEETING)
    main = next((e for e in events if e.out_of_office), events[0]) if ooo else events[0]
    # a feed that stopped refreshing is stale; an uploaded file is as fresh as its owner made it
    stale = view.refreshed and now - view.fetched_at > policy.calendar_stale_after
    return Availability(
        person.key, state, Source.CALENDAR, view.fetched_at, block.end, main.summary, stale
    )


def _calendar_warnings(view: CalendarView | None, now: datetime) -> tuple[str, ...]:
    if view is None:
        return ()
    out = []
    if view.error:
        copy = f"{view.fetched_at:%Y-%m-%d %H:%M} UTC"
        out.append(f"calendar feed failing ({view.error}); using the copy of {copy}")
    if not view.timeline.covers(now):
        out.append("calendar not expanded for this time; refresh the feed")
    if view.skipped:
        plural = "event" if view.skipped == 1 else "events"
        out.append(f"calendar: {view.skipped} {plural} could not be read and were skipped")
    return tuple(out)
