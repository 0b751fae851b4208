"""What a script knows about the call: account, person, availability, caller, time.

Turned into plain dictionaries of strings for the templates (Liquid sees data, never objects).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from accueil.core.availability import Availability
from accueil.core.directory import Account, Person
from accueil.core.explain import phrases, state_phrase
from accueil.core.localtime import hhmm, require_aware, to_local, zone
from accueil.core.opening import ClosedBecause, OfficeState
from accueil.core.phone import pretty
from accueil.core.scripts.model import Situation

_WEEKDAYS = {
    "fr": ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_HELLO = {  # morning, afternoon, evening
    "fr": ("Bonjour", "Bonjour", "Bonsoir"),
    "en": ("Good morning", "Good afternoon", "Good evening"),
}


@dataclass(frozen=True)
class Caller:
    number: str  # E.164, or "" when withheld
    name: str = ""  # the known contact's name, when the number is known


@dataclass(frozen=True)
class ScriptContext:
    """Everything a script may say or branch on, at one instant of one call."""

    account: Account
    now: datetime  # aware
    situation: Situation = Situation.OFFICE_HOURS
    person: Person | None = None
    group_name: str = ""
    availability: Availability | None = None
    caller: Caller = Caller("")
    language: str = ""  # "" → the person's first language, else the account's

    def __post_init__(self) -> None:
        require_aware(self.now, "the script's time")

    @property
    def lang(self) -> str:
        if self.language:
            return self.language
        if self.person is not None and self.person.languages:
            return self.person.languages[0]
        return self.account.languages[0] if self.account.languages else "fr"

    @property
    def available(self) -> bool | None:
        return None if self.availability is None else self.availability.available

    @property
    def local_minute(self) -> int:
        local = to_local(self.now, zone(self.account.timezone))
        return local.hour * 60 + local.minute


def situation_of(office: OfficeState) -> Situation:
    """The greeting's situation from whether the account's office is open now."""
    if office.open:
        return Situation.OFFICE_HOURS
    if office.because in (ClosedBecause.HOLIDAY, ClosedBecause.CLOSURE):
        return Situation.HOLIDAY
    return Situation.AFTER_HOURS


def variables(context: ScriptContext, lang: str = "") -> dict[str, object]:
    """The template variables for this context, worded in ``lang``."""
    lang = lang or context.lang
    tz = zone(context.account.timezone)
    local = to_local(context.now, tz)
    part = 0 if local.hour < 12 else (1 if local.hour < 18 else 2)
    account = context.account
    return {
        "account": {
            "name": account.name,
            "answer_name": account.answer_name,
            "timezone": account.timezone,
        },
        "person": _person(context, lang),
        "caller": {
            "number": pretty(context.caller.number) if context.caller.number else "",
            "name": context.caller.name,
            "known": bool(context.caller.name),
        },
        "time": {
            "hour": local.strftime("%H:%M"),
            "date": local.date().isoformat(),
            "weekday": _WEEKDAYS.get(lang, _WEEKDAYS["en"])[local.weekday()],
            "part_of_day": ("morning", "afternoon", "evening")[part],
            "hello": _HELLO.get(lang, _HELLO["en"])[part],
        },
        "situation": context.situation.value,
    }


def _person(context: ScriptContext, lang: str) -> Mapping[str, str]:
    person, found = context.person, context.availability
    if person is None:
        return dict.fromkeys(
            ("first_name", "last_name", "name", "title", "pronunciation", "group"), ""
        ) | {"availability": "", "state": "", "back_at": "", "delegate": ""}
    back_at = ""
    if found is not None and found.until is not None:
        back_at = hhmm(found.until, zone(context.account.timezone), context.now)
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "name": person.full_name,
        "title": person.title,
        "pronunciation": person.pronunciation,
        "group": context.group_name,
        "availability": state_phrase(found.state, phrases(lang)) if found else "",
        "state": found.state.value if found else "",
        "back_at": back_at,
        "delegate": found.delegate.delegate_name if found and found.delegate else "",
    }


# Plausible values for a trial render at save time: it catches loops and oversized output.
SAMPLE_VARIABLES: Mapping[str, object] = {
    "account": {"name": "Cabinet Martin", "answer_name": "Cabinet Martin", "timezone": "UTC"},
    "person": {
        "first_name": "Claire",
        "last_name": "Dupont-Lefèvre",
        "name": "Claire Dupont-Lefèvre",
        "title": "Maître",
        "pronunciation": "du-PON le-FAIV-r",
        "group": "Associés",
        "availability": "est en réunion",
        "state": "meeting",
        "back_at": "15:00",
        "delegate": "Sophie Martin",
    },
    "caller": {"number": "+33 6 12 34 56 78", "name": "Dupont SA — M. Leroy", "known": True},
    "time": {
        "hour": "14:05",
        "date": "2026-12-01",
        "weekday": "mardi",
        "part_of_day": "afternoon",
        "hello": "Bonjour",
    },
    "situation": "office_hours",
}
