"""On-call rotas of an account, versioned like its caller lists.

Account key first; every query filters by the account. Each save is a new version of the rota
(name and shifts); the earlier versions stay and can be read; the rota's ``version`` names the
one in force, the one decisions and escalations read. A save may say which version it was made
from (``expected_version``): a save from a stale page is refused, nothing written. A rota is
taken down, never deleted, and not while anything in force names it (``uses.rota_uses``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from accueil.core.phone import InvalidNumber, to_e164
from accueil.core.rota import Rota
from accueil.core.rules import refused
from accueil.errors import Conflict, NotFound, Problem, ValidationFailed, says
from accueil.services.availability import as_utc
from accueil.services.caller_lists import saved_versions, take_down, too_long, versions_in_use
from accueil.services.directory import account_row
from accueil.services.events import RotaRemoved, RotaSaved
from accueil.services.outbox import emit
from accueil.services.uses import joined, rota_uses
from accueil.store.tables_availability import RotaRow, RotaVersionRow


@dataclass(frozen=True)
class RotaRecord:
    """One version of a rota as kept: when and by whom it was saved, and taken down (if it
    was)."""

    rota: Rota
    removed_at: datetime | None = None
    removed_by: str = ""
    version: int = 0
    saved_at: datetime | None = None
    saved_by: str = ""


def set_rota(
    session: Session,
    account: str,
    data: Mapping[str, Any],
    *,
    now: datetime,
    file: str = "",
    saved_by: str = "",
    expected_version: int | None = None,
) -> Rota:
    """Save the rota as its next version (the earlier ones are kept); refused with the path of
    every problem, or when ``expected_version`` is not the one in force, nothing written."""
    try:
        rota = Rota.model_validate(data)
    except ValidationError as exc:
        raise refused(exc, file) from None
    if problems := too_long(("saved_by", saved_by, 100)):
        raise ValidationFailed(problems)
    acc = account_row(session, account)
    rota = _numbers_in_e164(rota, acc.country, file)
    row = session.scalar(_rota(acc.id, rota.key))
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        raise Conflict(
            says(
                "on-call rota %(key)r is at version %(current)s, not %(expected)s: someone "
                "saved it since; read it again and redo your change",
                key=rota.key,
                current=current,
                expected=expected_version,
            ),
            field="version",
        )
    if row is None:
        row = RotaRow(account_id=acc.id, key=rota.key, version=0)
        session.add(row)
        session.flush()
    row.name = rota.name
    row.removed_at, row.removed_by = None, ""  # saved again: in use again
    row.shifts = [s.model_dump(mode="json", by_alias=True) for s in rota.shifts]
    row.version = current + 1
    session.add(
        RotaVersionRow(
            account_id=acc.id,
            rota_id=row.id,
            version=row.version,
            name=row.name,
            shifts=row.shifts,
            saved_at=now,
            saved_by=saved_by,
        )
    )
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


def _rota(account_id: int, key: str) -> Select[RotaRow]:
    return select(RotaRow).where(RotaRow.account_id == account_id, RotaRow.key == key)


def rotas_of(session: Session, account_id: int) -> dict[str, Rota]:
    """The rotas in use, each in its version in force (a removed one is left out: no decision
    or escalation reaches it)."""
    rows = session.scalars(
        select(RotaRow).where(RotaRow.account_id == account_id, RotaRow.removed_at.is_(None))
    )
    return {r.key: _rota_of(r.key, r.name, r.shifts) for r in rows}


def _rota_of(key: str, name: str, shifts: list[Any]) -> Rota:
    return Rota.model_validate({"key": key, "name": name, "shifts": shifts})


def account_rotas(session: Session, account: str) -> dict[str, Rota]:
    """The account's on-call rotas in use, by key."""
    return rotas_of(session, account_row(session, account).id)


def removed_rotas(session: Session, account: str) -> list[RotaRecord]:
    """The account's rotas taken down, each as it was when taken down, by key."""
    acc = account_row(session, account)
    rows = session.execute(
        select(RotaRow, RotaVersionRow)
        .join(
            RotaVersionRow,
            (RotaVersionRow.rota_id == RotaRow.id) & (RotaVersionRow.version == RotaRow.version),
        )
        .where(RotaRow.account_id == acc.id, RotaRow.removed_at.is_not(None))
        .order_by(RotaRow.key)
    )
    return [_record(row, saved) for row, saved in rows]


