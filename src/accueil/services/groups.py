"""Teams (groups) of an account taken down and put back: kept, with who was in them.

Account key first; every query filters by the account. A team is taken down, never deleted:
its row stays with who and when, and ``members`` keeps who was in it (those people leave it:
their calls no longer walk its rules). It is refused while anything in force names it (its own
rules or script layer, a script step transferring to it: ``uses.group_uses``), since those
would silently change what calls do. Putting it back brings back the people who were in it
and have joined no other team since.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from accueil.errors import NotFound, Problem, says
from accueil.services.availability import as_utc
from accueil.services.caller_lists import take_down
from accueil.services.directory import account_row
from accueil.services.directory_version import bump
from accueil.services.events import GroupRemoved, GroupRestored
from accueil.services.outbox import emit
from accueil.services.tenancy import operator_level
from accueil.services.uses import group_uses, joined
from accueil.store.tables import AccountRow, GroupRow, PersonRow


@dataclass(frozen=True)
class GroupRecord:
    """A team as kept: its people now, or (taken down) who was in it, with who and when."""

    key: str
    name: str
    members: tuple[str, ...]
    removed_at: datetime | None = None
    removed_by: str = ""


def group_record(session: Session, account: str, key: str) -> GroupRecord:
    """The team ``key``, in use or taken down (NotFound: the account never had it)."""
    acc = account_row(session, account)
    return _record(session, _row(session, acc, key))


def groups_with_people(session: Session, account: str) -> list[GroupRecord]:
    """The account's teams in use, by key, each with its people: three statements however
    many teams (the account, its teams, the people in a team)."""
    acc = account_row(session, account)
    rows = session.scalars(
        select(GroupRow)
        .where(GroupRow.account_id == acc.id, GroupRow.removed_at.is_(None))
        .order_by(GroupRow.key)
    ).all()
    if not rows:
        return []
    members: dict[str, list[str]] = {r.key: [] for r in rows}
    people = session.execute(
        select(PersonRow.key, PersonRow.group_key)
        .where(PersonRow.account_id == acc.id, PersonRow.group_key != "")
        .order_by(PersonRow.key)
    )
    for person, group in people:
        if group in members:  # (a team taken down has no one in it)
            members[group].append(person)
    return [GroupRecord(r.key, r.name, tuple(members[r.key])) for r in rows]


def removed_groups(session: Session, account: str) -> list[GroupRecord]:
    """The account's teams taken down, by key, each with who was in it."""
    acc = account_row(session, account)
    rows = session.scalars(
        select(GroupRow)
        .where(GroupRow.account_id == acc.id, GroupRow.removed_at.is_not(None))
        .order_by(GroupRow.key)
    )
    return [_record(session, r) for r in rows]


def remove_group(
    session: Session, account: str, key: str, *, by: str, now: datetime
) -> GroupRecord:
    """Take the team down from ``now``: its people leave it (kept in ``members``), it is kept
    with who and when. Refused (409, each place said) while its own rules or script layer, or
    a script step transferring to it, are in force. Removing it again changes nothing."""
    acc = account_row(session, account)
    row = _row(session, acc, key)
    if row.removed_at is None:
        uses = group_uses(session, acc.id, key)
        refusal = says(
            "team %(key)r is still in use (%(uses)s): change those first, then remove it",
            key=key,
            uses=joined(uses),
        )
        members = _members(session, acc.id, key)
        event = GroupRemoved(
            account=acc.key,
            at=now,
            key=key,
            by=by[:100],
            members=len(members),
            people=tuple(members),
        )
        take_down(session, row, uses, refusal, event)
        row.members = members
        _move(session, acc.id, members, "")
        bump(session, [acc.key])
    return _record(session, row)


def restore_group(
    session: Session, account: str, key: str, *, by: str, now: datetime
) -> GroupRecord:
    """Put the team back in use: the people who were in it, and have joined no other team
    since, are in it again. Restoring one in use changes nothing."""
    acc = account_row(session, account)
    row = _row(session, acc, key)
    if row.removed_at is not None:
        back = list(
            session.scalars(
                select(PersonRow.key).where(
                    PersonRow.account_id == acc.id,
                    PersonRow.key.in_(row.members),
                    PersonRow.group_key == "",
                )
            )
        )
        _move(session, acc.id, back, key)
        row.removed_at, row.removed_by, row.members = None, "", []
        emit(
            session,
            GroupRestored(
                account=acc.key,
                at=now,
                key=key,
                by=by[:100],
                members=len(back),
                people=tuple(back),
            ),
        )
        bump(session, [acc.key])
        session.flush()
    return _record(session, row)


@operator_level
def groups_in_use(session: Session, rows: list[tuple[str, int | str]]) -> list[Problem]:
    """For an import that would take these teams down (account key, group row id): one
    problem for each that something in force still names (the import is then refused)."""
    problems = []
    for account, group_id in rows:
        row = session.get(GroupRow, group_id)
        if row is None:
            continue
        uses = group_uses(session, row.account_id, row.key)
        if uses:
            problems.append(
                Problem(
                    says(
                        "team %(key)r of account %(account)r is left out of the import but still "
                        "in use (%(uses)s): list it in the groups, or change those first",
                        key=row.key,
                        account=account,
                        uses=joined(uses),
                    ),
                    field="groups",
                )
            )
    return problems


def _row(session: Session, acc: AccountRow, key: str) -> GroupRow:
    row = session.scalar(select(GroupRow).where(GroupRow.account_id == acc.id, GroupRow.key == key))
    if row is None:
        raise NotFound(
            says("no group %(group)r in account %(account)r", group=key, account=acc.key),
            group=key,
        )
    return row


def _members(session: Session, account_id: int, key: str) -> list[str]:
    return list(
        session.scalars(
            select(PersonRow.key)
            .where(PersonRow.account_id == account_id, PersonRow.group_key == key)
            .order_by(PersonRow.key)
        )
    )


def _move(session: Session, account_id: int, people: list[str], group: str) -> None:
    if people:
        session.execute(
            update(PersonRow)
            .where(PersonRow.account_id == account_id, PersonRow.key.in_(people))
            .values(group_key=group)
        )
    session.flush()


def _record(session: Session, row: GroupRow) -> GroupRecord:
    if row.removed_at is None:
        members = tuple(_members(session, row.account_id, row.key))
        return GroupRecord(row.key, row.name, members)
    return GroupRecord(
        row.key, row.name, tuple(row.members), as_utc(row.removed_at), row.removed_by
    )
