"""Deciding a call from the store: resolve the dialled number, compute the person's
availability, walk their rules, and say why. Reads only; nothing is written.

This is what the telephony adapter, the API and the screen pop call.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from accueil.core.availability import Availability, Policy, availability_at
from accueil.core.decision import Call, CallDirectory, Decision, decide
from accueil.core.phone import to_e164
from accueil.services.availability import closures, default_policy, person_row, sources_for
from accueil.services.callers import contacts_of, lists_of, rotas_of
from accueil.services.directory import Destination, account_row, resolve_number
from accueil.services.rules import chain_for
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


def call_directory(session: Session, account: str, person: str | None = None) -> CallDirectory:
    """The slice of the directory a decision reads, for one account (and maybe one person)."""
    acc = account_row(session, account)
    return _directory(session, acc, person_row(session, acc, person) if person else None)


def _directory(session: Session, acc: AccountRow, prow: PersonRow | None) -> CallDirectory:
    return CallDirectory(
        account=account_from_row(acc),
        person=person_from_row(prow, acc.key) if prow else None,
        lists=lists_of(session, acc.id),
        contacts=contacts_of(session, acc.id),
        rotas=rotas_of(session, acc.id),
        closures=closures(session, acc.id),
    )


def decide_for(
    session: Session,
    account: str,
    person: str | None,
    call: Call,
    *,
    now: datetime | None = None,
    lang: str = "en",
    policy: Policy | None = None,
) -> Decision:
    """The decision for a call to ``person`` of ``account`` (None: the switchboard)."""
    now = now or datetime.now(UTC)
    acc = account_row(session, account)
    prow = person_row(session, acc, person) if person else None
    directory = _directory(session, acc, prow)
    availability = None
    if prow is not None and directory.person is not None:
        sources = sources_for(session, acc, prow, now, known_closures=directory.closures)
        availability = availability_at(
            directory.person, directory.account, now, sources, policy or default_policy()
        )
    return decide(call, directory, availability, chain_for(session, acc.id, prow), now, lang=lang)


def decide_call(
    session: Session,
    caller: str,
    dialled: str,
    *,
    now: datetime | None = None,
    lang: str = "en",
    call_id: str = "",
    policy: Policy | None = None,
    country: str = "FR",
) -> CallDecision:
    """Resolve the dialled number (E.164; national numbers read in ``country``) and decide."""
    destination = resolve_number(session, to_e164(dialled, country))
    person = destination.person.key if destination.person else None
    call = Call(caller, destination.number.e164, call_id)
    decision = decide_for(
        session, destination.account.key, person, call, now=now, lang=lang, policy=policy
    )
    return CallDecision(destination, decision)


def decision_json(decision: Decision, account: str, person: str | None) -> dict[str, object]:
    """The decision as plain JSON: for scripts, the API and the screen pop."""
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
        "availability": None
        if availability is None
        else {
            "state": availability.state.value,
            "source": availability.source.value,
            "until": availability.until.isoformat() if availability.until else None,
            "note": availability.note,
            "stale": availability.stale,
            "as_of": availability.as_of.isoformat(),
            "delegate": availability.delegate.delegate if availability.delegate else None,
            "warnings": list(availability.warnings),
        },
    }
