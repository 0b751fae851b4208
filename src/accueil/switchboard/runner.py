"""The live runner: one asyncio task owns the engine host.

Everything that touches the engine or the switchboard's calls runs on this task, one input at
a time, in arrival order, stamped with the clock: telephony events, agents' actions, and the
engine's own deadlines (the task sleeps until ``next_deadline()`` or the next input, whichever
comes first). So there is no lock: the host is only ever touched from here.

On a ``SimulatedClock`` nothing sleeps: a test moves the clock and ``settle()`` returns once
every input and every deadline due by then has been handled.

**The fence** (PostgreSQL, several processes): a leader acts only while it knows it holds the
lock. ``Leading`` renews ``lease`` (a monotonic instant) each time the lock's connection
answers; past it the runner acts no more — no deadline fires, no offer is made, no input
applies — until the lease is renewed: an agent's request is refused at once, a new call is
refused loudly (``refuse``), the telephony's other events and the system's own inputs wait in
order. A standby waits out a lease before its term begins, so two processes never both act.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from accueil.switchboard.calls import Refused
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.host import EngineHost

log = logging.getLogger(__name__)
T = TypeVar("T")
_SETTLE_ROUNDS = 10_000
FENCED = "this switchboard cannot confirm that it still leads: try again shortly"


@dataclass
class _Work:
    action: Callable[[float], Any]
    future: asyncio.Future[Any] | None
    waits: bool  # fenced: waits for the lease (else a request is refused, a post dropped)
    refuse: Callable[[], None] | None  # fenced: said to whoever brought it (a new call)


class LiveRunner:
    """Runs ``host`` on ``clock``; ``submit`` hands it work, ``settle`` waits for quiet."""

    def __init__(self, host: EngineHost, clock: SwitchClock) -> None:
        self.host, self.clock = host, clock
        self._inbox: deque[_Work] = deque()
        self.lease: float | None = None  # acts until then (``time.monotonic``); None: no fence
        self._said_fenced = False  # said in the log once each time
        self._wake = asyncio.Event()
        self._waiting = False
        self._task: asyncio.Task[None] | None = None
        self._outstanding: set[asyncio.Future[Any]] = set()  # database work in threads

    def start(self) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="switchboard")

    def track(self, work: asyncio.Future[Any]) -> None:
        """Work done off this task (a thread) that ``settle`` and ``stop`` wait for."""
        self._outstanding.add(work)
        work.add_done_callback(self._outstanding.discard)

    async def stop(self) -> None:
        loop = asyncio.get_running_loop()
        until = loop.time() + 10  # the records being written get written (a batch may start
        while self._outstanding and loop.time() < until:  # the next one as it ends)
            await asyncio.wait(set(self._outstanding), timeout=until - loop.time())
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        for work in self._inbox:  # kept while fenced: nobody waits on them in vain
            if work.future is not None:
                work.future.cancel()

    def submit(self, action: Callable[[float], T], *, waits: bool = False) -> asyncio.Future[T]:
        """Run ``action(now)`` on the runner's task; the future gives its result or error.
        Fenced, it is refused (``Refused``), or ``waits`` for the lease (the system's own)."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inbox.append(_Work(action, future, waits, None))
        self._wake.set()
        return future

    def post(
        self, action: Callable[[float], Any], refuse: Callable[[], None] | None = None
    ) -> None:
        """``submit`` without a result: for events nobody waits on (the telephony's). Fenced,
        it waits for the lease, or is refused by ``refuse`` when given (a new call)."""
        self._inbox.append(_Work(action, None, refuse is None, refuse))
        self._wake.set()

    def may_act(self) -> bool:
        return self.lease is None or time.monotonic() < self.lease

    def renew(self, until: float) -> None:
        """The lock is known held: act until ``until`` (callable from any thread)."""
        self.lease = until

    async def settle(self) -> None:
        """Return once every input is handled and no deadline is due (tests, simulations)."""
        for _ in range(_SETTLE_ROUNDS):
            if self._outstanding:
                await asyncio.wait(set(self._outstanding))
            await asyncio.sleep(0)
            deadline = self.host.next_deadline()
            due = deadline is not None and deadline <= self.clock.seconds()
            if self._waiting and not self._inbox and not due and not self._outstanding:
                return
        raise RuntimeError("the switchboard did not settle")

    async def _run(self) -> None:
        while True:
            if not self.may_act():
                await self._fenced()
                continue
            if self._said_fenced:
                self._said_fenced = False
                log.warning("the switchboard's lease is renewed: it acts again")
            self.host.advance_to(self.clock.seconds())
            while self._inbox and self.may_act():
                work = self._inbox.popleft()
                now = self.clock.seconds()
                self.host.advance_to(now)
                self._apply(work.action, work.future, now)
            if not self.may_act():
                continue
            self._waiting = True
            try:
                await self._sleep(self.host.next_deadline())
            finally:
                self._waiting = False

    async def _fenced(self) -> None:
        """Act on nothing: refuse what cannot wait, keep the rest in order; look again when
        woken (an input) or every 50 ms (the lease is renewed from a thread)."""
        if not self._said_fenced:
            self._said_fenced = True
            log.error("the switchboard cannot confirm it still leads: it stops acting")
        kept: deque[_Work] = deque()
        while self._inbox:
            work = self._inbox.popleft()
            if work.waits:
                kept.append(work)
            elif work.refuse is not None:
                work.refuse()
            elif work.future is not None and not work.future.done():
                work.future.set_exception(Refused(FENCED))
        self._inbox = kept
        self._wake.clear()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), 0.05)

    @staticmethod
    def _apply(
        action: Callable[[float], Any], future: asyncio.Future[Any] | None, now: float
    ) -> None:
        try:
            result = action(now)
        except Exception as exc:  # the error is the client's answer; the engine goes on
            if future is None:
                log.exception("switchboard input failed")
            elif not future.done():
                future.set_exception(exc)
            return
        if future is not None and not future.done():
            future.set_result(result)

    async def _sleep(self, deadline: float | None) -> None:
        if self._inbox:
            return
        self._wake.clear()
        waits: list[asyncio.Future[Any]] = [asyncio.ensure_future(self._wake.wait())]
        if deadline is not None:
            waits.append(asyncio.ensure_future(self.clock.sleep_until(deadline)))
        try:
            await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for wait in waits:
                wait.cancel()
