"""The switchboard's durable side: every input journaled before it applies, snapshots, and
the replay that rebuilds the same state in a standby that takes over (``journal.py``,
docs/live.md "One engine, a standby ready"); records the database refused, written later.

``Switchboard`` is a ``Durable``: it says how each input applies (``_apply``); this class
journals, replays, and keeps what must survive the database being away.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accueil.core.routing.engine import Engine
from accueil.errors import AccueilError
from accueil.services.calls import CallRecord, is_recorded
from accueil.services.unit_of_work import Application
from accueil.switchboard import codec
from accueil.switchboard.calls import CallInProgress, Refused
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.desks import Desks
from accueil.switchboard.host import EngineHost
from accueil.switchboard.inputs import Heard, Input, Mute, Request
from accueil.switchboard.journal import Deposed, Journal, JournalWriter, Saved
from accueil.switchboard.records import RecordWriter
from accueil.switchboard.reissue import ask_again, still_expected
from accueil.switchboard.runner import DEPOSED, Verdict
from accueil.telephony.port import CallerHungUp, Ended, Telephony

log = logging.getLogger(__name__)


@dataclass
class BoardState:
    """The switchboard's whole state, as a snapshot keeps it."""

    engine: Engine
    calls: dict[str, CallInProgress]
    logged_in: set[str]
    heard: int
    desks: Any


codec.register(BoardState)
# the telephony's requests, held with the desks' messages until their batch is journaled
REQUESTS = ("ring_agent", "stop_ringing", "ring_device", "bridge", "transfer", "hang_up")


class Held:
    """The board's telephony or desks: each of ``names`` (a request, a message) is done once
    the batch that made it is journaled (``Durable._effect``); the rest goes straight through."""

    def __init__(self, real: Any, durable: Durable, names: tuple[str, ...]) -> None:
        self.real, self._durable, self._names = real, durable, frozenset(names)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.real, name)
        if name not in self._names:
            return attr
        effect = self._durable._effect

        def held(*args: Any) -> None:
            effect(lambda: attr(*args))

        return held


@dataclass(frozen=True)
class Outcome:
    """An agent's outcome, saved: the desk's answer, and where the caller is put through."""

    reply: dict[str, Any]
    address: str


