"""Open or closed: weekly hours, account closures and public holidays, at an instant.

Used for a person's working hours (their own, or the account's business hours) and for the
account itself ("account open" in rules). Wall-clock rules, DST-safe instants.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from accueil.core.directory import Account
from accueil.core.holidays import public_holiday
from accueil.core.hours import WeeklyHours
from accueil.core.localtime import to_local, wall_to_instant, zone

LOOKAHEAD_DAYS = 21  # how far we look for the next opening ("back on Monday 09:00")


class ClosedBecause(StrEnum):
    HOURS = "hours"
    HOLIDAY = "holiday"
    CLOSURE = "closure"


@dataclass(frozen=True)
class Closure:
    """The account is closed over [start, end): a seminar, the August break, a move."""

    start: datetime
    end: datetime
    reason: str = ""

    def covers(self, instant: datetime) -> bool:
        return self.start <= instant < self.end


@dataclass(frozen=True)
class OfficeState:
    """Whether hours say open at an instant, why not, and until when that holds."""

    open: bool
    because: ClosedBecause | None = None
    reason: str = ""  # the holiday's name, the closure's reason
    until: datetime | None = None  # when it next changes (closing time, or next opening)


def office_state(
    hours: WeeklyHours, account: Account, closures: Sequence[Closure], now: datetime
) -> OfficeState:
    """Open/closed at ``now`` for ``hours``, counting the account's closures and holidays."""
    tz = zone(account.timezone)
    closure = next((c for c in closures if c.covers(now)), None)
    if closure is not None:
        until = next_opening(hours, account, closures, closure.end)
        return OfficeState(False, ClosedBecause.CLOSURE, closure.reason, until)
    local = to_local(now, tz)
    holiday = public_holiday(account.country, account.subdivision, local.date())
    if holiday is not None:
        until = next_opening(hours, account, closures, now)
        return OfficeState(False, ClosedBecause.HOLIDAY, holiday, until)
    if hours.is_open(local):
        return OfficeState(True, until=_closing(hours, local, now, tz))
    return OfficeState(False, ClosedBecause.HOURS, "", next_opening(hours, account, closures, now))


def next_opening(
    hours: WeeklyHours, account: Account, closures: Sequence[Closure], after: datetime
) -> datetime | None:
    """The first instant at or after ``after`` when ``hours`` are open, or None within 3 weeks."""
    tz = zone(account.timezone)
    first_day = to_local(after, tz).date()
    for offset in range(LOOKAHEAD_DAYS):
        day = first_day + timedelta(days=offset)
        if public_holiday(account.country, account.subdivision, day) is not None:
            continue
        for span in hours.ranges_on(day.weekday()):
            start, end = wall_to_instant(day, span.start, tz), wall_to_instant(day, span.end, tz)
            candidate = _outside_closures(max(start, after), closures)
            # a range wholly inside a DST gap does not happen that day: its shifted start
            # reads, on the wall clock, as a time outside the range
            if candidate < end and hours.is_open(to_local(candidate, tz)):
                return candidate
    return None


def _outside_closures(instant: datetime, closures: Sequence[Closure]) -> datetime:
    moved = True
    while moved:  # closures may chain; each pass moves strictly forward
        moved = False
        for closure in closures:
            if closure.covers(instant):
                instant, moved = closure.end, True
    return instant


def _closing(hours: WeeklyHours, local: datetime, now: datetime, tz: ZoneInfo) -> datetime:
    minute = local.hour * 60 + local.minute
    span = next(r for r in hours.ranges_on(local.weekday()) if r.contains(minute))
    closing = wall_to_instant(local.date(), span.end, tz)
    # in the autumn overlap, "02:45" may already have passed once: it closes the second time
    return closing if closing > now else wall_to_instant(local.date(), span.end, tz, fold=1)
