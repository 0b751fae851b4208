"""Calls through Kamailio decided in a worker process (``decision_workers``): the engine's
choice rings with the pop made in the worker, a blocked caller is refused with 403."""

from __future__ import annotations

from call_world import BLOCKED, Line, play
from sip_world import Sipp
from sqlalchemy import Engine

from accueil.sip.kamailio import Kamailio


def test_calls_decided_in_a_worker_ring_the_secretary_or_are_refused(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "answer")
        await w.ready("alice")
        caller = await w.call()
        assert caller.ok, caller.explain() + w.kamailio.said()
        assert (await w.done("alice", alice)).ok
        offer = w.desks.last("alice", "offer")
        assert offer["pop"]["person"]["name"] == "Claire Martin"
        assert w.desks.last("alice", "connected")["call"] == offer["call"]
        refused = await w.call(caller=BLOCKED, expect=403)
        assert refused.ok, refused.explain() + w.kamailio.said()
        await w.until(lambda: len(w.records()) == 1)  # the answered call is in its wrap-up
        assert [r.fate for r in w.records()] == ["rejected"]
        deciders = w.board.deciders
        assert deciders is not None and (deciders.decided, deciders.fallen_back) == (2, 0)

    play(seeded, kamailio, sipp, trunk, scenario, decision_workers=1)
