"""Public holidays of the account's country and subdivision; business hours and closures."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from calendar_helpers import paris

from accueil.core.directory import Account
from accueil.core.holidays import check_subdivision, public_holiday
from accueil.core.hours import WeeklyHours
from accueil.core.opening import ClosedBecause, Closure, next_opening, office_state

GOOD_FRIDAY, SAINT_STEPHEN = date(2026, 4, 3), date(2026, 12, 26)


@pytest.mark.parametrize("subdivision", ["57", "67", "68"])
def test_alsace_moselle_has_good_friday_and_saint_stephen(subdivision: str) -> None:
    assert public_holiday("FR", subdivision, GOOD_FRIDAY) == "Good Friday"
    assert public_holiday("FR", subdivision, SAINT_STEPHEN) == "Saint Stephen's Day"


def test_the_rest_of_france_works_on_good_friday_and_26_december() -> None:
    assert public_holiday("FR", "", GOOD_FRIDAY) is None
    assert public_holiday("FR", "", SAINT_STEPHEN) is None
    assert public_holiday("FR", "", date(2026, 7, 14)) == "National Day"
    assert public_holiday("FR", "", date(2026, 5, 25)) == "Pentecost Monday"


def test_uk_holidays_depend_on_the_nation() -> None:
    assert public_holiday("GB", "ENG", date(2026, 12, 28)) == "Boxing Day (observed)"
    assert public_holiday("GB", "SCT", date(2026, 11, 30)) == "Saint Andrew's Day"
    assert public_holiday("GB", "ENG", date(2026, 11, 30)) is None
    assert public_holiday("GB", "SCT", date(2026, 1, 2)) is not None
    assert public_holiday("GB", "ENG", date(2026, 1, 2)) is None


def test_holiday_names_in_french_and_english_whatever_the_locale() -> None:
    assert public_holiday("FR", "57", date(2027, 3, 26)) == "Good Friday"
    assert public_holiday("FR", "57", date(2027, 3, 26), "fr") == "Vendredi saint"
    assert public_holiday("FR", "68", date(2026, 12, 26), "fr") == "Saint-Étienne"
    assert public_holiday("FR", "", date(2026, 12, 26), "fr") is None
    # a country without French names keeps its English ones
    assert public_holiday("GB", "ENG", date(2026, 12, 28), "fr") == "Boxing Day (observed)"


def test_unknown_subdivisions_are_reported() -> None:
    assert check_subdivision("FR", "67") is None
    reason = check_subdivision("GB", "XYZ")
    assert reason is not None and "ENG" in reason


@pytest.fixture
def strasbourg(account: Account) -> Account:
    return replace(account, subdivision="67")


def test_an_alsatian_account_is_closed_on_good_friday(
    strasbourg: Account, account: Account
) -> None:
    friday_10 = paris(2026, 4, 3, 10)
    closed = office_state(strasbourg.business_hours, strasbourg, (), friday_10)
    assert (closed.open, closed.because, closed.reason) == (
        False,
        ClosedBecause.HOLIDAY,
        "Good Friday",
    )
    assert closed.until == paris(2026, 4, 7, 9)  # Easter Monday is a holiday too
    assert office_state(account.business_hours, account, (), friday_10).open


def test_london_account_follows_english_holidays() -> None:
    london = Account(
        key="ldn",
        name="Smith & Co",
        answer_name="Smith & Co",
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        business_hours=WeeklyHours.parse("mon-fri 09:00-17:30"),
    )
    boxing_observed = paris(2026, 12, 28, 11)
    state = office_state(london.business_hours, london, (), boxing_observed)
    assert (state.open, state.reason) == (False, "Boxing Day (observed)")


def test_open_state_says_when_it_closes_and_lunch_is_closed(account: Account) -> None:
    state = office_state(account.business_hours, account, (), paris(2026, 11, 30, 11))
    assert state.open and state.until == paris(2026, 11, 30, 12, 30)
    lunch = office_state(account.business_hours, account, (), paris(2026, 11, 30, 13))
    assert (lunch.open, lunch.because, lunch.until) == (
        False,
        ClosedBecause.HOURS,
        paris(2026, 11, 30, 14),
    )


def test_next_opening_skips_chained_closures(account: Account) -> None:
    a = Closure(paris(2026, 11, 30, 8), paris(2026, 12, 1, 12), "move")
    b = Closure(paris(2026, 12, 1, 12), paris(2026, 12, 1, 15), "move, part 2")
    assert next_opening(account.business_hours, account, (a, b), a.start) == paris(2026, 12, 1, 15)


def test_hours_that_never_open_have_no_next_opening(account: Account) -> None:
    assert next_opening(WeeklyHours(), account, (), paris(2026, 11, 30, 10)) is None
