"""The journal keeps a new call as it came in: its ``Inbound`` is the call as decided, not
the call as the batch it arrived in left it (offered, an agent named, a token), since a
replay applies it again from there. On SQLite and on PostgreSQL."""

from __future__ import annotations

import asyncio

from board_world import Board
from sqlalchemy import Engine

from accueil.switchboard.calls import Stage
from accueil.switchboard.inputs import Inbound
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership


def test_a_call_offered_in_the_batch_it_came_in_is_journaled_as_it_came_in(
    seeded: Engine,
) -> None:
    async def main() -> None:
        world = Board(seeded)
        term = Leadership(seeded, "ws://a").begin_term(world.clock.now(), 1.0)
        world.board.journal = Journal(seeded, term.number)
        await world.board.start()
        await world.agent_ready("alice")
        await world.ring("c1")  # decided, enqueued and offered to alice in one batch
        live = world.board.calls["c1"]
        assert (live.stage, live.agent) == (Stage.OFFERED, "alice")
        await world.board.stop()

        saved = Journal(seeded, term.number).load()
        [came] = [e.input for e in saved.entries if isinstance(e.input, Inbound)]
        assert came.call is not None and came.call is not live
        assert (came.call.stage, came.call.agent, came.call.token) == (Stage.RINGING, "", 0)
        assert came.call.enqueued_at is None and not came.call.ringing

    asyncio.run(main())
