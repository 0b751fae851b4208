"""messages, their events and deliveries, delivery preferences

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

BIG = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", BIG, nullable=False, autoincrement=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("uid", sa.String(32), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("first_id", BIG, nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("caller_number", sa.String(20), nullable=False),
        sa.Column("caller_name", sa.String(200), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("agent_key", sa.String(64), nullable=False),
        sa.Column("call_id", sa.String(128), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("reply_code", sa.String(8), nullable=False),
        sa.Column("taken_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_messages_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["first_id"], ["messages.id"], name="fk_messages_first_id_messages", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_messages_person_id_people", ondelete="SET NULL"
        ),
        sa.UniqueConstraint("uid", name="uq_messages_uid"),
    )
    op.create_index("ix_messages_account_taken", "messages", ["account_id", "taken_at"])
    op.create_index("ix_messages_account_caller", "messages", ["account_id", "caller_number"])
    op.create_index("ix_messages_first_id", "messages", ["first_id"])
    op.create_index("ix_messages_person_id", "messages", ["person_id"])

    op.create_table(
        "message_events",
        sa.Column("id", BIG, nullable=False, autoincrement=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("message_id", BIG, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("at", TIME, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_message_events"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_message_events_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_message_events_message_id_messages",
            ondelete="CASCADE",
        ),
    )
    op.create_index("ix_message_events_message", "message_events", ["message_id", "id"])
    op.create_index(
        "ix_message_events_account_kind", "message_events", ["account_id", "kind", "at"]
    )

    op.create_table(
        "message_deliveries",
        sa.Column("id", BIG, nullable=False, autoincrement=True),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("message_id", BIG, nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("address", sa.String(2000), nullable=False),
        sa.Column("step", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", TIME, nullable=False),
        sa.Column("lease_until", TIME, nullable=True),
        sa.Column("worker", sa.String(64), nullable=False),
        sa.Column("provider_id", sa.String(128), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("sent_at", TIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_message_deliveries"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_message_deliveries_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["messages.id"],
            name="fk_message_deliveries_message_id_messages",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("message_id", "channel", "address", "step", name="uq_deliveries_key"),
    )
    op.create_index("ix_deliveries_due", "message_deliveries", ["state", "next_attempt_at"])
    op.create_index("ix_deliveries_account_state", "message_deliveries", ["account_id", "state"])
    op.create_index("ix_deliveries_provider", "message_deliveries", ["channel", "provider_id"])
    op.create_index("ix_message_deliveries_message_id", "message_deliveries", ["message_id"])

    op.create_table(
        "delivery_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("person_key", sa.String(64), nullable=False),
        sa.Column("document", sa.JSON(), nullable=False),
        sa.Column("saved_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_delivery_preferences"),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name="fk_delivery_preferences_account_id_accounts",
            ondelete="CASCADE",
        ),
        sa.UniqueConstraint("account_id", "person_key", name="uq_delivery_preferences_owner"),
    )

    op.create_table(
        "inbound_seen",
        sa.Column("id", BIG, nullable=False, autoincrement=True),
        sa.Column("provider", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(200), nullable=False),
        sa.Column("received_at", TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_inbound_seen"),
        sa.UniqueConstraint("provider", "event_id", name="uq_inbound_seen_event"),
    )
    op.create_index("ix_inbound_seen_received_at", "inbound_seen", ["received_at"])


def downgrade() -> None:
    op.drop_table("inbound_seen")
    op.drop_table("delivery_preferences")
    op.drop_table("message_deliveries")
    op.drop_table("message_events")
    op.drop_table("messages")
