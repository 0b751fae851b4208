"""PostgreSQL that HANGS under a leading switchboard, instead of refusing: a proxy that keeps
every connection open and accepts new ones but forwards nothing either way (no error, no
reset: neither TCP keepalives nor the server's timeouts see it). The process is never frozen:
the event loop turns, an agent's heartbeat and accept are answered from memory, a new call is
refused loudly, an agent's login or outcome gets an error saying the database did not answer,
and the lock check is given up. Once the database answers again the journal catches up in
order, a standby rebuilds the same state from it, and the outcome sent again is saved once.

The bounds are generous (they prove "not frozen", they time nothing)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable
from typing import TypeVar

from board_world import CALLER, CLAIRE, MESSAGE_ANSWERS, SWITCHBOARD, seed
from db_proxy import DatabaseProxy
from sqlalchemy import make_url
from sqlalchemy.exc import OperationalError
from test_database_away import _until

from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.switchboard.calls import Refused
from accueil.switchboard.clock import RealClock
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership
from accueil.switchboard.leading import Leading
from accueil.switchboard.live import Live, build_live
from accueil.telephony.memory import MemoryTelephony

T = TypeVar("T")
GIVEN_UP = "database has not answered|connection timeout expired"
NOT_FROZEN = 90.0  # seconds: far above any wait the switchboard sets itself (8 s here)


async def _answered(what: Awaitable[T]) -> T:
    """``what``'s answer, which must come while the database hangs (not frozen)."""
    return await asyncio.wait_for(what, NOT_FROZEN)


def test_a_database_that_hangs_freezes_nothing_and_the_journal_catches_up_in_order(
    postgres_url: str,
) -> None:
    direct = make_engine(postgres_url)
    migrate(direct)
    seed(direct)
    url = make_url(postgres_url)
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = make_engine(url.set(host="127.0.0.1", port=proxy.port))
    telephony = MemoryTelephony()
    clock = RealClock()

    def make_live() -> Live:
        return build_live(
            Application(proxied, clock), clock, telephony, database_wait=8.0, journal_wait=0.5
        )

    async def main() -> None:
        try:
            await hung()
        finally:  # the threads left waiting on it end before the loop closes
            proxy.restore()

    async def hung() -> None:
        lives: list[Live | None] = []
        leading = Leading(
            Leadership(proxied, "ws://one"), make_live, lives.append, clock=clock,
            retry=0.05, check=0.05, hold=600.0, fence=600.0, patience=1.0,
        )  # fmt: skip
        # a fence longer than the test from the start (the first leader waits for nobody):
        # the calls flow from memory (the fence that stops a leader that cannot confirm its
        # lock: test_fence.py); set only once leading, the first lease was 0.5 s, which a
        # loaded machine could let lapse before the login below
        await leading.start()
        live = leading.live
        assert live is not None
        board = live.board
        await board.login("alice")
        await board.ready("alice")
        telephony.inbound("c1", CALLER, CLAIRE)
        telephony.inbound("c2", CALLER, SWITCHBOARD)
        await _until("c1 offered", lambda: "c1" in board.calls and bool(board.calls["c1"].token))
        await _until("c2 waiting", lambda: "c2" in board.calls)
        token = board.calls["c1"].token
        await _until("journaled", lambda: not board.backlog)  # applied, then journaled
        with direct.connect() as connection:
            before = connection.exec_driver_sql("SELECT max(seq) FROM switchboard_journal")
            last_seq = before.scalar_one()

        ticks = 0

        async def tick() -> None:  # the event loop turning
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticking = asyncio.create_task(tick())
        proxy.hang()  # the database hangs: nothing it is sent is ever answered
        answered = await _answered(board.accept("alice", "c1", token))  # from memory
        assert answered["type"] == "accepted"
        assert (await _answered(board.heartbeat("alice")))["did"] == "Heartbeat"
        telephony.inbound("c3", CALLER, CLAIRE)  # cannot be decided: refused loudly
        # his record cannot be read, the outcome not saved: said (the wait given up, or a new
        # connection's connect timeout, whichever comes first); the three waits run together
        said = await _answered(
            asyncio.gather(
                board.login("bob"),
                board.finish("alice", "c1", MESSAGE_ANSWERS),
                return_exceptions=True,
            )
        )
        for refused in said:
            assert isinstance(refused, Refused | OperationalError), refused
            assert re.search(GIVEN_UP, str(refused)), refused
        await _answered(_until("c3 refused", lambda: telephony.lines["c3"].over))
        assert ("hang_up", "the switchboard cannot decide calls now") in telephony.requests("c3")
        telephony.caller_hangs_up("c2")  # ends from memory; its record waits
        await _answered(_until("c2 ended", lambda: "c2" not in board.calls))
        await _answered(_until("the lock check given up", lambda: not board.runner.may_act()
                               or leading._pending.get("the lock check") is not None))  # fmt: skip
        turned = ticks
        await asyncio.sleep(0.5)
        assert ticks > turned  # the loop still turns
        assert board.calls["c1"].stage.value == "talking"
        waiting = [type(entry).__name__ for _, entry in board.backlog]
        # the accept, the heartbeat, c3 refused and ended, c2's hang-up and end: in memory
        assert waiting == ["OfferAccepted", "Heartbeat", "Inbound", "Heard", "Heard", "Heard"]
        assert leading.live is live

        proxy.restore()  # it answers again: what it held goes on
        await _until("the journal caught up", lambda: not board.backlog and not board.unrecorded)
        assert leading.live is live and lives == [live]  # never stood down
        assert leading.term is not None and leading.term.number == 1
        with direct.connect() as connection:
            kinds = connection.exec_driver_sql(
                "SELECT kind FROM switchboard_journal WHERE seq > %(s)s ORDER BY seq",
                {"s": last_seq},
            ).scalars()
            assert list(kinds) == waiting  # in order

        # the outcome whose saving outlived its wait (committed once the database answered,
        # or failed on a connect timeout): sent again, it is saved once, one record, one message
        def recorded() -> list[tuple[str, str]]:
            with direct.connect() as connection:
                rows = connection.exec_driver_sql(
                    "SELECT call_id, fate FROM call_records ORDER BY call_id"
                ).all()
            return [(r[0], r[1]) for r in rows]

        await _until("the outcome's first saving over", lambda: board.database.busy == 0)
        saved = await board.finish("alice", "c1", MESSAGE_ANSWERS)
        assert saved["type"] == "saved" and saved["message"]
        assert recorded() == [("c1", "answered"), ("c2", "abandoned")]
        with direct.connect() as connection:
            messages = connection.exec_driver_sql(
                "SELECT uid FROM messages WHERE call_id = 'c1'"
            ).scalars()
            assert list(messages) == [saved["message"]]

        # a standby rebuilding from the journal finds what the leader has
        await _until("the journal caught up", lambda: not board.backlog)
        again = make_live()
        again.board.restore(Journal(direct).load())
        assert {k: (c.stage, c.agent, c.token) for k, c in again.board.calls.items()} == {
            k: (c.stage, c.agent, c.token) for k, c in board.calls.items()
        }
        assert again.board.logged_in == board.logged_in
        ticking.cancel()
        await leading.stop()

    try:
        asyncio.run(main())
    finally:
        proxy.restore()
        proxied.dispose()
        proxy.close()
        direct.dispose()
