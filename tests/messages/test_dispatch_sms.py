"""SMS through an HTTP gateway (generic and Twilio-compatible) played by a local receiver;
receipts and replies ("1" acknowledges) through services.sms_inbound."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from messages_helpers import NOW, kinds, run, states, take
from servers import Gateway, HttpReceiver, http_receiver
from sqlalchemy import select

from accueil.core.delivery import Level
from accueil.dispatch.dispatcher import Dispatcher
from accueil.dispatch.sms import GatewaySettings, SmsChannel, twilio_signature
from accueil.services import sms_inbound
from accueil.services.clock import FixedClock
from accueil.services.delivery_preferences import set_preferences
from accueil.services.messages import get_message
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow, MessageRow

CLAIRE = "+33641404068"


@pytest.fixture(params=["generic", "twilio"])
def gateway(
    request: pytest.FixtureRequest, app: Application
) -> Iterator[tuple[Gateway, HttpReceiver]]:
    fake = Gateway(kind=request.param)
    with http_receiver(HttpReceiver(answer=fake.answer)) as receiver:
        yield fake, receiver


def _dispatcher(
    app: Application, fake: Gateway, receiver: HttpReceiver, timeout: float = 10.0
) -> Dispatcher:
    url = receiver.url if fake.kind == "twilio" else f"{receiver.url}/sms"
    settings = GatewaySettings(
        kind=fake.kind, url=url, account="AC1", token="t", sender="ACCUEIL", timeout=timeout
    )
    return Dispatcher(app, {"sms": SmsChannel(settings)}, rng=random.Random(3))


def _urgent_by_sms_only(app: Application) -> None:
    with app.unit_of_work() as work:
        document = {"urgent": {"channels": ["sms"], "reply_code": True, "quiet_hours": False}}
        set_preferences(work.session, "martin", "", document, now=work.now)


def test_an_urgent_sms_asks_for_a_reply_and_the_gateway_id_is_kept(
    app: Application, gateway: tuple[Gateway, HttpReceiver]
) -> None:
    fake, receiver = gateway
    _urgent_by_sms_only(app)
    uid = take(app, urgency=Level.URGENT)
    run(_dispatcher(app, fake, receiver))
    ((sms_id, to, text),) = fake.sent.values()
    assert to == CLAIRE and text.startswith("[URGENT] Message de M. Lefebvre pour Claire Martin")
    assert "Répondez 1" in text
    if fake.kind == "twilio":
        assert receiver.requests[0].path == "/2010-04-01/Accounts/AC1/Messages.json"
    assert states(app) == [("sms", "sent")]
    with app.unit_of_work() as work:
        said = sms_inbound.receipt(work.session, sms_id, "delivered", now=work.now)
        assert said == f"{uid}: delivered"
    with app.unit_of_work() as work:  # a replayed receipt changes nothing
        assert "nothing to change" in sms_inbound.receipt(
            work.session, sms_id, "delivered", now=work.now
        )
    assert kinds(app, "martin", uid) == ["taken", "queued", "sent", "delivered"]


def test_a_retry_after_a_lost_answer_does_not_send_twice(
    app: Application, gateway: tuple[Gateway, HttpReceiver]
) -> None:
    fake, receiver = gateway
    _urgent_by_sms_only(app)
    take(app, urgency=Level.URGENT)
    receiver.script = ["hang"]  # the gateway sends, but its answer comes too late
    receiver.hang_seconds = 6.0  # well past the time-out below
    dispatcher = _dispatcher(app, fake, receiver, timeout=2.0)
    run(dispatcher)
    assert states(app) == [("sms", "queued")]
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(seconds=5))
    run(dispatcher)
    assert states(app) == [("sms", "sent")]
    assert len(receiver.requests) == 2 and len(fake.sent) == 1  # one SMS went out


@pytest.mark.parametrize(
    ("answer", "wait", "error"),
    [(500, 1, "HTTP 500"), (429, 120, "HTTP 429"), ("garbage", 1, "answered without")],
)
def test_a_gateway_in_trouble_is_retried_later_and_the_sms_goes_once(
    app: Application, gateway: tuple[Gateway, HttpReceiver], answer: int | str, wait: int,
    error: str,
) -> None:  # fmt: skip
    fake, receiver = gateway
    _urgent_by_sms_only(app)
    uid = take(app, urgency=Level.URGENT)
    receiver.script, receiver.retry_after = [answer], "120"
    dispatcher = _dispatcher(app, fake, receiver)
    run(dispatcher)
    with app.sessions() as s:
        (row,) = s.scalars(select(DeliveryRow))
        assert (row.state, row.attempts) == ("queued", 1) and error in row.last_error
        assert row.next_attempt_at >= NOW + timedelta(seconds=wait)  # 429: its Retry-After
    assert isinstance(app.clock, FixedClock)
    app.clock.advance(timedelta(seconds=wait - 1))
    assert run(dispatcher) == 0  # not before
    app.clock.advance(timedelta(minutes=1))
    run(dispatcher)
    assert states(app) == [("sms", "sent")] and len(fake.sent) == 1
    assert kinds(app, "martin", uid)[-1] == "sent"


def test_reply_1_acknowledges_and_a_code_must_be_one_sent_to_that_number(
    app: Application, gateway: tuple[Gateway, HttpReceiver]
) -> None:
    fake, receiver = gateway
    _urgent_by_sms_only(app)
    first, second = take(app, urgency=Level.URGENT), take(app, urgency=Level.URGENT)
    run(_dispatcher(app, fake, receiver))
    with app.sessions() as s:
        code = s.scalar(select(MessageRow.reply_code).where(MessageRow.uid == first))
        assert get_message(s, "martin", first).status == "sent"
    with app.unit_of_work() as work:
        assert "no message awaiting a reply" in sms_inbound.reply(
            work.session, "+33699999999", f"1 {code}", now=work.now
        )
        assert "not understood" in sms_inbound.reply(work.session, CLAIRE, "yes", now=work.now)
        said = sms_inbound.reply(work.session, CLAIRE, f"1 {code}", now=work.now)
    assert said == f"{first}: acknowledged by {CLAIRE}"
    with app.unit_of_work() as work:  # a bare "1": the latest message sent to that number
        said = sms_inbound.reply(work.session, CLAIRE, "1", now=work.now)
    assert said.endswith(f"acknowledged by {CLAIRE}")
    assert "acknowledged" in kinds(app, "martin", second)


def test_a_failed_receipt_makes_the_sms_dead_for_a_supervisor(
    app: Application, gateway: tuple[Gateway, HttpReceiver]
) -> None:
    fake, receiver = gateway
    _urgent_by_sms_only(app)
    uid = take(app, urgency=Level.URGENT)
    run(_dispatcher(app, fake, receiver))
    ((sms_id, _, _),) = fake.sent.values()
    with app.unit_of_work() as work:
        sms_inbound.receipt(work.session, sms_id, "undelivered", now=work.now, error="30003")
        assert "no SMS" in sms_inbound.receipt(work.session, "SM9999", "delivered", now=work.now)
    assert states(app) == [("sms", "dead")]
    assert kinds(app, "martin", uid)[-1] == "failed"


def test_a_replayed_inbound_request_is_seen_once(app: Application) -> None:
    with app.unit_of_work() as work:
        assert not sms_inbound.seen_before(work.session, "generic", "evt-1", now=work.now)
        assert sms_inbound.seen_before(work.session, "generic", "evt-1", now=work.now)
        assert not sms_inbound.seen_before(work.session, "twilio", "evt-1", now=work.now)


def test_the_twilio_signature_is_twilios_documented_example() -> None:
    # the example of Twilio's documentation on webhook security (auth token 12345)
    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert twilio_signature("12345", url, params) == "GvWf1cFY/Q7PnoempGyD5oXAezc="
