"""one record per call: a unique index on (account, call_id) where a call id is given

A leader that lost its lock could still write a record from one of its threads while its
successor wrote the same call's record from the journal (issue 12). The index makes the
second write fail, and the switchboard's writer takes that as "already recorded".

Records written twice before this migration are kept, not deleted: every one after the first
gets its call id suffixed with ``~dup`` and its own id, so the index holds and nothing is lost.

Revision ID: 0016
Revises: 0015
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

_ONCE = sa.text("call_id <> ''")


def upgrade() -> None:
    records = sa.table(
        "call_records",
        sa.column("id", sa.Integer),
        sa.column("account_id", sa.Integer),
        sa.column("call_id", sa.String),
    )
    first = (
        sa.select(sa.func.min(records.c.id))
        .where(records.c.call_id != "")
        .group_by(records.c.account_id, records.c.call_id)
        .having(sa.func.count() > 1)
    )
    duplicated = sa.select(records.c.account_id, records.c.call_id).where(records.c.id.in_(first))
    bind = op.get_bind()
    for account_id, call_id in bind.execute(duplicated).all():
        later = bind.execute(
            sa.select(records.c.id)
            .where(records.c.account_id == account_id, records.c.call_id == call_id)
            .order_by(records.c.id)
            .offset(1)
        ).scalars()
        for row_id in list(later):
            bind.execute(
                records.update()
                .where(records.c.id == row_id)
                .values(call_id=f"{call_id[:40]}~dup{row_id}")
            )
    op.create_index(
        "ux_call_records_call_id",
        "call_records",
        ["account_id", "call_id"],
        unique=True,
        sqlite_where=_ONCE,
        postgresql_where=_ONCE,
    )


def downgrade() -> None:
    op.drop_index("ux_call_records_call_id", table_name="call_records")
