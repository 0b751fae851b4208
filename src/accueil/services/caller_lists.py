"""Caller lists of an account (VIP, blocked, family), versioned like a person's own VIP list.

Account key first; every query filters by the account. Each save is a new version of the list
(name and entries); the earlier versions stay and can be read; the list's ``version`` names the
one in force, the one decisions match callers against. A save may say which version it was made
from (``expected_version``): a save from a stale page is refused, nothing written.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, Select, select
from sqlalchemy.orm import Session

from accueil.core.callers import CallerList, ListEntry, normalise_entry
from accueil.core.phone import InvalidNumber
from accueil.errors import Conflict, NotFound, Problem, ValidationFailed, says
from accueil.services.availability import as_utc
from accueil.services.directory import account_row
from accueil.services.events import CallerListRemoved, CallerListSaved, GroupRemoved, RotaRemoved
from accueil.services.outbox import emit
from accueil.services.rules import rules_naming
from accueil.services.tenancy import on_scoped_input
from accueil.services.uses import joined
from accueil.store.tables import Removable
from accueil.store.tables_availability import (
    CallerListRow,
    CallerListVersionRow,
    RotaRow,
    RotaVersionRow,
)


@dataclass(frozen=True)
class SavedCallerList:
    """One version of a caller list, with when and by whom it was saved."""

    key: str
    name: str
    version: int
    entries: tuple[ListEntry, ...]
    saved_at: datetime | None = None
    saved_by: str = ""
    removed_at: datetime | None = None  # the list taken down (None: in use)
    removed_by: str = ""

    def caller_list(self) -> CallerList:
        """The list as rules match it."""
        return CallerList.of(self.key, self.entries, self.name)


def set_caller_list(
    session: Session,
    account: str,
    key: str,
    entries: Iterable[str | tuple[str, str]],
    **options: Any,
) -> CallerList:
    """As ``save_caller_list`` (same options), answering the list as rules match it."""
    return save_caller_list(session, account, key, entries, **options).caller_list()


def save_caller_list(
    session: Session,
    account: str,
    key: str,
    entries: Iterable[str | tuple[str, str]],
    *,
    now: datetime,
    name: str = "",
    saved_by: str = "",
    expected_version: int | None = None,
) -> SavedCallerList:
    """Save the list ``key`` (numbers or '+prefix*', optionally labelled) as its next version;
    every bad entry is named (``entries[3]``) and nothing is saved."""
    acc = account_row(session, account)
    unique = _checked(key, name, saved_by, entries, acc.country)
    row = session.scalar(_list(acc.id, key))
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        raise Conflict(
            says(
                "caller list %(key)r is at version %(current)s, not %(expected)s: someone saved "
                "it since; read it again and redo your change",
                key=key,
                current=current,
                expected=expected_version,
            ),
            field="version",
        )
    if row is None:
        row = CallerListRow(account_id=acc.id, key=key, name=name or key, version=0)
        session.add(row)
        session.flush()
    else:
        row.name = name or row.name
        row.removed_at, row.removed_by = None, ""  # saved again: in use again
    saved = CallerListVersionRow(
        account_id=acc.id,
        list_id=row.id,
        version=current + 1,
        name=row.name,
        entries=[{"pattern": e.pattern, "label": e.label} for e in unique],
        saved_at=now,
        saved_by=saved_by[:100],
    )
    session.add(saved)
    row.version = saved.version
    session.flush()
    emit(session, CallerListSaved(account=acc.key, at=now, key=key, entries=len(unique)))
    session.flush()
    return _of(key, saved, row)


def remove_caller_list(
    session: Session, account: str, key: str, *, by: str, now: datetime
) -> SavedCallerList:
    """Take the list down: decisions no longer match it from ``now``; the list and every version
    stay, with who and when. Refused while a rule in force names it (each place said), since
    that rule would silently never match again. Removing it again changes nothing."""
    acc = account_row(session, account)
    row = session.scalar(_list(acc.id, key))
    if row is None:
        raise _no_list(key, account)
    if row.removed_at is None:
        uses = rules_naming(session, acc.id, caller_list=key)
        refusal = says(
            "caller list %(key)r is named by rules in force (%(uses)s): change those rules "
            "first, then remove it",
            key=key,
            uses=joined(uses),
        )
        event = CallerListRemoved(account=acc.key, at=now, key=key, by=by[:100])
        take_down(session, row, uses, refusal, event)
    return get_caller_list(session, account, key)


def restore_caller_list(
    session: Session, account: str, key: str, *, by: str, now: datetime
) -> SavedCallerList:
    """Put a list taken down back in use as it was: its entries saved again, by ``by``, as its
    next version (every version kept). One in use is answered unchanged."""
    kept = get_caller_list(session, account, key)
    if kept.removed_at is None:
        return kept
    entries = [(e.pattern, e.label) for e in kept.entries]
    return save_caller_list(
        session,
        account,
        key,
        entries,
        now=now,
        name=kept.name,
        saved_by=by[:100],
        expected_version=kept.version,
    )


@on_scoped_input
def take_down(
    session: Session,
    row: Removable,
    uses: list[str],
    refusal: str,
    event: CallerListRemoved | RotaRemoved | GroupRemoved,
) -> None:
    """Stamp ``row`` removed (who and when from ``event``) and emit ``event``; refused with
    ``refusal`` (409, each place in ``uses``) while things in force name it."""
    if uses:
        raise Conflict(refusal, field="key", uses=uses)
    row.removed_at, row.removed_by = event.at, event.by
    emit(session, event)
    session.flush()


def _checked(
    key: str, name: str, saved_by: str, entries: Iterable[str | tuple[str, str]], country: str
) -> list[ListEntry]:
    parsed: list[ListEntry] = []
    problems = too_long(("key", key, 64), ("name", name, 200), ("saved_by", saved_by, 100))
    if not key.strip():
        problems.append(Problem(says("a caller list needs a key, e.g. VIP"), field="key"))
    for i, item in enumerate(entries):
        raw, label = (item, "") if isinstance(item, str) else item
        problems += too_long((f"entries[{i}].label", label, 200))
        try:
            parsed.append(ListEntry(normalise_entry(raw, country), label))
        except InvalidNumber as exc:
            problems.append(Problem(exc.message, field=f"entries[{i}]"))
    if problems:
        raise ValidationFailed(problems)
    return list({e.pattern: e for e in parsed}.values())


def too_long(*fields: tuple[str, str, int]) -> list[Problem]:
    """The fields longer than their columns, each named: refused here, not by the database."""
    return [
        Problem(
            says(
                "at most %(limit)s characters (this has %(length)s)", limit=limit, length=len(value)
            ),
            field=field,
        )
        for field, value, limit in fields
        if len(value) > limit
    ]


def _list(account_id: int, key: str) -> Select[CallerListRow]:
    return select(CallerListRow).where(
        CallerListRow.account_id == account_id, CallerListRow.key == key
    )


def caller_lists(session: Session, account: str) -> dict[str, CallerList]:
    """Every caller list of the account, by key (the version in force of each)."""
    acc = account_row(session, account)
    return lists_of(session, acc.id)


def caller_list(session: Session, account: str, key: str) -> CallerList:
    """One caller list of the account (NotFound when there is none by that key)."""
    return get_caller_list(session, account, key).caller_list()


def get_caller_list(session: Session, account: str, key: str) -> SavedCallerList:
    """The version in force of the list ``key``, with when and by whom it was saved."""
    acc = account_row(session, account)
    found = session.execute(_in_force(acc.id).where(CallerListRow.key == key)).first()
    if found is None:
        raise _no_list(key, account)
    return _of(key, found[1], found[0])


def removed_caller_lists(session: Session, account: str) -> list[SavedCallerList]:
    """The account's lists taken down, each in the version it was in, by key."""
    acc = account_row(session, account)
    rows = session.execute(
        _in_force(acc.id).where(CallerListRow.removed_at.is_not(None)).order_by(CallerListRow.key)
    )
    return [_of(lst.key, row, lst) for lst, row in rows]


