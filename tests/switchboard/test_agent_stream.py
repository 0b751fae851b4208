"""Agents over the WebSocket stream: login, ready, offers with the screen pop, accept, the
outcome saved; lost and silent connections, resuming by cursor; who may use the stream."""

from __future__ import annotations

import pytest
from board_world import CLAIRE, MESSAGE_ANSWERS
from sqlalchemy import Engine, select
from starlette.websockets import WebSocketDisconnect
from stream_world import STREAM, Server, next_of, serving

from accueil.store.tables_scripts import CallRecordRow


def _ring(server: Server, call: str) -> None:
    server.on_loop(lambda: server.telephony.inbound(call, "+33612345678", CLAIRE))


def test_an_agent_takes_a_call_over_the_stream_from_offer_to_saved_message(seeded: Engine) -> None:
    with serving(seeded) as server:
        ws, hello = server.connect("alice_user")
        assert (hello["type"], hello["agent"], hello["resumed"]) == ("logged_in", "alice", False)
        ws.send_json({"type": "ready", "id": 1})
        assert next_of(ws, "reply")["id"] == 1
        _ring(server, "c1")
        offer = next_of(ws, "offer")
        assert offer["call"] == "c1" and offer["pop"]["account"]["key"] == "martin"
        assert offer["pop"]["script"]["greeting"]
        server.advance(3.0)
        ws.send_json({"type": "accept", "call": "c1", "token": offer["token"], "id": "a"})
        seen: list[dict[str, object]] = []
        reply = next_of(ws, "reply", seen)
        assert (reply["id"], reply["did"]) == ("a", "accepted")
        assert [m["type"] for m in seen] == ["connected"]
        ws.send_json({"type": "finish", "call": "c1", "answers": MESSAGE_ANSWERS, "id": "f"})
        seen.clear()
        saved = next_of(ws, "reply", seen)
        assert [m["type"] for m in seen] == ["wrapup"]  # the call ended as the outcome was saved
        assert saved["did"] == "saved" and saved["outcome"] == "take_message"
        with server.runtime.app.sessions() as session:
            record = session.scalars(select(CallRecordRow)).one()
        assert (saved["record"], record.agent_key, record.waited_seconds) == (
            record.id,
            "alice",
            3.0,
        )
        ws.close()


def test_a_lost_connection_gives_the_offer_to_another_agent_and_the_call_keeps_its_place(
    seeded: Engine,
) -> None:
    with serving(seeded) as server:
        alice, _ = server.connect("alice_user")
        alice.send_json({"type": "ready"})
        next_of(alice, "reply")
        _ring(server, "c1")
        offer = next_of(alice, "offer")
        bob, _ = server.connect("bob_user")
        bob.send_json({"type": "ready"})
        next_of(bob, "reply")
        alice.close()  # her home connection drops, mid-offer
        engine = server.live.board.host.engine
        server.wait_for(lambda: engine.snapshot().agents[0].status == "paused", "alice paused")
        for _ in range(60):  # the call waits for a familiar agent, then its ring widens to bob
            if server.live.board.calls["c1"].agent == "bob":
                break
            server.advance(1.0)
        assert next_of(bob, "offer")["call"] == "c1"
        snapshot = server.live.board.host.engine.snapshot()
        [waiting] = snapshot.waiting
        assert waiting.since == 0.0  # its place in line: since it arrived
        assert waiting.offered_to == "bob"
        state = {a.agent: (a.status, a.reason) for a in snapshot.agents}
        assert state["alice"] == ("paused", "connection lost")
        assert offer["token"] < server.live.board.calls["c1"].token
        bob.close()


