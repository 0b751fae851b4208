"""Teams taken down and put back, numbers released, at the command line (``accueil team``,
``accueil number``) on SQLite and PostgreSQL: each kept with who (``--as``) and when, audited;
refused with the places while a team is in use; a wrong account, team or number is named and
changes nothing; another account's team or number is not reachable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from accueil.services.onboarding import load_directory
from accueil.services.rules import save_rules
from accueil.settings import get_settings
from accueil.store.db import session_factory, transaction
from accueil.store.tables import GroupRow, NumberReleaseRow, NumberRow, PersonRow
from accueil.store.tables_audit import AuditRow
from cli_support import NOW, run_cli
from statements import sent

DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "groups": [
        {"account": "martin", "key": "compta", "name": "Comptabilité"},
        {"account": "martin", "key": "accueil", "name": "Accueil"},
        {"account": "durand", "key": "ventes", "name": "Ventes"},
    ],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "group": "compta"},
        {"account": "martin", "key": "paul", "first_name": "Paul", "group": "compta"},
        {"account": "martin", "key": "lea", "first_name": "Léa", "group": "accueil"},
        {"account": "durand", "key": "marc", "first_name": "Marc", "group": "ventes"},
    ],
    "numbers": [
        {"number": "01 40 00 00 01", "account": "martin", "person": "claire", "label": "direct"},
        {"number": "01 40 00 00 09", "account": "martin"},
        {"number": "01 50 00 00 01", "account": "durand", "person": "marc"},
    ],
}
ACCUEIL_RULES = {
    "account": "martin",
    "group": "accueil",
    "rules": [{"name": "to the pool", "then": {"type": "message"}}],
}


def _in_use(s: Session) -> None:
    save_rules(s, "martin", ACCUEIL_RULES, now=NOW)


@pytest.fixture
def database(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The directory on SQLite and on PostgreSQL (its own schema), the command pointed at it."""
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", db_url)
    get_settings.cache_clear()
    with transaction(session_factory(engine)) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        _in_use(s)
    yield db_url
    get_settings.cache_clear()


def _state(engine: Engine) -> tuple[object, ...]:
    """What the commands may change: the teams, who is in which, the numbers, the releases."""
    with session_factory(engine)() as s:
        return (
            sorted(
                (g.key, g.removed_by, tuple(g.members or ())) for g in s.scalars(select(GroupRow))
            ),
            sorted((p.key, p.group_key) for p in s.scalars(select(PersonRow))),
            sorted(s.scalars(select(NumberRow.e164))),
            s.scalar(select(func.count()).select_from(NumberReleaseRow)),
            s.scalar(select(func.count()).select_from(AuditRow)),
        )


def test_a_team_taken_down_listed_then_put_back_with_its_people(
    database: str, engine: Engine
) -> None:
    listed = run_cli("team", "list", "martin")
    assert "compta" in listed and "Comptabilité" in listed and "claire, paul" in listed
    assert "ventes" not in listed  # another account's team
    assert "martin has no team taken down" in run_cli("team", "list", "martin", "--removed")

    out = run_cli("--as", "ana", "team", "remove", "martin", "compta")
    assert "martin: team 'compta' taken down (claire, paul)" in out
    assert "compta" not in run_cli("team", "list", "martin")
    removed = run_cli("team", "list", "martin", "--removed")
    assert "compta" in removed and "claire, paul" in removed and "ana" in removed
    with session_factory(engine)() as s:
        row = s.scalars(select(GroupRow).where(GroupRow.key == "compta")).one()
        assert row.removed_by == "ana" and row.removed_at is not None
        claire = select(PersonRow.group_key).where(PersonRow.key == "claire")
        assert s.scalars(claire).one() == ""  # out of the team, kept in its members
        audit = s.scalars(select(AuditRow).where(AuditRow.operation == "cli team remove")).one()
        assert (audit.user, audit.account, audit.client) == ("ana", "martin", "cli")
        assert audit.target == "team remove martin compta"  # the team, not only the account

    out = run_cli("--as", "ana", "team", "restore", "martin", "compta")
    assert "martin: team 'compta' in use (claire, paul)" in out
    assert "martin has no team taken down" in run_cli("team", "list", "martin", "--removed")
    with session_factory(engine)() as s:
        assert (
            s.scalars(select(PersonRow.group_key).where(PersonRow.key == "paul")).one() == "compta"
        )
        ops = [a.operation for a in s.scalars(select(AuditRow).where(AuditRow.client == "cli"))]
    assert ops == ["cli team remove", "cli team restore"]  # the lists wrote nothing


