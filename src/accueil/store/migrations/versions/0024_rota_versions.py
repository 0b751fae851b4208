"""on-call rotas versioned: each save is a new version, the earlier ones kept and readable

Saving a rota replaced its shifts. Each rota now says its version in force
(``on_call_rotas.version``); every version stays in ``on_call_rota_versions`` with its name,
its shifts, when and by whom it was saved. The rota's own ``name`` and ``shifts`` stay the
version in force, as decisions and escalations read it. The shifts of each existing rota
become its version 1 (saved at the rota's last change, by nobody known).

Revision ID: 0024
Revises: 0023
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None

_rotas = sa.table(
    "on_call_rotas",
    sa.column("id", sa.Integer),
    sa.column("account_id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("shifts", sa.JSON),
    sa.column("updated_at", sa.DateTime(timezone=True)),
    sa.column("version", sa.Integer),
)
_versions = sa.table(
    "on_call_rota_versions",
    sa.column("account_id", sa.Integer),
    sa.column("rota_id", sa.Integer),
    sa.column("version", sa.Integer),
    sa.column("name", sa.String),
    sa.column("shifts", sa.JSON),
    sa.column("saved_at", sa.DateTime(timezone=True)),
    sa.column("saved_by", sa.String),
)


def upgrade() -> None:
    with op.batch_alter_table("on_call_rotas") as batch:
        batch.add_column(sa.Column("version", sa.Integer(), nullable=False, server_default="0"))
    op.create_table(
        "on_call_rota_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("rota_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("shifts", sa.JSON(), nullable=False),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by", sa.String(length=100), nullable=False),
        sa.ForeignKeyConstraint(
            ["account_id"],
            ["accounts.id"],
            name=op.f("fk_on_call_rota_versions_account_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rota_id"],
            ["on_call_rotas.id"],
            name=op.f("fk_on_call_rota_versions_rota_id_on_call_rotas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_on_call_rota_versions")),
        sa.UniqueConstraint("rota_id", "version", name="uq_on_call_rota_versions_rota_version"),
    )
    op.create_index("ix_on_call_rota_versions_account", "on_call_rota_versions", ["account_id"])
    bind = op.get_bind()
    for row in bind.execute(sa.select(_rotas)).all():
        bind.execute(
            _versions.insert().values(
                account_id=row.account_id,
                rota_id=row.id,
                version=1,
                name=row.name,
                shifts=row.shifts,
                saved_at=row.updated_at,
                saved_by="",
            )
        )
    bind.execute(_rotas.update().values(version=1))


def downgrade() -> None:
    # the versions before the one in force go: the rota's own row holds the one in force.
    # The versions' table goes first: on SQLite dropping the column rebuilds on_call_rotas
    op.drop_index("ix_on_call_rota_versions_account", table_name="on_call_rota_versions")
    op.drop_table("on_call_rota_versions")
    with op.batch_alter_table("on_call_rotas") as batch:
        batch.drop_column("version")
