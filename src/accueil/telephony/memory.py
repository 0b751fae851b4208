"""An in-memory telephony: a working fake for tests, played by hand.

It keeps what the switchboard asked of it (``log``, and each call's state) and lets a test act
as the world: a call comes in, a device or softphone answers or rings out, the caller hangs up.
Hanging up from our side ends the call at once (``Ended``), as a real carrier would report.
A request asked again (a new leader's, after a take-over) is logged and changes nothing when
its effect is there already: ringing what rings, bridging what is bridged, hanging up what is
over (no second ``Ended``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

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


@dataclass
class LineState:
    """One call as the telephony sees it."""

    caller: str
    dialled: str
    ringing: set[str] = field(default_factory=set)  # agents and device keys ringing now
    connected_to: str = ""  # the agent or address talking with the caller
    over: bool = False


class MemoryTelephony:
    """The telephony port in memory; ``log`` lists every request, in order."""

    def __init__(self) -> None:
        self.lines: dict[str, LineState] = {}
        self.log: list[tuple[str, str, str]] = []  # (request, call, detail)
        self._sink: Sink | None = None

    # ----------------------------------------------------------------- the port

    def attach(self, sink: Sink) -> None:
        self._sink = sink

    def ring_agent(self, call: str, agent: str) -> None:
        self._line(call).ringing.add(agent)
        self.log.append(("ring_agent", call, agent))

    def stop_ringing(self, call: str, agent: str) -> None:
        self._line(call).ringing.discard(agent)
        self.log.append(("stop_ringing", call, agent))

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        self._line(call).ringing.add(ring.device)
        self.log.append(("ring_device", call, f"{ring.device} {ring.address} {ring.timeout:g}s"))

    def bridge(self, call: str, agent: str) -> None:
        line = self._line(call)
        line.ringing.discard(agent)
        line.connected_to = agent
        self.log.append(("bridge", call, agent))

    def transfer(self, call: str, address: str) -> None:
        self._line(call).connected_to = address
        self.log.append(("transfer", call, address))

    def hang_up(self, call: str, reason: str) -> None:
        self.log.append(("hang_up", call, reason))
        self._over(call)

    # ----------------------------------------------------------------- the world

    def inbound(self, call: str, caller: str, dialled: str) -> None:
        self.lines[call] = LineState(caller, dialled)
        self._send(InboundCall(call, caller, dialled))

    def answer(self, call: str, by: str) -> None:
        line = self._line(call)
        line.ringing.discard(by)
        line.connected_to = by
        self._send(Answered(call, by))

    def no_answer(self, call: str, by: str) -> None:
        self._line(call).ringing.discard(by)
        self._send(NoAnswer(call, by))

    def busy(self, call: str, by: str) -> None:
        self._line(call).ringing.discard(by)
        self._send(Busy(call, by))

    def caller_hangs_up(self, call: str) -> None:
        self._send(CallerHungUp(call))
        self._over(call)

    def requests(self, call: str) -> list[tuple[str, str]]:
        """What was asked for ``call``, in order: (request, detail)."""
        return [(what, detail) for what, c, detail in self.log if c == call]

    # ----------------------------------------------------------------- inside

    def _line(self, call: str) -> LineState:
        return self.lines.setdefault(call, LineState("", ""))

    def _over(self, call: str) -> None:
        line = self._line(call)
        if line.over:
            return
        line.over, line.ringing = True, set()
        self._send(Ended(call))

    def _send(self, event: TelephonyEvent) -> None:
        if self._sink is None:
            raise RuntimeError("no switchboard attached to this telephony")
        self._sink(event)
