"""Delivery preferences: the account's defaults and policy, and each person's choices.

Every function takes the account key first. A document is checked whole before anything is
written (``core.delivery.read_preferences``): a bad one is refused with every problem's path.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.delivery import (
    Preferences,
    merge,
    outside_policy,
    read_preferences,
    unknown_targets,
)
from accueil.errors import ValidationFailed
from accueil.services.availability import person_row
from accueil.services.directory import account_row
from accueil.services.events import DeliveryPreferencesSaved
from accueil.services.outbox import emit
from accueil.services.rotas import rotas_of
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_messages import DeliveryPreferencesRow


def set_preferences(
    session: Session,
    account: str,
    person: str,
    data: Any,
    *,
    now: datetime,
    file: str = "",
) -> Preferences:
    """Save a person's preferences (``person == ""``: the account's defaults and policy).

    A person's channels must be ones the account allows; a person cannot set the account's
    policy (allowed channels, webhook); an escalation names rotas in use and people of the
    account. Nothing is written when anything is wrong.
    """
    acc = account_row(session, account)
    if person:
        person_row(session, acc, person)
    prefs = read_preferences(data, for_person=bool(person), file=file)
    people = session.scalars(select(PersonRow.key).where(PersonRow.account_id == acc.id))
    problems = unknown_targets(prefs, set(rotas_of(session, acc.id)), set(people), file)
    if person:
        problems += outside_policy(_stored(session, acc.id, ""), prefs, file)
    if problems:
        raise ValidationFailed(problems)
    row = session.scalar(_owned(acc.id, person))
    document = prefs.model_dump(mode="json", exclude_none=True)
    if row is None:
        session.add(
            DeliveryPreferencesRow(
                account_id=acc.id, person_key=person, document=document, saved_at=now
            )
        )
    else:
        row.document, row.saved_at = document, now
    emit(session, DeliveryPreferencesSaved(account=acc.key, at=now, person=person))
    return prefs


def get_preferences(session: Session, account: str, person: str = "") -> Preferences:
    """What is stored for the person (or the account's defaults); empty when nothing is."""
    return _stored(session, account_row(session, account).id, person)


def effective_preferences(session: Session, account: str, person: str) -> Preferences:
    """The person's choices over the account's over accueil's defaults."""
    acc = account_row(session, account)
    return preferences_of(session, acc, person)


def preferences_of(session: Session, acc: AccountRow, person: str) -> Preferences:
    found = {
        row.person_key: row.document
        for row in session.scalars(
            select(DeliveryPreferencesRow).where(
                DeliveryPreferencesRow.account_id == acc.id,
                DeliveryPreferencesRow.person_key.in_(["", person]),
            )
        )
    }
    account_prefs = Preferences.model_validate(found.get("", {}))
    own = Preferences.model_validate(found[person]) if person and person in found else None
    return merge(account_prefs, own)


def _owned(account_id: int, person: str) -> Any:
    return select(DeliveryPreferencesRow).where(
        DeliveryPreferencesRow.account_id == account_id,
        DeliveryPreferencesRow.person_key == person,
    )


def _stored(session: Session, account_id: int, person: str) -> Preferences:
    row = session.scalar(_owned(account_id, person))
    return Preferences.model_validate(row.document if row else {})
