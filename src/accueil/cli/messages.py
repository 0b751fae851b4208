"""``accueil dispatch`` (send the queued messages) and ``accueil messages`` (look, retry, prefs)."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
from pathlib import Path
from typing import Annotated

import typer

from accueil.cli.app import app
from accueil.cli.common import application, cannot_read, console, reported, unit_of_work
from accueil.core.storable import BIGINT_MAX
from accueil.errors import InvalidInput, says

messages_app = typer.Typer(
    help="Messages: list, history, dead deliveries and retry, preferences, purge, erase, export.",
    no_args_is_help=True,
)
app.add_typer(messages_app, name="messages")


@app.command("dispatch")
def dispatch(
    once: Annotated[
        bool,
        typer.Option(
            "--once",
            help="send what is due (waiting out the claims of a stopped dispatcher), then stop",
        ),
    ] = False,
    worker: Annotated[str, typer.Option(help="this dispatcher's name (default host:pid)")] = "",
    batch: Annotated[int | None, typer.Option(help="deliveries claimed at a time")] = None,
    concurrency: Annotated[int | None, typer.Option(help="sendings at once")] = None,
    lease: Annotated[
        int | None, typer.Option(help="seconds a claim holds before another may take it")
    ] = None,
) -> None:
    """Send queued messages (email, SMS, webhooks, digests), escalate unacknowledged ones,
    purge expired data daily."""
    from datetime import timedelta

    from accueil.dispatch.config import channels_from
    from accueil.dispatch.dispatcher import Dispatcher
    from accueil.settings import get_settings

    settings = get_settings()
    with reported(), application() as accueil:
        dispatcher = Dispatcher(
            accueil,
            channels_from(settings, accueil.clock.now),
            worker=worker or f"{socket.gethostname()}:{os.getpid()}",
            batch=batch or settings.dispatch_batch,
            concurrency=concurrency or settings.dispatch_concurrency,
            lease=timedelta(seconds=lease or settings.dispatch_lease_seconds),
            attempt_timeout=settings.dispatch_timeout_seconds * 3,
        )
        console.print(
            f"dispatching with {', '.join(sorted(dispatcher.channels))} as {dispatcher.worker}",
            highlight=False,
        )
        asyncio.run(_dispatch(dispatcher, once))
        t = dispatcher.tally
        console.print(
            f"sent {t.sent}, failed attempts {t.failed} ({t.dead} dead), "
            f"escalations {t.escalations}",
            highlight=False,
        )


async def _dispatch(dispatcher: object, once: bool) -> None:
    from accueil.dispatch.dispatcher import Dispatcher

    assert isinstance(dispatcher, Dispatcher)
    try:
        if once:
            await dispatcher.drain()
            return
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        await dispatcher.run(stop)
    finally:
        await dispatcher.close()


@messages_app.command("list")
def list_messages(
    account: Annotated[str, typer.Argument(help="the account's key")],
    person: Annotated[str | None, typer.Option(help="one person's messages")] = None,
    status: Annotated[str | None, typer.Option(help="only messages at this status")] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="at most this many, newest first")
    ] = 50,
) -> None:
    """An account's messages, newest first, with where each stands."""
    from accueil.services import messages

    with reported(), unit_of_work(personal=True) as work:
        found = messages.list_messages(
            work.session, account, person=person, status=status, limit=limit
        )
        for m in found:
            caller = m.caller_name or m.caller_number or "?"
            console.print(
                f"{m.taken_at:%Y-%m-%d %H:%M}  {m.uid}  {m.person}  {m.urgency}  {m.status}  "
                f"from {caller}",
                highlight=False,
                markup=False,
            )


@messages_app.command("history")
def history(
    account: Annotated[str, typer.Argument(help="the account's key")],
    uid: Annotated[str, typer.Argument(help="the message's id")],
) -> None:
    """Everything that happened to a message: taken, queued, sent, delivered, read…"""
    from accueil.services import messages

    with reported(), unit_of_work(personal=True) as work:
        for h in messages.history(work.session, account, uid):
            who = f" by {h.actor}" if h.actor else ""
            via = f" ({h.channel})" if h.channel else ""
            detail = f": {h.detail}" if h.detail else ""
            console.print(
                f"{h.at:%Y-%m-%d %H:%M:%S}  {h.kind}{via}{who}{detail}",
                highlight=False,
                markup=False,
            )


