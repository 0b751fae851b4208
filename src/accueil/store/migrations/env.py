"""Alembic environment: the engine comes from accueil.store.db.migrate()."""

from __future__ import annotations

from alembic import context

import accueil.store.models  # noqa: F401  (registers every table on Base.metadata)
from accueil.store.tables import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:
        from accueil.store.db import make_engine

        engine = make_engine()
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
        )
        with context.begin_transaction():
            context.run_migrations()
        connection.commit()


run_migrations_online()
