"""The operator's other sections as data, for a whole-operator export: caller lists, contacts,
people's own VIP lists, rotas, the accounts' employee policies, the current rules and scripts,
closures, delegations and calendars.

Each section is a list of entries in the shape ``services.operator_import`` reads back, sorted
by stable keys so that the same database always gives the same files. What is left out, and
why, is said in docs/import.md ("What an export leaves out").
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from accueil.directory_io.sections import Section
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_availability import (
    CalendarFeedRow,
    CallerListRow,
    CallerListVersionRow,
    ClosureRow,
    DelegationRow,
    KnownContactRow,
    RotaRow,
    RuleVersionRow,
)
from accueil.store.tables_scripts import ScriptVersionRow
from accueil.store.tables_self_service import EmployeePolicyVersionRow, VipListVersionRow

Entry = dict[str, Any]
_SCOPES = {"account": 0, "group": 1, "person": 2}  # a script's layers, most general first


@operator_level
def export_sections(session: Session) -> dict[str, list[Entry]]:
    """Every operator section, by name, in import order."""
    accounts = dict(session.execute(select(AccountRow.id, AccountRow.key)).all())
    readers: dict[Section, Callable[[Session, dict[int, str]], list[Entry]]] = {
        Section.CALLER_LISTS: _caller_lists,
        Section.CONTACTS: _contacts,
        Section.VIP_LISTS: _vip_lists,
        Section.ROTAS: _rotas,
        Section.EMPLOYEE_POLICIES: _employee_policies,
        Section.RULES: _rules,
        Section.SCRIPTS: _scripts,
        Section.CLOSURES: _closures,
        Section.DELEGATIONS: _delegations,
        Section.CALENDARS: _calendars,
    }
    return {section.value: readers[section](session, accounts) for section in Section}


def instant(value: datetime) -> str:
    """A stored time as written in an export: ISO 8601 in UTC."""
    aware = value if value.tzinfo else value.replace(tzinfo=UTC)
    return aware.astimezone(UTC).isoformat()


def _caller_lists(session: Session, accounts: dict[int, str]) -> list[Entry]:
    """The version in force of each list in use (the earlier ones and the lists taken down are
    history, kept in the database, not carried over)."""
    rows = session.execute(
        select(CallerListRow, CallerListVersionRow)
        .join(
            CallerListVersionRow,
            (CallerListVersionRow.list_id == CallerListRow.id)
            & (CallerListVersionRow.version == CallerListRow.version),
        )
        .where(CallerListRow.removed_at.is_(None))
    )
    out = [
        {
            "account": accounts[r.account_id],
            "key": r.key,
            "name": r.name,
            "entries": sorted(
                f"{e['pattern']}={e['label']}" if e.get("label") else str(e["pattern"])
                for e in v.entries
            ),
        }
        for r, v in rows
    ]
    return sorted(out, key=lambda e: (e["account"], e["key"]))


def _contacts(session: Session, accounts: dict[int, str]) -> list[Entry]:
    # what is in use: a removed row is kept in the database, not carried to an import
    rows = session.scalars(select(KnownContactRow).where(KnownContactRow.removed_at.is_(None)))
    out = [{"account": accounts[r.account_id], "number": r.e164, "name": r.name} for r in rows]
    return sorted(out, key=lambda e: (e["account"], e["number"]))


def _vip_lists(session: Session, accounts: dict[int, str]) -> list[Entry]:
    """The list in force of each person who saved one, numbers in the order they were kept."""
    latest: dict[int, VipListVersionRow] = {}
    for row in session.scalars(select(VipListVersionRow)):
        if row.person_id not in latest or latest[row.person_id].version < row.version:
            latest[row.person_id] = row
    people = dict(session.execute(select(PersonRow.id, PersonRow.key)).all())
    out = [
        {
            "account": accounts[r.account_id],
            "person": people[r.person_id],
            "entries": [
                f"{e['number']}={e['name']}" if e.get("name") else str(e["number"])
                for e in r.entries
            ],
        }
        for r in latest.values()
    ]
    return sorted(out, key=lambda e: (e["account"], e["person"]))


def _rotas(session: Session, accounts: dict[int, str]) -> list[Entry]:
    out = [
        {
            "account": accounts[r.account_id],
            "key": r.key,
            "name": r.name,
            "shifts": [_present(shift) for shift in r.shifts],
        }
        for r in session.scalars(select(RotaRow).where(RotaRow.removed_at.is_(None)))
    ]
    return sorted(out, key=lambda e: (e["account"], e["key"]))


def _employee_policies(session: Session, accounts: dict[int, str]) -> list[Entry]:
    """The policy in force of each account that saved one."""
    latest: dict[int, EmployeePolicyVersionRow] = {}
    for row in session.scalars(select(EmployeePolicyVersionRow)):
        if row.account_id not in latest or latest[row.account_id].version < row.version:
            latest[row.account_id] = row
    out = [{"account": accounts[r.account_id], **_present(r.document)} for r in latest.values()]
    return sorted(out, key=lambda e: str(e["account"]))


def _present(value: Any) -> Any:
    """A stored shift without the fields left empty (read back the same)."""
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


def _latest(rows: list[Any]) -> list[Any]:
    """The latest version of each (account, scope, owner)."""
    latest: dict[tuple[int, str, str], Any] = {}
    for row in rows:
        at = (row.account_id, row.scope, row.owner_key)
        if at not in latest or latest[at].version < row.version:
            latest[at] = row
    return list(latest.values())


def _owner(scope: str, key: str) -> Entry:
    return {} if scope == "account" else {scope: key}


def _rules(session: Session, accounts: dict[int, str]) -> list[Entry]:
    out = [
        {"account": accounts[r.account_id], **_owner(r.scope, r.owner_key), "rules": r.rules}
        for r in _latest(list(session.scalars(select(RuleVersionRow))))
    ]
    return sorted(out, key=lambda e: (e["account"], _order(e)))


def _order(entry: Entry) -> tuple[int, str]:
    for scope in ("group", "person"):
        if scope in entry:
            return _SCOPES[scope], str(entry[scope])
    return 0, ""


def _scripts(session: Session, accounts: dict[int, str]) -> list[Entry]:
    out = []
    for r in _latest(list(session.scalars(select(ScriptVersionRow)))):
        entry = {"account": accounts[r.account_id], **_owner(r.scope, r.owner_key)}
        entry["format"] = r.format
        if r.file:
            entry["file"] = r.file
        entry["source"] = r.source
        out.append(entry)
    return sorted(out, key=lambda e: (e["account"], _order(e)))


def _closures(session: Session, accounts: dict[int, str]) -> list[Entry]:
    out = [
        {
            "account": accounts[r.account_id],
            "starts": instant(r.starts_at),
            "ends": instant(r.ends_at),
            "reason": r.reason,
        }
        for r in session.scalars(select(ClosureRow).where(ClosureRow.removed_at.is_(None)))
    ]
    return sorted(out, key=lambda e: (e["account"], e["starts"], e["ends"], e["reason"]))


def _delegations(session: Session, accounts: dict[int, str]) -> list[Entry]:
    person, delegate = aliased(PersonRow), aliased(PersonRow)
    query = (
        select(DelegationRow, person.key, delegate.key)
        .join(person, person.id == DelegationRow.person_id)
        .join(delegate, delegate.id == DelegationRow.delegate_id)
        .where(DelegationRow.removed_at.is_(None))
    )
    out = [
        {
            "account": accounts[d.account_id],
            "person": who,
            "delegate": by,
            "starts": instant(d.starts_at),
            "ends": instant(d.ends_at) if d.ends_at else "",
            "note": d.note,
        }
        for d, who, by in session.execute(query).all()
    ]
    return sorted(out, key=lambda e: tuple(str(e[k]) for k in e))


def _calendars(session: Session, accounts: dict[int, str]) -> list[Entry]:
    query = (
        select(CalendarFeedRow, PersonRow.key)
        .join(PersonRow, PersonRow.id == CalendarFeedRow.person_id)
        .where(CalendarFeedRow.removed_at.is_(None))
    )
    out = []
    for feed, person in session.execute(query).all():
        entry: Entry = {"account": accounts[feed.account_id], "person": person}
        if feed.url:
            entry["url"] = feed.url
        elif feed.last_good is not None:  # an uploaded calendar: its file is all there is
            entry["ics"] = feed.last_good.decode("utf-8", errors="replace")
        else:
            continue
        out.append(entry)
    return sorted(out, key=lambda e: (e["account"], e["person"]))
