"""Helpers of the message tests: the instant, a directory, a message."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from sqlalchemy import select

from accueil.core.delivery import Level
from accueil.dispatch.dispatcher import Dispatcher
from accueil.services.messages import NewMessage, history, take_message
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow

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


def take(app: Application, person: str = "claire", urgency: Level = Level.NORMAL,
         account: str = "martin") -> str:  # fmt: skip
    """Take a message now, in its own unit of work; its uid."""
    with app.unit_of_work() as work:
        return take_message(work.session, account, new_message(person, urgency), now=work.now).uid


def states(app: Application) -> list[tuple[str, str]]:
    """(channel, state) of every delivery, in order."""
    with app.sessions() as s:
        rows = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id))
        return [(r.channel, r.state) for r in rows]


def kinds(app: Application, account: str, uid: str) -> list[str]:
    with app.sessions() as s:
        return [h.kind for h in history(s, account, uid)]


def run(dispatcher: Dispatcher) -> int:
    """One batch, its connections closed after it (each run has its own event loop)."""

    async def once() -> int:
        try:
            return await dispatcher.run_once()
        finally:
            await dispatcher.close()

    return asyncio.run(once())
