"""Liveness and readiness: the process answers; the database answers and is migrated."""

from __future__ import annotations

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from sqlalchemy import text

from accueil.api.auth import runtime
from accueil.api.conventions import scoped
from accueil.api.routing import OneHop
from accueil.core.access import Scope
from accueil.store.db import alembic_config

router = APIRouter(tags=["health"], route_class=OneHop)


@router.get("/healthz", openapi_extra=scoped(Scope.PUBLIC))
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", openapi_extra=scoped(Scope.PUBLIC))
def readyz(request: Request) -> JSONResponse:
    """The database answers and its schema is at the newest migration (503 otherwise)."""
    rt = runtime(request)
    head = ScriptDirectory.from_config(alembic_config(rt.engine)).get_current_head()
    try:
        with rt.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
            current = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:  # any database failure means "not ready", said plainly
        return JSONResponse({"status": "unavailable", "reason": type(exc).__name__}, 503)
    if current != head:
        body = {"status": "unavailable", "reason": f"schema at {current}, code expects {head}"}
        return JSONResponse(body, 503)
    return JSONResponse({"status": "ready", "schema": current})


@router.get(
    "/metrics",
    openapi_extra=scoped(Scope.PUBLIC),
    response_class=Response,
    responses={200: {"content": {"text/plain": {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request) -> Response:
    """Requests and latencies by method, route template and status, for Prometheus to scrape
    (no account, person or number in any label). Keep it on the operator's network."""
    data, media_type = request.app.state.metrics.exposition()
    return Response(data, media_type=media_type)
