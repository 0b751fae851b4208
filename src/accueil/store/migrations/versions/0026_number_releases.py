"""a number released is kept: ``number_releases``

Releasing a number (the API, a page, or an import with ``--prune``) deleted its row: who it
led to, who released it and when were lost. The row still goes, so the number is free to be
given again (``numbers.e164`` is its key), and one ``number_releases`` row keeps each release:
the account, the number, the person it led to (a key; empty: the switchboard), as typed, its
label, who and when. Releases before this migration were not kept: there is nothing to bring in.

Revision ID: 0026
Revises: 0025
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0026"
down_revision = "0025"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "number_releases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("e164", sa.String(length=20), nullable=False),
        sa.Column("person", sa.String(length=64), nullable=False),
        sa.Column("raw", sa.String(length=64), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_number_releases_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_number_releases")),
    )
    op.create_index("ix_number_releases_account_e164", "number_releases", ["account_id", "e164"])


def downgrade() -> None:
    # before 0026 a release kept nothing: the history of releases goes with the table
    op.drop_index("ix_number_releases_account_e164", table_name="number_releases")
    op.drop_table("number_releases")
