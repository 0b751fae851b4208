"""A caller waiting in line is held (ringback) up to the longest wait, not refused by Kamailio's
transaction timer: a suspended call is kept by a blind branch timed by the transaction's
``fr_timer`` (tm's default 30 s), so before the fix a caller nobody was ready for got 480 at
30 s. Here that timer is 3 s (``SipSettings.fr_timer_seconds``) and the longest wait 45 s (never
waited when the test passes), so the test takes seconds, not 30."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from call_world import Line, play
from sip_world import READY, Sipp, need_sip_tools, settings
from sqlalchemy import Engine

from accueil.sip.kamailio import Kamailio
from accueil.switchboard.calls import Stage

FR_TIMER = 3
# the whole call, from the INVITE to the answer, is to fit in it: on a loaded machine the
# test took 11.5 s in all (its registration before the INVITE), close to the 15 s it had; a
# passing run never waits it, so it is far above that, yet within the caller's SIPp (60 s)
MAX_WAIT = 45


@pytest.fixture
def short_timers(tmp_path: Path, trunk: tuple[int, int]) -> Iterator[Kamailio]:
    """A Kamailio whose default transaction timer is 3 s, holding a caller 15 s at most."""
    need_sip_tools()
    chosen = settings(
        (f"127.0.0.1:{trunk[0]}",), fr_timer_seconds=FR_TIMER, max_wait_seconds=MAX_WAIT
    )
    started = Kamailio(chosen, tmp_path / "kamailio")
    started.start(ready_within=READY)
    yield started
    started.stop()


def test_a_caller_waiting_in_line_outlives_the_transaction_timer_and_is_answered(
    seeded: Engine, short_timers: Kamailio, tmp_path: Path, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "answer")
        await w.board.login("alice")  # logged in, not ready: the caller waits in line
        caller = w.calling()
        await w.until(
            lambda: [line.waiting is not None for line in w.telephony.lines.values()] == [True]
        )
        [(call, line)] = w.telephony.lines.items()
        # held past the transaction's timer, which ran from before the call was seen held:
        # nothing is to happen meanwhile, so this waits a fixed time (a loaded machine can only
        # make the check weaker, never fail it)
        await asyncio.sleep(FR_TIMER + 1.5)
        assert not caller.done(), (await caller).explain()  # no final reply: still ringback
        assert line.waiting is not None and line.ending is None
        assert [c.stage for c in w.board.calls.values()] == [Stage.WAITING]
        await w.board.ready("alice")
        done = await caller
        assert done.ok, done.explain() + w.kamailio.said()
        assert "SIP/2.0 180" in done.messages
        softphone = await w.done("alice", alice)
        assert softphone.ok, softphone.explain()
        assert w.desks.last("alice", "connected")["call"] == call

    play(seeded, short_timers, Sipp(short_timers, tmp_path), trunk, scenario)
