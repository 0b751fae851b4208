"""The life of a call through the ASGI test client with agents on WebSockets, the parts not in
test_agent_stream.py: a missed offer goes to the next agent (the call keeps its place), and a
caller who hangs up while waiting, or while their call rings a desk, is recorded as abandoned."""

from __future__ import annotations

from typing import Any

from board_world import CLAIRE
from sqlalchemy import Engine, select
from stream_world import Server, next_of, serving

from accueil.store.tables_scripts import CallRecordRow


def _ready(server: Server, user: str) -> Any:
    ws, _ = server.connect(user)
    ws.send_json({"type": "ready"})
    next_of(ws, "reply")
    return ws


def _ring(server: Server, call: str) -> None:
    server.on_loop(lambda: server.telephony.inbound(call, "+33612345678", CLAIRE))


def _records(server: Server) -> list[CallRecordRow]:
    with server.runtime.app.sessions() as session:
        return list(session.scalars(select(CallRecordRow).order_by(CallRecordRow.id)))


def test_a_missed_offer_goes_to_the_next_agent_keeping_the_callers_place(seeded: Engine) -> None:
    with serving(seeded) as server:
        desks = {"alice": _ready(server, "alice_user"), "bob": _ready(server, "bob_user")}
        _ring(server, "c1")
        holder = server.live.board.calls["c1"].agent
        other = "bob" if holder == "alice" else "alice"
        offer = next_of(desks[holder], "offer")
        server.advance(offer["expires_in"] + 0.5)  # unanswered: the lease lapses
        assert next_of(desks[holder], "revoked")["call"] == "c1"
        for _ in range(60):  # the call's ring widens to the other agent
            if server.live.board.calls["c1"].agent == other:
                break
            server.advance(1.0)
        second = next_of(desks[other], "offer")
        assert second["call"] == "c1" and second["token"] > offer["token"]
        [waiting] = server.live.board.host.engine.snapshot().waiting
        assert (waiting.since, waiting.offered_to) == (0.0, other)  # its place: since it came
        desks[other].send_json({"type": "accept", "call": "c1", "token": second["token"]})
        assert next_of(desks[other], "reply")["did"] == "accepted"


def test_a_caller_who_hangs_up_waiting_or_ringing_a_desk_is_recorded_as_abandoned(
    seeded: Engine,
) -> None:
    with serving(seeded) as server:
        alice, _ = server.connect("alice_user")  # logged in, not ready: the call waits
        _ring(server, "c1")
        server.advance(12.0)
        server.on_loop(lambda: server.telephony.caller_hangs_up("c1"))
        alice.send_json({"type": "ready"})
        seen: list[dict[str, Any]] = []
        next_of(alice, "reply", seen)
        assert seen == [], "nothing was offered to her"
        _ring(server, "c2")
        offer = next_of(alice, "offer")
        server.advance(4.0)
        server.on_loop(lambda: server.telephony.caller_hangs_up("c2"))  # while her desk rings
        revoked = next_of(alice, "revoked")
        assert (revoked["call"], revoked["token"]) == ("c2", offer["token"])
        records = [(r.call_id, r.fate, r.agent_key, r.waited_seconds) for r in _records(server)]
        assert records == [("c1", "abandoned", "", 12.0), ("c2", "abandoned", "", 4.0)]
        assert server.live.board.calls == {}
        assert server.live.board.host.engine.snapshot().waiting == ()
