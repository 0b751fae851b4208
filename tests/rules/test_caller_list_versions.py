"""Caller lists are versioned (SQLite and PostgreSQL): each save is a new version, the earlier
ones kept and readable; decisions match the version in force; a save from a stale version is
refused with nothing written; another account reads none of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from accueil.errors import Conflict, NotFound, ValidationFailed
from accueil.services.caller_lists import (
    caller_list_version,
    caller_list_versions,
    get_caller_list,
    lists_of,
    save_caller_list,
)
from accueil.services.directory import account_row
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction
from accueil.store.tables_availability import CallerListVersionRow
from statements import sent

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
}


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
    return sessions


def test_each_save_is_a_new_version_and_the_earlier_ones_are_kept(
    seeded: sessionmaker[Session],
) -> None:
    later = NOW + timedelta(hours=1)
    with transaction(seeded) as s:
        first = save_caller_list(
            s, "martin", "VIP", [("06 98 76 54 32", "Mme Roux")], now=NOW, saved_by="ana"
        )
        second = save_caller_list(s, "martin", "VIP", ["+44 20*"], now=later, saved_by="ben")
    assert (first.version, second.version) == (1, 2)
    with transaction(seeded) as s:
        current = get_caller_list(s, "martin", "VIP")
        history = caller_list_versions(s, "martin", "VIP")
        kept = caller_list_version(s, "martin", "VIP", 1)
        matched = lists_of(s, account_row(s, "martin").id)["VIP"]
    assert (current.version, current.saved_by, current.saved_at) == (2, "ben", later)
    assert [v.version for v in history] == [2, 1]
    assert [e.pattern for e in kept.entries] == ["+33698765432"]
    assert (kept.saved_by, kept.saved_at, kept.entries[0].label) == ("ana", NOW, "Mme Roux")
    assert matched.match("+33698765432") is None  # decisions read the version in force
    assert matched.match("+442079460958") is not None


def test_a_save_from_a_stale_version_or_with_a_bad_entry_writes_nothing(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        save_caller_list(s, "martin", "VIP", ["06 98 76 54 32"], now=NOW)
        save_caller_list(s, "martin", "VIP", ["06 11 22 33 44"], now=NOW, expected_version=1)
    with pytest.raises(Conflict) as stale, transaction(seeded) as s:
        save_caller_list(s, "martin", "VIP", [], now=NOW, expected_version=1)
    assert stale.value.details["field"] == "version" and "version 2, not 1" in str(stale.value)
    with pytest.raises(ValidationFailed) as bad, transaction(seeded) as s:
        save_caller_list(s, "martin", "VIP", ["06 11 22 33 44", "12"], now=NOW)
    assert [p.field for p in bad.value.problems] == ["entries[1]"]
    with transaction(seeded) as s:
        assert [v.version for v in caller_list_versions(s, "martin", "VIP")] == [2, 1]


def test_another_account_reads_no_version_of_the_list(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        save_caller_list(s, "martin", "VIP", ["06 98 76 54 32"], now=NOW)
    with transaction(seeded) as s:
        for read in (
            lambda: get_caller_list(s, "durand", "VIP"),
            lambda: caller_list_versions(s, "durand", "VIP"),
            lambda: caller_list_version(s, "durand", "VIP", 1),
        ):
            with pytest.raises(NotFound):
                read()
        assert lists_of(s, account_row(s, "durand").id) == {}
    with pytest.raises(NotFound), transaction(seeded) as s:
        caller_list_version(s, "martin", "VIP", 2)


def test_one_version_is_read_alone_not_picked_from_all_of_them(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        for i in range(20):
            save_caller_list(s, "martin", "VIP", [f"06 98 76 54 {i:02}"], now=NOW)
    loaded: list[int] = []

    def load(row: CallerListVersionRow, *_: object) -> None:
        loaded.append(row.version)

    event.listen(CallerListVersionRow, "load", load)
    try:
        with seeded() as s, sent(s.get_bind()) as seen:
            kept = caller_list_version(s, "martin", "VIP", 7)
    finally:
        event.remove(CallerListVersionRow, "load", load)
    assert [e.pattern for e in kept.entries] == ["+33698765406"]
    # the account, the list, its version 7 (the database picks it: before, all 20 were read)
    assert (len(seen), loaded) == (3, [7])
