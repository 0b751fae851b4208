"""Searching from the store: per-account indexes, rebuilt when the directory changes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, update
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import State
from accueil.core.search import HitKind
from accueil.errors import NotFound
from accueil.services.availability import set_status
from accueil.services.onboarding import load_directory
from accueil.services.search import SearchIndexes, search, search_all
from accueil.store.db import make_engine, migrate, session_factory, transaction
from accueil.store.tables import AccountRow, GroupRow, PersonRow

NOW = datetime(2026, 12, 1, 13, 0, tzinfo=UTC)  # Tuesday, office hours in Paris
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin"},
        {"key": "clinique", "name": "Clinique du Parc"},
    ],
    "groups": [{"account": "martin", "key": "compta", "name": "Comptabilité"}],
    "people": [
        {"account": "martin", "key": "c1", "first_name": "Catherine", "last_name": "Aubert"},
        {"account": "martin", "key": "c2", "first_name": "Catherine", "last_name": "Bonnet"},
        {"account": "martin", "key": "lefevre", "first_name": "Sophie", "last_name": "Lefèvre",
         "group": "compta"},
        {"account": "clinique", "key": "lefebvre", "first_name": "Marc", "last_name": "Lefebvre",
         "title": "Dr"},
    ],
}  # fmt: skip


@pytest.fixture
def directory(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
    return sessions


def test_an_account_search_never_returns_another_accounts_people(
    directory: sessionmaker[Session],
) -> None:
    with directory() as s:
        martin = search(s, "martin", "Lefebvre", now=NOW, indexes=SearchIndexes())
        clinic = search(s, "clinique", "Lefèvre", now=NOW, indexes=SearchIndexes())
    assert {(h.account, h.key) for h in martin} == {("martin", "lefevre")}
    assert {(h.account, h.key) for h in clinic} == {("clinique", "lefebvre")}


def test_people_available_now_come_first_at_equal_score(
    directory: sessionmaker[Session],
) -> None:
    indexes = SearchIndexes()
    with directory() as s:
        before = [h.key for h in search(s, "martin", "Catherine", now=NOW, indexes=indexes)]
    with transaction(directory) as s:
        set_status(s, "martin", "c1", State.MEETING, now=NOW)
    with directory() as s:
        hits = search(s, "martin", "Catherine", now=NOW, indexes=indexes)
    assert before == ["c1", "c2"]
    assert [(h.key, h.available) for h in hits] == [("c2", True), ("c1", False)]


def test_the_index_is_rebuilt_when_someone_joins(directory: sessionmaker[Session]) -> None:
    indexes = SearchIndexes()
    with directory() as s:
        assert search(s, "martin", "Nguyen", now=NOW, indexes=indexes) == []
    newcomer = {
        "accounts": DIRECTORY["accounts"][:1],
        "people": [{"account": "martin", "key": "nguyen", "first_name": "Anh",
                    "last_name": "Nguyen"}],
    }  # fmt: skip
    with transaction(directory) as s:
        load_directory(s, newcomer, source="newcomer", now=NOW)
    with directory() as s:
        assert [h.key for h in search(s, "martin", "Nguyen", now=NOW, indexes=indexes)] == [
            "nguyen"
        ]


def test_which_client_is_this_searches_every_account(directory: sessionmaker[Session]) -> None:
    with directory() as s:
        hits = search_all(s, "docteur lefeuvre", now=NOW, indexes=SearchIndexes())
        accounts = search_all(s, "clinique du parc", now=NOW, indexes=SearchIndexes())
    assert (hits[0].account, hits[0].key) == ("clinique", "lefebvre")  # the title breaks the tie
    assert (accounts[0].kind, accounts[0].account) == (HitKind.ACCOUNT, "clinique")


def test_a_rename_is_seen_by_the_next_search(
    directory: sessionmaker[Session],
) -> None:
    # SQLite stamps rows to the second: an index built in the second of the latest change is
    # not kept, so a rename later in that second is not missed.
    indexes = SearchIndexes()
    with directory() as s:
        assert [h.key for h in search(s, "martin", "Aubert", now=NOW, indexes=indexes)] == ["c1"]
    renamed = {
        "accounts": DIRECTORY["accounts"][:1],
        "people": [{"account": "martin", "key": "c1", "first_name": "Catherine",
                    "last_name": "Nguyen"}],
    }  # fmt: skip
    with transaction(directory) as s:
        load_directory(s, renamed, source="rename", now=NOW)
    with directory() as s:
        assert [h.key for h in search(s, "martin", "Nguyen", now=NOW, indexes=indexes)] == ["c1"]
        assert search(s, "martin", "Aubert", now=NOW, indexes=indexes) == []


def test_two_databases_in_one_process_never_share_an_index(tmp_path: Path) -> None:
    indexes = SearchIndexes()
    found = []
    for name, last in (("one", "Aubert"), ("two", "Bonnet")):
        engine = make_engine(f"sqlite:///{tmp_path / name}.db")
        migrate(engine)
        people = [{"account": "martin", "key": "c1", "first_name": "Anne", "last_name": last}]
        with transaction(session_factory(engine)) as s:
            load_directory(s, {"accounts": DIRECTORY["accounts"][:1], "people": people}, now=NOW)
        with session_factory(engine)() as s:
            found.append([h.label for h in search(s, "martin", "Anne", now=NOW, indexes=indexes)])
        engine.dispose()
    assert found == [["Anne Aubert"], ["Anne Bonnet"]]


def test_which_client_is_this_sees_an_account_renamed(directory: sessionmaker[Session]) -> None:
    with transaction(directory) as s:  # written long ago: the index is settled once built
        for table in (AccountRow, GroupRow, PersonRow):
            s.execute(update(table).values(updated_at=datetime(2026, 1, 5, tzinfo=UTC)))
    indexes = SearchIndexes()
    with directory() as s:
        assert search_all(s, "Horizon", now=NOW, indexes=indexes) == []
    renamed = {"accounts": [{**DIRECTORY["accounts"][1], "name": "Clinique Horizon"}]}
    with transaction(directory) as s:
        load_directory(s, renamed, source="rename", now=NOW)
    with directory() as s:
        hits = search_all(s, "Horizon", now=NOW, indexes=indexes)
    assert [(h.kind, h.account) for h in hits[:1]] == [(HitKind.ACCOUNT, "clinique")]


def _statements(sessions: sessionmaker[Session], run: Callable[[Session], object]) -> list[str]:
    seen: list[str] = []
    with sessions() as s:
        engine = s.get_bind()

        def listen(*args: object) -> None:
            seen.append(str(args[2]))

        event.listen(engine, "before_cursor_execute", listen)
        try:
            run(s)
        finally:
            event.remove(engine, "before_cursor_execute", listen)
    return seen


def test_a_kept_index_costs_one_row_read_and_availability_one_batch(
    directory: sessionmaker[Session],
) -> None:
    indexes = SearchIndexes()
    with directory() as s:
        search(s, "martin", "Catherine", now=NOW, indexes=indexes)  # builds the index
    few = _statements(directory, lambda s: search(s, "martin", "Cat", now=NOW, indexes=indexes))
    many = _statements(
        directory, lambda s: search(s, "martin", "Catherine Sophie", now=NOW, indexes=indexes)
    )
    # the version (one row by key), then the people shown with their status and calendar, then
    # the account's closures: the same three statements whether 1 or 3 people are shown
    assert len(few) == len(many) == 3
    assert "directory_version" in few[0] and "people" not in few[0]


def test_an_index_is_kept_until_its_own_account_changes(
    directory: sessionmaker[Session],
) -> None:
    indexes = SearchIndexes()
    with directory() as s:
        martin, everyone = indexes.of_account(s, "martin"), indexes.across(s)
        assert indexes.of_account(s, "martin") is martin and indexes.across(s) is everyone
    anne = {"account": "clinique", "key": "new", "first_name": "Anne", "last_name": "Roy"}
    other = {"accounts": DIRECTORY["accounts"][1:], "people": [anne]}
    with transaction(directory) as s:
        load_directory(s, other, source="clinic", now=NOW)
    with directory() as s:
        assert indexes.of_account(s, "martin") is martin  # another account's change
        assert indexes.across(s) is not everyone
        assert [h.key for h in search_all(s, "Anne Roy", now=NOW, indexes=indexes)][:1] == ["new"]


def test_an_import_that_changes_nothing_keeps_the_index(directory: sessionmaker[Session]) -> None:
    indexes = SearchIndexes()
    with directory() as s:
        martin = indexes.of_account(s, "martin")
    with transaction(directory) as s:
        load_directory(s, DIRECTORY, source="again", now=NOW)
    with directory() as s:
        assert indexes.of_account(s, "martin") is martin


def test_searching_an_unknown_account_says_so(directory: sessionmaker[Session]) -> None:
    with directory() as s, pytest.raises(NotFound, match="no account 'nobody'"):
        search(s, "nobody", "Catherine", now=NOW, indexes=SearchIndexes())
