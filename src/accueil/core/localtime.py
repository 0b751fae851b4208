"""Wall-clock time in an account's time zone, with DST gaps and overlaps made explicit.

Every instant accueil keeps is an aware datetime; people write and read wall-clock times of
their account's zone. Converting a wall-clock time to an instant is where DST bites: in a gap
(02:30 on the spring-forward night does not exist) we move forward by the gap, like a clock on
the wall would; in an overlap (02:30 happens twice in autumn) we take the first occurrence.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from accueil.errors import InvalidInput, says


class InvalidTimezone(InvalidInput):
    code = "invalid_timezone"


@lru_cache(maxsize=256)
def zone(name: str) -> ZoneInfo:
    """The time zone called ``name`` (IANA), with a clear error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidTimezone(
            says("%(name)r is not a time zone; use an IANA name such as 'Europe/Paris'", name=name),
            timezone=name,
        ) from exc


def require_aware(instant: datetime, what: str = "the time") -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(
            says(
                "%(what)s must carry a time zone (got %(instant)s)",
                what=what,
                instant=instant.isoformat(),
            )
        )
    return instant


def to_local(instant: datetime, tz: ZoneInfo) -> datetime:
    """The wall-clock time of an instant in ``tz``."""
    return require_aware(instant).astimezone(tz)


def wall_to_instant(day: date, minute: int, tz: ZoneInfo, fold: int = 0) -> datetime:
    """The instant (UTC) at which the wall clock of ``tz`` shows ``day`` + ``minute``.

    ``minute`` may be 1440 (midnight ending the day). Gap → shifted forward by the gap;
    overlap → the first occurrence (``fold=1``: the second).
    """
    day = day + timedelta(days=minute // 1440)
    minute %= 1440
    naive = datetime.combine(day, time(minute // 60, minute % 60))
    # fold=0 is the first occurrence of an ambiguous wall time; for a wall time in a gap it
    # reads the offset from before the jump, which lands after the jump by exactly the gap.
    return naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)


def local_midnight(day: date, tz: ZoneInfo) -> datetime:
    return wall_to_instant(day, 0, tz)


def hhmm(
    instant: datetime,
    tz: ZoneInfo,
    now: datetime | None = None,
    *,
    days: Sequence[str] | None = None,
    months: Sequence[str] | None = None,
) -> str:
    """'15:00' today, 'Mon 09:00' within a week, '3 Dec 09:00' beyond, as people say it.

    ``days`` (Monday first) and ``months`` (January first) give the words of another language.
    """
    local = to_local(instant, tz)
    if now is None:
        return local.strftime("%H:%M")
    today = to_local(now, tz).date()
    ahead = (local.date() - today).days
    if ahead == 0:
        return local.strftime("%H:%M")
    if 0 < ahead < 7:
        day = days[local.weekday()] if days else local.strftime("%a")
        return f"{day} {local:%H:%M}"
    month = months[local.month - 1] if months else local.strftime("%b")
    return f"{local.day} {month} {local:%H:%M}"


def parse_wall_time(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """A time people type: 'HH:MM' (next such time from now), 'YYYY-MM-DD HH:MM' or ISO 8601.

    Naive times are wall-clock times of ``tz``.
    """
    raw = text.strip()
    if len(raw) <= 5 and ":" in raw:
        hours, _, minutes = raw.partition(":")
        if not (hours.isdigit() and minutes.isdigit()) or int(hours) > 23 or int(minutes) > 59:
            raise InvalidInput(says("%(text)r: a time is written HH:MM, e.g. 15:00", text=text))
        today = to_local(now, tz).date()
        candidate = wall_to_instant(today, int(hours) * 60 + int(minutes), tz)
        if candidate <= now:
            candidate = wall_to_instant(
                today + timedelta(days=1), int(hours) * 60 + int(minutes), tz
            )
        return candidate
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise InvalidInput(
            says(
                "%(text)r: write a time as HH:MM, 'YYYY-MM-DD HH:MM' or ISO 8601 with an offset",
                text=text,
            )
        ) from exc
    if parsed.tzinfo is None:
        return wall_to_instant(parsed.date(), parsed.hour * 60 + parsed.minute, tz)
    return parsed.astimezone(UTC)
