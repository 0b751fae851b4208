"""Availability of a list of people (a search's results) read in one batch: the same answer
as asking for each person alone, from every source, one account only."""

from __future__ import annotations

from datetime import timedelta

import pytest
from calendar_helpers import ics, paris
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from accueil.core.availability import State
from accueil.core.decision import Call
from accueil.errors import NotFound
from accueil.services.availability import (
    add_closure,
    add_delegation,
    availabilities_of,
    availability_of,
    available_now,
    clear_status,
    person_delegations,
    remove_delegation,
    set_status,
)
from accueil.services.calendars import upload_calendar
from accueil.services.decisions import availability_in, decide_in, slice_for
from accueil.services.onboarding import load_directory
from accueil.store.db import transaction
from statements import sent

NOW = paris(2026, 11, 30, 10)  # a Monday morning
PEOPLE = ["free", "meeting", "cleared", "later", "calendar", "night"]
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "people": [
        *[{"account": "martin", "key": k, "first_name": k.title(), "last_name": "Martin"}
          for k in PEOPLE[:-1]],
        {"account": "martin", "key": "night", "first_name": "Nuit", "last_name": "Martin",
         "working_hours": "mon-fri 20:00-23:00"},
        {"account": "durand", "key": "free", "first_name": "Free", "last_name": "Durand"},
    ],
}  # fmt: skip
BUSY = ics("UID:1\nDTSTART:20261130T083000Z\nDTEND:20261130T100000Z\nSUMMARY:Client")


@pytest.fixture
def seeded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    with transaction(sessions) as s:
        load_directory(s, DIRECTORY, source="test", now=NOW)
        set_status(s, "martin", "meeting", State.MEETING, now=NOW - timedelta(minutes=5))
        set_status(s, "martin", "cleared", State.AWAY, now=NOW - timedelta(hours=2))
        clear_status(s, "martin", "cleared", now=NOW - timedelta(hours=1))
        # set after NOW: it did not exist yet at NOW
        set_status(s, "martin", "later", State.AWAY, now=NOW + timedelta(minutes=1))
        upload_calendar(s, "martin", "calendar", BUSY, now=NOW - timedelta(days=1))
        set_status(s, "durand", "free", State.AWAY, now=NOW - timedelta(minutes=5))
    return sessions


