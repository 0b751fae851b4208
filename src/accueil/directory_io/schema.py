"""The fields of each kind of record: which exist, which are required, their defaults."""

from __future__ import annotations

from accueil.core.directory import Tier
from accueil.directory_io.records import Kind

FIELDS: dict[Kind, tuple[str, ...]] = {
    Kind.ACCOUNTS: (
        "key",
        "name",
        "answer_name",
        "timezone",
        "country",
        "subdivision",
        "languages",
        "business_hours",
        "tier",
        "target_seconds",
        "notes",
        "colour",
        "active",
    ),
    Kind.GROUPS: ("account", "key", "name"),
    Kind.PEOPLE: (
        "account",
        "key",
        "first_name",
        "last_name",
        "pronunciation",
        "title",
        "group",
        "languages",
        "email",
        "devices",
        "working_hours",
        "active",
        # Shortcuts for spreadsheets: one column per device, named after its kind.
        "mobile",
        "desk",
        "softphone",
    ),
    Kind.NUMBERS: ("number", "e164", "account", "person", "label"),
    Kind.AGENTS: ("key", "name", "site", "languages", "sip_uri", "trainings", "active"),
}

# Always required. A new account or agent also needs a name, a new person a first or last
# name; an entry already in the database may leave them out (see docs/import.md).
REQUIRED: dict[Kind, tuple[str, ...]] = {
    Kind.ACCOUNTS: ("key",),
    Kind.GROUPS: ("account", "key"),
    Kind.PEOPLE: ("account", "key"),
    Kind.NUMBERS: ("number", "account"),
    Kind.AGENTS: ("key",),
}

# Fields written by export (the shortcuts are for input only).
EXPORTED: dict[Kind, tuple[str, ...]] = {
    kind: tuple(f for f in fields if f not in {"mobile", "desk", "softphone"})
    for kind, fields in FIELDS.items()
}

DEFAULT_HOURS = "mon-fri 09:00-18:00"
TARGET_SECONDS = {Tier.PREMIUM: 10, Tier.STANDARD: 20, Tier.ECONOMY: 40}
TIME_ZONES = {
    "FR": "Europe/Paris",
    "GB": "Europe/London",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "LU": "Europe/Luxembourg",
    "MC": "Europe/Monaco",
    "IE": "Europe/Dublin",
}
FRENCH_SPEAKING = {"FR", "BE", "CH", "LU", "MC"}


def default_timezone(country: str) -> str:
    return TIME_ZONES.get(country, "Europe/Paris")


def default_languages(country: str) -> tuple[str, ...]:
    return ("fr",) if country in FRENCH_SPEAKING else ("en",)
