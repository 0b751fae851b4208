"""caller lists versioned: each save is a new version, the earlier ones kept and readable

Saving a caller list deleted its old entries. Each list now points at its version in force
(``caller_lists.version``); every version stays in ``caller_list_versions`` with its name, its
entries (``[{pattern, label}]``), when and by whom it was saved. The entries of each existing
list become its version 1 (saved at the list's last change, by nobody known), and the old
``caller_list_entries`` table goes.

Revision ID: 0021
Revises: 0020
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_lists = sa.table(
    "caller_lists",
    sa.column("id", sa.Integer),
    sa.column("account_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("version", sa.Integer),
)
_entries = sa.table(
    "caller_list_entries",
    sa.column("id", sa.Integer),
    sa.column("account_id", sa.Integer),
    sa.column("list_id", sa.Integer),
    sa.column("pattern", sa.String),
    sa.column("label", sa.String),
)
_versions = sa.table(
    "caller_list_versions",
    sa.column("account_id", sa.Integer),
    sa.column("list_id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("name", sa.String),
    sa.column("entries", sa.JSON),
    sa.column("saved_at", sa.DateTime(timezone=True)),
    sa.column("saved_by", sa.String),
)


def upgrade() -> None:
    op.create_table(
        "caller_list_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("entries", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_caller_list_versions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["caller_lists.id"],
            name=op.f("fk_caller_list_versions_list_id_caller_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_list_versions")),
        sa.UniqueConstraint("list_id", "version", name="uq_caller_list_versions_list_version"),
    )
    op.create_index("ix_caller_list_versions_account", "caller_list_versions", ["account_id"])
    with op.batch_alter_table("caller_lists") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    bind = op.get_bind()
    found: dict[int, list[dict[str, Any]]] = {}
    for row in bind.execute(sa.select(_entries).order_by(_entries.c.id)):
        found.setdefault(row.list_id, []).append({"pattern": row.pattern, "label": row.label})
    for row in bind.execute(sa.select(_lists)).all():
        bind.execute(
            _versions.insert().values(
                account_id=row.account_id,
                list_id=row.id,
                version=1,
                name=row.name,
                entries=found.get(row.id, []),
                saved_at=row.updated_at,
                saved_by="",
            )
        )
        bind.execute(_lists.update().where(_lists.c.id == row.id).values(version=1))
    op.drop_table("caller_list_entries")


def downgrade() -> None:
    # the versions before the one in force go: the old table held one set of entries a list.
    # Read first: on SQLite, dropping the column rebuilds caller_lists, and its children's rows
    # go with the old table (foreign keys on, cascade)
    bind = op.get_bind()
    current = sa.select(_versions).join(
        _lists, sa.and_(_lists.c.id == _versions.c.list_id, _lists.c.version == _versions.c.version)
    )
    kept = [(r.account_id, r.list_id, list(r.entries)) for r in bind.execute(current).all()]
    op.drop_index("ix_caller_list_versions_account", table_name="caller_list_versions")
    op.drop_table("caller_list_versions")
    with op.batch_alter_table("caller_lists") as batch:
        batch.drop_column("version")
    op.create_table(
        "caller_list_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("pattern", sa.String(length=24), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_caller_list_entries_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["list_id"],
            ["caller_lists.id"],
            name=op.f("fk_caller_list_entries_list_id_caller_lists"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_caller_list_entries")),
        sa.UniqueConstraint("list_id", "pattern", name="uq_caller_list_entries_list_pattern"),
    )
    op.create_index(
        op.f("ix_caller_list_entries_account_id"), "caller_list_entries", ["account_id"]
    )
    for account_id, list_id, entries in kept:
        for e in entries:
            bind.execute(
                _entries.insert().values(
                    account_id=account_id,
                    list_id=list_id,
                    pattern=e["pattern"],
                    label=e.get("label", ""),
                )
            )
