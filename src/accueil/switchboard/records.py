"""Call records written off the engine's task, in batches.

A call that ends without an agent's outcome (abandoned, overflowed, rejected, connected, or an
agent who moved on) gets its record here: ``put`` returns at once, and after ``gather_seconds``
(50 ms: a transaction costs about as much CPU as the records it writes, so at tens of calls a
second a batch of one would cost the switchboard's process most of a record again) one thread
writes every record that came meanwhile in **one transaction** (one commit, one publication of their
``call.recorded`` events; ``calls.record_calls``: one query finds the calls recorded already,
one flush writes the rest), then the next batch. Each record is written exactly once: a batch
the database refused is written again record by record, each only if its call has no record
yet (a commit that failed without saying whether it happened must not write twice); a record the
database refuses even alone is kept in ``unrecorded`` for the switchboard to write later.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable
from typing import Any

from accueil.services.calls import CallRecord, is_recorded, record_call, record_calls
from accueil.services.unit_of_work import Application

log = logging.getLogger(__name__)
Pending = tuple[str, CallRecord]  # the account's key and the record


class RecordWriter:
    """Writes call records in a thread, batching those that arrive while one batch is written."""

    def __init__(
        self,
        app: Application,
        track: Callable[[asyncio.Future[Any]], None],
        unrecorded: deque[Pending],
        *,
        gather_seconds: float = 0.05,
    ) -> None:
        self.app, self._track, self.unrecorded = app, track, unrecorded
        self.gather_seconds = gather_seconds
        self._pending: list[Pending] = []
        self._writing = False
        self.batches = 0  # transactions committed (figures for the bench)

    def put(self, account: str, record: CallRecord) -> None:
        """Queue a record; it is written after the batch being written now, if any."""
        self._pending.append((account, record))
        if not self._writing:
            self._next()

    def _next(self) -> None:
        self._writing = True
        work = asyncio.ensure_future(self._gather_and_write())
        work.add_done_callback(self._written)
        self._track(work)

    async def _gather_and_write(self) -> None:
        if self.gather_seconds > 0:  # the records of the calls ending meanwhile join the batch
            await asyncio.sleep(self.gather_seconds)
        batch, self._pending = self._pending, []
        await asyncio.to_thread(self.write, batch)

    def _written(self, work: asyncio.Future[None]) -> None:
        self._writing = False
        if self._pending:
            self._next()

    def write(self, batch: list[Pending]) -> None:
        """Write ``batch`` in one transaction, else record by record (in a thread)."""
        try:
            with self.app.unit_of_work() as work:
                record_calls(work.session, batch)
            self.batches += 1
            return
        except Exception:  # one bad record, or the database away: each alone, once
            log.warning("a batch of %d call records was refused: written one by one", len(batch))
        for account, record in batch:
            self._write_one(account, record)

    def _write_one(self, account: str, record: CallRecord) -> None:
        try:
            with self.app.unit_of_work() as work:
                if not is_recorded(work.session, account, record.call_id):
                    record_call(work.session, account, record)
        except Exception:  # never silent: kept, and written again after the next input
            log.exception("call %s (%s) could not be recorded: kept", record.call_id, record.fate)
            self.unrecorded.append((account, record))
