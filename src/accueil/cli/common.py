"""Helpers shared by the command modules: the console, error reporting, opening the store.

``unit_of_work()`` is the one way a command opens the store: the configured database,
migrated, one transaction whose events are published after commit, and ``work.now`` read once
from the wall clock (the only clock the CLI reads).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import typer
from rich.console import Console

from accueil.errors import AccueilError, ValidationFailed

if TYPE_CHECKING:  # imported when a command opens the store, so --help starts fast
    from accueil.services.unit_of_work import Application, UnitOfWork

# soft_wrap: long lines (explanations, error paths) stay whole when piped or captured.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


@contextmanager
def reported() -> Iterator[None]:
    """Turn an AccueilError into a clear message on stderr and a non-zero exit."""
    try:
        yield
    except ValidationFailed as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        for problem in exc.problems:
            err_console.print(f"  {problem}", highlight=False, markup=False)
        raise typer.Exit(2) from None
    except AccueilError as exc:
        err_console.print(f"[bold red]error:[/] {exc.message}", highlight=False)
        raise typer.Exit(1 if exc.status < 500 else 3) from None


def fail(message: str, code: int = 1) -> None:
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)


@contextmanager
def application() -> Iterator[Application]:
    """The configured database, migrated to the current schema, on the wall clock."""
    from accueil.services.unit_of_work import Application
    from accueil.store.db import make_engine, migrate
    from accueil.wallclock import WallClock

    engine = make_engine()
    try:
        migrate(engine)
        yield Application(engine, WallClock())
    finally:
        engine.dispose()


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    """One transaction on the configured database: committed (and published) at the end."""
    with application() as app, app.unit_of_work() as work:
        yield work
