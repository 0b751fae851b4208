"""Helpers shared by the rules tests: an account, its people, rules written as plain data."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from accueil.core.availability import Availability, Source, State
from accueil.core.callers import CallerList, KnownContacts, ListEntry
from accueil.core.decision import CallDirectory
from accueil.core.directory import Account, Device, DeviceKind, Person
from accueil.core.hours import WeeklyHours
from accueil.core.opening import Closure
from accueil.core.rota import Rota
from accueil.core.rules import Rule

ACCOUNT = Account(
    key="martin",
    name="Cabinet Martin",
    answer_name="Cabinet Martin, bonjour",
    timezone="Europe/Paris",
    country="FR",
    subdivision="57",
    business_hours=WeeklyHours.parse("mon-fri 09:00-18:00"),
)
CLAIRE = Person(
    account="martin",
    key="claire",
    first_name="Claire",
    last_name="Martin",
    group="associes",
    devices=(
        Device("mobile", DeviceKind.MOBILE, "+33612345678"),
        Device("desk", DeviceKind.DESK, "sip:2001@pbx.example"),
    ),
)
VIP_CALLER = "+33612345678"
LISTS = {
    "VIP": CallerList.of(
        "VIP", [ListEntry(VIP_CALLER, "Le président"), ListEntry("+4420*", "London")]
    ),
    "blocked": CallerList.of("blocked", [ListEntry("+33899*")]),
}
CONTACTS = KnownContacts({"+33140000099": "Dupont SA — M. Leroy"})
ROTA = Rota.model_validate(
    {
        "key": "nights",
        "shifts": [
            {"hours": "mon-fri 18:00-24:00", "contacts": ["+33611111111", "+33622222222"]},
            {"hours": "sat,sun 00:00-24:00", "contacts": ["+33633333333"]},
        ],
    }
)
DIALLED = "+33140000001"


def paris(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=ZoneInfo("Europe/Paris")).astimezone(UTC)


MONDAY_10 = paris(2026, 11, 30, 10)


def directory(person: Person | None = CLAIRE, closures: tuple[Closure, ...] = ()) -> CallDirectory:
    return CallDirectory(ACCOUNT, person, LISTS, CONTACTS, {"nights": ROTA}, closures)


def rule(name: str, then: dict[str, Any], when: dict[str, Any] | None = None, **extra: Any) -> Rule:
    data: dict[str, Any] = {"name": name, "then": then, **extra}
    if when is not None:
        data["when"] = when
    return Rule.model_validate(data)


def meeting(until: datetime | None = None, note: str = "Comité de direction") -> Availability:
    until = until or paris(2026, 11, 30, 15)
    return Availability("claire", State.MEETING, Source.CALENDAR, MONDAY_10, until, note)


def available() -> Availability:
    return Availability("claire", State.AVAILABLE, Source.HOURS, MONDAY_10, paris(2026, 11, 30, 18))
