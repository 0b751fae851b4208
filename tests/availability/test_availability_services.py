"""Availability services on SQLite and PostgreSQL: statuses keep their history, one account
never sees or uses another's people."""

from __future__ import annotations

from datetime import timedelta

import pytest
from calendar_helpers import paris
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import Source, State
from accueil.errors import InvalidInput, NotFound
from accueil.services.availability import (
    add_closure,
    add_delegation,
    availability_of,
    clear_status,
    default_policy,
    parse_state,
    set_status,
    status_history,
)
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction
from accueil.store.tables_availability import ManualStatusRow

NOW = paris(2026, 11, 30, 10)
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Martin"},
        {"account": "martin", "key": "paul", "first_name": "Paul", "last_name": "Roy"},
        {"account": "durand", "key": "claire", "first_name": "Claire", "last_name": "Durand"},
        {"account": "durand", "key": "zoe", "first_name": "Zoé", "last_name": "Durand"},
    ],
}


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
    return sessions


def test_a_status_with_an_end_holds_until_then_and_history_keeps_everything(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        set_status(s, "martin", "claire", State.AWAY, note="dentist", now=NOW - timedelta(hours=1))
        set_status(
            s,
            "martin",
            "claire",
            State.MEETING,
            until=NOW + timedelta(hours=1),
            now=NOW,
            origin="cli",
        )
    with seeded() as s:
        now = availability_of(s, "martin", "claire", now=NOW + timedelta(minutes=5))
        after = availability_of(s, "martin", "claire", now=NOW + timedelta(hours=2))
        history = status_history(s, "martin", "claire")
    assert (now.state, now.source, now.until) == (
        State.MEETING,
        Source.MANUAL,
        NOW + timedelta(hours=1),
    )
    assert after.source is Source.HOURS
    assert [h.state for h in history] == ["meeting", "away"] and history[1].note == "dentist"
    assert history[0].origin == "cli" and history[0].set_at == NOW


def test_clearing_hands_back_to_hours_without_losing_the_status(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        set_status(s, "martin", "claire", State.DO_NOT_DISTURB, now=NOW - timedelta(minutes=30))
        clear_status(s, "martin", "claire", now=NOW - timedelta(minutes=1))
    with seeded() as s:
        assert availability_of(s, "martin", "claire", now=NOW).source is Source.HOURS
        assert [h.state for h in status_history(s, "martin", "claire")] == [
            "auto",
            "do_not_disturb",
        ]


def test_a_status_ending_in_the_past_is_refused_and_nothing_is_written(
    seeded: sessionmaker[Session],
) -> None:
    with pytest.raises(InvalidInput, match="already past"), transaction(seeded) as s:
        set_status(s, "martin", "claire", State.MEETING, until=NOW - timedelta(minutes=1), now=NOW)
    with pytest.raises(InvalidInput, match="at most 20"), transaction(seeded) as s:
        set_status(s, "martin", "claire", State.MEETING, origin="x" * 21, now=NOW)
    with seeded() as s:
        assert s.scalar(select(func.count()).select_from(ManualStatusRow)) == 0


def test_statuses_are_spelt_as_people_type_them() -> None:
    assert parse_state("Out of office") is State.OUT_OF_OFFICE
    assert parse_state("do-not-disturb") is State.DO_NOT_DISTURB
    with pytest.raises(InvalidInput, match="meeting") as caught:
        parse_state("lunching")
    assert caught.value.details["field"] == "state"


def test_one_accounts_status_never_shows_in_another_account(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        set_status(s, "martin", "claire", State.OUT_OF_OFFICE, now=NOW)
    with seeded() as s:
        assert availability_of(s, "martin", "claire", now=NOW).state is State.OUT_OF_OFFICE
        other = availability_of(s, "durand", "claire", now=NOW)
        assert other.state is State.AVAILABLE and status_history(s, "durand", "claire") == []


def test_a_delegate_must_be_of_the_same_account(seeded: sessionmaker[Session]) -> None:
    with pytest.raises(NotFound, match="zoe"), transaction(seeded) as s:
        add_delegation(s, "martin", "claire", "zoe", start=NOW, now=NOW)
    with pytest.raises(InvalidInput), transaction(seeded) as s:
        add_delegation(s, "martin", "claire", "claire", start=NOW, now=NOW)
    with transaction(seeded) as s:
        add_delegation(
            s, "martin", "claire", "paul", start=NOW, end=NOW + timedelta(days=1), now=NOW
        )
        set_status(s, "martin", "claire", State.AWAY, now=NOW)
    with seeded() as s:
        found = availability_of(s, "martin", "claire", now=NOW + timedelta(minutes=1))
        assert found.delegate is not None and found.delegate.delegate_name == "Paul Roy"
        set_status(s, "durand", "claire", State.AWAY, now=NOW)
        assert (
            availability_of(s, "durand", "claire", now=NOW + timedelta(minutes=1)).delegate is None
        )


def test_a_delegate_comes_with_how_to_reach_them(seeded: sessionmaker[Session]) -> None:
    paul = {"account": "martin", "key": "paul", "first_name": "Paul", "last_name": "Roy"}
    paul |= {"email": "paul@martin.example"}
    paul["devices"] = ["desk:sip:2001@pbx.martin.example", "mobile:06 98 76 54 32"]
    with transaction(seeded) as s:
        load_directory(s, {"people": [paul]}, source="test", now=NOW)
        made = add_delegation(s, "martin", "claire", "paul", start=NOW, now=NOW)
        add_delegation(s, "durand", "claire", "zoe", start=NOW, now=NOW)  # no way to reach Zoé
        for account in ("martin", "durand"):
            set_status(s, account, "claire", State.AWAY, now=NOW)
    reach = ("desk sip:2001@pbx.martin.example", "mobile +33 6 98 76 54 32", "paul@martin.example")
    assert made.reach == reach
    with seeded() as s:
        found = availability_of(s, "martin", "claire", now=NOW + timedelta(minutes=1)).delegate
        other = availability_of(s, "durand", "claire", now=NOW + timedelta(minutes=1)).delegate
    assert found is not None and found.reach == reach
    assert other is not None and (other.delegate_name, other.reach) == ("Zoé Durand", ())


def test_a_closure_applies_to_its_account_only(seeded: sessionmaker[Session]) -> None:
    with transaction(seeded) as s:
        add_closure(
            s,
            "martin",
            start=NOW - timedelta(hours=1),
            end=NOW + timedelta(hours=8),
            reason="séminaire",
            now=NOW,
        )
    with seeded() as s:
        closed = availability_of(s, "martin", "claire", now=NOW)
        assert (closed.state, closed.source, closed.note) == (
            State.OFF_DUTY,
            Source.CLOSURE,
            "séminaire",
        )
        assert availability_of(s, "durand", "claire", now=NOW).state is State.AVAILABLE
    with pytest.raises(InvalidInput), transaction(seeded) as s:
        add_closure(s, "martin", start=NOW, end=NOW, now=NOW)


def test_unknown_people_and_accounts_are_not_found(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        with pytest.raises(NotFound, match="zoe"):
            availability_of(s, "martin", "zoe", now=NOW)
        with pytest.raises(NotFound):
            availability_of(s, "nobody", "claire", now=NOW)


def test_the_staleness_age_comes_from_the_settings(
    seeded: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(seeded) as s:
        set_status(s, "martin", "claire", State.AWAY, now=NOW - timedelta(hours=2))
    with monkeypatch.context() as env:
        env.setenv("ACCUEIL_STATUS_STALE_AFTER_MINUTES", "60")
        default_policy.cache_clear()
        with seeded() as s:
            assert availability_of(s, "martin", "claire", now=NOW).stale
    default_policy.cache_clear()
    with seeded() as s:
        assert not availability_of(s, "martin", "claire", now=NOW).stale  # 12 h by default
