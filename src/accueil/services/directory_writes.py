"""Writing a delta to the store in bulk: a few statements per kind, whatever the file's size.

Rows are inserted and updated with executemany (SQLAlchemy's bulk INSERT and bulk UPDATE by
primary key), never one ORM object at a time, so 100,000 people stay fast and small.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from itertools import islice
from typing import Any, TypeVar

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from accueil.directory_io.records import Kind
from accueil.services.directory_diff import Delta
from accueil.services.directory_snapshot import Columns
from accueil.services.directory_version import bump
from accueil.services.numbers import releases_of
from accueil.services.tenancy import operator_level
from accueil.store.tables import (
    AccountRow,
    AgentRow,
    GroupRow,
    NumberReleaseRow,
    NumberRow,
    PersonRow,
    TrainingRow,
)

# Called with (what is being written, rows done, rows in all) so a CLI can show a progress bar.
Progress = Callable[[str, int, int], None]
BATCH = 5_000
T = TypeVar("T")


class _Ticker:
    def __init__(self, delta: Delta, progress: Progress | None) -> None:
        self.progress = progress
        self.done = 0
        self.total = sum(
            len(rows)
            for table in (delta.creates, delta.updates, delta.removals)
            for rows in table.values()
        )

    def __call__(self, stage: str, rows: int) -> None:
        self.done += rows
        if self.progress:
            self.progress(stage, self.done, self.total)


def _batches(rows: Iterable[T]) -> Iterator[list[T]]:
    """Rows in lists of BATCH, built as they go: a big import never holds them all twice."""
    iterator = iter(rows)
    while batch := list(islice(iterator, BATCH)):
        yield batch


@operator_level
def write(
    session: Session,
    delta: Delta,
    progress: Progress | None = None,
    *,
    now: datetime,
    by: str = "",
) -> None:
    """Apply ``delta`` inside the session's transaction; teams it takes down are stamped
    removed at ``now`` by ``by`` (kept, never deleted), and numbers it releases are kept in
    ``number_releases`` the same way."""
    tick = _Ticker(delta, progress)

    def insert_rows(table: type[Any], rows: Iterable[Columns], stage: str) -> None:
        # Core INSERT with executemany: the ORM's bulk path adds nothing for new rows.
        for batch in _batches(rows):
            session.execute(insert(table.__table__), batch)
            tick(stage, len(batch))

    def update_rows(table: type[Any], rows: Iterable[Columns], stage: str) -> None:
        for batch in _batches(rows):
            session.execute(update(table), batch)
            tick(stage, len(batch))

    creates, updates, removals = delta.creates, delta.updates, delta.removals
    insert_rows(
        AccountRow, [{"key": k, **c} for k, c in creates.get(Kind.ACCOUNTS, [])], "accounts"
    )
    update_rows(
        AccountRow, [{"id": r.id, **c} for r, c in updates.get(Kind.ACCOUNTS, [])], "accounts"
    )
    account_ids: dict[str, int] = {
        k: i for k, i in session.execute(select(AccountRow.key, AccountRow.id))
    }

    group_rows = (
        {"account_id": account_ids[a], "key": k, **_in_use(c)}
        for (a, k), c in creates.get(Kind.GROUPS, [])
    )
    insert_rows(GroupRow, group_rows, "groups")
    changed = [{"id": r.id, **_in_use(c)} for r, c in updates.get(Kind.GROUPS, [])]
    update_rows(GroupRow, changed, "groups")

    people = (
        {"account_id": account_ids[a], "key": k, **c} for (a, k), c in creates.get(Kind.PEOPLE, [])
    )
    insert_rows(PersonRow, people, "people")
    update_rows(PersonRow, [{"id": r.id, **c} for r, c in updates.get(Kind.PEOPLE, [])], "people")
    archived = [{"id": r.id, "active": False} for r in removals.get(Kind.PEOPLE, [])]
    update_rows(PersonRow, archived, "people")
    removed = [
        {"id": r.id, "removed_at": now, "removed_by": by[:100]}
        for r in removals.get(Kind.GROUPS, [])
    ]
    update_rows(GroupRow, removed, "groups")

    _write_numbers(session, delta, account_ids, (insert_rows, update_rows), tick, (now, by))
    _write_agents(session, delta, account_ids, insert_rows, update_rows)
    bump(session, _searched_accounts(delta))


def _in_use(columns: Columns) -> Columns:
    """A team's columns as stored: listed, it is in use (one taken down is put back)."""
    out = {c: v for c, v in columns.items() if c != "active"}
    if columns.get("active"):
        out.update(removed_at=None, removed_by="", members=[])
    return out


