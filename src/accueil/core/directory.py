"""The directory: accounts, their groups and people, numbers, and the pool's agents.

Frozen dataclasses, independent of the store. Every row that belongs to a client carries its
account key; ``key`` fields are the stable keys of import files.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from accueil.core.hours import WeeklyHours
from accueil.core.phone import pretty


class DeviceKind(StrEnum):
    DESK = "desk"  # a SIP desk phone: sip:2001@pbx.example
    MOBILE = "mobile"  # an E.164 mobile number
    SOFTPHONE = "softphone"  # a SIP softphone or app


class Tier(StrEnum):
    """An account's service tier: its target seconds to answer and its priority bonus."""

    PREMIUM = "premium"
    STANDARD = "standard"
    ECONOMY = "economy"


@dataclass(frozen=True)
class Account:
    """A client company of the operator: the unit of tenancy."""

    key: str
    name: str
    answer_name: str  # the name the phone is answered in: "Cabinet Martin, bonjour"
    timezone: str = "Europe/Paris"
    country: str = "FR"
    subdivision: str = ""  # e.g. "57" for Moselle (Alsace-Moselle holidays), "ENG"
    languages: tuple[str, ...] = ("fr",)
    business_hours: WeeklyHours = field(default_factory=WeeklyHours)
    tier: Tier = Tier.STANDARD
    target_seconds: int = 20  # answer within this many seconds
    notes: str = ""
    colour: str = "#4a6fa5"
    id: int | None = None


@dataclass(frozen=True)
class Group:
    """A department of an account: accounting, dental surgery, the partners."""

    account: str
    key: str
    name: str
    id: int | None = None


@dataclass(frozen=True)
class Device:
    """Where a person can be reached."""

    key: str  # "mobile", "desk", "home"…, unique per person; rules name devices by it
    kind: DeviceKind
    address: str  # E.164 for mobiles, a SIP URI otherwise
    raw: str = ""  # a mobile's number as it was written (a national one, read in the country)


@dataclass(frozen=True)
class Person:
    """An employee of an account: the one who gets a personal receptionist."""

    account: str
    key: str
    first_name: str
    last_name: str
    pronunciation: str = ""  # "Lefèvre: le-FAIV-r"
    title: str = ""
    group: str = ""  # a group key of the same account, or empty
    languages: tuple[str, ...] = ("fr",)
    email: str = ""
    devices: tuple[Device, ...] = ()
    working_hours: WeeklyHours | None = None  # None: the account's business hours
    active: bool = True  # people who left are archived, never deleted
    id: int | None = None

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def device(self, key: str) -> Device | None:
        return next((d for d in self.devices if d.key == key), None)


def reach_of(devices: Sequence[Device], email: str = "") -> tuple[str, ...]:
    """How to reach a person, as a secretary reads it: each device by its key and address
    ('mobile +33 6 12 34 56 78', 'desk sip:2001@pbx.example'), then their email."""
    found = tuple(f"{d.key} {_readable(d.address)}" for d in devices)
    return (*found, email) if email else found


def _readable(address: str) -> str:
    return pretty(address) if address.startswith("+") else address


@dataclass(frozen=True)
class Number:
    """A dialled number (E.164) that leads to exactly one account, optionally one person."""

    e164: str
    account: str
    person: str = ""  # a person key of that account, or empty for the switchboard
    raw: str = ""  # as it was written in the source
    label: str = ""


@dataclass(frozen=True)
class Training:
    """An agent is trained on an account, at a level (1 = can answer, 3 = knows it well)."""

    account: str
    level: int = 1


@dataclass(frozen=True)
class Agent:
    """A telephone secretary of the operator's pool."""

    key: str
    name: str
    site: str = "home"  # a site name, or "home"
    languages: tuple[str, ...] = ("fr",)
    trainings: tuple[Training, ...] = ()
    sip_uri: str = ""
    active: bool = True
    id: int | None = None

    def level_for(self, account: str) -> int:
        return next((t.level for t in self.trainings if t.account == account), 0)
