"""Checking what the agent typed for an ask step, by the field's type.

Each checker returns the value as it is kept (a phone number in E.164, a yes/no as a bool, a
date-time aware in the account's time zone) or raises BadAnswer saying what to type instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from accueil.core.phone import InvalidNumber, to_e164
from accueil.core.scripts.model import Field, FieldType

Value = str | bool | datetime | None

MAX_TEXT = 1000
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[A-Za-z]{2,}$")
_YES = frozenset({"yes", "y", "oui", "o", "true", "1", "si", "ja"})
_NO = frozenset({"no", "n", "non", "false", "0", "nein"})
_DAY_FIRST = ("%d/%m/%Y %H:%M", "%d/%m/%Y %Hh%M", "%d/%m/%Y %Hh", "%d/%m/%Y")  # as French write


class BadAnswer(ValueError):
    """The answer does not fit the field; the message says what to type."""


def check_answer(field: Field, raw: str, country: str, tz: ZoneInfo) -> Value:
    """The kept value of ``raw`` for ``field``; None for an allowed empty answer."""
    text = raw.strip()
    if not text:
        if field.required:
            raise BadAnswer(f"{field.label} is required")
        return None
    return _CHECKERS[field.type](field, text, country, tz)


def _text(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    if len(text) > MAX_TEXT:
        raise BadAnswer(f"{field.label} is too long ({len(text)} characters, at most {MAX_TEXT})")
    return text


def _phone(field: Field, text: str, country: str, _tz: ZoneInfo) -> Value:
    try:
        return to_e164(text, country)
    except InvalidNumber as exc:
        raise BadAnswer(f"{field.label}: {exc.message}") from None


def _email(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    if not _EMAIL.match(text):
        raise BadAnswer(f"{field.label}: {text!r} is not an email address (name@example.com)")
    return text.lower()


def _choice(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    wanted = text.casefold()
    for choice in field.choices:
        if wanted in (choice.value.casefold(), choice.label.casefold()):
            return choice.value
    options = ", ".join(c.value for c in field.choices)
    raise BadAnswer(f"{field.label}: {text!r} is not one of the choices ({options})")


def _datetime(field: Field, text: str, _country: str, tz: ZoneInfo) -> Value:
    moment = _parse_moment(text)
    if moment is None:
        raise BadAnswer(
            f"{field.label}: {text!r} is not a date and time "
            "(write 2026-12-01 14:30 or 01/12/2026 14h30)"
        )
    return moment.replace(tzinfo=tz) if moment.tzinfo is None else moment


def _parse_moment(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    for pattern in _DAY_FIRST:
        try:
            return datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def _yesno(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    word = text.casefold()
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise BadAnswer(f"{field.label}: answer yes or no (oui / non), not {text!r}")


_CHECKERS: dict[FieldType, Callable[[Field, str, str, ZoneInfo], Value]] = {
    FieldType.TEXT: _text,
    FieldType.PHONE: _phone,
    FieldType.EMAIL: _email,
    FieldType.CHOICE: _choice,
    FieldType.DATETIME: _datetime,
    FieldType.YESNO: _yesno,
}


_YES_NO = {"fr": ("oui", "non"), "en": ("yes", "no")}


def shown(value: Value, lang: str = "en") -> str:
    """A kept value as people read it in a message, in the script's language."""
    if value is None:
        return ""
    if isinstance(value, bool):
        yes, no = _YES_NO.get(lang, _YES_NO["en"])
        return yes if value else no
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return value
