"""The API's route class: a sync route takes one hop to the thread pool, not two.

This FastAPI runs a plain (sync) route function in the thread pool, and then, back on the event
loop, hands the check of its answer against the response model to the thread pool again: two
hops per request, each a wake-up of a worker thread and a trip of the GIL between threads, which
on a busy server cost more CPU than the check itself (a few µs of pydantic for a decision).

``OneHop`` gives FastAPI an async function in place of the sync one, which runs it in the thread
pool (the same pool, the same limiter) and returns its answer; FastAPI then checks and serializes
the answer on the event loop, as it does for async routes. What a route does, the response model
it declares and the OpenAPI document are unchanged: the wrapper has the function's name,
signature and annotations (``functools.wraps``), and FastAPI reads those through it.

The wait for that thread is bounded (``request_wait_seconds``): a database that hangs gets the
request a 503 "try again shortly" instead of holding it as long as the connection waits.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, TypeVar

from anyio import move_on_after, to_thread
from fastapi import Request, Response
from fastapi.routing import APIRoute

from accueil.api.problems import NotAnswered
from accueil.errors import says

T = TypeVar("T")
# how long this request waits for its thread's work (ApiSettings.request_wait_seconds)
WAIT: ContextVar[float] = ContextVar("accueil_request_wait", default=0.0)


class OneHop(APIRoute):
    """An API route whose sync function runs in the thread pool once per request, its answer
    waited for at most ``request_wait_seconds``."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, in_thread(endpoint), **kwargs)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def bounded(request: Request) -> Response:
            runtime = getattr(request.app.state, "runtime", None)
            wait = runtime.settings.request_wait_seconds if runtime is not None else 0.0
            token = WAIT.set(wait)
            try:
                return await handler(request)
            finally:
                WAIT.reset(token)

        return bounded


async def waited(wait: float, work: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``work`` in the thread pool, its answer waited for at most ``wait`` seconds (0: as long
    as it takes); then ``NotAnswered`` (503). The work goes on in its thread until it ends (a
    database that hangs answers nobody, the server's statement timeout cannot see it): the
    request is answered, its thread is not taken back."""
    call = functools.partial(work, *args, **kwargs)
    if not wait:
        return await to_thread.run_sync(call)
    done: list[T] = []
    with move_on_after(wait):
        done.append(await to_thread.run_sync(call, abandon_on_cancel=True))
    if not done:
        raise NotAnswered(
            says(
                "the database has not answered within %(seconds)s s: try again shortly "
                "(a change sent may still be saved once it answers)",
                seconds=format(wait, "g"),
            )
        )
    return done[0]


def in_thread(endpoint: Callable[..., Any]) -> Callable[..., Any]:
    """``endpoint`` as an async function that runs it in the thread pool (a plain function
    only: coroutines and generators are left as they are)."""
    plain = inspect.isfunction(endpoint) and not (
        inspect.iscoroutinefunction(endpoint)
        or inspect.isgeneratorfunction(endpoint)
        or inspect.isasyncgenfunction(endpoint)
    )
    if not plain:
        return endpoint

    @functools.wraps(endpoint)
    async def run(*args: Any, **kwargs: Any) -> Any:
        return await waited(WAIT.get(), endpoint, *args, **kwargs)

    return run
