"""Reading a calendar as people's software writes it: every event that can be read is kept.

One person's Outlook export with one odd event must not blank their whole calendar. So:

- a UTF-8 byte-order mark and several VCALENDARs in one file are accepted;
- what can be repaired is repaired (a second DTSTART dropped, RDATE/EXDATE values that are not
  dates dropped);
- an event that still cannot be read (no start, a broken rule, a bad time) is skipped and
  counted, with the reason, and the rest of the calendar is used;
- what is not a calendar at all, or is over a cap (``calendar_limits``), refuses the whole file
  with the reason, and the last good copy stays in use.

Expansion runs once, at refresh (or upload) time, over the window decisions need; its result is
stored, so a decision never parses or expands a calendar.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import icalendar
import recurring_ical_events

from accueil.core.calendar import CalendarError, CalendarEvent, CalendarOptions, Timeline, event_of
from accueil.core.calendar_limits import CalendarLimits, RuleBudget, check_text
from accueil.errors import says

_BOM = b"\xef\xbb\xbf"
_NOTES = 5  # reasons kept for the feed's warning; the count covers them all


@dataclass(frozen=True)
class CalendarRead:
    """A calendar's window, and the events that had to be skipped (counted, with reasons)."""

    timeline: Timeline
    skipped: int = 0
    notes: tuple[str, ...] = ()

    @property
    def notice(self) -> str:
        """'2 events skipped: ...' for the feed's status, or '' when every event was read."""
        if not self.skipped:
            return ""
        plural = "event" if self.skipped == 1 else "events"
        return f"{self.skipped} {plural} could not be read and were skipped: " + "; ".join(
            self.notes
        )


@dataclass
class _Skipped:
    count: int = 0
    notes: list[str] = field(default_factory=list)

    def add(self, component: Any, why: str) -> None:
        self.count += 1
        if len(self.notes) < _NOTES:
            summary = str(component.get("SUMMARY", "")).strip()[:60]
            self.notes.append(f"{summary!r} {why}" if summary else f"an event {why}")


def parse_ics(data: bytes, limits: CalendarLimits = CalendarLimits()) -> list[icalendar.Calendar]:
    """Read ICS bytes into one or more VCALENDARs; a CalendarError says why when they are not."""
    check_text(data, limits)
    text = data.lstrip()
    text = text.removeprefix(_BOM).lstrip()
    if not text:
        raise CalendarError(says("the calendar is empty"))
    try:
        found = icalendar.Calendar.from_ical(text, multiple=True)
    except Exception as exc:  # the parser raises many types on bad input; all mean "not ICS"
        raise CalendarError(says("not an iCalendar file: %(why)s", why=str(exc)[:200])) from exc
    calendars = [c for c in found if isinstance(c, icalendar.Calendar) and c.name == "VCALENDAR"]
    loose = [c for c in found if c.name in {"VEVENT", "VTIMEZONE"}]
    if loose:  # events with no VCALENDAR around them (a bare export): read them as one
        calendars.append(icalendar.Calendar())
        calendars[-1].subcomponents.extend(loose)
    if not calendars:
        raise CalendarError(says("not an iCalendar file: it does not start with BEGIN:VCALENDAR"))
    return calendars


def read_calendar(
    data: bytes,
    tz: ZoneInfo,
    now: datetime,
    options: CalendarOptions = CalendarOptions(),
    limits: CalendarLimits = CalendarLimits(),
) -> CalendarRead:
    """Parse, check the caps, and expand around ``now``: the work of one refresh."""
    start, end = now - options.behind, now + options.ahead
    calendars = parse_ics(data, limits)
    skipped, budget = _Skipped(), RuleBudget(limits, start, end)
    for calendar in calendars:
        _prepare(calendar, budget, skipped)
    events: list[CalendarEvent] = []
    for calendar in calendars:
        events.extend(_expand(calendar, tz, start, end, options, skipped))
    _check_occurrences(events, limits)
    return CalendarRead(Timeline.of(start, end, events), skipped.count, tuple(skipped.notes))


def timeline_from_ics(
    data: bytes, tz: ZoneInfo, now: datetime, options: CalendarOptions = CalendarOptions()
) -> Timeline:
    """The window around ``now`` (skipped events only counted: see ``read_calendar``)."""
    return read_calendar(data, tz, now, options).timeline


def expand(
    calendars: list[icalendar.Calendar],
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    options: CalendarOptions = CalendarOptions(),
) -> Timeline:
    """Expand already parsed (and prepared) calendars over [start, end): the benchmark's
    baseline of expanding at decision time, which accueil itself never does."""
    skipped = _Skipped()
    events = [e for c in calendars for e in _expand(c, tz, start, end, options, skipped)]
    return Timeline.of(start, end, events)


