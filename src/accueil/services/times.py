"""One way to read a time a person types (``--at``, ``--until``, ``--from``; later the API).

A time with an offset (``2026-12-01T14:00+01:00``, ``…Z``) is that instant. A time without
one (``2026-12-01 14:00``, ``14:00``) is a wall-clock time of the account's zone — the zone
its people and callers live in — never UTC and never the machine's zone. ``HH:MM`` alone is
the next such time after ``now``. DST gaps move forward by the gap; an ambiguous autumn time
is its first occurrence (see ``core.localtime``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from accueil.core.localtime import parse_wall_time, zone
from accueil.core.phone import to_e164
from accueil.services.clock import aware_utc
from accueil.services.directory import get_account, resolve_number
from accueil.services.tenancy import by_number

HELP = (
    "ISO 8601 with an offset (2026-12-01T14:00+01:00), or the account's local time: "
    "'2026-12-01 14:00', or HH:MM (the next such time)"
)


def read_time(text: str, now: datetime, timezone: str) -> datetime:
    """``text`` as an instant in UTC; naive times are wall-clock times of ``timezone``."""
    return aware_utc(parse_wall_time(text, aware_utc(now, "now"), zone(timezone)))


def at_account(session: Session, account: str, text: str | None, now: datetime) -> datetime:
    """The instant ``text`` names for ``account`` (``now`` when no time is given)."""
    if text is None or not text.strip():
        return aware_utc(now, "now")
    return read_time(text, now, get_account(session, account).timezone)


@by_number
def at_number(
    session: Session, dialled: str, text: str | None, now: datetime, country: str = "FR"
) -> datetime:
    """The instant ``text`` names for a call to ``dialled``: read in its account's zone."""
    if text is None or not text.strip():
        return aware_utc(now, "now")
    account = resolve_number(session, to_e164(dialled, country)).account
    return read_time(text, now, account.timezone)
