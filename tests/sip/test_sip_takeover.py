"""A switchboard take-over (the leader killed, a standby wins) while Kamailio holds calls: the
new leader's SIP telephony asks Kamailio for its lines when it connects and takes each call on
where it is. A caller waiting in line is rung to the secretary the new leader chooses; a
person's device ringing goes on to the next device, then the pool; a call
the dead leader never journaled is decided; a connected call is ended by the new leader when
the secretary saves the outcome; a caller who gave up while no leader listened is ended and
recorded, never left ringing. On SQLite (one
process: a restart), the journal as a standby reads it."""

from __future__ import annotations

from call_world import VIP, Line, play
from sip_world import Sipp
from sqlalchemy import Engine

from accueil.sip.kamailio import Kamailio
from accueil.switchboard.calls import Stage
from accueil.switchboard.journal import Journal
from accueil.switchboard.leader import Leadership
from martin_answers import MESSAGE_ANSWERS


def _lead(w: Line, leadership: Leadership) -> Journal:
    journal = Journal(leadership.engine, leadership.begin_term(w.clock.now(), 1.0).number)
    w.board.journal = journal
    return journal


async def _held(w: Line) -> str:
    """The one call, waiting in line while Kamailio holds it; its id."""
    await w.until(
        lambda: (
            [c.stage for c in w.board.calls.values()] == [Stage.WAITING]
            and all(line.waiting is not None for line in w.telephony.lines.values())
        )
    )
    [call] = w.board.calls
    return call


async def _killed(old: Line) -> None:
    """The old leader dies: its evapi connection closes, its engine stops."""
    await old.telephony.stop()
    await old.board.runner.stop()


async def _taken_over(old: Line, engine: Engine, leadership: Leadership) -> Line:
    """A new leader restores the journal, journals on, starts and connects to Kamailio."""
    new = Line(engine, old.kamailio, old.sipp, (old.caller_port, old.trunk_port), clock=old.clock)
    journal = _lead(new, leadership)
    new.board.restore(journal.load())
    await new.board.start()
    await new.telephony.start()
    return new


def test_a_caller_waiting_when_the_leader_dies_is_rung_by_the_new_leader(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    leadership = Leadership(seeded, "ws://one")

    async def scenario(old: Line) -> None:
        _lead(old, leadership)
        alice = await old.phone("alice", "answer")
        await old.board.login("alice")  # logged in, not ready: the call waits in line
        caller = old.calling()
        call = await _held(old)
        await _killed(old)
        new = await _taken_over(old, seeded, leadership)
        try:
            # the new leader follows the call Kamailio still holds
            assert new.telephony.lines[call].waiting is not None
            assert list(new.board.calls) == [call]
            await new.board.ready("alice")
            done = await caller
            assert done.ok, done.explain() + old.kamailio.said()
            softphone = await new.done("alice", alice)
            assert softphone.ok, softphone.explain()
            assert f"X-Accueil-Call: {call}" in softphone.messages
            assert new.desks.last("alice", "connected")["call"] == call
        finally:
            await new.telephony.stop()
            await new.board.stop()

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_caller_who_gave_up_while_no_leader_listened_is_ended_and_recorded(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    leadership = Leadership(seeded, "ws://one")

    async def scenario(old: Line) -> None:
        _lead(old, leadership)
        await old.board.login("alice")
        caller = old.calling(cancel_after_ms=2500)  # gives up after 2.5 s of ringback
        call = await _held(old)
        await _killed(old)
        done = await caller  # Kamailio took the CANCEL (487); nobody heard of it
        assert done.ok, done.explain() + old.kamailio.said()
        new = await _taken_over(old, seeded, leadership)
        try:
            # Kamailio holds the call no more: the new leader ends it, as abandoned
            await new.until(lambda: not new.board.calls)
            await new.until(lambda: [(r.call_id, r.fate) for r in new.records()] != [])
            assert [(r.call_id, r.fate) for r in new.records()] == [(call, "abandoned")]
            assert new.telephony.lines == {}
        finally:
            await new.telephony.stop()
            await new.board.stop()

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_call_the_dead_leader_never_journaled_is_decided_by_the_new_one(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    leadership = Leadership(seeded, "ws://one")

    async def scenario(old: Line) -> None:
        _lead(old, leadership)
        alice = await old.phone("alice", "answer")
        await old.board.login("alice")
        # the old leader reads Kamailio's question and dies before its journal has the call
        old.telephony.attach(lambda event: None)
        caller = old.calling()
        await old.until(lambda: len(old.telephony.lines) == 1)
        [call] = old.telephony.lines
        await _killed(old)
        new = await _taken_over(old, seeded, leadership)
        try:
            await new.until(lambda: call in new.board.calls)  # decided now, still ringing back
            await new.board.ready("alice")
            done = await caller
            assert done.ok, done.explain() + old.kamailio.said()
            assert (await new.done("alice", alice)).ok
            assert new.desks.last("alice", "connected")["call"] == call
        finally:
            await new.telephony.stop()
            await new.board.stop()

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_connected_call_is_ended_by_the_new_leader_once_the_outcome_is_saved(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    leadership = Leadership(seeded, "ws://one")

    async def scenario(old: Line) -> None:
        _lead(old, leadership)
        alice = await old.phone("alice", "answer")
        await old.ready("alice")
        calling = old.calling(hung_up=True)  # the caller waits for a BYE, never sends one
        await old.until(lambda: old.desks.of("alice", "connected") != [])
        call = old.desks.last("alice", "connected")["call"]
        await _killed(old)
        new = await _taken_over(old, seeded, leadership)
        try:
            assert new.telephony.lines[call].dialog is not None  # Kamailio told where it is
            saved = await new.board.finish("alice", call, MESSAGE_ANSWERS)
            assert saved["outcome"] == "take_message"
            done = await calling  # the dialog module sent BYE to both parties
            assert done.ok, done.explain() + old.kamailio.said()
            answered = await new.done("alice", alice)
            assert answered.ok, answered.explain()
            assert "BYE sip:" in done.messages and new.telephony.lines == {}
        finally:
            await new.telephony.stop()
            await new.board.stop()

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_vip_call_ringing_the_mobile_when_the_leader_dies_goes_on_to_the_next_device(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    leadership = Leadership(seeded, "ws://one")

    async def scenario(old: Line) -> None:
        _lead(old, leadership)
        mobile = await old.mobile("no_answer")
        alice = await old.phone("alice", "answer")
        await old.board.login("alice")
        caller = old.calling(caller=VIP)
        await old.until(lambda: any(line.ringing for line in old.telephony.lines.values()))
        await _killed(old)  # the mobile rings on
        new = await _taken_over(old, seeded, leadership)
        try:
            [call] = new.board.calls
            # the mobile's 5 s run out, the desk phone is not registered: the pool's turn
            await new.until(lambda: new.board.calls[call].stage is Stage.WAITING, within=30.0)
            await new.board.ready("alice")
            done = await caller
            assert done.ok, done.explain() + old.kamailio.said()
            assert (await new.done("mobile", mobile)).ok  # rung once, cancelled at 5 s
            assert (await new.done("alice", alice)).ok
            assert new.desks.last("alice", "connected")["call"] == call
        finally:
            await new.telephony.stop()
            await new.board.stop()

    play(seeded, kamailio, sipp, trunk, scenario)
