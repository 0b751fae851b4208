"""Browser sessions: a cookie sign-in, CSRF on every cookie-authenticated change, sign-out and
expiry, beside bearer tokens."""

from __future__ import annotations

from datetime import timedelta

from api_world import NOW, PASSWORD, World, build_world
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from accueil.api import create_app
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.services.clock import FixedClock

STATUS = "/api/v1/accounts/alpha/people/claire/status"
PLAIN = ApiSettings(cookie_secure=False)  # the test client speaks http://


def _signed_in(client: TestClient) -> str:
    answer = client.post("/api/v1/session", json={"name": "claire", "password": PASSWORD})
    assert answer.status_code == 201, answer.text
    return str(answer.json()["csrf_token"])


def test_a_browser_signs_in_and_every_change_needs_the_csrf_token(sqlite_engine: Engine) -> None:
    world = build_world(sqlite_engine, PLAIN)
    browser = world.client()
    csrf = _signed_in(browser)
    assert browser.cookies["accueil_csrf"] == csrf
    assert browser.get("/api/v1/me").json()["name"] == "claire"
    assert browser.get("/api/v1/session").json()["csrf_token"] == csrf
    forged = browser.put(STATUS, json={"state": "away"})  # what another site's form could send
    assert forged.status_code == 403 and forged.json()["code"] == "csrf_failed"
    assert browser.get(STATUS).json()["state"] == "auto", "the forged change was refused whole"
    wrong = browser.put(STATUS, json={"state": "away"}, headers={"X-CSRF-Token": "0" * 32})
    assert wrong.status_code == 403
    done = browser.put(STATUS, json={"state": "away"}, headers={"X-CSRF-Token": csrf})
    assert done.status_code == 200 and done.json()["state"] == "away"
    # a token still works beside sessions, and needs no CSRF token (no cookie is involved)
    assert world.client("claire").delete(STATUS).status_code == 200


def test_the_cookies_are_http_only_same_site_and_secure_by_default(lite: World) -> None:
    answer = lite.client().post("/api/v1/session", json={"name": "claire", "password": PASSWORD})
    cookies = answer.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("accueil_session="))
    csrf = next(c for c in cookies if c.startswith("accueil_csrf="))
    for cookie in (session, csrf):
        assert "Secure" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "HttpOnly" in session and "HttpOnly" not in csrf
    wrong = lite.client().post("/api/v1/session", json={"name": "claire", "password": "nope"})
    assert wrong.status_code == 401 and "set-cookie" not in wrong.headers


def test_signing_out_ends_the_session_for_good(sqlite_engine: Engine) -> None:
    world = build_world(sqlite_engine, PLAIN)
    browser = world.client()
    csrf = _signed_in(browser)
    secret = browser.cookies["accueil_session"]
    assert browser.delete("/api/v1/session").status_code == 403  # no CSRF token: not signed out
    assert browser.get("/api/v1/me").status_code == 200
    out = browser.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert "accueil_session" not in browser.cookies
    replay = world.client()
    replay.cookies.set("accueil_session", secret)  # the old cookie, kept by an attacker
    assert replay.get("/api/v1/me").status_code == 401


def test_a_session_expires_when_idle_and_at_its_end(sqlite_engine: Engine) -> None:
    world = build_world(sqlite_engine)
    clock = FixedClock(NOW)
    settings = ApiSettings(cookie_secure=False, session_idle_minutes=30, session_hours=1)
    app = create_app(Runtime(sqlite_engine, settings, clock=clock))
    browser = TestClient(app, raise_server_exceptions=False)
    _signed_in(browser)
    for minutes in (20, 20, 19):  # active every 20 minutes: alive until its hour is up
        clock.advance(timedelta(minutes=minutes))
        assert browser.get("/api/v1/me").status_code == 200
    clock.advance(timedelta(minutes=1))
    late = browser.get("/api/v1/me")
    assert late.status_code == 401 and "expired" in late.json()["detail"]
    idle = TestClient(app, raise_server_exceptions=False)
    _signed_in(idle)
    clock.advance(timedelta(minutes=31))
    assert idle.get("/api/v1/me").status_code == 401
    assert world.client("claire").get("/api/v1/me").status_code == 200
