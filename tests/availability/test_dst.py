"""DST gaps and overlaps: wall-clock rules stay right around every transition (hypothesis)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from accueil.core.availability import ManualStatus, Sources, State, availability_at
from accueil.core.directory import Account, Person
from accueil.core.hours import WeeklyHours
from accueil.core.localtime import parse_wall_time, to_local, wall_to_instant, zone

ZONES = ["Europe/Paris", "Europe/London", "America/New_York", "Australia/Sydney", "UTC"]
PARIS = zone("Europe/Paris")

# Instants spread over two years, with extra weight on the nights of the transitions.
_transitions = [
    datetime(2026, 3, 29, 0, tzinfo=UTC),
    datetime(2026, 10, 25, 0, tzinfo=UTC),
    datetime(2027, 3, 28, 0, tzinfo=UTC),
    datetime(2026, 3, 8, 6, tzinfo=UTC),
    datetime(2026, 11, 1, 5, tzinfo=UTC),
    datetime(2026, 4, 5, 15, tzinfo=UTC),
]
instants = st.one_of(
    st.datetimes(datetime(2026, 1, 1), datetime(2027, 12, 31)).map(lambda d: d.replace(tzinfo=UTC)),
    st.builds(
        lambda base, minutes: base + timedelta(minutes=minutes),
        st.sampled_from(_transitions),
        st.integers(-180, 180),
    ),
)


def test_a_wall_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    instant = wall_to_instant(date(2026, 3, 29), 2 * 60 + 30, PARIS)  # 02:30 does not exist
    assert to_local(instant, PARIS).strftime("%H:%M") == "03:30"


def test_a_wall_time_in_the_autumn_overlap_is_its_first_occurrence() -> None:
    instant = wall_to_instant(date(2026, 10, 25), 2 * 60 + 30, PARIS)  # 02:30 happens twice
    assert instant == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # still CEST, +02:00


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    st.dates(date(2026, 1, 1), date(2027, 12, 31)),
    st.integers(0, 1439),
    st.integers(1, 600),
)
def test_wall_to_instant_is_monotonic_and_round_trips_existing_times(
    name: str, day: date, minute: int, later: int
) -> None:
    tz = zone(name)
    first = wall_to_instant(day, minute, tz)
    second = wall_to_instant(day, minute + later, tz)
    assert second >= first
    local = to_local(first, tz)
    wall = datetime.combine(day, datetime.min.time()) + timedelta(minutes=minute)
    if local.replace(tzinfo=None) != wall:  # only a wall time in a gap may move
        gap = local.replace(tzinfo=None) - wall
        assert timedelta(0) < gap <= timedelta(hours=1)


def _person(hours: str) -> Person:
    return Person(
        account="a", key="p", first_name="P", last_name="Q", working_hours=WeeklyHours.parse(hours)
    )


def _account(tz: str) -> Account:
    return Account(key="a", name="A", answer_name="A", timezone=tz, country="")


@settings(max_examples=300, deadline=None)
@given(
    st.sampled_from(ZONES),
    instants,
    st.sampled_from(
        ["mon-sun 01:30-03:15,08:00-18:00", "mon-fri 00:00-24:00", "sat,sun 02:00-02:45"]
    ),
)
def test_availability_never_fails_and_its_until_is_after_now_and_true(
    tz: str, now: datetime, hours: str
) -> None:
    person, account = _person(hours), _account(tz)
    found = availability_at(person, account, now)
    assert found.state in (State.AVAILABLE, State.OFF_DUTY)
    if found.until is not None:
        assert found.until > now
        local = to_local(found.until, zone(tz))
        after = availability_at(person, account, found.until)
        if found.state is State.OFF_DUTY:
            # the next opening really is open, on the wall clock of the account
            assert WeeklyHours.parse(hours).is_open(local)
            assert after.state is State.AVAILABLE


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ZONES), instants, st.integers(0, 23), st.integers(0, 59))
def test_a_typed_until_is_always_in_the_future_within_a_day(
    tz: str, now: datetime, hour: int, minute: int
) -> None:
    until = parse_wall_time(f"{hour:02d}:{minute:02d}", now, zone(tz))
    assert now < until <= now + timedelta(hours=26)
    status = ManualStatus(State.MEETING, now, until)
    found = availability_at(
        _person("mon-sun 00:00-24:00"), _account(tz), now, Sources(manual=status)
    )
    assert found.state is State.MEETING
    after = availability_at(
        _person("mon-sun 00:00-24:00"), _account(tz), until, Sources(manual=status)
    )
    assert after.state is State.AVAILABLE


def test_working_hours_on_the_short_night_end_by_the_wall_clock() -> None:
    night_shift = _person("sun 01:00-04:00")
    paris = replace(_account("Europe/Paris"))
    during = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # 01:30 CET
    found = availability_at(night_shift, paris, during)
    assert found.until == datetime(2026, 3, 29, 2, 0, tzinfo=UTC)  # 04:00 CEST: 2 h of work
