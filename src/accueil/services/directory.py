"""Reading the directory: accounts, people, groups, numbers and agents.

Every function that reads a client's data takes the account key first and filters by it.
``resolve_number`` is the one exception: it is how a call finds its account.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from accueil.core.directory import Account, Agent, Group, Number, Person
from accueil.errors import InvalidInput, NotFound, says
from accueil.services.tenancy import by_number, operator_level
from accueil.store.mapping import (
    account_from_row,
    agent_from_row,
    group_from_row,
    person_from_row,
)
from accueil.store.tables import (
    AccountRow,
    AgentRow,
    GroupRow,
    NumberRow,
    PersonRow,
    TrainingRow,
)

# built once: most services start here, every call record too
_ACCOUNT = select(AccountRow).where(AccountRow.key == bindparam("key"))


def account_row(session: Session, account: str) -> AccountRow:
    row = session.scalar(_ACCOUNT, {"key": account})
    if row is None:
        raise NotFound(says("no account %(account)r", account=account), account=account)
    return row


def get_account(session: Session, account: str) -> Account:
    return account_from_row(account_row(session, account))


@operator_level
def list_accounts(session: Session) -> list[Account]:
    rows = session.scalars(select(AccountRow).order_by(AccountRow.key))
    return [account_from_row(r) for r in rows]


def list_groups(session: Session, account: str) -> list[Group]:
    acc = account_row(session, account)
    rows = session.scalars(
        select(GroupRow)
        .where(GroupRow.account_id == acc.id, GroupRow.removed_at.is_(None))  # in use
        .order_by(GroupRow.key)
    )
    return [group_from_row(r, account) for r in rows]


def list_people(session: Session, account: str, *, archived: bool = False) -> list[Person]:
    acc = account_row(session, account)
    query = select(PersonRow).where(PersonRow.account_id == acc.id)
    if not archived:
        query = query.where(PersonRow.active.is_(True))
    rows = session.scalars(query.order_by(PersonRow.key))
    return [person_from_row(r, account) for r in rows]


def get_person(session: Session, account: str, person: str) -> Person:
    acc = account_row(session, account)
    row = session.scalar(
        select(PersonRow).where(PersonRow.account_id == acc.id, PersonRow.key == person)
    )
    if row is None:
        raise NotFound(
            says("no person %(person)r in account %(account)r", person=person, account=account),
            account=account,
            person=person,
        )
    return person_from_row(row, account)


def list_numbers(session: Session, account: str) -> list[Number]:
    acc = account_row(session, account)
    query = (
        select(NumberRow, PersonRow.key)
        .outerjoin(PersonRow, NumberRow.person_id == PersonRow.id)
        .where(NumberRow.account_id == acc.id)
        .order_by(NumberRow.e164)
    )
    return [
        Number(e164=n.e164, account=account, person=pkey or "", raw=n.raw, label=n.label)
        for n, pkey in session.execute(query)
    ]


@operator_level
def accounts_with_person(session: Session, person: str) -> list[str]:
    """The accounts having a current person with this key (the operator's command line only)."""
    query = (
        select(AccountRow.key)
        .join(PersonRow, PersonRow.account_id == AccountRow.id)
        .where(PersonRow.key == person, PersonRow.active.is_(True))
        .order_by(AccountRow.key)
    )
    return list(session.scalars(query))


@operator_level
def account_of_person(session: Session, person: str) -> str:
    """The one account with a current person of this key (a person named by key alone)."""
    accounts = accounts_with_person(session, person)
    if not accounts:
        raise NotFound(
            says("no person %(person)r in any account; name them as ACCOUNT:PERSON", person=person)
        )
    if len(accounts) > 1:
        raise InvalidInput(
            says(
                "%(person)r is a person of several accounts (%(accounts)s); write "
                "ACCOUNT:PERSON, e.g. %(first)s:%(key)s",
                person=person,
                key=person,
                accounts=", ".join(accounts),
                first=accounts[0],
            )
        )
    return accounts[0]


@dataclass(frozen=True)
class Destination:
    """Where a dialled number leads: an account, and maybe one person of it."""

    number: Number
    account: Account
    person: Person | None


@by_number
def resolve_number(session: Session, e164: str) -> Destination:
    """The account (and maybe person) a dialled number leads to."""
    return destination_of(*number_rows(session, e164))


@by_number
def number_rows(session: Session, e164: str) -> tuple[NumberRow, AccountRow, PersonRow | None]:
    """The rows a dialled number leads to: the number, its account, maybe its person."""
    row = session.get(NumberRow, e164)
    if row is None:
        raise NotFound(says("the number %(e164)s leads to no account", e164=e164), number=e164)
    acc = session.get_one(AccountRow, row.account_id)
    prow = session.get_one(PersonRow, row.person_id) if row.person_id is not None else None
    return row, acc, prow if prow is not None and prow.account_id == acc.id else None


def destination_of(row: NumberRow, acc: AccountRow, prow: PersonRow | None) -> Destination:
    """The ``Destination`` of rows read by ``number_rows``."""
    person = person_from_row(prow, acc.key) if prow is not None else None
    number = Number(row.e164, acc.key, person.key if person else "", row.raw, row.label)
    return Destination(number, account_from_row(acc), person)


@operator_level
def get_agent(session: Session, agent: str) -> Agent:
    """One agent of the pool by key (an archived agent is not found)."""
    found = next((a for a in list_agents(session, agent) if a.active), None)
    if found is None:
        raise NotFound(says("no agent %(agent)r in the pool", agent=agent), field="agent")
    return found


@operator_level
def list_agents(session: Session, key: str | None = None) -> list[Agent]:
    """The operator's pool (agents belong to the operator, not to an account)."""
    trainings: dict[int, list[tuple[str, int]]] = {}
    query = select(TrainingRow.agent_id, AccountRow.key, TrainingRow.level).join(
        AccountRow, TrainingRow.account_id == AccountRow.id
    )
    rows_query = select(AgentRow).order_by(AgentRow.key)
    if key is not None:
        query = query.join(AgentRow, TrainingRow.agent_id == AgentRow.id).where(AgentRow.key == key)
        rows_query = rows_query.where(AgentRow.key == key)
    for agent_id, account_key, level in session.execute(query):
        trainings.setdefault(agent_id, []).append((account_key, level))
    rows = session.scalars(rows_query)
    return [agent_from_row(r, sorted(trainings.get(r.id, []))) for r in rows]


@dataclass(frozen=True)
class Summary:
    accounts: int
    groups: int
    people: int  # still there
    left: int  # people who have left: kept (archived), not counted in ``people``
    numbers: int
    agents: int


@operator_level
def summary(session: Session) -> Summary:
    """How many of each the directory holds; teams taken down and people who left (both kept)
    are not counted, the people who left are said apart (``left``)."""

    def count(table: type[object], *where: Any) -> int:
        return session.scalar(select(func.count()).select_from(table).where(*where)) or 0

    return Summary(
        accounts=count(AccountRow),
        groups=count(GroupRow, GroupRow.removed_at.is_(None)),
        people=count(PersonRow, PersonRow.active.is_(True)),
        left=count(PersonRow, PersonRow.active.is_(False)),
        numbers=count(NumberRow),
        agents=count(AgentRow),
    )
