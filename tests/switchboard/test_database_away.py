"""PostgreSQL briefly away under a leading switchboard (a proxy cut, every connection closed):
a new call is refused loudly (hung up with the reason), the calls in progress flow on from the
engine's memory, the leader keeps its term when the lock comes back, and the journal catches
up — a standby rebuilding from it finds the same calls. Nothing lost, nothing silent."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import pytest
from board_world import CALLER, CLAIRE, SWITCHBOARD, seed
from db_proxy import DatabaseProxy
from sqlalchemy import make_url

from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.switchboard.clock import RealClock
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership
from accueil.switchboard.leading import Leading
from accueil.switchboard.live import Live, build_live
from accueil.telephony.memory import MemoryTelephony


async def _until(what: str, condition: Callable[[], bool | Awaitable[bool]]) -> None:
    """Wait for ``condition`` (a readiness wait, bounded generously: not a timed check)."""
    for _ in range(1200):
        done = condition()
        if done if isinstance(done, bool) else await done:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"never: {what}")


@pytest.mark.parametrize("database_sees_it", [True, False], ids=["closed", "network_cut"])
def test_the_database_away_the_calls_flow_and_the_journal_catches_up(
    postgres_url: str, database_sees_it: bool
) -> None:
    """``network_cut``: the server does not see the cut and keeps the old lock's session (and
    the lock) open; the leader ends that session of its own and takes its lock back."""
    direct = make_engine(postgres_url)
    migrate(direct)
    seed(direct)
    url = make_url(postgres_url)
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = make_engine(url.set(host="127.0.0.1", port=proxy.port))
    telephony = MemoryTelephony()
    clock = RealClock()

    def make_live() -> Live:
        return build_live(Application(proxied, clock), clock, telephony)

    async def main() -> None:
        lives: list[Live | None] = []
        # a fence as long as the hold: this test is of the calls that flow from memory (the
        # leader that stops acting once it cannot confirm its lock: test_fence.py)
        leading = Leading(
            Leadership(proxied, "ws://one"), make_live, lives.append, clock=clock,
            retry=0.05, check=0.05, hold=60.0, fence=60.0,
        )  # fmt: skip
        await leading.start()
        live = leading.live
        assert live is not None
        board = live.board
        await board.login("alice")
        await board.ready("alice")
        telephony.inbound("c1", CALLER, CLAIRE)
        telephony.inbound("c2", CALLER, SWITCHBOARD)
        await _until("c1 offered", lambda: "c1" in board.calls and bool(board.calls["c1"].token))
        await _until("c2 waiting", lambda: "c2" in board.calls)  # decided before the cut
        token = board.calls["c1"].token

        proxy.cut(database_sees_it=database_sees_it)  # the database is away
        await board.accept("alice", "c1", token)  # flows on, from memory
        telephony.inbound("c3", CALLER, CLAIRE)  # cannot be decided: refused loudly
        await _until("c3 refused", lambda: telephony.lines["c3"].over)
        assert ("hang_up", "the switchboard cannot decide calls now") in telephony.requests("c3")
        telephony.caller_hangs_up("c2")  # its record cannot be written: kept
        await _until("c2 ended", lambda: "c2" not in board.calls)
        await _until("the lock's loss seen", lambda: leading.leadership._held is None)
        assert board.calls["c1"].stage.value == "talking"
        assert len(board.backlog) >= 2  # the accept, the hang-up: in order, in memory

        proxy.restore()  # back
        await _until("the journal caught up", lambda: not board.backlog and not board.unrecorded)
        assert leading.live is live and lives == [live]  # never stood down
        assert leading.term is not None and leading.term.number == 1

        # a standby rebuilding from the journal finds what the leader has
        again = make_live()
        again.board.restore(Journal(direct).load())
        assert {k: (c.stage, c.agent, c.token) for k, c in again.board.calls.items()} == {
            k: (c.stage, c.agent, c.token) for k, c in board.calls.items()
        }
        await leading.stop()

    try:
        asyncio.run(main())
        with direct.connect() as connection:
            recorded = connection.exec_driver_sql(
                "SELECT call_id, fate FROM call_records ORDER BY call_id"
            ).all()
        assert [tuple(r) for r in recorded] == [("c2", "abandoned")]  # written once back
    finally:
        proxied.dispose()
        proxy.close()
        direct.dispose()
