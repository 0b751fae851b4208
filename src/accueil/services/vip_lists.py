"""A person's own VIP list ("my family and my top clients: put them through to my mobile").

Account key first, then the person; every query filters by the account. Numbers are read as
people type them (national numbers in the account's country) and kept in E.164. Each save is a
new version (the earlier ones stay); the latest is the list rules see as ``personal_vip``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accueil.core.callers import CallerList, ListEntry
from accueil.core.phone import InvalidNumber, to_e164
from accueil.errors import InvalidInput, Problem, ValidationFailed, says
from accueil.services.availability import person_row
from accueil.services.directory import account_row
from accueil.services.events import VipListSaved
from accueil.services.outbox import emit
from accueil.store.tables_self_service import VipListVersionRow

MAX_CONTACTS = 500
MAX_NAME = 200


@dataclass(frozen=True)
class VipContact:
    number: str  # E.164
    name: str = ""


@dataclass(frozen=True)
class VipList:
    """One version of a person's own VIP list (version 0: none saved yet)."""

    account: str
    person: str
    version: int
    contacts: tuple[VipContact, ...]
    saved_at: datetime | None = None
    saved_by: str = ""

    def caller_list(self) -> CallerList:
        """The list as rules match it (the contact's name is the entry's label)."""
        return caller_list_of(self.contacts)


def caller_list_of(contacts: Iterable[VipContact]) -> CallerList:
    return CallerList.of("vip", [ListEntry(c.number, c.name) for c in contacts])


def set_vip_list(
    session: Session,
    account: str,
    person: str,
    contacts: Iterable[tuple[str, str]],
    *,
    now: datetime,
    saved_by: str = "",
) -> VipList:
    """Save ``(number as typed, name)`` pairs as the person's next version; every bad entry is
    named (``contacts[2].number``) and nothing is saved."""
    acc = account_row(session, account)
    who = person_row(session, acc, person)
    if len(saved_by) > 100:
        raise InvalidInput(says("who saved the list is at most 100 characters"), field="saved_by")
    checked = _checked(list(contacts), acc.country)
    latest = session.scalar(
        select(func.max(VipListVersionRow.version)).where(
            VipListVersionRow.account_id == acc.id, VipListVersionRow.person_id == who.id
        )
    )
    row = VipListVersionRow(
        account_id=acc.id,
        person_id=who.id,
        version=(latest or 0) + 1,
        entries=[{"number": c.number, "name": c.name} for c in checked],
        saved_at=now,
        saved_by=saved_by,
    )
    session.add(row)
    event = VipListSaved(
        account=acc.key,
        at=now,
        person=person,
        version=row.version,
        entries=len(checked),
        saved_by=saved_by,
    )
    emit(session, event)
    session.flush()
    return _of(row, account, person)


def _checked(items: list[tuple[str, str]], country: str) -> list[VipContact]:
    if len(items) > MAX_CONTACTS:
        raise ValidationFailed(
            [
                Problem(
                    says("at most %(n)s contacts", n=MAX_CONTACTS),
                    field="contacts",
                )
            ]
        )
    problems: list[Problem] = []
    out: list[VipContact] = []
    seen: dict[str, int] = {}
    for i, (raw, name) in enumerate(items):
        name = " ".join(name.split())
        if len(name) > MAX_NAME:
            reason = says(
                "at most %(most)s characters (this has %(length)s)",
                most=MAX_NAME,
                length=len(name),
            )
            problems.append(Problem(reason, field=f"contacts[{i}].name"))
        try:
            number = to_e164(raw, country)
        except InvalidNumber as exc:
            problems.append(Problem(exc.message, field=f"contacts[{i}].number"))
            continue
        if number in seen:
            reason = says(
                "%(number)s is already on the list (contacts[%(seen)s])",
                number=number,
                seen=seen[number],
            )
            problems.append(Problem(reason, field=f"contacts[{i}].number"))
            continue
        seen[number] = i
        out.append(VipContact(number, name))
    if problems:
        raise ValidationFailed(problems)
    return out


def get_vip_list(session: Session, account: str, person: str) -> VipList:
    """The person's VIP list in force (version 0 and no contacts when none was saved)."""
    acc = account_row(session, account)
    row = _latest(session, acc.id, person_row(session, acc, person).id)
    return _of(row, account, person) if row else VipList(account, person, 0, ())


def vip_versions(session: Session, account: str, person: str) -> list[VipList]:
    """Every saved version, newest first."""
    acc = account_row(session, account)
    who = person_row(session, acc, person)
    rows = session.scalars(
        select(VipListVersionRow)
        .where(VipListVersionRow.account_id == acc.id, VipListVersionRow.person_id == who.id)
        .order_by(VipListVersionRow.version.desc())
    )
    return [_of(r, account, person) for r in rows]


def vip_of(session: Session, account_id: int, person_id: int) -> CallerList | None:
    """The list a decision matches callers against (None: the person has none)."""
    row = _latest(session, account_id, person_id)
    return caller_list_of(_contacts(row)) if row else None


def _latest(session: Session, account_id: int, person_id: int) -> VipListVersionRow | None:
    return session.scalar(
        select(VipListVersionRow)
        .where(VipListVersionRow.account_id == account_id, VipListVersionRow.person_id == person_id)
        .order_by(VipListVersionRow.version.desc())
        .limit(1)
    )


def _contacts(row: VipListVersionRow) -> tuple[VipContact, ...]:
    return tuple(VipContact(str(e["number"]), str(e.get("name", ""))) for e in row.entries)


def _of(row: VipListVersionRow, account: str, person: str) -> VipList:
    saved = row.saved_at if row.saved_at.tzinfo else row.saved_at.replace(tzinfo=UTC)
    return VipList(account, person, row.version, _contacts(row), saved, row.saved_by)
