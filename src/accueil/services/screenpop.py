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

from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from accueil.core.availability import Policy
from accueil.core.callers import normalise_caller
from accueil.core.decision import Call, CallDirectory, Decision
from accueil.core.opening import office_state
from accueil.core.phone import to_e164
from accueil.core.screenpop import Familiar, PopInputs, ScreenPop, ScriptPanels, assemble
from accueil.core.screenpop import script_context as context_of_pop
from accueil.core.scripts.context import Caller, ScriptContext
from accueil.core.scripts.model import Script
from accueil.errors import NotFound, ValidationFailed
from accueil.services.availability import default_policy
from accueil.services.call_slices import CallSlices, PopSlice, read_pop_slice
from accueil.services.calls import familiarity_of, history_of
from accueil.services.clock import Clock, FixedClock
from accueil.services.decisions import (
    availability_in,
    decide_in,
    read_slice,
    slice_for,
)
from accueil.services.directory import number_rows
from accueil.services.outbox import Envelope
from accueil.services.routing_version import ROUTING_CHANGES
from accueil.services.script_layers import ScriptCache, scripts_of
from accueil.services.tenancy import by_number
from accueil.store.tables import PersonRow


@by_number
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


# the events that change what a slice holds (they also bump the account's routing version)
WARM_CHANGES = ROUTING_CHANGES
_KEPT_SCRIPTS = 4096


class PopCache:
    """Screen pops with the rarely changing data of each dialled number kept ``ttl`` seconds.

    Changes to rules, lists or the directory show within ``ttl``; ``forget`` applies them at
    once. Statuses, calendars, delegations, history and scripts are always current. ``ttl`` 0
    keeps nothing: every pop reads its slice afresh (``screen_pop``). ``policy`` defaults to the
    operator's settings, read when the cache is made. Given ``slices`` (the switchboard's, shared
    with its decisions), slices are kept while their account's routing version stands instead,
    each with its script (saving a script bumps the version): a change shows at the next pop,
    ``ttl`` is not used.
    """

    def __init__(
        self,
        clock: Clock,
        ttl: float = 30.0,
        policy: Policy | None = None,
        scripts: ScriptCache | None = None,
        slices: CallSlices | None = None,
    ) -> None:
        self.ttl, self._clock = timedelta(seconds=ttl), clock
        self.kept = slices
        self.policy = policy or default_policy()
        self.scripts = scripts or ScriptCache()
        self.panels = ScriptPanels()  # each script's greeting and walk, made once per reads
        self._slices: dict[str, tuple[datetime, PopSlice]] = {}
        # with kept slices: each slice's script, kept with it (a saved script bumps the
        # routing version, so a new slice comes with it), by the slice's identity
        self._scripts: dict[int, tuple[PopSlice, tuple[Script | None, str]]] = {}

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
        decision: Decision | None = None,
        view: PopSlice | None = None,
    ) -> ScreenPop:
        """Everything the agent sees for a call from ``caller`` to ``dialled``.

        ``decision``: the one the call was routed by (the switchboard's, made at its arrival),
        shown as it is: the agent sees why the call came to them. None: decided now.
        ``view``: the number's slice that decision was made on (checked already), else read.
        """
        if view is None:
            view = self._slice(session, to_e164(dialled, country))
        if decision is None:
            call = Call(caller, view.number)
            decision = decide_in(session, view.call, call, now, lang=lang, policy=self.policy)
        inputs = _inputs(view, caller, now)
        account_id = view.call.account_row.id
        person = inputs.person.key if inputs.person else ""
        script, problem = self._script_of(session, view)
        return assemble(
            replace(
                inputs,
                decision=decision,
                script=script,
                script_problem=problem,
                history=history_of(session, account_id, inputs.caller.number),
                familiar=familiar or familiarity_of(session, account_id, person, agent, now),
                language=lang,
            ),
            self.panels,
        )

    def _script_of(self, session: Session, view: PopSlice) -> tuple[Script | None, str]:
        """The call's script (or why none), kept with a kept slice, else read."""
        if self.kept is None:
            return _script(session, self.scripts, view.call.account_row.id, view.call.person_row)
        found = self._scripts.get(id(view))
        if found is not None and found[0] is view:
            return found[1]
        made = _script(session, self.scripts, view.call.account_row.id, view.call.person_row)
        if len(self._scripts) >= _KEPT_SCRIPTS:  # slices replaced leave theirs behind
            self._scripts.clear()
        self._scripts[id(view)] = (view, made)
        return made

    def _slice(self, session: Session, e164: str) -> PopSlice:
        if self.kept is not None:
            return self.kept.slice_of(session, e164).pop
        cached = self._slices.get(e164)
        if cached is not None and self._clock.now() - cached[0] < self.ttl:
            return cached[1]
        number, acc, person = number_rows(session, e164)
        view = read_pop_slice(session, number.e164, read_slice(session, acc, person))
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
    view = read_pop_slice(session, "", slice_for(session, account, person))
    found = availability_in(session, view.call, now, policy)
    return context_of_pop(_inputs(view, caller, now), found, lang)


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
