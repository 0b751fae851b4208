"""A call's decision and the screen pop made at its arrival, in-process or in worker processes.

``decide_call`` is the one path: the dialled number's slice checked against its account's
routing version (``CallSlices.slice_of``), the decision on it (``decide_on``), and for a pool
call its screen pop as the desk gets it (``PopCache.screen_pop``, made JSON). The switchboard
runs it in its database threads; with ``ACCUEIL_SWITCHBOARD_DECISION_WORKERS`` above 0 it runs
it in that many worker processes instead (``Deciders``), off the GIL of the engine's process.

A worker is a process of its own (forkserver: no copy of the switchboard's threads, locks or
connections) that opens its own store engine on the same database URL, keeps its own slices
and reads them by routing version exactly as the switchboard does: a rule or script saved
anywhere is seen by the very next call a worker decides. Nothing in a worker reads a clock:
the instant of each call is the switchboard's, passed in with the call; the staleness policy
and the country are the switchboard's, given when the workers start. A worker that dies (or a
result that does not come back) never loses the call: ``Deciders.decide`` answers None, the
call is decided in-process, the workers are started again for the next calls.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import datetime
from functools import partial
from typing import Any

from pydantic_core import to_jsonable_python
from sqlalchemy import Engine, text

from accueil.core.availability import Policy
from accueil.core.phone import to_e164
from accueil.core.treatments import Answer, Message
from accueil.errors import AccueilError
from accueil.services.call_slices import CallSlices, decide_on
from accueil.services.decisions import CallDecision
from accueil.services.screenpop import PopCache
from accueil.services.unit_of_work import Application, UnitOfWork
from accueil.switchboard.bounded import DatabaseSlow
from accueil.telephony.port import InboundCall

log = logging.getLogger(__name__)
# a call's decision, the instant it was made, and (a pool call) its screen pop made then, as
# the desk gets it (JSON-ready)
Decided = tuple[CallDecision, datetime, dict[str, Any] | None]
CANNOT_DECIDE = "the switchboard cannot decide calls now"


def decide_call(
    work_of: Callable[[], AbstractContextManager[UnitOfWork]],
    slices: CallSlices,
    pops: PopCache,
    event: InboundCall,
    country: str,
) -> Decided | str:
    """The call's decision and the instant it was made, or why it is refused; for a call that
    goes to the pool, its screen pop but for the agent's familiarity."""
    try:
        with work_of() as work:
            kept = slices.slice_of(work.session, to_e164(event.dialled, country))
            decided = decide_on(
                work.session, kept, event.caller, now=work.now, call_id=event.call,
                policy=pops.policy,
            )  # fmt: skip
            pop = None
            if isinstance(decided.decision.treatment, Answer | Message):
                try:
                    made = pops.screen_pop(
                        work.session, event.dialled, event.caller, now=work.now,
                        country=country, decision=decided.decision, view=kept.pop,
                    )  # fmt: skip
                    pop = to_jsonable_python(made)
                except Exception:  # read again at the offer
                    log.exception("no screen pop ahead for call %s", event.call)
            # what the switchboard keeps of it (the facts and the trace are in the pop): all a
            # worker sends back
            kept_of = replace(decided.decision, conditions=(), availability=None, trace=())
            return replace(decided, decision=kept_of), work.now, pop
    except AccueilError as exc:  # a number that leads nowhere: refused loudly
        return exc.message
    except Exception:  # the database is away: the caller hears it, never silence
        log.exception("call %s could not be decided: refused", event.call)
        return CANNOT_DECIDE


class _NoClock:
    """A worker's application never reads a clock: each call's instant is given."""

    def now(self) -> datetime:
        raise RuntimeError("a decision worker reads no clock: the call's instant is passed in")


class _Worker:
    """What one worker process keeps: its application on the database, slices and pops."""

    def __init__(self, url: str, policy: Policy, country: str) -> None:
        from accueil.store.db import make_engine

        self.app = Application(make_engine(url), _NoClock())
        self.slices = CallSlices()
        self.pops = PopCache(self.app.clock, policy=policy, slices=self.slices)
        self.country = country

    def work_at(self, now: datetime) -> Callable[[], AbstractContextManager[UnitOfWork]]:
        """The application's unit of work at the call's instant ``now``."""
        return partial(self.app.unit_of_work, now)


