"""Searching the directory from the store, with indexes built once and kept while unchanged.

An account's index is rebuilt only when its people or groups change (their count or their
latest update time moves); the cross-account index likewise for the whole directory. The
availability of the people tied at the top comes from the availability service.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accueil.core.search import Availability, Hit, SearchIndex
from accueil.errors import AccueilError
from accueil.services.availability import availability_of
from accueil.services.directory import (
    account_row,
    get_account,
    list_accounts,
    list_groups,
    list_people,
)
from accueil.store.tables import GroupRow, PersonRow

Stamp = tuple[object, ...]


class SearchIndexes:
    """Indexes per account, and one across accounts, rebuilt when the directory changes."""

    def __init__(self) -> None:
        self._accounts: dict[str, tuple[Stamp, SearchIndex]] = {}
        self._all: tuple[Stamp, SearchIndex] | None = None

    def of_account(self, session: Session, account: str) -> SearchIndex:
        acc = account_row(session, account)
        stamp = _stamp(session, acc.id)
        cached = self._accounts.get(account)
        if cached is None or cached[0] != stamp:
            people = list_people(session, account)
            index = SearchIndex.for_account(
                get_account(session, account), people, list_groups(session, account)
            )
            cached = (stamp, index)
            self._accounts[account] = cached
        return cached[1]

    def forget(self) -> None:
        """Drop every index (the stamp has one-second resolution on SQLite)."""
        self._accounts.clear()
        self._all = None

    def across(self, session: Session) -> SearchIndex:
        stamp = _stamp(session, None)
        if self._all is None or self._all[0] != stamp:
            accounts = list_accounts(session)
            people = [p for a in accounts for p in list_people(session, a.key)]
            groups = [g for a in accounts for g in list_groups(session, a.key)]
            self._all = (stamp, SearchIndex.across(accounts, people, groups))
        return self._all[1]


INDEXES = SearchIndexes()


def search(
    session: Session,
    account: str,
    text: str,
    *,
    limit: int = 10,
    now: datetime | None = None,
    indexes: SearchIndexes | None = None,
) -> list[Hit]:
    """The account's people and groups that best match ``text``; available people first."""
    index = (indexes or INDEXES).of_account(session, account)
    return index.search(text, limit=limit, availability=_availability(session, now))


def search_all(
    session: Session,
    text: str,
    *,
    limit: int = 10,
    now: datetime | None = None,
    indexes: SearchIndexes | None = None,
) -> list[Hit]:
    """Across every account: "which client is this?"."""
    index = (indexes or INDEXES).across(session)
    return index.search(text, limit=limit, availability=_availability(session, now))


def _availability(session: Session, now: datetime | None) -> Availability:
    at = now or datetime.now(UTC)

    def available(account: str, person: str) -> bool | None:
        try:
            return availability_of(session, account, person, now=at).available
        except AccueilError:  # a broken calendar or hours must not break a search
            return None

    return available


def _stamp(session: Session, account_id: int | None) -> Stamp:
    people = select(func.count(), func.max(PersonRow.updated_at))
    groups = select(func.count(), func.max(GroupRow.updated_at))
    if account_id is not None:
        people = people.where(PersonRow.account_id == account_id)
        groups = groups.where(GroupRow.account_id == account_id)
    return (*session.execute(people).one(), *session.execute(groups).one())
