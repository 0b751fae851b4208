"""The dispatcher's work queue: claim due deliveries, record what sending them gave.

These are the operator's (a dispatcher serves every account); what touches one account's data
(the dead letters, "retry now") takes the account first. Each function runs in the caller's
transaction and takes ``now``.

A claim is a lease: the row goes to ``sending`` with ``lease_until``; a dispatcher that dies
leaves it there and the next claim after the lease takes it again. On PostgreSQL claims use
``FOR UPDATE SKIP LOCKED`` so several dispatchers share the queue without taking the same row;
SQLite has one writer at a time and runs one dispatcher.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import Session

from accueil.errors import Conflict, NotFound, Said, says
from accueil.services.directory import account_row
from accueil.services.events import MessageDelivery
from accueil.services.messages import Message, add_event, view_of
from accueil.services.outbox import emit
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow, PersonRow
from accueil.store.tables_messages import DeliveryPreferencesRow, DeliveryRow, MessageRow

MAX_ATTEMPTS = 8


@dataclass(frozen=True)
class Claimed:
    """A delivery taken by a dispatcher, with all it needs to send it."""

    id: int
    account: str
    account_name: str
    person_name: str
    channel: str
    address: str
    step: int
    attempts: int  # this one included
    provider_id: str  # set when a previous attempt reached the provider
    round: int  # how many times a supervisor said "retry now"
    reply_code: str
    message: Message
    secret: str = ""  # a webhook's: the account's signing secret


@dataclass(frozen=True)
class DeadLetter:
    id: int
    uid: str
    channel: str
    address: str
    attempts: int
    last_error: str  # Said when its words were kept: a page says it in its own language


def kept_error(row: DeliveryRow, error: str) -> None:
    """A delivery's last error: its English (cut at 2000 characters), and its words when it
    was made with ``says`` and not cut, for a page to say it in its own language."""
    row.last_error = error[:2000]
    said = error if isinstance(error, Said) and len(error) <= 2000 else None
    row.last_error_words = said.words() if said is not None else None


def error_of(row: DeliveryRow) -> str:
    """A delivery's last error, with its words when they were kept (not before 0027)."""
    if row.last_error_words:
        try:
            return Said.from_words(row.last_error_words)
        except ValueError:  # words no page knows: the English as written
            pass
    return row.last_error


