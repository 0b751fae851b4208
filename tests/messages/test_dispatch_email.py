"""Email through a real SMTP server on loopback (aiosmtpd): content, Message-ID, faults."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default

import pytest
from messages_helpers import NOW, kinds, run, states, take
from servers import PASSWORD, TLS, USER, MailStore, smtp_server
from sqlalchemy import select

from accueil.core.delivery import Level
from accueil.dispatch.dispatcher import Dispatcher
from accueil.dispatch.email import SmtpChannel, SmtpSettings, compose, raw
from accueil.services import deliveries
from accueil.services.clock import FixedClock
from accueil.services.deliveries import Claimed
from accueil.services.messages import Message, history
from accueil.services.unit_of_work import Application
from accueil.store.tables_messages import DeliveryRow


@pytest.fixture
def mail() -> Iterator[tuple[MailStore, int]]:
    with smtp_server() as found:
        yield found


def _dispatcher(app: Application, port: int, timeout: float = 10.0) -> Dispatcher:
    # generous: a loaded machine must not turn a good exchange into a time-out (the attempt's
    # too: at 5 s it cut the channel's 10 s short; a hang is ended by the channel's)
    channel = SmtpChannel(
        SmtpSettings(port=port, timeout=timeout, sender="accueil <m@accueil.test>")
    )
    return Dispatcher(app, {"email": channel}, rng=random.Random(1), attempt_timeout=30)


def test_each_message_is_one_email_with_our_message_id_plain_and_html_in_the_persons_language(
    app: Application, mail: tuple[MailStore, int]
) -> None:
    store, port = mail
    french, english = take(app), take(app, person="zoe", account="durand")
    assert run(_dispatcher(app, port)) == 2
    by_id = {str(m["Message-ID"]): m for m in store.mails}
    assert set(by_id) == {f"<{french}@accueil>", f"<{english}@accueil>"}
    fr = by_id[f"<{french}@accueil>"]
    assert fr["To"] == "claire@martin.example"
    assert fr["Subject"] == "Message de M. Lefebvre pour Claire Martin"
    text = fr.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    page = fr.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "Objet: Audience de jeudi" in text and "Numéro: +33612345678" in text
    assert "<th align='left'>Objet</th><td>Audience de jeudi</td>" in page
    assert by_id[f"<{english}@accueil>"]["Subject"].startswith("Message from M. Lefebvre for Zoe")
    assert kinds(app, "martin", french) == ["taken", "queued", "sent"]
    assert states(app) == [("email", "sent"), ("email", "sent")]


def test_a_refusal_is_dead_at_once_and_retry_now_sends_it(
    app: Application, mail: tuple[MailStore, int]
) -> None:
    store, port = mail
    uid = take(app)
    store.faults = ["refuse"]
    dispatcher = _dispatcher(app, port)
    run(dispatcher)
    assert states(app) == [("email", "dead")] and store.mails == []
    with app.sessions() as s:
        dead = deliveries.dead_letters(s, "martin")
        assert [(d.uid, d.attempts) for d in dead] == [(uid, 1)]
        assert "SMTP 550" in dead[0].last_error
        assert deliveries.dead_letters(s, "durand") == []
    assert kinds(app, "martin", uid)[-1] == "failed"
    with app.unit_of_work() as work:
        deliveries.retry_now(work.session, "martin", dead[0].id, now=work.now, by="sup")
    run(dispatcher)
    assert store.ids() == {f"<{uid}@accueil>": 1}
    assert kinds(app, "martin", uid)[-2:] == ["queued", "sent"]


@pytest.mark.parametrize("fault", ["later", "drop", "hang"])
def test_a_passing_fault_is_retried_after_a_backoff_and_sent_once(
    app: Application, mail: tuple[MailStore, int], fault: str
) -> None:
    store, port = mail
    store.hang_seconds = 8.0  # well past the time-out below, which a good exchange never nears
    uid = take(app)
    store.faults = [fault]
    dispatcher = _dispatcher(app, port, timeout=3.0)
    run(dispatcher)
    assert states(app) == [("email", "queued")]
    assert run(dispatcher) == 0  # not due yet: the backoff holds it
    clock = app.clock
    assert isinstance(clock, FixedClock)
    clock.advance(timedelta(seconds=3))
    run(dispatcher)
    assert states(app) == [("email", "sent")]
    assert store.ids() == {f"<{uid}@accueil>": 1}
    asyncio.run(dispatcher.close())


def test_after_too_many_failures_the_delivery_is_dead_and_shown(
    app: Application, mail: tuple[MailStore, int]
) -> None:
    store, port = mail
    uid = take(app, urgency=Level.NORMAL)
    store.faults = ["later"] * 3
    dispatcher = _dispatcher(app, port)
    dispatcher.max_attempts = 3
    clock = app.clock
    assert isinstance(clock, FixedClock)
    for _ in range(3):
        run(dispatcher)
        clock.advance(timedelta(minutes=5))
    assert states(app) == [("email", "dead")]
    with app.sessions() as s:
        (dead,) = deliveries.dead_letters(s, "martin")
    assert dead.uid == uid and dead.attempts == 3
    with app.sessions() as s:
        last = history(s, "martin", uid)[-1]
    assert last.kind == "failed" and "gave up after 3 attempts: SMTP 451" in last.detail


def _claimed(**changes: object) -> Claimed:
    message = Message(
        uid="m1",
        version=1,
        first="",
        person="claire",
        urgency="normal",
        caller_number="+33612345678",
        caller_name="M. Lefèbvre",
        fields=(("subject", "Objet", "Audience de jeudi — salle 2"),),
        agent="ana",
        call_id="call-1",
        note="",
        language="fr",
        taken_at=NOW,
        status="queued",
    )
    message = replace(message, **{k: v for k, v in changes.items() if hasattr(message, k)})
    return Claimed(
        id=7, account="martin", account_name="Cabinet Martin", person_name="Claire Martin",
        channel="email", address="claire@martin.example", step=0, attempts=1, provider_id="",
        round=0, reply_code="", message=message,
    )  # fmt: skip


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"urgency": "urgent", "version": 2, "first": "m0"},
        {"caller_name": "Ünïcode " * 30},  # a long subject of another script: folded words
        {"caller_name": "X\r\nBcc: victim@example.com"},  # a header injection: one line
    ],
)
def test_the_mime_we_write_reads_as_the_librarys_composition(changes: dict[str, object]) -> None:
    item = _claimed(**changes)
    ours = message_from_bytes(raw(item, "accueil — messages <m@accueil.test>"), policy=default)
    theirs = compose(item, "accueil — messages <m@accueil.test>")
    assert isinstance(ours, EmailMessage)
    for header in ("From", "To", "Message-ID", "Date", "In-Reply-To", "References",
                   "Importance", "X-Priority"):  # fmt: skip
        assert str(ours[header]) == str(theirs[header]), header
    assert ours["Content-Language"] == "fr"  # the library's moves to the first part
    assert " ".join(str(ours["Subject"]).split()) == " ".join(str(theirs["Subject"]).split())
    assert ours["Bcc"] is None and "\n" not in str(ours["Subject"])
    for kind in ("plain", "html"):
        mine, library = ours.get_body((kind,)), theirs.get_body((kind,))
        assert mine is not None and library is not None
        assert mine.get_content().rstrip("\n") == library.get_content().rstrip("\n")


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # implicit TLS
@pytest.mark.parametrize("security", ["starttls", "tls"])
def test_tls_and_auth_carry_the_message_and_a_wrong_password_is_a_final_refusal(
    app: Application, security: str
) -> None:
    def dispatcher(password: str, ca_file: str = str(TLS / "cert.pem")) -> Dispatcher:
        settings = SmtpSettings(
            host="localhost", port=port, security=security, username=USER, password=password,
            ca_file=ca_file, timeout=10,
        )  # fmt: skip
        return Dispatcher(app, {"email": SmtpChannel(settings)}, rng=random.Random(1))

    with smtp_server(security) as (store, port):
        uid = take(app)
        run(dispatcher(PASSWORD))
        assert store.ids() == {f"<{uid}@accueil>": 1}
        bad = take(app)
        run(dispatcher("wrong"))
        assert states(app)[-1] == ("email", "dead")  # retrying a wrong password is no use
        with app.sessions() as s:
            (dead,) = deliveries.dead_letters(s, "martin")
        assert dead.uid == bad and "SMTP 535" in dead.last_error
        untrusting = take(app)
        run(dispatcher(PASSWORD, ca_file=str(TLS / "elsewhere.pem")))
        assert states(app)[-1] == ("email", "queued")  # retried later, nothing sent in clear
        assert untrusting not in str(store.ids())


def test_a_server_whose_certificate_is_not_trusted_gets_nothing(app: Application) -> None:
    with smtp_server("starttls") as (store, port):
        take(app)
        settings = SmtpSettings(host="localhost", port=port, security="starttls",
                                username=USER, password=PASSWORD, timeout=10)  # fmt: skip
        run(Dispatcher(app, {"email": SmtpChannel(settings)}, rng=random.Random(1)))
        assert states(app) == [("email", "queued")] and store.mails == []
        with app.sessions() as s:
            (row,) = s.scalars(select(DeliveryRow))
        assert "CERTIFICATE_VERIFY_FAILED" in row.last_error
