"""Phone numbers: parsed, validated and stored in E.164 with phonenumbers."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat

from accueil.errors import InvalidInput


class InvalidNumber(InvalidInput):
    code = "invalid_number"


def to_e164(raw: str, country: str) -> str:
    """Parse ``raw`` (national numbers read in ``country``) and return it in E.164.

    Raises InvalidNumber with the reason when it is not a valid number.
    """
    text = raw.strip()
    if not text:
        raise InvalidNumber("the number is empty", raw=raw)
    try:
        parsed = phonenumbers.parse(text, country.upper() or None)
    except NumberParseException as exc:
        raise InvalidNumber(f"{raw!r} is not a phone number ({exc._msg})", raw=raw) from exc
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidNumber(
            f"{raw!r} is not a valid number in {country.upper()} "
            "(check the digits, or write it in international form +CC…)",
            raw=raw,
        )
    return phonenumbers.format_number(parsed, PhoneNumberFormat.E164)


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