def _searched_accounts(delta: Delta) -> set[str]:
    """The accounts whose names, people or groups change: what the search indexes hold."""
    kinds = (Kind.ACCOUNTS, Kind.GROUPS, Kind.PEOPLE)
    return {c.key.split("/", 1)[0] for c in delta.changes if c.kind in kinds}


def _delete(session: Session, column: Any, ids: list[Any], tick: _Ticker, stage: str) -> None:
    for batch in _batches(ids):
        session.execute(delete(column.class_).where(column.in_(batch)))
        tick(stage, len(batch))


Writer = Callable[[type[Any], Iterable[Columns], str], None]


def _write_numbers(
    session: Session,
    delta: Delta,
    account_ids: dict[str, int],
    writers: tuple[Writer, Writer],
    tick: _Ticker,
    stamp: tuple[datetime, str],
) -> None:
    insert_rows, update_rows = writers
    now, by = stamp
    creates = delta.creates.get(Kind.NUMBERS, [])
    updates = delta.updates.get(Kind.NUMBERS, [])
    owners = {c["account"] for _, c in creates} | {_owner(r.columns, c) for r, c in updates}
    person_ids = _person_ids(session, [account_ids[a] for a in owners])

    def columns(account: str, changed: Columns) -> Columns:
        out: Columns = {k: v for k, v in changed.items() if k in ("raw", "label")}
        if "account" in changed:
            out["account_id"] = account_ids[changed["account"]]
        if "person" in changed:
            person = changed["person"]
            out["person_id"] = person_ids[(account_ids[account], person)] if person else None
        return out

    insert_rows(NumberRow, [{"e164": e, **columns(c["account"], c)} for e, c in creates], "numbers")
    update_rows(
        NumberRow,
        [{"e164": r.id, **columns(_owner(r.columns, c), c)} for r, c in updates],
        "numbers",
    )
    released = delta.removals.get(Kind.NUMBERS, [])
    # kept before going: who released it, when, and what it led to (services/numbers.py)
    kept = releases_of([(str(r.id), r.columns) for r in released], account_ids, now=now, by=by)
    insert_rows(NumberReleaseRow, kept, "numbers")
    _delete(session, NumberRow.e164, [r.id for r in released], tick, "numbers")


def _person_ids(session: Session, account_ids: list[int]) -> dict[tuple[int, str], int]:
    out: dict[tuple[int, str], int] = {}
    for batch in _batches(account_ids):
        query = select(PersonRow.account_id, PersonRow.key, PersonRow.id).where(
            PersonRow.account_id.in_(batch)
        )
        out.update({(a, k): i for a, k, i in session.execute(query)})
    return out


def _write_agents(
    session: Session,
    delta: Delta,
    account_ids: dict[str, int],
    insert_rows: Writer,
    update_rows: Writer,
) -> None:
    creates = delta.creates.get(Kind.AGENTS, [])
    updates = delta.updates.get(Kind.AGENTS, [])

    def plain(columns: Columns) -> Columns:
        return {k: v for k, v in columns.items() if k != "trainings"}

    insert_rows(AgentRow, [{"key": k, **plain(c)} for k, c in creates], "agents")
    update_rows(AgentRow, [{"id": r.id, **plain(c)} for r, c in updates if plain(c)], "agents")
    deactivated = [{"id": r.id, "active": False} for r in delta.removals.get(Kind.AGENTS, [])]
    update_rows(AgentRow, deactivated, "agents")
    # An agent's trainings are written whole: the file lists all of them.
    agent_ids = {k: i for k, i in session.execute(select(AgentRow.key, AgentRow.id))}
    retrained = {k: c["trainings"] for k, c in creates}
    retrained |= {
        k: c["trainings"] for k, c in _keyed_updates(updates, agent_ids) if "trainings" in c
    }
    ids = [agent_ids[k] for k in retrained]
    for batch in _batches(ids):
        session.execute(delete(TrainingRow).where(TrainingRow.agent_id.in_(batch)))
    rows = [
        {"agent_id": agent_ids[k], "account_id": account_ids[a], "level": level}
        for k, trainings in retrained.items()
        for a, level in trainings
    ]
    for chunk in _batches(rows):
        session.execute(insert(TrainingRow), list(chunk))


def _keyed_updates(
    updates: list[tuple[Any, Columns]], ids: dict[str, int]
) -> list[tuple[str, Columns]]:
    by_id = {i: k for k, i in ids.items()}
    return [(by_id[r.id], c) for r, c in updates]


def _owner(before: Columns, changed: Columns) -> str:
    account: str = changed["account"] if "account" in changed else before["account"]
    return account
