"""The demo's sample calls: one person's calls decided by their own rules, a screen pop on the
switchboard, and a search for the person's name as heard on the phone.

What ``accueil demo`` shows a newcomer, read here through the services; the command only prints.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from accueil.core.directory import Person
from accueil.core.screenpop import ScreenPop
from accueil.core.search import Hit
from accueil.demo.furnish import (
    BLOCKED_CALLER,
    SAMPLE_INSTANT,
    STRANGER_CALLER,
    VIP_CALLER,
    showcase,
)
from accueil.services.decisions import CallDecision, decide_call
from accueil.services.directory import get_person, list_numbers
from accueil.services.screenpop import screen_pop
from accueil.services.search import search


@dataclass(frozen=True)
class SampleCall:
    caller: str  # E.164
    who: str  # the kind of caller, in words: "a VIP client"
    decided: CallDecision


@dataclass(frozen=True)
class Samples:
    """What the demo shows of one person with rules of their own, at ``SAMPLE_INSTANT``."""

    account: str
    person: Person
    calls: tuple[SampleCall, ...]
    pop: ScreenPop  # an unknown caller on the account's switchboard
    heard: str  # the person's last name as a caller would say it
    hits: tuple[Hit, ...]


def sample_calls(session: Session) -> Samples | None:
    """The sample calls of the demo operator in ``session``; None when it has no showcase."""
    found = showcase(session)
    if not found:
        return None
    account, person_key, direct = found[0]
    person = get_person(session, account, person_key)
    switchboard = next((n.e164 for n in list_numbers(session, account) if not n.person), direct)
    calls = tuple(
        SampleCall(caller, who, decide_call(session, caller, dialled, now=SAMPLE_INSTANT))
        for caller, dialled, who in (
            (VIP_CALLER, direct, "a VIP client"),
            (STRANGER_CALLER, direct, "an unknown caller"),
            (BLOCKED_CALLER, switchboard, "a blocked number, to the switchboard"),
        )
    )
    pop = screen_pop(session, switchboard, STRANGER_CALLER, now=SAMPLE_INSTANT)
    heard = person.last_name.lower()
    hits = search(session, account, heard, limit=3, now=SAMPLE_INSTANT)
    return Samples(account, person, calls, pop, heard, tuple(hits))
