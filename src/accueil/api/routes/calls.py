"""A call, before it happens: the decision (a dry run) and the agent's screen pop.

Both start from the dialled number; a number that leads to an account (or a person) the caller
may not see leads nowhere for them (404, as an unknown number).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends
from pydantic import Field, TypeAdapter
from sqlalchemy.orm import Session

from accueil.api import auth
from accueil.api.auth import Caller, authenticated
from accueil.api.conventions import scoped
from accueil.api.routing import OneHop
from accueil.api.schemas import In, Out
from accueil.api.times import Instant, aware
from accueil.core.access import Scope
from accueil.core.decision import Call
from accueil.core.explain import LANGUAGES
from accueil.core.phone import to_e164
from accueil.core.screenpop import ScreenPop
from accueil.errors import InvalidInput, at_field, says
from accueil.services.call_slices import NumberSlice
from accueil.services.decisions import decide_in, decision_json
from accueil.services.directory import Destination

router = APIRouter(tags=["calls"], route_class=OneHop)
LOOKUP = scoped(Scope.LOOKUP)
POP = TypeAdapter(ScreenPop)  # pydantic's serializer: a tenth of jsonable_encoder's cost


class CallIn(In):
    to: str = Field(min_length=1, max_length=64, description="the dialled number, as typed")
    caller: str = Field("", max_length=64, description="the caller's number; empty: withheld")
    at: Instant | None = Field(None, description="when (default now); naive: account's zone")
    lang: str = Field("en", max_length=8, description="language of the explanation")
    country: str = Field("FR", min_length=2, max_length=2, description="for national numbers")


class DecisionOut(Out):
    decision: dict[str, Any]
    at: datetime


class ScreenPopOut(Out):
    pop: dict[str, Any]
    at: datetime


@dataclass(frozen=True)
class Reached:
    """Where the dialled number leads (its kept slice: ``Runtime.slices``), at what time."""

    kept: NumberSlice
    when: datetime

    @property
    def found(self) -> Destination:
        return self.kept.destination


def _destination(caller: Caller, body: CallIn, session: Session) -> Reached:
    if body.lang not in LANGUAGES:
        raise InvalidInput(
            says("explanations are in %(languages)s", languages=", ".join(LANGUAGES)),
            field="body.lang",
        )
    with at_field("to"):
        dialled = to_e164(body.to, body.country)
    kept = caller.runtime.slices.slice_of(session, dialled)
    found = kept.destination
    person = found.person.key if found.person else None
    auth.reach(caller, found.number.e164, found.account.key, person)
    when = aware(body.at, found.account.timezone) or caller.runtime.now()
    return Reached(kept, when)


@router.post("/decide", openapi_extra=LOOKUP)
def decide(body: CallIn, caller: Caller = Depends(authenticated)) -> DecisionOut:
    """What would happen to this call, and why: the rule, the treatment, the explanation."""
    with caller.unit() as session:
        reached = _destination(caller, body, session)
        found, when = reached.found, reached.when
        account = found.account.key
        person = found.person.key if found.person else None
        call = Call(body.caller, found.number.e164)
        decision = decide_in(session, reached.kept.pop.call, call, when, lang=body.lang)
        return DecisionOut(decision=decision_json(decision, account, person), at=when)


@router.post("/screen-pop", openapi_extra=LOOKUP)
def pop(body: CallIn, caller: Caller = Depends(authenticated)) -> ScreenPopOut:
    """Everything the agent sees when this call is offered: statuses, the caller's history
    and the script read now, on the number's slice kept while its routing version stands."""
    with caller.unit() as session:
        reached = _destination(caller, body, session)
        shown = caller.runtime.pops(session).screen_pop(
            session,
            reached.found.number.e164,
            body.caller,
            agent=caller.principal.agent or "",
            now=reached.when,
            lang=body.lang,
            country=body.country,
        )
    return ScreenPopOut(pop=POP.dump_python(shown, mode="json"), at=reached.when)
