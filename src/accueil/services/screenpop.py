"""The screen pop of a call offer, from the store: read what is needed, then assemble (pure).

One path. ``PopCache.screen_pop`` reads the dialled number's slice — its destination, the
account's lists, contacts, rotas, closures and rules, the person's group — once, keeps it for
``ttl`` seconds, and reads per call only what changes call by call: the person's status, calendar
and delegations (the one decide step, ``decisions.decide_in``), the caller's history and the
agent's familiarity. ``screen_pop`` is the same path through a cache that keeps nothing.

``script_context`` is what the call's script sees, read the same way; ``accueil script run``
renders with it, so a script tried out on the command line sees what the pop shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.availability import Policy
from accueil.core.callers import normalise_caller
from accueil.core.decision import Call, CallDirectory
from accueil.core.opening import office_state
from accueil.core.phone import to_e164
from accueil.core.screenpop import Familiar, PopInputs, ScreenPop, assemble
from accueil.core.screenpop import script_context as context_of_pop
from accueil.core.scripts.context import Caller, ScriptContext
from accueil.core.scripts.model import Script
from accueil.errors import NotFound, ValidationFailed
from accueil.services.availability import default_policy
from accueil.services.calls import familiarity_of, history_of
from accueil.services.clock import Clock, FixedClock
from accueil.services.decisions import (
    CallSlice,
    availability_in,
    decide_in,
    read_slice,
    slice_for,
)
from accueil.services.directory import number_rows
from accueil.services.events import (
    CallerListSaved,
    ClosureAdded,
    ContactSaved,
    DirectoryImported,
    RotaSaved,
    RulesSaved,
    VipListSaved,
)
from accueil.services.outbox import Envelope
from accueil.services.script_layers import ScriptCache, scripts_of
from accueil.store.tables import GroupRow, PersonRow


def screen_pop(
    session: Session,
    dialled: str,
    caller: str,
    *,
    now: datetime,
    agent: str = "",
    lang: str = "en",
    country: str = "FR",
    familiar: Familiar | None = None,
) -> ScreenPop:
    """Everything the agent sees for a call from ``caller`` to ``dialled``, read afresh.

    ``familiar`` may come from the routing engine (it knows which ring the offer came from);
    otherwise it is read from the call records of the last 30 days.
    """
    fresh = PopCache(FixedClock(now), ttl=0.0, scripts=scripts_of(session))
    return fresh.screen_pop(
        session, dialled, caller, agent=agent, now=now, lang=lang, country=country,
        familiar=familiar,
    )  # fmt: skip


# the events that change what a slice holds (rules, lists, contacts, rotas, closures, directory)
WARM_CHANGES = (
    CallerListSaved,
    ClosureAdded,
    ContactSaved,
    DirectoryImported,
    RotaSaved,
    RulesSaved,
    VipListSaved,
)


@dataclass(frozen=True)
class PopSlice:
    """What a call to one number needs that changes rarely."""

    number: str  # the dialled number, E.164 ("" when read by account and person keys)
    call: CallSlice
    group_name: str


class PopCache:
    """Screen pops with the rarely changing data of each dialled number kept ``ttl`` seconds.

    Changes to rules, lists or the directory show within ``ttl``; ``forget`` applies them at
    once. Statuses, calendars, delegations, history and scripts are always current. ``ttl`` 0
    keeps nothing: every pop reads its slice afresh (``screen_pop``). ``policy`` defaults to the
    operator's settings, read when the cache is made.
    """

    def __init__(
        self,
        clock: Clock,
        ttl: float = 30.0,
        policy: Policy | None = None,
        scripts: ScriptCache | None = None,
    ) -> None:
        self.ttl, self._clock = timedelta(seconds=ttl), clock
        self.policy = policy or default_policy()
        self.scripts = scripts or ScriptCache()
        self._slices: dict[str, tuple[datetime, PopSlice]] = {}

    def forget(self, account: str | None = None) -> None:
        """Drop the cached data of one account (or all), e.g. after an import or a rule change."""
        self._slices = {
            number: item
            for number, item in self._slices.items()
            if account is not None and item[1].call.directory.account.key != account
        }

    def on_event(self, envelope: Envelope) -> None:
        """Subscribe this to an application: drop an account's slices when its warm data changes."""
        if isinstance(envelope.event, WARM_CHANGES):
            self.forget(envelope.event.account or None)

    def screen_pop(
        self,
        session: Session,
        dialled: str,
        caller: str,
        *,
        now: datetime,
        agent: str = "",
        lang: str = "en",
        country: str = "FR",
        familiar: Familiar | None = None,
    ) -> ScreenPop:
        """Everything the agent sees for a call from ``caller`` to ``dialled``."""
        view = self._slice(session, to_e164(dialled, country))
        decision = decide_in(
            session, view.call, Call(caller, view.number), now, lang=lang, policy=self.policy
        )
        inputs = _inputs(view, caller, now)
        account_id = view.call.account_row.id
        person = inputs.person.key if inputs.person else ""
        script, problem = _script(session, self.scripts, account_id, view.call.person_row)
        return assemble(
            replace(
                inputs,
                decision=decision,
                script=script,
                script_problem=problem,
                history=history_of(session, account_id, inputs.caller.number),
                familiar=familiar or familiarity_of(session, account_id, person, agent, now),
                language=lang,
            )
        )

    def _slice(self, session: Session, e164: str) -> PopSlice:
        cached = self._slices.get(e164)
        if cached is not None and self._clock.now() - cached[0] < self.ttl:
            return cached[1]
        number, acc, person = number_rows(session, e164)
        view = _read(session, number.e164, read_slice(session, acc, person))
        if self.ttl > timedelta(0):
            self._slices[e164] = (self._clock.now(), view)
        return view


