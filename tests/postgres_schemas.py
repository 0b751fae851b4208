"""PostgreSQL for the tests: each test its own schema (through ``search_path``, so the URL alone
is enough, also for a CLI run in a subprocess), brought to the head by sending again what
Alembic sent to an empty one.

Alembic takes about 0.5 s per schema (several seconds on a loaded machine), most of it its own
work in Python; what it sends, recorded once per test process, is sent again in a few round
trips. The statements name no schema (the recording checks it), and
tests/store/test_migrations_replayed.py checks that a replayed schema is the one Alembic makes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
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
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
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
    schema = str(make_url(url).query["options"]).removeprefix("-csearch_path=")
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
