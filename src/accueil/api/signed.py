"""Who a request acts for, read cheaply: bearer tokens checked recently are kept a few seconds,
and an agent's accounts come from the switchboard's calls of the moment.

Checking a token costs a transaction of its own (its row, its user, the account's key) — about
as much as a small request. A busy integration asks many times a second with the same token, so
the answer is kept ``ttl`` seconds, keyed by the token's SHA-256 (never the token). A revocation
or a deactivation through this process's API forgets it at once; made elsewhere (the command
line, another worker) it takes effect within ``ttl``. The last use is still written, to the
minute, by the check that runs when the kept answer is older than ``ttl``.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from threading import Lock

from accueil.services.users import User
from accueil.switchboard.calls import Stage
from accueil.switchboard.live import Live

CACHE_SIZE = 10_000  # tokens kept at most; past that the oldest go first
AGENT_HOLDS = frozenset({Stage.OFFERED, Stage.TALKING, Stage.WRAPUP})


@dataclass(frozen=True)
class Checked:
    """A token found good: its user (their id for idempotency keys) and its public prefix."""

    user: User
    user_id: int
    prefix: str


class TokenCache:
    """Bearer tokens found good in the last ``ttl`` seconds (0: none kept)."""

    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl, self._clock = ttl, clock
        self._kept: dict[str, tuple[float, Checked]] = {}
        self._generation = 0  # moves on every forget: a check begun before it is not kept
        self._lock = Lock()
        self._checking: dict[str, asyncio.Future[Checked]] = {}  # on the event loop only

    async def once(self, token: str, check: Callable[[int], Awaitable[Checked]]) -> Checked:
        """The kept answer for ``token``, else its check (``check(generation)``, which puts the
        answer), one at a time: the requests that find the answer expired together (a busy
        integration's, every ``ttl`` seconds) wait for the first one's check instead of each
        running its own, a transaction apiece, all at once. Call it on the event loop."""
        kept, generation = self.get(token)
        if kept is not None:
            return kept
        key = _key(token)
        running = self._checking.get(key)
        if running is None:
            running = asyncio.ensure_future(check(generation))
            self._checking[key] = running
            running.add_done_callback(lambda _: self._checking.pop(key, None))
        # shielded: a request that goes away does not cancel the others' answer
        return await asyncio.shield(running)

    def get(self, token: str) -> tuple[Checked | None, int]:
        """The kept answer for ``token`` if still fresh, and the generation to ``put`` with."""
        key = _key(token)
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and self._clock() - kept[0] >= self.ttl:
                del self._kept[key]
                kept = None
            return (kept[1] if kept else None), self._generation

    def put(self, token: str, checked: Checked, generation: int) -> None:
        """Keep ``checked``, unless something was forgotten since the check began."""
        if self.ttl <= 0:
            return
        with self._lock:
            if generation != self._generation:
                return
            if len(self._kept) >= CACHE_SIZE:
                del self._kept[next(iter(self._kept))]
            self._kept[_key(token)] = (self._clock(), checked)

    def forget(self, *, prefix: str | None = None, user: str | None = None) -> None:
        """Drop a token (by prefix) or every token of a user: it is checked again next time."""
        with self._lock:
            self._generation += 1
            self._kept = {
                k: (at, c)
                for k, (at, c) in self._kept.items()
                if c.prefix != prefix and c.user.name != user
            }


def offered_accounts(live: Live | None, agent: str | None) -> frozenset[str]:
    """The accounts of the calls the switchboard has offered to ``agent`` now, or that they are
    answering or wrapping up: what an agent may see. None without a switchboard."""
    if live is None or not agent:
        return frozenset()
    calls = list(live.board.calls.values())  # one C-level copy: the loop may change the dict
    return frozenset(c.account.key for c in calls if c.agent == agent and c.stage in AGENT_HOLDS)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
