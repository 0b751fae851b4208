"""Faults on the agents' stream, through the ASGI test client: an unknown call, an accept after
the lease expired, a duplicate accept each get a clear error and change nothing; a desk too far
behind is closed and resumes by cursor; the engine goes on unharmed."""

from __future__ import annotations

from typing import Any

import pytest
from board_world import CLAIRE, MESSAGE_ANSWERS
from sqlalchemy import Engine, select, update
from starlette.websockets import WebSocketDisconnect
from stream_world import Server, next_of, serving

from accueil.errors import NotFound
from accueil.services.calls import CallRecord, record_call
from accueil.services.messages import NewMessage, take_message
from accueil.services.onboarding import load_directory
from accueil.store.tables_messages import MessageRow
from accueil.store.tables_scripts import CallRecordRow
from accueil.store.tables_users import UserRow


def _ready_alice(server: Server) -> Any:
    alice, _ = server.connect("alice_user")
    alice.send_json({"type": "ready"})
    next_of(alice, "reply")
    return alice


def _ring(server: Server, call: str) -> None:
    server.on_loop(lambda: server.telephony.inbound(call, "+33612345678", CLAIRE))


def test_unknown_calls_lapsed_and_duplicate_accepts_are_refused_and_change_nothing(
    seeded: Engine,
) -> None:
    with serving(seeded) as server:
        alice = _ready_alice(server)
        _ring(server, "c1")
        offer = next_of(alice, "offer")
        alice.send_json({"type": "accept", "call": "c9", "token": offer["token"], "id": 1})
        unknown = next_of(alice, "error")
        assert (unknown["id"], unknown["code"]) == (1, "refused")
        assert "no call 'c9'" in unknown["message"]
        assert server.live.board.calls["c1"].stage.value == "offered"
        server.advance(offer["expires_in"] + 0.5)  # the lease runs out
        assert next_of(alice, "revoked")["token"] == offer["token"]
        alice.send_json({"type": "accept", "call": "c1", "token": offer["token"], "id": 2})
        lapsed = next_of(alice, "error")
        assert (lapsed["id"], lapsed["code"]) == (2, "refused")
        [waiting] = server.live.board.host.engine.snapshot().waiting
        assert waiting.call == "c1" and waiting.since == 0.0  # still in line, in its place
        again = None
        for _ in range(30):  # the call comes back to her once a missed offer may be retried
            server.advance(1.0)
            if server.live.board.calls["c1"].stage.value == "offered":
                again = next_of(alice, "offer")
                break
        assert again is not None and again["token"] > offer["token"]
        alice.send_json({"type": "accept", "call": "c1", "token": again["token"], "id": 3})
        assert next_of(alice, "reply")["did"] == "accepted"
        alice.send_json({"type": "accept", "call": "c1", "token": again["token"], "id": 4})
        duplicate = next_of(alice, "error")
        assert (duplicate["id"], duplicate["code"]) == (4, "refused")
        [agent] = server.live.board.host.engine.snapshot().agents
        assert (agent.status, agent.call) == ("busy", "c1")  # one call, held once
        alice.send_json({"type": "finish", "call": "c1", "answers": MESSAGE_ANSWERS})
        saved = next_of(alice, "reply")  # the engine went on unharmed
        assert saved["did"] == "saved" and saved["outcome"] == "take_message"
        with server.runtime.app.sessions() as session:  # stored before the desk heard "saved"
            message = session.scalars(select(MessageRow)).one()
        assert (message.uid, message.call_id, message.agent_key) == (
            saved["message"],
            "c1",
            "alice",
        )


def test_a_desk_too_far_behind_is_closed_and_resumes_by_cursor(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        server.live.desks.queue_size = 4
        alice, hello = server.connect("alice_user")
        start = hello["cursor"]

        def burst() -> None:  # more at once than her queue holds: the socket is not waited for
            for n in range(10):
                server.live.desks.send("alice", {"type": "paused", "reason": f"r{n}"})

        server.on_loop(burst)
        got: list[dict[str, Any]] = []
        closed = next_of(alice, "error", got)
        assert closed["code"] == "closed" and "too slow" in closed["message"]
        assert len(got) < 10
        last = got[-1]["cursor"] if got else start
        again, hello = server.connect("alice_user", cursor=last)
        assert (hello["resumed"], hello["replay_whole"]) == (True, True)
        rest = [again.receive_json() for _ in range(10 - len(got))]
        assert [m["reason"] for m in got + rest] == [f"r{n}" for n in range(10)]
        assert [m["cursor"] for m in got + rest] == list(range(start + 1, start + 11))
        again.send_json({"type": "ready"})
        next_of(again, "reply")
        _ring(server, "c1")
        assert next_of(again, "offer")["call"] == "c1"


def test_an_agent_unknown_to_the_directory_is_refused_at_login(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        with server.runtime.unit() as session:  # bob left the directory; his token did not
            session.execute(
                update(UserRow).where(UserRow.name == "bob_user").values(agent_key="zoe")
            )
        bob, answer = server.connect("bob_user")
        assert (answer["type"], answer["code"]) == ("error", "not_found")
        assert "zoe" in answer["message"]
        with pytest.raises(WebSocketDisconnect):
            bob.receive_json()
        assert server.live.board.logged_in == set()
        alice = _ready_alice(server)  # the switchboard is unharmed
        _ring(server, "c1")
        assert next_of(alice, "offer")["call"] == "c1"


def test_a_message_or_record_for_a_person_of_another_account_is_refused(
    seeded_lite: Engine,
) -> None:
    """The live desk never names the person (the call's decision does); the services that store
    what it saves refuse a person of another account, and nothing is stored."""
    with serving(seeded_lite) as server:
        app = server.runtime.app
        with app.unit_of_work() as work:
            other = {"accounts": [{"key": "zulu", "name": "Zulu", "answer_name": "Zulu"}]}
            other["people"] = [
                {"account": "zulu", "key": "zoe", "first_name": "Zoé", "last_name": "Z"}
            ]
            load_directory(work.session, other, now=work.now, source="test")
        with pytest.raises(NotFound, match="zoe"), app.unit_of_work() as work:
            take_message(work.session, "martin", NewMessage(person="zoe"), now=work.now)
        with pytest.raises(NotFound, match="zoe"), app.unit_of_work() as work:
            record_call(work.session, "martin", CallRecord("", CLAIRE, work.now, person="zoe"))
        with app.sessions() as session:
            assert session.scalars(select(MessageRow)).all() == []
            assert session.scalars(select(CallRecordRow)).all() == []
