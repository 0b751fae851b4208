"""The switchboard's durable side: every input journaled before it applies, snapshots, and
the replay that rebuilds the same state in a standby that takes over (``journal.py``,
docs/live.md "One engine, a standby ready"); records the database refused, written later.

``Switchboard`` is a ``Durable``: it says how each input applies (``_apply``); this class
journals, replays, and keeps what must survive the database being away.
"""

from __future__ import annotations

import contextlib
import logging
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import Any

from accueil.core.routing.engine import Engine
from accueil.errors import AccueilError
from accueil.services.calls import CallRecord, is_recorded, record_call
from accueil.services.unit_of_work import Application
from accueil.switchboard import codec
from accueil.switchboard.calls import CallInProgress, Refused
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.desks import Desks
from accueil.switchboard.host import EngineHost
from accueil.switchboard.inputs import Heard, Input, Mute, Request
from accueil.switchboard.journal import Deposed, Journal, Saved
from accueil.switchboard.reissue import ask_again, still_expected
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


class Durable(ABC):
    """Journal, snapshots, replay, and the records to write again."""

    app: Application
    clock: SwitchClock
    host: EngineHost
    desks: Desks
    telephony: Telephony
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

    @abstractmethod
    def _apply(self, at: float, entry: Input) -> Any:
        """Apply one input to the live state (the switchboard says how); journaled before."""

    def _take(self, at: float, entry: Input) -> Any:
        """Journal ``entry`` (committed), then apply it. A journal that cannot be written
        refuses the input loudly: nothing is applied that a standby could not replay."""
        if self.journal is not None and not self.replaying:
            self._journal(self.journal, at, entry)
        result = self._apply(at, entry)
        if self.unrecorded and not self.replaying:
            self._record_late()
        if (
            self.journal is not None
            and not self.replaying
            and self.journal.appended % self.snapshot_every == 0
        ):
            self.save_snapshot()
        return result

    def _journal(self, journal: Journal, at: float, entry: Input) -> None:
        """Append ``entry`` after any input that waits in memory. While the database is
        unavailable the inputs still apply (calls flow from the engine's memory) and wait,
        in order, for the journal to catch up; said in the log each time."""
        if self.deposed:
            raise Refused("this switchboard no longer leads: reconnect to the leader")
        self.backlog.append((at, entry))
        try:
            self._write_backlog(journal)
        except Deposed as exc:
            self.deposed = True
            raise Refused("this switchboard no longer leads: reconnect to the leader") from exc

    def _write_backlog(self, journal: Journal) -> None:
        """Append what waits in memory, oldest first, while the database takes it."""
        try:
            while self.backlog:
                journal.append(*self.backlog[0])
                self.backlog.popleft()
        except Deposed:
            raise
        except Exception:
            log.exception("journal unavailable: %d inputs wait in memory", len(self.backlog))

    def catch_up(self) -> None:
        """The database is back: write what waits in memory (inputs, records) now, without
        waiting for the next input (on the runner's task)."""
        if self.journal is not None and not self.deposed:
            try:
                self._write_backlog(self.journal)
            except Deposed:
                self.deposed = True
        if self.unrecorded:
            self._record_late()

    def state(self) -> BoardState:
        """Everything a replay rebuilds, as one picklable value."""
        return BoardState(
            self.host.engine, self.calls, self.logged_in, self.heard, self.desks.export()
        )

    def save_snapshot(self) -> None:
        if self.journal is None:
            return
        try:
            self.journal.snapshot(self.state(), self.clock.now())
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
        """Write the records the database refused before, oldest first, while it takes them."""
        while self.unrecorded:
            account, record = self.unrecorded[0]
            try:
                with self.app.unit_of_work() as work:
                    if not is_recorded(work.session, account, record.call_id):
                        record_call(work.session, account, record)
            except Exception:
                log.warning("%d call records still wait for the database", len(self.unrecorded))
                return
            self.unrecorded.popleft()

    def _recorded(self, state: CallInProgress) -> bool:
        with self.app.unit_of_work() as work:
            return is_recorded(work.session, state.account.key, state.id)
