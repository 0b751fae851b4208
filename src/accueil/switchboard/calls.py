"""One call as the switchboard follows it, from the inbound to its record."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from accueil.core.decision import Decision
from accueil.core.directory import Account
from accueil.core.treatments import Answer, Message, OnCall, Reject
from accueil.errors import AccueilError
from accueil.telephony.port import DeviceRing


class Stage(StrEnum):
    RINGING = "ringing"  # the called person's devices ring (connect, on-call)
    WAITING = "waiting"  # in the pool's line
    OFFERED = "offered"  # offered to one agent (a lease)
    TALKING = "talking"  # with an agent
    CONNECTED = "connected"  # with the person: one of their devices answered
    WRAPUP = "wrapup"  # the caller is gone; the agent has not given the outcome yet
    ENDED = "ended"


Fallback = Answer | Message | OnCall | Reject | None


@dataclass
class CallInProgress:
    """A live call: where it is, who has it, and what its record will say."""

    id: str
    caller: str
    dialled: str
    arrived: float  # on the engine's time line
    started_at: datetime
    account: Account
    person: str  # "" for the switchboard
    decision: Decision
    stage: Stage = Stage.RINGING
    devices: list[DeviceRing] = field(default_factory=list)  # still to ring, in order
    ringing: set[str] = field(default_factory=set)  # device keys ringing now
    fallback: Fallback = None  # when no device answers
    agent: str = ""
    token: int = 0
    waited: float | None = None
    familiar: bool | None = None
    enqueued_at: datetime | None = None  # the instant it entered the pool's line

    def follow(self) -> CallInProgress:
        """A copy to follow live. The journal encodes a batch's inputs after the batch has
        applied (off the event loop): its ``Inbound`` must keep the call as it came in."""
        return replace(self, devices=list(self.devices), ringing=set(self.ringing))

    @property
    def treatment(self) -> str:
        return self.decision.treatment.type

    def shown(self, now: float) -> dict[str, object]:
        """The call as a supervisor or a test reads it."""
        return {
            "call": self.id,
            "account": self.account.key,
            "person": self.person,
            "stage": self.stage.value,
            "treatment": self.treatment,
            "agent": self.agent,
            "waited": round(now - self.arrived, 3),
        }


class Refused(AccueilError):
    """An agent's action that does not apply now (stale offer, unknown call, wrong agent)."""

    code = "refused"
    status = 409
