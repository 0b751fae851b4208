"""What the running API says about itself: one JSON log line per request (with its request id,
bound to every line logged while it runs) and Prometheus metrics by route and status.

Labels are the route's template (``/api/v1/accounts/{account}/people/{person}``), the method and
the status: never an account, a person or a number, which would leak and explode the series.
"""

from __future__ import annotations

import time
from typing import Any

import structlog
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from accueil import logs

API_PREFIX = "/api/v1"
UNMATCHED = "<unmatched>"  # a path no route knows: one label for all of them
log = logs.get_logger("accueil.api")


def route_template(scope: Scope) -> str:
    """The template of the route that answered (``UNMATCHED`` when none did)."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    if template is None:
        return UNMATCHED
    path: str = scope.get("path", "")
    if path.startswith(API_PREFIX) and not str(template).startswith(API_PREFIX):
        template = API_PREFIX + str(template)  # the route seen is the feature router's
    return str(template)


class Metrics:
    """The API's own registry (several apps in one process, as in tests, never collide)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "accueil_http_requests",
            "HTTP requests answered, by method, route template and status",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "accueil_http_request_duration_seconds",
            "Time to answer, by method and route template",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
        )

    def exposition(self) -> tuple[bytes, str]:
        """The Prometheus text format and its content type."""
        return generate_latest(self.registry), CONTENT_TYPE_LATEST


class Observe:
    """Pure ASGI middleware: a log line and the metrics of each HTTP request."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        request_id = str(scope.get("state", {}).get("request_id", ""))
        status = 500  # what the client gets if the app fails before answering

        async def watched(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        with structlog.contextvars.bound_contextvars(request_id=request_id):
            try:
                await self.app(scope, receive, watched)
            finally:
                self._done(scope, status, time.perf_counter() - started)

    def _done(self, scope: Scope, status: int, seconds: float) -> None:
        route, method = route_template(scope), str(scope.get("method", ""))
        self.metrics.requests.labels(method, route, str(status)).inc()
        self.metrics.latency.labels(method, route).observe(seconds)
        fields: dict[str, Any] = {
            "method": method,
            "route": route,
            "status": status,
            "ms": round(seconds * 1000, 2),
        }
        account = scope.get("path_params", {}).get("account")
        if account:
            fields["account"] = account
        level = log.warning if status >= 500 else log.info
        level("http.request", **fields)
