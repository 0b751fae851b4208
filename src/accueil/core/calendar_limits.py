"""How much work one calendar may ask for, checked before the work is done.

A 209-byte feed with ``FREQ=MINUTELY`` and no end asks a recurrence library for millions of
steps; 100,000 events ask the parser for a minute and a gigabyte. Every cap here is checked on
the raw text or on the parsed rules *before* expansion, so a refusal costs milliseconds, and a
calendar within the caps costs a bounded amount: a few seconds at refresh time at worst, never
at decision time (decisions read the window stored by the refresh).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from accueil.core.calendar import CalendarError
from accueil.errors import says

# Upper bounds of one period of each frequency (a month counts 31 days, a year 366), so the
# estimates below never under-count the steps a rule takes.
_PERIOD = {
    "SECONDLY": 1,
    "MINUTELY": 60,
    "HOURLY": 3600,
    "DAILY": 86400,
    "WEEKLY": 7 * 86400,
    "MONTHLY": 28 * 86400,
    "YEARLY": 365 * 86400,
}
# Parts that add occurrences inside one period (each value one more at most).
_EXPANDING = ("BYSECOND", "BYMINUTE", "BYHOUR", "BYDAY", "BYMONTHDAY", "BYYEARDAY", "BYWEEKNO")
_FILTERING = (*_EXPANDING, "BYMONTH", "BYSETPOS")
_BEGIN_EVENT = re.compile(rb"^BEGIN:VEVENT\s*$", re.IGNORECASE | re.MULTILINE)
_FOLD = re.compile(rb"\r?\n[ \t]")


@dataclass(frozen=True)
class CalendarLimits:
    """The caps; a calendar over any of them is refused with the cap named."""

    max_bytes: int = 5 * 1024 * 1024  # same as a fetched feed
    max_events: int = 10_000  # VEVENT components in the file
    max_occurrences_per_event: int = 2_000  # in the window (hourly for 63 days is 1,512)
    max_occurrences: int = 20_000  # in the window, all events together
    max_rule_steps: int = 200_000  # steps all rules take from their start to the window's end


def check_text(data: bytes, limits: CalendarLimits) -> None:
    """Size and event count, on the raw text (folded lines unfolded first)."""
    if len(data) > limits.max_bytes:
        raise CalendarError(
            says(
                "the calendar is %(mb).1f MB; calendars larger than %(most)g MB are refused",
                mb=len(data) / 1024 / 1024,
                most=limits.max_bytes / 1024 / 1024,
            )
        )
    events = len(_BEGIN_EVENT.findall(_FOLD.sub(b"", data)))
    if events > limits.max_events:
        raise CalendarError(
            says(
                "the calendar holds %(events)s events; calendars of more than %(most)s events "
                "are refused",
                events=_many(events),
                most=_many(limits.max_events),
            )
        )


@dataclass
class RuleBudget:
    """Counts the steps of every rule of one calendar against the caps, before expansion."""

    limits: CalendarLimits
    window_start: datetime
    window_end: datetime
    steps: int = 0

    def charge(self, component: Any) -> None:
        """Estimate this event's rule steps and occurrences in the window; refuse over a cap."""
        rules = component.get("RRULE")
        if rules is None:
            return
        start = _naive(component.get("DTSTART"))
        if start is None:
            return  # no start: the event is skipped later, no rule runs
        for rule in rules if isinstance(rules, list) else [rules]:
            self._charge_rule(component, rule, start)

    def _charge_rule(self, component: Any, rule: Any, start: datetime) -> None:
        freq = str(_first(rule, "FREQ") or "").upper()
        period = _PERIOD.get(freq)
        if period is None:
            return  # an unknown frequency: the library refuses the series, nothing runs
        interval = max(1, _int(_first(rule, "INTERVAL"), 1))
        step = period * interval
        per_period = 1
        for part in _EXPANDING:
            per_period *= max(1, len(rule.get(part, []) or []))
        end = _naive(_first(rule, "UNTIL")) or _naive_dt(self.window_end)
        end = min(end, _naive_dt(self.window_end))
        span = max(0.0, (end - start).total_seconds())
        steps = int(span // step + 1) * per_period
        count = _int(_first(rule, "COUNT"), 0)
        if count and not any(rule.get(p) for p in _FILTERING):
            steps = min(steps, count)  # each step is an occurrence: COUNT bounds them
        in_window = (self.window_end - self.window_start).total_seconds()
        occurrences = int(in_window // step + 1) * per_period
        if count:
            occurrences = min(occurrences, count * per_period)
        name = _name(component)
        if occurrences > self.limits.max_occurrences_per_event:
            raise CalendarError(
                says(
                    "the event %(name)s repeats %(freq)s%(every)s: about %(occurrences)s "
                    "occurrences in the %(days)s days read, more than the %(most)s one event "
                    "may have; the calendar is refused",
                    name=name,
                    freq=freq.lower(),
                    every=_every(interval),
                    occurrences=_many(occurrences),
                    days=_days(in_window),
                    most=_many(self.limits.max_occurrences_per_event),
                )
            )
        self.steps += steps
        if self.steps > self.limits.max_rule_steps:
            raise CalendarError(
                says(
                    "the calendar's repeating events take more than %(most)s steps to expand "
                    "(the event %(name)s alone about %(steps)s: %(freq)s since %(start)s); "
                    "the calendar is refused",
                    most=_many(self.limits.max_rule_steps),
                    name=name,
                    steps=_many(steps),
                    freq=freq.lower(),
                    start=start.strftime("%Y-%m-%d"),
                )
            )


def _first(rule: Any, key: str) -> Any:
    value = rule.get(key)
    if isinstance(value, list):
        return value[0] if value else None
    return value


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _naive(prop: Any) -> datetime | None:
    value = getattr(prop, "dt", prop)
    if isinstance(value, datetime):
        return _naive_dt(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    return None


def _naive_dt(value: datetime) -> datetime:
    # a day's error either way does not matter to an estimate
    return value.replace(tzinfo=None)


def _days(seconds: float) -> int:
    return round(seconds / timedelta(days=1).total_seconds())


def _name(component: Any) -> str:
    summary = str(component.get("SUMMARY", "")).strip()[:60]
    uid = str(component.get("UID", "")).strip()[:80]
    return f"{summary!r} (UID {uid})" if uid else repr(summary)


def _many(n: int) -> str:
    """A count as the messages write it: 12,000."""
    return format(n, ",")


def _every(interval: int) -> str:
    return says(" (every %(n)s)", n=interval) if interval > 1 else ""
