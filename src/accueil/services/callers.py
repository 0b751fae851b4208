"""Known contacts of an account (caller lists: ``caller_lists.py``; rotas: ``rotas.py``).

Account key first; every query filters by the account. Numbers are normalised to E.164 in the
account's country; a bad entry refuses the whole change, naming the entry.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accueil.core.callers import KnownContacts
from accueil.core.phone import to_e164
from accueil.errors import NotFound, ValidationFailed, at_field, says
from accueil.services.caller_lists import caller_list as caller_list
from accueil.services.caller_lists import caller_lists as caller_lists
from accueil.services.caller_lists import lists_of as lists_of
from accueil.services.caller_lists import set_caller_list as set_caller_list
from accueil.services.caller_lists import too_long
from accueil.services.directory import account_row
from accueil.services.events import ContactRemoved, ContactSaved
from accueil.services.outbox import emit
from accueil.services.rotas import RotaRecord as RotaRecord
from accueil.services.rotas import account_rotas as account_rotas
from accueil.services.rotas import get_rota as get_rota
from accueil.services.rotas import remove_rota as remove_rota
from accueil.services.rotas import rota_record as rota_record
from accueil.services.rotas import rotas_of as rotas_of
from accueil.services.rotas import set_rota as set_rota
from accueil.store.tables_availability import KnownContactRow


def add_contact(session: Session, account: str, number: str, name: str, *, now: datetime) -> str:
    """Remember a known contact of the account; returns its E.164. Updates the name if known."""
    acc = account_row(session, account)
    problems = too_long(("name", name, 200))
    if problems:
        raise ValidationFailed(problems)
    with at_field("number"):
        e164 = to_e164(number, acc.country)
    row = session.scalar(_current_contact(acc.id, e164))
    if row is None:  # a number removed before is a new contact: the removed one stays
        session.add(KnownContactRow(account_id=acc.id, e164=e164, name=name))
    else:
        row.name = name
    emit(session, ContactSaved(account=acc.key, at=now, number=e164))
    session.flush()
    return e164


def _current_contact(account_id: int, e164: str) -> Select[KnownContactRow]:
    return select(KnownContactRow).where(
        KnownContactRow.account_id == account_id,
        KnownContactRow.e164 == e164,
        KnownContactRow.removed_at.is_(None),
    )


@dataclass(frozen=True)
class ContactRecord:
    """A known contact as kept: when and by whom it was taken down (if it was)."""

    e164: str
    name: str
    removed_at: datetime | None = None
    removed_by: str = ""


def _contact_record(row: KnownContactRow) -> ContactRecord:
    return ContactRecord(row.e164, row.name, row.removed_at, row.removed_by)


def get_contact(session: Session, account: str, number: str) -> ContactRecord:
    """The account's contact for this number (as typed): the one in use, else the last one
    removed (NotFound: the account never knew it)."""
    acc = account_row(session, account)
    return _contact_record(_contact_row(session, acc.id, to_e164(number, acc.country)))


def _contact_row(session: Session, account_id: int, e164: str) -> KnownContactRow:
    row = session.scalar(
        select(KnownContactRow)
        .where(KnownContactRow.account_id == account_id, KnownContactRow.e164 == e164)
        .order_by(KnownContactRow.removed_at.is_not(None), KnownContactRow.id.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound(says("no known contact %(e164)s in this account", e164=e164), field="number")
    return row


def remove_contact(
    session: Session, account: str, number: str, *, by: str, now: datetime
) -> ContactRecord:
    """Take a known contact down: calls from it are unknown again from ``now``; the contact is
    kept with who and when. Removing one already removed changes nothing."""
    acc = account_row(session, account)
    e164 = to_e164(number, acc.country)
    row = _contact_row(session, acc.id, e164)
    if row.removed_at is None:
        row.removed_at, row.removed_by = now, by[:100]
        emit(session, ContactRemoved(account=acc.key, at=now, number=e164, by=by[:100]))
        session.flush()
    return _contact_record(row)


def account_contacts(session: Session, account: str) -> KnownContacts:
    """The account's known contacts."""
    return contacts_of(session, account_row(session, account).id)


def contacts_of(session: Session, account_id: int) -> KnownContacts:
    rows = session.execute(
        select(KnownContactRow.e164, KnownContactRow.name).where(
            KnownContactRow.account_id == account_id, KnownContactRow.removed_at.is_(None)
        )
    )
    return KnownContacts({e164: name for e164, name in rows})
