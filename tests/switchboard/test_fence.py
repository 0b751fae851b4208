"""The leader fences itself (PostgreSQL): once it cannot confirm that it holds the lock for
``fence`` seconds it acts no more — an agent's request is refused, a new call is hung up with
the reason, the telephony's other events wait in order — and a standby that wins the lock
waits as long before its term begins: the two never act at once. Back with its lock (same
term), the leader acts again and applies what waited."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import pytest
from board_world import CALLER, CLAIRE, SWITCHBOARD, seed
from db_proxy import DatabaseProxy
from sqlalchemy import Engine, make_url
from test_database_away import _until

from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine, migrate
from accueil.switchboard.calls import Refused
from accueil.switchboard.clock import RealClock
from accueil.switchboard.leader import Leadership
from accueil.switchboard.leading import Leading
from accueil.switchboard.live import Live, build_live
from accueil.switchboard.runner import FENCED
from accueil.telephony.memory import MemoryTelephony

World = tuple[Engine, DatabaseProxy, Engine]


@pytest.fixture
def world(postgres_url: str) -> Iterator[World]:
    direct = make_engine(postgres_url)
    migrate(direct)
    seed(direct)
    url = make_url(postgres_url)
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    proxied = make_engine(url.set(host="127.0.0.1", port=proxy.port))
    try:
        yield direct, proxy, proxied
    finally:
        proxied.dispose()
        proxy.close()
        direct.dispose()


def _maker(engine: Engine, telephony: MemoryTelephony, clock: RealClock) -> Callable[[], Live]:
    return lambda: build_live(Application(engine, clock), clock, telephony)


# The lease: checked every 0.05 s, a leader acts for FENCE s after the last check that found
# its lock. Long enough that a loaded machine's stall between two checks does not fence a
# leader that holds its lock (0.3-0.5 s did: an agent's action before the cut could be
# refused); the leader and the standby have the same, so the test's order holds at any value.
FENCE = 1.0


def test_a_standby_begins_only_once_the_cut_off_leader_has_stopped(world: World) -> None:
    direct, proxy, proxied = world
    clock, phone_a, phone_b = RealClock(), MemoryTelephony(), MemoryTelephony()

    async def main() -> None:
        a = Leading(
            Leadership(proxied, "ws://a"), _maker(proxied, phone_a, clock), lambda _: None,
            clock=clock, retry=0.05, check=0.05, hold=2 * FENCE, fence=FENCE,
        )  # fmt: skip
        await a.start()
        assert a.live is not None
        board = a.live.board
        await board.login("alice")
        await board.ready("alice")
        phone_a.inbound("c1", CALLER, CLAIRE)
        await _until("c1 offered", lambda: "c1" in board.calls and bool(board.calls["c1"].token))
        token = board.calls["c1"].token

        a_acting_when_b_began: list[bool] = []

        def b_changed(live: Live | None) -> None:
            if live is not None:
                a_acting_when_b_began.append(board.runner.may_act())

        b = Leading(
            Leadership(direct, "ws://b"), _maker(direct, phone_b, clock), b_changed,
            clock=clock, retry=0.05, check=0.05, fence=FENCE,
        )  # fmt: skip
        await b.start()
        assert b.live is None  # a leads

        proxy.cut()  # a is cut off; the server drops its session, and the lock with it
        # b's ``on_change`` is the moment its term begins (``live`` is set a step before it)
        await _until("b began", lambda: bool(a_acting_when_b_began))
        assert a_acting_when_b_began == [False]  # a had stopped before b's term began
        assert b.term is not None and b.term.number == 2

        with pytest.raises(Refused, match=FENCED):  # a, fenced, refuses its agent at once
            await board.accept("alice", "c1", token)
        phone_a.inbound("c2", CALLER, SWITCHBOARD)  # and a new call, loudly
        await _until("c2 refused", lambda: phone_a.lines["c2"].over)
        assert phone_a.requests("c2")[-1] == ("hang_up", "the switchboard cannot take calls now")

        await _until("a stood down", lambda: a.live is None)  # its lock is b's now
        await a.stop()
        await b.stop()

    asyncio.run(main())


def test_a_leader_fenced_then_back_with_its_lock_applies_what_waited(world: World) -> None:
    direct, proxy, proxied = world
    clock, phone = RealClock(), MemoryTelephony()

    async def main() -> None:
        leading = Leading(
            Leadership(proxied, "ws://a"), _maker(proxied, phone, clock), lambda _: None,
            clock=clock, retry=0.05, check=0.05, hold=60.0, fence=FENCE,
        )  # fmt: skip
        await leading.start()
        assert leading.live is not None
        board = leading.live.board
        await board.login("alice")  # not ready: the call waits in line
        phone.inbound("c1", CALLER, CLAIRE)
        await _until("c1 waiting", lambda: "c1" in board.calls)

        proxy.cut()
        await _until("fenced", lambda: not board.runner.may_act())
        with pytest.raises(Refused, match=FENCED):
            await board.ready("alice")
        phone.caller_hangs_up("c1")  # a fact: it waits, in order, for the lease
        await asyncio.sleep(0.2)
        assert "c1" in board.calls  # not applied while fenced

        proxy.restore()  # the lock is taken back in the same term: it acts again
        await _until("c1 ended", lambda: "c1" not in board.calls)
        assert board.runner.may_act()
        await board.ready("alice")
        await _until("the journal caught up", lambda: not board.backlog and not board.unrecorded)
        assert leading.term is not None and leading.term.number == 1
        await leading.stop()

    asyncio.run(main())
    with direct.connect() as connection:
        recorded = connection.exec_driver_sql("SELECT call_id, fate FROM call_records").all()
    assert [tuple(r) for r in recorded] == [("c1", "abandoned")]
