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


class Mute:
    """The telephony while a journal is replayed: what was asked then was asked already."""

    def attach(self, sink: Sink) -> None:
        pass

    def ring_agent(self, call: str, agent: str) -> None:
        pass

    def stop_ringing(self, call: str, agent: str) -> None:
        pass

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        pass

    def bridge(self, call: str, agent: str) -> None:
        pass

    def transfer(self, call: str, address: str) -> None:
        pass

    def hang_up(self, call: str, reason: str) -> None:
        pass
