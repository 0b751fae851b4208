"""An employee's own events on ``/api/v1/events/stream``: a message taken for them, each step
of its delivery (delivered, failed, requeued), its reading and acknowledgement, and their
availability set and cleared. A colleague of the same account gets none of them."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, select
from stream_world import Server, next_of, serving
from test_event_streams import _last_cursor, _subscribe

from accueil.services.availability import clear_status, parse_state, set_status
from accueil.services.deliveries import retry_now
from accueil.services.messages import (
    NewMessage,
    acknowledge,
    add_event,
    read_message,
    take_message,
)
from accueil.store.tables_messages import DeliveryRow, MessageRow

THEIRS = [
    ("message.taken", ""),
    ("message.delivery", "delivered"),
    ("message.delivery", "failed"),
    ("message.delivery", "requeued"),
    ("message.read", ""),
    ("message.acknowledged", ""),
    ("status.set", ""),
    ("status.cleared", ""),
]


def _claires_day(server: Server) -> None:
    """A message for Claire, its delivery, read and taken on; her status set and cleared."""

    def commit() -> None:
        app = server.runtime.app
        with app.unit_of_work() as work:
            uid = take_message(
                work.session, "martin", NewMessage(person="claire", caller_name="Jean"),
                now=work.now,
            ).uid  # fmt: skip
        with app.unit_of_work() as work:
            row = work.session.scalars(select(MessageRow).where(MessageRow.uid == uid)).one()
            add_event(work.session, row, "delivered", work.now, channel="email")
            add_event(work.session, row, "failed", work.now, channel="sms", detail="no route")
            delivery = work.session.scalars(
                select(DeliveryRow).where(DeliveryRow.message_id == row.id)
            ).first()
            assert delivery is not None
            delivery.state = "dead"
        with app.unit_of_work() as work:
            retry_now(work.session, "martin", delivery.id, by="sup", now=work.now)
        with app.unit_of_work() as work:
            read_message(work.session, "martin", uid, reader="claire", now=work.now)
            acknowledge(work.session, "martin", uid, by="claire", now=work.now)
            set_status(work.session, "martin", "claire", parse_state("meeting"), now=work.now)
            clear_status(work.session, "martin", "claire", now=work.now)

    server.on_loop(commit)


def _named(message: dict[str, Any]) -> tuple[str, str]:
    kind = message["payload"].get("kind", "") if message["name"] == "message.delivery" else ""
    return message["name"], kind


def _events(ws: Any, count: int) -> list[tuple[str, str]]:
    """The next ``count`` events, then nothing more before a heartbeat's reply."""
    got = [_named(next_of(ws, "event")) for _ in range(count)]
    return got + _heard(ws)


def _heard(ws: Any) -> list[tuple[str, str]]:
    ws.send_json({"type": "heartbeat", "id": "h"})  # its reply: the end of what was sent
    got: list[dict[str, Any]] = []
    next_of(ws, "reply", got)
    return [_named(m) for m in got if m["type"] == "event"]


def test_an_employee_gets_their_messages_deliveries_and_availability_a_colleague_not(
    seeded: Engine,
) -> None:
    with serving(seeded) as server:
        start = _last_cursor(server)
        claire, _ = _subscribe(server, "claire_user", cursor=start)
        colleague, _ = _subscribe(server, "pdurand_user", cursor=start)
        _claires_day(server)
        assert _events(claire, len(THEIRS)) == THEIRS
        assert _heard(colleague) == []  # pushed to every subscriber at once: none for them
        # resuming from the start: the same, and still nothing for the colleague
        again, _ = _subscribe(server, "claire_user", cursor=start)
        assert _events(again, len(THEIRS)) == THEIRS
        late, _ = _subscribe(server, "pdurand_user", cursor=start)
        assert _heard(late) == []
