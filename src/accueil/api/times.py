"""Times the API is given: with an offset as sent, or naive and read in the account's zone."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator

from accueil.core.localtime import zone


def aware(value: datetime | None, timezone: str) -> datetime | None:
    """``value`` as an aware time; a naive one is a wall time of ``timezone``."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone(timezone))


def _iso_day(value: object) -> object:
    # pydantic reads 0 or 1733011200 as a date (seconds since 1970): a day is YYYY-MM-DD only
    if isinstance(value, str) and not _DAY.fullmatch(value):
        raise ValueError("a day is written YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError("a day is written YYYY-MM-DD")
    return value


_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
Day = Annotated[date, BeforeValidator(_iso_day)]
