"""A caller list or an on-call rota taken down is put back as it was (SQLite and PostgreSQL):
saved again by who puts it back, as its next version, every version kept; one in use is
answered unchanged; another account puts nothing back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accueil.errors import NotFound
from accueil.services.caller_lists import (
    caller_list_versions,
    remove_caller_list,
    restore_caller_list,
    save_caller_list,
)
from accueil.services.onboarding import load_directory
from accueil.services.rotas import get_rota, remove_rota, restore_rota, rota_versions, set_rota
from accueil.store.db import transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ]
}
NIGHT = {"key": "nuit", "name": "Nuit", "shifts": [{"contacts": ["06 12 34 56 78"]}]}


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        set_rota(s, "martin", NIGHT, now=NOW, saved_by="lea")
        entries = [("06 11 11 11 11", "Maître Roy")]
        save_caller_list(s, "martin", "vip", entries, now=NOW, name="VIP", saved_by="lea")
    with transaction(sessions) as s:
        remove_rota(s, "martin", "nuit", by="lea", now=NOW)
        remove_caller_list(s, "martin", "vip", by="lea", now=NOW)
    return sessions


def test_a_rota_and_a_list_are_put_back_as_their_next_version(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        rota = restore_rota(s, "martin", "nuit", by="ana", now=LATER)
        listed = restore_caller_list(s, "martin", "vip", by="ana", now=LATER)
    assert (rota.removed_at, rota.version, rota.saved_by) == (None, 2, "ana")
    assert (listed.removed_at, listed.version, listed.saved_by, listed.name) == (
        None,
        2,
        "ana",
        "VIP",
    )
    assert [(e.pattern, e.label) for e in listed.entries] == [("+33611111111", "Maître Roy")]
    with transaction(seeded) as s:
        assert get_rota(s, "martin", "nuit").shifts[0].contacts == ["+33612345678"]
        assert [v.saved_by for v in rota_versions(s, "martin", "nuit")] == ["ana", "lea"]
        assert len(caller_list_versions(s, "martin", "vip")) == 2
        again = restore_rota(s, "martin", "nuit", by="bob", now=LATER)  # in use: unchanged
        assert (again.version, again.saved_by) == (2, "ana")
        assert restore_caller_list(s, "martin", "vip", by="bob", now=LATER).version == 2


def test_another_account_puts_nothing_back(seeded: sessionmaker[Session]) -> None:
    for restore in (restore_rota, restore_caller_list):
        with pytest.raises(NotFound), transaction(seeded) as s:
            restore(s, "durand", "nuit" if restore is restore_rota else "vip", by="x", now=LATER)
    with transaction(seeded) as s:
        assert remove_rota(s, "martin", "nuit", by="x", now=LATER).removed_by == "lea"


def test_a_long_user_name_puts_a_list_back_as_it_does_a_rota(
    seeded: sessionmaker[Session],
) -> None:
    long = "operator-" + "x" * 150  # past the 100 a version keeps: cut, as take-downs cut it
    with transaction(seeded) as s:
        listed = restore_caller_list(s, "martin", "vip", by=long, now=LATER)
        rota = restore_rota(s, "martin", "nuit", by=long, now=LATER)
    assert listed.saved_by == rota.saved_by == long[:100]
