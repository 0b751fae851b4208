"""Searching the directory from the store, with indexes built once and kept while unchanged.

An index is kept with the directory version it was built at (``directory_version``): each
search reads that one counter — one row by key — and rebuilds only when a directory write has
bumped it, so a search costs the same in 50 people or 100,000. Indexes are kept per database, so
two databases in one process never share one. Availability is read for the rows shown only,
in one batch (``available_now``), at the ``now`` the caller gives: the service reads no clock.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from accueil.core.directory import Account
from accueil.core.search import Availability, Hit, SearchIndex
from accueil.services.availability import available_now, people_available
from accueil.services.caching import SEARCH, cache_of
from accueil.services.directory import get_account, list_accounts, list_groups, list_people
from accueil.services.directory_version import account_version, directory_version
from accueil.services.tenancy import on_scoped_input, operator_level


@dataclass(frozen=True)
class _Kept:
    version: int
    index: SearchIndex
    account: Account | None  # the account as of that version (its hours, zone): None across


class SearchIndexes:
    """Indexes per account, and one across accounts, rebuilt when the directory changes."""

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str | None], _Kept] = {}
        self._lock = threading.Lock()  # the API serves searches from several threads

    def of_account(self, session: Session, account: str) -> SearchIndex:
        return self._of_account(session, account).index

    def _of_account(self, session: Session, account: str) -> _Kept:
        _, version = account_version(session, account)

        def build() -> _Kept:
            found = get_account(session, account)
            people, groups = list_people(session, account), list_groups(session, account)
            return _Kept(version, SearchIndex.for_account(found, people, groups), found)

        return self._kept_or(session, account, version, build)

    def across(self, session: Session) -> SearchIndex:
        version = directory_version(session)

        def build() -> _Kept:
            accounts = list_accounts(session)
            people = [p for a in accounts for p in list_people(session, a.key)]
            groups = [g for a in accounts for g in list_groups(session, a.key)]
            return _Kept(version, SearchIndex.across(accounts, people, groups), None)

        return self._kept_or(session, None, version, build).index

    def forget(self, account: str | None = None) -> None:
        """Drop the index of ``account`` and the cross-account one (``None``: every index).

        The application calls this when the outbox tells of a directory change (see
        ``unit_of_work.Caches``); call it yourself after writing the directory another way.
        """
        with self._lock:
            if account is None:
                self._kept.clear()
                return
            for key in [k for k in self._kept if k[1] in (account, None)]:
                del self._kept[key]

    def _kept_or(
        self, session: Session, account: str | None, version: int, build: Callable[[], _Kept]
    ) -> _Kept:
        # The version was read before the rows: a write committed in between leaves an index
        # newer than its version, which the next search rebuilds — never an older one kept.
        key = (str(session.get_bind().engine.url), account)
        kept = self._kept.get(key)
        if kept is None or kept.version != version:
            kept = build()
            with self._lock:
                self._kept[key] = kept
        return kept


@on_scoped_input
def indexes_of(session: Session) -> SearchIndexes:
    """The search indexes of the application that opened ``session``."""
    return cache_of(session, SEARCH, SearchIndexes)


def search(
    session: Session,
    account: str,
    text: str,
    *,
    now: datetime,
    limit: int = 10,
    indexes: SearchIndexes | None = None,
) -> list[Hit]:
    """The account's people and groups that best match ``text``; available people first."""
    kept = (indexes or indexes_of(session))._of_account(session, account)
    known = {account: kept.account} if kept.account is not None else {}
    return kept.index.search(text, limit=limit, availability=_availability(session, now, known))


@operator_level
def search_all(
    session: Session,
    text: str,
    *,
    now: datetime,
    limit: int = 10,
    indexes: SearchIndexes | None = None,
) -> list[Hit]:
    """Across every account: "which client is this?"."""
    index = (indexes or indexes_of(session)).across(session)
    return index.search(text, limit=limit, availability=_availability(session, now))


def _availability(
    session: Session, now: datetime, known: Mapping[str, Account] | None = None
) -> Availability:
    """Availability of the rows shown, one batch per account; ``known``: accounts already held
    (with the index), not read again."""

    def available(people: Sequence[tuple[str, str]]) -> Mapping[tuple[str, str], bool | None]:
        by_account: dict[str, list[str]] = {}
        for account, person in people:
            by_account.setdefault(account, []).append(person)
        found: dict[tuple[str, str], bool | None] = {}
        for account, keys in by_account.items():
            held = (known or {}).get(account)
            states = (
                people_available(session, held, keys, now)
                if held is not None
                else available_now(session, account, keys, now=now)
            )
            found.update(((account, person), state) for person, state in states.items())
        return found

    return available
