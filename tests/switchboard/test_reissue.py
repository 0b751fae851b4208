"""A leader killed between journaling an input and asking the telephony what it asked for:
the new leader asks again what the world still expects, and asking twice changes nothing.

The old leader's requests are cut off (its telephony replaced by a muted one, as if the
process died before they left it) while the journal goes on; the new leader replays on the
telephony that carries the calls (``MemoryTelephony``: the world)."""

from __future__ import annotations

import asyncio

from board_world import VIP, Board
from sqlalchemy import Engine
from test_takeover import _lead

from accueil.core.routing.config import EngineConfig
from accueil.switchboard.inputs import Mute
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership
from accueil.telephony.memory import MemoryTelephony


async def _take_over(engine: Engine, leadership: Leadership, old: Board) -> Board:
    """A new leader on the world's telephony, rebuilt from the journal, started (and stopped
    once what the world answered is handled)."""
    new = Board(engine, EngineConfig(max_wait=60.0))
    new.telephony = old.telephony
    new.board.telephony = old.telephony
    old.telephony.attach(new.board._heard)
    new.clock.advance(old.clock.seconds())
    journal = Journal(engine, leadership.begin_term(new.clock.now(), 1.0).number)
    new.board.restore(journal.load())
    await new.board.start()
    await new.settle()
    await new.board.stop()
    return new


async def _leading(engine: Engine) -> tuple[Board, Leadership]:
    leadership = Leadership(engine, "ws://a")
    old = Board(engine, EngineConfig(max_wait=60.0))
    _lead(old, leadership)
    await old.board.start()
    return old, leadership


def test_what_a_killed_leader_never_asked_is_asked_again_once(seeded: Engine) -> None:
    async def main() -> tuple[Board, Leadership]:
        old, leadership = await _leading(seeded)
        await old.agent_ready("alice")
        await old.ring("c2")  # offered to alice, who accepts below
        offer = old.desks.last("alice", "offer")
        await old.ring("c3")  # waits: it overflows after 60 s
        await old.settle(1.0)
        old.board.telephony = Mute()  # from here on, nothing the old leader asks leaves it
        old.telephony.inbound("c1", VIP, "+33140000001")  # rings Claire's mobile
        await old.settle()
        await old.board.accept("alice", "c2", offer["token"])  # bridged
        await old.settle(60.0)  # c3 overflows: hung up
        await old.board.heartbeat("alice")  # an input after it: the replay sees it too
        await old.board.runner.stop()  # killed
        return old, leadership

    old, leadership = asyncio.run(main())
    world: MemoryTelephony = old.telephony
    assert world.requests("c1") == []
    assert ("bridge", "alice") not in world.requests("c2")
    assert not world.lines["c3"].over

    new = asyncio.run(_take_over(seeded, leadership, old))
    assert world.requests("c1") == [("ring_device", "mobile +33641404068 20s")]
    assert world.requests("c2")[-1] == ("bridge", "alice")
    assert world.lines["c2"].connected_to == "alice"
    assert world.requests("c3")[-1][0] == "hang_up" and world.lines["c3"].over
    assert {r[1] for r in new.board.reissued} == {"c1", "c2", "c3"}

    # another take-over asks the same again: nothing changes in the world
    lines = {
        call: (set(line.ringing), line.connected_to, line.over)
        for call, line in world.lines.items()
    }
    again = asyncio.run(_take_over(seeded, leadership, new))
    assert {
        call: (set(line.ringing), line.connected_to, line.over)
        for call, line in world.lines.items()
    } == lines
    assert "c1" in again.board.calls and again.board.calls["c1"].stage.value == "ringing"


def test_what_the_telephony_did_and_said_is_not_asked_again(seeded: Engine) -> None:
    async def main() -> tuple[Board, Leadership]:
        old, leadership = await _leading(seeded)
        await old.ring("c3")
        await old.settle(60.0)  # overflowed: hung up, and the telephony said it ended
        await old.ring("c1", caller=VIP)
        old.telephony.no_answer("c1", "mobile")
        await old.settle()  # the desk rings now
        await old.board.runner.stop()
        return old, leadership

    old, leadership = asyncio.run(main())
    before = list(old.telephony.log)
    new = asyncio.run(_take_over(seeded, leadership, old))
    asked = [(what, call) for what, call, _ in new.board.reissued]
    assert asked == [("ring_device", "c1")]  # the desk, still ringing: harmless again
    assert old.telephony.log[len(before) :] == [
        ("ring_device", "c1", "desk sip:2001@pbx.cabinet-martin.example 15s")
    ]
    assert old.telephony.lines["c1"].ringing == {"desk"}
