"""calendar window: the expanded window of each calendar, stored at refresh time

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Existing calendars get their window at the next refresh (`accueil calendar refresh`
    # re-reads every kept copy that has none); until then decisions say "refresh the feed".
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.add_column(sa.Column("window_start", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("window_end", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("window", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("skipped", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("notice", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("calendar_feeds") as batch:
        for name in ("notice", "skipped", "window", "window_end", "window_start"):
            batch.drop_column(name)
