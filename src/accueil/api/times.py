"""Times the API is given: with an offset as sent, or naive and read in the account's zone."""

from __future__ import annotations

from datetime import datetime

from accueil.core.localtime import zone


def aware(value: datetime | None, timezone: str) -> datetime | None:
    """``value`` as an aware time; a naive one is a wall time of ``timezone``."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone(timezone))
