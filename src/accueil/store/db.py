"""Opening the database: engines with the right pragmas, migrations, sessions."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from accueil.settings import get_settings

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"


def make_engine(url: str | None = None, **kwargs: Any) -> Engine:
    """An engine for ``url`` (default: the settings').

    SQLite gets WAL, foreign keys and a busy timeout.
    """
    url = url or get_settings().database_url
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        kwargs["connect_args"] = {**_postgres_timeouts(parsed), **kwargs.get("connect_args", {})}
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _postgres_timeouts(parsed: URL) -> dict[str, Any]:
    """libpq's connect timeout, and the server's statement timeout (added to the URL's own
    ``options``, such as a ``search_path``): a server that is reached but does not answer in
    time ends the wait itself (``ACCUEIL_DATABASE_*_TIMEOUT_SECONDS``; 0: none); the same
    for a session idle in a transaction."""
    settings = get_settings()
    found: dict[str, Any] = {}
    if settings.database_connect_timeout_seconds:
        found["connect_timeout"] = max(2, int(settings.database_connect_timeout_seconds))
    if settings.database_statement_timeout_seconds:
        milliseconds = int(settings.database_statement_timeout_seconds * 1000)
        given = parsed.query.get("options", "")
        options = " ".join(given) if isinstance(given, tuple) else given
        # a session left idle inside a transaction (its client gone quiet) ends as soon: its
        # transaction would hold back every event the streams may hand out (services/outbox.py)
        timeouts = f"-c statement_timeout={milliseconds} "
        timeouts += f"-c idle_in_transaction_session_timeout={milliseconds}"
        found["options"] = f"{options} {timeouts}".strip()
    return found


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` with Alembic (the one way the schema changes).

    A database already at the head is left alone without loading Alembic: every command
    migrates first, and Alembic with its migration scripts costs more than most commands.
    """
    if revision == "head" and _at_head(engine):
        return
    from alembic import command

    command.upgrade(alembic_config(engine), revision)


_REVISION = re.compile(r"^revision\s*=\s*[\"']([^\"']+)[\"']", re.M)
_DOWN = re.compile(r"^down_revision\s*=\s*(?:None|[\"']([^\"']+)[\"'])\s*$", re.M)


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The one head of the migration scripts, read from their text; None when it is not plain
    (several heads, a merge, a script this reading does not understand): then Alembic decides."""
    revisions, downs = set(), set()
    for script in (MIGRATIONS / "versions").glob("*.py"):
        source = script.read_text(encoding="utf-8")
        found, down = _REVISION.search(source), _DOWN.search(source)
        if found is None or down is None:
            return None
        revisions.add(found.group(1))
        if down.group(1):
            downs.add(down.group(1))
    heads = revisions - downs
    return heads.pop() if len(heads) == 1 else None


def _at_head(engine: Engine) -> bool:
    head = head_revision()
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # no version table yet, or unreadable: Alembic will say
        return False
    return [row[0] for row in rows] == [head]


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session in one transaction: committed when the block ends, rolled back on any error."""
    with factory() as session, session.begin():
        yield session
