"""The life of a call through the live switchboard: inbound → decision → pool → offer with the
screen pop → accept → bridge → the script's outcome recorded before the desk hears "saved"."""

from __future__ import annotations

import pytest
from board_world import (
    BLOCKED,
    CALLER,
    CLAIRE,
    MESSAGE_ANSWERS,
    SWITCHBOARD,
    VIP,
    Board,
    play,
)
from sqlalchemy import Engine, select

from accueil.core.routing.config import EngineConfig
from accueil.errors import InvalidInput
from accueil.services.messages import list_messages
from accueil.store.tables_outbox import OutboxRow
from accueil.switchboard.calls import Refused


def test_a_pooled_call_is_offered_answered_and_recorded_with_its_message(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.agent_ready("alice")
        await w.ring("c1")
        offer = w.desks.last("alice", "offer")
        assert offer["call"] == "c1" and offer["expires_in"] == 15.0
        assert offer["pop"]["account"]["key"] == "martin"
        assert offer["pop"]["person"]["name"] == "Claire Martin"
        assert w.telephony.requests("c1") == [("ring_agent", "alice")]
        await w.settle(4.0)
        await w.board.accept("alice", "c1", offer["token"])
        await w.settle()
        assert w.telephony.lines["c1"].connected_to == "alice"
        assert w.desks.last("alice", "connected")["call"] == "c1"
        saved = await w.board.finish("alice", "c1", MESSAGE_ANSWERS)
        # the desk hears "saved" only once the record and its outbox row are committed
        [record] = w.records()
        assert saved["record"] == record.id and saved["outcome"] == "take_message"
        assert (record.fate, record.agent_key, record.outcome) == (
            "answered",
            "alice",
            "take_message",
        )
        assert record.waited_seconds == pytest.approx(4.0)
        assert record.script_ref == "account:1" and record.treatment == "answer"
        assert ["nom", "Nom", "Jean Dupont"] in record.message
        with w.app.sessions() as session:
            names = session.scalars(select(OutboxRow.name).where(OutboxRow.name == "call.recorded"))
            assert list(names) == ["call.recorded"]
            # the message is stored for delivery with the record, and the desk is given its id
            [message] = list_messages(session, "martin", person="claire")
            assert saved["message"] == message.uid and message.call_id == "c1"
            assert message.agent == "alice" and ("nom", "Nom", "Jean Dupont") in message.fields
        await w.settle()
        assert w.telephony.lines["c1"].over
        assert w.desks.last("alice", "wrapup")["call"] == "c1"
        assert w.board.calls == {}

    play(seeded, scenario)


def test_a_missed_offer_goes_to_the_next_agent_and_the_call_keeps_its_place(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.agent_ready("alice", "bob")
        await w.ring("c1")
        first = [a for a in ("alice", "bob") if w.desks.of(a, "offer")]
        assert len(first) == 1
        await w.ring("c2", dialled=SWITCHBOARD)  # the other agent takes the second call
        await w.settle(15.0)  # the first agent's lease lapses, unanswered
        missed = first[0]
        assert w.desks.last(missed, "revoked")["call"] == "c1"
        offers = {a: w.desks.last(a, "offer")["call"] for a in ("alice", "bob")}
        # c2 went to the other agent; c1 is still first in line and waits for a free agent
        assert [c["call"] for c in w.board.live_calls()] == ["c1", "c2"]
        assert offers[missed] in {"c1", "c2"}

    play(seeded, scenario)


def test_the_runner_wakes_at_the_engines_deadline_without_sleeping(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.agent_ready("alice")
        await w.ring("c1")
        await w.settle(14.9)
        assert not w.desks.of("alice", "revoked")
        await w.settle(0.1)
        assert w.desks.last("alice", "revoked")["reason"] == "offer not answered within 15 s"

    play(seeded, scenario)


def test_a_caller_who_hangs_up_while_waiting_is_recorded_as_abandoned(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.board.login("alice")  # logged in, not ready: the call waits
        await w.ring("c1")
        await w.settle(12.0)
        w.telephony.caller_hangs_up("c1")
        await w.settle()
        [record] = w.records()
        assert (record.fate, record.agent_key, record.waited_seconds) == ("abandoned", "", 12.0)
        assert w.board.calls == {} and w.board.host.engine.snapshot().waiting == ()

    play(seeded, scenario)


def test_a_call_that_waits_too_long_overflows(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.board.login("alice")
        await w.ring("c1")
        await w.settle(60.0)
        [record] = w.records()
        assert record.fate == "overflowed"
        assert w.telephony.requests("c1")[-1][0] == "hang_up"

    play(seeded, scenario, config=EngineConfig(max_wait=60.0))


def test_a_vip_rings_claires_devices_in_turn_then_falls_back_to_the_pool(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.agent_ready("alice")
        await w.ring("c1", caller=VIP)
        assert w.telephony.requests("c1") == [("ring_device", "mobile +33641404068 20s")]
        w.telephony.no_answer("c1", "mobile")
        await w.settle()
        assert w.telephony.requests("c1")[-1] == (
            "ring_device",
            "desk sip:2001@pbx.cabinet-martin.example 15s",
        )
        w.telephony.busy("c1", "desk")
        await w.settle()
        assert w.telephony.requests("c1")[-1] == ("ring_agent", "alice")
        assert w.desks.last("alice", "offer")["call"] == "c1"

    play(seeded, scenario)


def test_a_vip_whose_mobile_answers_is_recorded_as_connected(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.ring("c1", caller=VIP)
        await w.settle(6.0)
        w.telephony.answer("c1", "mobile")
        await w.settle(60.0)
        w.telephony.caller_hangs_up("c1")
        await w.settle()
        [record] = w.records()
        assert (record.fate, record.treatment, record.waited_seconds) == (
            "connected",
            "connect",
            6.0,
        )
        assert record.rule == "VIP → mobile then desk"

    play(seeded, scenario)


def test_a_blocked_caller_is_rejected_and_recorded(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.ring("c1", caller=BLOCKED)
        assert w.telephony.requests("c1") == [("hang_up", "rejected (polite)")]
        assert [r.fate for r in w.records()] == ["rejected"]

    play(seeded, scenario)


def test_a_number_that_leads_nowhere_is_hung_up_loudly(seeded: Engine) -> None:
    async def scenario(w: Board) -> None:
        await w.ring("c1", dialled="+33199999999")
        [(what, detail)] = w.telephony.requests("c1")
        assert what == "hang_up" and "leads to no account" in detail
        assert w.records() == [] and w.board.calls == {}

    play(seeded, scenario)


def test_the_caller_hanging_up_mid_call_leaves_the_agent_to_give_the_outcome(
    seeded_lite: Engine,
) -> None:
    async def scenario(w: Board) -> None:
        await w.agent_ready("alice")
        await w.ring("c1")
        await w.board.accept("alice", "c1", w.desks.last("alice", "offer")["token"])
        await w.settle(30.0)
        w.telephony.caller_hangs_up("c1")
        await w.settle()
        assert w.desks.last("alice", "wrapup")["call"] == "c1"
        saved = await w.board.finish("alice", "c1", MESSAGE_ANSWERS)
        assert saved["transferred_to"] == ""
        assert [r.fate for r in w.records()] == ["answered"]

    play(seeded_lite, scenario)


def test_bad_actions_get_a_clear_error_and_change_nothing(seeded_lite: Engine) -> None:
    async def scenario(w: Board) -> None:
        with pytest.raises(Exception, match="no agent 'zoe'"):
            await w.board.login("zoe")
        with pytest.raises(Refused, match="not logged in"):
            await w.board.ready("alice")
        await w.agent_ready("alice", "bob")
        await w.ring("c1", caller=CALLER, dialled=CLAIRE)
        holder = "alice" if w.desks.of("alice", "offer") else "bob"
        other = "bob" if holder == "alice" else "alice"
        token = w.desks.last(holder, "offer")["token"]
        with pytest.raises(Refused, match="not offered to"):
            await w.board.accept(other, "c1", token)
        with pytest.raises(Refused, match="stale token"):
            await w.board.accept(holder, "c1", token + 7)
        with pytest.raises(Refused, match="no call 'c9'"):
            await w.board.accept(holder, "c9", token)
        await w.board.accept(holder, "c1", token)
        with pytest.raises(Refused):
            await w.board.accept(holder, "c1", token)  # a duplicate accept
        with pytest.raises(InvalidInput, match="next question 'objet'"):
            await w.board.finish(
                holder, "c1", {k: v for k, v in MESSAGE_ANSWERS.items() if k != "objet"}
            )
        assert w.records() == []  # nothing recorded; the call goes on
        assert w.board.calls["c1"].stage.value == "talking"
        saved = await w.board.finish(holder, "c1", MESSAGE_ANSWERS)
        assert saved["type"] == "saved"

    play(seeded_lite, scenario)
