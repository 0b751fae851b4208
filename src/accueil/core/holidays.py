"""Public holidays of an account's country and subdivision (the holidays library).

Cached per (country, subdivision, year): a decision asks for today's holiday in microseconds.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays as holidays_lib

# People write the Alsace départements by number; the holidays library groups them as the
# "Collectivité européenne d'Alsace" (6AE). Moselle keeps its own code, 57.
_SUBDIVISION_ALIASES = {("FR", "67"): "6AE", ("FR", "68"): "6AE"}


def normalise_subdivision(country: str, subdivision: str) -> str:
    key = (country.upper(), subdivision.strip().upper())
    return _SUBDIVISION_ALIASES.get(key, key[1])


@lru_cache(maxsize=512)
def _year(country: str, subdivision: str, year: int) -> dict[date, str]:
    subdiv = normalise_subdivision(country, subdivision) or None
    try:
        table = holidays_lib.country_holidays(country.upper(), subdiv=subdiv, years=year)
    except NotImplementedError:
        return {}  # a country the library does not know has no public holidays we can name
    english = "en_US" if "en_US" in table.supported_languages else None
    if english and table.default_language != english:
        table = holidays_lib.country_holidays(
            country.upper(), subdiv=subdiv, years=year, language=english
        )
    return {day: str(name) for day, name in table.items()}


def public_holiday(country: str, subdivision: str, day: date) -> str | None:
    """The holiday's name (in English when the library has it) on ``day``, or None."""
    if not country:
        return None
    return _year(country, subdivision, day.year).get(day)


def check_subdivision(country: str, subdivision: str) -> str | None:
    """A reason when the library does not know this subdivision, else None."""
    if not subdivision:
        return None
    try:
        known = holidays_lib.country_holidays(country.upper()).subdivisions
    except NotImplementedError:
        return f"no public holidays are known for country {country!r}"
    code = normalise_subdivision(country, subdivision)
    if code not in known:
        return f"{subdivision!r} is not a subdivision of {country} (known: {', '.join(known)})"
    return None
