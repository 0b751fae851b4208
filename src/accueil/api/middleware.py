"""What every answer gets: security headers, a request id, and a cap on body size."""

from __future__ import annotations

import json
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# Strict for the API; the pages (web/) load their own scripts, styles and images and nothing
# else (no inline script or style); /docs loads Swagger UI from its CDN.
CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
PAGES_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; frame-ancestors 'none'; base-uri 'none'"
)


class Guard:
    """Pure ASGI middleware: headers on every answer, 413 for a body over ``max_body``."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = uuid.uuid4().hex[:16]
        scope.setdefault("state", {})["request_id"] = request_id
        headers = _headers(scope, request_id)
        declared = _content_length(scope)
        if declared is not None and declared > self.max_body:
            await _too_large(send, headers, self.max_body)
            return
        received = 0

        async def capped() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise BodyTooLarge
            return message

        async def stamped(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = list(message.get("headers", [])) + headers
            await send(message)

        try:
            await self.app(scope, capped, stamped)
        except BodyTooLarge:
            await _too_large(send, headers, self.max_body)


class BodyTooLarge(Exception):
    pass


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _headers(scope: Scope, request_id: str) -> list[tuple[bytes, bytes]]:
    path: str = scope.get("path", "")
    if path in {"/docs", "/redoc"}:
        csp = DOCS_CSP
    elif path.startswith("/api/"):
        csp = CSP
    else:
        csp = PAGES_CSP
    out = [
        (b"content-security-policy", csp.encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"referrer-policy", b"no-referrer"),
        (b"x-request-id", request_id.encode()),
    ]
    if scope.get("scheme") == "https":
        out.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
    return out


async def _too_large(send: Send, headers: list[tuple[bytes, bytes]], limit: int) -> None:
    body = json.dumps(
        {
            "type": "urn:accueil:problem:body_too_large",
            "title": "Body too large",
            "status": 413,
            "detail": f"the request body is larger than {limit} bytes",
            "code": "body_too_large",
            "errors": [{"path": "body", "reason": f"at most {limit} bytes"}],
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                *headers,
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
