"""Times the API is given: with an offset as sent, or naive and read in the account's zone.

A time or a day a request gives is written as ISO 8601 text (pydantic alone would also read 0
or 1733011200 as seconds since 1970) and falls within ``FIRST_YEAR``–``LAST_YEAR``: the day
arithmetic of availability, holidays and the store (to UTC and back) stays inside what
``datetime`` holds, so a year 1 or 9999 is a 422 naming its field, never a 500.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated, TypeVar

from pydantic import AfterValidator, BeforeValidator

from accueil.core.localtime import zone
from accueil.errors import says

FIRST_YEAR, LAST_YEAR = 1900, 2999
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}([T ].*)?", re.DOTALL)
D = TypeVar("D", date, datetime)


def aware(value: datetime | None, timezone: str) -> datetime | None:
    """``value`` as an aware time; a naive one is a wall time of ``timezone``."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone(timezone))


def _iso_day(value: object) -> object:
    if isinstance(value, int | float) or (isinstance(value, str) and not _DAY.fullmatch(value)):
        raise ValueError(says("a day is written YYYY-MM-DD"))
    return value


def _iso_instant(value: object) -> object:
    if isinstance(value, int | float) or (isinstance(value, str) and not _INSTANT.fullmatch(value)):
        raise ValueError(
            says("a time is written YYYY-MM-DDTHH:MM:SS, with its offset or in the account's zone")
        )
    return value


def within_years(value: D) -> D:
    """``value`` when its year is within ``FIRST_YEAR``–``LAST_YEAR``; else ValueError, said."""
    if not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise ValueError(
            says(
                "%(value)s is out of the years accueil works with (%(first)s to %(last)s)",
                value=value.isoformat(),
                first=FIRST_YEAR,
                last=LAST_YEAR,
            )
        )
    return value


Day = Annotated[date, BeforeValidator(_iso_day), AfterValidator(within_years)]
"""A day a request gives: YYYY-MM-DD, years 1900 to 2999."""
Instant = Annotated[datetime, BeforeValidator(_iso_instant), AfterValidator(within_years)]
"""A time a request gives: ISO 8601 (offset or naive: the account's zone), years 1900 to 2999."""
