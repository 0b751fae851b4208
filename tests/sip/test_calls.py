"""Calls through Kamailio decided by the switchboard, with SIPp as callers, secretaries'
softphones and phones: the engine's choice rings, a missed or refused offer goes on to the next
secretary, a caller who gives up is counted, a blocked caller is refused, a VIP's call rings
the person's devices in order."""

from __future__ import annotations

import asyncio
import dataclasses

from call_world import BLOCKED, CALLER, MONDAY_10, VIP, Line, play
from sip_world import DOMAIN, Sipp
from sqlalchemy import Engine

from accueil.sip import scenarios
from accueil.sip.kamailio import Kamailio
from accueil.telephony.port import Answered, Busy, NoAnswer
from martin_answers import MESSAGE_ANSWERS


def test_a_call_from_the_trunk_rings_the_secretary_the_engine_chose(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "answer")
        await w.ready("alice")
        caller = await w.call()
        assert caller.ok, caller.explain() + w.kamailio.said()
        softphone = await w.done("alice", alice)
        assert softphone.ok, softphone.explain()
        offer = w.desks.last("alice", "offer")
        assert offer["pop"]["person"]["name"] == "Claire Martin"
        # the softphone got the call id, account and person for its own screen pop
        assert f"X-Accueil-Call: {offer['call']}" in softphone.messages
        assert "X-Accueil-Account: martin" in softphone.messages
        assert "X-Accueil-Person: claire" in softphone.messages
        assert w.desks.last("alice", "connected")["call"] == offer["call"]
        await w.until(lambda: w.desks.of("alice", "wrapup") != [])  # the caller hung up

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_missed_offer_is_cancelled_and_the_next_secretary_rings(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "no_answer")
        bob = await w.phone("bob", "answer")
        await w.ready("alice")
        await w.board.login("bob")
        caller = w.calling()
        await w.until(lambda: w.desks.of("alice", "offer") != [])
        # hers lapses at 2 s; bob's, made after, has 30 s: a loaded machine's SIPp slow to
        # answer must not make his lapse too (offers take the time-out when they are made)
        engine = w.board.host.engine
        engine.config = dataclasses.replace(engine.config, offer_timeout=30.0)
        await w.board.ready("bob")
        done = await caller
        assert done.ok, done.explain() + w.kamailio.said()
        missed, answered = await w.done("alice", alice), await w.done("bob", bob)
        assert missed.ok and "CANCEL sip:alice@" in missed.messages, missed.explain()
        assert answered.ok, answered.explain()
        assert w.desks.last("alice", "revoked")["reason"].startswith("offer not answered")
        assert w.desks.last("bob", "connected")["call"] == w.desks.last("alice", "offer")["call"]

    play(seeded, kamailio, sipp, trunk, scenario, offer_timeout=2.0)  # lapses at 2 s