def test_a_team_in_use_is_refused_with_its_places_and_changes_nothing(
    database: str, engine: Engine
) -> None:
    before = _state(engine)
    out = run_cli("team", "remove", "martin", "accueil", code=1)
    assert "team 'accueil' is still in use" in out and "rules" in out
    assert _state(engine) == before


def test_a_wrong_account_team_or_number_is_named_and_changes_nothing(
    database: str, engine: Engine
) -> None:
    before = _state(engine)
    assert "no account 'nobody'" in run_cli("team", "remove", "nobody", "compta", code=1)
    assert "no account 'nobody'" in run_cli("team", "list", "nobody", code=1)
    assert "no group 'compta2' in account 'martin'" in run_cli(
        "team", "restore", "martin", "compta2", code=1
    )
    # another account's team and number are not reachable from martin
    assert "no group 'ventes' in account 'martin'" in run_cli(
        "team", "remove", "martin", "ventes", code=1
    )
    assert "no number +33150000001 in account 'martin'" in run_cli(
        "number", "release", "martin", "01 50 00 00 01", code=1
    )
    assert "no account 'nobody'" in run_cli("number", "released", "nobody", code=1)
    assert "'0140' is not a valid number" in run_cli("number", "release", "martin", "0140", code=1)
    assert _state(engine) == before


def test_a_number_released_is_kept_and_listed(database: str, engine: Engine) -> None:
    assert "martin has released no number" in run_cli("number", "released", "martin")
    out = run_cli("--as", "ana", "number", "release", "martin", "01 40 00 00 01")
    assert "martin: +33140000001 released (led to claire)" in out
    again = run_cli("--as", "max", "number", "release", "martin", "0140000001")
    assert "led to claire" in again  # the release answered, nothing changed
    run_cli("--as", "lea", "number", "release", "martin", "01 40 00 00 09")
    listed = run_cli("number", "released", "martin")
    assert "+33140000001 │ claire │ direct" in listed and "ana" in listed and "max" not in listed
    assert "+33140000009 │ the switchboard" in listed
    one = run_cli("number", "released", "martin", "--number", "01 40 00 00 09")
    assert "+33140000009" in one and "+33140000001" not in one
    assert "durand has released no number" in run_cli("number", "released", "durand")
    with session_factory(engine)() as s:
        assert sorted(s.scalars(select(NumberRow.e164))) == ["+33150000001"]
        kept = s.scalars(select(NumberReleaseRow).order_by(NumberReleaseRow.id)).all()
        assert [(r.e164, r.person, r.removed_by) for r in kept] == [
            ("+33140000001", "claire", "ana"),
            ("+33140000009", "", "lea"),
        ]


def test_the_teams_list_costs_the_same_statements_for_200_teams_as_for_2(
    database: str, engine: Engine
) -> None:
    with sent() as few:  # any engine: the command opens its own
        assert "Comptabilité │ claire, paul" in run_cli("team", "list", "martin")
    teams = [{"account": "martin", "key": f"t{i:03}", "name": f"T{i}"} for i in range(200)]
    with transaction(session_factory(engine)) as s:
        load_directory(s, {"groups": teams}, source="test", now=NOW)
    with sent() as many:
        listed = run_cli("team", "list", "martin")
    assert "t199" in listed and "Comptabilité │ claire, paul" in listed
    # the account, its teams in use, their people: before, three more for each team
    assert len(many) == len(few)
