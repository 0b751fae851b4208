"""Taking down a delegation, a closure, a known contact or a calendar (SQLite and PostgreSQL):
the row is kept with who and when, the next decision no longer uses it (kept slices included),
removing twice changes nothing, and another account's rows are never found."""

from __future__ import annotations

from datetime import timedelta

import pytest
from calendar_helpers import paris
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import Source, State
from accueil.errors import NotFound
from accueil.services import calendars
from accueil.services.availability import (
    add_closure,
    add_delegation,
    availability_of,
    closure_records,
    get_closure,
    person_delegations,
    remove_closure,
    remove_delegation,
    set_status,
)
from accueil.services.call_slices import CallSlices, decide_on
from accueil.services.callers import (
    account_contacts,
    add_contact,
    get_contact,
    remove_contact,
)
from accueil.services.onboarding import load_directory
from accueil.services.operator_export import export_sections
from accueil.services.rules import save_rules
from accueil.store.db import transaction
from accueil.store.tables_availability import (
    CalendarFeedRow,
    ClosureRow,
    DelegationRow,
    KnownContactRow,
)
from settled import settled

NOW = paris(2026, 11, 30, 10)  # a Monday, 10:00 in Paris: open
LATER = NOW + timedelta(minutes=5)
CALLER = "+33698765432"
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "business_hours": "mon-fri 09:00-18:00"},
        {"key": "durand", "name": "Durand SA", "business_hours": "mon-fri 09:00-18:00"},
    ],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Martin"},
        {"account": "martin", "key": "paul", "first_name": "Paul", "last_name": "Roy"},
        {"account": "durand", "key": "zoe", "first_name": "Zoé", "last_name": "Durand"},
    ],
    "numbers": [
        {"number": "01 40 00 00 01", "account": "martin", "person": "claire"},
        {"number": "01 50 00 00 00", "account": "durand", "person": "zoe"},
    ],
}
RULES = {
    "account": "martin",
    "rules": [
        {"name": "closed", "when": {"account_open": False}, "then": {"type": "message"}},
        {"name": "known", "when": {"caller_known": True}, "then": {"type": "reject"}},
    ],
}


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        save_rules(s, "martin", RULES, now=NOW)
    return sessions


def _rule(sessions: sessionmaker[Session], slices: CallSlices) -> str:
    with sessions() as s:
        kept = slices.slice_of(s, "+33140000001")
        return decide_on(s, kept, CALLER, now=LATER).decision.rule


