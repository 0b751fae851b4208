"""Stopping an asyncio task without losing the stopper's own cancellation.

``task.cancel()`` then ``with suppress(CancelledError): await task`` is a trap: when the task
that waits is itself cancelled meanwhile (a ``stop`` called while it stops something else),
the ``CancelledError`` it gets is its own, and the ``suppress`` swallows it — it goes on as if
never cancelled, and whoever waits on it waits forever. ``stopped`` waits for the task to end
with ``asyncio.wait``, which never raises the task's cancellation, and lets the waiter's own
cancellation through.
"""

from __future__ import annotations

import asyncio
from typing import Any


async def stopped(task: asyncio.Future[Any] | None, *, errors: bool = True) -> None:
    """Cancel ``task`` and wait until it has ended. Its own error (other than its
    cancellation) is raised, unless ``errors`` is False; a cancellation of the caller is
    never swallowed."""
    if task is None:
        return
    task.cancel()
    await asyncio.wait({task})
    if not task.cancelled() and task.exception() is not None and errors:
        raise task.exception()  # type: ignore[misc]
