"""PostgreSQL for the tests: each test its own schema (through ``search_path``, so the URL alone
is enough, also for a CLI run in a subprocess), brought to the head by sending again what
Alembic sent to an empty one.

Alembic takes about 0.5 s per schema (several seconds on a loaded machine), most of it its own
work in Python; what it sends, recorded once per test process, is sent again in a few round
trips. The statements name no schema (the recording checks it), and
tests/store/test_migrations_replayed.py checks that a replayed schema is the one Alembic makes.
"""

from __future__ import annotations

import json
import os
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Connection, Engine, event, text
from sqlalchemy.engine import make_url

from accueil.store.db import alembic_config, make_engine, migrate

POSTGRES_URL = os.environ.get("ACCUEIL_TEST_POSTGRES_URL", "")
NO_POSTGRES = "ACCUEIL_TEST_POSTGRES_URL is not set (.ci/run sets it); PostgreSQL tests skipped"


def schema_url() -> Iterator[str]:
    """The URL of a new empty schema, dropped when the generator is closed."""
    if not POSTGRES_URL:
        pytest.skip(NO_POSTGRES)
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield url_of(schema)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@dataclass(frozen=True)
class Sent:
    """One statement the migrations sent: as the server got it (``parameters`` None), or with
    the parameters the driver bound into it."""

    statement: str
    parameters: Any = None


def recorded_migrations() -> tuple[Sent, ...]:
    """What Alembic sends to bring an empty schema to the head, but its reads."""
    from alembic import command

    schemas = schema_url()
    url = next(schemas)
    sent: list[Sent] = []

    def record(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, many: bool
    ) -> None:
        assert not many, "an executemany in a migration: send it again with its parameters"
        if statement.lstrip().upper().startswith("SELECT"):
            return  # the migrations' reads (of an empty schema) change nothing
        if parameters:
            sent.append(Sent(statement, parameters))
        else:  # the driver read "%%" as "%" (pyformat): the statement as the server got it
            sent.append(Sent(statement.replace("%%", "%")))

    try:
        engine = make_engine(url)
        event.listen(engine, "before_cursor_execute", record)
        command.upgrade(alembic_config(engine), "head")
        engine.dispose()
    finally:
        schemas.close()  # the recording's schema dropped
    schema = schema_of(url)
    assert not [s for s in sent if schema in f"{s.statement} {s.parameters}"], schema
    return tuple(sent)


def replayed(url: str, sent: tuple[Sent, ...]) -> Engine:
    """An engine on ``url``'s empty schema, brought to the head by ``sent`` in one transaction:
    the statements without parameters together, as one script."""
    engine = make_engine(url)
    with engine.begin() as connection:
        cursor = connection.connection.cursor()
        script: list[str] = []
        for s in (*sent, None):
            if s is not None and s.parameters is None:
                script.append(s.statement)
                continue
            if script:
                cursor.execute(";\n".join(script))
                script = []
            if s is not None:
                cursor.execute(s.statement, s.parameters)
        cursor.close()
    migrate(engine)  # at the head: checked, left alone
    return engine


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


def catalog(engine: Engine) -> dict[str, object]:
    """A schema's make-up and rows, its name left out: for comparing two schemas."""
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


# What a schema is made of, read from the catalogue (its own name left out: defaults and
# constraints name it): a schema given back whose make-up is not the head's (a test that
# altered a table, added a trigger or changed a grant) is dropped, never handed out again.
_MAKE_UP = text(
    """
    SELECT md5(replace(concat_ws('|',
      (SELECT string_agg(concat_ws(':', relname, relkind, relacl::text, relrowsecurity,
              reloptions::text), ',' ORDER BY relname)
         FROM pg_class WHERE relnamespace = s.oid),
      (SELECT string_agg(concat_ws(':', c.relname, a.attname, a.atttypid, a.attnotnull,
              a.attisdropped, pg_get_expr(d.adbin, d.adrelid)), ',' ORDER BY c.relname, a.attnum)
         FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
         LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
         WHERE c.relnamespace = s.oid AND a.attnum > 0),
      (SELECT string_agg(concat_ws(':', c.relname, t.tgname, t.tgenabled), ','
              ORDER BY c.relname, t.tgname)
         FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid WHERE c.relnamespace = s.oid),
      (SELECT string_agg(concat_ws(':', conname, convalidated, pg_get_constraintdef(oid)), ','
              ORDER BY conname)
         FROM pg_constraint WHERE connamespace = s.oid),
      (SELECT string_agg(concat_ws(':', proname, md5(prosrc)), ',' ORDER BY proname)
         FROM pg_proc WHERE pronamespace = s.oid),
      (SELECT string_agg(concat_ws(':', c.relname, i.indisvalid), ',' ORDER BY c.relname)
         FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relnamespace = s.oid),
      (SELECT string_agg(polname, ',' ORDER BY polname)
         FROM pg_policy p JOIN pg_class c ON c.oid = p.polrelid WHERE c.relnamespace = s.oid)
    ), s.nspname, '<schema>'))
    FROM pg_namespace s WHERE s.nspname = :schema
    """
)


def schema_of(url: str) -> str:
    return str(make_url(url).query["options"]).removeprefix("-csearch_path=")


def url_of(schema: str) -> str:
    """The tests' server URL with ``schema`` as its search path."""
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