def test_a_removed_delegation_covers_no_longer_and_is_kept_with_who_and_when(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        add_delegation(s, "martin", "claire", "paul", start=NOW, now=NOW)
        set_status(s, "martin", "claire", State.AWAY, now=NOW)
        (made,) = person_delegations(s, "martin", "claire")
    with seeded() as s:
        assert availability_of(s, "martin", "claire", now=LATER).delegate is not None
    with transaction(seeded) as s:
        gone = remove_delegation(s, "martin", "claire", made.id, by="lea", now=NOW)
    assert (gone.removed_at, gone.removed_by, gone.delegation.delegate) == (NOW, "lea", "paul")
    with seeded() as s:
        assert availability_of(s, "martin", "claire", now=LATER).delegate is None
        assert person_delegations(s, "martin", "claire") == []
        row = s.scalars(select(DelegationRow)).one()  # kept, not deleted
        assert (row.removed_at, row.removed_by) == (NOW, "lea")
    names = [e.event.name for e in settled(seeded, account="martin")]
    assert names.count("delegation.removed") == 1


def test_removing_twice_changes_nothing_and_answers_the_first_removal(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        add_closure(s, "martin", start=NOW, end=NOW + timedelta(days=1), now=NOW)
        (closure,) = closure_records(s, "martin")
        first = remove_closure(s, "martin", closure.id, by="lea", now=NOW)
    with transaction(seeded) as s:
        again = remove_closure(s, "martin", closure.id, by="max", now=LATER)
    events = [e.event.name for e in settled(seeded, account="martin")]
    assert again == first and (again.removed_by, again.removed_at) == ("lea", NOW)
    assert events.count("closure.removed") == 1


def test_a_removed_closure_opens_the_account_again_at_the_next_decision(
    seeded: sessionmaker[Session],
) -> None:
    slices = CallSlices()  # kept across decisions, as the switchboard and the API keep them
    with transaction(seeded) as s:
        add_closure(s, "martin", start=NOW, end=NOW + timedelta(hours=8), reason="x", now=NOW)
        (closure,) = closure_records(s, "martin")
    assert _rule(seeded, slices) == "closed"
    with transaction(seeded) as s:
        remove_closure(s, "martin", closure.id, by="lea", now=NOW)
    assert _rule(seeded, slices) == "fallback"
    with seeded() as s:
        found = availability_of(s, "martin", "claire", now=LATER)
        assert found.source is not Source.CLOSURE
        assert closure_records(s, "martin") == []
        assert get_closure(s, "martin", closure.id).removed_by == "lea"
        assert s.scalars(select(ClosureRow)).one().removed_at == NOW


def test_a_removed_contact_is_unknown_at_the_next_decision_and_can_come_back(
    seeded: sessionmaker[Session],
) -> None:
    slices = CallSlices()
    with transaction(seeded) as s:
        add_contact(s, "martin", "06 98 76 54 32", "Dupont SA", now=NOW)
    assert _rule(seeded, slices) == "known"
    with transaction(seeded) as s:
        gone = remove_contact(s, "martin", "06 98 76 54 32", by="lea", now=NOW)
    assert (gone.e164, gone.name, gone.removed_by) == (CALLER, "Dupont SA", "lea")
    assert _rule(seeded, slices) == "fallback"
    with seeded() as s:
        assert account_contacts(s, "martin").names == {}
        assert get_contact(s, "martin", CALLER).removed_at == NOW
    with transaction(seeded) as s:  # the same number again: a new contact, the old one kept
        add_contact(s, "martin", CALLER, "Dupont et fils", now=LATER)
    assert _rule(seeded, slices) == "known"
    with seeded() as s:
        rows = s.scalars(select(KnownContactRow).order_by(KnownContactRow.id)).all()
        assert [(r.name, r.removed_by) for r in rows] == [
            ("Dupont SA", "lea"),
            ("Dupont et fils", ""),
        ]
        assert get_contact(s, "martin", CALLER).name == "Dupont et fils"


def test_another_accounts_rows_are_never_found_and_never_removed(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        add_closure(s, "durand", start=NOW, end=NOW + timedelta(days=1), now=NOW)
        add_contact(s, "durand", CALLER, "Chez Durand", now=NOW)
        (theirs,) = closure_records(s, "durand")
    with seeded() as s:
        with pytest.raises(NotFound):
            remove_closure(s, "martin", theirs.id, by="lea", now=NOW)
        with pytest.raises(NotFound):
            remove_contact(s, "martin", CALLER, by="lea", now=NOW)
        with pytest.raises(NotFound):
            remove_delegation(s, "martin", "zoe", 1, by="lea", now=NOW)
    with seeded() as s:
        assert closure_records(s, "durand") != [] and account_contacts(s, "durand").names


def test_a_removed_calendar_is_no_longer_read_refreshed_nor_exported(
    seeded: sessionmaker[Session],
) -> None:
    ics = (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:1\r\n"
        "DTSTAMP:20261130T080000Z\r\nDTSTART:20261130T083000Z\r\nDTEND:20261130T120000Z\r\n"
        "SUMMARY:Comité\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()
    with transaction(seeded) as s:
        calendars.upload_calendar(s, "martin", "claire", ics, now=NOW)
    with seeded() as s:
        assert availability_of(s, "martin", "claire", now=LATER).source is Source.CALENDAR
    with transaction(seeded) as s:
        gone = calendars.remove_calendar(s, "martin", "claire", by="claire", now=NOW)
        assert gone is not None and gone.removed_by == "claire"
        assert calendars.remove_calendar(s, "martin", "claire", by="x", now=NOW) is None
    with seeded() as s:
        assert availability_of(s, "martin", "claire", now=LATER).source is not Source.CALENDAR
        assert calendars.feed_state(s, "martin", "claire") is None
        assert s.scalars(select(CalendarFeedRow)).one().removed_by == "claire"
        assert export_sections(s).get("calendars", []) == []
    with transaction(seeded) as s:  # a new feed after it: a row of its own
        calendars.set_feed(s, "martin", "claire", "https://example.org/c.ics", now=LATER)
    assert [f.url for f in calendars.due_feeds(seeded, now=LATER)] == ["https://example.org/c.ics"]
