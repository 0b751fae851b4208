"""Webhooks signed per Standard Webhooks, to a real HTTP receiver on loopback."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import timedelta

import pytest
from messages_helpers import NOW, kinds, run, states, take
from servers import HttpReceiver, http_receiver
from standardwebhooks.webhooks import WebhookVerificationError

from accueil.dispatch.dispatcher import Dispatcher
from accueil.dispatch.webhook import WebhookChannel, verify
from accueil.services.clock import FixedClock
from accueil.services.delivery_preferences import set_preferences
from accueil.services.unit_of_work import Application

SECRET = "whsec_" + base64.b64encode(b"a secret of the client, 32 bytes").decode()


@pytest.fixture
def receiver(app: Application) -> Iterator[HttpReceiver]:
    with http_receiver() as found:
        with app.unit_of_work() as work:
            document = {
                "webhook_url": f"{found.url}/hooks",
                "webhook_secret": SECRET,
                "normal": {"channels": ["webhook"]},
            }
            set_preferences(work.session, "martin", "", document, now=work.now)
        yield found


def _dispatcher(app: Application, timeout: float = 10.0) -> Dispatcher:
    # generous: a loaded machine must not turn a good exchange into a time-out (the attempt's
    # too: at 5 s it cut the channel's 10 s short; a hang is ended by the channel's)
    channel = WebhookChannel(app.clock.now, timeout=timeout)
    return Dispatcher(app, {"webhook": channel}, rng=random.Random(2), attempt_timeout=30)


def _clock(app: Application) -> FixedClock:
    assert isinstance(app.clock, FixedClock)
    return app.clock


def test_the_receiver_gets_the_message_signed_and_it_counts_as_delivered(
    app: Application, receiver: HttpReceiver
) -> None:
    uid = take(app)
    run(_dispatcher(app))
    (request,) = receiver.requests
    assert verify(SECRET, request.headers, request.body, now=NOW) == uid
    data = request.json()["data"]
    assert (data["id"], data["person"], data["urgency"]) == (uid, "claire", "normal")
    assert data["fields"][0] == {"id": "subject", "label": "Objet", "value": "Audience de jeudi"}
    assert request.path == "/hooks"
    assert kinds(app, "martin", uid) == ["taken", "queued", "sent", "delivered"]


def test_a_tampered_body_a_wrong_secret_and_a_too_old_request_are_refused(
    app: Application, receiver: HttpReceiver
) -> None:
    take(app)
    run(_dispatcher(app))
    (request,) = receiver.requests
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(SECRET, request.headers, request.body.replace(b"claire", b"paul"), now=NOW)
    other = "whsec_" + base64.b64encode(b"another secret, not the client's").decode()
    with pytest.raises(WebhookVerificationError, match="no signature matches"):
        verify(other, request.headers, request.body, now=NOW)
    with pytest.raises(WebhookVerificationError, match="too old"):
        verify(SECRET, request.headers, request.body, now=NOW + timedelta(minutes=6))
    with pytest.raises(WebhookVerificationError, match="missing"):
        verify(SECRET, {}, request.body, now=NOW)


def test_a_retry_carries_the_same_webhook_id_so_the_receiver_can_drop_a_replay(
    app: Application, receiver: HttpReceiver
) -> None:
    uid = take(app)
    receiver.script = [500]
    dispatcher = _dispatcher(app)
    run(dispatcher)
    assert states(app) == [("webhook", "queued")]
    _clock(app).advance(timedelta(seconds=5))
    run(dispatcher)
    first, second = receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == uid
    assert first.headers["webhook-timestamp"] != second.headers["webhook-timestamp"]
    assert len({r.headers["webhook-id"] for r in receiver.requests}) == 1  # one message
    assert states(app) == [("webhook", "delivered")]


def test_429_waits_at_least_its_retry_after_and_a_hung_receiver_times_out(
    app: Application, receiver: HttpReceiver
) -> None:
    take(app)
    receiver.script, receiver.retry_after = [429, "hang"], "120"
    receiver.hang_seconds = 6.0  # well past the channel's time-out
    dispatcher = _dispatcher(app, timeout=2.0)
    run(dispatcher)
    _clock(app).advance(timedelta(seconds=100))
    assert run(dispatcher) == 0  # Retry-After: 120 s
    _clock(app).advance(timedelta(seconds=21))
    run(dispatcher)  # the receiver hangs past the channel's time-out
    assert states(app) == [("webhook", "queued")]
    _clock(app).advance(timedelta(minutes=5))
    run(dispatcher)
    assert states(app) == [("webhook", "delivered")] and len(receiver.requests) == 3


def test_a_4xx_is_final_and_the_dispatcher_goes_on(
    app: Application, receiver: HttpReceiver
) -> None:
    first, second = take(app), take(app)
    receiver.script = [410]
    run(_dispatcher(app))
    assert sorted(states(app)) == [("webhook", "dead"), ("webhook", "delivered")]
    assert {kinds(app, "martin", first)[-1], kinds(app, "martin", second)[-1]} == {
        "failed",
        "delivered",
    }
