"""Blocking database work for the switchboard, in threads of its own, every wait bounded.

The engine's task never waits on the database itself: what it needs read or written (a
call's decision, an agent's record at login, the screen pops, an agent's outcome) runs in one
of these threads, and the wait for it is given up after ``bound`` seconds with
``DatabaseSlow`` — the same loud path as a database that refuses (a call refused, an agent's
request answered with an error, a pop left out). The work itself cannot be stopped: it ends
in its thread when the database answers or drops the connection (the PostgreSQL timeouts,
``store/db.py``), and the threads are the switchboard's own, so a hung database never takes
the event loop's default threads.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

from accueil.switchboard.calls import Refused

T = TypeVar("T")


class DatabaseSlow(Refused):
    """The database did not answer in time: the request is refused, nothing applied."""

    def __init__(self, message: str, work: asyncio.Future[Any]) -> None:
        super().__init__(message)
        self.work = work  # still running in its thread


class Bounded:
    """``run`` blocking work in ``workers`` threads named ``name``, waiting ``bound`` s."""

    def __init__(self, name: str, workers: int, bound: float) -> None:
        self.bound = bound
        self.busy = 0  # works still in their threads (a wait given up included)
        self._threads = ThreadPoolExecutor(workers, thread_name_prefix=name)

    async def run(
        self, what: str, work: Callable[..., T], *args: Any, bound: float | None = None
    ) -> T:
        """``work(*args)`` in a thread; its result or error, or ``DatabaseSlow`` after the
        bound (``what`` says what was being done)."""
        wait = self.bound if bound is None else bound
        running = asyncio.get_running_loop().run_in_executor(self._threads, work, *args)
        self.busy += 1
        running.add_done_callback(self._done)
        done, _ = await asyncio.wait({running}, timeout=wait)
        if not done:
            raise DatabaseSlow(
                f"the database has not answered in {wait:g} s ({what}): try again shortly",
                running,
            )
        return running.result()

    def _done(self, _: asyncio.Future[Any]) -> None:
        self.busy -= 1
