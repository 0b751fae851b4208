"""caller lists and on-call rotas are taken down, never deleted

A removal stamps ``removed_at`` and ``removed_by`` on the list or the rota; decisions, rules and
escalations leave it out at once, the row (and a list's versions) stays for history and audit.
A key stays unique in its account: saving a list or a rota under a removed key puts it back
in use (a list as its next version, its earlier ones kept); the removal stays in the audit log
and the outbox. (Dropping the unique constraint would rebuild ``caller_lists`` on SQLite, and
its versions' rows would go with the old table.)

Revision ID: 0023
Revises: 0022
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

_TABLES = ("caller_lists", "on_call_rotas")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(
                sa.Column("removed_by", sa.String(length=100), nullable=False, server_default="")
            )


def downgrade() -> None:
    # the removed rows go with their versions: before 0023 nothing could be taken down. On
    # SQLite dropping a column rebuilds the table: a list's versions are read back first
    op.execute(sa.text("DELETE FROM caller_lists WHERE removed_at IS NOT NULL"))
    op.execute(sa.text("DELETE FROM on_call_rotas WHERE removed_at IS NOT NULL"))
    bind = op.get_bind()
    versions = sa.table(
        "caller_list_versions",
        *(sa.column(c) for c in ("id", "account_id", "list_id", "version", "name")),
        sa.column("entries", sa.JSON),
        sa.column("saved_at", sa.DateTime(timezone=True)),
        sa.column("saved_by"),
    )
    kept = [dict(r._mapping) for r in bind.execute(sa.select(versions)).all()]
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("removed_by")
            batch.drop_column("removed_at")
    bind.execute(versions.delete())
    if kept:
        bind.execute(versions.insert(), kept)
