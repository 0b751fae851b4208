"""The switchboard's inputs as the journal keeps them, and what replaying them leaves out.

An agent's action is journaled as the engine's own event (``AgentLoggedIn`` with the agent's
languages, trainings and site as read when they logged in; ``AgentReady``, ``AgentPaused``,
``OfferAccepted`` with its token, …). A telephony event is journaled as ``Heard``; an inbound
call as ``Inbound`` with the call as decided then (so a replay does not decide again on a
directory that may have changed since); an agent's outcome as ``Finish`` with the answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from accueil.core.routing import events
from accueil.switchboard.calls import CallInProgress
from accueil.telephony.port import DeviceRing, InboundCall, Sink, TelephonyEvent


@dataclass(frozen=True)
class Inbound:
    """A new call, as decided (``call``), or refused (``refused``: why it was hung up)."""

    event: InboundCall
    call: CallInProgress | None
    refused: str = ""


@dataclass(frozen=True)
class Heard:
    """Any other telephony event."""

    event: TelephonyEvent


@dataclass(frozen=True)
class Finish:
    """An agent gives the outcome of the script of a call they answered."""

    agent: str
    call: str
    answers: dict[str, str]


AgentInput = (
    events.AgentLoggedIn
    | events.AgentLoggedOut
    | events.AgentReady
    | events.AgentPaused
    | events.Heartbeat
    | events.WrapUpEnded
    | events.OfferAccepted
    | events.OfferDeclined
)
Input = Inbound | Heard | Finish | AgentInput


Request = tuple[str, str, object]  # (what, call, detail: an agent, a DeviceRing, a reason…)


class Mute:
    """The telephony while a journal is replayed: what was asked then was asked already, or
    was about to be when the leader died. Nothing goes out; each request is noted (``asked``)
    so the new leader can ask again, idempotently, what the world still expects."""

    def __init__(self) -> None:
        self.asked: list[Request] = []

    def attach(self, sink: Sink) -> None:
        pass

    def ring_agent(self, call: str, agent: str) -> None:
        self.asked.append(("ring_agent", call, agent))

    def stop_ringing(self, call: str, agent: str) -> None:
        self.asked.append(("stop_ringing", call, agent))

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        self.asked.append(("ring_device", call, ring))

    def bridge(self, call: str, agent: str) -> None:
        self.asked.append(("bridge", call, agent))

    def transfer(self, call: str, address: str) -> None:
        self.asked.append(("transfer", call, address))

    def hang_up(self, call: str, reason: str) -> None:
        self.asked.append(("hang_up", call, reason))

    def ended(self, call: str) -> None:
        """The telephony said the call is over: what was asked of it has had its effect."""
        self.asked.append(("ended", call, None))
