"""What goes in and out of the routing engine: timestamped events in, commands out.

Like h11 or aioquic, the engine never reads a clock or touches a socket: the driver (the server's
telephony loop, or the digital twin) feeds it these frozen events, each with ``at`` in seconds on
one monotonic time line, and carries out the commands it returns.

Identifiers (agent, call, account, person) are plain strings chosen by the driver.
"""

from __future__ import annotations

from dataclasses import dataclass

# --------------------------------------------------------------------------- agent events


@dataclass(frozen=True, slots=True)
class AgentLoggedIn:
    """An agent starts a shift. They are logged in but not yet ready (send ``AgentReady``).

    ``trainings`` pairs an account with a level (1 = can answer, 3 = knows it well); an agent
    trained on an account at ``EngineConfig.primary_level`` or above is one of its primary agents.
    Agents whose ``site`` is ``EngineConfig.heartbeat_site`` ("home"), or one of
    ``EngineConfig.heartbeat_sites``, must send heartbeats.
    """

    at: float
    agent: str
    languages: tuple[str, ...] = ("fr",)
    trainings: tuple[tuple[str, int], ...] = ()
    site: str = "home"
    wrapup_seconds: float | None = None  # this agent's own wrap-up; None: the account's


@dataclass(frozen=True, slots=True)
class AgentReady:
    """The agent is ready for a call (after login, a pause, or ending wrap-up early)."""

    at: float
    agent: str


@dataclass(frozen=True, slots=True)
class AgentPaused:
    """The agent steps away. An offer they hold is revoked and the call keeps its place."""

    at: float
    agent: str
    reason: str = "break"


@dataclass(frozen=True, slots=True)
class AgentLoggedOut:
    """End of shift. A call in progress carries on; the agent leaves when it ends."""

    at: float
    agent: str


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """A sign of life from an agent's softphone (required for agents working from home)."""

    at: float
    agent: str


# --------------------------------------------------------------------------- call events


@dataclass(frozen=True, slots=True)
class CallEnqueued:
    """A call enters the pool's line with its hard requirements and soft preferences.

    Hard: the agent speaks every language in ``languages``; when ``certification_required``,
    the agent is trained on ``account`` (any level). Soft: familiar agents, in rings.
    ``since`` is the caller's place in line (defaults to ``at``): a call put back in line,
    e.g. after a failed transfer, keeps its original place.
    """

    at: float
    call: str
    account: str
    person: str = ""  # "" for the account's switchboard
    languages: tuple[str, ...] = ("fr",)
    certification_required: bool = False
    tier: str = "standard"  # a key of EngineConfig.tier_bonus
    target_seconds: float = 20.0  # the account's service-level target
    max_wait: float | None = None  # None: EngineConfig.max_wait
    wrapup_seconds: float | None = None  # the account's wrap-up; None: EngineConfig default
    since: float | None = None


@dataclass(frozen=True, slots=True)
class OfferAccepted:
    """The agent picked up the offered call: it is answered now."""

    at: float
    call: str
    agent: str
    token: int


@dataclass(frozen=True, slots=True)
class OfferDeclined:
    """The agent refused the offer (or their phone rejected it): the call goes to someone else."""

    at: float
    call: str
    agent: str
    token: int


@dataclass(frozen=True, slots=True)
class CallEnded:
    """An answered call is over (either side hung up); the agent starts wrap-up."""

    at: float
    call: str
    agent: str
    token: int


@dataclass(frozen=True, slots=True)
class CallAbandoned:
    """The caller hung up before being answered."""

    at: float
    call: str


@dataclass(frozen=True, slots=True)
class WrapUpEnded:
    """The agent finished wrap-up early (otherwise the engine ends it at its deadline)."""

    at: float
    agent: str


@dataclass(frozen=True, slots=True)
class Tick:
    """Time moved on. Feed one at ``engine.next_deadline()`` so the engine fires its deadlines."""

    at: float


Event = (
    AgentLoggedIn
    | AgentReady
    | AgentPaused
    | AgentLoggedOut
    | Heartbeat
    | CallEnqueued
    | OfferAccepted
    | OfferDeclined
    | CallEnded
    | CallAbandoned
    | WrapUpEnded
    | Tick
)

# --------------------------------------------------------------------------- commands


@dataclass(frozen=True, slots=True)
class Offer:
    """Ring ``agent`` with ``call``: a lease that lapses at ``deadline`` unless accepted.

    Every later event about this offer must carry ``token`` (a fencing token, unique and
    increasing); ``ring`` and ``reason`` say why this agent, in words.
    """

    call: str
    agent: str
    token: int
    deadline: float
    ring: str  # "person", "account" or "everyone"
    reason: str


@dataclass(frozen=True, slots=True)
class RevokeOffer:
    """Stop ringing: the offer is void (expired, caller gone, agent paused or silent)."""

    call: str
    agent: str
    token: int
    reason: str


@dataclass(frozen=True, slots=True)
class Bridge:
    """The offer was accepted: bridge the caller to the agent. ``waited`` counts from ``since``."""

    call: str
    agent: str
    token: int
    waited: float
    familiar: bool  # the agent was among the account's familiar agents when it answered


@dataclass(frozen=True, slots=True)
class Overflow:
    """The call leaves the line unanswered: apply its rule's fallback (message, voicemail…)."""

    call: str
    reason: str


@dataclass(frozen=True, slots=True)
class PauseAgent:
    """The engine took the agent out of rotation (missed offers, silent softphone)."""

    agent: str
    reason: str


@dataclass(frozen=True, slots=True)
class WrapUp:
    """The agent is in wrap-up after ``call`` until ``until`` (or an earlier ``WrapUpEnded``)."""

    agent: str
    call: str
    until: float


@dataclass(frozen=True, slots=True)
class Ignored:
    """An event was stale, duplicate or late and changed nothing; reported, never applied."""

    event: Event
    reason: str


Command = Offer | RevokeOffer | Bridge | Overflow | PauseAgent | WrapUp | Ignored
