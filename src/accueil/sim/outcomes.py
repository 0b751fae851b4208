"""What happened to each call in a run, and whether its agent was a familiar one.

Account affinity (issue 4): the answering agent is one of the ``ACCOUNT_MEMORY`` distinct agents
who most recently answered the account (before this call, in order of answer); person
affinity: one of the person's ``PERSON_MEMORY`` most recent agents.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

ACCOUNT_MEMORY = 3
PERSON_MEMORY = 2


class Fate(StrEnum):
    ANSWERED = "answered"
    ABANDONED = "abandoned"
    OVERFLOWED = "overflowed"
    UNFINISHED = "unfinished"  # still waiting when the simulation stopped


@dataclass(frozen=True)
class CallResult:
    """What happened to one call: its fate, how long the caller waited, who answered."""

    key: str
    account: str
    person: str
    arrival: float
    fate: Fate
    waited: float  # until answered, abandoned or overflowed
    agent: str = ""
    # answered calls: when the agent was free again (end of wrap-up, or earlier when the agent
    # said ready during it); None when unknown (then: the call's end plus the scenario's wrap-up)
    freed: float | None = None


def familiar_flags(records: Sequence[CallResult]) -> dict[str, tuple[bool, bool]]:
    """For each answered call, whether its agent was familiar with (account, person)."""
    answered = sorted(
        (r for r in records if r.fate is Fate.ANSWERED), key=lambda r: r.arrival + r.waited
    )
    by_account: dict[str, list[str]] = defaultdict(list)
    by_person: dict[str, list[str]] = defaultdict(list)
    flags: dict[str, tuple[bool, bool]] = {}
    for record in answered:
        recent_account = by_account[record.account]
        recent_person = by_person[record.person] if record.person else []
        flags[record.key] = (record.agent in recent_account, record.agent in recent_person)
        _remember(recent_account, record.agent, ACCOUNT_MEMORY)
        if record.person:  # switchboard calls ("" person) have no person to know
            _remember(recent_person, record.agent, PERSON_MEMORY)
    return flags


def _remember(recent: list[str], agent: str, size: int) -> None:
    if agent in recent:
        recent.remove(agent)
    recent.insert(0, agent)
    del recent[size:]
