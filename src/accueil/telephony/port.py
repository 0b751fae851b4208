"""The telephony port: the one small interface between the switchboard and whatever carries
the audio (the in-memory telephony of the tests, the simulated one, later SIP).

The switchboard tells the telephony what to do (ring an agent, ring a person's device with a
timeout, bridge, transfer, hang up); the telephony tells the switchboard what happened, as the
events below, through the sink it was given with ``attach``. Times are the switchboard's: the
telephony never decides when something happened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True, slots=True)
class DeviceRing:
    """One of a person's devices to ring: its key, its address, and for how long."""

    device: str
    address: str
    timeout: float


# --------------------------------------------------------------------------- events back


@dataclass(frozen=True, slots=True)
class InboundCall:
    """A call arrives: who calls (as presented, "" when withheld), which number, its id."""

    call: str
    caller: str
    dialled: str


@dataclass(frozen=True, slots=True)
class Answered:
    """``by`` (a device key, or an agent) picked up."""

    call: str
    by: str


@dataclass(frozen=True, slots=True)
class NoAnswer:
    """``by`` rang out its timeout (a device), or did not pick up (an agent's softphone)."""

    call: str
    by: str


@dataclass(frozen=True, slots=True)
class Busy:
    """``by`` refused the call at once (busy, or rejected)."""

    call: str
    by: str


@dataclass(frozen=True, slots=True)
class CallerHungUp:
    """The caller hung up (before or after being answered)."""

    call: str


@dataclass(frozen=True, slots=True)
class Ended:
    """The call is over on the telephony's side: nothing of it rings or talks any more."""

    call: str


TelephonyEvent = InboundCall | Answered | NoAnswer | Busy | CallerHungUp | Ended
Sink = Callable[[TelephonyEvent], None]


class Telephony(Protocol):
    """What the switchboard asks of the telephony. Every method returns at once; what follows
    comes back as events to the attached sink."""

    def attach(self, sink: Sink) -> None:
        """Where to send the events from now on."""
        ...

    def ring_agent(self, call: str, agent: str) -> None:
        """Ring the agent's softphone with the call (an offer)."""
        ...

    def stop_ringing(self, call: str, agent: str) -> None:
        """The offer is void: stop ringing the agent."""
        ...

    def ring_device(self, call: str, ring: DeviceRing) -> None:
        """Ring one of the called person's devices; ``NoAnswer`` after ``ring.timeout``."""
        ...

    def bridge(self, call: str, agent: str) -> None:
        """Connect the caller to the agent who accepted the offer."""
        ...

    def transfer(self, call: str, address: str) -> None:
        """Hand the caller over to ``address`` (a patch-through or a transfer)."""
        ...

    def hang_up(self, call: str, reason: str) -> None:
        """End the call from our side; ``Ended`` follows."""
        ...
