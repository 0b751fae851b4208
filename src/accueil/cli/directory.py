"""Directory commands: ``accueil import``, ``export``, ``demo-data`` and ``init-db``."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from accueil.cli.app import app
from accueil.cli.common import application, console, err_console, reported, unit_of_work
from accueil.demo.directory import generate_demo
from accueil.directory_io.records import Kind
from accueil.errors import InvalidInput, says
from accueil.services.directory_writes import Progress as ProgressCallback
from accueil.services.exporting import export_csv, export_yaml
from accueil.services.onboarding import ImportReport, import_files

SHOWN_PER_KIND = 20  # a dry run lists this many changes of each kind, then counts the rest
SINGULAR = {
    Kind.ACCOUNTS: "account",
    Kind.GROUPS: "group",
    Kind.PEOPLE: "person",
    Kind.NUMBERS: "number",
    Kind.AGENTS: "agent",
}
# How --prune takes each kind down (accounts never are); see docs/import.md.
TAKE_DOWN = {
    Kind.ACCOUNTS: "remove",
    Kind.GROUPS: "remove",
    Kind.PEOPLE: "archive",
    Kind.NUMBERS: "release",
    Kind.AGENTS: "deactivate",
}


class ExportFormat(StrEnum):
    YAML = "yaml"
    CSV = "csv"


@app.command("init-db")
def init_db() -> None:
    """Create the database (or bring its schema up to date)."""
    with reported(), application() as found:
        console.print(f"database ready: {found.engine.url.render_as_string()}", highlight=False)


IMPORT_HELP = (
    "Import accounts, groups, people, numbers and agents: all of it, or nothing.\n\n"
    "The files may also hold the operator's other sections, as 'accueil export' writes them: "
    "caller lists, contacts, rotas, rules, scripts, closures, delegations and calendars "
    "(caller_lists.csv, contacts.csv, closures.csv, delegations.csv, operator.yaml…)."
)


@app.command("import", help=IMPORT_HELP)
def import_command(
    files: Annotated[list[Path], typer.Argument(help="YAML or CSV files, imported together")],
    kind: Annotated[
        Kind | None, typer.Option(help="what the CSV files hold (default: from name or header)")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="say what would change, change nothing")
    ] = False,
    prune: Annotated[
        bool,
        typer.Option(
            "--prune",
            help=(
                "take down what the files' accounts no longer list (archive people, release "
                "numbers: kept with what they led to, …)"
            ),
        ),
    ] = False,
) -> None:
    """Import the files (see IMPORT_HELP)."""
    with reported():
        with _progress() as progress, unit_of_work() as work:
            report = import_files(
                work.session,
                files,
                kind=kind,
                prune=prune,
                dry_run=dry_run,
                progress=progress,
                now=work.now,
            )
        _print_report(report)


@contextmanager
def _progress() -> Iterator[ProgressCallback]:
    bar = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
        disable=not err_console.is_terminal,
    )
    task = bar.add_task("reading", total=None)

    def update(stage: str, done: int, total: int) -> None:
        bar.update(task, description=f"{stage:<10}", completed=done, total=total or None)

    with bar:
        yield update


def _print_report(report: ImportReport) -> None:
    if not report.dry_run:
        for line in report.lines():
            console.print(line, highlight=False)
    elif report.changes:
        console.print("[bold]dry run[/]: nothing was changed; this import would do:")
        _print_changes(report)
        for line in report.lines():
            console.print(f"  would: {line}", highlight=False)
    else:
        console.print("[bold]dry run[/]: nothing was changed, and this import would change nothing")
    console.print(f"  {report.unchanged} entries already up to date", highlight=False)


def _print_changes(report: ImportReport) -> None:
    for kind in Kind:
        for action in ("create", "change", "remove"):
            changes = [c for c in report.changes if c.kind == kind and c.action == action]
            verb = TAKE_DOWN[kind] if action == "remove" else action
            for change in changes[:SHOWN_PER_KIND]:
                fields = f" ({', '.join(change.fields)})" if change.fields else ""
                line = f"  {verb} {SINGULAR[kind]} {change.key}{fields}"
                console.print(line, highlight=False, markup=False)
            if len(changes) > SHOWN_PER_KIND:
                console.print(f"  … and {len(changes) - SHOWN_PER_KIND} more", highlight=False)


EXPORT_HELP = (
    "Write the whole operator in the import format: export then import changes nothing.\n\n"
    "The directory (accounts, groups, people, numbers, agents) and caller lists, contacts, "
    "rotas, the current rules and scripts, closures, delegations and calendar feeds. Not "
    "exported: rule and script history, manual statuses, call records (see docs/import.md)."
)


@app.command("export", help=EXPORT_HELP)
def export_command(
    format: Annotated[
        ExportFormat, typer.Option("--format", help="yaml or csv")
    ] = ExportFormat.YAML,
    out: Annotated[
        Path | None,
        typer.Option(
            help="YAML: a file (default: standard output); CSV: a directory (required), "
            "one file per kind and flat section, the nested sections in operator.yaml"
        ),
    ] = None,
) -> None:
    """Write the whole operator in the import format (see EXPORT_HELP)."""
    with reported():
        with unit_of_work() as work:
            session = work.session
            if format is ExportFormat.CSV:
                if out is None:
                    raise InvalidInput(
                        says("CSV export writes one file per kind: give --out DIRECTORY")
                    )
                for path in export_csv(session, out):
                    err_console.print(f"wrote {path}", highlight=False)
                return
            text = export_yaml(session)
        if out is None:
            typer.echo(text, nl=False)
        else:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
            err_console.print(f"wrote {out}", highlight=False)


@app.command("demo-data")
def demo_data(
    accounts: Annotated[int, typer.Option(min=0, help="client companies")] = 40,
    people: Annotated[int, typer.Option(min=0, help="employees over all accounts")] = 1500,
    agents: Annotated[int, typer.Option(min=0, help="telephone secretaries of the pool")] = 30,
    seed: Annotated[int, typer.Option(help="the same seed gives the same directory")] = 7,
) -> None:
    """Generate a plausible operator's directory and import it (deterministic for a seed)."""
    with reported():
        with unit_of_work() as work:
            report = generate_demo(
                work.session,
                accounts=accounts,
                people=people,
                agents=agents,
                seed=seed,
                now=work.now,
            )
        _print_report(report)