class Durable(ABC):
    """Journal, snapshots, replay, and the records to write again."""

    app: Application
    clock: SwitchClock
    host: EngineHost
    desks: Desks
    telephony: Telephony
    records: RecordWriter
    calls: dict[str, CallInProgress]
    logged_in: set[str]

    def __init__(self) -> None:
        self.heard = 0  # telephony events taken in (a remote telephony resumes after them)
        self.journal: Journal | None = None  # where inputs go before they apply
        self.snapshot_every = 1000  # inputs between two snapshots
        self.replaying = False
        self.backlog: deque[tuple[float, Input]] = deque()  # inputs the journal has not yet
        self.deposed = False  # a newer term leads: this board takes no more input
        self.unrecorded: deque[tuple[str, CallRecord]] = deque()  # records to write again
        self.reissued: list[Request] = []  # telephony requests the last replay asked again
        self.holding = False  # a batch is applied: its effects wait for its journal
        self.held: list[Callable[[], None]] = []
        self.writer = JournalWriter()
        self._snapshots_due = 0  # snapshots written (``appended // snapshot_every``)
        self._read: Any = None  # what the batch's ``_reads`` gave

    @abstractmethod
    def _apply(self, at: float, entry: Input) -> Any:
        """Apply one input to the live state (the switchboard says how); journaled before."""

    def _take(self, at: float, entry: Input) -> Any:
        """Put ``entry`` in the journal's batch, then apply it. Its effects are held until the
        batch is journaled (``flush``, ``release``): nothing is seen that a standby could not
        replay. Outside a batch (a test driving the board by hand) it is written at once."""
        if self.journal is not None and not self.replaying:
            if self.deposed:
                raise Refused(DEPOSED)
            self.backlog.append((at, entry))
            if not self.holding:
                self._write_now(self.journal)
        return self._apply(at, entry)

    def _write_now(self, journal: Journal) -> None:
        """Append what waits in memory, on this task (outside the runner's batches)."""
        try:
            journal.append_many(list(self.backlog))
            self.backlog.clear()
        except Deposed as exc:
            self.deposed = True
            raise Refused(DEPOSED) from exc
        except Exception:
            log.exception("journal unavailable: %d inputs wait in memory", len(self.backlog))

    # ------------------------------------------------- the runner's batches (group commit)

    def hold(self) -> None:
        self.holding = True

    def _effect(self, effect: Callable[[], None]) -> None:
        """Do ``effect`` now, or once the batch is journaled when effects are held."""
        if self.holding:
            self.held.append(effect)
        else:
            effect()

    async def flush(self, bound: float) -> Verdict:
        """Append every input that waits in memory, in one transaction in the journal's
        thread, waiting at most ``bound`` seconds: ``journaled``; ``memory`` while the database
        is away or slower than that (the inputs wait, in order, said in the log; the write in
        flight goes on and the next batch waits for it); ``deposed`` when a newer term leads."""
        self.holding = False
        if self.deposed:
            return "deposed"
        if self.journal is None:  # no journal (a board driven by hand): read, and go out
            read = self._reads()
            self._read = await asyncio.to_thread(read) if read is not None else None
            return "journaled"
        read = self._reads()
        written, self._read = await self.writer.drain(self.journal, self.backlog, bound, read)
        self.deposed = self.deposed or self.writer.deposed
        if self.deposed:
            return "deposed"
        return "journaled" if written else "memory"

    async def release(self) -> None:
        """Let the batch's effects out, in order (the screen pops read first, off the loop);
        then a snapshot when one is due (the desks' cursors moved with the effects)."""
        held, self.held = self.held, []
        read, self._read = self._read, None
        self._before_release(read)
        for effect in held:
            try:
                effect()
            except Exception:  # one desk or request that fails does not stop the others
                log.exception("a switchboard effect failed")
        if self.unrecorded and not self.backlog:  # the database took the journal: try them
            self._record_late()
        if self.journal is not None and not self.backlog:
            due = self.journal.appended // self.snapshot_every
            if due > self._snapshots_due:
                self._snapshots_due = due
                self.writer.snapshot(self.journal, self.state(), self.clock.now())

    @abstractmethod
    def _reads(self) -> Callable[[], Any] | None:
        """What the held effects need read from the database (blocking: run in the journal's
        thread right after the batch's append, in the same hop), or None."""

    @abstractmethod
    def _before_release(self, read: Any) -> None:
        """Put what ``_reads`` gave (None: not read in time) into the held effects."""

    def discard(self, why: str) -> None:
        dropped, self.held = len(self.held), []
        if dropped:
            log.error("%d switchboard effects not let out: %s", dropped, why)

    def catch_up(self) -> None:
        """The database is back (the lock's connection answered): the records that wait are
        written (in a thread). The journal's backlog goes with the batch this runs in."""
        if self.unrecorded:
            self._record_late()

    def state(self) -> BoardState:
        """Everything a replay rebuilds, as one picklable value."""
        return BoardState(
            self.host.engine, self.calls, self.logged_in, self.heard, self.desks.export()
        )

    def save_snapshot(self) -> None:
        """A snapshot now (blocking: a take-over, before the switchboard starts)."""
        if self.journal is None:
            return
        try:
            self.journal.snapshot(self.state(), self.clock.now())
            self._snapshots_due = self.journal.appended // self.snapshot_every
        except Exception:  # the journal still holds every input: a later snapshot will do
            log.exception("switchboard snapshot not saved")

    def restore(self, saved: Saved) -> int:
        """Rebuild the state saved (a snapshot and the inputs after it); before ``start``.
        Then ask the telephony again what the world still expects of the replayed inputs
        (``reissue.py``: the leader may have died before it asked). Returns how many inputs
        were replayed."""
        if saved.state is not None:
            state: BoardState = saved.state
            self.host.engine, self.heard = state.engine, state.heard
            self.calls.clear()  # in place: the telephony may hold the mapping (SIP's tags)
            self.calls.update(state.calls)
            self.logged_in.clear()
            self.logged_in.update(state.logged_in)
            self.desks.restore(state.desks)
        telephony, muted = self.telephony, Mute()
        self.telephony, self.replaying = muted, True
        try:
            for entry in saved.entries:
                self.host.advance_to(entry.at)
                # refused then, refused again: nothing changed either time
                with contextlib.suppress(AccueilError):
                    self._apply(entry.at, entry.input)
                if isinstance(entry.input, Heard) and isinstance(
                    entry.input.event, Ended | CallerHungUp
                ):
                    muted.ended(entry.input.event.call)
        finally:
            self.telephony, self.replaying = telephony, False
        self.reissued = still_expected(muted.asked, self.calls)
        ask_again(self.telephony, self.reissued)
        return len(saved.entries)

    def _record_late(self) -> None:
        """Hand the records the database refused before to the record writer (a thread),
        oldest first; those it cannot write come back to ``unrecorded``."""
        while self.unrecorded:
            self.records.put(*self.unrecorded.popleft())

    def _recorded(self, state: CallInProgress) -> bool:
        with self.app.unit_of_work() as work:
            return is_recorded(work.session, state.account.key, state.id)
