"""On-call rotas are versioned (SQLite and PostgreSQL): each save is a new version, the earlier
ones kept and readable; decisions read the version in force; a save from a stale version is
refused with nothing written. A rota named by a script step or by an escalation chain is not
taken down (409 naming each place); another account reads none of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker

from accueil.errors import Conflict, NotFound, ValidationFailed
from accueil.services.delivery_preferences import set_preferences
from accueil.services.directory import account_row
from accueil.services.onboarding import load_directory
from accueil.services.rotas import (
    remove_rota,
    removed_rotas,
    rota_record,
    rota_version,
    rota_versions,
    rotas_of,
    set_rota,
)
from accueil.services.scripts import Owner, save_script
from accueil.store.db import transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=1)
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "people": [{"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "M"}],
}
FIRST = {"key": "nuit", "name": "Nuit", "shifts": [{"contacts": ["06 12 34 56 78"]}]}
SECOND = {"key": "nuit", "name": "Nuits", "shifts": [{"contacts": ["06 11 22 33 44"]}]}
SCRIPT = """name: astreinte
greetings: {fr: {office_hours: Bonjour}}
steps:
  - id: garde
    action: dispatch_on_call
    rota: nuit
"""


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        set_rota(s, "martin", FIRST, now=NOW, saved_by="ana")
    return sessions


def test_each_save_is_a_new_version_and_the_earlier_ones_are_kept(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        set_rota(s, "martin", SECOND, now=LATER, saved_by="ben", expected_version=1)
    with transaction(seeded) as s:
        current = rota_record(s, "martin", "nuit")
        history = rota_versions(s, "martin", "nuit")
        kept = rota_version(s, "martin", "nuit", 1)
        in_force = rotas_of(s, account_row(s, "martin").id)["nuit"]
    assert (current.version, current.saved_by, current.saved_at) == (2, "ben", LATER)
    assert [v.version for v in history] == [2, 1]
    assert (kept.rota.name, kept.saved_by, kept.saved_at) == ("Nuit", "ana", NOW)
    assert kept.rota.shifts[0].contacts == ["+33612345678"]
    assert in_force.shifts[0].contacts == ["+33611223344"]  # decisions read the one in force


def test_a_save_from_a_stale_version_changes_nothing(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        set_rota(s, "martin", SECOND, now=LATER)
    with pytest.raises(Conflict) as stale, transaction(seeded) as s:
        set_rota(s, "martin", FIRST, now=LATER, expected_version=1)
    assert "at version 2, not 1" in str(stale.value)
    with transaction(seeded) as s:
        assert [v.version for v in rota_versions(s, "martin", "nuit")] == [2, 1]
        with pytest.raises(NotFound, match="no version 3"):
            rota_version(s, "martin", "nuit", 3)


def test_a_rota_a_script_step_names_is_not_taken_down(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        save_script(s, "martin", Owner("account"), SCRIPT, now=NOW)
    with pytest.raises(Conflict) as used, transaction(seeded) as s:
        remove_rota(s, "martin", "nuit", by="lea", now=LATER)
    assert used.value.details["uses"] == [
        "the account's script (version 1), step 'garde' (steps[0].rota)"
    ]
    with transaction(seeded) as s:
        assert rota_record(s, "martin", "nuit").removed_at is None


def test_a_rota_an_escalation_chain_names_is_not_taken_down(
    seeded: sessionmaker[Session],
) -> None:
    urgent = {"channels": ["sms"], "escalate_after_minutes": 5}
    with transaction(seeded) as s:
        set_preferences(s, "martin", "", {"urgent": {**urgent, "escalate_to": ["person:claire"]}},
                        now=NOW)  # fmt: skip
        set_preferences(s, "martin", "claire", {"urgent": {**urgent, "escalate_to": ["rota:nuit"]}},
                        now=NOW)  # fmt: skip
    with pytest.raises(Conflict) as used, transaction(seeded) as s:
        remove_rota(s, "martin", "nuit", by="lea", now=LATER)
    assert used.value.details["uses"] == [
        "delivery preferences of person 'claire' (urgent.escalate_to[0])"
    ]
    with transaction(seeded) as s:
        set_preferences(s, "martin", "claire", {"urgent": urgent}, now=NOW)
        gone = remove_rota(s, "martin", "nuit", by="lea", now=LATER)
    assert (gone.removed_by, gone.version) == ("lea", 1)
    with pytest.raises(ValidationFailed) as named, transaction(seeded) as s:  # no more
        set_preferences(s, "martin", "", {"urgent": {**urgent, "escalate_to": ["rota:nuit"]}},
                        now=LATER)  # fmt: skip
    assert [p.field for p in named.value.problems] == ["urgent.escalate_to[0]"]
    with transaction(seeded) as s:
        assert [r.rota.key for r in removed_rotas(s, "martin")] == ["nuit"]
        assert removed_rotas(s, "durand") == []


def test_another_account_reads_no_version(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        for read in (
            lambda: rota_versions(s, "durand", "nuit"),
            lambda: rota_version(s, "durand", "nuit", 1),
            lambda: rota_record(s, "durand", "nuit"),
        ):
            with pytest.raises(NotFound):
                read()
