"""The front door: the table of commands, loaded on demand.

``accueil --help`` lists every command from the table below without importing any of them, and
``accueil status`` imports only the module that holds ``status``: a command starts in the time its
own imports take, not in the time of the whole program (matplotlib alone takes seconds).

**Adding a command is one line in ``COMMANDS``**: its name, the module under ``accueil.cli`` that
attaches it to ``accueil.cli.app.app`` (with ``@app.command()`` or ``app.add_typer``), the help
panel it is listed under, and its one-line help (the first line of its docstring, or the group's
``help``; ``tests/cli/test_front.py`` checks they agree).
"""

from __future__ import annotations

import difflib
import importlib
from dataclasses import dataclass
from typing import Any

import typer
from typer import _click as click  # typer >= 0.29 carries its own click
from typer.core import TyperCommand, TyperGroup

from accueil.cli import failures
from accueil.cli.app import app as registry


@dataclass(frozen=True)
class Entry:
    """One command of the table: where it lives, where ``--help`` lists it, what it does."""

    name: str
    module: str
    panel: str
    help: str


START = "Start here"
DIRECTORY = "The directory"
AVAILABILITY = "Availability and rules"
CALLS = "Answering calls"
TWIN = "The digital twin"
SERVICE = "The service"

# In the order ``accueil --help`` shows them: the order a newcomer meets them.
COMMANDS: tuple[Entry, ...] = (
    Entry("demo", "demo", START, "Create the database, load a demo operator, decide sample calls, simulate a day; --serve: then live."),  # noqa: E501
    Entry("import", "directory", DIRECTORY, "Import accounts, groups, people, numbers and agents: all of it, or nothing."),  # noqa: E501
    Entry("export", "directory", DIRECTORY, "Write the whole operator in the import format: export then import changes nothing."),  # noqa: E501
    Entry("demo-data", "directory", DIRECTORY, "Generate a plausible operator's directory and import it (deterministic for a seed)."),  # noqa: E501
    Entry("team", "teams", DIRECTORY, "Teams (groups): list, take down, put back; kept with who and when."),  # noqa: E501
    Entry("number", "teams", DIRECTORY, "Numbers: release one (kept with what it led to), list releases."),  # noqa: E501
    Entry("init-db", "directory", DIRECTORY, "Create the database (or bring its schema up to date)."),  # noqa: E501
    Entry("status", "availability", AVAILABILITY, "Set a person's status, or show their availability and status history."),  # noqa: E501
    Entry("delegate", "availability", AVAILABILITY, "Say who covers for a person while they are away."),  # noqa: E501
    Entry("closure", "availability", AVAILABILITY, "Close an account over a period (a seminar, the August break)."),  # noqa: E501
    Entry("calendar", "calendars", AVAILABILITY, "Calendars: ICS feeds and uploaded files, refreshed on a schedule."),  # noqa: E501
    Entry("rules", "rules", AVAILABILITY, "Per-person, group and account rules: when … then …."),
    Entry("lists", "rules", AVAILABILITY, "Named caller lists: VIP, blocked, family."),
    Entry("contacts", "rules", AVAILABILITY, "The account's known contacts."),
    Entry("rota", "rules", AVAILABILITY, "On-call rotas."),
    Entry("decide", "decide", AVAILABILITY, "Print the decision for a call and its explanation."),
    Entry("script", "scripts", CALLS, "Per-account, group and person scripts: versioned, inherited."),  # noqa: E501
    Entry("search", "search", CALLS, "Find people and groups by name, title or group, as heard on the phone."),  # noqa: E501
    Entry("screenpop", "search", CALLS, "Everything the agent sees for a call: account, person, decision, script, caller."),  # noqa: E501
    Entry("messages", "messages", CALLS, "Messages: list, history, dead deliveries and retry, preferences, purge, erase, export."),  # noqa: E501
    Entry("simulate", "simulate", TWIN, "Simulate a day per strategy and print service level, abandonment, affinity and the affinity ceiling (the most the run allowed)."),  # noqa: E501
    Entry("serve", "serve", SERVICE, "Run the HTTP API (OpenAPI at /api/v1/openapi.json, browsable at /docs)."),  # noqa: E501
    Entry("user", "serve", SERVICE, "Users of the API and their roles."),
    Entry("token", "serve", SERVICE, "API tokens: create (shown once), list, revoke."),
    Entry("switchboard", "switchboard", SERVICE, "The live switchboard: the journal rows a take-over could not load (quarantine)."),  # noqa: E501
    Entry("usage", "usage", SERVICE, "Usage per account for billing: calls answered, minutes and messages, by day or month."),  # noqa: E501
    Entry("dispatch", "messages", SERVICE, "Send queued messages (email, SMS, webhooks, digests), escalate unacknowledged ones, purge expired data daily."),  # noqa: E501
)  # fmt: skip

