"""A take-over is bounded and said (PostgreSQL): a standby that wins the lock while the last
term's append still holds the terms' lock (a deposed leader's transaction, hung) gives its
take-over up after ``takeover`` seconds, says so, lets go of the lock and tries again; once
the append ends it takes over, saying the lock won, the inputs replayed and that it leads.
The event loop turns all along. The bounds are short here: they prove "bounded", they time
nothing."""

from __future__ import annotations

import asyncio
import io
import logging

import pytest
from board_world import seed
from sqlalchemy import Engine
from test_database_away import _until

from accueil.services.unit_of_work import Application
from accueil.switchboard.clock import RealClock
from accueil.switchboard.journal import TAKE_TERM_LOCK
from accueil.switchboard.leader import Leadership
from accueil.switchboard.leading import Leading
from accueil.switchboard.live import Live, build_live
from accueil.telephony.memory import MemoryTelephony

# each database step of a take-over is given up after this: the first try's term start always
# is (the lock is held), and the try after the append ended must fit each step in it, which a
# loaded machine's 0.3 s did not always leave room for (it then tried again, and again)
TAKEOVER = 2


def test_a_take_over_that_the_database_holds_up_is_given_up_said_and_tried_again(
    postgres_engine: Engine, caplog: pytest.LogCaptureFixture, log_lines: io.StringIO
) -> None:
    seed(postgres_engine)
    clock = RealClock()

    def make_live() -> Live:
        return build_live(Application(postgres_engine, clock), clock, MemoryTelephony())

    async def main() -> None:
        hung = postgres_engine.connect()  # the last term's append, in flight
        hung.execute(TAKE_TERM_LOCK)
        leading = Leading(
            Leadership(postgres_engine, "ws://b"), make_live, lambda _: None, clock=clock,
            retry=0.05, check=0.05, fence=0.05, takeover=TAKEOVER,
        )  # fmt: skip
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0.01)

        ticking = asyncio.create_task(tick())
        try:
            with caplog.at_level(logging.ERROR, logger="accueil.switchboard.leading"):
                await leading.start()  # the first try: given up, said, the lock let go
                assert leading.live is None
                assert "could not take the switchboard over" in caplog.text
                assert (
                    f"the database has not answered in {TAKEOVER} s (the term's start)"
                    in caplog.text
                )
                turned = ticks
                await _until("the loop turns", lambda: ticks > turned)
                hung.commit()  # the append ends: the next try takes over
                hung.close()
                # it leads once it says so: `live` is set a lock check before that
                await _until("leading", lambda: "switchboard.leading" in log_lines.getvalue())
            assert leading.live is not None and leading.term is not None
            said = log_lines.getvalue()
            for line in ("switchboard.lock_won", "switchboard.replaying"):
                assert line in said
        finally:  # a failure too lets go of the lock's connection (never left to the GC)
            ticking.cancel()
            hung.close()
            await leading.stop()

    asyncio.run(main())
