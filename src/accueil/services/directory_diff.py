"""Comparing a validated file with the database: what to create, change and take down.

Everything here is keyed by the file's stable keys (account key; account and group key;
account and person key; E.164; agent key), so a dry run can say exactly what an import would
do without writing anything, and re-importing the same file finds nothing to do.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from accueil.core.directory import Account, Agent, Group, Number, Person
from accueil.directory_io.records import Kind
from accueil.directory_io.validate import Plan
from accueil.directory_io.writers import compact_hours
from accueil.services.directory_snapshot import Columns, DirectorySnapshot, Row
from accueil.store.mapping import devices_to_json

# How each kind is taken down by --prune: nothing taken down is lost (see docs/import.md).
REMOVAL_VERB = {
    Kind.GROUPS: "removed",  # taken down, kept with who and when (services/groups.py)
    Kind.PEOPLE: "archived",
    Kind.NUMBERS: "released",
    Kind.AGENTS: "deactivated",
}


@dataclass(frozen=True)
class Change:
    """One thing an import creates, changes or takes down."""

    kind: Kind
    key: str  # "acme", "acme/jdupont", "+33140000000"
    action: str  # "create", "change" or "remove"
    fields: tuple[str, ...] = ()  # the fields a change touches


@dataclass
class Delta:
    """What to write, per kind: new rows, changed columns of existing rows, rows to take down."""

    creates: dict[Kind, list[tuple[Any, Columns]]] = field(default_factory=dict)
    updates: dict[Kind, list[tuple[Row, Columns]]] = field(default_factory=dict)
    removals: dict[Kind, list[Row]] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0


def account_columns(account: Account, active: bool) -> Columns:
    return {
        "name": account.name,
        "answer_name": account.answer_name,
        "timezone": account.timezone,
        "country": account.country,
        "subdivision": account.subdivision,
        "languages": list(account.languages),
        "business_hours": compact_hours(account.business_hours),
        "tier": account.tier.value,
        "target_seconds": account.target_seconds,
        "notes": account.notes,
        "colour": account.colour,
        "active": active,
    }


def group_columns(group: Group) -> Columns:
    return {"name": group.name, "active": True}  # listing a team taken down puts it back


def person_columns(person: Person) -> Columns:
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "pronunciation": person.pronunciation,
        "title": person.title,
        "group_key": person.group,
        "languages": list(person.languages),
        "email": person.email,
        "devices": devices_to_json(person.devices),
        "working_hours": compact_hours(person.working_hours) or None
        if person.working_hours
        else None,
        "active": person.active,
    }


def number_columns(number: Number) -> Columns:
    return {
        "account": number.account,
        "person": number.person,
        "raw": number.raw,
        "label": number.label,
    }


def agent_columns(agent: Agent) -> Columns:
    return {
        "name": agent.name,
        "site": agent.site,
        "languages": list(agent.languages),
        "sip_uri": agent.sip_uri,
        "active": agent.active,
        "trainings": sorted([t.account, t.level] for t in agent.trainings),
    }


def diff(plan: Plan, snapshot: DirectorySnapshot, *, prune: bool) -> Delta:
    """The delta that brings the database to what ``plan`` says."""
    delta = Delta()
    wanted: dict[Kind, dict[Any, Columns]] = {
        Kind.ACCOUNTS: {
            a.key: account_columns(a, a.key not in plan.inactive_accounts) for a in plan.accounts
        },
        Kind.GROUPS: {(g.account, g.key): group_columns(g) for g in plan.groups},
        Kind.PEOPLE: {(p.account, p.key): person_columns(p) for p in plan.people},
        Kind.NUMBERS: {n.e164: number_columns(n) for n in plan.numbers},
        Kind.AGENTS: {a.key: agent_columns(a) for a in plan.agents},
    }
    written = {kind: dict(zip(wanted[kind], plan.written[kind], strict=True)) for kind in Kind}
    existing: dict[Kind, dict[Any, Row]] = {
        Kind.ACCOUNTS: snapshot.accounts,
        Kind.GROUPS: snapshot.groups,
        Kind.PEOPLE: snapshot.people,
        Kind.NUMBERS: snapshot.numbers,
        Kind.AGENTS: snapshot.agents,
    }
    for kind in Kind:
        _compare(delta, kind, wanted[kind], existing[kind], written[kind])
    if prune:
        _prune(delta, plan, wanted, existing)
    return delta


def _compare(
    delta: Delta,
    kind: Kind,
    wanted: dict[Any, Columns],
    existing: dict[Any, Row],
    written: dict[Any, frozenset[str]],
) -> None:
    creates = delta.creates.setdefault(kind, [])
    updates = delta.updates.setdefault(kind, [])
    for ident, columns in wanted.items():
        row = existing.get(ident)
        if row is None:
            creates.append((ident, columns))
            delta.changes.append(Change(kind, _label(ident), "create"))
            continue
        columns = _patch(columns, row.columns, written[ident])
        changed = {c: v for c, v in columns.items() if row.columns.get(c) != v}
        if changed:
            updates.append((row, changed))
            delta.changes.append(Change(kind, _label(ident), "change", tuple(changed)))
        else:
            delta.unchanged += 1


def _prune(
    delta: Delta,
    plan: Plan,
    wanted: dict[Kind, dict[Any, Columns]],
    existing: dict[Kind, dict[Any, Row]],
) -> None:
    scope = plan.account_keys()

    def take_down(kind: Kind, idents: Iterable[Any]) -> None:
        removals = delta.removals.setdefault(kind, [])
        for ident in idents:
            removals.append(existing[kind][ident])
            delta.changes.append(Change(kind, _label(ident), "remove"))

    def absent(kind: Kind, account_of: Any) -> list[Any]:
        if kind not in plan.kinds:
            return []
        return [
            ident
            for ident in existing[kind]
            if ident not in wanted[kind] and account_of(ident, existing[kind][ident]) in scope
        ]

    people = [
        i
        for i in absent(Kind.PEOPLE, lambda i, _r: i[0])
        if existing[Kind.PEOPLE][i].columns["active"]
    ]
    take_down(Kind.PEOPLE, people)
    referred = {(i[0], c["group_key"]) for i, c in wanted[Kind.PEOPLE].items()}
    referred |= {
        (i[0], r.columns["group_key"])
        for i, r in existing[Kind.PEOPLE].items()
        if i not in wanted[Kind.PEOPLE]
    }
    groups = [
        i
        for i in absent(Kind.GROUPS, lambda i, _r: i[0])
        if i not in referred and existing[Kind.GROUPS][i].columns["active"]
    ]
    take_down(Kind.GROUPS, groups)
    take_down(Kind.NUMBERS, absent(Kind.NUMBERS, lambda _i, r: r.columns["account"]))
    if Kind.AGENTS in plan.kinds:
        agents = existing[Kind.AGENTS]
        take_down(
            Kind.AGENTS,
            [k for k, r in agents.items() if k not in wanted[Kind.AGENTS] and r.columns["active"]],
        )


# The column each written field sets, where names differ; fields not listed set their namesake.
_COLUMN_OF = {
    "group": "group_key",
    "number": "raw",
    "mobile": "devices",
    "desk": "devices",
    "softphone": "devices",
}
_SHORTCUTS = ("mobile", "desk", "softphone")


def _patch(columns: Columns, before: Columns, written: frozenset[str]) -> Columns:
    """The columns an entry sets on an existing row: only those its fields were written for.

    A field left out (a CSV column the file does not have, a key absent from a YAML entry)
    keeps the row's value. A device shortcut column (``mobile``…) replaces only that device.
    """
    names = {_COLUMN_OF.get(f, f) for f in written}
    names.add("active")  # listing an entry makes it active again unless it says otherwise
    if "tier" in written:
        names.add("target_seconds")  # its default follows the tier
    out = {c: v for c, v in columns.items() if c in names}
    shortcuts = [s for s in _SHORTCUTS if s in written]
    if shortcuts and "devices" not in written:
        given = {d["key"]: d for d in columns["devices"] if d["key"] in shortcuts}
        kept = [
            given.pop(d["key"], None) if d["key"] in shortcuts else d for d in before["devices"]
        ]
        out["devices"] = [d for d in kept if d is not None] + list(given.values())
    return out


def _label(ident: Any) -> str:
    return "/".join(ident) if isinstance(ident, tuple) else str(ident)
