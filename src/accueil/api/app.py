"""The application factory: ``create_app(runtime)`` gives the ASGI app ``accueil serve`` runs."""

from __future__ import annotations

from typing import Any

from fastapi import Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware

from accueil import __version__, logs
from accueil.api import problems
from accueil.api.asyncapi import document as asyncapi_document
from accueil.api.conventions import checked_parameters
from accueil.api.live import lifespan
from accueil.api.middleware import Guard
from accueil.api.observe import Metrics, Observe
from accueil.api.problems import ProblemDocument
from accueil.api.routes import (
    agent_stream,
    audit,
    availability,
    calendars,
    callers,
    calls,
    directory,
    directory_edits,
    employee_policy,
    event_streams,
    groups,
    health,
    messages,
    quarantine,
    records,
    rotas,
    rules,
    scripts,
    search,
    session,
    supervisor,
    transfer,
    usage,
    users,
    vip_lists,
)
from accueil.api.runtime import Runtime
from accueil.api.settings import ApiSettings
from accueil.store.db import make_engine
from accueil.switchboard.clock import RealClock
from accueil.web.pages import install as install_pages

PREFIX = "/api/v1"
_ERRORS = {
    code: {"model": ProblemDocument, "content": {"application/problem+json": {}}}
    for code in (400, 401, 403, 404, 409, 412, 413, 422, 429)
}


def served_app() -> FastAPI:
    """The app of one ``accueil serve`` process, from the settings: one line logged per request
    (JSON unless on a terminal: ACCUEIL_LOG_FORMAT), one time line for the API, the services
    and the switchboard (faster when the simulated telephony is played accelerated), and the
    garbage collector set for short pauses once started (``api/heap.py``)."""
    logs.serving()
    settings = ApiSettings()
    app = create_app(Runtime(make_engine(), settings, clock=RealClock(settings.telephony_speed)))
    app.state.settle_heap = True  # once started: api/heap.py
    return app


def create_app(runtime: Runtime | None = None) -> FastAPI:
    """The API on ``runtime``'s database (default: the settings' database and server settings)."""
    rt = runtime or Runtime.from_url()
    app = FastAPI(
        title="accueil",
        version=__version__,
        summary="Pooled telephone answering: the directory, availability, rules and scripts.",
        openapi_url=f"{PREFIX}/openapi.json",
        docs_url="/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.runtime = rt
    app.state.metrics = Metrics()
    problems.install(app)
    app.include_router(health.router)
    # Routes are tried in order: what the desks ask all day (screen pops, decisions, a
    # person's availability) before the rest. No two routes here match the same path.
    features = (
        calls,
        availability,
        session,
        users,
        directory,
        directory_edits,
        groups,
        calendars,
        callers,
        rotas,
        rules,
        employee_policy,
        vip_lists,
        scripts,
        records,
        messages,
        search,
        transfer,
        audit,
        usage,
        quarantine,
    )
    checked = [Depends(checked_parameters)]
    for feature in (*features, agent_stream, supervisor, event_streams):
        app.include_router(feature.router, prefix=PREFIX, responses=_ERRORS, dependencies=checked)  # type: ignore[arg-type]

    @app.get(f"{PREFIX}/asyncapi.json", include_in_schema=False)
    def asyncapi() -> dict[str, Any]:
        """The WebSocket streams' messages and events (AsyncAPI 3.0), beside the OpenAPI."""
        return asyncapi_document()

    install_pages(app)
    if rt.settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=rt.settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "X-Request-Id"],
        )
    app.add_middleware(Observe, metrics=app.state.metrics)  # inside Guard: has the request id
    app.add_middleware(Guard, max_body=rt.settings.max_body_bytes)
    return app
