"""switchboard_journal_quarantine: journal rows a take-over could not load, moved aside whole

A journal row that does not load (corrupted, written by a newer release) stopped a take-over:
the standby stood by and tried again, and the switchboard had no leader (issue 12). The row
is now moved here with the reason, said as an error with its place, and the inputs around it
are replayed.

Revision ID: 0019
Revises: 0018
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "switchboard_journal_quarantine",
        sa.Column("seq", _SEQ, autoincrement=False, nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("moved_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_switchboard_journal_quarantine")),
    )


def downgrade() -> None:
    op.drop_table("switchboard_journal_quarantine")
