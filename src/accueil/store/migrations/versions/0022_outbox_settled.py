"""outbox.xact: the transaction that wrote each event, so readers hand out settled events only

Outbox ids come from a sequence at insert, and transactions commit in any order: a client that
received id 12 and resumed from it never got id 11 when 11 committed after 12 was read. On
PostgreSQL each row now keeps its transaction's id (``pg_current_xact_id()``); readers hand
out rows in (``xact``, ``id``) order, and only those whose transaction is older than the
oldest one still running (``pg_snapshot_xmin``): no row can commit before them any more. Rows
written before this migration are settled (0). SQLite has one writer: ids commit in order and
``xact`` stays empty.

Revision ID: 0022
Revises: 0021
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

XACT = "(pg_current_xact_id()::text::bigint)"


def upgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("xact", sa.BigInteger(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE outbox SET xact = 0")
        op.execute(f"ALTER TABLE outbox ALTER COLUMN xact SET DEFAULT {XACT}")
    op.create_index("ix_outbox_xact_id", "outbox", ["xact", "id"])
    op.create_index("ix_outbox_account_xact_id", "outbox", ["account", "xact", "id"])


def downgrade() -> None:
    op.drop_index("ix_outbox_account_xact_id", table_name="outbox")
    op.drop_index("ix_outbox_xact_id", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("xact")
