"""What the database holds of the directory, keyed by the stable keys of import files.

Import compares a file with this snapshot to decide what to create, change and take down;
validation reads from it which accounts, groups, people and numbers already exist.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accueil.directory_io.records import Kind
from accueil.directory_io.schema import FIELDS
from accueil.directory_io.validate import Known
from accueil.services.tenancy import operator_level
from accueil.store.tables import (
    AccountRow,
    AgentRow,
    GroupRow,
    NumberRow,
    PersonRow,
    TrainingRow,
)

Columns = dict[str, Any]

# Every account field of an import file but its key is a column of its own.
ACCOUNT_COLUMNS = tuple(f for f in FIELDS[Kind.ACCOUNTS] if f != "key")
GROUP_COLUMNS = ("name",)
PERSON_COLUMNS = (
    "first_name",
    "last_name",
    "pronunciation",
    "title",
    "group_key",
    "languages",
    "email",
    "devices",
    "working_hours",
    "active",
)
NUMBER_COLUMNS = ("account", "person", "raw", "label")
AGENT_COLUMNS = ("name", "site", "languages", "sip_uri", "active", "trainings")


@dataclass(frozen=True)
class Row:
    """One existing row: its database id and the columns an import compares."""

    id: int | str
    columns: Columns


@dataclass
class DirectorySnapshot:
    accounts: dict[str, Row] = field(default_factory=dict)
    groups: dict[tuple[str, str], Row] = field(default_factory=dict)
    people: dict[tuple[str, str], Row] = field(default_factory=dict)
    numbers: dict[str, Row] = field(default_factory=dict)
    agents: dict[str, Row] = field(default_factory=dict)

    def known(self) -> Known:
        return Known(
            countries={k: r.columns["country"] for k, r in self.accounts.items()},
            languages={k: tuple(r.columns["languages"]) for k, r in self.accounts.items()},
            groups=frozenset(k for k, r in self.groups.items() if r.columns["active"]),
            people=frozenset(self.people),
            numbers={e: r.columns["account"] for e, r in self.numbers.items()},
            agents=frozenset(self.agents),
        )


@operator_level
def take_snapshot(session: Session, accounts: Collection[str] | None = None) -> DirectorySnapshot:
    """Read the directory in a handful of queries (plain tuples, no row objects).

    With ``accounts``, groups and people are read for those accounts only: a small import into
    a big directory does not read everyone. Accounts, numbers and agents are always all read.
    """
    snap = DirectorySnapshot()
    account_cols = [getattr(AccountRow, c) for c in ACCOUNT_COLUMNS]
    for id_, key, *values in session.execute(select(AccountRow.id, AccountRow.key, *account_cols)):
        snap.accounts[key] = Row(id_, dict(zip(ACCOUNT_COLUMNS, values, strict=True)))
    keys = {r.id: k for k, r in snap.accounts.items()}
    scope = (
        None if accounts is None else [snap.accounts[a].id for a in accounts if a in snap.accounts]
    )
    _read_groups_and_people(session, snap, keys, scope)
    _read_numbers(session, snap, keys)
    _read_agents(session, snap, keys)
    return snap


def _read_groups_and_people(
    session: Session, snap: DirectorySnapshot, keys: dict[Any, str], scope: list[Any] | None
) -> None:
    groups = select(
        GroupRow.id, GroupRow.account_id, GroupRow.key, GroupRow.name, GroupRow.removed_at
    )
    person_cols = [getattr(PersonRow, c) for c in PERSON_COLUMNS]
    people = select(PersonRow.id, PersonRow.account_id, PersonRow.key, *person_cols)
    for batch in [None] if scope is None else _chunks(scope):
        group_query, people_query = groups, people
        if batch is not None:
            group_query = groups.where(GroupRow.account_id.in_(batch))
            people_query = people.where(PersonRow.account_id.in_(batch))
        for id_, account_id, key, name, removed_at in session.execute(group_query):
            columns = {"name": name, "active": removed_at is None}  # a team taken down: kept
            snap.groups[(keys[account_id], key)] = Row(id_, columns)
        for id_, account_id, key, *values in session.execute(people_query):
            columns = dict(zip(PERSON_COLUMNS, values, strict=True))
            snap.people[(keys[account_id], key)] = Row(id_, columns)


def _chunks(ids: list[Any], size: int = 500) -> list[list[Any]]:
    return [ids[i : i + size] for i in range(0, len(ids), size)]


def _read_numbers(session: Session, snap: DirectorySnapshot, keys: dict[Any, str]) -> None:
    query = select(
        NumberRow.e164, NumberRow.account_id, PersonRow.key, NumberRow.raw, NumberRow.label
    ).outerjoin(PersonRow, PersonRow.id == NumberRow.person_id)
    for e164, account_id, person, raw, label in session.execute(query):
        columns: Columns = {
            "account": keys[account_id],
            "person": person or "",
            "raw": raw,
            "label": label,
        }
        snap.numbers[e164] = Row(e164, columns)


def _read_agents(session: Session, snap: DirectorySnapshot, keys: dict[Any, str]) -> None:
    trainings: dict[int, list[list[Any]]] = {}
    for agent_id, account_id, level in session.execute(
        select(TrainingRow.agent_id, TrainingRow.account_id, TrainingRow.level)
    ):
        trainings.setdefault(agent_id, []).append([keys[account_id], level])
    agent_cols = [getattr(AgentRow, c) for c in AGENT_COLUMNS[:-1]]
    for id_, key, *values in session.execute(select(AgentRow.id, AgentRow.key, *agent_cols)):
        columns = dict(zip(AGENT_COLUMNS[:-1], values, strict=True))
        columns["trainings"] = sorted(trainings.get(id_, []))
        snap.agents[key] = Row(id_, columns)