@operator_level
def claim(
    session: Session, worker: str, *, now: datetime, limit: int, lease: timedelta
) -> list[Claimed]:
    """Take up to ``limit`` due deliveries (and those whose dispatcher's lease ran out)."""
    due = or_(
        and_(DeliveryRow.state == "queued", DeliveryRow.next_attempt_at <= now),
        and_(DeliveryRow.state == "sending", DeliveryRow.lease_until < now),
    )
    rows = list(
        session.scalars(
            select(DeliveryRow)
            .where(due)
            .order_by(DeliveryRow.next_attempt_at, DeliveryRow.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
    )
    if not rows:
        return []
    for row in rows:
        row.state, row.worker = "sending", worker
        row.lease_until = now + lease
        row.attempts += 1
    session.flush()
    messages = {
        m.id: m
        for m in session.scalars(
            select(MessageRow).where(MessageRow.id.in_({r.message_id for r in rows}))
        )
    }
    accounts = {
        a.id: a
        for a in session.scalars(
            select(AccountRow).where(AccountRow.id.in_({r.account_id for r in rows}))
        )
    }
    people = _names(session, [m.person_id for m in messages.values() if m.person_id])
    secrets = _webhook_secrets(session, {r.account_id for r in rows if r.channel == "webhook"})
    found = []
    for row in rows:
        message, account = messages[row.message_id], accounts[row.account_id]
        found.append(
            Claimed(
                id=row.id,
                account=account.key,
                account_name=account.answer_name or account.name,
                person_name=people.get(message.person_id or 0, message.person_key),
                channel=row.channel,
                address=row.address,
                step=row.step,
                attempts=row.attempts,
                provider_id=row.provider_id,
                round=row.round,
                reply_code=message.reply_code,
                message=view_of(message),
                secret=secrets.get(row.account_id, ""),
            )
        )
    return found


@operator_level
def record_provider_id(session: Session, delivery: int, provider_id: str) -> None:
    """Keep the provider's id of a sending before anything else can retry it."""
    session.execute(
        update(DeliveryRow).where(DeliveryRow.id == delivery).values(provider_id=provider_id)
    )


@dataclass(frozen=True)
class Sent:
    """What a channel said of one delivery it took."""

    delivery: int
    provider_id: str = ""
    delivered: bool = False  # and it says it arrived, as a webhook's 2xx does
    detail: str = ""


@operator_level
def mark_sent(session: Session, done: Sequence[Sent], *, now: datetime) -> None:
    """The channel took these deliveries: each ``sent`` (or ``delivered``), in its history.

    Many at once in one transaction (the dispatcher's group commit): the rows, their messages
    and accounts' keys are read in one query, not one per delivery.
    """
    ids = [d.delivery for d in done]
    found = session.execute(
        select(DeliveryRow, MessageRow, AccountRow.key)
        .join(MessageRow, MessageRow.id == DeliveryRow.message_id)
        .join(AccountRow, AccountRow.id == DeliveryRow.account_id)
        .where(DeliveryRow.id.in_(ids))
    ).all()
    rows = {d.id: d for d, _, _ in found}
    messages = {m.id: m for _, m, _ in found}
    keys = {d.account_id: key for d, _, key in found}
    missing = sorted(set(ids) - set(rows))
    if missing:
        raise NotFound(says("no delivery %(missing)s", missing=missing[0]), delivery=missing[0])
    for outcome in done:
        row = rows[outcome.delivery]
        row.state = "delivered" if outcome.delivered else "sent"
        row.lease_until, row.sent_at = None, now
        if outcome.provider_id:
            row.provider_id = outcome.provider_id
        message, key = messages[row.message_id], keys[row.account_id]
        detail, channel = outcome.detail, row.channel
        add_event(session, message, "sent", now, channel=channel, detail=detail, account_key=key)
        if outcome.delivered:
            add_event(session, message, "delivered", now, channel=channel, account_key=key)


@operator_level
def mark_failed(
    session: Session,
    delivery: int,
    error: str,
    *,
    now: datetime,
    retry_at: datetime | None,
    max_attempts: int = MAX_ATTEMPTS,
) -> bool:
    """A failed attempt: retried at ``retry_at``, or dead (no retry, or attempts used up).

    Returns True when the delivery is now dead: a supervisor sees it and may retry it now.
    """
    row = _delivery(session, delivery)
    kept_error(row, error)
    row.lease_until = None
    if retry_at is not None and row.attempts < max_attempts:
        row.state, row.next_attempt_at = "queued", retry_at
        return False
    row.state = "dead"
    detail = f"gave up after {row.attempts} attempt{'s' if row.attempts != 1 else ''}: {error}"
    add_event(session, _message(session, row), "failed", now, channel=row.channel, detail=detail)
    return True


@operator_level
def close(session: Session, delivery: int, state: str) -> None:
    """End a delivery without sending (an escalation no longer needed: ``cancelled``)."""
    session.execute(
        update(DeliveryRow).where(DeliveryRow.id == delivery).values(state=state, lease_until=None)
    )


def dead_letters(session: Session, account: str) -> list[DeadLetter]:
    """The account's deliveries that gave up, newest first: what a supervisor must look at."""
    acc = account_row(session, account)
    rows = session.execute(
        select(DeliveryRow, MessageRow.uid)
        .join(MessageRow, MessageRow.id == DeliveryRow.message_id)
        .where(DeliveryRow.account_id == acc.id, DeliveryRow.state == "dead")
        .order_by(DeliveryRow.id.desc())
    )
    return [DeadLetter(d.id, uid, d.channel, d.address, d.attempts, error_of(d)) for d, uid in rows]


def retry_now(session: Session, account: str, delivery: int, *, now: datetime, by: str) -> None:
    """Put a dead delivery back in the queue, due now, its attempts counted afresh."""
    acc = account_row(session, account)
    row = session.scalar(
        select(DeliveryRow).where(DeliveryRow.id == delivery, DeliveryRow.account_id == acc.id)
    )
    if row is None:
        raise NotFound(
            says(
                "no delivery %(delivery)s in account %(account)r",
                delivery=delivery,
                account=account,
            ),
            delivery=delivery,
        )
    if row.state != "dead":
        raise Conflict(
            says(
                "delivery %(delivery)s is %(state)s, not dead: only a dead one is retried by hand",
                delivery=delivery,
                state=row.state,
            ),
            delivery=delivery,
            state=row.state,
        )
    row.state, row.attempts, row.next_attempt_at = "queued", 0, now
    kept_error(row, "")
    row.provider_id, row.round = "", row.round + 1
    message = _message(session, row)
    add_event(session, message, "queued", now, channel=row.channel, actor=by, detail="retry now")
    emit(
        session,
        MessageDelivery(
            account=acc.key,
            at=now,
            uid=message.uid,
            kind="requeued",
            channel=row.channel,
            person=message.person_key,
        ),
    )


@operator_level
def outstanding(session: Session, *, now: datetime) -> int:
    """Deliveries due now or held by a dispatcher (a dead one's, until its lease runs out)."""
    due = or_(
        and_(DeliveryRow.state == "queued", DeliveryRow.next_attempt_at <= now),
        DeliveryRow.state == "sending",
    )
    found = session.scalar(select(func.count()).select_from(DeliveryRow).where(due))
    return int(found or 0)


@operator_level
def next_due(session: Session) -> datetime | None:
    """When the next queued delivery falls due (for a dispatcher to sleep until then)."""
    return session.scalar(
        select(DeliveryRow.next_attempt_at)
        .where(DeliveryRow.state == "queued")
        .order_by(DeliveryRow.next_attempt_at)
        .limit(1)
    )


def _delivery(session: Session, delivery: int) -> DeliveryRow:
    row = session.get(DeliveryRow, delivery)
    if row is None:
        raise NotFound(says("no delivery %(delivery)s", delivery=delivery), delivery=delivery)
    return row


def _message(session: Session, row: DeliveryRow) -> MessageRow:
    message = session.get(MessageRow, row.message_id)
    assert message is not None  # a delivery goes with its message (foreign key, cascade)
    return message


def _webhook_secrets(session: Session, accounts: set[int]) -> dict[int, str]:
    if not accounts:
        return {}
    rows = session.scalars(
        select(DeliveryPreferencesRow).where(
            DeliveryPreferencesRow.account_id.in_(accounts), DeliveryPreferencesRow.person_key == ""
        )
    )
    return {r.account_id: str(r.document.get("webhook_secret") or "") for r in rows}


def _names(session: Session, ids: list[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(PersonRow.id, PersonRow.first_name, PersonRow.last_name).where(PersonRow.id.in_(ids))
    )
    return {i: f"{first} {last}".strip() for i, first, last in rows}
