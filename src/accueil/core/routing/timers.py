"""The engine's own deadlines: a heap with lazy deletion (superseded entries carry old stamps)."""

from __future__ import annotations

import heapq
from collections.abc import Callable
from enum import IntEnum


class Deadline(IntEnum):
    OFFER = 0  # an offer's lease lapses
    WIDEN = 1  # a call's ring widens
    MAX_WAIT = 2  # a call overflows
    HEARTBEAT = 3  # a home agent fell silent
    WRAPUP = 4  # an agent's wrap-up is over
    RETRY = 5  # agents who missed or declined a call may be offered it again


_Entry = tuple[float, int, Deadline, str, int]


class Timers:
    """Deadlines in time order. ``is_live`` tells whether an entry still applies."""

    __slots__ = ("_heap", "_seq", "is_live")

    def __init__(self, is_live: Callable[[Deadline, str, int], bool]) -> None:
        self._heap: list[_Entry] = []
        self._seq = 0
        self.is_live = is_live

    def __len__(self) -> int:
        return len(self._heap)

    def push(self, at: float, kind: Deadline, key: str, stamp: int) -> None:
        self._seq += 1
        heapq.heappush(self._heap, (at, self._seq, kind, key, stamp))

    def next_at(self) -> float | None:
        """The earliest live deadline, dropping dead ones on the way."""
        heap = self._heap
        while heap:
            at, _, kind, key, stamp = heap[0]
            if self.is_live(kind, key, stamp):
                return at
            heapq.heappop(heap)
        return None

    def pop_due(self, now: float) -> tuple[float, Deadline, str, int] | None:
        """The earliest live deadline at or before ``now``, removed; None when none is due."""
        at = self.next_at()
        if at is None or at > now:
            return None
        _, _, kind, key, stamp = heapq.heappop(self._heap)
        return at, kind, key, stamp
