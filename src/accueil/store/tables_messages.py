"""Messages, their history, their deliveries, and people's delivery preferences.

A message row is written once and never updated (a listener below refuses it): a correction is
a new row whose ``first_id`` names the original. What happens to a message afterwards is told
by ``message_events`` (appended, never changed). ``message_deliveries`` is the dispatcher's
work: one row per channel and address (and escalation step), claimed, retried, marked.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column

from accueil.store.tables import Base
from accueil.store.types import UTCDateTime

_BIG = BigInteger().with_variant(Integer, "sqlite")


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_account_taken", "account_id", "taken_at"),
        Index("ix_messages_account_caller", "account_id", "caller_number"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    uid: Mapped[str] = mapped_column(String(32), unique=True)  # Message-ID: <uid@accueil>
    version: Mapped[int] = mapped_column(Integer, default=1)
    first_id: Mapped[int | None] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), nullable=True, index=True
    )
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), nullable=True, index=True
    )
    person_key: Mapped[str] = mapped_column(String(64))
    urgency: Mapped[str] = mapped_column(String(16))
    caller_number: Mapped[str] = mapped_column(String(20), default="")
    caller_name: Mapped[str] = mapped_column(String(200), default="")
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)  # [[id, label, value], …]
    agent_key: Mapped[str] = mapped_column(String(64), default="")
    call_id: Mapped[str] = mapped_column(String(128), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(8), default="fr")
    reply_code: Mapped[str] = mapped_column(String(8), default="")
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


@event.listens_for(MessageRow, "before_update")
def _never_edited(mapper: Any, connection: Any, target: MessageRow) -> None:
    raise RuntimeError(
        f"message {target.uid} is written once; a correction is a new version (correct_message)"
    )


class MessageEventRow(Base):
    """One thing that happened to a message: taken, queued, sent, delivered, read, …"""

    __tablename__ = "message_events"
    __table_args__ = (
        Index("ix_message_events_message", "message_id", "id"),
        Index("ix_message_events_account_kind", "account_id", "kind", "at"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(16), default="")
    actor: Mapped[str] = mapped_column(String(64), default="")  # who read / acknowledged
    detail: Mapped[str] = mapped_column(Text, default="")


class DeliveryRow(Base):
    """One sending to do: a channel, an address, a step (0: the message, 1…: escalations)."""

    __tablename__ = "message_deliveries"
    __table_args__ = (
        UniqueConstraint("message_id", "channel", "address", "step", name="uq_deliveries_key"),
        Index("ix_deliveries_due", "state", "next_attempt_at"),
        Index("ix_deliveries_account_state", "account_id", "state"),
        Index("ix_deliveries_provider", "channel", "provider_id"),
    )

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    message_id: Mapped[int] = mapped_column(
        ForeignKey("messages.id", ondelete="CASCADE"), index=True
    )
    channel: Mapped[str] = mapped_column(String(16))
    address: Mapped[str] = mapped_column(String(2000))
    step: Mapped[int] = mapped_column(Integer, default=0)
    # bumped by each "retry now": a fresh idempotency key for a gateway that refused the last
    round: Mapped[int] = mapped_column(Integer, default=0)
    # queued → sending → sent → delivered; or → dead (retries exhausted: "retry now" requeues);
    # cancelled (an escalation no longer needed)
    state: Mapped[str] = mapped_column(String(16), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    worker: Mapped[str] = mapped_column(String(64), default="")
    provider_id: Mapped[str] = mapped_column(String(128), default="")
    last_error: Mapped[str] = mapped_column(Text, default="")
    # its words (errors.Said.words()), for a page to say it in its language; None: before 0027,
    # or not made with says
    last_error_words: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class DeliveryPreferencesRow(Base):
    """A preferences document: the account's defaults (``person_key == ""``) or a person's."""

    __tablename__ = "delivery_preferences"
    __table_args__ = (
        UniqueConstraint("account_id", "person_key", name="uq_delivery_preferences_owner"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    person_key: Mapped[str] = mapped_column(String(64), default="")
    document: Mapped[dict[str, Any]] = mapped_column(JSON)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class InboundSeenRow(Base):
    """A signed inbound request already handled (a gateway's receipt or reply): replays refused."""

    __tablename__ = "inbound_seen"
    __table_args__ = (UniqueConstraint("provider", "event_id", name="uq_inbound_seen_event"),)

    id: Mapped[int] = mapped_column(_BIG, primary_key=True, autoincrement=True)
    provider: Mapped[str] = mapped_column(String(16))
    event_id: Mapped[str] = mapped_column(String(200))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
