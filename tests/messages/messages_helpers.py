"""Helpers of the message tests: the instant, a directory, a message."""

from __future__ import annotations

from datetime import UTC, datetime

from accueil.core.delivery import Level
from accueil.services.messages import NewMessage

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # Monday 10:00 in Paris
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR", "languages": ["fr"]},
        {"key": "durand", "name": "Durand SA", "country": "GB", "languages": ["en"],
         "timezone": "Europe/London"},
    ],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Martin",
         "email": "claire@martin.example", "devices": ["mobile:06 41 40 40 68"]},
        {"account": "martin", "key": "paul", "first_name": "Paul", "last_name": "Roy",
         "email": "paul@martin.example", "devices": ["mobile:06 41 40 40 69"]},
        {"account": "martin", "key": "nomail", "first_name": "Léa", "last_name": "Sans"},
        {"account": "durand", "key": "zoe", "first_name": "Zoe", "last_name": "Durand",
         "email": "zoe@durand.example", "languages": ["en"]},
    ],
}  # fmt: skip


def new_message(person: str = "claire", urgency: Level = Level.NORMAL) -> NewMessage:
    return NewMessage(
        person=person,
        urgency=urgency,
        caller_number="06 12 34 56 78",
        caller_name="M. Lefebvre",
        fields=(("subject", "Objet", "Audience de jeudi"), ("callback", "Rappeler", "oui")),
        agent="ana",
        call_id="call-1",
    )