@messages_app.command("dead")
def dead(account: Annotated[str, typer.Argument(help="the account's key")]) -> None:
    """Deliveries that gave up (retry one with `accueil messages retry`)."""
    from accueil.services import deliveries

    with reported(), unit_of_work(personal=True) as work:
        for d in deliveries.dead_letters(work.session, account):
            console.print(
                f"{d.id}  {d.uid}  {d.channel} to {d.address}  after {d.attempts}: {d.last_error}",
                highlight=False,
                markup=False,
            )


@messages_app.command("retry")
def retry(
    account: Annotated[str, typer.Argument(help="the account's key")],
    delivery: Annotated[
        int, typer.Argument(help="the dead delivery's number", min=1, max=BIGINT_MAX)
    ],
) -> None:
    """Retry a dead delivery now."""
    from accueil.services import deliveries

    with reported(), unit_of_work() as work:
        deliveries.retry_now(work.session, account, delivery, now=work.now, by="cli")
    console.print(f"delivery {delivery} queued again", highlight=False)


@messages_app.command("preferences")
def preferences(
    owner: Annotated[str, typer.Argument(help="ACCOUNT (its defaults) or ACCOUNT:PERSON")],
    file: Annotated[
        Path | None, typer.Argument(help="a preferences document in YAML or JSON to save")
    ] = None,
) -> None:
    """Show a person's effective delivery preferences, or save a document for them."""
    import yaml

    from accueil.core.rules import load_text
    from accueil.services import delivery_preferences as prefs

    account, _, person = owner.partition(":")
    with reported(), unit_of_work() as work:
        if file is not None:
            try:
                text = file.read_text(encoding="utf-8")
            except OSError as exc:
                raise InvalidInput(cannot_read(file, exc)) from None
            prefs.set_preferences(
                work.session, account, person, load_text(text, str(file)), now=work.now,
                file=str(file),
            )  # fmt: skip
            console.print(f"saved the delivery preferences of {owner}", highlight=False)
            return
        found = (
            prefs.effective_preferences(work.session, account, person)
            if person
            else prefs.get_preferences(work.session, account)
        )
        document = found.model_dump(mode="json", exclude_none=True)
        document.pop("webhook_secret", None)  # never printed
        console.print(yaml.safe_dump(document, sort_keys=False, allow_unicode=True), end="")


@messages_app.command("purge")
def purge() -> None:
    """Delete messages and call records older than each account's retention_days (accueil
    dispatch runs it daily; this runs it now)."""
    from accueil.services import privacy

    with reported(), unit_of_work() as work:
        done = privacy.purge(work.session, now=work.now)
    for account, (messages, calls) in sorted(done.items()):
        console.print(f"{account}: {messages} messages, {calls} call records deleted")
    if not done:
        console.print("nothing to delete")


@messages_app.command("erase")
def erase(
    account: Annotated[str, typer.Argument(help="the account's key")],
    number: Annotated[str, typer.Argument(help="the caller's phone number")],
    by: Annotated[str, typer.Option(help="who asked for it, for the record")] = "cli",
) -> None:
    """Erase one caller's messages and call records in an account (a GDPR request)."""
    from accueil.services import privacy

    with reported(), unit_of_work() as work:
        messages, calls = privacy.erase_caller(work.session, account, number, now=work.now, by=by)
    console.print(f"{account}: {messages} messages, {calls} call records erased")


@messages_app.command("export")
def export(owner: Annotated[str, typer.Argument(help="ACCOUNT:PERSON")]) -> None:
    """One person's messages with their history, and their delivery preferences, as JSON."""
    import json

    from accueil.services import privacy

    account, _, person = owner.partition(":")
    with reported(), unit_of_work(personal=True) as work:
        if not person:
            raise InvalidInput(says("%(owner)r: name the person as ACCOUNT:PERSON", owner=owner))
        found = privacy.export_person(work.session, account, person)
    console.print_json(json.dumps(found, ensure_ascii=False))
