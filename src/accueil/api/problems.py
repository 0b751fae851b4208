"""Errors as RFC 9457 problem details, each problem with the path of the field it is about.

Every error the API answers is ``application/problem+json``: ``type``, ``title``, ``status``,
``detail``, a stable ``code``, and ``errors``: one entry per problem with its ``path``
(``body.until``, ``query.limit``, a file's line and column) and its ``reason``. Nothing else
leaks: an unexpected failure is a 500 with no trace in the answer (the trace goes to the log).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from accueil import logs
from accueil.errors import AccueilError, Problem, ValidationFailed, reason_of

MEDIA_TYPE = "application/problem+json"
log = logs.get_logger("accueil.api")


class ProblemItem(BaseModel):
    path: str
    reason: str
    file: str | None = None  # an uploaded file's problems: which file, line and field
    line: int | None = None
    field: str | None = None
    policy: str | None = None  # outside_policy: the item of the account's policy gone beyond


class ProblemDocument(BaseModel):
    """An RFC 9457 problem document."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemItem] = []


class PreconditionFailed(AccueilError):
    """An edit sent with a stale ``If-Match``: someone else changed it first."""

    code = "stale_version"
    status = 412


class PreconditionRequired(AccueilError):
    code = "if_match_required"
    status = 428


class Forbidden(AccueilError):
    code = "forbidden"
    status = 403


class TooManyRequests(AccueilError):
    code = "too_many_requests"
    status = 429


class NotAnswered(AccueilError):
    """A request's work (the database, mostly) not done within ``request_wait_seconds``."""

    code = "not_answered"
    status = 503


TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    412: "Stale version",
    413: "Body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    428: "If-Match required",
    429: "Too many requests",
    500: "Internal error",
    503: "Service unavailable",
}


def problem(
    status: int,
    code: str,
    detail: str,
    errors: list[ProblemItem] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"urn:accueil:problem:{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [e.model_dump(exclude_none=True) for e in errors or []],
        **extra,
    }
    return JSONResponse(body, status_code=status, media_type=MEDIA_TYPE, headers=headers)


def _problem_item(p: Problem) -> ProblemItem:
    where = p.field or p.column or ""
    path = f"{p.file}:{where}" if p.file and where else (p.file or where or "body")
    return ProblemItem(
        path=path,
        reason=p.reason,
        file=p.file or None,
        line=p.line,
        field=where or None,
        policy=p.extra.get("policy"),
    )


def from_error(exc: AccueilError) -> JSONResponse:
    if isinstance(exc, ValidationFailed):
        items = [_problem_item(p) for p in exc.problems]
    else:
        path = str(exc.details.get("field") or "")
        items = [ProblemItem(path=path, reason=exc.message)] if path else []
    extra = {k: v for k, v in exc.details.items() if k in {"current_etag"}}
    headers = {"ETag": str(extra["current_etag"])} if "current_etag" in extra else None
    status = exc.status
    headers = {**(headers or {}), **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    if status == 503:
        headers["Retry-After"] = "5"
    return problem(status, exc.code, exc.message, items, headers or None, **extra)


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def install(app: FastAPI) -> None:
    @app.exception_handler(AccueilError)
    async def accueil_error(_: Request, exc: AccueilError) -> JSONResponse:
        return from_error(exc)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        items = [
            ProblemItem(path=_loc(tuple(e.get("loc", ()))), reason=reason_of(e))
            for e in exc.errors()
        ]
        n = len(items)
        detail = f"{n} problem{'s' if n != 1 else ''} in the request; nothing was changed"
        return problem(422, "invalid_request", detail, items)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = "not_found" if exc.status_code == 404 else f"http_{exc.status_code}"
        headers = dict(exc.headers) if exc.headers else None
        return problem(exc.status_code, code, str(exc.detail), headers=headers)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        # outside the request's middlewares by now: its id is said here, not from the context
        log.error(
            "http.unexpected_error",
            method=request.method,
            request_id=str(getattr(request.state, "request_id", "")),
            exc_info=exc,
        )
        return problem(500, "internal_error", "something went wrong on our side; it is logged")
