"""How a command that fails says so: one clear line on stderr and an exit code, never a traceback
(unless ``accueil --debug`` asks for it).

Exit codes (also in ``docs/cli.md``):

- 0: done.
- 1: refused: something named does not exist, conflicts, or cannot be done as asked.
- 2: bad input: a file or an argument has problems (each listed), or the command line is wrong.
- 3: the database (or another service accueil relies on) failed or cannot be reached.
- 4: an internal error: a bug in accueil; ``--debug`` shows the traceback to report.
"""

from __future__ import annotations

import os
import sys

import typer

from accueil.errors import AccueilError, ValidationFailed

REFUSED, BAD_INPUT, SERVICE, INTERNAL = 1, 2, 3, 4

_debug = False


def set_debug(on: bool) -> None:
    global _debug
    _debug = on


def debugging() -> bool:
    """``--debug`` was given, or ``ACCUEIL_DEBUG`` is set to a true value."""
    return _debug or os.environ.get("ACCUEIL_DEBUG", "").lower() in {"1", "true", "yes", "on"}


def reported(error: Exception) -> typer.Exit:
    """Print ``error`` as one line on stderr; the exit to raise with its code."""
    message, code = describe(error)
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def describe(error: Exception) -> tuple[str, int]:
    """One line saying what went wrong, and the exit code for it."""
    if isinstance(error, AccueilError):  # said on purpose (a wrong ACCUEIL_* setting, say)
        if isinstance(error, ValidationFailed):
            return _one_line(" ".join([error.message, *map(str, error.problems)])), BAD_INPUT
        return error.message, REFUSED if error.status < 500 else SERVICE
    database = _database_failure(error)
    if database is not None:
        return database, SERVICE
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}", REFUSED
    return (
        f"internal error ({type(error).__name__}: {_one_line(str(error))}); "
        "run again with --debug to see the traceback, and report it",
        INTERNAL,
    )


def _database_failure(error: Exception) -> str | None:
    # Only a program that imported SQLAlchemy can have a SQLAlchemy error: do not import it here.
    exc = sys.modules.get("sqlalchemy.exc")
    if exc is None or not isinstance(error, exc.DBAPIError | exc.OperationalError):
        return None
    reason = _one_line(str(getattr(error, "orig", None) or error))
    return f"the database {_database_url()} failed: {reason}"


def _database_url() -> str:
    from sqlalchemy.engine import make_url

    from accueil.settings import get_settings

    try:
        return make_url(get_settings().database_url).render_as_string(hide_password=True)
    except Exception:  # a URL too broken to parse is still named, without its password
        return "(ACCUEIL_DATABASE_URL)"


def _one_line(text: str) -> str:
    return "; ".join(part.strip() for part in text.strip().splitlines() if part.strip())
