"""Phone numbers: parsed, validated and stored in E.164 with phonenumbers."""

from __future__ import annotations

from functools import lru_cache

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from accueil.errors import N_, InvalidInput, Said, says


class InvalidNumber(InvalidInput):
    code = "invalid_number"


# The reasons phonenumbers gives, as it words them (the pages say them in their language).
_REASONS = frozenset(
    {
        N_("The string supplied did not seem to be a phone number."),
        N_("The string supplied is too long to be a phone number."),
        N_("The string supplied is too short to be a phone number."),
        N_("The string supplied was too long to parse."),
        N_("Country calling code supplied was not recognised."),
        N_("Missing or invalid default region."),
        N_("Could not interpret numbers after plus-sign."),
    }
)


# Cached (pure, ~100 µs a parse): every call parses its dialled number, every screen pop its
# caller's, several times; the same numbers come back. An invalid number raises, and is not kept.
@lru_cache(maxsize=65536)
def to_e164(raw: str, country: str) -> str:
    """Parse ``raw`` (national numbers read in ``country``) and return it in E.164.

    Raises InvalidNumber with the reason when it is not a valid number.
    """
    text = raw.strip()
    if not text:
        raise InvalidNumber(says("the number is empty"), raw=raw)
    try:
        parsed = phonenumbers.parse(text, country.upper() or None)
    except NumberParseException as exc:
        raise InvalidNumber(
            says("%(raw)r is not a phone number (%(why)s)", raw=raw, why=_reason(exc)), raw=raw
        ) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(
            says(
                "%(raw)r is not a valid number in %(country)s (check the digits, or "
                "write it in international form +CC…)",
                raw=raw,
                country=country.upper(),
            ),
            raw=raw,
        )
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


def _reason(exc: NumberParseException) -> str:
    why = str(exc._msg)
    return Said(why, {}) if why in _REASONS else why


@lru_cache(maxsize=65536)
def pretty(e164: str) -> str:
    """International format for people to read: +33 6 12 34 56 78."""
    try:
        parsed = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    return phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL)


def national(e164: str) -> str:
    """National format, as people of that country write it: 06 12 34 56 78."""
    parsed = phonenumbers.parse(e164, None)
    return phonenumbers.format_number(parsed, PhoneNumberFormat.NATIONAL)
