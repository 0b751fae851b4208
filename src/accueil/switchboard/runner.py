"""The live runner: one asyncio task owns the engine host.

Everything that touches the engine or the switchboard's calls runs on this task, one input at
a time, in arrival order, stamped with the clock: telephony events, agents' actions, and the
engine's own deadlines (the task sleeps until ``next_deadline()`` or the next input, whichever
comes first). So there is no lock: the host is only ever touched from here.

**Group commit** (``Journaling``, the switchboard's journal): the runner takes every input
waiting as one batch, applies them in order while their effects (offers, telephony requests,
answers) are held, then awaits the batch's journal append — one transaction, in a thread, so the
event loop serves WebSockets and the API meanwhile — and only then lets the effects out, in
order. So nothing an input did is seen before it is journaled, and a standby replays exactly
what was applied. While the database is away or does not answer within ``journal_wait``, the
inputs wait in memory, in order (the journal's backlog), and their effects go out from memory;
a batch the journal refuses because a newer term leads is refused whole, nothing let out.

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
from typing import Any, Literal, Protocol, TypeVar

from accueil.errors import says
from accueil.switchboard.calls import Refused
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.host import EngineHost
from accueil.tasks import stopped

log = logging.getLogger(__name__)
T = TypeVar("T")
_SETTLE_ROUNDS = 10_000
DEPOSED = says("this switchboard no longer leads: reconnect to the leader")
FENCED = says("this switchboard cannot confirm that it still leads: try again shortly")
BATCH = 500  # inputs at most in one journal transaction
# the journal's verdict on a batch: written; kept in memory (the database away or too slow);
# refused (a newer term leads: nothing of the batch goes out)
Verdict = Literal["journaled", "memory", "deposed"]


class Journaling(Protocol):
    """What the runner asks of the switchboard's durable side around each batch."""

    def hold(self) -> None:
        """From now on the inputs' effects are held (a batch begins)."""

    async def flush(self, bound: float) -> Verdict:
        """Append the batch's inputs, waiting at most ``bound`` seconds; stop holding."""

    async def release(self) -> None:
        """Let the held effects out, in order."""

    def discard(self, why: str) -> None:
        """Drop the held effects (the batch is refused)."""


@dataclass
class _Work:
    action: Callable[[float], Any]
    future: asyncio.Future[Any] | None
    waits: bool  # fenced: waits for the lease (else a request is refused, a post dropped)
    refuse: Callable[[], None] | None  # fenced: said to whoever brought it (a new call)


class LiveRunner:
    """Runs ``host`` on ``clock``; ``submit`` hands it work, ``settle`` waits for quiet."""

    def __init__(
        self,
        host: EngineHost,
        clock: SwitchClock,
        journaling: Journaling | None = None,
        journal_wait: float = 1.0,
    ) -> None:
        self.host, self.clock, self.journaling = host, clock, journaling
        self.journal_wait = journal_wait  # the longest a batch waits for its journal
        self._answers: list[tuple[asyncio.Future[Any], Any, BaseException | None]] = []
        self.batches = 0  # batches committed (figures for the bench)
        self._committing: asyncio.Future[None] | None = None  # a batch's journal awaited
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
            await stopped(self._task)
            self._task = None
        for work in self._inbox:  # kept while fenced: nobody waits on them in vain
            if work.future is not None:
                work.future.cancel()
        for future, _, _ in self._answers:  # a batch held while fenced, never let out
            if not future.done():
                future.set_exception(Refused(FENCED))
        self._answers = []

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
            if self._committing is not None:
                await asyncio.wait({self._committing})
            await asyncio.sleep(0)
            deadline = self.host.next_deadline()
            due = deadline is not None and deadline <= self.clock.seconds()
            quiet = not self._inbox and not self._answers and not self._outstanding
            if self._waiting and quiet and not due:
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
            if self._answers and not await self._commit():
                continue  # a batch still held: not one more input before it goes out
            self._batch()
            if self._answers and not await self._commit():
                continue
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

    def _batch(self) -> None:
        """Apply every input waiting (at most ``BATCH``), in order, their effects held."""
        if self.journaling is not None:
            self.journaling.hold()
        self.host.advance_to(self.clock.seconds())
        taken = 0
        while self._inbox and self.may_act() and taken < BATCH:
            work = self._inbox.popleft()
            now = self.clock.seconds()
            self.host.advance_to(now)
            self._apply(work.action, work.future, now)
            taken += 1
        if not self._answers and self.journaling is not None:
            self._answers.append((self._noted(), None, None))  # deadlines' effects go out too

    def _noted(self) -> asyncio.Future[Any]:
        return asyncio.get_running_loop().create_future()

    async def _commit(self) -> bool:
        """The batch's journal, then its effects and answers, in order. False: kept (the
        journal did not get it and the lease ran out meanwhile: it goes out once renewed)."""
        self._committing = asyncio.get_running_loop().create_future()
        try:
            return await self._commit_batch()
        finally:
            self._committing.set_result(None)
            self._committing = None

    async def _commit_batch(self) -> bool:
        answers = self._answers
        if self.journaling is None:
            verdict: Verdict = "journaled"
        else:
            bound = self.journal_wait
            if self.lease is not None:  # nothing goes out after the lease
                bound = max(0.0, min(bound, self.lease - time.monotonic()))
            verdict = await self.journaling.flush(bound)
            if verdict == "deposed":
                self.journaling.discard("a newer term leads")
            elif verdict == "memory" and not self.may_act():
                return False
            else:
                await self.journaling.release()
        self._answers = []
        self.batches += 1
        for future, result, error in answers:
            if future.done():
                continue
            if verdict == "deposed":
                future.set_exception(Refused(DEPOSED))
            elif error is not None:
                future.set_exception(error)
            else:
                future.set_result(result)
        return True

    def _apply(
        self, action: Callable[[float], Any], future: asyncio.Future[Any] | None, now: float
    ) -> None:
        """Run one input; its answer waits for the batch's journal (``_commit``)."""
        try:
            result, error = action(now), None
        except Exception as exc:  # the error is the client's answer; the engine goes on
            if future is None:
                log.exception("switchboard input failed")
            result, error = None, exc
        if future is not None:
            self._answers.append((future, result, error))

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
