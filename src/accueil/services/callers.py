"""Caller lists (VIP, blocked, family), known contacts and on-call rotas of an account.

Account key first; every query filters by the account. Numbers are normalised to E.164 in the
account's country; a bad entry refuses the whole change, naming the entry.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from accueil.core.callers import CallerList, KnownContacts, ListEntry, normalise_entry
from accueil.core.phone import InvalidNumber, to_e164
from accueil.core.rota import Rota
from accueil.core.rules import refused
from accueil.errors import NotFound, Problem, ValidationFailed
from accueil.services.directory import account_row
from accueil.services.events import CallerListSaved, ContactSaved, RotaSaved
from accueil.services.outbox import emit
from accueil.store.tables_availability import (
    CallerListEntryRow,
    CallerListRow,
    KnownContactRow,
    RotaRow,
)


def set_caller_list(
    session: Session,
    account: str,
    key: str,
    entries: Iterable[str | tuple[str, str]],
    *,
    now: datetime,
    name: str = "",
) -> CallerList:
    """Create or replace the list ``key`` with these numbers or '+prefix*' (optionally labelled)."""
    acc = account_row(session, account)
    parsed, problems = [], _too_long(("key", key, 64), ("name", name, 200))
    if not key.strip():
        problems.append(Problem("a caller list needs a key, e.g. VIP", field="key"))
    for i, item in enumerate(entries):
        raw, label = (item, "") if isinstance(item, str) else item
        problems += _too_long((f"entries[{i}].label", label, 200))
        try:
            parsed.append(ListEntry(normalise_entry(raw, acc.country), label))
        except InvalidNumber as exc:
            problems.append(Problem(exc.message, field=f"entries[{i}]"))
    if problems:
        raise ValidationFailed(problems)
    unique = list({e.pattern: e for e in parsed}.values())
    row = session.scalar(
        select(CallerListRow).where(CallerListRow.account_id == acc.id, CallerListRow.key == key)
    )
    if row is None:
        row = CallerListRow(account_id=acc.id, key=key, name=name or key)
        session.add(row)
        session.flush()
    elif name:
        row.name = name
    session.execute(delete(CallerListEntryRow).where(CallerListEntryRow.list_id == row.id))
    session.add_all(
        CallerListEntryRow(account_id=acc.id, list_id=row.id, pattern=e.pattern, label=e.label)
        for e in unique
    )
    emit(session, CallerListSaved(account=acc.key, at=now, key=key, entries=len(unique)))
    session.flush()
    return CallerList.of(key, unique, row.name)


def _too_long(*fields: tuple[str, str, int]) -> list[Problem]:
    # the columns' sizes: refused here with the field's name, not by the database mid-write
    return [
        Problem(f"at most {limit} characters (this has {len(value)})", field=field)
        for field, value, limit in fields
        if len(value) > limit
    ]


def caller_lists(session: Session, account: str) -> dict[str, CallerList]:
    """Every caller list of the account, by key."""
    acc = account_row(session, account)
    return lists_of(session, acc.id)


def caller_list(session: Session, account: str, key: str) -> CallerList:
    """One caller list of the account (NotFound when there is none by that key)."""
    found = caller_lists(session, account).get(key)
    if found is None:
        raise NotFound(f"no caller list {key!r} in account {account!r}", field="key")
    return found


def lists_of(session: Session, account_id: int) -> dict[str, CallerList]:
    lists = {
        r.id: r
        for r in session.scalars(
            select(CallerListRow).where(CallerListRow.account_id == account_id)
        )
    }
    entries: dict[int, list[ListEntry]] = {i: [] for i in lists}
    rows = session.scalars(
        select(CallerListEntryRow).where(CallerListEntryRow.account_id == account_id)
    )
    for e in rows:
        if e.list_id in entries:
            entries[e.list_id].append(ListEntry(e.pattern, e.label))
    return {r.key: CallerList.of(r.key, entries[i], r.name) for i, r in lists.items()}


def add_contact(session: Session, account: str, number: str, name: str, *, now: datetime) -> str:
    """Remember a known contact of the account; returns its E.164. Updates the name if known."""
    acc = account_row(session, account)
    problems = _too_long(("name", name, 200))
    if problems:
        raise ValidationFailed(problems)
    e164 = to_e164(number, acc.country)
    row = session.scalar(
        select(KnownContactRow).where(
            KnownContactRow.account_id == acc.id, KnownContactRow.e164 == e164
        )
    )
    if row is None:
        session.add(KnownContactRow(account_id=acc.id, e164=e164, name=name))
    else:
        row.name = name
    emit(session, ContactSaved(account=acc.key, at=now, number=e164))
    session.flush()
    return e164


def account_contacts(session: Session, account: str) -> KnownContacts:
    """The account's known contacts."""
    return contacts_of(session, account_row(session, account).id)


def contacts_of(session: Session, account_id: int) -> KnownContacts:
    rows = session.execute(
        select(KnownContactRow.e164, KnownContactRow.name).where(
            KnownContactRow.account_id == account_id
        )
    )
    return KnownContacts({e164: name for e164, name in rows})


def set_rota(
    session: Session, account: str, data: Mapping[str, Any], *, now: datetime, file: str = ""
) -> Rota:
    """Create or replace an on-call rota; refused with the path of every problem."""
    try:
        rota = Rota.model_validate(data)
    except ValidationError as exc:
        raise refused(exc, file) from None
    acc = account_row(session, account)
    rota = _numbers_in_e164(rota, acc.country, file)
    row = session.scalar(
        select(RotaRow).where(RotaRow.account_id == acc.id, RotaRow.key == rota.key)
    )
    if row is None:
        row = RotaRow(account_id=acc.id, key=rota.key)
        session.add(row)
    row.name = rota.name
    row.shifts = [s.model_dump(mode="json", by_alias=True) for s in rota.shifts]
    emit(session, RotaSaved(account=acc.key, at=now, key=rota.key))
    session.flush()
    return rota


def _numbers_in_e164(rota: Rota, country: str, file: str = "") -> Rota:
    """Contacts as E.164 (national numbers read in the account's country), or every problem."""
    problems, shifts = [], []
    for i, shift in enumerate(rota.shifts):
        contacts = []
        for j, raw in enumerate(shift.contacts):
            try:
                contacts.append(to_e164(raw, country))
            except InvalidNumber as exc:
                problems.append(Problem(exc.message, file, field=f"shifts[{i}].contacts[{j}]"))
        shifts.append(shift.model_copy(update={"contacts": contacts}))
    if problems:
        raise ValidationFailed(problems)
    return rota.model_copy(update={"shifts": shifts})


def rotas_of(session: Session, account_id: int) -> dict[str, Rota]:
    rows = session.scalars(select(RotaRow).where(RotaRow.account_id == account_id))
    return {
        r.key: Rota.model_validate({"key": r.key, "name": r.name, "shifts": r.shifts}) for r in rows
    }


def account_rotas(session: Session, account: str) -> dict[str, Rota]:
    """The account's on-call rotas, by key."""
    return rotas_of(session, account_row(session, account).id)


def get_rota(session: Session, account: str, key: str) -> Rota:
    acc = account_row(session, account)
    found = rotas_of(session, acc.id).get(key)
    if found is None:
        raise NotFound(f"no on-call rota {key!r} in account {account!r}", rota=key)
    return found
