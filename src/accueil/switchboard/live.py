"""The switchboard as ``accueil serve`` runs it: the board, the agents' stream desks, their
presence, the telephony, and (when set) the simulated callers that play a workload."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from accueil import logs
from accueil.core.routing.config import EngineConfig
from accueil.services.unit_of_work import Application
from accueil.switchboard.board import Switchboard
from accueil.switchboard.clock import SwitchClock
from accueil.switchboard.journal import Journal
from accueil.switchboard.presence import Presence
from accueil.switchboard.stream import StreamDesks
from accueil.telephony.port import Telephony

said = logs.get_logger(__name__)
T = TypeVar("T")


class Run(Protocol):
    """How a take-over waits for its database work (``Leading``: bounded, in its threads)."""

    def __call__(self, what: str, work: Callable[[], T]) -> Awaitable[T]: ...


async def in_thread(what: str, work: Callable[[], T]) -> T:
    """``work`` in a thread, waited for as long as it takes (a switchboard of its own)."""
    return await asyncio.to_thread(work)


class Player(Protocol):
    """Something that plays callers on the telephony (the simulated telephony's day)."""

    def start(self) -> None: ...

    async def stop(self) -> None: ...


class Edge(Protocol):
    """What carries the calls to the telephony, started after the board and stopped before it
    (the SIP edge: Kamailio and its evapi link)."""

    async def start(self) -> None: ...

    async def stop(self) -> None: ...


@dataclass
class Live:
    board: Switchboard
    desks: StreamDesks
    presence: Presence
    telephony: Telephony
    player: Player | None = None
    edge: Edge | None = None
    telephony_outlives: bool = False  # it carries calls on when this process dies
    started: bool = field(default=False, init=False)

    async def start(self) -> None:
        await self.board.start()
        if self.edge is not None:
            await self.edge.start()
        if self.player is not None:
            self.player.start()
        self.started = True

    async def stop(self) -> None:
        if self.player is not None:
            await self.player.stop()
        if self.edge is not None:
            await self.edge.stop()
        await self.presence.stop()
        await self.board.stop()
        self.desks.close_all("this switchboard stopped: reconnect with your last cursor")
        self.started = False

    async def take_over(self, journal: Journal, run: Run = in_thread) -> int:
        """Rebuild the state ``journal`` saved, journal from now on, and start: the calls
        keep their places, the offers their tokens, the desks their cursors. Agents who were
        logged in are unavailable until they reconnect (their offers go back, the calls keep
        their places; a login within the grace period resumes). Returns the inputs replayed.

        Its database work (the journal's load, the first snapshot) is waited for by ``run``
        (bounded when ``Leading`` takes over); the replay itself is the inputs since the last
        snapshot (a snapshot every 1,000), on this task, each step said in the log."""
        saved = await run("the journal's load", journal.load)
        said.info(
            "switchboard.replaying",
            term=journal.term,
            inputs=len(saved.entries),
            snapshot=saved.state is not None,
        )
        replayed = self.board.restore(saved)
        self.board.journal = journal
        await run("the first snapshot", self.board.save_snapshot)
        await self.start()
        if not self.telephony_outlives:
            await self.board.end_lost_calls()
        for agent in sorted(self.board.logged_in):
            if not self.desks.connected(agent):
                self.presence.lost_at_take_over(agent)
        return replayed


def build_live(
    app: Application,
    clock: SwitchClock,
    telephony: Telephony,
    *,
    grace_seconds: float = 60.0,
    config: EngineConfig | None = None,
    player: Player | None = None,
    telephony_outlives: bool = False,
    edge: Edge | None = None,
    database_wait: float = 10.0,
    journal_wait: float = 1.0,
    decision_workers: int = 0,
) -> Live:
    desks = StreamDesks()
    board = Switchboard(
        app, clock, telephony, desks, config=config, database_wait=database_wait,
        journal_wait=journal_wait, decision_workers=decision_workers,
    )  # fmt: skip
    presence = Presence(board, grace_seconds)
    return Live(
        board, desks, presence, telephony, player, edge=edge, telephony_outlives=telephony_outlives
    )
