"""teams (groups) are taken down, never deleted

A removal stamps ``removed_at`` and ``removed_by`` on the group and keeps in ``members`` the
people who were in it (they leave it; putting the team back brings them back). A directory
import that prunes a team takes it down the same way (it deleted the row). The key stays the
team's own: listing it again, or adding a team of that name, puts it back in use.

Revision ID: 0025
Revises: 0024
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("groups") as batch:
        batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("removed_by", sa.String(length=100), nullable=False, server_default="")
        )
        batch.add_column(sa.Column("members", sa.JSON(), nullable=False, server_default="[]"))


def downgrade() -> None:
    # before 0025 a team taken down was deleted: the removed ones go (their members had left)
    op.execute(sa.text("DELETE FROM groups WHERE removed_at IS NOT NULL"))
    with op.batch_alter_table("groups") as batch:
        batch.drop_column("members")
        batch.drop_column("removed_by")
        batch.drop_column("removed_at")
