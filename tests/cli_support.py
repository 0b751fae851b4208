"""Running the ``accueil`` command in tests, on a database of their own loaded with a directory."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from accueil.cli import app
from accueil.services.onboarding import load_directory
from accueil.settings import get_settings
from accueil.store.db import make_engine, migrate, session_factory, transaction

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)  # when the test writes


def cli_database(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    directory: Mapping[str, object],
    then: Callable[[Session], None] | None = None,
) -> Iterator[str]:
    """Point the command at a fresh SQLite file holding ``directory`` (then ``then``'s rows)."""
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("ACCUEIL_DATABASE_URL", url)
    get_settings.cache_clear()
    engine = make_engine(url)
    migrate(engine)
    with transaction(session_factory(engine)) as s:
        load_directory(s, directory, source="test", now=NOW)
        if then is not None:
            then(s)
    engine.dispose()
    yield url
    get_settings.cache_clear()


def run_cli(*args: str, code: int = 0) -> str:
    """Run ``accueil ARGS``, check its exit code, return its output on one line."""
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == code, result.output
    return " ".join(result.output.split())  # rich wraps long lines at the terminal's width
