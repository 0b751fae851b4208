"""What an SMS gateway tells us: delivery receipts and people's replies ("1" acknowledges).

The HTTP endpoint (``api``) checks the gateway's signature and hands the content here, with the
instant it arrived. Receipts find their sending by the gateway's id; a reply finds its message
among the SMS sent to the number it comes from, so a code can only acknowledge a message that
number was sent (never one of another account it was not). Each is idempotent: a replayed
receipt or a second "1" changes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accueil.errors import says
from accueil.services.deliveries import kept_error
from accueil.services.messages import acknowledge_row, add_event
from accueil.services.tenancy import operator_level
from accueil.store.tables import AccountRow
from accueil.store.tables_messages import DeliveryRow, InboundSeenRow, MessageRow

REPLY_WITHIN = timedelta(hours=24)
DELIVERED = {"delivered", "read"}
FAILED = {"failed", "undelivered", "rejected", "expired"}


@operator_level
def seen_before(session: Session, provider: str, event_id: str, *, now: datetime) -> bool:
    """Remember a signed request's id; True when it was handled already (a replay)."""
    try:
        with session.begin_nested():
            session.add(InboundSeenRow(provider=provider, event_id=event_id[:200], received_at=now))
    except IntegrityError:
        return True
    return False


@operator_level
def receipt(
    session: Session, provider_id: str, status: str, *, now: datetime, error: str = ""
) -> str:
    """A delivery receipt from the gateway; returns what it changed, in words."""
    row = session.scalar(
        select(DeliveryRow).where(
            DeliveryRow.channel == "sms", DeliveryRow.provider_id == provider_id
        )
    )
    if row is None:
        return f"no SMS with gateway id {provider_id!r}"
    state = status.strip().lower()
    message = session.get(MessageRow, row.message_id)
    assert message is not None
    if state in DELIVERED and row.state != "delivered":
        row.state = "delivered"
        add_event(session, message, "delivered", now, channel="sms", detail=provider_id)
        return f"{message.uid}: delivered"
    if state in FAILED and row.state not in ("dead", "delivered"):
        row.state = "dead"
        said = (
            says("gateway: %(state)s %(error)s", state=state, error=error.strip())
            if error.strip()
            else says("gateway: %(state)s", state=state)
        )
        kept_error(row, said)
        detail = f"gateway says {state}{': ' + error if error else ''}"
        add_event(session, message, "failed", now, channel="sms", detail=detail)
        return f"{message.uid}: failed ({state})"
    return f"{message.uid}: nothing to change ({state}, already {row.state})"


@operator_level
def reply(session: Session, sender: str, text: str, *, now: datetime) -> str:
    """A person answered an SMS: "1" (or "1 <code>") acknowledges; returns what it did."""
    words = text.strip().split()
    if not words or words[0] not in ("1", "ok", "OK", "Ok"):
        return f"reply from {sender} not understood: {text[:40]!r}"
    code = words[1] if len(words) > 1 else ""
    query = (
        select(MessageRow)
        .join(DeliveryRow, DeliveryRow.message_id == MessageRow.id)
        .where(
            DeliveryRow.channel == "sms",
            DeliveryRow.address == sender,
            DeliveryRow.state.in_(("sent", "delivered")),
            DeliveryRow.sent_at >= now - REPLY_WITHIN,
            MessageRow.reply_code != "",
        )
        .order_by(DeliveryRow.sent_at.desc(), DeliveryRow.id.desc())
    )
    if code:
        query = query.where(MessageRow.reply_code == code)
    message = session.scalars(query).first()
    if message is None:
        wanted = f" with code {code}" if code else ""
        return f"no message awaiting a reply{wanted} was sent to {sender}"
    account = session.get(AccountRow, message.account_id)
    assert account is not None
    done = acknowledge_row(session, account, message, by=sender, now=now, via="sms")
    return f"{message.uid}: {'acknowledged' if done else 'already acknowledged'} by {sender}"
