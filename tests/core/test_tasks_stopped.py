"""``tasks.stopped``: a task stopped while its stopper is cancelled lets that cancellation
through (the ``suppress(CancelledError)`` pattern swallowed it, and a leader's loop went on
after ``Leading.stop`` — the test waiting on it hung)."""

from __future__ import annotations

import asyncio

import pytest

from accueil.tasks import stopped


async def _slow_to_stop(ended: asyncio.Event) -> None:
    try:
        await asyncio.sleep(3600)
    except asyncio.CancelledError:
        await ended.wait()  # stops only once told: its stopper waits meanwhile
        raise


def test_the_stoppers_own_cancellation_is_not_swallowed() -> None:
    async def main() -> None:
        ended = asyncio.Event()
        inner = asyncio.create_task(_slow_to_stop(ended))
        went_on: list[bool] = []

        async def stopper() -> None:
            await stopped(inner)
            went_on.append(True)  # never reached: it was cancelled while waiting

        outer = asyncio.create_task(stopper())
        await asyncio.sleep(0)
        await asyncio.sleep(0)  # the stopper waits on the inner task's end
        outer.cancel()
        ended.set()
        with pytest.raises(asyncio.CancelledError):
            await outer
        assert went_on == [] and inner.cancelled()

    asyncio.run(main())


def test_a_task_that_failed_says_its_error_unless_told_not_to() -> None:
    async def fails() -> None:
        raise ValueError("broken")

    async def main() -> None:
        task = asyncio.create_task(fails())
        await asyncio.sleep(0)
        with pytest.raises(ValueError, match="broken"):
            await stopped(task)
        quiet = asyncio.create_task(fails())
        await asyncio.sleep(0)
        await stopped(quiet, errors=False)
        await stopped(None)

    asyncio.run(main())
