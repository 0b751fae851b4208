"""The tests' migrated PostgreSQL schemas are made by sending again what Alembic sent to an
empty one (tests/postgres_schemas.py): the same tables, columns, constraints,
indexes, sequences, triggers, functions and rows as Alembic's own."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from accueil.store.db import make_engine, migrate
from postgres_schemas import Sent, catalog, schema_url


@pytest.mark.postgres
def test_a_replayed_schema_is_the_one_alembic_makes(postgres_engine: Engine) -> None:
    schemas = schema_url()  # a second schema, migrated by Alembic
    alembic = make_engine(next(schemas))
    try:
        migrate(alembic)
        made, replayed = catalog(alembic), catalog(postgres_engine)
    finally:
        alembic.dispose()
        schemas.close()
    assert len(made["tables"]) > 30 and made["rows of alembic_version"]  # type: ignore[arg-type]
    assert replayed == made


@pytest.mark.postgres
def test_what_is_sent_again_reads_nothing(postgres_migrations: tuple[Sent, ...]) -> None:
    assert postgres_migrations  # the recording checked that it names no schema
    assert not [s for s in postgres_migrations if s.statement.lstrip().upper().startswith("SELECT")]