def get_rota(session: Session, account: str, key: str) -> Rota:
    """The account's rota ``key`` in use (NotFound when none, or removed)."""
    found = rotas_of(session, account_row(session, account).id).get(key)
    if found is None:
        raise _no_rota(key, account)
    return found


def rota_record(session: Session, account: str, key: str) -> RotaRecord:
    """The rota ``key`` in its version in force, in use or taken down (with who and when)."""
    acc = account_row(session, account)
    row = _row(session, acc.id, key, account)
    return _versions(session, row, row.version)[0]


def rota_versions(session: Session, account: str, key: str) -> list[RotaRecord]:
    """Every saved version of the rota ``key``, newest first."""
    acc = account_row(session, account)
    return _versions(session, _row(session, acc.id, key, account))


def rotas_versions(session: Session, account: str) -> list[list[RotaRecord]]:
    """Every saved version of each rota in use (newest first), the rotas by key: one statement
    however many rotas (the account page's history of each)."""
    acc = account_row(session, account)
    owned = RotaVersionRow.rota_id == RotaRow.id
    found: dict[str, list[RotaRecord]] = {}
    for row, saved in versions_in_use(session, acc.id, RotaRow, RotaVersionRow, owned):
        found.setdefault(row.key, []).append(_record(row, saved))
    return [found[key] for key in sorted(found)]  # by key as Python sorts, whatever the collation


def rota_version(session: Session, account: str, key: str, version: int) -> RotaRecord:
    """One saved version of the rota ``key`` (NotFound when it has no such version)."""
    acc = account_row(session, account)
    found = _versions(session, _row(session, acc.id, key, account), version)
    if not found:
        raise NotFound(
            says("on-call rota %(key)r has no version %(version)s", key=key, version=version),
            field="version",
        )
    return found[0]


def _row(session: Session, account_id: int, key: str, account: str) -> RotaRow:
    row = session.scalar(_rota(account_id, key))
    if row is None:
        raise _no_rota(key, account)
    return row


def _versions(session: Session, row: RotaRow, version: int | None = None) -> list[RotaRecord]:
    owned = RotaVersionRow.rota_id == row.id
    saved = saved_versions(session, row.account_id, RotaVersionRow, owned, version)
    return [_record(row, v) for v in saved]


def _record(row: RotaRow, saved: RotaVersionRow) -> RotaRecord:
    """The version ``saved`` of the rota ``row``, with who took the rota down and when."""
    return RotaRecord(
        _rota_of(row.key, saved.name, saved.shifts),
        as_utc(row.removed_at) if row.removed_at else None,
        row.removed_by,
        saved.version,
        as_utc(saved.saved_at),
        saved.saved_by,
    )


def _no_rota(key: str, account: str) -> NotFound:
    return NotFound(
        says("no on-call rota %(key)r in account %(account)r", key=key, account=account),
        rota=key,
    )


def remove_rota(session: Session, account: str, key: str, *, by: str, now: datetime) -> RotaRecord:
    """Take the rota down: no decision or escalation reaches it from ``now``; it is kept, every
    version with it, with who and when. Refused while anything in force names it (rules,
    script steps, delivery preferences, escalations under way: each place said). Removing it
    again changes nothing."""
    acc = account_row(session, account)
    row = _row(session, acc.id, key, account)
    if row.removed_at is None:
        uses = rota_uses(session, acc.id, key)
        refusal = says(
            "on-call rota %(key)r is still named (%(uses)s): change those first, then remove it",
            key=key,
            uses=joined(uses),
        )
        take_down(
            session, row, uses, refusal, RotaRemoved(account=acc.key, at=now, key=key, by=by[:100])
        )
    return rota_record(session, account, key)


def restore_rota(session: Session, account: str, key: str, *, by: str, now: datetime) -> RotaRecord:
    """Put a rota taken down back in use as it was: saved again, by ``by``, as its next version
    (every version kept). One in use is answered unchanged."""
    kept = rota_record(session, account, key)
    if kept.removed_at is not None:
        data = kept.rota.model_dump(mode="json", by_alias=True)
        set_rota(session, account, data, now=now, saved_by=by[:100], expected_version=kept.version)
    return rota_record(session, account, key)
