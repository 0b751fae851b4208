"""The SIP edge of ``accueil serve --telephony sip``: Kamailio started and watched by accueil (or
one the operator runs), and the switchboard's SIP telephony connected to its evapi socket.

Kamailio is a child process: accueil writes its configuration, checks it, starts it, and starts
it again when it exits (after 1 s, then up to 30 s between tries while it keeps dying), so the
registrar comes back without an operator. While it is away the evapi link retries on its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from accueil.errors import AccueilError
from accueil.sip.config import SipSettings
from accueil.sip.kamailio import Kamailio, KamailioError
from accueil.sip.telephony import SipTelephony, screen_pop_tags
from accueil.switchboard.board import Switchboard
from accueil.tasks import stopped

log = logging.getLogger(__name__)
UNREGISTERED = "softphone not registered"
UNREACHABLE = "softphone out of reach"  # registered, but silent to an INVITE


def serve_board(telephony: SipTelephony, board: Switchboard) -> None:
    """Connect the SIP telephony to its switchboard beyond the port: the screen pop's headers,
    and the secretaries' presence (a softphone no longer registered makes its secretary
    unavailable at once, like a silent desk: the offer goes back, the call keeps its place)."""
    telephony.tags = screen_pop_tags(board.calls)
    telephony.followed = board.calls.keys  # after a take-over: the calls restored

    def unavailable(reason: str) -> Callable[[str], None]:
        def made(user: str) -> None:
            if user not in board.logged_in:  # a SIP user is an agent's key, or a phone's
                return
            log.info("agent %s: %s, made unavailable", user, reason)
            # queued now (fenced: it waits), ahead of the decline the telephony tells next
            # (Kamailio's 480, or the silence): paused from a task of its own, she was offered
            # the next call in line meanwhile on a loaded machine, and declined it too
            pausing = board.pause_now(user, reason)
            pausing.add_done_callback(lambda done: _paused(board, user, reason, done))

        return made

    telephony.on_unregistered = unavailable(UNREGISTERED)
    telephony.on_unreachable = unavailable(UNREACHABLE)


def _paused(board: Switchboard, agent: str, reason: str, pausing: asyncio.Future[Any]) -> None:
    """Said on their desk, which is still on; already paused or logged out meanwhile: nothing."""
    if pausing.cancelled():
        return
    error = pausing.exception()
    if error is None:
        board.desks.send(agent, {"type": "paused", "reason": reason})
    elif not isinstance(error, AccueilError):
        log.error("agent %s could not be made unavailable (%s)", agent, reason, exc_info=error)


class SipEdge:
    """Kamailio (when ``kamailio`` is given: started, watched, stopped) and the SIP telephony."""

    def __init__(self, telephony: SipTelephony, kamailio: Kamailio | None = None) -> None:
        self.telephony, self.kamailio = telephony, kamailio
        self.restarts = 0  # how many times Kamailio was started again after it exited
        self._watch: asyncio.Task[None] | None = None

    @classmethod
    def configured(
        cls,
        settings: SipSettings,
        workdir: Path | None,
        *,
        outbound: str = "",
        reply_seconds: float = 4.0,
    ) -> SipEdge:
        """The edge for ``settings``: Kamailio run in ``workdir`` (None: the operator runs it);
        numbers (mobiles) are called through ``outbound``, by default the first trunk; a
        softphone that sends no reply within ``reply_seconds`` is out of reach."""
        trunk = outbound or (settings.trunks[0] if settings.trunks else "")
        telephony = SipTelephony(
            settings.evapi_host,
            settings.evapi_port,
            domain=settings.domain,
            trunk=trunk,
            reply_seconds=reply_seconds,
        )
        kamailio = Kamailio(settings, workdir) if workdir is not None else None
        return cls(telephony, kamailio)

    async def start(self) -> None:
        if self.kamailio is not None:
            await asyncio.to_thread(self.kamailio.check)
            await asyncio.to_thread(self.kamailio.start)
            if self.kamailio.adopted:
                log.warning(
                    "Kamailio left running by a previous accueil (pid %d) taken on, with its calls",
                    self.kamailio.adopted,
                )
            self._watch = asyncio.get_running_loop().create_task(self._supervise(), name="kamailio")
            await self.telephony.start()
        else:
            self.telephony.link.start()  # an operator's Kamailio: connect whenever it is there

    async def stop(self) -> None:
        watch, self._watch = self._watch, None
        if watch is not None:
            await stopped(watch)
        await self.telephony.stop()
        if self.kamailio is not None:
            await asyncio.to_thread(self.kamailio.stop)

    async def _supervise(self, every: float = 0.5) -> None:
        assert self.kamailio is not None
        pause = 1.0
        while True:
            await asyncio.sleep(every)
            if self.kamailio.running:
                continue
            log.error("Kamailio exited; starting it again in %g s", pause)
            await asyncio.to_thread(self.kamailio.stop)  # what is left of it
            await asyncio.sleep(pause)
            try:
                await asyncio.to_thread(self.kamailio.start)
            except KamailioError as exc:
                log.error("Kamailio did not start again: %s", exc)
                pause = min(30.0, pause * 2)
                continue
            self.restarts += 1
            pause = 1.0
