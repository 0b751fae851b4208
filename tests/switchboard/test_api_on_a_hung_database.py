"""An API request on a database that hangs (a proxy that answers nothing: the server's
statement timeout never sees the statement) is answered 503 within the request's wait,
"try again shortly", in the page's language on a page; once the database answers, requests
are served again. The bound is short here (it proves "bounded", it times nothing)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from board_world import MONDAY_10
from db_proxy import DatabaseProxy
from fastapi.testclient import TestClient
from sqlalchemy import Engine, make_url

from accueil.api import create_app
from accueil.api.auth import SESSION_COOKIE
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.core.access import Role
from accueil.services import users
from accueil.services.clock import FixedClock
from accueil.services.unit_of_work import Application
from accueil.store.db import make_engine

EVENTS = "/api/v1/supervisor/events"


@pytest.fixture
def proxied(postgres_engine: Engine) -> Iterator[tuple[Engine, DatabaseProxy]]:
    url = postgres_engine.url
    proxy = DatabaseProxy((url.host or "127.0.0.1", url.port or 5432))
    engine = make_engine(make_url(url).set(host="127.0.0.1", port=proxy.port))
    try:
        yield engine, proxy
    finally:
        proxy.restore()
        engine.dispose()
        proxy.close()


def _token(engine: Engine) -> str:
    with Application(engine, FixedClock(MONDAY_10)).unit_of_work() as work:
        users.add_user(work.session, "sup", Role.SUPERVISOR, now=work.now)
        return users.create_token(work.session, "sup", "test", now=work.now).secret


def test_a_request_on_a_hung_database_is_answered_503_within_its_wait(
    postgres_engine: Engine, proxied: tuple[Engine, DatabaseProxy]
) -> None:
    engine, proxy = proxied
    token = _token(postgres_engine)
    # a request waits 0.5 s only while the database hangs: one it answers must not be turned
    # into a 503 by a loaded machine (its wait read at each request)
    settings = ApiSettings(switchboard=False, request_wait_seconds=60, token_cache_seconds=60)
    runtime = Runtime(engine, settings)
    bearer = {"Authorization": f"Bearer {token}"}
    with TestClient(create_app(runtime)) as client:
        assert client.get(EVENTS, headers=bearer).status_code == 200  # the token kept
        runtime.settings.request_wait_seconds = 0.5
        proxy.hang()
        hung = client.get(EVENTS, headers=bearer)
        assert hung.status_code == 503 and hung.headers["retry-after"] == "5"
        problem = hung.json()
        assert problem["code"] == "not_answered"
        assert problem["detail"].startswith("the database has not answered within 0.5 s")
        client.cookies.set(SESSION_COOKIE, "s")  # a page: its session checked, in French
        page = client.get("/", headers={"Accept-Language": "fr-FR"})
        client.cookies.clear()
        assert page.status_code == 503
        assert "répondu en 0.5 s : réessayez dans un instant" in page.text
        proxy.restore()  # it answers again: what waited goes on, and requests are served
        runtime.settings.request_wait_seconds = 60
        assert client.get(EVENTS, headers=bearer).status_code == 200
        # the requests given up end in their threads (bounded far above: a deadline, not a
        # count of looks)
        deadline = time.monotonic() + 60
        while engine.pool.checkedout() > 1 and time.monotonic() < deadline:
            time.sleep(0.025)  # the relay's listener keeps one
