"""Every command migrates first; a database already at the head skips Alembic altogether."""

from __future__ import annotations

import subprocess
import sys

from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from accueil.store.db import alembic_config, head_revision, make_engine, migrate


def test_the_head_read_from_the_scripts_is_alembics(engine: Engine) -> None:
    scripts = ScriptDirectory.from_config(alembic_config(engine))
    assert head_revision() == scripts.get_current_head()


def test_a_database_behind_the_head_is_still_migrated(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine, "0001")
    migrate(engine)
    with engine.connect() as connection:
        version = connection.execute(text("SELECT version_num FROM alembic_version")).scalar()
    engine.dispose()
    assert version == head_revision()


def test_a_database_at_the_head_does_not_load_alembic(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    migrate(engine)
    engine.dispose()
    code = (
        "import sys\n"
        "from accueil.store.db import make_engine, migrate\n"
        f"migrate(make_engine({sqlite_url!r}))\n"
        "print([m for m in sys.modules if m.startswith('alembic')])\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