def _prepare(calendar: icalendar.Calendar, budget: RuleBudget, skipped: _Skipped) -> None:
    """Repair what can be, drop (and count) events that cannot be read, charge every rule."""
    kept = []
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            try:
                why = _repair(component)
                if not why:
                    budget.charge(component)  # over a cap: the whole calendar is refused
            except CalendarError:
                raise
            except Exception as exc:  # a property the parser kept but cannot give a value of
                why = says("cannot be read (%(why)s)", why=_short(exc))
            if why:
                skipped.add(component, why)
                continue
        kept.append(component)
    calendar.subcomponents[:] = kept


def _repair(event: Any) -> str:
    """Fix what software gets wrong in the wild; the reason when the event cannot be used."""
    for name in ("DTSTART", "DTEND", "DURATION", "RECURRENCE-ID"):
        value = event.get(name)
        if isinstance(value, list):  # the same property twice: the first one holds
            del event[name]
            event.add(name, value[0].dt if hasattr(value[0], "dt") else value[0])
    start = event.get("DTSTART")
    if start is None:
        return "has no start (DTSTART)"
    if not isinstance(getattr(start, "dt", None), date):
        return "has a start that is not a date or a time"
    for name in ("RDATE", "EXDATE"):
        _keep_dated(event, name)
    return ""


def _keep_dated(event: Any, name: str) -> None:
    """Drop RDATE/EXDATE values that are not dates, times of day alone for instance."""
    found = event.get(name)
    if found is None:
        return
    lines = found if isinstance(found, list) else [found]
    good = []
    for line in lines:
        try:
            dts = [d for d in line.dts if _dated(d.dt)]
        except Exception:  # a broken line: its dates cannot be read, so none is used
            continue
        if dts:
            line.dts = dts
            good.append(line)
    del event[name]
    for line in good:
        event.add(name, line, encode=False)


def _dated(value: Any) -> bool:
    if isinstance(value, tuple) and value:
        return _dated(value[0])
    return isinstance(value, date) and not isinstance(value, time | timedelta)


def _expand(
    calendar: icalendar.Calendar,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    options: CalendarOptions,
    skipped: _Skipped,
) -> Iterable[CalendarEvent]:
    try:
        query = recurring_ical_events.of(calendar)
    except Exception:  # one bad series spoils the whole query: read each event on its own
        return _expand_each(calendar, tz, start, end, options, skipped)
    out: list[CalendarEvent] = []
    for series in query.series:
        try:
            occurrences = [o.as_component(False) for o in series.between(start, end)]
        except Exception as exc:
            skipped.add(_first_component(series), f"cannot be expanded ({_short(exc)})")
            continue
        out.extend(_events(occurrences, tz, options, skipped))
    return out


def _expand_each(
    calendar: icalendar.Calendar,
    tz: ZoneInfo,
    start: datetime,
    end: datetime,
    options: CalendarOptions,
    skipped: _Skipped,
) -> list[CalendarEvent]:
    timezones = [c for c in calendar.subcomponents if c.name == "VTIMEZONE"]
    groups: dict[str, list[Any]] = {}
    for component in calendar.subcomponents:
        if component.name == "VEVENT":
            groups.setdefault(str(component.get("UID", id(component))), []).append(component)
    out: list[CalendarEvent] = []
    for group in groups.values():
        alone = icalendar.Calendar()
        alone.subcomponents.extend([*timezones, *group])
        try:
            occurrences = recurring_ical_events.of(alone).between(start, end)
        except Exception as exc:
            for component in group:
                skipped.add(component, f"cannot be expanded ({_short(exc)})")
            continue
        out.extend(_events(occurrences, tz, options, skipped))
    return out


def _events(
    occurrences: Iterable[Any], tz: ZoneInfo, options: CalendarOptions, skipped: _Skipped
) -> Iterable[CalendarEvent]:
    for component in occurrences:
        if component.name != "VEVENT":
            continue
        try:
            event = event_of(component, tz, options)
        except Exception as exc:
            skipped.add(component, f"has unreadable times ({_short(exc)})")
            continue
        if event is not None:
            yield event


def _check_occurrences(events: list[CalendarEvent], limits: CalendarLimits) -> None:
    if len(events) > limits.max_occurrences:
        raise CalendarError(
            says(
                "the calendar has %(events)s events in the window read; more than %(most)s "
                "are refused",
                events=_many(len(events)),
                most=_many(limits.max_occurrences),
            )
        )
    counts = Counter(e.uid for e in events if e.uid)
    if counts:
        uid, most = counts.most_common(1)[0]
        if most > limits.max_occurrences_per_event:
            raise CalendarError(
                says(
                    "the event with UID %(uid)s happens %(times)s times in the window read; "
                    "more than %(most)s are refused",
                    uid=uid[:80],
                    times=_many(most),
                    most=_many(limits.max_occurrences_per_event),
                )
            )


def _first_component(series: Any) -> Any:
    # the library keeps the event behind an adapter; a bare event when its shape changes
    adapters = getattr(series, "components", None) or [None]
    return getattr(adapters[0], "_component", None) or icalendar.Event()


def _short(exc: Exception) -> str:
    return (str(exc) or type(exc).__name__).splitlines()[0][:120]


def _many(n: int) -> str:
    """A count as the messages write it: 12,000."""
    return format(n, ",")