BY_NAME = {entry.name: entry for entry in COMMANDS}
PANELS: dict[str, tuple[str, ...]] = {}
for _entry in COMMANDS:
    PANELS[_entry.panel] = (*PANELS.get(_entry.panel, ()), _entry.name)


def load(name: str) -> click.Command:
    """The real command ``name``: its module imported, its click command built."""
    entry = BY_NAME[name]
    importlib.import_module(f"accueil.cli.{entry.module}")
    built = typer.main.get_group(registry)
    command = built.commands.get(name)
    if command is None:
        raise LookupError(f"accueil.cli.{entry.module} does not define the command {name!r}")
    command.rich_help_panel = entry.panel  # type: ignore[attr-defined]
    return command


class _Listed(TyperCommand):
    """What ``--help`` lists for a command not loaded: its name, panel and one-line help."""


class FrontGroup(TyperGroup):
    """A group whose commands come from ``COMMANDS``, each imported when it is run."""

    listing = False

    def list_commands(self, ctx: click.Context) -> list[str]:
        return [entry.name for entry in COMMANDS]

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.commands:
            return self.commands[cmd_name]
        entry = BY_NAME.get(cmd_name)
        if entry is None:
            return None
        if self.listing:
            listed = _Listed(name=entry.name, help=entry.help, rich_help_panel=entry.panel)
            return listed
        self.commands[cmd_name] = load(cmd_name)
        return self.commands[cmd_name]

    def format_help(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        self.listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self.listing = False

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.UsageError as error:
            # typer suggests among the commands built so far; the table knows them all
            close = difflib.get_close_matches(args[0], list(BY_NAME)) if args else []
            if close and "Did you mean" not in error.message:
                named = ", ".join(repr(name) for name in close)
                error.message = f"{error.message.rstrip('.')}. Did you mean {named}?"
            raise

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as error:
            if failures.debugging():
                raise
            raise failures.reported(error) from None


front = typer.Typer(
    cls=FrontGroup,
    name="accueil",
    help=(
        "accueil: pooled telephone answering that gives every client employee a personal "
        "receptionist. Start with 'accueil demo'."
    ),
    epilog="Exit codes: 0 done, 1 refused, 2 bad input, 3 database or service failed, "
    "4 internal error (see --debug).",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(shown: bool) -> None:
    if shown:
        from accueil import __version__

        typer.echo(f"accueil {__version__}")
        raise typer.Exit()


@front.callback()
def options(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
    debug: bool = typer.Option(
        False, "--debug", help="Show the traceback when a command fails (also ACCUEIL_DEBUG=1)."
    ),
    log_format: str | None = typer.Option(
        None,
        "--log-format",
        help="Logs on stderr: 'console' (readable) or 'json' (for services); default "
        "ACCUEIL_LOG_FORMAT, else console on a terminal and json otherwise.",
    ),
    log_level: str | None = typer.Option(
        None,
        "--log-level",
        help="debug, info, warning or error (default ACCUEIL_LOG_LEVEL, else warning; "
        "info for jobs that keep running).",
    ),
    as_: str | None = typer.Option(
        None,
        "--as",
        help="Who is at the command line, as the audit log names them (default: the OS user).",
    ),
) -> None:
    """accueil: pooled telephone answering that gives every client employee a personal
    receptionist. Start with 'accueil demo'."""
    failures.set_debug(debug)
    from accueil import logs

    try:
        logs.configure(log_format, log_level)
    except ValueError as error:
        raise typer.BadParameter(str(error)) from None
