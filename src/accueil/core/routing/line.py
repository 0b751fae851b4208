"""The line of waiting calls, indexed so that a freed agent finds its best call fast.

Calls that have widened to everyone sit in heaps bucketed by their hard requirements
(certification account, languages): an agent only looks at the few buckets it can serve. Every
waiting call is also kept per account, where the account's familiar agents look first.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator

from accueil.core.routing.groups import Key, key_of
from accueil.core.routing.records import AgentRecord, CallStatus, FamiliarRing, LiveCall

_Entry = tuple[tuple[float, float, int], int, LiveCall]


class WaitingLine:
    """Every call in status WAITING, in order of place in line (``LiveCall.key``)."""

    __slots__ = ("_by_account", "_by_key", "_open", "_open_count", "_ringing", "calls")

    def __init__(self) -> None:
        # certification account ("" when none) -> languages -> heap of entries (lazy deletion)
        self._open: dict[str, dict[tuple[str, ...], list[_Entry]]] = {}
        # the same for calls still waiting in a familiar ring (for ``first_for``)
        self._ringing: dict[str, dict[tuple[str, ...], list[_Entry]]] = {}
        self._by_account: dict[str, dict[str, LiveCall]] = {}  # every waiting call
        self._open_count = 0
        self._by_key: dict[Key, int] = {}  # open calls per requirement key
        self.calls: dict[str, LiveCall] = {}

    def __len__(self) -> int:
        return len(self.calls)

    @property
    def open_count(self) -> int:
        """Calls open to every eligible agent."""
        return self._open_count

    def open_in_group(self, call: LiveCall) -> int:
        """Open calls with the same hard requirements as ``call``."""
        return self._by_key.get(key_of(call), 0)

    def add(self, call: LiveCall) -> None:
        self.calls[call.id] = call
        self._by_account.setdefault(call.account, {})[call.id] = call
        call.qstamp += 1
        cert = call.account if call.certification_required else ""
        buckets = self._open if call.ring is FamiliarRing.EVERYONE else self._ringing
        heap = buckets.setdefault(cert, {}).setdefault(call.languages, [])
        heapq.heappush(heap, (call.key, call.qstamp, call))
        if call.ring < FamiliarRing.EVERYONE:
            return
        self._open_count += 1
        key = key_of(call)
        self._by_key[key] = self._by_key.get(key, 0) + 1

    def remove(self, call: LiveCall) -> None:
        if self.calls.pop(call.id, None) is None:
            return
        calls = self._by_account[call.account]
        del calls[call.id]
        if not calls:
            del self._by_account[call.account]
        call.qstamp += 1  # its heap entry is now stale
        if call.ring is FamiliarRing.EVERYONE:
            self._open_count -= 1
            key = key_of(call)
            left = self._by_key[key] - 1
            if left:
                self._by_key[key] = left
            else:
                del self._by_key[key]

    def waiting_for(self, account: str) -> Iterator[LiveCall]:
        """The waiting calls of ``account``, in any ring."""
        calls = self._by_account.get(account)
        if calls:
            yield from calls.values()

    def has_waiting(self, account: str) -> bool:
        return account in self._by_account

    def best_open(
        self, agent: AgentRecord, needing: frozenset[str] | None = None
    ) -> LiveCall | None:
        """The open call first in line among those ``agent`` may take (``needing``: among
        those needing one of these languages)."""
        return self._best(self._open, agent, needing)

    def first_for(self, agent: AgentRecord) -> LiveCall | None:
        """The call first in line among all those ``agent`` may take, open or in a ring: the
        call longest-idle routing would give this agent."""
        ringing = self._best(self._ringing, agent)
        open_ = self._best(self._open, agent)
        if ringing is None or (open_ is not None and open_.key < ringing.key):
            return open_
        return ringing

    def _best(
        self,
        buckets: dict[str, dict[tuple[str, ...], list[_Entry]]],
        agent: AgentRecord,
        needing: frozenset[str] | None = None,
    ) -> LiveCall | None:
        best: LiveCall | None = None
        for heap in self._heaps_for(buckets, agent, needing):
            call = self._top(heap, agent)
            if call is not None and (best is None or call.key < best.key):
                best = call
        return best

    @staticmethod
    def _heaps_for(
        open_: dict[str, dict[tuple[str, ...], list[_Entry]]],
        agent: AgentRecord,
        needing: frozenset[str] | None = None,
    ) -> Iterator[list[_Entry]]:
        langs = agent.languages
        for cert in ("", *agent.trainings):
            buckets = open_.get(cert)
            if buckets is None:
                continue
            for required, heap in buckets.items():
                if needing is not None and needing.isdisjoint(required):
                    continue
                if heap and all(lang in langs for lang in required):
                    yield heap

    @staticmethod
    def _top(heap: list[_Entry], agent: AgentRecord) -> LiveCall | None:
        while heap:
            _, stamp, call = heap[0]
            if call.qstamp != stamp or call.status is not CallStatus.WAITING:
                heapq.heappop(heap)  # stale: the call left the open line
                continue
            if agent.id not in call.declined:
                return call
            # Rare: this agent declined the first call; look further without disturbing the heap.
            return next(
                (
                    c
                    for _, s, c in sorted(heap)
                    if c.qstamp == s
                    and c.status is CallStatus.WAITING
                    and agent.id not in c.declined
                ),
                None,
            )
        return None
