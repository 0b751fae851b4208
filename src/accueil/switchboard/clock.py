"""The switchboard's clocks: one time line in seconds for the engine, and the matching instant
(an aware UTC datetime) for the services, so both always agree.

``SimulatedClock`` moves only when told (tests, the accelerated simulated telephony): waiting on
it never sleeps. ``RealClock`` is the wall: this module is at the edge, where reading it is
allowed (``tests/test_no_wall_clock.py`` guards ``core/`` and ``services/``).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from datetime import UTC, datetime, timedelta
from typing import Protocol


class SwitchClock(Protocol):
    """The engine's seconds and the services' instant, read together."""

    def seconds(self) -> float:
        """Seconds on the engine's monotonic time line."""
        ...

    def now(self) -> datetime:
        """The instant (aware, UTC): what units of work and call records are stamped with."""
        ...

    async def sleep_until(self, seconds: float) -> None:
        """Return once ``seconds()`` has reached ``seconds``."""
        ...


class RealClock:
    """The wall clock, with a monotonic time line for the engine (never jumps back).

    ``speed`` > 1 runs time faster (a simulated telephony played accelerated): the engine's
    seconds and the instant then move ``speed`` times faster than the wall, from its start.
    ``origin`` is the instant of second 0 (default: now); processes that share an origin and
    a speed share the time line, so a standby that takes over reads the leader's seconds
    (``adopt`` moves a running clock onto a leader's time line before its engine starts).
    """

    def __init__(self, speed: float = 1.0, origin: datetime | None = None) -> None:
        if speed <= 0:
            raise ValueError("a clock's speed is above 0")
        self.speed = speed
        self.adopt(origin or datetime.now(UTC), speed)

    def adopt(self, origin: datetime, speed: float) -> None:
        """Run on the time line that started at ``origin``, at ``speed``."""
        self.origin, self.speed = origin.astimezone(UTC), speed
        self._mono = time.monotonic()
        self._base = (datetime.now(UTC) - self.origin).total_seconds() * speed

    def seconds(self) -> float:
        return self._base + (time.monotonic() - self._mono) * self.speed

    def now(self) -> datetime:
        if self.speed == 1.0:
            return datetime.now(UTC)
        return self.instant(self.seconds())

    def instant(self, seconds: float) -> datetime:
        return self.origin + timedelta(seconds=seconds)

    async def sleep_until(self, seconds: float) -> None:
        await asyncio.sleep(max(0.0, (seconds - self.seconds()) / self.speed))


class SimulatedClock:
    """A clock that moves only with ``advance``: waiting on it never sleeps.

    Its instant is ``start`` plus the seconds elapsed, so it also serves as the services'
    ``Clock`` (an ``Application`` built on it stamps units of work on the same time line).
    """

    def __init__(self, start: datetime, seconds: float = 0.0) -> None:
        if start.tzinfo is None:
            raise ValueError("the simulated clock starts at an aware instant")
        self._start, self._seconds = start.astimezone(UTC), seconds
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    def seconds(self) -> float:
        return self._seconds

    def now(self) -> datetime:
        return self._start + timedelta(seconds=self._seconds)

    def instant(self, seconds: float) -> datetime:
        return self._start + timedelta(seconds=seconds)

    async def sleep_until(self, seconds: float) -> None:
        if seconds <= self._seconds:
            return
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (seconds, next(self._order), future))
        await future

    def advance(self, by: float) -> float:
        """Move ``by`` seconds forward and wake whoever was waiting for a time now reached."""
        if by < 0:
            raise ValueError("a clock does not go back")
        self._seconds += by
        while self._sleepers and self._sleepers[0][0] <= self._seconds:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
        return self._seconds

    def next_wake(self) -> float | None:
        """When the earliest sleeper wants waking (None: nobody waits)."""
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        return self._sleepers[0][0] if self._sleepers else None
