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
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Any

from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool


class OneHop(APIRoute):
    """An API route whose sync function runs in the thread pool once per request."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        super().__init__(path, in_thread(endpoint), **kwargs)


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
        return await run_in_threadpool(endpoint, *args, **kwargs)

    return run
