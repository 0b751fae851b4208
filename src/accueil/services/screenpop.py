"""The screen pop of a call offer, from the store: read what is needed, then assemble (pure).

Two ways in. ``screen_pop`` reads everything afresh (``decide_call`` for availability, rules and
explanation). ``PopCache.screen_pop`` keeps what changes rarely (the number's destination, the
account's lists, contacts, rotas, closures and rules, the built scripts) for ``ttl`` seconds and
reads only what changes call by call: the person's status, calendar and delegations, the
caller's history and the agent's familiarity. Both assemble the same ``ScreenPop``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.availability import Policy, availability_at
from accueil.core.callers import normalise_caller
from accueil.core.decision import Call, CallDirectory, Decision, RuleChain, decide
from accueil.core.opening import office_state
from accueil.core.phone import to_e164
from accueil.core.screenpop import Familiar, PopInputs, ScreenPop, assemble
from accueil.core.scripts.context import Caller
from accueil.core.scripts.model import Script
from accueil.errors import NotFound, ValidationFailed
from accueil.services.availability import person_row, sources_for
from accueil.services.calls import familiarity_of, history_of
from accueil.services.decisions import call_directory, decide_call
from accueil.services.directory import Destination, account_row, resolve_number
from accueil.services.rules import chain_for
from accueil.services.scripts import ScriptCache
from accueil.store.tables import AccountRow, GroupRow, PersonRow

_SCRIPTS = ScriptCache()


def screen_pop(
    session: Session,
    dialled: str,
    caller: str,
    *,
    agent: str = "",
    now: datetime | None = None,
    lang: str = "en",
    country: str = "FR",
    familiar: Familiar | None = None,
) -> ScreenPop:
    """Everything the agent sees for a call from ``caller`` to ``dialled``, read afresh.

    ``familiar`` may come from the routing engine (it knows which ring the offer came from);
    otherwise it is read from the call records of the last 30 days.
    """
    now = now or datetime.now(UTC)
    decided = decide_call(session, caller, dialled, now=now, lang=lang, country=country)
    account, person = decided.destination.account, decided.destination.person
    directory = call_directory(session, account.key, person.key if person else None)
    acc = account_row(session, account.key)
    group = _group_name(session, acc.id, person.group if person else "")
    view = _Slice(decided.destination, acc, None, directory, RuleChain(), group)
    return _assemble(session, view, _SCRIPTS, caller, agent, now, lang, familiar, decided.decision)


@dataclass(frozen=True)
class _Slice:
    """What a call to one number needs that changes rarely."""

    destination: Destination
    account_row: AccountRow  # detached, loaded: ids and zone for the availability sources
    person_row: PersonRow | None
    directory: CallDirectory
    rules: RuleChain
    group_name: str


class PopCache:
    """Warm screen pops: the rarely changing data of each dialled number, for ``ttl`` seconds.

    Changes to rules, lists or the directory show within ``ttl``; ``forget`` applies them at
    once. Statuses, calendars, delegations, history and scripts are always current.
    """

    def __init__(
        self,
        ttl: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
        policy: Policy = Policy(),
    ) -> None:
        self.ttl, self._clock, self.policy = ttl, clock, policy
        self.scripts = ScriptCache()
        self._slices: dict[str, tuple[float, _Slice]] = {}

    def forget(self, account: str | None = None) -> None:
        """Drop the cached data of one account (or all), e.g. after an import or a rule change."""
        self._slices = {
            number: item
            for number, item in self._slices.items()
            if account is not None and item[1].destination.account.key != account
        }

    def screen_pop(
        self,
        session: Session,
        dialled: str,
        caller: str,
        *,
        agent: str = "",
        now: datetime | None = None,
        lang: str = "en",
        country: str = "FR",
        familiar: Familiar | None = None,
    ) -> ScreenPop:
        """Like ``screen_pop``, from warm data."""
        now = now or datetime.now(UTC)
        view = self._slice(session, to_e164(dialled, country))
        found = None
        if view.person_row is not None and view.directory.person is not None:
            sources = sources_for(session, view.account_row, view.person_row, now)
            found = availability_at(
                view.directory.person, view.directory.account, now, sources, self.policy
            )
        call = Call(caller, view.destination.number.e164)
        decision = decide(call, view.directory, found, view.rules, now, lang=lang)
        return _assemble(session, view, self.scripts, caller, agent, now, lang, familiar, decision)

    def _slice(self, session: Session, e164: str) -> _Slice:
        cached = self._slices.get(e164)
        if cached is not None and self._clock() - cached[0] < self.ttl:
            return cached[1]
        destination = resolve_number(session, e164)
        account, person = destination.account, destination.person
        acc = account_row(session, account.key)
        prow = person_row(session, acc, person.key) if person else None
        view = _Slice(
            destination,
            acc,
            prow,
            call_directory(session, account.key, person.key if person else None),
            chain_for(session, acc.id, prow),
            _group_name(session, acc.id, person.group if person else ""),
        )
        self._slices[e164] = (self._clock(), view)
        return view


def _assemble(
    session: Session,
    view: _Slice,
    scripts: ScriptCache,
    caller: str,
    agent: str,
    now: datetime,
    lang: str,
    familiar: Familiar | None,
    decision: Decision,
) -> ScreenPop:
    directory, person = view.directory, view.destination.person
    account, account_id = view.destination.account, view.account_row.id
    e164 = normalise_caller(caller, account.country) or ""
    person_key = person.key if person else ""
    group = person.group if person else ""
    script, problem = _script(session, scripts, account_id, group, person_key)
    return assemble(
        PopInputs(
            account=account,
            now=now,
            office=office_state(account.business_hours, account, directory.closures, now),
            person=person,
            group_name=view.group_name,
            decision=decision,
            script=script,
            script_problem=problem,
            caller=Caller(e164, directory.contacts.name_of(e164 or None) or ""),
            history=history_of(session, account_id, e164),
            familiar=familiar or familiarity_of(session, account_id, person_key, agent, now),
            language=lang,
        )
    )


def _script(
    session: Session, cache: ScriptCache, account_id: int, group: str, person: str
) -> tuple[Script | None, str]:
    """The call's script, or why the pop shows none (the call still goes on without it)."""
    try:
        return cache.script_of(session, account_id, group, person), ""
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