_worker: _Worker | None = None  # in a worker process: its own


def _start(url: str, policy: Policy, country: str) -> None:
    global _worker
    _worker = _Worker(url, policy, country)


def _ready() -> int:
    """A worker's first work: connected to the database; its process id."""
    assert _worker is not None
    with _worker.app.engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    return os.getpid()


def _decide(event: InboundCall, now: datetime) -> Decided | str:
    worker = _worker
    assert worker is not None, "a decision worker without its initializer"
    return decide_call(worker.work_at(now), worker.slices, worker.pops, event, worker.country)


def database_url(engine: Engine) -> str:
    """The URL a worker opens its own engine on (refused: a database no other process sees)."""
    url = engine.url
    if url.get_backend_name() == "sqlite" and url.database in (None, "", ":memory:"):
        raise ValueError(
            "decision workers need a database other processes can open: "
            "an SQLite file or PostgreSQL, not an in-memory SQLite"
        )
    return url.render_as_string(hide_password=False)


class Deciders:
    """``workers`` processes deciding calls on the database at ``url``."""

    def __init__(self, url: str, workers: int, policy: Policy, country: str) -> None:
        if workers < 1:
            raise ValueError(f"decision workers: {workers} (at least 1)")
        self.workers = workers
        self._args = (url, policy, country)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload([__name__])
        self._pool = self._open()
        self._stopped = False
        self.decided = 0  # calls decided in a worker
        self.fallen_back = 0  # calls the workers could not decide: decided in-process

    def _open(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.workers, mp_context=self._context, initializer=_start, initargs=self._args
        )

    async def start(self) -> list[int]:
        """Every worker started and connected (a worker that cannot start is said at once);
        after a stop, new ones."""
        if self._stopped:
            self._pool, self._stopped = self._open(), False
        loop = asyncio.get_running_loop()
        return list(
            await asyncio.gather(
                *(loop.run_in_executor(self._pool, _ready) for _ in range(self.workers))
            )
        )

    def pids(self) -> list[int]:
        """The workers' process ids (for their CPU, and for tests that end one)."""
        processes = self._pool._processes or {}
        return sorted(processes)

    async def decide(self, event: InboundCall, now: datetime, bound: float) -> Decided | str | None:
        """The call decided in a worker at ``now``; None when no worker could (the caller
        decides it in-process); ``DatabaseSlow`` after ``bound`` seconds, as in-process."""
        pool = self._pool
        try:
            running: Future[Decided | str] = pool.submit(_decide, event, now)
        except RuntimeError:  # broken, or shut down meanwhile
            self._fell_back(event, pool, "the workers are down")
            return None
        waiting = asyncio.wrap_future(running)
        done, _ = await asyncio.wait({waiting}, timeout=bound)
        if not done:
            raise DatabaseSlow(
                f"the database has not answered in {bound:g} s (deciding call {event.call} in "
                "a worker): try again shortly",
                waiting,
            )
        try:
            decided = waiting.result()
        except Exception as exc:  # a worker died (BrokenProcessPool) or its answer was lost
            self._fell_back(event, pool, repr(exc))
            return None
        self.decided += 1
        return decided

    def _fell_back(self, event: InboundCall, pool: ProcessPoolExecutor, why: str) -> None:
        self.fallen_back += 1
        log.error("call %s not decided by a worker (%s): decided in-process", event.call, why)
        if pool is self._pool and not self._stopped:  # started again for the next calls
            self._pool = self._open()
            pool.shutdown(wait=False, cancel_futures=True)

    async def stop(self) -> None:
        """The workers stopped (the calls they were deciding are decided already or lost
        with the switchboard's stop, as in its threads)."""
        self._stopped = True
        await asyncio.to_thread(self._pool.shutdown, wait=True, cancel_futures=True)
