"""The live runner: one asyncio task owns the engine host.

Everything that touches the engine or the switchboard's calls runs on this task, one input at
a time, in arrival order, stamped with the clock: telephony events, agents' actions, and the
engine's own deadlines (the task sleeps until ``next_deadline()`` or the next input, whichever
comes first). So there is no lock: the host is only ever touched from here.

On a ``SimulatedClock`` nothing sleeps: a test moves the clock and ``settle()`` returns once
every input and every deadline due by then has been handled.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import deque
from collections.abc import Callable
from typing import Any, TypeVar

from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.host import EngineHost

log = logging.getLogger(__name__)
T = TypeVar("T")
_SETTLE_ROUNDS = 10_000


class LiveRunner:
    """Runs ``host`` on ``clock``; ``submit`` hands it work, ``settle`` waits for quiet."""

    def __init__(self, host: EngineHost, clock: SwitchClock) -> None:
        self.host, self.clock = host, clock
        self._inbox: deque[tuple[Callable[[float], Any], asyncio.Future[Any] | None]] = deque()
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

    def submit(self, action: Callable[[float], T]) -> asyncio.Future[T]:
        """Run ``action(now)`` on the runner's task; the future gives its result or error."""
        future: asyncio.Future[T] = asyncio.get_running_loop().create_future()
        self._inbox.append((action, future))
        self._wake.set()
        return future

    def post(self, action: Callable[[float], Any]) -> None:
        """``submit`` without a result: for events nobody waits on (the telephony's)."""
        self._inbox.append((action, None))
        self._wake.set()

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
            self.host.advance_to(self.clock.seconds())
            while self._inbox:
                action, future = self._inbox.popleft()
                now = self.clock.seconds()
                self.host.advance_to(now)
                self._apply(action, future, now)
            self._waiting = True
            try:
                await self._sleep(self.host.next_deadline())
            finally:
                self._waiting = False

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
