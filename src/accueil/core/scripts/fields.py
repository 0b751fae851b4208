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
from accueil.errors import says

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
            raise BadAnswer(says("%(label)s is required", label=field.label))
        return None
    return _CHECKERS[field.type](field, text, country, tz)


def _text(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    if len(text) > MAX_TEXT:
        raise BadAnswer(
            says(
                "%(label)s is too long (%(length)s characters, at most %(most)s)",
                label=field.label,
                length=len(text),
                most=MAX_TEXT,
            )
        )
    return text


def _phone(field: Field, text: str, country: str, _tz: ZoneInfo) -> Value:
    try:
        return to_e164(text, country)
    except InvalidNumber as exc:
        raise BadAnswer(
            says("%(label)s: %(message)s", label=field.label, message=exc.message)
        ) from None


def _email(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    if not _EMAIL.match(text):
        raise BadAnswer(
            says(
                "%(label)s: %(text)r is not an email address (name@example.com)",
                label=field.label,
                text=text,
            )
        )
    return text.lower()


def _choice(field: Field, text: str, _country: str, _tz: ZoneInfo) -> Value:
    wanted = text.casefold()
    for choice in field.choices:
        if wanted in (choice.value.casefold(), choice.label.casefold()):
            return choice.value
    options = ", ".join(c.value for c in field.choices)
    raise BadAnswer(
        says(
            "%(label)s: %(text)r is not one of the choices (%(options)s)",
            label=field.label,
            text=text,
            options=options,
        )
    )


def _datetime(field: Field, text: str, _country: str, tz: ZoneInfo) -> Value:
    moment = _parse_moment(text)
    if moment is None:
        raise BadAnswer(
            says(
                "%(label)s: %(text)r is not a date and time (write 2026-12-01 14:30 or "
                "01/12/2026 14h30)",
                label=field.label,
                text=text,
            )
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
    raise BadAnswer(
        says("%(label)s: answer yes or no (oui / non), not %(text)r", label=field.label, text=text)
    )


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
