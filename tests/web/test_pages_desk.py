"""The live desk's server side: the stream signed in with the page's session, the script walked
one question at a time for the secretary on the call (and for nobody else), the directory
search as the secretary types."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, update
from starlette.testclient import WebSocketTestSession
from starlette.websockets import WebSocketDisconnect
from web_world import HASH, NOW, PASSWORD, build_world

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.core.availability import State
from accueil.services import users
from accueil.services.availability import add_delegation, set_status
from accueil.services.onboarding import load_directory
from accueil.store.db import session_factory, transaction
from accueil.store.tables_users import UserRow
from accueil.switchboard.clock import SimulatedClock
from accueil.switchboard.live import build_live
from accueil.telephony.memory import MemoryTelephony

STREAM = "/api/v1/agent/stream"


@pytest.fixture
def app(sqlite_engine: Engine) -> Iterator[TestClient]:
    build_world(sqlite_engine)
    with transaction(session_factory(sqlite_engine)) as session:
        bob = {"key": "bob", "name": "Bob", "site": "paris"}
        load_directory(session, {"agents": [bob]}, source="test", now=NOW)
        for name in ("alice", "bob"):
            users.add_user(session, name, Role.AGENT, agent=name, now=NOW)
        session.execute(update(UserRow).values(password_hash=HASH))
    clock = SimulatedClock(NOW)
    runtime = Runtime(sqlite_engine, ApiSettings(cookie_secure=False), clock=clock)
    runtime.live = build_live(runtime.app, clock, MemoryTelephony())
    with TestClient(create_app(runtime)) as client:
        yield client


def _sign_in(app: TestClient, name: str) -> TestClient:
    browser = TestClient(app.app, follow_redirects=False)
    browser.portal = app.portal  # the same event loop as the switchboard's
    answer = browser.post("/sign-in", data={"name": name, "password": PASSWORD})
    assert answer.status_code == 303
    return browser


def _desk(browser: TestClient, csrf: str | None = None) -> tuple[WebSocketTestSession, Any]:
    cookie = f"accueil_session={browser.cookies['accueil_session']}"
    ws = browser.websocket_connect(STREAM, headers={"cookie": cookie}).__enter__()
    ws.send_json(
        {"type": "login", "csrf": browser.cookies["accueil_csrf"] if csrf is None else csrf}
    )
    return ws, ws.receive_json()


def _next(ws: WebSocketTestSession, kind: str) -> dict[str, Any]:
    for _ in range(20):
        message = ws.receive_json()
        if message["type"] == kind:
            return message  # type: ignore[no-any-return]
    raise AssertionError(f"no {kind}")


def test_the_desk_signs_in_with_its_session_and_walks_the_script_of_its_call(
    app: TestClient,
) -> None:
    alice = _sign_in(app, "alice")
    ws, hello = _desk(alice)
    assert hello["type"] == "logged_in"
    ws.send_json({"type": "ready", "id": 1})
    assert _next(ws, "reply")["did"] == "ready"
    telephony = app.app.state.runtime.live.telephony  # type: ignore[attr-defined]
    app.portal.call(lambda: _inbound(telephony))  # type: ignore[union-attr]
    offer = _next(ws, "offer")
    assert offer["pop"]["account"]["answer_name"] == "Cabinet Alpha, bonjour"
    before = alice.get(f"/desk/calls/{offer['call']}/script")
    assert before.status_code == 404  # offered, not answered yet: no script to walk
    ws.send_json({"type": "accept", "call": offer["call"], "token": offer["token"], "id": 2})
    _next(ws, "connected")

    first = alice.get(f"/desk/calls/{offer['call']}/script")
    assert first.status_code == 200
    assert "Qui est à l&#39;appareil ?" in first.text and 'name="a.nom"' in first.text
    csrf = {"X-CSRF-Token": alice.cookies["accueil_csrf"]}
    empty = alice.post(f"/desk/calls/{offer['call']}/script", data={"a.nom": " "}, headers=csrf)
    assert "nom is required" in empty.text or "required" in empty.text
    done = alice.post(
        f"/desk/calls/{offer['call']}/script", data={"a.nom": "Jeanne Martin"}, headers=csrf
    )
    assert "data-finish" in done.text and "Jeanne Martin" in done.text

    found = alice.get("/desk/search", params={"q": "Durand", "call": offer["call"]})
    assert "Paul Durand" in found.text
    bob = _sign_in(app, "bob")
    assert bob.get(f"/desk/calls/{offer['call']}/script").status_code == 404
    assert bob.get("/desk/search", params={"q": "Durand", "call": offer["call"]}).status_code == 404
    assert bob.get("/desk/search", params={"q": "Durand"}).status_code == 404
    ws.__exit__(None, None, None)


def _inbound(telephony: MemoryTelephony) -> None:
    telephony.inbound("call-1", "+33611111111", "+33140000001")


def test_the_offers_pop_says_whom_to_ask_and_how_to_reach_them(
    app: TestClient, sqlite_engine: Engine
) -> None:
    paul = {"account": "alpha", "key": "paul", "first_name": "Paul", "last_name": "Durand"}
    paul |= {"mobile": "06 98 76 54 32", "email": "paul@alpha.example"}
    with transaction(session_factory(sqlite_engine)) as session:
        load_directory(session, {"people": [paul]}, source="test", now=NOW)
        away = State.OUT_OF_OFFICE
        set_status(session, "alpha", "claire", away, until=NOW + timedelta(days=2), now=NOW)
        add_delegation(session, "alpha", "claire", "paul", start=NOW, now=NOW)
    alice = _sign_in(app, "alice")
    page = alice.get("/desk", headers={"Accept-Language": "en"}).text
    assert 'data-w="delegate_reach">Ask {name} (delegate): {reach}<' in page  # desk.js says it
    ws, _ = _desk(alice)
    ws.send_json({"type": "ready", "id": 1})
    telephony = app.app.state.runtime.live.telephony  # type: ignore[attr-defined]
    app.portal.call(lambda: _inbound(telephony))  # type: ignore[union-attr]
    person = _next(ws, "offer")["pop"]["person"]
    assert person["state"] == "out_of_office" and person["delegate"] == "Paul Durand"
    assert person["delegate_reach"] == "mobile +33 6 98 76 54 32, paul@alpha.example"
    ws.__exit__(None, None, None)


def test_the_stream_wants_the_sessions_csrf_token_with_its_cookie(app: TestClient) -> None:
    alice = _sign_in(app, "alice")
    ws, answer = _desk(alice, csrf="not-the-token")
    assert answer["type"] == "error" and answer["code"] == "unauthenticated"
    with pytest.raises(WebSocketDisconnect):
        ws.receive_json()
    ws.__exit__(None, None, None)
    claire = _sign_in(app, "claire")
    ws, answer = _desk(claire)
    assert answer["code"] == "forbidden"  # a signed-in employee is no agent
    with pytest.raises(WebSocketDisconnect):
        ws.receive_json()
    ws.__exit__(None, None, None)
    assert app.app.state.runtime.live.board.logged_in == set()  # type: ignore[attr-defined]


def test_the_staff_search_every_account_from_the_desk(app: TestClient) -> None:
    sup = _sign_in(app, "sup")
    found = sup.get("/desk/search", params={"q": "Secret"})
    assert "Bruno Secret" in found.text
    assert "Nobody matches" in sup.get("/desk/search", params={"q": "zzzzqx"}).text
