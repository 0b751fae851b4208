"""The clock services are given: where "now" comes from, passed in, never read from the wall.

Services and ``core/`` never read the wall clock: the edge (the CLI, the API, the switchboard)
owns a clock, reads it once per unit of work and passes that instant down as ``now``. Tests
and the digital twin pass a ``FixedClock`` and move it by hand, so every answer is repeatable.
The one wall-clock implementation lives at the edge, in ``accueil.wallclock``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Protocol

from accueil.errors import InvalidInput, says


class Clock(Protocol):
    """Tells the current instant."""

    def now(self) -> datetime:
        """The current instant: an aware datetime in UTC."""
        ...


def aware_utc(instant: datetime, what: str = "the time") -> datetime:
    """``instant`` in UTC; a naive datetime is refused (its zone would be a guess)."""
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise InvalidInput(
            says(
                "%(what)s must carry a time zone (got %(instant)s); give it an offset "
                "or read it in the account's zone",
                what=what,
                instant=instant.isoformat(),
            ),
            time=instant.isoformat(),
        )
    return instant.astimezone(UTC)


class FixedClock:
    """A clock that shows what it is told: for tests, the twin and ``--at``."""

    def __init__(self, instant: datetime) -> None:
        self._now = aware_utc(instant)

    def now(self) -> datetime:
        return self._now

    def set(self, instant: datetime) -> None:
        self._now = aware_utc(instant)

    def advance(self, by: timedelta) -> datetime:
        """Move the clock forward (or back, with a negative step); returns the new instant."""
        self._now += by
        return self._now
