"""A standby that takes over rebuilds the switchboard from the journal: the calls in their
places, the offers with their tokens, the desks with their cursors; the old leader is fenced
off; no record is written twice. On SQLite (a restart) and on PostgreSQL."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from board_world import MESSAGE_ANSWERS, MONDAY_10, SWITCHBOARD, Board
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from starlette.websockets import WebSocketDisconnect

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.services import users
from accueil.services.unit_of_work import Application
from accueil.switchboard.calls import Refused
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership


def _lead(world: Board, leadership: Leadership, every: int = 1000) -> Journal:
    term = leadership.begin_term(world.clock.now(), 1.0)
    journal = Journal(leadership.engine, term.number)
    world.board.journal = journal
    world.board.snapshot_every = every
    return journal


def _state(world: Board) -> dict[str, Any]:
    board = world.board
    return {
        "calls": {k: (c.stage, c.agent, c.token) for k, c in board.calls.items()},
        "engine": board.host.engine.snapshot(),
        "logged_in": set(board.logged_in),
        "desks": {
            a: [(m["type"], m.get("call"), m.get("token")) for m in sent]
            for a, sent in world.desks.sent.items()
        },
    }


async def _busy_minute(w: Board) -> None:
    """Two agents, four calls: one answered and finished, one offered, two waiting, one
    abandoned (recorded)."""
    await w.agent_ready("alice", "bob")
    await w.ring("c1")
    await w.ring("c2", dialled=SWITCHBOARD)
    first = w.desks.last("alice", "offer")
    await w.board.accept("alice", first["call"], first["token"])
    await w.settle(3.0)
    await w.board.finish("alice", first["call"], MESSAGE_ANSWERS)
    await w.ring("c3")
    await w.ring("c4")
    await w.settle(5.0)
    w.telephony.caller_hangs_up("c4")
    await w.settle(2.0)


@pytest.mark.parametrize("every", [1000, 4])  # from the journal alone; from a snapshot
def test_a_standby_rebuilds_the_same_switchboard_from_the_journal(
    seeded: Engine, every: int
) -> None:
    async def main() -> None:
        leadership = Leadership(seeded, "ws://a")
        old = Board(seeded)
        _lead(old, leadership, every)
        await old.board.start()
        await _busy_minute(old)
        await old.settle(1.0)
        before, records = _state(old), len(old.records())
        await old.board.runner.stop()  # killed: nothing more from it

        new = Board(seeded)
        new.clock.advance(old.clock.seconds())
        journal = Journal(seeded, leadership.begin_term(new.clock.now(), 1.0).number)
        saved = journal.load()
        assert (saved.state is not None) == (every == 4)  # snapshots after batches of inputs
        replayed = new.board.restore(saved)
        assert replayed > 0 or saved.state is not None
        after = _state(new)
        assert after["calls"] == before["calls"]
        assert after["engine"] == before["engine"]
        assert after["logged_in"] == before["logged_in"]
        assert after["desks"] == before["desks"]  # same cursors: a desk resumes where it was
        assert len(new.records()) == records  # nothing recorded twice
        new.board.journal = journal
        await new.board.start()

        # the offer made before the take-over is accepted once, and only once
        offered = [c for c in new.board.calls.values() if c.stage.value == "offered"]
        assert len(offered) == 1
        call = offered[0]
        await new.board.accept(call.agent, call.id, call.token)
        with pytest.raises(Refused):
            await new.board.accept(call.agent, call.id, call.token)
        # the old leader is fenced off: its journal refuses what it would still write
        old.board.runner.start()
        with pytest.raises(Refused, match="no longer leads"):
            await old.board.ready("bob")
        assert old.board.deposed
        await old.board.runner.stop()
        await new.board.stop()

    asyncio.run(main())


async def _call_waits_then_restart(engine: Engine, waited: float) -> Board:
    """Alice logged in (not ready), c1 waits ``waited`` s, the process stops; another board
    restores the journal (a restart), journals on, and starts."""
    leadership = Leadership(engine, "ws://one")
    assert leadership.try_lead() and leadership.holds()  # SQLite: one process, it leads
    first = Board(engine)
    _lead(first, leadership)
    await first.board.start()
    await first.board.login("alice")
    await first.ring("c1")
    await first.settle(waited)
    await first.board.stop()
    again = Board(engine)  # its telephony knows nothing of c1
    again.clock.advance(first.clock.seconds())
    journal = Journal(engine, leadership.begin_term(again.clock.now(), 1.0).number)
    again.board.restore(journal.load())
    again.board.journal = journal
    await again.board.start()
    return again


def test_a_restart_on_sqlite_resumes_the_calls_waiting(seeded_lite: Engine) -> None:
    async def main() -> None:
        again = await _call_waits_then_restart(seeded_lite, 7.0)
        await again.board.ready("alice")
        await again.settle()
        offer = again.desks.last("alice", "offer")
        assert offer["call"] == "c1"
        # it waited from its arrival before the restart, not from the restart
        assert again.board.live_calls()[0]["waited"] == pytest.approx(7.0)
        await again.board.stop()

    asyncio.run(main())


def test_while_the_journal_is_away_calls_flow_and_the_journal_catches_up(
    seeded_lite: Engine, tmp_path: Path
) -> None:
    async def main() -> None:
        world = Board(seeded_lite)
        journal = _lead(world, Leadership(seeded_lite, "ws://one"))
        await world.board.start()
        await world.agent_ready("alice")
        # the journal's database goes away (a file it cannot open); the switchboard goes on
        (tmp_path / "gone").write_text("a file, not a directory")
        journal.engine = create_engine(f"sqlite:///{tmp_path / 'gone' / 'journal.db'}")
        await world.ring("c1")
        offer = world.desks.last("alice", "offer")
        await world.board.accept("alice", "c1", offer["token"])
        await world.settle(2.0)
        assert len(world.board.backlog) == 2  # the call and the accept wait, in order
        assert world.board.calls["c1"].stage.value == "talking"
        # back: the next input writes what waited first, in order
        journal.engine = seeded_lite
        await world.board.heartbeat("alice")
        assert not world.board.backlog
        await world.board.stop()

        again = Board(seeded_lite)
        again.board.restore(Journal(seeded_lite).load())
        assert again.board.calls["c1"].stage.value == "talking"
        assert again.board.calls["c1"].token == offer["token"]

    asyncio.run(main())


def test_after_a_restart_the_calls_of_a_telephony_that_died_with_it_end(
    seeded_lite: Engine,
) -> None:
    async def main() -> None:
        again = await _call_waits_then_restart(seeded_lite, 5.0)
        assert await again.board.end_lost_calls() == 1
        await again.settle()
        [record] = again.records()
        assert (record.call_id, record.fate, record.waited_seconds) == ("c1", "abandoned", 5.0)
        assert again.board.calls == {}
        await again.board.stop()

    asyncio.run(main())


def test_a_standby_sends_an_agent_to_the_leader(seeded_lite: Engine) -> None:
    leader = "ws://10.0.0.7:8080/api/v1/agent/stream"
    Leadership(seeded_lite, leader).begin_term(MONDAY_10, 1.0)  # another process leads
    with Application(seeded_lite, SimulatedClock(MONDAY_10)).unit_of_work() as work:
        users.add_user(work.session, "al", Role.AGENT, agent="alice", now=work.now)
        token = users.create_token(work.session, "al", "t", now=work.now).secret
    runtime = Runtime(seeded_lite, ApiSettings(switchboard=False))
    runtime.leadership = Leadership(seeded_lite, "ws://this-one")  # stands by: no switchboard
    headers = {"Authorization": f"Bearer {token}"}
    with (
        TestClient(create_app(runtime)) as client,
        client.websocket_connect("/api/v1/agent/stream", headers=headers) as ws,
    ):
        refused = ws.receive_json()
        assert (refused["type"], refused["code"], refused["leader"]) == (
            "error",
            "not_leader",
            leader,
        )
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
        assert closed.value.code == 1013  # try again (at the leader)
