"""The engine's mutable bookkeeping for one agent and one call (internal; see ``snapshot``)."""

from __future__ import annotations

import math
from enum import IntEnum, StrEnum


class AgentStatus(StrEnum):
    READY = "ready"  # idle, waiting for an offer
    OFFERED = "offered"  # holds one offer (a lease)
    BUSY = "busy"  # on a call
    WRAPUP = "wrapup"  # after a call
    PAUSED = "paused"  # logged in but not taking calls (not ready yet, break, missed, silent)


class CallStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    CONNECTED = "connected"


class FamiliarRing(IntEnum):
    """How far a call's soft preferences have widened; hard requirements never widen."""

    PERSON = 0  # agents familiar with this person
    ACCOUNT = 1  # agents familiar with this account, and its primary agents
    EVERYONE = 2  # every eligible agent

    @property
    def label(self) -> str:
        return self.name.lower()


class AgentRecord:
    """One logged-in agent."""

    __slots__ = (
        "answered",
        "call",
        "hb_stamp",
        "hb_timeout",
        "heartbeats",
        "id",
        "idle_since",
        "languages",
        "last_heartbeat",
        "leave_after",
        "misses",
        "order",
        "pause_after",
        "pause_reason",
        "ready_seq",
        "silent",
        "site",
        "status",
        "status_since",
        "token",
        "trainings",
        "wrapup",
        "wrapup_stamp",
        "wrapup_until",
    )

    def __init__(
        self,
        agent_id: str,
        languages: frozenset[str],
        trainings: dict[str, int],
        site: str,
        wrapup: float | None,
        heartbeats: float | None,
        order: int,
        at: float,
    ) -> None:
        self.id = agent_id
        self.languages = languages
        self.trainings = trainings
        self.site = site
        self.wrapup = wrapup
        self.heartbeats = heartbeats is not None  # its site's heartbeats are watched
        self.hb_timeout = heartbeats if heartbeats is not None else 0.0
        self.order = order  # first-login order, kept across logouts (round-robin memory)
        self.status = AgentStatus.PAUSED
        self.status_since = at
        self.pause_reason = "not ready yet"
        self.idle_since = at
        self.call: LiveCall | None = None  # the call offered to or handled by this agent
        self.token = 0
        self.misses = 0  # consecutive lapsed offers
        self.answered = 0  # calls answered since login
        self.last_heartbeat = at
        self.hb_stamp = 0
        self.silent = False  # no heartbeat for too long: unavailable until a sign of life
        self.wrapup_stamp = 0
        self.wrapup_until = 0.0
        self.pause_after: str | None = None  # pause requested while busy: applied after
        self.leave_after = False  # logged out while busy: leaves after the call
        self.ready_seq = 0  # order of becoming ready: the smallest has been idle longest

    def can_take(self, call: LiveCall) -> bool:
        """The hard requirements: languages and certification. Never relaxed."""
        if call.certification_required and call.account not in self.trainings:
            return False
        return all(lang in self.languages for lang in call.languages)


class LiveCall:
    """One call between enqueue and its end."""

    __slots__ = (
        "account",
        "agent",
        "certification_required",
        "claimed",
        "connected_at",
        "declined",
        "enqueued",
        "held",
        "held_at",
        "held_since",
        "id",
        "key",
        "languages",
        "person",
        "qstamp",
        "ring",
        "ring_stamp",
        "ring_until",
        "seq",
        "since",
        "status",
        "target",
        "tier",
        "token",
        "wrapup",
    )

    def __init__(
        self,
        call_id: str,
        account: str,
        person: str,
        languages: tuple[str, ...],
        certification_required: bool,
        tier: str,
        target: float,
        wrapup: float | None,
        since: float,
        bonus: float,
        seq: int,
    ) -> None:
        self.id = call_id
        self.account = account
        self.person = person
        self.languages = languages
        self.certification_required = certification_required
        self.tier = tier
        self.target = target
        self.wrapup = wrapup
        self.since = since
        # The place in line: time waited plus the tier's bonus, ties to the longest waiting.
        self.key = (since - bonus, since, seq)
        self.seq = seq
        self.status = CallStatus.WAITING
        self.ring = FamiliarRing.EVERYONE
        self.ring_until: float | None = None  # when the ring widens next
        self.ring_stamp = 0  # invalidates superseded widening deadlines
        self.agent: AgentRecord | None = None
        self.token = 0
        # agents who declined or missed this call -> until when they are not offered it again
        self.declined: dict[str, float] = {}
        self.connected_at = 0.0
        self.enqueued = since  # when it entered this engine's line (the rings' clock)
        self.qstamp = 0  # invalidates superseded entries of the open line
        self.claimed = ""  # the familiar agent ending wrap-up this call waits for (one waiter)
        # Waited because of affinity: in a ring while an agent able to take it sat ready, or
        # passed over by a freed agent for a younger familiar call (guard.py)
        self.held = False
        # When held only for younger calls: the youngest one's place (since). Had it not been
        # taken first, it would have been answered when this one was: if it would then have
        # been late itself, the swap cost no service level. Infinity: held beside a free agent.
        self.held_since = math.inf
        # When it was held (beside a free agent) or last passed over for a younger call: where
        # its wait would have ended had it not been (the guard's grace price, guard.py).
        self.held_at = math.inf

    @property
    def person_key(self) -> str:
        return f"{self.account}\x1f{self.person}"
