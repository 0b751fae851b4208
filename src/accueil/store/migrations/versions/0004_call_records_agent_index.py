"""call records: an index for the screen pop's familiarity question

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_call_records_account_agent",
        "call_records",
        ["account_id", "agent_key", "started_at"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_call_records_account_agent", table_name="call_records")
