"""Helpers shared by the availability tests: Paris wall-clock instants, ICS built inline."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

MakeIcs = Callable[..., bytes]
PARIS = ZoneInfo("Europe/Paris")


def paris(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    """A Paris wall-clock time as an aware UTC instant (test data is written in local time)."""
    return datetime(y, mo, d, h, mi, tzinfo=PARIS).astimezone(UTC)


def ics(*events: str) -> bytes:
    """A VCALENDAR with these VEVENT bodies (one property per line)."""
    body = "".join(f"BEGIN:VEVENT\n{e.strip()}\nEND:VEVENT\n" for e in events)
    text = f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//accueil tests//EN\n{body}END:VCALENDAR\n"
    return "".join(line.strip() + "\r\n" for line in text.splitlines()).encode()
