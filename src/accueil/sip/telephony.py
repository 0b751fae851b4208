"""The telephony port over SIP: Kamailio carries the calls, accueil decides them over evapi.

Kamailio holds every new call from a trunk (the caller hears ringback) and asks: an ``invite``
with the transaction's (index, label). The switchboard decides; what it asks of the port
(ring an agent, ring a device, hang up) becomes accueil's answer to the waiting transaction:
routes as rtjson (the agent's or the phone's registered contact, with the call, account and
person as headers for the screen pop; a mobile through the trunk; each with its ring timeout)
or a rejection with its status. A branch that fails (no answer, busy) makes Kamailio hold the
call again and ask (``failed``): accueil reports ``NoAnswer``/``Busy`` and answers with the next
destination once the switchboard has one, so a caller waiting in line keeps ringing.

Kamailio keeps each call's line (held, ringing or answered, with the transaction's or the
dialog's place) and gives them all when accueil connects (``lines``): a new leader after a
take-over, or a restarted accueil, takes each call on where Kamailio holds it — a caller
waiting in line is rung to the next secretary the switchboard chooses, a connected call can be
ended — and a call the switchboard restored that Kamailio no longer holds (its caller left
meanwhile) ends. Until those lines are in, what the switchboard asks about a call is kept and
carried out after.

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
from collections.abc import Callable, Collection, Mapping
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
    agents: set[str] = field(default_factory=set)  # the keys rung that are agents
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
        reply_seconds: float = 4.0,
        tags: Tags | None = None,
    ) -> None:
        self.domain, self.trunk = domain, trunk
        self.agent_ring_seconds = agent_ring_seconds
        # a branch with not one reply (not even 100 Trying) by then fails at once (Kamailio's
        # fr_timer; the ring time runs from the first reply): the softphone is out of reach
        self.reply_seconds = reply_seconds
        self.tags: Tags = tags or (lambda call: {})
        # a SIP user's registration expired or was removed (the secretary's presence)
        self.on_unregistered: Callable[[str], None] = lambda user: None
        # an agent's softphone, though registered, did not reply to the INVITE at all
        self.on_unreachable: Callable[[str], None] = lambda agent: None
        # the calls the switchboard follows (restored from its journal after a take-over)
        self.followed: Callable[[], Collection[str]] = lambda: ()
        self.link = EvapiLink(evapi_host, evapi_port, self._heard)
        self.link.on_connect = self._ask_lines
        self.lines: dict[str, _Line] = {}
        self.synced = asyncio.Event()  # Kamailio's lines are in, since the last connection
        self._told: dict[str, Message] | None = None  # Kamailio's lines as they come in
        self._before: set[str] = set()  # the lines followed when the last connection began
        self._early: list[Callable[[], None]] = []  # asked before the lines were in
        # seconds from Kamailio's question about a new call to accueil's first answer
        self.decision_seconds: deque[float] = deque(maxlen=100_000)
        self._sink: Sink | None = None

    async def start(self, within: float = 5.0) -> None:
        """Connect to Kamailio (and keep reconnecting); returns once connected and Kamailio's
        lines are in."""
        self.link.start()
        await asyncio.wait_for(self.synced.wait(), within)

    async def stop(self) -> None:
        await self.link.stop()

    # ----------------------------------------------------------------- the port

    def attach(self, sink: Sink) -> None:
        self._sink = sink

    def ring_agent(self, call: str, agent: str) -> None:
        if self._later(call, lambda: self.ring_agent(call, agent)):
            return
        self._ring(call, agent, f"sip:{agent}@{self.domain}", self.agent_ring_seconds)
        line = self.lines.get(call)
        if line is not None:
            line.agents.add(agent)

    def stop_ringing(self, call: str, agent: str) -> None:
        if self._later(call, lambda: self.stop_ringing(call, agent)):
            return
        line = self.lines.get(call)
        if line is None:
            return
        line.pending = [(key, route) for key, route in line.pending if key != agent]
        if agent in line.ringing and not line.answered:
            line.ringing.remove(agent)
            self._cancel(call, line)

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        if self._later(call, lambda: self.ring_device(call, ring)):
            return
        self._ring(call, ring.device, self._uri(ring.address), ring.timeout)

    def bridge(self, call: str, agent: str) -> None:
        log.debug("call %s: %s answered, connected end to end", call, agent)

    def transfer(self, call: str, address: str) -> None:
        log.info("call %s: the transfer to %s is made by the softphone (REFER)", call, address)

    def hang_up(self, call: str, reason: str) -> None:
        if self._later(call, lambda: self.hang_up(call, reason)):
            return
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
        if message.get("event") == "line":
            if self._told is not None and isinstance(message.get("call"), str):
                self._told[message["call"]] = message
            return
        if message.get("event") == "lines-done":
            self._take_lines()
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
            self._failed(call, int(event.get("code", 0)), held, silent=bool(event.get("silent")))
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
        self._send(InboundCall(call, _caller(event), str(event.get("dialled", ""))))

    def _failed(self, call: str, code: int, held: tuple[int, int], *, silent: bool) -> None:
        line = self.lines.get(call)
        if line is None:  # a call we do not know (accueil restarted): do not let it hang
            self._resume(call, held, reject=(480, "Temporarily Unavailable"))
            return
        line.waiting = held
        if line.cancelled:
            line.cancelled = False
        elif line.ringing and silent:
            for key in line.ringing:  # out of reach: refused at once, not left to lapse
                log.warning(
                    "call %s: %s did not reply to the INVITE within %g s (no 100 Trying): "
                    "out of reach though registered",
                    call, key, self.reply_seconds,
                )  # fmt: skip
                if key in line.agents:  # made unavailable first, as for a registration gone
                    self.on_unreachable(key)
                self._send(Busy(call, key))
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
            "fr_timer": max(1000, int(min(timeout, self.reply_seconds) * 1000)),
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
            self._resume(call, held, reject=line.ending)
            del self.lines[call]
            self._send(Ended(call))
        elif line.pending:
            routes = [route for _, route in line.pending]
            line.ringing, line.pending = [key for key, _ in line.pending], []
            self._resume(call, held, routes=routes, keys=line.ringing)
        else:
            line.waiting = held  # nothing to say yet: the caller keeps ringing

    def _resume(
        self,
        call: str,
        held: tuple[int, int],
        *,
        routes: list[dict[str, Any]] | None = None,
        reject: tuple[int, str] | None = None,
        keys: list[str] | None = None,
    ) -> None:
        message: Message = {"do": "resume", "tindex": held[0], "tlabel": held[1], "call": call}
        if keys:
            message["keys"] = keys
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
        self.link.send(
            {"do": "end", "h_entry": line.dialog[0], "h_id": line.dialog[1], "call": call}
        )
        del self.lines[call]
        self._send(Ended(call))

    # ----------------------------------------------------------------- Kamailio's lines

    def _ask_lines(self) -> None:
        """A new connection: ask Kamailio for the calls it holds for accueil."""
        self.synced.clear()
        self._told, self._before = {}, set(self.lines)
        self.link.send({"do": "lines"})

    def _later(self, call: str, ask: Callable[[], None]) -> bool:
        """Keep what is asked about a call not followed yet while Kamailio's lines come in."""
        if self.synced.is_set() or call in self.lines:
            return False
        self._early.append(ask)
        return True

    def _take_lines(self) -> None:
        """Kamailio's lines are in: take on the calls it holds that this telephony does not
        follow yet, end those it no longer holds, then carry out what was asked meanwhile."""
        told, self._told = self._told or {}, None
        followed = set(self.followed())
        for call, said in told.items():
            if call in self.lines:
                continue  # followed already (it began on this connection)
            line = self._line_from(said)
            if line is None:
                continue
            self.lines[call] = line
            if call not in followed and line.waiting is not None:
                # asked about under the old leader, never journaled: decided now
                log.info("call %s held by Kamailio, new to the switchboard: deciding it", call)
                self._send(InboundCall(call, _caller(said), str(said.get("dialled", ""))))
            elif call in followed and line.answered and line.answered != "?":
                self._send(Answered(call, line.answered))  # answered while nobody listened
        # followed by the switchboard or by this telephony before this connection, but
        # Kamailio holds them no more: their callers left while nobody listened (or Kamailio
        # restarted). A call that began on this connection is not among them.
        gone = {c for c in followed if c not in self.lines} | self._before
        for call in sorted(gone - set(told)):
            log.info("call %s: Kamailio no longer holds it, ended", call)
            self.lines.pop(call, None)
            self._send(Ended(call))
        self.synced.set()
        early, self._early = self._early, []
        for ask in early:
            ask()

    def _line_from(self, said: Message) -> _Line | None:
        line = _Line(str(said.get("cseq", "")), str(said.get("from_tag", "")))
        state, ringing = said.get("state"), said.get("ringing")
        keys = [str(k) for k in ringing] if isinstance(ringing, list) else []
        try:
            if state == "held":
                line.waiting = (int(said["tindex"]), int(said["tlabel"]))
            elif state == "ringing":
                line.ringing = keys
            elif state == "answered":
                line.answered = keys[0] if keys else "?"
                line.dialog = (int(said["h_entry"]), int(said["h_id"]))
            else:
                raise ValueError(state)
        except (KeyError, TypeError, ValueError):
            log.warning("evapi: a line from Kamailio not understood, ignored: %s", said)
            return None
        return line

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


def _caller(said: Message) -> str:
    caller = str(said.get("caller", ""))
    return "" if caller.lower() in ("anonymous", "unknown", "restricted") else caller


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
