"""removals: delegations, closures, known contacts and calendars are taken down, never deleted

A removal stamps ``removed_at`` and ``removed_by``; decisions and availability leave the row
out at once, the row stays for history and audit. A known contact's number and a person's
calendar are unique among the rows not removed only (a number removed can be added again).

Revision ID: 0020
Revises: 0019
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None

_TABLES = ("delegations", "account_closures", "known_contacts", "calendar_feeds")
_CURRENT = sa.text("removed_at IS NULL")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))
            batch.add_column(
                sa.Column("removed_by", sa.String(length=100), nullable=False, server_default="")
            )
    with op.batch_alter_table("known_contacts") as batch:
        batch.drop_constraint("uq_known_contacts_account_e164", type_="unique")
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.drop_constraint("uq_calendar_feeds_person", type_="unique")
    op.create_index(
        "ux_known_contacts_current",
        "known_contacts",
        ["account_id", "e164"],
        unique=True,
        sqlite_where=_CURRENT,
        postgresql_where=_CURRENT,
    )
    op.create_index(
        "ux_calendar_feeds_current",
        "calendar_feeds",
        ["person_id"],
        unique=True,
        sqlite_where=_CURRENT,
        postgresql_where=_CURRENT,
    )


def downgrade() -> None:
    # the removed rows go: the old constraints allowed one row per number and per person
    for table in _TABLES:
        op.execute(sa.text(f"DELETE FROM {table} WHERE removed_at IS NOT NULL"))
    op.drop_index("ux_calendar_feeds_current", table_name="calendar_feeds")
    op.drop_index("ux_known_contacts_current", table_name="known_contacts")
    with op.batch_alter_table("calendar_feeds") as batch:
        batch.create_unique_constraint("uq_calendar_feeds_person", ["person_id"])
    with op.batch_alter_table("known_contacts") as batch:
        batch.create_unique_constraint("uq_known_contacts_account_e164", ["account_id", "e164"])
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("removed_by")
            batch.drop_column("removed_at")