def caller_list_versions(session: Session, account: str, key: str) -> list[SavedCallerList]:
    """Every saved version of the list ``key``, newest first."""
    return _versions(session, account, key)


def caller_lists_versions(session: Session, account: str) -> dict[str, list[SavedCallerList]]:
    """Every saved version of each list in use, by key, newest first: one statement however
    many lists (the account page's history of each)."""
    acc = account_row(session, account)
    owned = CallerListVersionRow.list_id == CallerListRow.id
    found: dict[str, list[SavedCallerList]] = {}
    for lst, row in versions_in_use(session, acc.id, CallerListRow, CallerListVersionRow, owned):
        found.setdefault(lst.key, []).append(_of(lst.key, row))
    return found


def caller_list_version(session: Session, account: str, key: str, version: int) -> SavedCallerList:
    """One saved version of the list ``key`` (NotFound when it has no such version)."""
    found = _versions(session, account, key, version)
    if not found:
        raise NotFound(
            says("caller list %(key)r has no version %(version)s", key=key, version=version),
            field="version",
        )
    return found[0]


def _versions(
    session: Session, account: str, key: str, version: int | None = None
) -> list[SavedCallerList]:
    acc = account_row(session, account)
    row = session.scalar(_list(acc.id, key))
    if row is None:
        raise _no_list(key, account)
    owned = CallerListVersionRow.list_id == row.id
    return [
        _of(key, r) for r in saved_versions(session, acc.id, CallerListVersionRow, owned, version)
    ]


