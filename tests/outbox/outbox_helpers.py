"""Helpers of the outbox tests: the instant, a directory, a subscriber that keeps what it hears."""

from __future__ import annotations

from datetime import UTC, datetime

from accueil.services.outbox import Envelope

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
DIRECTORY = {
    "accounts": [
        {"key": "martin", "name": "Cabinet Martin", "country": "FR"},
        {"key": "durand", "name": "Durand SA", "country": "FR"},
    ],
    "groups": [{"account": "martin", "key": "associes", "name": "Associés"}],
    "people": [
        {"account": "martin", "key": "claire", "first_name": "Claire", "last_name": "Martin",
         "group": "associes"},
        {"account": "martin", "key": "paul", "first_name": "Paul", "last_name": "Roy"},
        {"account": "durand", "key": "zoe", "first_name": "Zoé", "last_name": "Durand"},
    ],
}  # fmt: skip


class Heard:
    """A subscriber that keeps what it hears (a working one: it is what a stream would do)."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []

    def __call__(self, envelope: Envelope) -> None:
        self.envelopes.append(envelope)

    @property
    def names(self) -> list[str]:
        return [e.event.name for e in self.envelopes]
