"""The event streams over WebSocket: the supervisor's (the line as it changes, every committed
event), and each user's events (a client admin their account's, an employee their own); resuming
by cursor; a client too far behind is closed and resumes, the engine unharmed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from board_world import CLAIRE
from sqlalchemy import Engine
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from stream_world import Server, next_of, serving

from accueil.api.auth import SESSION_COOKIE
from accueil.services import browser_sessions
from accueil.services.events import StatusSet
from accueil.services.unit_of_work import Application
from settled import settled

SUPERVISOR, EVENTS = "/api/v1/supervisor/stream", "/api/v1/events/stream"


def _subscribe(
    server: Server, user: str, path: str = EVENTS, cursor: int = 0
) -> tuple[WebSocketTestSession, dict[str, Any]]:
    headers = {"Authorization": f"Bearer {server.tokens[user]}"}
    ws = server.client.websocket_connect(path, headers=headers).__enter__()
    server.sockets.append(ws)
    ws.send_json({"type": "subscribe", "cursor": cursor, "id": "s"})
    return ws, ws.receive_json()


def _statuses(server: Server, people: list[tuple[str, str]]) -> None:
    """Commit one status.set event per (account, person), in one transaction, on the loop."""

    def commit() -> None:
        app: Application = server.runtime.app
        with app.unit_of_work() as work:
            for account, person in people:
                event = StatusSet(
                    account=account, at=work.now, person=person, state="away", until=None,
                    note="", origin="manual",
                )  # fmt: skip
                work.emit(event)

    server.on_loop(commit)


def _events(ws: WebSocketTestSession, count: int) -> list[dict[str, Any]]:
    return [next_of(ws, "event") for _ in range(count)]


def _line_until(ws: WebSocketTestSession, check: Callable[[dict[str, Any]], bool]) -> Any:
    """The first ``line`` message for which ``check`` holds (the line may pass through other
    states on the way: each change is sent)."""
    for _ in range(20):
        line = next_of(ws, "line")
        if check(line):
            return line
    raise AssertionError("the line never got there")


def _last_cursor(server: Server) -> int:
    return settled(server.runtime.app.sessions)[-1].id


def test_the_supervisor_sees_the_line_change_and_the_calls_recorded(seeded: Engine) -> None:
    with serving(seeded) as server:
        server.runtime.settings.supervisor_tick_seconds = 0.01
        now = _last_cursor(server)
        sup, hello = _subscribe(server, "sup", SUPERVISOR, cursor=now)
        assert (hello["type"], hello["id"], hello["cursor"]) == ("subscribed", "s", now)
        first = next_of(sup, "line")
        assert first["waiting"] == [] and first["agents"] == []
        alice, _ = server.connect("alice_user")
        alice.send_json({"type": "ready"})
        next_of(alice, "reply")
        line = _line_until(sup, lambda line: [a["status"] for a in line["agents"]] == ["ready"])
        assert line["agents"][0]["agent"] == "alice"
        server.on_loop(lambda: server.telephony.inbound("c1", "+33612345678", CLAIRE))
        offered = _line_until(sup, lambda line: any(w["offered_to"] for w in line["waiting"]))
        assert [(w["call"], w["offered_to"]) for w in offered["waiting"]] == [("c1", "alice")]
        server.on_loop(lambda: server.telephony.caller_hangs_up("c1"))
        recorded = next_of(sup, "event")
        assert (recorded["name"], recorded["account"]) == ("call.recorded", "martin")
        assert recorded["payload"]["call_id"] == "c1" and recorded["cursor"] > now


@pytest.mark.parametrize("path", [SUPERVISOR, EVENTS])
def test_a_reconnect_with_the_last_cursor_gets_exactly_what_was_missed(
    seeded_lite: Engine, path: str
) -> None:
    with serving(seeded_lite) as server:
        ws, _ = _subscribe(server, "sup", path, cursor=_last_cursor(server))
        _statuses(server, [("martin", "claire")])
        [seen] = _events(ws, 1)
        ws.close()
        _statuses(server, [("martin", "pdurand"), ("martin", "slefebvre")])
        again, _ = _subscribe(server, "sup", path, cursor=seen["cursor"])
        missed = _events(again, 2)
        assert [m["payload"]["person"] for m in missed] == ["pdurand", "slefebvre"]
        assert [m["cursor"] for m in missed] == [seen["cursor"] + 1, seen["cursor"] + 2]
        _statuses(server, [("martin", "claire")])
        assert next_of(again, "event")["cursor"] == seen["cursor"] + 3  # live, once


def test_each_user_sees_only_the_events_they_may(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        start = _last_cursor(server)
        admin, _ = _subscribe(server, "martin_admin", cursor=start)
        claire, _ = _subscribe(server, "claire_user", cursor=start)
        agent, _ = _subscribe(server, "alice_user", cursor=start)
        _statuses(server, [("zulu", "zoe"), ("martin", "pdurand"), ("martin", "claire")])
        # a heartbeat after the events: its reply marks the end of what each stream sent
        for ws in (admin, claire, agent):
            ws.send_json({"type": "heartbeat", "id": "h"})
        seen = {}
        for name, ws in [("admin", admin), ("claire", claire), ("agent", agent)]:
            got: list[dict[str, Any]] = []
            next_of(ws, "reply", got)
            seen[name] = [(m["account"], m["payload"]["person"]) for m in got]
        assert seen["admin"] == [("martin", "pdurand"), ("martin", "claire")]
        assert seen["claire"] == [("martin", "claire")]
        assert seen["agent"] == []
        # and when catching up from the start: the same filter
        again, _ = _subscribe(server, "claire_user", cursor=start)
        again.send_json({"type": "heartbeat"})
        got = []
        next_of(again, "reply", got)
        assert [(m["account"], m["payload"]["person"]) for m in got] == [("martin", "claire")]


def test_only_the_operators_staff_may_watch_the_line(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        for user in ("martin_admin", "claire_user", "alice_user"):
            ws, answer = _subscribe(server, user, SUPERVISOR)
            assert (answer["type"], answer["code"], answer["id"]) == ("error", "forbidden", "s")
            with pytest.raises(WebSocketDisconnect):
                ws.receive_json()
        with server.client.websocket_connect(EVENTS) as ws:
            ws.send_json({"type": "subscribe", "token": "acc_nope_nope"})
            assert ws.receive_json()["code"] == "unauthenticated"
        with server.client.websocket_connect(EVENTS) as ws:
            ws.send_json({"type": "subscribe", "cursor": -1})
            answer = ws.receive_json()
            assert answer["errors"][0]["path"] == "message.cursor"


def test_a_client_too_far_behind_is_closed_and_resumes_by_cursor(seeded_lite: Engine) -> None:
    with serving(seeded_lite) as server:
        server.runtime.hub.queue_size = 4
        start = _last_cursor(server)
        ws, _ = _subscribe(server, "sup", cursor=start)
        ws.send_json({"type": "heartbeat"})
        next_of(ws, "reply")  # caught up: from now on events come live, through the queue
        burst = [("martin", f"p{n}") for n in range(20)]
        _statuses(server, burst)  # 20 events at once: more than the 4 it may have pending
        got: list[dict[str, Any]] = []
        closed = next_of(ws, "error", got)
        assert closed["code"] == "closed" and "too slow" in closed["message"]
        assert len(got) < 20
        last = got[-1]["cursor"] if got else start
        again, _ = _subscribe(server, "sup", cursor=last)
        rest = _events(again, 20 - len(got))
        assert [m["payload"]["person"] for m in got + rest] == [p for _, p in burst]
        # the switchboard went on meanwhile: an agent still logs in and gets a call
        alice, _ = server.connect("alice_user")
        alice.send_json({"type": "ready"})
        next_of(alice, "reply")
        server.on_loop(lambda: server.telephony.inbound("c1", "+33612345678", CLAIRE))
        assert next_of(alice, "offer")["call"] == "c1"


def test_events_are_served_without_the_switchboard_the_line_only_with_it(
    seeded_lite: Engine,
) -> None:
    with serving(seeded_lite) as server:
        live, server.runtime.live = server.runtime.live, None  # as a process standing by
        try:
            _sup, answer = _subscribe(server, "sup", SUPERVISOR)
            assert (answer["type"], answer["code"]) == ("error", "unavailable")
            events, hello = _subscribe(server, "sup", cursor=_last_cursor(server))
            assert hello["type"] == "subscribed"
            _statuses(server, [("martin", "claire")])
            assert next_of(events, "event")["payload"]["person"] == "claire"
        finally:
            server.runtime.live = live


def test_a_page_signs_in_with_its_session_cookie_and_csrf_token(seeded_lite: Engine) -> None:
    """A socket opened from another site carries the cookie, never the CSRF token."""
    with serving(seeded_lite) as server:
        with server.runtime.unit() as session:
            opened = browser_sessions.open_session(
                session, "sup", now=server.runtime.now(), lifetime=timedelta(hours=1)
            )
        cookie = {"cookie": f"{SESSION_COOKIE}={opened.secret}"}
        for csrf, answer in [("", "unauthenticated"), ("forged", "unauthenticated")]:
            with server.client.websocket_connect(EVENTS, headers=cookie) as ws:
                ws.send_json({"type": "subscribe", "csrf": csrf})
                assert ws.receive_json()["code"] == answer
        ws = server.client.websocket_connect(SUPERVISOR, headers=cookie).__enter__()
        server.sockets.append(ws)
        ws.send_json({"type": "subscribe", "csrf": opened.csrf, "cursor": _last_cursor(server)})
        assert ws.receive_json()["type"] == "subscribed"
        assert next_of(ws, "line")["agents"] == []
