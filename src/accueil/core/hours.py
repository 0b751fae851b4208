"""Weekly hours: "mon-fri 09:00-12:30,14:00-18:00; sat 09:00-12:00".

Used for an account's business hours and a person's working hours. Pure and small.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from datetime import datetime, time

from accueil.errors import InvalidInput, says

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_RANGE = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class InvalidHours(InvalidInput):
    code = "invalid_hours"


@dataclass(frozen=True, order=True)
class TimeRange:
    """A half-open range of the day [start, end), in minutes after midnight (end may be 1440)."""

    start: int
    end: int

    def contains(self, minute: int) -> bool:
        return self.start <= minute < self.end

    def __str__(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True)
class WeeklyHours:
    """For each day Monday..Sunday, the ranges that are open."""

    days: tuple[tuple[TimeRange, ...], ...] = ((),) * 7

    @classmethod
    def parse(cls, text: str) -> WeeklyHours:
        """Read the textual form; an empty text means never open."""
        days: list[list[TimeRange]] = [[] for _ in DAYS]
        for part in filter(None, (p.strip() for p in text.split(";"))):
            head, _, ranges = part.partition(" ")
            if not ranges.strip():
                raise InvalidHours(
                    says(
                        "%(part)r: expected days then ranges, e.g. 'mon-fri 09:00-18:00'", part=part
                    )
                )
            for day in _days(head):
                for item in ranges.replace(" ", "").split(","):
                    days[day].append(_range(item))
        for day, ranges_of_day in enumerate(days):
            ranges_of_day.sort()
            for a, b in itertools.pairwise(ranges_of_day):
                if b.start < a.end:
                    raise InvalidHours(
                        says("%(day)s: %(a)s and %(b)s overlap", day=DAYS[day], a=a, b=b)
                    )
        return cls(tuple(tuple(d) for d in days))

    def is_open(self, local: datetime) -> bool:
        """Whether the local wall-clock time falls in an open range."""
        minute = local.hour * 60 + local.minute
        return any(r.contains(minute) for r in self.days[local.weekday()])

    def ranges_on(self, weekday: int) -> tuple[TimeRange, ...]:
        return self.days[weekday]

    def short(self) -> str:
        """The textual form with runs of days that keep the same hours written once:
        'mon-fri 09:00-18:00; sat 09:00-12:00' (empty when never open); parse reads it."""
        parts = []
        for ranges, run in itertools.groupby(enumerate(self.days), key=lambda pair: pair[1]):
            days = [day for day, _ in run]
            if ranges:
                head = DAYS[days[0]] if len(days) == 1 else f"{DAYS[days[0]]}-{DAYS[days[-1]]}"
                parts.append(f"{head} " + ",".join(str(r) for r in ranges))
        return "; ".join(parts)

    def __str__(self) -> str:
        parts = []
        for i, ranges in enumerate(self.days):
            if ranges:
                parts.append(f"{DAYS[i]} " + ",".join(str(r) for r in ranges))
        return "; ".join(parts)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _days(head: str) -> list[int]:
    out: list[int] = []
    for token in head.lower().split(","):
        first, sep, last = token.partition("-")
        if first not in DAYS or (sep and last not in DAYS):
            raise InvalidHours(
                says("%(head)r: days are written mon, tue, … sun, or a range mon-fri", head=head)
            )
        a = DAYS.index(first)
        b = DAYS.index(last) if sep else a
        if b < a:
            raise InvalidHours(says("%(head)r: a day range goes forward, e.g. mon-fri", head=head))
        out.extend(range(a, b + 1))
    return out


def _range(item: str) -> TimeRange:
    m = _RANGE.match(item)
    if not m:
        raise InvalidHours(
            says("%(item)r: a range is written HH:MM-HH:MM, e.g. 09:00-12:30", item=item)
        )
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or m1 > 59 or h2 > 24 or m2 > 59 or (h2 == 24 and m2):
        raise InvalidHours(says("%(item)r: not a time of day", item=item))
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise InvalidHours(
            says(
                "%(item)r: the range ends before it starts (split ranges past midnight)", item=item
            )
        )
    return TimeRange(start, end)


def parse_time(text: str) -> time:
    """HH:MM to a time, with a clear error."""
    m = re.match(r"^(\d{1,2}):(\d{2})$", text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise InvalidHours(says("%(text)r: a time is written HH:MM, e.g. 14:30", text=text))
    return time(int(m.group(1)), int(m.group(2)))
