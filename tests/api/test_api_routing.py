"""The API's sync routes take one hop to the thread pool per request, and the pool's size is the
``request_threads`` setting."""

from __future__ import annotations

import threading

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import BaseModel, field_validator
from sqlalchemy import Engine

from accueil.api import create_app
from accueil.api.routing import OneHop
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings

seen: dict[str, int] = {}


class Answer(BaseModel):
    n: int

    @field_validator("n")
    @classmethod
    def _where_checked(cls, n: int) -> int:
        seen["checked"] = threading.get_ident()
        return n


def _app(route_class: type[APIRoute]) -> FastAPI:
    router = APIRouter(route_class=route_class)

    @router.get("/n/{n}", response_model=Answer)
    def answer(n: int) -> dict[str, int]:
        """Where the route runs, and its answer (checked against Answer by FastAPI)."""
        seen["route"] = threading.get_ident()
        return {"n": n}

    @router.get("/loop")
    async def loop() -> dict[str, int]:
        seen["loop"] = threading.get_ident()
        return {"ok": 1}

    app = FastAPI()
    app.include_router(router)
    return app


def _threads(app: FastAPI) -> dict[str, int]:
    seen.clear()
    with TestClient(app) as client:
        assert client.get("/loop").json() == {"ok": 1}
        assert client.get("/n/7").json() == {"n": 7}
        assert client.get("/n/x").status_code == 422  # the parameters still read from it
    return dict(seen)


def test_a_sync_route_runs_in_a_worker_and_its_answer_is_checked_on_the_event_loop() -> None:
    threads = _threads(_app(OneHop))
    assert threads["route"] != threads["loop"], "the route runs in the thread pool"
    assert threads["checked"] == threads["loop"], "its answer is checked without a second hop"


def test_fastapis_own_route_checks_a_sync_answer_in_a_second_hop() -> None:
    """What OneHop is for: without it the answer goes back to the pool to be checked."""
    threads = _threads(_app(APIRoute))
    assert threads["checked"] != threads["loop"]


def test_one_hop_keeps_the_openapi_document() -> None:
    assert _app(OneHop).openapi()["paths"] == _app(APIRoute).openapi()["paths"]


def test_the_thread_pool_holds_request_threads(sqlite_engine: Engine) -> None:
    rt = Runtime(sqlite_engine, ApiSettings(request_threads=3, switchboard=False))
    with TestClient(create_app(rt)) as client:
        assert client.get("/healthz").status_code == 200
        tokens = client.portal.call(lambda: to_thread.current_default_thread_limiter().total_tokens)
    assert tokens == 3
