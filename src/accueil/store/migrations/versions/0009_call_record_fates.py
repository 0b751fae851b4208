"""call records of the live switchboard: every call's fate, wait, treatment and familiarity

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("call_records", schema=None) as batch_op:
        # records written before were answered calls
        batch_op.add_column(
            sa.Column("fate", sa.String(16), nullable=False, server_default="answered")
        )
        batch_op.add_column(sa.Column("waited_seconds", sa.Float(), nullable=True))
        batch_op.add_column(sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("familiar", sa.Boolean(), nullable=True))
        batch_op.add_column(
            sa.Column("treatment", sa.String(16), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("rule", sa.String(200), nullable=False, server_default=""))
        batch_op.create_index("ix_call_records_started", ["started_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("call_records", schema=None) as batch_op:
        batch_op.drop_index("ix_call_records_started")
        for column in ("rule", "treatment", "familiar", "ended_at", "waited_seconds", "fate"):
            batch_op.drop_column(column)