Saved = TypeVar("Saved", CallerListVersionRow, RotaVersionRow)
Kept = TypeVar("Kept", CallerListRow, RotaRow)


def saved_versions(
    session: Session,
    account_id: int,
    table: type[Saved],
    owned: ColumnElement[bool],
    version: int | None = None,
) -> list[Saved]:
    """The saved versions of one caller list or rota (``owned``: its versions' link to it),
    newest first; with ``version``, only that one (the database picks it)."""
    query = select(table).where(table.account_id == account_id, owned)
    if version is not None:
        query = query.where(table.version == version)
    return list(session.scalars(query.order_by(table.version.desc())))


def versions_in_use(
    session: Session,
    account_id: int,
    kept: type[Kept],
    table: type[Saved],
    owned: ColumnElement[bool],
) -> list[tuple[Kept, Saved]]:
    """Every saved version of every caller list or rota in use (``owned``: a version's link to
    its list or rota), each with its list or rota, newest first: one statement."""
    query = (
        select(kept, table)
        .join(table, owned)
        .where(
            kept.account_id == account_id,
            table.account_id == account_id,
            kept.removed_at.is_(None),
        )
        .order_by(table.version.desc())
    )
    return [(k, v) for k, v in session.execute(query)]


def _no_list(key: str, account: str) -> NotFound:
    return NotFound(
        says("no caller list %(key)r in account %(account)r", key=key, account=account),
        field="key",
    )


def _in_force(account_id: int) -> Select[CallerListRow, CallerListVersionRow]:
    """Each list with its version in force, removed or not."""
    return (
        select(CallerListRow, CallerListVersionRow)
        .join(
            CallerListVersionRow,
            (CallerListVersionRow.list_id == CallerListRow.id)
            & (CallerListVersionRow.version == CallerListRow.version),
        )
        .where(CallerListRow.account_id == account_id)
    )


def lists_of(session: Session, account_id: int) -> dict[str, CallerList]:
    """The account's lists as decisions match them: the version in force of each."""
    rows = session.execute(_in_force(account_id).where(CallerListRow.removed_at.is_(None)))
    return {lst.key: _of(lst.key, row).caller_list() for lst, row in rows}


def _of(key: str, row: CallerListVersionRow, lst: CallerListRow | None = None) -> SavedCallerList:
    entries = tuple(ListEntry(str(e["pattern"]), str(e.get("label", ""))) for e in row.entries)
    removed = lst.removed_at if lst is not None else None
    return SavedCallerList(
        key,
        row.name,
        row.version,
        entries,
        as_utc(row.saved_at),
        row.saved_by,
        as_utc(removed) if removed else None,
        lst.removed_by if lst is not None else "",
    )
