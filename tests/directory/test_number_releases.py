"""Numbers released, kept (SQLite and PostgreSQL): a release keeps what the number led to, who
and when, and frees the number (a call to it is one to a number nobody has; it can be given
again, and each release stays). An import with --prune keeps each number it drops the same way,
all or nothing. Another account releases nothing and reads none of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.errors import NotFound, ValidationFailed
from accueil.services import directory
from accueil.services.directory_edits import add_number
from accueil.services.numbers import release_number, released_numbers
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction
from accueil.store.tables import NumberReleaseRow

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DIRECT = "+33140000001"
SWITCHBOARD = "+33140000000"


def _directory() -> dict[str, Any]:
    return {
        "accounts": [
            {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
            {"key": "durand", "name": "Durand SA", "country": "FR"},
        ],
        "people": [
            {"account": "martin", "key": "claire", "first_name": "Claire"},
            {"account": "martin", "key": "paul", "first_name": "Paul"},
            {"account": "durand", "key": "zoe", "first_name": "Zoé"},
        ],
        "numbers": [
            {"number": "01 40 00 00 00", "account": "martin", "label": "standard"},
            {"number": "01 40 00 00 01", "account": "martin", "person": "claire"},
            {"number": "01 50 00 00 00", "account": "durand"},
        ],
    }


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, _directory(), source="test", now=NOW)
    return sessions


def _numbers(s: Session, account: str = "martin") -> list[str]:
    return [n.e164 for n in directory.list_numbers(s, account)]


def _kept(s: Session, account: str = "martin") -> list[tuple[str, str, str, str]]:
    return [(r.e164, r.person, r.label, r.removed_by) for r in released_numbers(s, account)]


def test_a_released_number_is_kept_with_what_it_led_to_and_calls_to_it_lead_nowhere(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        gone = release_number(s, "martin", DIRECT, by="ana", now=LATER)
    assert (gone.e164, gone.person, gone.removed_at, gone.removed_by) == (
        DIRECT,
        "claire",
        LATER,
        "ana",
    )
    with transaction(seeded) as s:
        assert _numbers(s) == [SWITCHBOARD]
        assert _kept(s) == [(DIRECT, "claire", "", "ana")]
        with pytest.raises(NotFound):  # as for a number nobody ever had
            directory.resolve_number(s, DIRECT)
        again = release_number(s, "martin", DIRECT, by="bob", now=LATER + timedelta(hours=1))
        assert again == gone  # releasing it again answers the release, changing nothing
        assert len(released_numbers(s, "martin")) == 1


def test_a_released_number_is_given_again_and_each_release_stays(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        release_number(s, "martin", DIRECT, by="ana", now=LATER)
    with transaction(seeded) as s:
        add_number(s, "martin", "01 40 00 00 01", "paul", "ligne directe", now=LATER)
        assert directory.resolve_number(s, DIRECT).person is not None
    with transaction(seeded) as s:
        release_number(s, "martin", DIRECT, by="bob", now=LATER + timedelta(days=1))
    with transaction(seeded) as s:  # then to another account: the releases stay martin's
        add_number(s, "durand", "01 40 00 00 01", "zoe", "", now=LATER + timedelta(days=2))
        assert _kept(s) == [
            (DIRECT, "claire", "", "ana"),
            (DIRECT, "paul", "ligne directe", "bob"),
        ]
        assert [n.e164 for n in released_numbers(s, "martin", DIRECT)] == [DIRECT, DIRECT]
        assert _kept(s, "durand") == []
        assert directory.resolve_number(s, DIRECT).account.key == "durand"


def test_another_account_releases_nothing_and_reads_no_release(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        release_number(s, "martin", SWITCHBOARD, by="ana", now=LATER)
    with pytest.raises(NotFound), transaction(seeded) as s:
        release_number(s, "durand", DIRECT, by="mallory", now=LATER)
    with pytest.raises(NotFound), transaction(seeded) as s:  # nor answers martin's release
        release_number(s, "durand", SWITCHBOARD, by="mallory", now=LATER)
    with transaction(seeded) as s:
        assert _numbers(s) == [DIRECT]
        assert _kept(s, "durand") == [] and released_numbers(s, "durand", SWITCHBOARD) == []


def test_an_import_with_prune_keeps_the_numbers_it_releases(
    seeded: sessionmaker[Session],
) -> None:
    data = _directory()
    data["numbers"] = [{"number": "01 50 00 00 00", "account": "durand"}]  # martin's left out
    with transaction(seeded) as s:
        report = load_directory(s, data, source="annuaire.yaml", prune=True, now=LATER)
    assert "numbers: 2 released" in report.lines()
    with transaction(seeded) as s:
        assert _numbers(s) == [] and _numbers(s, "durand") == ["+33150000000"]
        assert _kept(s) == [
            (SWITCHBOARD, "", "standard", "import annuaire.yaml"),
            (DIRECT, "claire", "", "import annuaire.yaml"),
        ]
        assert {r.removed_at for r in released_numbers(s, "martin")} == {LATER}
        assert _kept(s, "durand") == []
    with transaction(seeded) as s:  # given back to martin by a later import: the history stays
        load_directory(s, _directory(), source="test", now=LATER + timedelta(days=1))
        assert _numbers(s) == [SWITCHBOARD, DIRECT]
        assert len(released_numbers(s, "martin")) == 2


def test_an_import_refused_releases_and_keeps_nothing(seeded: sessionmaker[Session]) -> None:
    data = _directory()
    data["numbers"] = [{"number": "01 50 00 00 00", "account": "durand", "person": "nobody"}]
    with pytest.raises(ValidationFailed), transaction(seeded) as s:
        load_directory(s, data, source="annuaire.yaml", prune=True, now=LATER)
    with transaction(seeded) as s:
        assert _numbers(s) == [SWITCHBOARD, DIRECT]
        assert s.scalar(select(func.count()).select_from(NumberReleaseRow)) == 0