def test_a_batch_says_what_asking_one_by_one_says(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        batch = available_now(s, "martin", PEOPLE, now=NOW)
        alone = {p: availability_of(s, "martin", p, now=NOW).available for p in PEOPLE}
    assert batch == alone
    assert batch == {
        "free": True,
        "meeting": False,
        "cleared": True,
        "later": True,
        "calendar": False,
        "night": False,
    }


def test_a_closure_of_the_account_closes_everyone_in_the_batch(
    seeded: sessionmaker[Session],
) -> None:
    with transaction(seeded) as s:
        add_closure(
            s, "martin", start=NOW - timedelta(hours=1), end=NOW + timedelta(days=1), now=NOW
        )
    with seeded() as s:
        assert set(available_now(s, "martin", PEOPLE, now=NOW).values()) == {False}
        assert available_now(s, "durand", ["free"], now=NOW + timedelta(hours=13)) == {
            "free": False
        }


def test_a_batch_reads_only_its_own_account(seeded: sessionmaker[Session]) -> None:
    with seeded() as s:
        # durand's "free" is away; martin's "free" is available: neither leaks into the other
        assert available_now(s, "durand", ["free", "meeting"], now=NOW) == {"free": False}
        assert available_now(s, "martin", ["free"], now=NOW) == {"free": True}
        assert available_now(s, "martin", [], now=NOW) == {}
        with pytest.raises(NotFound, match="no account 'nobody'"):
            available_now(s, "nobody", ["free"], now=NOW)


def test_a_batch_costs_three_statements_however_many_people(
    seeded: sessionmaker[Session],
) -> None:
    def statements(people: list[str]) -> int:
        seen: list[str] = []
        with seeded() as s:
            engine = s.get_bind()
            listen = lambda *args: seen.append(args[2])  # noqa: E731
            event.listen(engine, "before_cursor_execute", listen)
            try:
                available_now(s, "martin", people, now=NOW)
            finally:
                event.remove(engine, "before_cursor_execute", listen)
        return len(seen)

    # the account, the people with their status and calendar, the account's closures
    assert statements(PEOPLE[:1]) == statements(PEOPLE) == 3


def _cover(seeded: sessionmaker[Session]) -> None:
    """Delegations of every kind, and a closure of the account."""
    with transaction(seeded) as s:
        # "meeting" is covered by "free" now (the latest wins over an older one), "calendar"
        # by "cleared" from the afternoon; "night"'s, taken down, covers no one
        add_delegation(s, "martin", "meeting", "night", start=NOW - timedelta(days=1), now=NOW)
        add_delegation(s, "martin", "meeting", "free", start=NOW - timedelta(hours=1), now=NOW)
        add_delegation(s, "martin", "calendar", "cleared", start=NOW + timedelta(hours=4), now=NOW)
        add_delegation(s, "martin", "night", "free", start=NOW - timedelta(days=1), now=NOW)
        add_closure(s, "martin", start=paris(2026, 12, 2), end=paris(2026, 12, 3), now=NOW)
    with transaction(seeded) as s:
        taken = person_delegations(s, "martin", "night")[0]
        remove_delegation(s, "martin", "night", taken.id, by="test", now=NOW)


INSTANTS = [
    NOW,  # statuses, a meeting in the calendar, a status set later
    NOW + timedelta(hours=5),  # the afternoon: "calendar"'s delegate covers
    NOW + timedelta(hours=11),  # the evening: only "night" works
    paris(2026, 12, 2, 10),  # the account's closure
    paris(2026, 12, 25, 10),  # Christmas: a public holiday in France
    paris(2026, 12, 5, 10),  # a Saturday
]


def test_the_full_batch_says_what_availability_of_says_person_by_person(
    seeded: sessionmaker[Session],
) -> None:
    _cover(seeded)
    with seeded() as s:
        for when in INSTANTS:
            batch = availabilities_of(s, "martin", [*PEOPLE, "nobody"], now=when)
            alone = {p: availability_of(s, "martin", p, now=when) for p in PEOPLE}
            assert batch == alone, when
        covered = availabilities_of(s, "martin", ["meeting", "night"], now=NOW)
        durand = availabilities_of(s, "durand", PEOPLE, now=NOW)
    meeting = covered["meeting"].delegate
    assert meeting is not None and meeting.delegate == "free", "the latest delegation wins"
    assert covered["night"].delegate is None, "a delegation taken down covers no one"
    assert list(durand) == ["free"] and durand["free"].state is State.AWAY, "one account only"


def test_the_full_batch_costs_four_statements_however_many_people(
    seeded: sessionmaker[Session],
) -> None:
    def statements(people: list[str]) -> int:
        with seeded() as s, sent(s.get_bind()) as seen:
            availabilities_of(s, "martin", people, now=NOW)
        return len(seen)

    # the account, the people with their status and calendar, the closures, the delegations
    assert statements(PEOPLE[:1]) == statements(PEOPLE) == 4


def test_a_decision_reads_availability_as_the_batch_does_person_by_person(
    seeded: sessionmaker[Session],
) -> None:
    _cover(seeded)
    with seeded() as s:
        views = {p: slice_for(s, "martin", p) for p in PEOPLE}
        for when in INSTANTS:
            batch = availabilities_of(s, "martin", PEOPLE, now=when)
            decided = {p: availability_in(s, views[p], when) for p in PEOPLE}
            assert decided == batch, when


def test_a_decision_costs_two_statements_on_a_slice_read_already(
    seeded: sessionmaker[Session],
) -> None:
    _cover(seeded)
    call = Call("+33612345678", "+33140000001")
    with seeded() as s:
        for person in ("meeting", "calendar", "free"):  # a status, a calendar, neither
            view = slice_for(s, "martin", person)
            decide_in(s, view, call, NOW)  # what a first decision reads once (the calendar's)
            with sent(s.get_bind()) as seen:
                decision = decide_in(s, view, call, NOW)
            assert decision.availability is not None
            # the person with their status and calendar; their delegations
            assert len(seen) == 2, (person, seen)
