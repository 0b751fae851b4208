"""A secretary's presence from SIP: a softphone whose registration expires, or that leaves
Kamailio's OPTIONS pings unanswered, makes its secretary unavailable at once, like a silent desk;
an offer they held goes to another secretary and the call keeps its place."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from call_world import CALLER, CLAIRE, Line, play
from sip_world import DOMAIN, PASSWORDS, READY, Sipp, need_sip_tools, settings
from sqlalchemy import Engine

from accueil.sip import scenarios
from accueil.sip.edge import UNREACHABLE, UNREGISTERED
from accueil.sip.kamailio import Kamailio, free_port
from accueil.telephony.port import Busy, NoAnswer
from martin_answers import MESSAGE_ANSWERS


@pytest.fixture(params=[0])
def quick(
    request: pytest.FixtureRequest, tmp_path: Path, trunk: tuple[int, int]
) -> Iterator[Kamailio]:
    """A Kamailio that looks for expired registrations every second and allows 2 s
    registrations; with pings (the parameter: their timeout) every second."""
    need_sip_tools()
    chosen = settings(
        (f"127.0.0.1:{trunk[0]}",), min_expires=2, check_seconds=1,
        keepalive_timeout=request.param,
    )  # fmt: skip
    started = Kamailio(chosen, tmp_path / "kamailio")
    started.start(ready_within=READY)
    yield started
    started.stop()


@pytest.mark.parametrize("registers", [True, False], ids=["expiring", "never-registered"])
def test_a_softphone_gone_mid_offer_sends_the_call_to_another_secretary(
    seeded: Engine, quick: Kamailio, tmp_path: Path, trunk: tuple[int, int], registers: bool
) -> None:
    """Her registration expires while her softphone rings; or it never registered (Kamailio's
    lookup fails: 480, the offer is declined at once). The call keeps its place in line, ahead
    of a second call that came in meanwhile, and bob answers both."""

    async def scenario(w: Line) -> None:
        bob = await w.phone("bob", "answer", calls=2)
        # a home softphone, then gone: registered last, for 5 s, so that the call is offered
        # to her before it expires (3 s, after bob's phone started, was short on a loaded
        # machine: expired before the offer, she was paused and nothing was offered to her)
        if registers:
            alice = await w.phone("alice", "no_answer", expires=5)
        await w.ready("alice")
        await w.board.login("bob")
        # two callers from the trunk, half a second apart; the switchboard ends their calls
        callers = asyncio.ensure_future(
            w.sipp.run(
                "callers", scenarios.caller(CALLER, CLAIRE, DOMAIN, hung_up=True),
                port=w.caller_port, calls=2, extra=("-r", "2", "-rp", "1000"),
            )
        )  # fmt: skip
        await w.until(lambda: w.desks.of("alice", "offer") != [] and len(w.board.calls) == 2)
        offered = w.desks.last("alice", "offer")["call"]
        # her offer lasts 30 s: well before, she is made unavailable and the call goes back
        # (within seconds; bounded below the offer's end, generously for a loaded machine)
        await w.until(lambda: w.desks.of("alice", "paused") != [], within=25.0)
        assert w.desks.last("alice", "paused")["reason"] == UNREGISTERED
        waiting = w.board.host.engine.snapshot().waiting
        assert len(waiting) == 2 and waiting[0].call == offered  # its place: first in line
        assert waiting[0].since < waiting[1].since
        await w.board.ready("bob")
        for n in range(2):  # bob answers them (in the order the engine's rings give him)
            await w.until(lambda: len(w.desks.of("bob", "connected")) > n, within=20.0)  # noqa: B023
            call = w.desks.of("bob", "connected")[n]["call"]
            await w.board.finish("bob", call, MESSAGE_ANSWERS)  # the switchboard ends it
            await w.board.wrapup_done("bob")
        done = await callers
        assert done.ok, done.explain() + w.kamailio.said()
        assert {m["call"] for m in w.desks.of("bob", "connected")} == {c.call for c in waiting}
        if registers:
            missed = await w.done("alice", alice)
            assert missed.ok and "CANCEL sip:alice@" in missed.messages, missed.explain()
        answered = await w.done("bob", bob)
        assert answered.ok, answered.explain() + w.kamailio.said()

    play(seeded, quick, Sipp(quick, tmp_path), trunk, scenario, offer_timeout=30.0)


@pytest.mark.parametrize("quick", [2], indirect=True)
def test_a_softphone_silent_to_the_pings_makes_its_secretary_unavailable(
    seeded: Engine, quick: Kamailio, tmp_path: Path, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        # registered for 5 minutes, but nothing answers at its contact any more
        registered = await w.sipp.run(
            "register-alice",
            scenarios.register("alice", DOMAIN, free_port()),
            extra=("-au", "alice", "-ap", PASSWORDS["alice"]),
        )
        assert registered.ok, registered.explain()
        await w.ready("alice")
        # Kamailio drops a contact 10 s after its pings went unanswered past the timeout
        # (bounded far above those 10-12 s: a loaded machine's timers run late)
        await w.until(lambda: w.desks.of("alice", "paused") != [], within=45.0)
        assert w.desks.last("alice", "paused")["reason"] == UNREGISTERED

    play(seeded, quick, Sipp(quick, tmp_path), trunk, scenario)


def test_a_refreshed_registration_keeps_the_secretary_and_a_removed_one_pauses_her(
    seeded: Engine, quick: Kamailio, tmp_path: Path, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        contact = free_port()

        async def register(name: str, expires: int) -> None:
            done = await w.sipp.run(
                name,
                scenarios.register("alice", DOMAIN, contact, expires),
                extra=("-au", "alice", "-ap", PASSWORDS["alice"]),
            )
            assert done.ok, done.explain()

        await register("register", 300)
        await w.ready("alice")
        await register("refresh", 300)  # a softphone refreshes its registration: nothing changes
        await register("unregister", 0)  # and removes it on quitting: she is unavailable
        await w.until(lambda: w.desks.of("alice", "paused") != [])
        assert [m["reason"] for m in w.desks.of("alice", "paused")] == [UNREGISTERED]

    play(seeded, quick, Sipp(quick, tmp_path), trunk, scenario)


def test_a_registered_softphone_silent_to_its_offer_is_declined_at_once(
    seeded: Engine, kamailio: Kamailio, tmp_path: Path, trunk: tuple[int, int],
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    """Alice's softphone is registered but nothing answers at its contact (asleep, its network
    gone): not one reply to the INVITE, not even 100 Trying. The offer is refused once the
    reply time is out (Kamailio's 408 with no reply), not left to lapse with the offer (30 s
    here) while the caller waits; she is made unavailable, a warning says why, and bob
    answers the call, which kept its place."""

    async def scenario(w: Line) -> None:
        w.telephony.reply_seconds = 1.0
        registered = await w.sipp.run(
            "register-alice",
            scenarios.register("alice", DOMAIN, free_port()),
            extra=("-au", "alice", "-ap", PASSWORDS["alice"]),
        )
        assert registered.ok, registered.explain()
        bob = await w.phone("bob", "answer")
        await w.ready("alice")
        await w.board.login("bob")
        caller = w.calling(hung_up=True)
        await w.until(lambda: w.desks.of("alice", "offer") != [])
        offered = w.desks.last("alice", "offer")["call"]
        await w.until(lambda: w.desks.of("alice", "paused") != [], within=20.0)
        assert w.desks.last("alice", "paused")["reason"] == UNREACHABLE
        assert Busy(offered, "alice") in w.telephony.heard
        assert NoAnswer(offered, "alice") not in w.telephony.heard
        # bob's softphone has the usual time to reply: a SIPp slow to be scheduled on a loaded
        # machine is not out of reach
        w.telephony.reply_seconds = 4.0
        await w.board.ready("bob")
        await w.until(lambda: w.desks.of("bob", "connected") != [], within=20.0)
        assert w.desks.last("bob", "connected")["call"] == offered
        await w.board.finish("bob", offered, MESSAGE_ANSWERS)  # the switchboard ends it
        done = await caller
        assert done.ok, done.explain() + w.kamailio.said()
        answered = await w.done("bob", bob)
        assert answered.ok, answered.explain() + w.kamailio.said()

    with caplog.at_level("WARNING", logger="accueil.sip.telephony"):
        play(seeded, kamailio, Sipp(kamailio, tmp_path), trunk, scenario, offer_timeout=30.0)
    assert any(
        "alice did not reply to the INVITE" in r.getMessage() and "out of reach" in r.getMessage()
        for r in caplog.records
    )


def test_a_softphone_gone_pauses_its_secretary_before_what_the_telephony_tells_next(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    """Kamailio tells "unregistered", then the 480 of the offer that rang nobody: the pause is
    queued at once, so the switchboard takes it first. Queued from a task of its own, it came
    after, and on a loaded machine the next call in line was offered to her meanwhile (the
    never-registered case above failed so: her last offer was the second call)."""

    async def scenario(w: Line) -> None:
        await w.ready("alice")
        w.telephony.on_unregistered("alice")  # as Kamailio's event does
        # whatever is queued next (here a look at who is ready) comes after the pause
        ready = await w.board.runner.submit(
            lambda at: [a.agent for a in w.board.host.engine.snapshot().ready]
        )
        assert ready == []
        await w.until(lambda: w.desks.of("alice", "paused") != [])
        assert [m["reason"] for m in w.desks.of("alice", "paused")] == [UNREGISTERED]

    play(seeded, kamailio, sipp, trunk, scenario)
