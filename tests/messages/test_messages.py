"""Taking, correcting, reading, acknowledging and listing messages (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from messages_helpers import NOW, new_message
from sqlalchemy import select

from accueil.core.delivery import Level
from accueil.core.scripts.model import ActionKind, Urgency
from accueil.core.scripts.runner import ScriptOutcome, TakenMessage
from accueil.errors import InvalidInput, NotFound
from accueil.services import messages
from accueil.services.delivery_preferences import set_preferences
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow, MessageRow


def _take(app: Application, person: str = "claire", urgency: Level = Level.NORMAL) -> str:
    with app.unit_of_work() as work:
        return messages.take_message(
            work.session, "martin", new_message(person, urgency), now=work.now
        ).uid


def _deliveries(app: Application) -> list[tuple[str, str, str]]:
    with app.sessions() as s:
        rows = s.scalars(select(DeliveryRow).order_by(DeliveryRow.id))
        return [(r.channel, r.address, r.state) for r in rows]


def test_a_taken_message_is_stored_with_its_history_and_its_delivery_queued(
    app: Application,
) -> None:
    heard: list[str] = []
    app.subscribe(lambda e: heard.append(e.event.name))
    uid = _take(app)
    with app.sessions() as s:
        found = messages.get_message(s, "martin", uid)
        history = messages.history(s, "martin", uid)
    assert found.caller_number == "+33612345678" and found.status == "queued"
    assert found.fields[0] == ("subject", "Objet", "Audience de jeudi")
    assert found.message_id == f"<{uid}@accueil>" and found.language == "fr"
    assert [(h.kind, h.channel) for h in history] == [("taken", ""), ("queued", "email")]
    assert _deliveries(app) == [("email", "claire@martin.example", "queued")]
    assert heard == ["message.taken"]


def test_a_message_from_a_script_outcome_keeps_its_fields_and_urgency(app: Application) -> None:
    outcome = ScriptOutcome(
        action=ActionKind.TAKE_MESSAGE,
        step="end",
        message=TakenMessage("claire", "+33612345678", "Roy", Urgency.URGENT, (("a", "A", "x"),)),
    )
    with app.unit_of_work() as work:
        new = messages.NewMessage.from_outcome(outcome, agent="ana", call_id="c-9")
        found = messages.take_message(work.session, "martin", new, now=work.now)
    assert (found.urgency, found.agent, found.call_id) == ("urgent", "ana", "c-9")
    # urgent by default: an SMS asking for a reply, and an email
    assert [c for c, _, _ in _deliveries(app)] == ["sms", "email"]


def test_a_message_is_never_edited_a_correction_is_a_new_version(app: Application) -> None:
    uid = _take(app)
    with app.unit_of_work() as work:
        fixed = messages.correct_message(
            work.session, "martin", uid, new_message(), now=work.now + timedelta(minutes=2)
        )
    assert (fixed.version, fixed.first) == (2, uid)
    with app.unit_of_work() as work:
        again = messages.correct_message(work.session, "martin", fixed.uid, new_message(), now=NOW)
    assert (again.version, again.first) == (3, uid)
    with pytest.raises(RuntimeError, match="written once"), app.unit_of_work() as work:
        row = work.session.scalar(select(MessageRow).where(MessageRow.uid == uid))
        assert row is not None
        row.note = "changed"
    with app.sessions() as s:
        assert messages.get_message(s, "martin", uid).note == ""


def test_reading_is_audited_and_acknowledging_stops_the_escalation(app: Application) -> None:
    with app.unit_of_work() as work:
        set_preferences(
            work.session,
            "martin",
            "",
            {
                "urgent": {
                    "channels": ["sms"],
                    "escalate_after_minutes": 10,
                    "escalate_to": ["person:paul"],
                }
            },
            now=work.now,
        )
    uid = _take(app, urgency=Level.URGENT)
    assert ("escalate", "person:paul", "queued") in _deliveries(app)
    heard: list[str] = []
    app.subscribe(lambda e: heard.append(e.event.name))
    with app.unit_of_work() as work:
        read = messages.read_message(work.session, "martin", uid, reader="claire", now=work.now)
        assert read.status == "read"
    with app.unit_of_work() as work:
        assert messages.acknowledge(work.session, "martin", uid, by="claire", now=work.now)
        assert not messages.acknowledge(work.session, "martin", uid, by="claire", now=work.now)
    assert ("escalate", "person:paul", "cancelled") in _deliveries(app)
    assert heard == ["message.read", "message.acknowledged"]
    with app.sessions() as s:
        history = messages.history(s, "martin", uid)
        assert [(h.kind, h.actor) for h in history if h.kind in ("read", "acknowledged")] == [
            ("read", "claire"),
            ("acknowledged", "claire"),
        ]
        assert messages.get_message(s, "martin", uid).status == "acknowledged"


def test_listing_is_per_account_newest_first_and_by_person_or_status(app: Application) -> None:
    first, second = _take(app), _take(app, person="paul")
    with app.unit_of_work() as work:
        messages.acknowledge(work.session, "martin", first, by="claire", now=work.now)
    with app.sessions() as s:
        assert {m.uid for m in messages.list_messages(s, "martin")} == {first, second}
        assert [m.uid for m in messages.list_messages(s, "martin", person="paul")] == [second]
        assert [m.uid for m in messages.list_messages(s, "martin", status="acknowledged")] == [
            first
        ]
        assert messages.list_messages(s, "durand") == []
        with pytest.raises(NotFound, match="no message"):
            messages.get_message(s, "durand", first)
        with pytest.raises(InvalidInput, match="'lost' is not a message status"):
            messages.list_messages(s, "martin", status="lost")


def test_another_accounts_message_cannot_be_read_or_acknowledged(app: Application) -> None:
    uid = _take(app)
    with pytest.raises(NotFound), app.unit_of_work() as work:
        messages.read_message(work.session, "durand", uid, reader="zoe", now=work.now)
    with pytest.raises(NotFound), app.unit_of_work() as work:
        messages.acknowledge(work.session, "durand", uid, by="zoe", now=work.now)
    with app.sessions() as s:
        assert [h.kind for h in messages.history(s, "martin", uid)] == ["taken", "queued"]


def test_a_channel_without_an_address_is_recorded_as_failed_and_the_message_kept(
    app: Application,
) -> None:
    heard: list[str] = []
    app.subscribe(lambda e: heard.append(e.event.name))
    uid = _take(app, person="nomail")
    assert heard == ["message.delivery", "message.taken"]
    with app.sessions() as s:
        history = messages.history(s, "martin", uid)
    assert [(h.kind, h.detail) for h in history] == [
        ("taken", ""),
        ("failed", "the person has no email address"),
    ]
    assert _deliveries(app) == []


@pytest.mark.parametrize(
    ("new", "error"),
    [
        (messages.NewMessage(person=""), "give the person's key"),
        (messages.NewMessage(person="ghost"), "no person 'ghost'"),
        (messages.NewMessage(person="claire", fields=(("a", "b"),)), r"fields\[0\]"),  # type: ignore[arg-type]
    ],
)
def test_bad_input_is_refused_and_nothing_is_stored(
    app: Application, new: messages.NewMessage, error: str
) -> None:
    with pytest.raises((InvalidInput, NotFound), match=error), app.unit_of_work() as work:
        messages.take_message(work.session, "martin", new, now=work.now)
    with app.sessions() as s:
        assert messages.list_messages(s, "martin") == []