class SchemaPool:
    """Migrated schemas for one test process, used again: about 0.3–0.5 s each (several on a
    loaded machine) to make and drop, against a few hundredths to empty.

    ``take`` hands out a schema at the head under a new name (never one a test used: a process
    or a lock a test left behind, keyed by its schema's name, cannot reach the next test);
    ``give_back`` empties it, in one transaction: its tables locked (so no transaction left
    running by the test still writes), renamed out of reach, every row deleted (the triggers
    off: the audit log refuses deletes), the rows the migrations wrote put back and the
    sequences restarted. A schema that cannot be emptied at once (a lock still held after
    2 s), or whose make-up is no longer the head's, is dropped as before.
    tests/store/test_schema_pool.py checks that a schema emptied is the one Alembic makes."""

    def __init__(self, sent: tuple[Sent, ...]) -> None:
        self.sent = sent
        self.free: list[str] = []
        self.handed: set[str] = set()
        self.admin = make_engine(POSTGRES_URL)
        self.make_up: str | None = None
        self.head: list[str] = []  # alembic_version's rows at the head
        self.seeds: dict[str, str] = {}  # table → its rows after the migrations, as JSON
        self.dropped = 0  # schemas that could not be used again (for the pool's own test)

    def take(self) -> str:
        schema = f"t_{uuid.uuid4().hex[:12]}"
        if self.free:
            with self.admin.begin() as conn:
                conn.execute(text(f'ALTER SCHEMA "{self.free.pop()}" RENAME TO "{schema}"'))
        else:
            with self.admin.begin() as conn:
                conn.execute(text(f'CREATE SCHEMA "{schema}"'))
            replayed(url_of(schema), self.sent).dispose()
            if self.make_up is None:
                self._learn(schema)
        self.handed.add(schema)
        return url_of(schema)

    def _learn(self, schema: str) -> None:
        with self.admin.begin() as conn:
            self.make_up = conn.execute(_MAKE_UP, {"schema": schema}).scalar_one()
            self.head = self._versions(conn, schema)
            for (table,) in conn.execute(
                text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
            ):
                if table == "alembic_version":
                    continue
                rows = conn.execute(text(f'SELECT json_agg(t) FROM "{schema}"."{table}" t'))
                found = rows.scalar_one()
                if found is not None:
                    self.seeds[table] = json.dumps(found)

    @staticmethod
    def _versions(conn: Connection, schema: str) -> list[str]:
        query = text(f'SELECT version_num FROM "{schema}".alembic_version ORDER BY 1')
        return [str(v) for v in conn.execute(query).scalars()]

    def give_back(self, url: str) -> None:
        schema = schema_of(url)
        self.handed.discard(schema)
        try:
            kept = self._emptied(schema)
        except Exception:
            kept = None
        if kept is None:
            self.dropped += 1
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        else:
            self.free.append(kept)

    def _emptied(self, schema: str) -> str | None:
        kept = f"p_{uuid.uuid4().hex[:12]}"
        with self.admin.begin() as conn:
            conn.execute(text("SET LOCAL lock_timeout = '2s'"))
            if conn.execute(_MAKE_UP, {"schema": schema}).scalar_one() != self.make_up:
                return None
            if self._versions(conn, schema) != self.head:
                return None
            tables = [
                t
                for (t,) in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :s"), {"s": schema}
                )
                if t != "alembic_version"
            ]
            names = ", ".join(f'"{schema}"."{t}"' for t in tables)
            conn.execute(text(f"LOCK TABLE {names} IN ACCESS EXCLUSIVE MODE"))
            conn.execute(text(f'ALTER SCHEMA "{schema}" RENAME TO "{kept}"'))
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            conn.exec_driver_sql("; ".join(f'DELETE FROM "{kept}"."{t}"' for t in tables))
            for table, rows in self.seeds.items():
                conn.execute(
                    text(
                        f'INSERT INTO "{kept}"."{table}" SELECT * FROM'
                        f' json_populate_recordset(NULL::"{kept}"."{table}", CAST(:rows AS json))'
                    ),
                    {"rows": rows},
                )
            conn.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass,"
                    " start_value, false)"
                    " FROM pg_sequences WHERE schemaname = :s"
                ),
                {"s": kept},
            )
        return kept

    def close(self) -> None:
        for schema in [*self.free, *self.handed]:
            with self.admin.begin() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        self.free.clear()
        self.handed.clear()
        self.admin.dispose()


# The catalogue tables a test schema's making and dropping leave dead rows in.
_CATALOGUE = (
    "pg_attribute pg_class pg_type pg_depend pg_constraint pg_index pg_trigger pg_attrdef"
    " pg_namespace pg_sequence pg_proc pg_description"
)


def vacuum_catalogue() -> None:
    """Vacuum the test database's catalogue, once before the tests: every schema made and
    dropped leaves dead rows there (about 1,300 in pg_attribute alone), and a server run
    without autovacuum (this machine's) kept millions, which made every catalogue read slow
    (a schema's make-up 0.27 s, 0.005 s once vacuumed). Seconds when there is much to clear,
    milliseconds when there is not; a user who may not vacuum the catalogue gets warnings."""
    if not POSTGRES_URL:
        return
    engine = make_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn = conn.execution_options(isolation_level="AUTOCOMMIT")
            names = ", ".join(f"pg_catalog.{t}" for t in _CATALOGUE.split())
            conn.execute(text(f"VACUUM {names}"))
    except Exception as error:  # the PostgreSQL tests will say what is wrong
        print(f"the test database's catalogue was not vacuumed: {error}", file=sys.stderr)
    finally:
        engine.dispose()
