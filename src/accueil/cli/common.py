"""Helpers shared by the command modules: the console, error reporting, opening the store."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from accueil.errors import AccueilError, ValidationFailed

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
