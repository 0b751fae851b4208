"""A new call decided late is said in the log: its caller waited (ringback, or Kamailio held
the call) all that time, and nothing else would show it. The time is the switchboard's clock
(simulated here): the decision is held until the clock has moved."""

from __future__ import annotations

import asyncio
import threading

import pytest
from board_world import Board
from sqlalchemy import Engine

from accueil.switchboard.board import SLOW_DECISION_SECONDS


@pytest.mark.parametrize("late", [False, True], ids=["in-time", "late"])
def test_a_decision_that_comes_late_is_said_in_the_log(
    seeded: Engine, caplog: pytest.LogCaptureFixture, late: bool
) -> None:
    async def main() -> None:
        world = Board(seeded)
        await world.board.start()
        released = threading.Event()
        decide = world.board._decide

        def held(event):  # type: ignore[no-untyped-def]
            assert released.wait(10.0), "the test never released the decision"
            return decide(event)

        world.board._decide = held  # type: ignore[method-assign]
        try:
            world.telephony.inbound("c1", "+33612345678", "+33140000001")
            # the clock moves while the decision is held in its thread
            world.clock.advance(SLOW_DECISION_SECONDS + (1.0 if late else -1.0))
            released.set()
            await world.settle()
            # decided: nobody is logged in, so the switchboard hung up at once
            assert [(r, c) for r, c, _ in world.telephony.log] == [("hang_up", "c1")]
        finally:
            released.set()
            await world.board.stop()

    with caplog.at_level("WARNING", logger="accueil.switchboard.board"):
        asyncio.run(main())
    said = [r.getMessage() for r in caplog.records if "decided" in r.getMessage()]
    if late:
        assert said == ["call c1 decided 3.0 s after it came in: the decisions or the database "
                        "are slow (its caller waited meanwhile)"]  # fmt: skip
    else:
        assert said == []