def script_context(
    session: Session,
    account: str,
    person: str | None,
    caller: str,
    *,
    now: datetime,
    lang: str = "",
    policy: Policy | None = None,
) -> ScriptContext:
    """What the script of a call to ``person`` of ``account`` (None: the switchboard) sees at
    ``now``: the same office, person, group, caller and availability as the screen pop's.

    ``lang``: the script's language ("" → the person's).
    """
    view = _read(session, "", slice_for(session, account, person))
    found = availability_in(session, view.call, now, policy)
    return context_of_pop(_inputs(view, caller, now), found, lang)


def _read(session: Session, number: str, call: CallSlice) -> PopSlice:
    """A number's slice: the call's slice and the name of the person's group."""
    person = call.person_row
    group = _group_name(session, call.account_row.id, person.group_key if person else "")
    return PopSlice(number, call, group)


def _inputs(view: PopSlice, caller: str, now: datetime) -> PopInputs:
    """The pop's inputs that come from the slice: account, office, person, group, caller."""
    directory = view.call.directory
    account = directory.account
    e164 = normalise_caller(caller, account.country) or ""
    return PopInputs(
        account=account,
        now=now,
        office=office_state(account.business_hours, account, directory.closures, now),
        person=directory.person,
        group_name=view.group_name,
        caller=Caller(e164, _caller_name(directory, e164)),
    )


def _caller_name(directory: CallDirectory, e164: str) -> str:
    """The account's name for the caller, else the called person's own name for them."""
    known = directory.contacts.name_of(e164 or None)
    if known is not None:
        return known
    hit = directory.vip.match(e164 or None) if directory.vip else None
    return hit.label if hit else ""


def _script(
    session: Session, cache: ScriptCache, account_id: int, person: PersonRow | None
) -> tuple[Script | None, str]:
    """The call's script, or why the pop shows none (the call still goes on without it)."""
    group, key = (person.group_key, person.key) if person else ("", "")
    try:
        return cache.script_of(session, account_id, group, key), ""
    except NotFound as exc:
        return None, exc.message
    except ValidationFailed as exc:
        return None, f"the saved script does not build: {exc.problems[0]}"


def _group_name(session: Session, account_id: int, group: str) -> str:
    if not group:
        return ""
    name = session.scalar(
        select(GroupRow.name).where(GroupRow.account_id == account_id, GroupRow.key == group)
    )
    return name or ""
