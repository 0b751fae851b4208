"""The tests' migrated PostgreSQL schemas are made by sending again what Alembic sent to an
empty one (tests/postgres_schemas.py): the same tables, columns, constraints,
indexes, sequences, triggers, functions and rows as Alembic's own."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text

from accueil.store.db import make_engine, migrate
from postgres_schemas import Sent, schema_url

CATALOG = {
    "columns": "SELECT table_name, column_name, data_type, is_nullable, column_default,"
    " ordinal_position FROM information_schema.columns WHERE table_schema = current_schema()",
    "constraints": "SELECT conname, contype, pg_get_constraintdef(c.oid) FROM pg_constraint c"
    " JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = current_schema()",
    "indexes": "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema()",
    "triggers": "SELECT tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t JOIN pg_class c"
    " ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    " WHERE n.nspname = current_schema() AND NOT t.tgisinternal",
    "functions": "SELECT proname, pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n"
    " ON n.oid = p.pronamespace WHERE n.nspname = current_schema()",
    "sequences": "SELECT sequence_name, data_type, start_value, increment"
    " FROM information_schema.sequences WHERE sequence_schema = current_schema()",
    "tables": "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()",
}


def _catalog(engine: Engine) -> dict[str, object]:
    found: dict[str, object] = {}
    with engine.connect() as connection:
        schema = connection.execute(text("SELECT current_schema()")).scalar_one()
        for what, query in CATALOG.items():
            rows = connection.execute(text(query)).all()
            found[what] = sorted(tuple(str(v).replace(schema, "<schema>") for v in r) for r in rows)
        for (table,) in connection.execute(text(CATALOG["tables"])).all():
            rows = connection.execute(text(f'SELECT * FROM "{table}"')).all()
            found[f"rows of {table}"] = sorted(map(str, rows))
    return found


@pytest.mark.postgres
def test_a_replayed_schema_is_the_one_alembic_makes(postgres_engine: Engine) -> None:
    schemas = schema_url()  # a second schema, migrated by Alembic
    alembic = make_engine(next(schemas))
    try:
        migrate(alembic)
        made, replayed = _catalog(alembic), _catalog(postgres_engine)
    finally:
        alembic.dispose()
        schemas.close()
    assert len(made["tables"]) > 30 and made["rows of alembic_version"]  # type: ignore[arg-type]
    assert replayed == made


@pytest.mark.postgres
def test_what_is_sent_again_reads_nothing(postgres_migrations: tuple[Sent, ...]) -> None:
    assert postgres_migrations  # the recording checked that it names no schema
    assert not [s for s in postgres_migrations if s.statement.lstrip().upper().startswith("SELECT")]
