"""Public holidays of an account's country and subdivision (the holidays library).

Cached per (country, subdivision, year): a decision asks for today's holiday in microseconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache

import holidays as holidays_lib

from accueil.errors import says

# People write the Alsace départements by number; the holidays library groups them as the
# "Collectivité européenne d'Alsace" (6AE). Moselle keeps its own code, 57.
_SUBDIVISION_ALIASES = {("FR", "67"): "6AE", ("FR", "68"): "6AE"}


def normalise_subdivision(country: str, subdivision: str) -> str:
    key = (country.upper(), subdivision.strip().upper())
    return _SUBDIVISION_ALIASES.get(key, key[1])


@lru_cache(maxsize=512)
def _year(country: str, subdivision: str, year: int, lang: str) -> dict[date, str]:
    subdiv = normalise_subdivision(country, subdivision) or None
    try:
        table = holidays_lib.country_holidays(country.upper(), subdiv=subdiv, years=year)
    except NotImplementedError:
        return {}  # a country the library does not know has no public holidays we can name
    language = _language(table.default_language, table.supported_languages, lang)
    if language is not None:
        table = holidays_lib.country_holidays(
            country.upper(), subdiv=subdiv, years=year, language=language
        )
    return {day: str(name) for day, name in table.items()}


def _language(default: str | None, supported: Sequence[str], lang: str) -> str | None:
    """The library's language for ``lang`` ('en', 'fr'), or None when it has none.

    Always named explicitly: left unnamed, the library follows the process's locale.
    """
    if default is not None and default.split("_")[0] == lang:
        return default  # 'en_GB' for the UK, 'fr' for France: the country's own spelling
    matching = sorted(code for code in supported if code.split("_")[0] == lang)
    if not matching:
        return None if lang == "en" else _language(default, supported, "en")
    return lang if lang in matching else ("en_US" if "en_US" in matching else matching[0])


def public_holiday(country: str, subdivision: str, day: date, lang: str = "en") -> str | None:
    """The holiday's name on ``day`` (in ``lang`` when the library has it), or None."""
    if not country:
        return None
    return _year(country, subdivision, day.year, lang).get(day)


def check_subdivision(country: str, subdivision: str) -> str | None:
    """A reason when the library does not know this subdivision, else None."""
    if not subdivision:
        return None
    try:
        known = holidays_lib.country_holidays(country.upper()).subdivisions
    except NotImplementedError:
        return says("no public holidays are known for country %(country)r", country=country)
    code = normalise_subdivision(country, subdivision)
    if code not in known:
        return says(
            "%(subdivision)r is not a subdivision of %(country)s (known: %(known)s)",
            subdivision=subdivision,
            country=country,
            known=", ".join(known),
        )
    return None
