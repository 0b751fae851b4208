"""One change at a time to an account's directory, as a client admin makes it on a page: a
person arrives, leaves, comes back or moves to another team; a team is added; a number is
added or released.

Each goes through the directory's one write path (``onboarding.load_directory``: the same
checks, the same bulk write, the same ``directory.imported`` event as an import), limited to
the account. Nothing is deleted: a person who leaves is archived, so the calls and messages of
before still name them; a number released is kept with what it led to (``services/numbers.py``).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.core.directory import Person
from accueil.core.holidays import check_subdivision
from accueil.core.phone import to_e164
from accueil.errors import Conflict, InvalidInput, NotFound, Problem, ValidationFailed, says
from accueil.services.directory import account_row, get_person, list_groups
from accueil.services.events import DirectoryImported
from accueil.services.onboarding import ImportReport, load_directory
from accueil.services.outbox import emit
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow, AgentRow, NumberRow, PersonRow

SOURCE = "page"
KEY_LENGTH = 40


def key_for(name: str) -> str:
    """A key made of a name: 'Léa Roux' -> 'lea-roux'."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")[:KEY_LENGTH]


def free_person_key(session: Session, account: str, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``-3``… : a key no person of the account ever had."""
    acc = account_row(session, account)
    taken = set(session.scalars(select(PersonRow.key).where(PersonRow.account_id == acc.id)))
    key, n = wanted or "person", 1
    while key in taken:
        n += 1
        key = f"{wanted}-{n}"
    return key


def arrive(session: Session, account: str, fields: dict[str, Any], *, now: datetime) -> Person:
    """A new person of the account (``fields`` as in the import format, without the account).

    The key is made of the name when not given; a key already used, even by someone who left,
    is refused (their history keeps it)."""
    first, last = str(fields.get("first_name", "")), str(fields.get("last_name", ""))
    if not (first.strip() or last.strip()):
        raise InvalidInput(says("give the person's first or last name"), field="first_name")
    given = str(fields.get("key") or "").strip()
    key = given or free_person_key(session, account, key_for(f"{first} {last}"))
    if given and _person_row(session, account, given) is not None:
        raise Conflict(
            says("the key %(given)r is already someone's; choose another", given=given), field="key"
        )
    record = {k: v for k, v in fields.items() if v not in ("", None)}
    _load(session, {"people": [{**record, "account": account, "key": key}]}, now)
    return get_person(session, account, key)


def leave(session: Session, account: str, person: str, *, now: datetime) -> Person:
    """The person leaves: archived (``active: false``), never deleted."""
    _current(session, account, person)
    _load(session, {"people": [{"account": account, "key": person, "active": False}]}, now)
    return get_person(session, account, person)


def come_back(session: Session, account: str, person: str, *, now: datetime) -> Person:
    """A person who left is current again, with what they had."""
    if get_person(session, account, person).active:
        raise Conflict(says("%(person)r has not left", person=person), field="person")
    _load(session, {"people": [{"account": account, "key": person, "active": True}]}, now)
    return get_person(session, account, person)


def move(session: Session, account: str, person: str, group: str, *, now: datetime) -> Person:
    """The person joins ``group`` (a team of the account; empty: no team)."""
    _current(session, account, person)
    _load(session, {"people": [{"account": account, "key": person, "group": group}]}, now)
    return get_person(session, account, person)


def add_group(session: Session, account: str, name: str, *, now: datetime) -> str:
    """A new team, its key made of its name; returns the key."""
    key = key_for(name)
    if not key:
        raise InvalidInput(says("give the team a name"), field="name")
    if key in {g.key for g in list_groups(session, account)}:
        raise Conflict(says("there is already a team %(key)r", key=key), field="name")
    _load(session, {"groups": [{"account": account, "key": key, "name": name.strip()}]}, now)
    return key


def add_number(
    session: Session, account: str, raw: str, person: str, label: str, *, now: datetime
) -> str:
    """A number that leads to the account (its switchboard, or one person's direct line).

    A number that already leads elsewhere is refused without saying where: another account's
    numbers are not this account's business."""
    acc = account_row(session, account)
    try:
        e164 = to_e164(raw, acc.country)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field="number") from exc
    held = session.get(NumberRow, e164)
    if held is not None and held.account_id == acc.id:
        raise Conflict(says("%(e164)s already leads to this account", e164=e164), field="number")
    if held is not None:
        raise Conflict(
            says("%(e164)s is not free; ask the answering service", e164=e164), field="number"
        )
    if person:
        _current(session, account, person)
    record = {"number": e164, "account": account, "person": person, "label": label}
    _load(session, {"numbers": [record]}, now)
    return e164


def _load(session: Session, data: dict[str, Any], now: datetime) -> ImportReport:
    """The import of one record; its problems named by the field alone ('mobile')."""
    try:
        return load_directory(session, data, source=SOURCE, now=now)
    except ValidationFailed as exc:
        problems = [
            Problem(p.reason, field=(p.field or p.column or "").rpartition(".")[2] or None)
            for p in exc.problems
        ]
        raise ValidationFailed(problems) from exc


def _person_row(session: Session, account: str, person: str) -> PersonRow | None:
    acc = account_row(session, account)
    return session.scalar(
        select(PersonRow).where(PersonRow.account_id == acc.id, PersonRow.key == person)
    )


def _current(session: Session, account: str, person: str) -> None:
    row = _person_row(session, account, person)
    if row is None or not row.active:
        raise NotFound(
            says(
                "no current person %(person)r in account %(account)r",
                person=person,
                account=account,
            ),
            field="person",
        )


def listed(text: str) -> list[str]:
    """'fr, en' or 'fr en' as ['fr', 'en']."""
    return [part for part in re.split(r"[,;\s]+", text.strip()) if part]


def trainings_of(text: str) -> dict[str, object]:
    """'alpha:2, bravo:1' as {'alpha': 2, 'bravo': 1} (a missing level is 1; a wrong one is
    left as written for the import's check to name)."""
    out: dict[str, object] = {}
    for part in listed(text):
        account, _, level = part.partition(":")
        out[account] = int(level) if level.isdigit() else (level or 1)
    return out


@operator_level
def save_agent(session: Session, key: str, fields: dict[str, Any], *, now: datetime) -> None:
    """A secretary of the pool added (a new key) or changed (only the fields given; an empty
    ``sip_uri`` takes the softphone's address away)."""
    if not key:
        raise InvalidInput(says("give the secretary a name"), field="name")
    record = {k: v for k, v in fields.items() if v is not None}
    _load(session, {"agents": [{**record, "key": key}]}, now)
    if fields.get("sip_uri") == "":  # the import reads an empty field as absent: here, none
        row = session.scalar(select(AgentRow).where(AgentRow.key == key))
        if row is not None:
            row.sip_uri = ""


@operator_level
def save_account(session: Session, key: str, fields: dict[str, Any], *, now: datetime) -> None:
    """An account of the operator added (a new key) or changed (only the fields given)."""
    if not key:
        raise InvalidInput(says("give the account a name"), field="name")
    record = {k: v for k, v in fields.items() if v is not None}
    if record.get("subdivision"):  # the import reads it as text; a page or the API checks it
        _check_subdivision(session, key, record)
    _load(session, {"accounts": [{**record, "key": key}]}, now)
    # the import reads an empty field as absent: here, an empty subdivision or notes is none
    cleared = [k for k in ("subdivision", "notes") if fields.get(k) == ""]
    row = session.scalar(select(AccountRow).where(AccountRow.key == key)) if cleared else None
    if row is not None and any(getattr(row, k) for k in cleared):
        for name in cleared:
            setattr(row, name, "")
        emit(
            session,
            DirectoryImported(account=key, at=now, source=SOURCE, created=0, changed=1, removed=0),
        )


def _check_subdivision(session: Session, key: str, record: dict[str, Any]) -> None:
    country = str(record.get("country") or "")
    if not country:
        found = session.scalar(select(AccountRow.country).where(AccountRow.key == key))
        country = found or "FR"
    reason = check_subdivision(country, str(record["subdivision"]))
    if reason is not None:
        raise InvalidInput(reason, field="subdivision")
