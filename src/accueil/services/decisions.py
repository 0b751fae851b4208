"""Deciding a call from the store: resolve the dialled number, compute the person's
availability, walk their rules, and say why. Reads only; nothing is written.

This is what the telephony adapter, the API and the screen pop call; ``decision_json`` is the
decision as the command line's ``--json`` and the API give it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from accueil.core.availability import Availability, Policy, availability_at
from accueil.core.decision import Call, CallDirectory, Decision, RuleChain, decide
from accueil.core.phone import to_e164
from accueil.services.availability import closures, default_policy, person_row, sources_for
from accueil.services.callers import contacts_of, lists_of, rotas_of
from accueil.services.directory import Destination, account_row, destination_of, number_rows
from accueil.services.rules import chain_for
from accueil.services.tenancy import by_number, on_scoped_input
from accueil.services.vip_lists import vip_of
from accueil.store.mapping import account_from_row, person_from_row
from accueil.store.tables import AccountRow, PersonRow


@dataclass(frozen=True)
class CallDecision:
    """Where the call leads and what happens to it."""

    destination: Destination
    decision: Decision

    @property
    def availability(self) -> Availability | None:
        return self.decision.availability


@dataclass(frozen=True)
class CallSlice:
    """What deciding a call to one person (or the switchboard) of an account reads that changes
    rarely: the directory slice and the rule chain, with the rows availability is read from.

    Read once per call (``read_slice``), or kept warm by the screen pop's cache; what changes call
    by call (statuses, calendars, delegations) is read by ``availability_in`` at decision time.
    """

    account_row: AccountRow  # loaded: its id and zone for the availability sources
    person_row: PersonRow | None
    directory: CallDirectory
    rules: RuleChain


def read_slice(session: Session, acc: AccountRow, prow: PersonRow | None) -> CallSlice:
    """The slice of a call to ``prow`` (None: the switchboard) of the account ``acc``."""
    directory = CallDirectory(
        account=account_from_row(acc),
        person=person_from_row(prow, acc.key) if prow else None,
        lists=lists_of(session, acc.id),
        contacts=contacts_of(session, acc.id),
        rotas=rotas_of(session, acc.id),
        closures=closures(session, acc.id),
        vip=vip_of(session, acc.id, prow.id) if prow else None,
    )
    return CallSlice(acc, prow, directory, chain_for(session, acc.id, prow))


def slice_for(session: Session, account: str, person: str | None = None) -> CallSlice:
    """The slice of a call to ``person`` of ``account`` (None: the switchboard), by keys."""
    acc = account_row(session, account)
    return read_slice(session, acc, person_row(session, acc, person) if person else None)


@on_scoped_input
def availability_in(
    session: Session, view: CallSlice, now: datetime, policy: Policy | None = None
) -> Availability | None:
    """The called person's availability at ``now`` (None for the switchboard)."""
    directory = view.directory
    if view.person_row is None or directory.person is None:
        return None
    # the person's status, calendar and delegations, read as a page of people reads them
    sources = sources_for(
        session, view.account_row, directory.person.key, now, known_closures=directory.closures
    )
    return availability_at(
        directory.person, directory.account, now, sources, policy or default_policy()
    )


@on_scoped_input
def decide_in(
    session: Session,
    view: CallSlice,
    call: Call,
    now: datetime,
    *,
    lang: str = "en",
    policy: Policy | None = None,
) -> Decision:
    """The decision for ``call`` on a slice already read: availability now, then the rules.

    The one decide step: ``decide_for``, ``decide_call`` and the screen pop all come here.
    """
    found = availability_in(session, view, now, policy)
    return decide(call, view.directory, found, view.rules, now, lang=lang)


def decide_for(
    session: Session,
    account: str,
    person: str | None,
    call: Call,
    *,
    now: datetime,
    lang: str = "en",
    policy: Policy | None = None,
) -> Decision:
    """The decision for a call to ``person`` of ``account`` (None: the switchboard)."""
    view = slice_for(session, account, person)
    return decide_in(session, view, call, now, lang=lang, policy=policy)


@by_number
def decide_call(
    session: Session,
    caller: str,
    dialled: str,
    *,
    now: datetime,
    lang: str = "en",
    call_id: str = "",
    policy: Policy | None = None,
    country: str = "FR",
) -> CallDecision:
    """Resolve the dialled number (E.164; national numbers read in ``country``) and decide."""
    rows = number_rows(session, to_e164(dialled, country))
    destination = destination_of(*rows)
    call = Call(caller, destination.number.e164, call_id)
    view = read_slice(session, rows[1], rows[2])
    return CallDecision(destination, decide_in(session, view, call, now, lang=lang, policy=policy))


def decision_json(decision: Decision, account: str, person: str | None) -> dict[str, object]:
    """The decision as plain JSON: what the command line's ``--json``, scripts and the API give."""
    availability = decision.availability
    return {
        "account": account,
        "person": person,
        "rule": decision.rule,
        "scope": decision.scope.value,
        "treatment": decision.treatment.model_dump(mode="json"),
        "explanation": decision.explanation,
        "conditions": [
            {"path": c.path, "value": c.value, "reason": c.reason} for c in decision.conditions
        ],
        "targets": [asdict(t) for t in decision.targets],
        "contacts": list(decision.contacts),
        "trace": [
            {"scope": t.scope.value, "rule": t.rule, "matched": t.matched, "note": t.note}
            for t in decision.trace
        ],
        "availability": None if availability is None else _availability_json(availability),
    }


def _availability_json(found: Availability) -> dict[str, object]:
    return {
        "state": found.state.value,
        "source": found.source.value,
        "until": found.until.isoformat() if found.until else None,
        "note": found.note,
        "stale": found.stale,
        "as_of": found.as_of.isoformat(),
        "delegate": found.delegate.delegate if found.delegate else None,
        "warnings": list(found.warnings),
    }