def test_a_busy_secretary_declines_and_the_call_goes_on(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "busy")
        bob = await w.phone("bob", "answer")
        await w.ready("alice")
        await w.board.login("bob")
        caller = w.calling()
        await w.until(lambda: w.desks.of("alice", "offer") != [])
        [line] = w.telephony.lines.values()
        # refused at once (486): Kamailio holds the call again, nothing rings; a declined offer,
        # not the lapse of its 15 s (which would revoke it: a "revoked" on alice's desk)
        # (waited for what the telephony told: the line may wait, not ringing, before alice's
        # phone was even rung, on a loaded machine)
        busy = Busy(w.desks.last("alice", "offer")["call"], "alice")
        await w.until(lambda: busy in w.telephony.heard)
        await w.until(lambda: line.waiting is not None and not line.ringing)
        assert w.desks.of("alice", "revoked") == []
        await w.board.ready("bob")
        done = await caller
        assert done.ok, done.explain() + w.kamailio.said()
        assert (await w.done("alice", alice)).ok and (await w.done("bob", bob)).ok

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_call_held_again_after_a_busy_secretary_outlives_the_failed_branch_timer(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    """Kamailio holds a call it asks accueil about with a blind branch timed by the
    transaction's fr_timer: it was the last branch's (here 1 s, the time a reply is waited
    for) after a failed branch, and tm's default 30 s at the first question, so a caller
    waiting in line got 408 (or 480) that soon. Now held up to the longest wait."""

    async def scenario(w: Line) -> None:
        w.telephony.reply_seconds = 1.0
        alice = await w.phone("alice", "busy")
        bob = await w.phone("bob", "answer")
        await w.ready("alice")
        await w.board.login("bob")
        caller = w.calling()
        await w.until(lambda: w.desks.of("alice", "offer") != [])
        [line] = w.telephony.lines.values()
        await w.until(lambda: any(isinstance(e, Busy) for e in w.telephony.heard))  # her 486
        await w.until(lambda: line.waiting is not None and not line.ringing)
        # held past the failed branch's timer (1 s) and Kamailio's resend of it: nothing is
        # to happen meanwhile, so this waits a fixed time (a loaded machine can only make the
        # check weaker, never fail it)
        await asyncio.sleep(3.0)
        assert not caller.done(), (await caller).explain()
        assert line.waiting is not None and [type(e) for e in w.telephony.heard][-1] is Busy
        # bob's softphone has the usual time to reply: a SIPp slow to be scheduled on a loaded
        # machine is not out of reach
        w.telephony.reply_seconds = 4.0
        await w.board.ready("bob")
        done = await caller
        assert done.ok, done.explain() + w.kamailio.said()
        assert (await w.done("alice", alice)).ok and (await w.done("bob", bob)).ok

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_hold_and_a_transfer_pass_through_the_proxy_inside_the_call(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        target = f"sip:claire-desk@{DOMAIN}"
        alice = await w.phone("alice", "", scenario=scenarios.holding_and_transferring(target))
        await w.ready("alice")
        done = await w.call(held_and_referred=True)
        assert done.ok, done.explain() + f"{w.board.live_calls()} {w.telephony.lines}"
        softphone = await w.done("alice", alice)
        assert softphone.ok, softphone.explain()
        # the re-INVITE (hold) and the REFER reached the caller through Kamailio's Record-Route
        reinvite = done.messages.split(f"INVITE sip:{CALLER}@127.0.0.1:", 1)[1]
        assert "a=sendonly" in reinvite, done.messages[-3000:]
        refer = done.messages.split(f"REFER sip:{CALLER}@127.0.0.1:", 1)[1]
        assert f"Refer-To: <{target}>" in refer and "Via: SIP/2.0/UDP 127.0.0.1" in refer
        # still one call, connected, until the caller hung up
        call = w.desks.last("alice", "offer")["call"]
        assert w.desks.last("alice", "connected")["call"] == call
        await w.until(lambda: w.desks.of("alice", "wrapup") != [])
        assert w.telephony.lines == {}  # the caller's BYE ended it, as SIP tells it

    play(seeded, kamailio, sipp, trunk, scenario)


def test_the_switchboard_ends_a_connected_call_once_the_outcome_is_saved(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "answer")
        await w.ready("alice")
        calling = w.calling(hung_up=True)  # the caller waits for a BYE, never sends one
        await w.until(lambda: w.desks.of("alice", "connected") != [])
        call = w.desks.last("alice", "connected")["call"]
        saved = await w.board.finish("alice", call, MESSAGE_ANSWERS)
        assert saved["outcome"] == "take_message" and saved["transferred_to"] == ""
        done = await calling  # Kamailio's dialog module sent BYE to both parties
        assert done.ok, done.explain() + w.kamailio.said()
        softphone = await w.done("alice", alice)
        assert softphone.ok, softphone.explain()
        assert "BYE sip:" in done.messages and w.telephony.lines == {}
        [record] = w.records()
        assert (record.call_id, record.fate, record.outcome) == (call, "answered", "take_message")

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_connected_call_the_telephony_did_not_see_begin_still_ends_on_the_bye(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "answer")
        await w.ready("alice")
        calling = w.calling(talk_ms=1500)
        await w.until(lambda: w.desks.of("alice", "connected") != [])
        w.telephony.lines.clear()  # what a new process's telephony knows after a restart
        assert (await calling).ok
        assert (await w.done("alice", alice)).ok
        await w.until(lambda: w.desks.of("alice", "wrapup") != [])  # the BYE ended it

    play(seeded, kamailio, sipp, trunk, scenario)


def test_out_of_hours_a_secretary_takes_a_message(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        alice = await w.phone("alice", "answer")
        await w.ready("alice")
        done = await w.call()
        assert done.ok, done.explain() + w.kamailio.said()
        assert (await w.done("alice", alice)).ok
        pop = w.desks.last("alice", "offer")["pop"]
        assert (pop["treatment"], pop["rule"]) == ("message", "closed"), pop["explanation"]
        assert pop["account"]["open"] is False

    evening = MONDAY_10.replace(hour=20)  # 21:00 in Paris: the office is closed
    play(seeded, kamailio, sipp, trunk, scenario, start=evening)


def test_a_caller_who_hangs_up_while_waiting_is_recorded_as_abandoned(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        await w.board.login("alice")  # logged in, not ready: the caller waits, hearing ringback
        done = await w.call(cancel_after_ms=800)
        assert done.ok, done.explain() + w.kamailio.said()
        await w.until(lambda: len(w.records()) == 1)
        [record] = w.records()
        assert (record.fate, record.agent_key) == ("abandoned", "")
        assert record.waited_seconds is not None and record.waited_seconds >= 0.7
        assert w.board.calls == {} and w.telephony.lines == {}

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_blocked_caller_is_refused_with_403(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        done = await w.call(caller=BLOCKED, expect=403)
        assert done.ok, done.explain() + w.kamailio.said()
        await w.until(lambda: len(w.records()) == 1)
        assert [r.fate for r in w.records()] == ["rejected"]

    play(seeded, kamailio, sipp, trunk, scenario)


def test_a_vip_rings_the_mobile_through_the_trunk_then_the_desk_phone(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        mobile = await w.mobile("busy")  # on another call
        desk = await w.phone("claire-desk", "answer")
        done = await w.call(caller=VIP)
        assert done.ok, done.explain() + w.kamailio.said()
        rang = await w.done("mobile", mobile)
        assert rang.ok and "INVITE sip:+33641404068@127.0.0.1" in rang.messages, rang.explain()
        assert (await w.done("claire-desk", desk)).ok
        await w.until(lambda: len(w.records()) == 1)
        [record] = w.records()
        assert (record.fate, record.treatment) == ("connected", "connect")
        assert record.waited_seconds is not None
        # the mobile refused at once (486) and the desk rang then: its 5 s were not waited out
        # (a lapse is told as NoAnswer), whatever the time a loaded machine took meanwhile
        rings = [e for e in w.telephony.heard if isinstance(e, Answered | Busy | NoAnswer)]
        assert rings == [Busy(record.call_id, "mobile"), Answered(record.call_id, "desk")]

    play(seeded, kamailio, sipp, trunk, scenario)


def test_without_accueil_connected_a_call_is_refused_at_once(
    kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario() -> None:
        refused = await sipp.run(
            "caller", scenarios.caller("+33612345678", "+33140000001", DOMAIN, expect=503,
                                       ringback=False), port=trunk[0],
        )  # fmt: skip
        # at once: not held (no ringback, 180, which SIPp would take as unexpected) until
        # Kamailio's hold limit, whatever the time a loaded machine takes to start SIPp
        assert refused.ok, refused.explain()
        assert "SIP/2.0 180" not in refused.messages

    asyncio.run(scenario())


def test_a_lost_evapi_link_refuses_calls_at_once_and_accueil_reconnects(
    seeded: Engine, kamailio: Kamailio, sipp: Sipp, trunk: tuple[int, int]
) -> None:
    async def scenario(w: Line) -> None:
        link = w.telephony.link
        assert link._writer is not None
        link._writer.close()  # the connection drops (Kamailio's end sees it closed)
        await w.until(lambda: link.connections == 2 and link.connected.is_set())
        refused = await w.call(caller=BLOCKED, expect=403)  # decided again, over the new link
        assert refused.ok, refused.explain() + w.kamailio.said()
        await link.stop()  # accueil away: every new call is refused at once
        away = await w.call(expect=503, ringback=False)
        assert away.ok, away.explain() + w.kamailio.said()
        assert "SIP/2.0 180" not in away.messages  # refused at once, not held ringing
        assert w.telephony.lines == {} and w.board.calls == {}

    play(seeded, kamailio, sipp, trunk, scenario)
