"""The telephony port over SIP: Kamailio carries the calls, accueil decides them over evapi.

Kamailio holds every new call from a trunk (the caller hears ringback) and asks: an ``invite``
with the transaction's (index, label). The switchboard decides; what it asks of the port
(ring an agent, ring a device, hang up) becomes accueil's answer to the waiting transaction:
routes as rtjson (the agent's or the phone's registered contact, with the call, account and
person as headers for the screen pop; a mobile through the trunk; each with its ring timeout)
or a rejection with its status. A branch that fails (no answer, busy) makes Kamailio hold the
call again and ask (``failed``): accueil reports ``NoAnswer``/``Busy`` and answers with the next
destination once the switchboard has one, so a caller waiting in line keeps ringing.

Kamailio is a proxy, not a party to the call: ``bridge`` has nothing to do (the answer connected
caller and callee end to end), and transfers are made by the softphone (REFER through the
proxy). A connected call that accueil hangs up (the agent saved the outcome) is ended by
Kamailio's dialog module, which sends BYE to both parties (``end`` with the dialog's place in
its table, told with the answer).
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from accueil.sip.evapi import EvapiLink, Message
from accueil.telephony.port import (
    Answered,
    Busy,
    CallerHungUp,
    DeviceRing,
    Ended,
    InboundCall,
    NoAnswer,
    Sink,
    TelephonyEvent,
)

log = logging.getLogger(__name__)
Tags = Callable[[str], Mapping[str, str]]
# refused at once (the offer declined, not left to lapse): busy, declined, or not reachable now
# (480: the softphone is not registered, Kamailio's lookup failed; or it is set to do not disturb)
_BUSY = {480, 486, 600, 603}
_SAFE = re.compile(r"[^A-Za-z0-9._@+:-]")


@dataclass
class _Line:
    """One call as the SIP telephony follows it."""

    cseq: str
    from_tag: str
    waiting: tuple[int, int] | None = None  # Kamailio holds the call and waits for an answer
    ringing: list[str] = field(default_factory=list)  # the keys of the branches sent
    pending: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # routes to send
    cancelled: bool = False  # we cancelled the branch: its failure is ours, not an event
    ending: tuple[int, str] | None = None  # a rejection to give when Kamailio next waits
    answered: str = ""
    dialog: tuple[int, int] | None = None  # the answered call's (h_entry, h_id) in Kamailio
    flushing: bool = False
    asked_at: float = 0.0  # when Kamailio asked about the new call (perf_counter)


class SipTelephony:
    """The telephony port on Kamailio, through its evapi socket."""

    def __init__(
        self,
        evapi_host: str,
        evapi_port: int,
        *,
        domain: str,
        trunk: str = "",
        agent_ring_seconds: float = 60.0,
        tags: Tags | None = None,
    ) -> None:
        self.domain, self.trunk = domain, trunk
        self.agent_ring_seconds = agent_ring_seconds
        self.tags: Tags = tags or (lambda call: {})
        # a SIP user's registration expired or was removed (the secretary's presence)
        self.on_unregistered: Callable[[str], None] = lambda user: None
        self.link = EvapiLink(evapi_host, evapi_port, self._heard)
        self.lines: dict[str, _Line] = {}
        # seconds from Kamailio's question about a new call to accueil's first answer
        self.decision_seconds: deque[float] = deque(maxlen=100_000)
        self._sink: Sink | None = None

    async def start(self, within: float = 5.0) -> None:
        """Connect to Kamailio (and keep reconnecting); returns once connected."""
        self.link.start()
        await asyncio.wait_for(self.link.connected.wait(), within)

    async def stop(self) -> None:
        await self.link.stop()

    # ----------------------------------------------------------------- the port

    def attach(self, sink: Sink) -> None:
        self._sink = sink

    def ring_agent(self, call: str, agent: str) -> None:
        self._ring(call, agent, f"sip:{agent}@{self.domain}", self.agent_ring_seconds)

    def stop_ringing(self, call: str, agent: str) -> None:
        line = self.lines.get(call)
        if line is None:
            return
        line.pending = [(key, route) for key, route in line.pending if key != agent]
        if agent in line.ringing and not line.answered:
            line.ringing.remove(agent)
            self._cancel(call, line)

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        self._ring(call, ring.device, self._uri(ring.address), ring.timeout)

    def bridge(self, call: str, agent: str) -> None:
        log.debug("call %s: %s answered, connected end to end", call, agent)

    def transfer(self, call: str, address: str) -> None:
        log.info("call %s: the transfer to %s is made by the softphone (REFER)", call, address)

    def hang_up(self, call: str, reason: str) -> None:
        line = self.lines.get(call)
        if line is None:
            return
        if line.answered:
            self._end(call, line, reason)
            return
        line.ending, line.pending = _status(reason), []
        if line.ringing:
            line.ringing = []
            self._cancel(call, line)
        self._flush(call)

    # ----------------------------------------------------------------- Kamailio's events

    def _heard(self, message: Message) -> None:
        if message.get("event") == "unregistered":
            if isinstance(message.get("user"), str):
                self.on_unregistered(message["user"])
            return
        event = message.get("ask", message)
        if not isinstance(event, dict) or not isinstance(event.get("call"), str):
            log.warning("evapi: an event without a call ignored")
            return
        call, kind = event["call"], event.get("event")
        held = (int(message["tindex"]), int(message["tlabel"])) if "ask" in message else None
        if kind == "invite" and held is not None:
            self._invite(call, event, held)
        elif kind == "failed" and held is not None:
            self._failed(call, int(event.get("code", 0)), held)
        elif kind == "answered":
            self._answered(call, event)
        elif kind == "cancel":
            self._gone(call, caller=True)
        elif kind == "bye":
            line = self.lines.get(call)
            self._gone(call, caller=line is not None and event.get("from_tag") == line.from_tag)
        else:
            log.warning("evapi: unknown event %r for call %s", kind, call)

    def _invite(self, call: str, event: dict[str, Any], held: tuple[int, int]) -> None:
        if call in self.lines:
            log.warning("call %s reported twice", call)
            return
        line = _Line(str(event.get("cseq", "")), str(event.get("from_tag", "")))
        line.waiting, line.asked_at = held, time.perf_counter()
        self.lines[call] = line
        caller = str(event.get("caller", ""))
        if caller.lower() in ("anonymous", "unknown", "restricted"):
            caller = ""
        self._send(InboundCall(call, caller, str(event.get("dialled", ""))))

    def _failed(self, call: str, code: int, held: tuple[int, int]) -> None:
        line = self.lines.get(call)
        if line is None:  # a call we do not know (accueil restarted): do not let it hang
            self._resume(held, reject=(480, "Temporarily Unavailable"))
            return
        line.waiting = held
        if line.cancelled:
            line.cancelled = False
        elif line.ringing:
            for key in line.ringing:
                self._send(Busy(call, key) if code in _BUSY else NoAnswer(call, key))
        elif not line.pending and line.ending is None:
            line.ending = (480, "Temporarily Unavailable")  # held longer than Kamailio allows
        line.ringing = []
        self._flush(call)

    def _answered(self, call: str, event: dict[str, Any]) -> None:
        line = self.lines.get(call)
        if line is None or line.answered:
            return
        entry, number = event.get("h_entry"), event.get("h_id")
        if isinstance(entry, int) and isinstance(number, int) and number > 0:
            line.dialog = (entry, number)
        line.answered = line.ringing[0] if line.ringing else "?"
        line.ringing = []
        self._send(Answered(call, line.answered))

    def _gone(self, call: str, *, caller: bool) -> None:
        if self.lines.pop(call, None) is None:
            # a call this telephony did not see begin: accueil restarted (or a standby took
            # over) and its switchboard restored the call from the journal; it ends all the same
            self._send(Ended(call))
            return
        if caller:
            self._send(CallerHungUp(call))
        self._send(Ended(call))

    # ----------------------------------------------------------------- inside

    def _ring(self, call: str, key: str, uri: str, timeout: float) -> None:
        line = self.lines.get(call)
        if line is None:
            log.warning("call %s: nothing to ring (%s), the call is gone", call, key)
            return
        if key in line.ringing or any(k == key for k, _ in line.pending):
            return  # asked again (a new leader after a take-over): it rings already
        millis = max(1000, int(timeout * 1000))
        route: dict[str, Any] = {
            "uri": uri,
            "headers": {"extra": self._headers(call)},
            "fr_timer": millis,
            "fr_inv_timer": millis,
        }
        line.pending.append((key, route))
        if not line.flushing:  # the switchboard may ring several at once: one answer for all
            line.flushing = True
            asyncio.get_running_loop().call_soon(self._flush, call)

    def _flush(self, call: str) -> None:
        line = self.lines.get(call)
        if line is None:
            return
        line.flushing = False
        if line.waiting is None:
            return  # a branch still rings (being cancelled): Kamailio asks again when it fails
        held, line.waiting = line.waiting, None
        if line.asked_at:
            self.decision_seconds.append(time.perf_counter() - line.asked_at)
            line.asked_at = 0.0
        if line.ending is not None:
            self._resume(held, reject=line.ending)
            del self.lines[call]
            self._send(Ended(call))
        elif line.pending:
            routes = [route for _, route in line.pending]
            line.ringing, line.pending = [key for key, _ in line.pending], []
            self._resume(held, routes=routes)
        else:
            line.waiting = held  # nothing to say yet: the caller keeps ringing

    def _resume(
        self,
        held: tuple[int, int],
        *,
        routes: list[dict[str, Any]] | None = None,
        reject: tuple[int, str] | None = None,
    ) -> None:
        message: Message = {"do": "resume", "tindex": held[0], "tlabel": held[1]}
        if reject is not None:
            message["reject"] = {"code": reject[0], "reason": reject[1]}
        else:
            kind = "parallel" if routes and len(routes) > 1 else "serial"
            message["routes"] = {"version": "1.0", "routing": kind, "routes": routes or []}
        self.link.send(message)

    def _end(self, call: str, line: _Line, reason: str) -> None:
        """A connected call hung up by accueil: Kamailio sends BYE to both parties."""
        if line.dialog is None:  # not told where the dialog is: its parties hang up
            log.warning("call %s is connected, its dialog unknown: not ended (%s)", call, reason)
            return
        log.info("call %s ended by accueil (%s)", call, reason)
        self.link.send({"do": "end", "h_entry": line.dialog[0], "h_id": line.dialog[1]})
        del self.lines[call]
        self._send(Ended(call))

    def _cancel(self, call: str, line: _Line) -> None:
        line.cancelled = True
        self.link.send({"do": "cancel", "call": call, "cseq": line.cseq})

    def _uri(self, address: str) -> str:
        if address.startswith(("sip:", "sips:")):
            return address
        number = address.replace(" ", "")
        return f"sip:{number}@{self.trunk or self.domain}"

    def _headers(self, call: str) -> str:
        values = {"call": call, **self.tags(call)}
        return "".join(
            f"X-Accueil-{name.title()}: {_SAFE.sub('', str(value))}\r\n"
            for name, value in values.items()
            if value
        )

    def _send(self, event: TelephonyEvent) -> None:
        if self._sink is None:
            raise RuntimeError("no switchboard attached to this telephony")
        self._sink(event)


def _status(reason: str) -> tuple[int, str]:
    """The SIP status for the switchboard's reason to end a call that was not answered."""
    if reason.startswith("rejected"):
        return 403, "Forbidden"
    if reason.startswith(("nobody answered", "overflow", "done")):
        return 480, "Temporarily Unavailable"
    return 404, "Not Found"


def screen_pop_tags(calls: Mapping[str, Any]) -> Tags:
    """Headers for the agent's softphone from the switchboard's calls (``Switchboard.calls``):
    the account and the person, so the softphone can pop the screen by itself."""

    def tags(call: str) -> Mapping[str, str]:
        state = calls.get(call)
        if state is None:
            return {}
        return {"account": state.account.key, "person": state.person}

    return tags
