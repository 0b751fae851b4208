"""Urgent escalation on an injected clock, acknowledgement by reply, and the daily digest."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from messages_helpers import kinds, run, take
from servers import Gateway, HttpReceiver, MailStore, http_receiver, smtp_server
from sqlalchemy import select

from accueil.core.delivery import Level
from accueil.dispatch.dispatcher import Dispatcher
from accueil.dispatch.email import SmtpChannel, SmtpSettings
from accueil.dispatch.sms import GatewaySettings, SmsChannel
from accueil.errors import Conflict
from accueil.services import sms_inbound
from accueil.services.callers import set_rota
from accueil.services.clock import FixedClock
from accueil.services.delivery_preferences import set_preferences
from accueil.services.messages import acknowledge, get_message
from accueil.services.rotas import remove_rota
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow
from settled import settled

CLAIRE, ON_CALL, PAUL = "+33641404068", "+33641404070", "+33641404069"


@pytest.fixture
def world(app: Application) -> Iterator[tuple[Dispatcher, Gateway, MailStore]]:
    fake = Gateway()
    with http_receiver(HttpReceiver(answer=fake.answer)) as receiver, smtp_server() as (mail, port):
        sms = SmsChannel(GatewaySettings(url=f"{receiver.url}/sms", token="t"))
        # generous: nothing hangs here, and a loaded machine must not make a good exchange
        # with the loopback server a time-out
        email = SmtpChannel(SmtpSettings(port=port, timeout=30))
        with app.unit_of_work() as work:
            set_rota(work.session, "martin", {"key": "permanence", "shifts": [
                {"contacts": ["06 41 40 40 70"]}]}, now=work.now)  # fmt: skip
            set_preferences(work.session, "martin", "", {
                "urgent": {"channels": ["sms"], "reply_code": True, "quiet_hours": False,
                           "escalate_after_minutes": 10,
                           "escalate_to": ["rota:permanence", "person:paul"]},
            }, now=work.now)  # fmt: skip
        yield Dispatcher(app, {"sms": sms, "email": email}, rng=random.Random(4)), fake, mail


def _advance(app: Application, **delta: float) -> None:
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(**delta))


def _texts_to(fake: Gateway, number: str) -> list[str]:
    return [text for _, to, text in fake.sent.values() if to == number]


def test_unacknowledged_urgent_goes_to_the_rota_then_the_supervisor(
    app: Application, world: tuple[Dispatcher, Gateway, MailStore]
) -> None:
    dispatcher, fake, mail = world
    uid = take(app, urgency=Level.URGENT)
    run(dispatcher)
    assert len(_texts_to(fake, CLAIRE)) == 1
    _advance(app, minutes=9, seconds=59)
    assert run(dispatcher) == 0  # not yet
    _advance(app, seconds=1)
    run(dispatcher)  # the escalation step: the rota's number is queued
    run(dispatcher)  # and sent
    (text,) = _texts_to(fake, ON_CALL)
    assert text.startswith("Escalade : personne n'a pris en charge ce message pour Claire Martin")
    assert "Répondez 1" in text
    _advance(app, minutes=10)
    run(dispatcher)
    run(dispatcher)
    assert len(_texts_to(fake, PAUL)) == 1
    assert [str(m["To"]) for m in mail.mails] == ["paul@martin.example"]
    sent_before_expiry = set(fake.sent)
    assert kinds(app, "martin", uid).count("escalated") == 2
    _advance(app, minutes=9, seconds=59)
    assert run(dispatcher) == 0
    _advance(app, seconds=1)
    assert run(dispatcher) == 1  # as long again after the last target: nobody owns it
    with app.sessions() as s:
        assert kinds(app, "martin", uid)[-1] == "expired"
        assert get_message(s, "martin", uid).status == "expired"
    (event,) = [e for e in settled(app.sessions) if getattr(e.event, "kind", "") == "expired"]
    assert event.event.uid == uid  # type: ignore[attr-defined]
    _advance(app, minutes=30)
    assert run(dispatcher) == 0  # the chain has ended
    assert not fake.sent.keys() - sent_before_expiry  # expiring sends nothing more


def test_a_reply_from_the_on_call_number_acknowledges_and_stops_the_chain(
    app: Application, world: tuple[Dispatcher, Gateway, MailStore]
) -> None:
    dispatcher, fake, _ = world
    uid = take(app, urgency=Level.URGENT)
    run(dispatcher)
    _advance(app, minutes=10)
    run(dispatcher)
    run(dispatcher)
    with app.unit_of_work() as work:
        said = sms_inbound.reply(work.session, ON_CALL, "1", now=work.now)
    assert said == f"{uid}: acknowledged by {ON_CALL}"
    _advance(app, minutes=10)
    assert run(dispatcher) == 0  # the supervisor's step was cancelled
    assert _texts_to(fake, PAUL) == []
    with app.sessions() as s:
        steps = {r.step: r.state for r in s.scalars(select(DeliveryRow).where(
            DeliveryRow.channel == "escalate"))}  # fmt: skip
    assert steps == {1: "done", 2: "cancelled"}
    assert "expired" not in kinds(app, "martin", uid)


def test_acknowledged_in_time_nobody_else_is_disturbed(
    app: Application, world: tuple[Dispatcher, Gateway, MailStore]
) -> None:
    dispatcher, fake, _ = world
    take(app, urgency=Level.URGENT)
    run(dispatcher)
    with app.unit_of_work() as work:
        sms_inbound.reply(work.session, CLAIRE, "1", now=work.now)
    _advance(app, minutes=60)
    assert run(dispatcher) == 0
    assert _texts_to(fake, ON_CALL) == [] and _texts_to(fake, PAUL) == []


def test_low_messages_wait_for_one_digest_email_at_its_time(
    app: Application, world: tuple[Dispatcher, Gateway, MailStore]
) -> None:
    dispatcher, _, mail = world
    uids = [take(app, urgency=Level.LOW) for _ in range(3)]
    assert run(dispatcher) == 0  # 10:00 in Paris: the digest goes at 18:00
    assert isinstance(app.clock, FixedClock)
    app.clock.set(datetime(2026, 11, 30, 17, 0, tzinfo=UTC))
    assert run(dispatcher) == 3
    (digest,) = mail.mails
    assert digest["Subject"] == "Vos messages du jour (3)"
    assert digest["To"] == "claire@martin.example"
    text = digest.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert text.count("Objet: Audience de jeudi") == 3
    assert all(kinds(app, "martin", uid)[-1] == "sent" for uid in uids)


def test_a_rota_an_escalation_under_way_will_tell_is_kept_until_the_message_is_owned(
    app: Application, world: tuple[Dispatcher, Gateway, MailStore]
) -> None:
    uid = take(app, urgency=Level.URGENT)  # its first escalation step names rota:permanence
    with app.unit_of_work() as work:  # the chain no longer names it: the step under way does
        set_preferences(work.session, "martin", "", {"urgent": {"channels": ["sms"]}},
                        now=work.now)  # fmt: skip
    with pytest.raises(Conflict) as used, app.unit_of_work() as work:
        remove_rota(work.session, "martin", "permanence", by="lea", now=work.now)
    assert used.value.details["uses"] == [
        f"message {uid}, escalation step 1 still to come (acknowledge the message)"
    ]
    with app.unit_of_work() as work:
        acknowledge(work.session, "martin", uid, by="claire", now=work.now)
        assert remove_rota(work.session, "martin", "permanence", by="lea", now=work.now).removed_at
