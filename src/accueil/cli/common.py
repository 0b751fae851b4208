"""Helpers shared by the command modules: the console, error reporting, opening the store.

``unit_of_work()`` is the one way a command opens the store: the configured database,
migrated, one transaction whose events are published after commit, and ``work.now`` read once
from the wall clock (the only clock the CLI reads). A transaction that wrote anything leaves
its audit row in that same transaction (``audited``), as a request through the API does; so
does a command that reads personal data (a message, a caller's history: ``personal``).
"""

from __future__ import annotations

import getpass
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from typer._click.globals import get_current_context  # typer >= 0.29 carries its own click

from accueil.errors import AccueilError, Said, ValidationFailed, says

if TYPE_CHECKING:  # imported when a command opens the store, so --help starts fast
    from sqlalchemy.orm import ORMExecuteState, Session

    from accueil.services.audit import AuditEntry
    from accueil.services.unit_of_work import Application, UnitOfWork

RUN = uuid.uuid4().hex[:16]  # this command's run: its audit rows share it as request id

# soft_wrap: long lines (explanations, error paths) stay whole when piped or captured.
console = Console(soft_wrap=True)
err_console = Console(stderr=True, soft_wrap=True)


def cannot_read(file: object, exc: OSError) -> Said:
    """A file a command was given that cannot be read, and why (the system's words)."""
    return says("%(file)s: cannot read it (%(why)s)", file=file, why=exc.strerror)


def not_explained_in(lang: str) -> Said:
    """A ``--lang`` the explanations are not written in."""
    from accueil.core.explain import LANGUAGES

    return says(
        "--lang %(lang)r: explanations are in %(languages)s",
        lang=lang,
        languages=", ".join(LANGUAGES),
    )


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


AUDIT_ACCOUNT = "audit_account"  # in a session's info: the account a command found on its way


@contextmanager
def unit_of_work(*, personal: bool = False) -> Iterator[UnitOfWork]:
    """One transaction on the configured database: committed (and published) at the end.
    ``personal``: the command reads personal data, audited even when it changes nothing."""
    with application() as app, audited(app, personal=personal) as work:
        yield work


@contextmanager
def audited(app: Application, *, personal: bool = False) -> Iterator[UnitOfWork]:
    """``app``'s unit of work; if it wrote anything, or read personal data (``personal``), its
    audit row is written in it too: who (``--as``, else the OS user), what (the command and the
    account, person or message it names), when, and from where ("cli"). A command that finds
    its account on the way (a dialled number) names it in ``session.info[AUDIT_ACCOUNT]``."""
    from accueil.services import audit

    with app.unit_of_work() as work:
        wrote = _watch_writes(work.session)
        yield work
        work.session.flush()
        if wrote or personal:
            found = str(work.session.info.get(AUDIT_ACCOUNT, ""))
            audit.record(work.session, _entry(work.now, found))


def _watch_writes(session: Session) -> list[bool]:
    """A flag set when ``session`` flushes changes or runs an INSERT, UPDATE or DELETE."""
    from sqlalchemy import event

    wrote: list[bool] = []

    def flushed(*_: object) -> None:
        wrote[:] = [True]

    def executed(state: ORMExecuteState) -> None:
        if state.is_insert or state.is_update or state.is_delete:
            wrote[:] = [True]

    event.listen(session, "after_flush", flushed)
    event.listen(session, "do_orm_execute", executed)
    return wrote


def cli_user() -> str:
    """Who is at the command line, as the audit log names them: ``--as``, else the OS user."""
    context = get_current_context(silent=True)
    root = context.find_root() if context is not None else None
    return str((root.params.get("as_") if root is not None else None) or getpass.getuser())


def _entry(now: datetime, found: str = "") -> AuditEntry:
    from accueil.services.audit import AuditEntry

    context = get_current_context(silent=True)
    user = cli_user()
    command = context.command_path.split(" ", 1)[-1] if context is not None else "accueil"
    params = context.params if context is not None else {}
    names = ("who", "owner", "account", "user", "name")
    named = next((str(params[k]) for k in names if params.get(k)), "")
    account = str(params.get("account") or "") or (named.split(":")[0] if ":" in named else "")
    # the message a command read; the list, rota or team a command took down or put back
    message = " ".join(str(params[k]) for k in ("key", "group", "uid") if params.get(k))
    return AuditEntry(
        at=now,
        account=account or found,
        user=user,
        role="cli",
        operation=f"cli {command}",
        target=" ".join(part for part in (command, named, message) if part),
        request_id=RUN,
        client="cli",
    )
