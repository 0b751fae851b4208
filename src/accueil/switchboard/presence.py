"""Agents' connections and the engine: a lost connection makes the agent unavailable at once
(their offer is revoked; the call keeps its place in line), and a reconnect within the grace
period resumes the session; after it, the agent is logged out.

Grace periods run on the switchboard's clock, so a simulated clock moves them too.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from accueil.errors import AccueilError
from accueil.switchboard.board import Switchboard

log = logging.getLogger(__name__)
LOST = "connection lost"


class Presence:
    """Watches agents' connections for one switchboard."""

    def __init__(self, board: Switchboard, grace_seconds: float = 60.0) -> None:
        self.board, self.grace = board, grace_seconds
        self._grace: dict[str, asyncio.Task[None]] = {}

    def back(self, agent: str) -> None:
        """The agent is connected again: no logout pending."""
        pending = self._grace.pop(agent, None)
        if pending is not None:
            pending.cancel()

    async def lost(self, agent: str) -> None:
        """The agent's connection closed or fell silent: unavailable now, logged out later."""
        if agent not in self.board.logged_in:
            return
        with contextlib.suppress(AccueilError):  # already paused, or on a call: paused after
            await self.board.pause(agent, LOST, waits=True)
        self.back(agent)
        until = self.board.clock.seconds() + self.grace
        self._grace[agent] = asyncio.get_running_loop().create_task(self._expire(agent, until))

    def lost_at_take_over(self, agent: str) -> None:
        """A standby took over and ``agent``, logged in with the leader that died, is not
        connected here: unavailable (queued now, before any reconnection), logged out later."""
        pausing = self.board.pause_now(agent, LOST)
        pausing.add_done_callback(_already_paused)
        self.back(agent)
        until = self.board.clock.seconds() + self.grace
        self._grace[agent] = asyncio.get_running_loop().create_task(self._expire(agent, until))

    async def _expire(self, agent: str, until: float) -> None:
        await self.board.clock.sleep_until(until)
        self._grace.pop(agent, None)
        if agent in self.board.logged_in:
            log.info("agent %s did not come back within %.0f s: logged out", agent, self.grace)
            with contextlib.suppress(AccueilError):
                await self.board.logout(agent, waits=True)

    async def stop(self) -> None:
        for task in self._grace.values():
            task.cancel()
        self._grace.clear()


def _already_paused(pausing: asyncio.Future[Any]) -> None:
    """Paused already, or on a call (paused after it): nothing to say; anything else is."""
    if pausing.cancelled():
        return
    error = pausing.exception()
    if error is not None and not isinstance(error, AccueilError):
        log.error("an agent could not be paused at the take-over", exc_info=error)
