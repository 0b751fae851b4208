"""Availability merges its sources by a documented precedence, with staleness and delegation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from calendar_helpers import PARIS, ics, paris

from accueil.core.availability import (
    Availability,
    CalendarView,
    Delegation,
    ManualStatus,
    Policy,
    Source,
    Sources,
    State,
    availability_at,
)
from accueil.core.calendar_read import timeline_from_ics
from accueil.core.directory import Account, Person
from accueil.core.opening import Closure
from accueil.errors import InvalidInput

MONDAY_10 = paris(2026, 11, 30, 10)  # a plain Monday morning
BOARD = ics(
    "UID:b\nDTSTART;TZID=Europe/Paris:20261130T093000\nDTEND;TZID=Europe/Paris:20261130T110000\n"
    "SUMMARY:Comité de direction",
    "UID:h\nDTSTART;VALUE=DATE:20261202\nDTEND;VALUE=DATE:20261203\nSUMMARY:Congés",
)


def _calendar(fetched: datetime = MONDAY_10, error: str = "") -> CalendarView:
    return CalendarView(timeline_from_ics(BOARD, PARIS, MONDAY_10), fetched, error)


def _at(person: Person, account: Account, now: datetime, **sources: object) -> Availability:
    return availability_at(person, account, now, Sources(**sources))  # type: ignore[arg-type]


def test_with_no_sources_a_person_in_working_hours_is_available(
    claire: Person, account: Account
) -> None:
    found = _at(claire, account, MONDAY_10)
    assert (found.state, found.source, found.stale) == (State.AVAILABLE, Source.HOURS, False)
    assert found.until == paris(2026, 11, 30, 19)  # her own hours end at 19:00


def test_the_calendar_beats_working_hours(claire: Person, account: Account) -> None:
    found = _at(claire, account, MONDAY_10, calendar=_calendar())
    assert (found.state, found.source) == (State.MEETING, Source.CALENDAR)
    assert found.note == "Comité de direction" and found.until == paris(2026, 11, 30, 11)


def test_available_until_the_next_meeting_rather_than_closing_time(
    claire: Person, account: Account
) -> None:
    before = _at(claire, account, paris(2026, 11, 30, 9), calendar=_calendar())
    assert (before.state, before.until) == (State.AVAILABLE, paris(2026, 11, 30, 9, 30))
    after = _at(claire, account, paris(2026, 11, 30, 11), calendar=_calendar())
    assert (after.state, after.until) == (State.AVAILABLE, paris(2026, 11, 30, 19))


def test_an_out_of_office_day_in_the_calendar(claire: Person, account: Account) -> None:
    found = _at(claire, account, paris(2026, 12, 2, 15), calendar=_calendar())
    assert found.state is State.OUT_OF_OFFICE and found.until == paris(2026, 12, 3)


def test_a_manual_status_beats_the_calendar(claire: Person, account: Account) -> None:
    manual = ManualStatus(State.AVAILABLE, MONDAY_10 - timedelta(minutes=5), note="skipping it")
    found = _at(claire, account, MONDAY_10, manual=manual, calendar=_calendar())
    assert (found.state, found.source, found.note) == (
        State.AVAILABLE,
        Source.MANUAL,
        "skipping it",
    )


def test_an_expired_manual_status_is_ignored(claire: Person, account: Account) -> None:
    manual = ManualStatus(State.AWAY, MONDAY_10 - timedelta(hours=2), until=MONDAY_10)
    found = _at(claire, account, MONDAY_10, manual=manual, calendar=_calendar())
    assert found.source is Source.CALENDAR


def test_a_manual_status_can_say_available_outside_working_hours(
    claire: Person, account: Account
) -> None:
    evening = paris(2026, 11, 30, 21)
    manual = ManualStatus(
        State.AVAILABLE, evening - timedelta(hours=1), until=evening.replace(hour=22)
    )
    assert _at(claire, account, evening, manual=manual).state is State.AVAILABLE
    assert _at(claire, account, evening).state is State.OFF_DUTY


def test_an_open_ended_status_goes_stale_and_yields_to_calendar_and_hours(
    claire: Person, account: Account
) -> None:
    last_tuesday = MONDAY_10 - timedelta(days=6)
    manual = ManualStatus(State.AVAILABLE, last_tuesday, note="in the office")
    in_meeting = _at(claire, account, MONDAY_10, manual=manual, calendar=_calendar())
    assert in_meeting.source is Source.CALENDAR
    later = paris(2026, 11, 30, 15)
    shown = _at(claire, account, later, manual=manual, calendar=_calendar())
    assert (shown.state, shown.source, shown.stale) == (State.AVAILABLE, Source.MANUAL, True)
    night = _at(claire, account, paris(2026, 11, 30, 22), manual=manual)
    assert (night.state, night.stale) == (State.OFF_DUTY, False)


def test_the_staleness_age_is_configurable(claire: Person, account: Account) -> None:
    manual = ManualStatus(State.AWAY, MONDAY_10 - timedelta(hours=2))
    strict = Policy(manual_stale_after=timedelta(hours=1))
    assert not availability_at(claire, account, MONDAY_10, Sources(manual=manual)).stale
    assert availability_at(claire, account, MONDAY_10, Sources(manual=manual), strict).stale


def test_a_calendar_fetched_long_ago_is_stale(claire: Person, account: Account) -> None:
    old = _calendar(fetched=MONDAY_10 - timedelta(days=3))
    assert _at(claire, account, MONDAY_10, calendar=old).stale


def test_an_uploaded_calendar_does_not_go_stale(claire: Person, account: Account) -> None:
    old = _calendar(fetched=MONDAY_10 - timedelta(days=3))
    uploaded = CalendarView(old.timeline, old.fetched_at, refreshed=False)
    assert not _at(claire, account, MONDAY_10, calendar=uploaded).stale


def test_a_failing_feed_still_answers_from_its_last_good_copy_with_a_warning(
    claire: Person, account: Account
) -> None:
    found = _at(claire, account, MONDAY_10, calendar=_calendar(error="HTTP 502"))
    assert found.state is State.MEETING
    assert any("HTTP 502" in w for w in found.warnings)


def test_calendar_outside_its_expanded_window_is_ignored_with_a_warning(
    claire: Person, account: Account
) -> None:
    found = _at(claire, account, paris(2027, 6, 1, 10), calendar=_calendar())
    assert found.source is Source.HOURS and found.warnings


def test_a_closure_beats_holidays_and_hours(claire: Person, account: Account) -> None:
    seminar = Closure(paris(2026, 11, 30, 8), paris(2026, 11, 30, 20), "séminaire")
    found = _at(claire, account, MONDAY_10, closures=(seminar,))
    assert (found.state, found.source, found.note) == (State.OFF_DUTY, Source.CLOSURE, "séminaire")
    assert found.until == paris(2026, 12, 1, 8, 30)


def test_a_public_holiday_is_off_duty_until_the_next_working_day(
    claire: Person, account: Account
) -> None:
    found = _at(claire, account, paris(2026, 12, 25, 10))
    assert (found.state, found.source, found.note) == (
        State.OFF_DUTY,
        Source.HOLIDAY,
        "Christmas Day",
    )
    assert found.until == paris(2026, 12, 28, 8, 30)  # Friday holiday → Monday


def test_without_own_hours_the_accounts_business_hours_apply(
    claire: Person, account: Account
) -> None:
    no_hours = Person(account="martin", key="paul", first_name="Paul", last_name="Roy")
    lunch = paris(2026, 11, 30, 13)
    assert _at(no_hours, account, lunch).state is State.OFF_DUTY
    assert _at(no_hours, account, lunch).until == paris(2026, 11, 30, 14)
    assert _at(claire, account, lunch).state is State.AVAILABLE


def test_a_delegate_is_named_only_while_the_person_is_not_available(
    claire: Person, account: Account
) -> None:
    cover = Delegation("paul", "Paul Roy", MONDAY_10 - timedelta(days=1), None)
    busy = _at(claire, account, MONDAY_10, calendar=_calendar(), delegations=(cover,))
    assert busy.delegate == cover
    free = _at(claire, account, paris(2026, 11, 30, 15), delegations=(cover,))
    assert free.delegate is None
    ended = Delegation("paul", "Paul Roy", MONDAY_10 - timedelta(days=2), MONDAY_10)
    assert (
        _at(claire, account, MONDAY_10, calendar=_calendar(), delegations=(ended,)).delegate is None
    )


def test_a_naive_time_is_refused(claire: Person, account: Account) -> None:
    with pytest.raises(InvalidInput):
        availability_at(claire, account, datetime(2026, 11, 30, 10))
