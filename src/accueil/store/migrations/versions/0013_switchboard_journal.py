"""switchboard journal, snapshots and leadership terms (issue 12: a standby takes over)

Revision ID: 0013
Revises: 0012
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "switchboard_journal",
        sa.Column("seq", _SEQ, autoincrement=True, nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("at", sa.Float(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_switchboard_journal")),
    )
    op.create_table(
        "switchboard_snapshots",
        sa.Column("id", _SEQ, autoincrement=True, nullable=False),
        sa.Column("seq", _SEQ, nullable=False),
        sa.Column("term", sa.Integer(), nullable=False),
        sa.Column("made_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("body", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_switchboard_snapshots")),
    )
    op.create_table(
        "switchboard_terms",
        sa.Column("term", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("origin", sa.DateTime(timezone=True), nullable=False),
        sa.Column("speed", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_switchboard_terms")),
    )
    op.create_index("ix_call_records_call_id", "call_records", ["call_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_call_records_call_id", table_name="call_records")
    op.drop_table("switchboard_terms")
    op.drop_table("switchboard_snapshots")
    op.drop_table("switchboard_journal")