def test_a_reconnect_within_the_grace_period_resumes_by_cursor(seeded: Engine) -> None:
    with serving(seeded, grace=30.0) as server:
        ws, hello = server.connect("alice_user")
        last = hello["cursor"]
        ws.send_json({"type": "ready"})
        next_of(ws, "reply")
        _ring(server, "c1")
        offer = next_of(ws, "offer")
        ws.close()
        server.wait_for(lambda: not server.live.desks.connected("alice"), "alice gone")
        server.advance(20.0)  # within the grace period
        again, hello = server.connect("alice_user", cursor=last)
        assert (hello["resumed"], hello["replay_whole"]) == (True, True)
        replayed = [again.receive_json(), again.receive_json()]
        assert [(m["type"], m["cursor"]) for m in replayed] == [
            ("offer", offer["cursor"]),
            ("revoked", offer["cursor"] + 1),
        ]
        again.send_json({"type": "ready", "id": 2})
        assert next_of(again, "reply")["id"] == 2
        server.advance(10.0)  # the call comes back to her once a missed offer may be retried
        assert next_of(again, "offer")["call"] == "c1"
        again.close()
        server.wait_for(lambda: not server.live.desks.connected("alice"), "alice gone again")
        server.advance(31.0)  # past the grace period: logged out
        server.wait_for(lambda: "alice" not in server.live.board.logged_in, "alice logged out")


def test_a_silent_connection_makes_the_agent_unavailable(seeded_lite: Engine) -> None:
    with serving(seeded_lite, silence=0.2) as server:
        ws, _ = server.connect("alice_user")
        ws.send_json({"type": "ready"})
        next_of(ws, "reply")
        # nothing more is sent: after the silence, the server closes and pauses her
        server.wait_for(lambda: not server.live.desks.connected("alice"), "silence noticed")
        # the pause is the switchboard's next input once the desk is closed: wait for it
        server.wait_for(lambda: _status(server)[0] != "ready", "alice no longer ready")
        assert _status(server) == ("paused", "connection lost")


def _status(server: Server) -> tuple[str, str]:
    [agent] = server.live.board.host.engine.snapshot().agents
    return agent.status, agent.reason


@pytest.mark.parametrize("user", ["martin_admin", "claire_user", "sup"])
def test_only_agents_may_use_the_stream(seeded_lite: Engine, user: str) -> None:
    with serving(seeded_lite) as server:
        ws, answer = server.connect(user)
        assert (answer["type"], answer["code"]) == ("error", "forbidden")
        with pytest.raises(WebSocketDisconnect):
            ws.receive_json()
        assert server.live.board.logged_in == set()


def test_a_bad_token_or_no_login_is_refused(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        with server.client.websocket_connect(STREAM) as ws:
            ws.send_json({"type": "login", "token": "acc_nope_nope"})
            assert ws.receive_json()["code"] == "unauthenticated"
        with server.client.websocket_connect(STREAM) as ws:
            ws.send_json({"type": "ready"})
            answer = ws.receive_json()
            assert (
                answer["code"] == "invalid_input" and answer["errors"][0]["path"] == "message.type"
            )


def test_bad_messages_get_errors_with_their_path_and_change_nothing(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        alice, _ = server.connect("alice_user")
        bob, _ = server.connect("bob_user")
        for ws in (alice, bob):
            ws.send_json({"type": "ready"})
            next_of(ws, "reply")
        _ring(server, "c1")
        holder, other = (
            (alice, bob) if server.live.board.calls["c1"].agent == "alice" else (bob, alice)
        )
        token = next_of(holder, "offer")["token"]
        other.send_json({"type": "accept", "call": "c1", "token": token, "id": 9})
        refused = next_of(other, "error")
        assert (refused["id"], refused["code"]) == (9, "refused")  # not her offer
        other.send_json({"type": "accept", "call": "c1"})
        assert next_of(other, "error")["errors"][0]["path"] == "message.accept.token"
        other.send_json({"type": "dance"})
        assert next_of(other, "error")["code"] == "invalid_input"
        holder.send_json({"type": "pause", "reason": ""})
        assert next_of(holder, "error")["errors"][0]["path"] == "message.pause.reason"
        assert server.live.board.calls["c1"].stage.value == "offered"  # nothing changed
        holder.send_json({"type": "accept", "call": "c1", "token": token})
        assert next_of(holder, "reply")["did"] == "accepted"
        alice.close()
        bob.close()
