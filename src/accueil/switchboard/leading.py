"""Leading and standing by: the loop every ``accueil serve`` process runs beside its API.

A standby retries the leader's lock every ``retry`` seconds. Once it holds it, it begins a
term, moves its clock onto the journal's time line, rebuilds the switchboard from the journal
(``Live.take_over``) and serves agents; every ``check`` seconds it makes sure it still holds the
lock and has not been deposed, else it stops its switchboard (its agents are disconnected and
reconnect to the new leader) and stands by again. A lock lost with the database (briefly away)
is not the end at once: the switchboard goes on from memory for ``hold`` seconds while this
process tries to take the lock back; back with no newer term begun, it leads on and its
journal catches up (at every check while anything waits in memory: ``_catch_up``).

Every wait on the database here is bounded (``patience``, 3 s by default): a lock check
that does not answer (a database that hangs instead of refusing) is given up, the leader counts
as unconfirmed — its fence stops it acting — and it goes the way of a lost lock (``_hold_on``).
The checks run in threads of their own, one at a time: a hung one is waited for again at the
next check, never doubled, and the default threads of the event loop are never taken.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from accueil import logs
from accueil.switchboard.bounded import Bounded, DatabaseSlow
from accueil.switchboard.clock import RealClock
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership, Term
from accueil.switchboard.live import Live
from accueil.tasks import stopped

log = logging.getLogger(__name__)
said = logs.get_logger(__name__)  # one line when this process starts leading
T = TypeVar("T")


class Leading:
    """Runs ``make_live``'s switchboard in this process while it leads; ``on_change`` hears
    of it (the ``Live`` when it starts leading, None when it stops)."""

    def __init__(
        self,
        leadership: Leadership,
        make_live: Callable[[], Live],
        on_change: Callable[[Live | None], None],
        *,
        clock: RealClock | None = None,
        retry: float = 0.25,
        check: float = 0.5,
        hold: float = 5.0,
        fence: float = 2.0,
        patience: float = 3.0,
        takeover: float = 10.0,
    ) -> None:
        self.leadership, self.make_live, self.on_change = leadership, make_live, on_change
        self.clock, self.retry, self.check, self.hold = clock, retry, check, hold
        # the switchboard acts for ``fence`` seconds after the lock was last known held, and a
        # new term waits as long after winning the lock: the last leader has stopped by then
        self.fence = fence
        # the longest a lock check, a try or a look at the terms is waited for
        self.patience = patience
        # the longest each database step of a take-over is waited for (the term's start, which
        # waits for the last term's appends in flight; the journal's load; the first snapshot)
        self.takeover = takeover
        self._threads = Bounded("leading", 2, self.patience)
        self._pending: dict[str, asyncio.Future[Any]] = {}  # checks still in their thread
        self.live: Live | None = None
        self.term: Term | None = None
        self.took_seconds = 0.0  # lock won → switchboard serving, for the last take-over
        self.replayed = 0
        self._task: asyncio.Task[None] | None = None
        self._catching_up = False  # a catch-up waits on the switchboard's task

    async def start(self) -> None:
        """Try the lock once before serving, so a process that leads from the start (SQLite,
        or the first on PostgreSQL) takes agents from its first request; then keep at it in
        the background."""
        leading = await self._try() and await self._lead_safely()
        self._task = asyncio.get_running_loop().create_task(self._run(leading), name="leading")

    async def stop(self) -> None:
        if self._task is not None:
            await stopped(self._task)
            self._task = None
        await self._step_down()
        pending = {p for p in self._pending.values() if not p.done()}
        if pending:  # a try given up may still win the lock: let go of it once it ends
            await asyncio.wait(pending, timeout=self.patience)
            await asyncio.to_thread(self.leadership.release)

    async def _run(self, leading: bool) -> None:
        while True:
            if leading:
                while await self._still_leading():
                    self._catch_up()
                    await asyncio.sleep(self.check)
                if await self._hold_on():
                    continue
                log.warning("this process no longer leads the switchboard: standing by")
                await self._step_down()
            if not await self._try():
                leading = False
                await asyncio.sleep(self.retry)
                continue
            leading = await self._lead_safely()

    async def _bounded(self, what: str, work: Callable[[], T], bound: float | None = None) -> T:
        """``work`` in this loop's threads, waited for at most ``patience`` seconds (or
        ``bound``); one of each ``what`` at a time (the one that hangs is waited for again,
        not doubled)."""
        wait = self.patience if bound is None else bound
        pending = self._pending.get(what)
        if pending is not None and not pending.done():
            await asyncio.wait({pending}, timeout=wait)
            if not pending.done():
                raise DatabaseSlow(f"the database has not answered ({what})", pending)
        try:
            return await self._threads.run(what, work, bound=wait)
        except DatabaseSlow as slow:
            self._pending[what] = slow.work
            raise

    async def _try(self) -> bool:
        try:
            return await self._bounded("the leader's lock", self.leadership.try_lead)
        except DatabaseSlow as exc:
            log.error("cannot try the leader's lock: %s", exc)
            return False
        except Exception:  # the database is away, or does not answer: keep standing by
            log.exception("cannot reach the database to try the leader's lock")
            return False

    async def _lead_safely(self) -> bool:
        try:
            await self._lead()
            return True
        except Exception:  # say it, let go of the lock, and stand by again
            log.exception("this process could not take the switchboard over")
            await self._step_down()
            await asyncio.sleep(self.retry)
            return False

    async def _lead(self) -> None:
        """Take the switchboard over: every database step bounded (``takeover``), each said
        in the log; a step given up is an error (``_lead_safely`` lets go of the lock and
        stands by, to try again), never a take-over that waits as long as the database."""
        began = time.perf_counter()
        # the last leader, cut off, may act until its lease ends; with no term before this
        # one there was never a leader to wait for (the first process to lead starts at once)
        fenced = self.leadership.shared and bool(
            await self._bounded("the latest term", self.leadership.latest_term, self.takeover)
        )
        said.info("switchboard.lock_won", fence=self.fence if fenced else 0.0)
        if fenced:
            await asyncio.sleep(self.fence)
        origin = self.clock.origin if self.clock else datetime.now(UTC)
        speed = self.clock.speed if self.clock else 1.0
        self.term = await self._bounded(
            "the term's start", lambda: self.leadership.begin_term(origin, speed), self.takeover
        )
        if self.clock is not None:
            self.clock.adopt(self.term.origin, self.term.speed)
        live, self._catching_up = self.make_live(), False
        journal = Journal(self.leadership.engine, self.term.number)
        try:
            self.replayed = await live.take_over(journal, self._taking_over)
        except BaseException:  # given up (or failed): nothing of this take-over runs on
            if live.started:
                await live.stop()
            raise
        self.live = live
        # from now on it acts only while it knows it holds the lock (a take-over takes well
        # under ``fence``: a standby that won the lock meanwhile still waits out the lease)
        if self.leadership.shared and not await self._confirmed():
            live.board.runner.renew(0.0)
        self.on_change(live)
        self.took_seconds = time.perf_counter() - began
        said.info(
            "switchboard.leading",
            term=self.term.number,
            replayed=self.replayed,
            seconds=round(self.took_seconds, 3),
        )

    async def _taking_over(self, what: str, work: Callable[[], T]) -> T:
        return await self._bounded(what, work, self.takeover)

    async def _confirmed(self) -> bool:
        try:
            return await self._bounded("the lock check", self._confirm)
        except DatabaseSlow:
            log.error("the lock check has not answered after the take-over: not acting yet")
            return False

    async def _still_leading(self) -> bool:
        if self.live is not None and self.live.board.deposed:
            return False
        try:
            return await self._bounded("the lock check", self._confirm)
        except DatabaseSlow as exc:
            log.error(
                "the lock check has not answered in %.1f s: this leader is unconfirmed and "
                "stops acting at its fence (%s)", self.patience, exc,
            )  # fmt: skip
            return False
        except Exception:
            log.exception("cannot tell whether this process still leads")
            return False

    async def _hold_on(self) -> bool:
        """The lock's connection is lost (the database away, or this process cut off from
        it): the switchboard goes on from the engine's memory, its journal waiting, while this
        process tries to take the lock back for ``hold`` seconds. Taken back with no newer
        term begun, it leads on and the journal catches up (True); a newer term, or no lock
        in time, and it stands down (False), saying what the journal did not get."""
        live, term = self.live, self.term
        if live is None or term is None or live.board.deposed:
            return False
        log.warning("the switchboard's lock is lost: calls go on from memory meanwhile")
        until = time.monotonic() + self.hold
        while time.monotonic() < until and not live.board.deposed:
            await asyncio.sleep(self.retry)
            if not await self._try():
                continue
            try:
                latest = await self._bounded("the latest term", self._latest_term)
            except DatabaseSlow:
                continue  # not known yet: the database does not answer
            if latest == term.number:
                log.warning("the switchboard's lock is taken back: term %s leads on", latest)
                self._renew()
                self._catch_up()
                return True
            break  # a newer term leads: this one is over
        waiting = len(live.board.backlog)
        if waiting:
            log.error("standing down with %d inputs the journal never got", waiting)
        return False

    def _confirm(self) -> bool:
        """Whether this process still holds the lock; if so its switchboard may act for
        ``fence`` seconds more (a thread: the lease is renewed even when the event loop is
        busy, and runs out even when this check hangs on a dead connection)."""
        held = self.leadership.holds()
        if held:
            self._renew()
        return held

    def _renew(self) -> None:
        live = self.live
        if live is not None and self.leadership.shared:
            live.board.runner.renew(self.leadership.confirmed_at + self.fence)

    def _catch_up(self) -> None:
        """The lock's connection just answered, so the database is there: write what waits
        in memory (inputs, records) on the switchboard's task, again at every check until
        nothing waits (a write that failed once, a record kept after the last try). One at a
        time; never while the database is known away, so no input waits on a dead connect."""
        live = self.live
        if live is None or self._catching_up or not (live.board.backlog or live.board.unrecorded):
            return
        self._catching_up = True

        def catch_up(_at: float) -> None:
            try:
                live.board.catch_up()
            finally:
                self._catching_up = False

        live.board.runner.post(catch_up)

    def _latest_term(self) -> int | None:
        try:
            return self.leadership.latest_term()
        except Exception:
            log.exception("cannot read the latest term")
            return None

    async def _step_down(self) -> None:
        live, self.live = self.live, None
        if live is not None:
            self.on_change(None)
            await live.stop()
        await asyncio.to_thread(self.leadership.release)
