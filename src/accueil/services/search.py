"""Searching the directory from the store, with indexes built once and kept while unchanged.

An account's index is rebuilt only when its people or groups change (their count or their
latest update time moves); the cross-account index likewise for the whole directory. An index
built in the same clock second as the latest change is not kept: SQLite stamps rows to the
second, so a rename later in that second would not move the stamp. Indexes are kept per
database, so two databases in one process never share one. The availability of the people
tied at the top comes from the availability service.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
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
from accueil.store.tables import AccountRow, GroupRow, PersonRow

Stamp = tuple[object, ...]


@dataclass(frozen=True)
class _Kept:
    stamp: Stamp
    settled: bool  # built after the second of the latest change: the stamp will see the next
    index: SearchIndex


class SearchIndexes:
    """Indexes per account, and one across accounts, rebuilt when the directory changes."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str | None], _Kept] = {}

    def of_account(self, session: Session, account: str) -> SearchIndex:
        acc = account_row(session, account)

        def build() -> SearchIndex:
            people, groups = list_people(session, account), list_groups(session, account)
            return SearchIndex.for_account(get_account(session, account), people, groups)

        return self._index(session, account, acc.id, build)

    def across(self, session: Session) -> SearchIndex:
        def build() -> SearchIndex:
            accounts = list_accounts(session)
            people = [p for a in accounts for p in list_people(session, a.key)]
            groups = [g for a in accounts for g in list_groups(session, a.key)]
            return SearchIndex.across(accounts, people, groups)

        return self._index(session, None, None, build)

    def forget(self) -> None:
        """Drop every index."""
        self._kept.clear()

    def _index(
        self,
        session: Session,
        account: str | None,
        account_id: int | None,
        build: Callable[[], SearchIndex],
    ) -> SearchIndex:
        key = (str(session.connection().engine.url), account)
        stamp, settled = _stamp(session, account_id)
        kept = self._kept.get(key)
        if kept is None or kept.stamp != stamp or not kept.settled:
            kept = _Kept(stamp, settled, build())
            self._kept[key] = kept
        return kept.index


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


def _stamp(session: Session, account_id: int | None) -> tuple[Stamp, bool]:
    """The directory's (count, latest update) of people and groups (and of accounts, whose
    names the cross-account index holds), and whether the database's clock is already past the
    second of the latest update."""
    people = select(func.count(), func.max(PersonRow.updated_at), func.now())
    groups = select(func.count(), func.max(GroupRow.updated_at))
    accounts = select(func.count(), func.max(AccountRow.updated_at))
    if account_id is not None:
        people = people.where(PersonRow.account_id == account_id)
        groups = groups.where(GroupRow.account_id == account_id)
    n_people, people_at, db_now = session.execute(people).one()
    stamp: Stamp = (n_people, people_at, *session.execute(groups).one())
    if account_id is None:
        stamp = (*stamp, *session.execute(accounts).one())
    changed = [_utc(t) for t in stamp[1::2] if isinstance(t, datetime)]
    now = _utc(db_now)
    settled = not changed or now.replace(microsecond=0) > max(changed).replace(microsecond=0)
    return stamp, settled


def _utc(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
