"""The wall clock: the one place accueil reads the real time.

Only the edge (the CLI, the API, the switchboard host) imports this; ``services/`` and
``core/`` are given a ``Clock`` and never read the wall themselves (``tests/test_no_wall_clock``
keeps it so).
"""

from __future__ import annotations

from datetime import UTC, datetime


class WallClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
