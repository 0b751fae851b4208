"""Weekly hours as people write them: parsed, checked, and asked whether a moment is open."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accueil.core.hours import InvalidHours, TimeRange, WeeklyHours, parse_time

OFFICE = "mon-fri 09:00-12:30,14:00-18:00; sat 09:00-12:00"


def test_office_hours_are_open_in_the_morning_and_closed_at_lunch() -> None:
    hours = WeeklyHours.parse(OFFICE)
    monday = datetime(2026, 11, 30, 10, 0)
    assert hours.is_open(monday)
    assert not hours.is_open(monday.replace(hour=13))
    assert hours.is_open(monday.replace(hour=17, minute=59))
    assert not hours.is_open(monday.replace(hour=18))


def test_saturday_morning_only_and_sunday_closed() -> None:
    hours = WeeklyHours.parse(OFFICE)
    assert hours.is_open(datetime(2026, 12, 5, 11, 0))
    assert not hours.is_open(datetime(2026, 12, 5, 12, 0))
    assert not hours.is_open(datetime(2026, 12, 6, 10, 0))


def test_an_empty_text_means_never_open() -> None:
    assert not WeeklyHours.parse("").is_open(datetime(2026, 11, 30, 10, 0))


def test_a_range_to_midnight_is_allowed() -> None:
    hours = WeeklyHours.parse("sun 20:00-24:00")
    assert hours.is_open(datetime(2026, 12, 6, 23, 59))


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("mon-fri", "expected days then ranges"),
        ("lun 09:00-12:00", "days are written mon"),
        ("fri-mon 09:00-12:00", "goes forward"),
        ("mon 9h-12h", "HH:MM-HH:MM"),
        ("mon 12:00-09:00", "ends before it starts"),
        ("mon 25:00-26:00", "not a time of day"),
        ("mon 09:00-12:00,11:00-13:00", "overlap"),
    ],
)
def test_bad_hours_are_refused_with_the_reason(text: str, says: str) -> None:
    with pytest.raises(InvalidHours, match=says):
        WeeklyHours.parse(text)


def test_parse_time_refuses_what_is_not_a_time() -> None:
    assert parse_time("14:30").hour == 14
    with pytest.raises(InvalidHours, match="HH:MM"):
        parse_time("2pm")


ranges = st.tuples(st.integers(0, 1439), st.integers(1, 240)).map(
    lambda t: TimeRange(t[0], min(1440, t[0] + t[1]))
)


@given(st.lists(st.sampled_from(["mon", "tue", "wed", "sat"]), min_size=1, unique=True), ranges)
def test_written_form_reads_back_the_same(days: list[str], r: TimeRange) -> None:
    hours = WeeklyHours.parse("; ".join(f"{d} {r}" for d in days))
    assert WeeklyHours.parse(str(hours)) == hours


def test_the_short_form_writes_a_run_of_days_once() -> None:
    assert WeeklyHours.parse(OFFICE).short() == "mon-fri 09:00-12:30,14:00-18:00; sat 09:00-12:00"
    assert WeeklyHours.parse("mon 09:00-12:00; wed 09:00-12:00").short() == (
        "mon 09:00-12:00; wed 09:00-12:00"
    ), "days apart are not a run"
    assert WeeklyHours().short() == ""


@given(
    st.lists(st.tuples(st.sampled_from(["mon", "tue", "wed", "thu", "sat"]), ranges), min_size=1)
)
def test_the_short_form_reads_back_the_same(days: list[tuple[str, TimeRange]]) -> None:
    hours = WeeklyHours.parse("; ".join(f"{d} {r}" for d, r in dict(days).items()))
    assert WeeklyHours.parse(hours.short()) == hours
